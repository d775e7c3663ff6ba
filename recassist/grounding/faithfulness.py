"""The faithfulness check: does an explanation name only its item and evidence, state only their
tags and years and the item's own length ("80 minutes"), claim nothing about other people or
popularity that its evidence does not carry, carry no markup, cite at least one piece of its
evidence, and state the count of its strongest evidence where that has one ("118 people who liked
Forrest Gump")?

It is a lexical check against the catalogue (its titles as word n-grams, its tag vocabulary), not an
entailment model: a claim that is not a title, a tag, a year, other people or popularity ("a group
of friends" as a plot point aside) passes it. A title-like name with a year ("Drôle (1994)") must
be a title of the item or its evidence even when the catalogue does not know it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources

from recassist.grounding.claims import relation_claims, says, standing_claims
from recassist.grounding.evidence import Reason, strongest_first
from recassist.grounding.tag_aliases import tag_aliases
from recassist.retrieval.catalogue import Item, base_title, title_year
from recassist.trust.sanitise import injected_words

WORD = re.compile(r"[\w'’:&.-]+")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_ARTICLES = ("the ", "a ", "an ")
_POSSESSIVES = ("'s", "’s")
_MARKUP = re.compile(
    r"<[^>]{0,40}>|!?\[[^\]]*\]\(|https?:|www\.|://|`|\*\*|^#|\]\s*\(", re.I | re.M
)
_TITLE_YEAR = re.compile(r"\((\d{4})\)")
# Words that state something about other people, and about popularity: only evidence of that kind
# allows them.
_OTHERS = (
    r"(?:users?|people|viewers?|audiences?|fans|everyone|everybody|others|friends|critics"
    r"|both of (?:you|them)|millions|many)"
)
_LIKED = r"(?:enjoyed|loved|liked|rated|watched|praised|adored|raved|recommended|voted|cherished)"
# A claim that other people liked it ("both users enjoyed", "loved by many viewers"), not generic
# address ("fans of thrillers will enjoy it").
_PEOPLE = re.compile(
    rf"\b{_OTHERS}\b(?:\W+\w+){{0,5}}?\W+{_LIKED}\b|\b{_LIKED}\s+by\s+(?:\w+\s+){{0,2}}{_OTHERS}\b",
    re.I,
)
_POPULARITY = re.compile(
    r"\b(?:popular|popularity|hit|blockbuster|best-?sell\w*|trending|acclaimed|award\w*|beloved"
    r"|favou?rite of)\b",
    re.I,
)
_QUOTED = re.compile(r"[\"“”*]([A-Z0-9][^\"“”*\n]{1,80})[\"“”*]")
# "another comedy": the genre is claimed of the evidence too
_ANOTHER = re.compile(
    r"\b(?:another|also an?|just like them,? an?)\s+((?:[\w'-]+\s+){0,3}[\w'-]+)", re.I
)
# "you liked X" / "you've seen X" / "you asked for something like X": said of the recommended item
# itself, false
_USER_CLAIM = re.compile(
    r"\byou(?:'ve|’ve|\s+have)?(?:\s+\w+)?\s+"
    r"(?:liked|loved|enjoyed|watched|seen|saw|rated|asked\s+(?:for|about))"
    r"(?:\s+(?:something|a\s+movie|a\s+film)?\s*like)?\W*$",
    re.I,
)
# A claim that the user asked for something, anywhere, and next to a title ("Psycho, which you asked
# about"); `|` marks where the title was.
_ASKED = re.compile(
    r"\b(?:you|you've|you have)\s+(?:asked|requested|searched|wanted)\b|\bas you asked\b", re.I
)
_ASKED_NEAR = re.compile(
    r"(?:asked|requested)\s+(?:for|about)\s+(?:something\s+like\s+)?\|"
    r"|\|\W*,?\s*which\s+you\s+(?:asked|requested)|\|\W*,?\s*as\s+you\s+asked",
    re.I,
)
# A length in minutes ("80 minutes", "a 95-minute film"): only the item's own (`Item.minutes`).
_MINUTES = re.compile(r"(?<![\w.])(\d{1,3})(?:\s*-\s*|\s+)(?:minutes?|mins?)\b", re.IGNORECASE)
# A standalone count ("41 people"), not a year, a decade ("90s") or part of a word.
_COUNT = re.compile(r"(?<![\w.])(\d{1,4})(?![\w.])(?!\s*(?:%|percent))")


def _mention_forms(title: str) -> set[str]:
    """The title's forms and their main part ("star wars" for "Star Wars: Episode IV - A New Hope"):
    the ways an explanation may mention it."""
    forms = _title_forms(title)
    return forms | {re.split(r": | - ", form)[0] for form in forms}


def _title_forms(title: str) -> set[str]:
    """The normalised title, and without its leading article ('the godfather' and 'godfather'); an
    asterisk counts as a space ('m a s h' for 'M*A*S*H'), as it does in the text checked."""
    base = " ".join(base_title(title).replace("*", " ").split())
    article = next((a for a in _ARTICLES if base.startswith(a)), "")
    short = base.removeprefix(article)
    return {base, short} if short else {base}


class FaithfulnessChecker:
    """Checks explanations against the catalogue: its titles (as n-grams of words) and its tag
    vocabulary."""

    def __init__(self, titles: Iterable[str], tags: Iterable[str]) -> None:
        self._titles = {form for t in titles for form in _title_forms(t)} - {""}
        self._max_words = max((len(t.split()) for t in self._titles), default=1)
        self._tag_forms: dict[str, str] = {}
        for tag in {t.strip().lower() for t in tags if t.strip()}:
            for form in (tag, tag + "s", *tag_aliases().get(tag, ())):
                self._tag_forms[form] = tag

    def _title_spans(self, text: str) -> list[tuple[int, int, str]]:
        """Catalogue titles named in `text` as (start, end, normalised title), longest match first.

        A span must start with a capital letter or a digit; a one-word title at a sentence start is
        skipped (it reads as an ordinary word there)."""
        words = list(WORD.finditer(text))
        spans, i = [], 0
        while i < len(words):
            found = None
            if words[i].group()[0].isupper() or words[i].group()[0].isdigit():
                for n in range(min(self._max_words, len(words) - i), 0, -1):
                    start, end = words[i].start(), words[i + n - 1].end()
                    said = text[start:end].lower().rstrip(".:,;!?").replace("*", " ")
                    candidate = " ".join(said.split())
                    if candidate.endswith(_POSSESSIVES):
                        candidate = candidate[:-2]
                    if candidate in self._titles:
                        sentence_start = (
                            not text[:start].strip() or text[:start].rstrip()[-1] in ".!?"
                        )
                        # a one-word title that is also a tag ("War") is checked as a tag
                        if n > 1 or not (sentence_start or candidate in self._tag_forms):
                            found = (start, end, candidate, n)
                        break
            if found:
                spans.append(found[:3])
                i += found[3]
            else:
                i += 1
        return spans

    def stable_end(self, text: str) -> int:
        """How much of a growing `text` can be checked and released now: all of it, or up to a
        catalogue title that reaches its end, which may be the start of a longer one still being
        written ("River" in "The Bridge on the River" before "Kwai" arrives)."""
        spans = self._title_spans(text)
        if spans and spans[-1][1] >= len(text.rstrip(" .,;:!?'’\"")):
            return spans[-1][0]
        # capitalised words at the end may be the first words of a title ("Mystery Science" before
        # "Theater 3000"): checked alone, they would read as a tag or an unknown name
        words = list(WORD.finditer(text))
        start = len(text)
        while words and (words[-1].group()[0].isupper() or words[-1].group()[0].isdigit()):
            start = words.pop().start()
        return start

    def check(
        self, text: str, item: Item, reasons: Sequence[Reason], *, complete: bool = True
    ) -> list[str]:
        """Problems of `text` as an explanation of `item` with `reasons`; empty when it is faithful.

        A `complete` explanation must also cite at least one of its reasons (a title, a name, the
        similar users, popularity, the user's own request) and state the count of the strongest one
        where it has one; text still being streamed is not held to that yet."""
        cited = [item] + [r.item for r in reasons if r.item is not None]
        allowed_titles = {form for i in cited for form in _title_forms(i.title)}
        allowed_years = {y for i in cited for y in (i.year, title_year(i.title)) if y is not None}
        spans = self._title_spans(text)
        problems, rest = _named_titles(text, item, spans, allowed_titles)
        # allowed titles in any case, and their main part ("Star Wars" for "Star Wars: Episode IV -
        # A New Hope"), are mentions of the evidence: their words are not tags or years the text
        # states
        mentions = {form for i in cited for form in _mention_forms(i.title)}
        outside = [r.label for r in reasons if r.kind == "like_outside"]  # "Inception (2010)"
        mentions |= {form for title in outside for form in _mention_forms(title)}
        allowed_years |= {y for title in outside if (y := title_year(title)) is not None}
        rest = _blank_mentions(rest, mentions)
        for quoted in _QUOTED.findall(rest):
            if base_title(quoted) not in allowed_titles and any(c.isalpha() for c in quoted):
                problems.append(
                    f"quotes '{quoted}', which is not a title of the item or its evidence"
                )
        for year in {int(y) for y in _YEAR.findall(rest)} - allowed_years:
            problems.append(f"states the year {year}, which the item and its evidence do not have")
        problems += self._tag_problems(rest, cited, reasons)
        if _MARKUP.search(rest):
            problems.append("contains markup, a link or a prompt delimiter")
        injected = {w for i in cited for w in injected_words(i.title)}
        repeated = sorted(injected & set(re.findall(r"\w+", rest.lower())))
        if repeated:
            problems.append(
                f"repeats words injected into a title ({', '.join(repeated[:3])}), not evidence"
            )
        problems += _unsaid_title_years(text, mentions)
        problems += _stricter(text, rest, item, reasons, spans)
        problems += relation_claims(rest, {r.kind for r in reasons})
        tags = [t for i in cited for t in i.tags]
        people = [name for r in reasons for name in r.people]  # "Ridley Scott directed both"
        said = " ".join([i.title for i in cited] + [r.label for r in reasons] + people + tags)
        problems += _plot_claims(_blank_mentions(text, mentions, "§"), said.lower())
        kinds = {r.kind for r in reasons}
        # "co_liked" evidence is other people: those who liked the evidence item also liked this
        # one; "well_liked": the share of those who watched it that liked it
        others = {"neighbour_user", "followed_user", "co_liked", "well_liked"}
        if _PEOPLE.search(rest) and not kinds & others:
            problems.append("speaks of other people, which its evidence does not")
        if _POPULARITY.search(rest) and "popular" not in kinds:
            problems.append("speaks of popularity, which its evidence does not")
        problems += standing_claims(
            rest, [(r.kind, r.count) for r in reasons], said
        )  # "a classic that stood the test of time"
        if complete and reasons and not any(_cites(text, reason) for reason in reasons):
            problems.append("cites none of its evidence")
        if complete and any(r.count is not None for r in reasons):
            problems += _uncounted(text, strongest_first(reasons)[0])
        return list(dict.fromkeys(problems))

    def _tag_problems(
        self, rest: str, cited: Sequence[Item], reasons: Sequence[Reason]
    ) -> list[str]:
        """Tags `rest` states that neither the item nor its evidence has, and "another comedy"
        when no evidence item is a comedy."""
        allowed_tags = {t.lower() for i in cited for t in i.tags}
        problems = []
        lowered = rest.lower()
        for form, tag in self._tag_forms.items():
            if tag not in allowed_tags and says(form, lowered):
                problems.append(
                    f"states the tag '{form}', which the item and its evidence do not have"
                )
        evidence_tags = {t.lower() for r in reasons if r.item is not None for t in r.item.tags}
        if any(r.item is not None for r in reasons):
            for match in _ANOTHER.finditer(rest):
                for form, tag in self._tag_forms.items():
                    if tag not in evidence_tags and says(form, match.group(1).lower()):
                        problems.append(f"calls it 'another {form}', which none of its evidence is")
        return problems


def _named_titles(
    text: str, item: Item, spans: list[tuple[int, int, str]], allowed_titles: set[str]
) -> tuple[list[str], str]:
    """Catalogue titles `text` names that are neither the item nor its evidence, and the item
    itself said to be liked or asked for; and the text with every named title blanked out."""
    problems = []
    rest = text
    own = _title_forms(item.title)
    for start, end, title in spans:
        if title in own and _USER_CLAIM.search(text[max(0, start - 60) : start]):
            problems.append(
                f"says you liked or asked for '{text[start:end]}', the recommended item itself"
            )
        # a span that begins an allowed title is a shortened mention of it ("Terminator" for
        # "Terminator 2: Judgment Day"), not another catalogue item
        shortened = any(a.startswith((title + " ", title + ":")) for a in allowed_titles)
        if title not in allowed_titles and not shortened:
            named = text[start:end].rstrip(".:")
            problems.append(f"names '{named}', which is neither the item nor in its evidence")
        rest = rest[:start] + " " * (end - start) + rest[end:]
    return problems, rest


def _blank_mentions(rest: str, mentions: set[str], fill: str = " ") -> str:
    """`rest` with every mention of the item or its evidence (any case) blanked out (`fill`),
    longest first."""
    for form in sorted(mentions, key=len, reverse=True):
        rest = re.sub(
            rf"(?<!\w){re.escape(form)}(?!\w)",
            lambda m: fill * len(m.group()),
            rest,
            flags=re.IGNORECASE,
        )
    return rest


def _unsaid_title_years(text: str, mentions: set[str]) -> list[str]:
    """A year in brackets ("(1994)") that does not follow a mention of the item or its evidence:
    a title-like name the catalogue may not know, still not the item's."""
    problems = []
    said_forms = {" ".join(WORD.findall(form)) for form in mentions}
    for match in _TITLE_YEAR.finditer(text):
        before = " ".join(
            WORD.findall(
                text[max(0, match.start() - 200) : match.start()].lower().replace("*", " ")
            )
        )
        if not any(before.endswith(form) for form in said_forms if form):
            problems.append(
                f"names a title with the year {match.group(1)} that is neither the item nor in "
                "its evidence"
            )
    return problems


@cache
def _listed(name: str) -> tuple[str, ...]:
    """The lines of `data/<name>.txt` (comments and blanks left out), read on first use."""
    path = resources.files("recassist.grounding").joinpath(f"data/{name}.txt")
    text = path.read_text(encoding="utf-8")
    return tuple(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


def _origins() -> frozenset[str]:
    """Words that claim a film's country or language (`data/origins.txt`)."""
    return frozenset(_listed("origins"))


@cache
def _plot_cue() -> re.Pattern[str]:
    """A plot cue (`data/plot_cues.txt`) and the words after it."""
    cues = "|".join(re.escape(c).replace(r"\ ", r"\s+") for c in _listed("plot_cues"))
    return re.compile(rf"\b(?:{cues})\b(?=(\s+(?:§+|[\w'’]+)(?:\W+[\w'’]+){{0,2}}))", re.I)


def _plot_claims(rest: str, said: str) -> list[str]:
    """Claims about the film's story, people or setting (`_plot_cue`) whose first word after the
    cue (articles and such left out, `data/plot_skip.txt`) is in neither the titles, tags and
    evidence `said` nor a title (marked "§" in `rest`): "a tale of a vampire's quest for revenge".
    The data carries no plot."""
    known, skip = set(re.findall(r"[\w]+", said)), set(_listed("plot_skip"))
    problems = []
    for match in _plot_cue().finditer(rest):
        if match.group(1).lstrip().startswith("§"):  # "the story of Alien": a title follows
            continue
        words = [w for w in re.findall(r"[\w]+", match.group(1).lower()) if w not in skip]
        if words and words[0].isalpha() and words[0] not in known:
            claim = " ".join(f"{match.group(0)}{match.group(1)}".split())
            problems.append(f"says '{claim}', a plot its evidence does not carry")
    return problems


def _stricter(
    text: str, rest: str, item: Item, reasons: Sequence[Reason], spans: list[tuple[int, int, str]]
) -> list[str]:
    """The stricter claims: a country or language the data does not carry ("a comedy with a British
    twist"), a request the user did not make ("Psycho, which you asked about"), a count that is not
    the evidence's ("41 people who liked ...") nor a number of the item's own title, a length in
    minutes that is not the item's own ("80 minutes long")."""
    problems = []
    said = " ".join([item.title, *(r.label for r in reasons)]).lower()
    for word in WORD.findall(rest.lower()):
        if word.strip(".:,;!?") in _origins() and word.strip(".:,;!?") not in said:
            problems.append(f"says '{word}', a country or language its data does not carry")
    asked = {
        form
        for r in reasons
        if r.kind == "requested" and r.item is not None
        for form in _title_forms(r.item.title)
    }
    if _ASKED.search(rest) and not any(
        r.kind in ("requested", "described", "concept", "synopsis") for r in reasons
    ):
        problems.append("says you asked for something, which its evidence does not")
    for start, end, title in spans:
        near = text[max(0, start - 40) : start] + "|" + text[end : end + 40]
        if _ASKED_NEAR.search(near) and title not in asked:
            problems.append(f"says you asked about '{text[start:end]}', which you did not")
    counts = {str(r.count) for r in reasons if r.count is not None}
    counts |= {
        n for r in reasons if r.kind == "neighbour_user" for n in re.findall(r"\d+", r.label)
    }
    counts |= set(re.findall(r"\d+", item.title))  # "20,000 Leagues Under the Sea": its name
    lengths = set(_MINUTES.findall(rest))  # "80 minutes": the film's own length, or unsaid
    own = {str(item.minutes)} if item.minutes is not None else set()
    problems += [f"states a length of {n} minutes, which is not the film's" for n in lengths - own]
    stated = {n for n in _COUNT.findall(rest) if not _YEAR.fullmatch(n)} - lengths  # years: above
    for number in stated - counts:
        problems.append(f"states the number {number}, which its evidence does not have")
    return problems


def _uncounted(text: str, strongest: Reason) -> list[str]:
    """The strongest evidence's count ("118 people who liked ...") when `text` does not state it:
    the count is what makes that evidence specific."""
    if strongest.count in (None, 1) or str(strongest.count) in _COUNT.findall(text):
        return []  # one in common is said as "a cast member", "one of the cast"
    return [
        f"leaves out the count {strongest.count} of its strongest evidence ({strongest.spoken})"
    ]


def _cites(text: str, reason: Reason) -> bool:
    """Whether `text` mentions `reason` in a recognisable way."""
    lowered = " ".join(text.lower().replace("*", " ").split())

    def said(phrase: str) -> bool:
        return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", lowered) is not None

    if reason.item is not None:
        titled = any(said(form) for form in _mention_forms(reason.item.title))
        return titled or any(said(name.lower()) for name in reason.people)
    if reason.kind == "followed_user":
        return said(reason.label.lower())
    if reason.kind == "neighbour_user":
        count = re.match(r"\d+", reason.label)
        return said(count.group()) if count else said("users")
    if reason.kind == "popular":
        return "popular" in lowered
    words = re.findall(r"\w{4,}", reason.label.lower())
    return any(said(w) for w in [*words, "asked", "described"])
