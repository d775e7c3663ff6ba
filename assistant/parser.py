"""The deterministic reading of a chat turn: the fallback when the LLM's plan fails, and the safety net
for what a user says explicitly ("not horror" must never be lost, whatever the LLM made of it).
"""

from __future__ import annotations

import re

from assistant.request import Intent, TurnRequest
from assistant.tags import TagMatcher

_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5,
    "5th": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "last": -1,
}
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
            "ten": 10, "a couple": 2, "a few": 3}
_ORDINAL = re.compile(r"\b(?:the\s+)?(" + "|".join(_ORDINALS) + r")\b(?:\s+(?:one|movie|film|item|pick))?|(?:#|number\s+|no\.\s*)(\d{1,2})\b", re.I)
_COUNT = re.compile(r"\b(\d{1,2}|" + "|".join(_NUMBERS) + r")\s+(?:more\s+)?(?:[\w'-]+\s+){0,2}?(?:movies|films|items|recommendations|picks|suggestions|titles|ones|things)\b|\b(?:top|give me|show me|recommend|suggest|need|want)\s+(\d{1,2}|" + "|".join(_NUMBERS) + r")\b(?!\s*(?:st|nd|rd|th)\b)", re.I)
_DECADE = re.compile(r"\b(?:the\s+)?(?:(19|20)?(\d)0)'?s\b")
_BEFORE = re.compile(r"\b(?:before|older than|earlier than|pre)[\s-]+(\d{4})\b", re.I)
_AFTER = re.compile(r"\b(?:after|since|newer than|later than|post)[\s-]+(\d{4})\b", re.I)
_IN_YEAR = re.compile(r"\b(?:in|from)\s+(\d{4})\b", re.I)
_QUOTED = re.compile(r"[\"“']([^\"”']{2,80})[\"”']")
_LIKE = re.compile(r"\b(?:like|similar to|such as|as good as|in the vein of|reminds? me of)\s+(.+?)(?=\s+(?:but|and|with|without|only|except|though|that|from|in the|not)\b|[,.;!?]|$)", re.I)
_WHY = re.compile(r"\bwhy\b|\bexplain\b|\bwhat makes\b|\bhow come\b", re.I)
_MORE_LIKE = re.compile(r"\bmore\s+(?:like|of)\s+(?:the\s+|that|this|it)", re.I)
_LIKE_FEEDBACK = re.compile(r"\bi\s+(?:really\s+)?(?:loved?|liked?|enjoyed|adore[d]?)\b|\bthumbs up\b|\bgreat pick\b", re.I)
_DISLIKE_FEEDBACK = re.compile(r"\bnot interested\b|\bi\s+(?:hated?|disliked?|didn'?t like|don'?t like)\b|\bthumbs down\b|\bseen it\b|\bno thanks\b", re.I)
_SEARCH = re.compile(r"^\s*(?:find|search|look up|look for|show me (?:movies|films|items) (?:about|with))\b", re.I)
_THAT_ONE = re.compile(r"\b(?:that|this|it)(?:\s+one)?\b", re.I)
_ADULT = re.compile(r"\bfor (?:adults|grown[- ]ups)\b|\bgrown[- ]up\b|\bnot for kids\b|\bmature\b", re.I)
_ASK = re.compile(r"\b(?:recommend|suggest|something|anything|give me|show me|want|looking for|in the mood)\b", re.I)


def _ordinal(text: str) -> int | None:
    match = _ORDINAL.search(text)
    if not match:
        return None
    return _ORDINALS[match.group(1).lower()] if match.group(1) else int(match.group(2))


def parse(message: str, tags: TagMatcher) -> TurnRequest:
    """A `TurnRequest` from the words alone. `refers_to` -1 means the last item of the last list."""
    text = message.strip()
    seeds = [m.group(1).strip() for m in _QUOTED.finditer(text)]
    seed_spans = [m.span(1) for m in _QUOTED.finditer(text)]
    if not seeds:
        for match in _LIKE.finditer(text):
            candidate = match.group(1).strip()
            if candidate and not _ORDINAL.fullmatch(candidate) and not _THAT_ONE.fullmatch(candidate):
                if not tags.canonical(candidate) and candidate.lower() not in ("this", "that", "it", "them"):
                    seeds.append(candidate)
                    seed_spans.append(match.span(1))
    mentions = tags.mentions(text, skip=seed_spans)
    include = list(dict.fromkeys(m.tag for m in mentions if not m.negated))
    exclude = list(dict.fromkeys(m.tag for m in mentions if m.negated))
    if _ADULT.search(text) and (kids := tags.canonical("kids")):
        exclude.append(kids)
    include = [t for t in include if t not in exclude]

    year_min = year_max = None
    if decade := _DECADE.search(text):
        century = decade.group(1) or ("20" if decade.group(2) in "012" else "19")
        year_min = int(f"{century}{decade.group(2)}0")
        year_max = year_min + 9
    if before := _BEFORE.search(text):
        year_max = int(before.group(1)) - 1
    if after := _AFTER.search(text):
        year_min = int(after.group(1)) + 1
    if not (decade or before or after) and (single := _IN_YEAR.search(text)):
        year_min = year_max = int(single.group(1))

    count: dict[str, int] = {}  # only when the user gave one, so that a refinement can keep the last count
    if found := _COUNT.search(text):
        word = (found.group(1) or found.group(2)).lower()
        count["count"] = max(1, min(20, int(word) if word.isdigit() else _NUMBERS[word]))

    refers_to = _ordinal(text)
    feedback = None
    if _WHY.search(text):
        intent = Intent.explain
    elif _MORE_LIKE.search(text) and (refers_to is not None or _THAT_ONE.search(text)):
        intent = Intent.more_like
    elif _DISLIKE_FEEDBACK.search(text) and (refers_to is not None or _THAT_ONE.search(text) or seeds):
        intent, feedback = Intent.feedback, "dislike"
    elif _LIKE_FEEDBACK.search(text) and (refers_to is not None or _THAT_ONE.search(text) or seeds):
        intent, feedback = Intent.feedback, "like"
    elif _SEARCH.search(text):
        intent = Intent.search
    elif not seeds and not _ASK.search(text) and (include or exclude or year_min or year_max):
        intent = Intent.refine
    else:
        intent = Intent.recommend
    mood = text if intent in (Intent.recommend, Intent.search) else None
    return TurnRequest(
        intent=intent,
        seed_titles=seeds[:5],
        refers_to=None if refers_to is None or refers_to > 50 else refers_to,
        include_tags=include,
        exclude_tags=exclude,
        year_min=year_min,
        year_max=year_max,
        mood=mood[:200] if mood else None,
        feedback=feedback,
        **count,
    )
