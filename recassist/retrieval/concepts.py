"""Concepts: what a film is, from an item knowledge graph, for requests in people's own words.

A catalogue of titles and genres cannot answer "clever heist movies" or "a courtroom drama": no
title or genre says heist or courtroom. RecBole's Freebase graph does, as ids: each linked film has
`film.film.genre` entities far finer than MovieLens's 19 genres (heist film, courtroom drama, road
movie, costume drama, political satire), `film.film.subjects` (World War II, the Mafia, basketball),
and `film.film.country` and `.language`. The graph names none of them; `data/names/freebase.toml`
does, for the entities whose member films make them plain (`data.knowledge.entity_names`).

A message matches a concept in one of two ways:
- by its words: every word of one of the concept's phrases is in one clause of the message ("a
  heist" → heist film), or one of its single words is ("courtroom"), compared without plural
  endings, so "heists" and "comedies" match too;
- by meaning, for a clause of two content words or more that no concept's words matched: the
  concept nearest the clause in the embedder's space, when near enough ("robbery of a casino" →
  heist film); one word alone is too little to go on ("family" is no family film).
Clauses are cut at the `separators` of the names file and at punctuation. A match scores 1 by words
and its cosine similarity by meaning; an item's score sums its matched concepts' scores, each
weighted up to 1 by specificity (a genre of 23 films says more than Drama's 878) and concepts
matched by the same words counted once ("heartwarming" names three kinds of film), with the item's
popularity as a small tie-break. So an item that is all the message asked for (British and a
comedy) comes before one that is a part of it, and the best-known of those first. A concept with a
`tag` in the names file also holds the films the catalogue gives that genre, since the graph does
not link every film. Famous people (`data/names/people.toml`) are concepts too ("directed by Alfred
Hitchcock"), matched by their words or, misspelt, by spelling (`ConceptIndex.person`), never by
meaning: "john wayne" is not John Travolta; so are the people Wikidata credits (`data.film_people`).
TMDb's keywords are concepts of their own kind (`keyword`: 'tagged "hitman" on TMDb'), matched by
words only, for words no graph concept used. `retrieval.concept_graph` builds the index.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

import numpy as np
from rapidfuzz import fuzz, process

from recassist.retrieval.concept_values import KEYWORD, PEOPLE, Concept, ConceptMatch
from recassist.retrieval.wording import (
    at,
    singular,
    spelt_alike,
    tokens,
    word_forms,
)

Encode = Callable[[Sequence[str]], np.ndarray]
# a keyword counts less than a graph concept: the graph's are named and checked by hand, a keyword
# is anyone's word ("a robbery of a casino" is a heist film first, then films tagged "casino")
KEYWORD_WEIGHT = 0.8
_WORD = re.compile(r"\w+(?:['’-]\w+)*")  # a word of a message, as the translations are keyed
SHARE_FLOOR = 0.6  # the weight of a member that the one kind asked for is least of
PERSON_SPELLING = 80.0  # rapidfuzz ratio at which a misspelt name is a famous person's
ONE_WORD_SPELLING = 85.0  # the same for one misspelt word among others ("hitchcok thrillers")


def _beyond(found: list[ConceptMatch], graph: list[ConceptMatch]) -> list[ConceptMatch]:
    """The keyword matches among `found` with a word that no `graph` match was named by: "spy" is
    the graph's spy film, while "vampire", only a word the graph's gothic horror goes with (its
    Frankenstein too), also brings TMDb's vampire films."""
    said = {w for m in graph for p in m.concept.phrases if set(p) <= set(m.said.split()) for w in p}
    return [m for m in found if m.concept.kind == KEYWORD and set(m.said.split()) - said]


class ConceptIndex:
    """The named concepts of one catalogue, matched against messages."""

    def __init__(
        self,
        concepts: Sequence[Concept],
        language: Mapping[str, Sequence[str]],
        popularity: Mapping[str, float],
        encode: Encode | None = None,
        min_similarity: float = 0.62,
        popularity_weight: float = 0.3,
    ) -> None:
        self.concepts, self.encode, self.min_similarity = list(concepts), encode, min_similarity
        self.popularity = dict(popularity)  # item id -> 0-1, the tie-break among equal matches
        # 0.3 on the two sets of descriptive requests: 0.1 ranks a film few know that is two of
        # the asked kinds above a loved one that is one; mean ratings as well did worse there
        self.popularity_weight = popularity_weight
        self.generic = {singular(w) for w in language.get("generic", ())}
        self._separators = {w.lower() for w in language.get("separators", ())}
        self._negations = {w.lower() for w in language.get("negations", ())}
        self._negations |= {w.lower() for w in language.get("about_me", ())}
        # "nothing too violent": the words of each quality and the entities with most of it
        self.milder: list[Mapping] = list(language.get("milder", ()))
        self._by_item: dict[str, list[Concept]] = {}
        for concept in self.concepts:
            for item_id in concept.members:
                self._by_item.setdefault(item_id, []).append(concept)
        # names that hold a separator ("black and white") are read whole, not cut at it
        self._whole = {
            tuple(tokens(name))
            for c in self.concepts
            for name in c.names
            if set(tokens(name)) & self._separators
        }
        # words written apart that are one word ("feel good" is "feelgood")
        self._joined = {tuple(tokens(pair)) for pair in language.get("joined", ())}
        # other languages' words for the names ("vampiros": "vampire"), up to five words each
        foreign: Mapping[str, str] = language.get("translations", {})  # type: ignore[assignment]
        self._english = {k.lower(): v for k, v in foreign.items()}
        self._longest = max((len(k.split()) for k in self._english), default=0)
        # the famous by each of their names, made once: a misspelling is matched against them
        self._people = [c for c in self.concepts if c.kind in PEOPLE]
        self._person_names: dict[str, Concept] = {}  # the first of a name's roles: the table's
        for person in self._people:
            for name in person.names:
                self._person_names.setdefault(name.lower(), person)
        self._one_word = {n: c for n, c in self._person_names.items() if " " not in n}
        # matched by meaning: kinds of film, never people ("john wayne" is not John Travolta), nor
        # TMDb's keywords, single words that a clause's meaning is near by chance
        kinds = [c for c in self.concepts if c.kind not in (*PEOPLE, KEYWORD)]
        self._texts = [name for c in kinds for name in c.names]
        self._owners = [c for c in kinds for _ in c.names]
        self._vectors: np.ndarray | None = None
        self._near: dict[str, np.ndarray] = {}  # a clause's similarity to every name

    def of_item(self, item_id: str) -> list[Concept]:
        """The item's named concepts, the most specific first."""
        return sorted(self._by_item.get(item_id, []), key=lambda c: -c.specificity)

    def match(self, text: str) -> list[ConceptMatch]:
        """The concepts `text` asks for, best first: by its words, then by the meaning of each
        clause that no graph concept's words matched. TMDb's keywords only add what the graph's
        concepts did not say: "a robbery of a casino" is a heist film by meaning, and about a
        casino; "british comedies" is the graph's two kinds, not also keyword "british"."""
        best: dict[str, ConceptMatch] = {}
        for clause in self._clauses(text):
            found = [m for m in (self._by_words(c, set(clause)) for c in self.concepts) if m]
            found += self._by_spelling(clause, found)
            graph = [m for m in found if m.concept.kind != KEYWORD]
            if not graph and sum(w not in self.generic for w in clause) >= 2:
                graph = self._by_meaning(" ".join(clause))
            found = [*graph, *_beyond(found, graph)]
            for match in found:  # a concept said twice keeps its best score and all its words
                kept = best.get(match.concept.entity, match)
                words = " ".join(dict.fromkeys(f"{kept.said} {match.said}".split()))
                score = max(kept.score, match.score)
                best[match.concept.entity] = ConceptMatch(match.concept, score, words)
        keyword = lambda m: m.concept.kind == KEYWORD  # noqa: E731  (the graph's first)
        return sorted(best.values(), key=lambda m: (-m.score, keyword(m), -m.concept.specificity))

    @staticmethod
    def _by_words(concept: Concept, said: set[str]) -> ConceptMatch | None:
        """`concept` matched by all the words of a phrase of it or its own words, and by which."""
        words = {w for p in concept.phrases if p and set(p) <= said for w in p}
        words |= concept.words & said
        return ConceptMatch(concept, 1.0, " ".join(sorted(words))) if words else None

    def _by_spelling(self, clause: list[str], found: list[ConceptMatch]) -> list[ConceptMatch]:
        """Famous people a clause names by a misspelt one-word name ("hitchcok thrillers"): a
        word of six letters or more that no match used, at rapidfuzz ratio `ONE_WORD_SPELLING`
        or more to exactly one person's one-word name ("walker" is not Walken)."""
        used = {w for m in found for w in m.said.split()}
        out = []
        for word in clause:
            if len(word) < 6 or word in used or word in self.generic:
                continue
            near = [
                c for n, c in self._one_word.items() if fuzz.ratio(word, n) >= ONE_WORD_SPELLING
            ]
            if len({c.entity for c in near}) == 1:
                out.append(ConceptMatch(near[0], 1.0, word))
        return out

    def _by_meaning(self, clause: str) -> list[ConceptMatch]:
        """The concept nearest `clause` in the embedder's space, if near enough."""
        if self.encode is None or not self._texts:
            return []
        if self._vectors is None:
            self._vectors = self.encode(self._texts)
        if clause not in self._near:  # a turn asks twice: to match, then for what is left
            if len(self._near) > 512:
                self._near.clear()
            self._near[clause] = self.encode([clause])[0] @ self._vectors.T
        similarity = self._near[clause]
        col = int(np.argmax(similarity))
        if similarity[col] < self.min_similarity:
            return []
        return [ConceptMatch(self._owners[col], float(similarity[col]), clause)]

    def _clauses(self, text: str) -> list[list[str]]:
        """`text` as clauses of singular words, cut at separator words and punctuation; a clause
        after a negation ("nothing too violent") is left out, and a word of two joined by a hyphen
        also counts whole ("sci-fi" is "sci", "fi" and "scifi")."""
        return [words for words, _ in self._spoken(text)]

    def _spoken(self, text: str) -> list[tuple[list[str], list[str]]]:
        """The clauses of `_clauses`, each with its words as the user wrote them (lower-cased), so
        that a reply quotes "lots of fight scenes", never "lot of fight scene"."""
        clauses: list[tuple[bool, list[str], list[str]]] = [(False, [], [])]
        written, inside = tokens(self._in_english(text)), 0
        for i, token in enumerate(written):
            whole = (len(w) for w in self._whole if at(written, i, w))
            inside = max(inside, max(whole, default=0))
            inside -= 1
            if inside < 0 and (token in self._separators or not token[0].isalnum()):
                negated, words, _ = clauses[-1]  # "nothing with gangsters": the negation carries on
                clauses.append((token in self._negations or (negated and not words), [], []))
                continue
            said = clauses[-1][2]
            if said and i and (written[i - 1], token) in self._joined:  # "feel good": one word
                del clauses[-1][1][-len(word_forms(said[-1])) :]
                clauses[-1][1].append(singular(written[i - 1] + token))
                said[-1] = f"{said[-1]} {token}"
                continue
            clauses[-1][1].extend(word_forms(token))
            said.append(token)
        return [(words, said) for negated, words, said in clauses if words and not negated]

    def wanted(self, text: str) -> str:
        """What `text` describes: its clauses that are no negation, in English where the
        translations know a word, without generic words ("films": every film is one)."""
        clauses = [[w for w in s if singular(w) not in self.generic] for _, s in self._spoken(text)]
        return ", ".join(" ".join(words) for words in clauses if words)

    def unused_share(self, text: str, matches: Sequence[ConceptMatch]) -> float:
        """The share of the words `text` describes (`wanted`) that no match used: 0 for "space
        adventures with robots", most of "a thriller where the hero lost his memory"."""
        used = {w for m in matches for w in m.said.split()}
        words = self.wanted(text).replace(",", " ").split()
        unused = [w for w in words if not set(word_forms(w)) & used]
        return len(unused) / len(words) if words else 0.0

    def _in_english(self, text: str) -> str:
        """`text` with the other languages' words for the names in English ("una película de
        vampiros" reads "una película de vampire"), longest phrase first, so that they match as
        English words do."""
        if not self._english:
            return text
        words = list(_WORD.finditer(text))
        out, last, i = [], 0, 0
        while i < len(words):
            for n in range(min(self._longest, len(words) - i), 0, -1):
                said = " ".join(w.group(0).lower() for w in words[i : i + n])
                if said in self._english:
                    out += [text[last : words[i].start()], self._english[said]]
                    last, i = words[i + n - 1].end(), i + n
                    break
            else:
                i += 1
        return "".join([*out, text[last:]])

    def unmatched(self, text: str) -> list[str]:
        """The clauses of `text` that name no concept, by words or by meaning ("clint eastwood"
        in "any good westerns with clint eastwood"), as the user wrote them."""
        return [
            " ".join(said)
            for clause, said in self._spoken(text)
            if not any(self._by_words(c, set(clause)) for c in self.concepts)
            and not self._by_spelling(clause, [])
            and not (
                sum(w not in self.generic for w in clause) >= 2
                and self._by_meaning(" ".join(clause))
            )
        ]

    def unsaid(self, text: str, matches: Sequence[ConceptMatch], own: set[str]) -> list[str]:
        """The runs of `own` words (those the parser read as nothing) that no match used, in the
        clauses of `text` that named a concept: "oscar winning" in "oscar winning dramas" (not a
        generic word: "stories" in "true stories"), as the user wrote them, without the words at either end that are not `own` ("lisbonne" in "un
        film romantique qui se passe à lisbonne": the filler is no word left unused)."""
        used = {f for m in matches for w in m.said.split() for f in word_forms(w)} | self.generic
        unmatched = set(self.unmatched(text))
        out: list[str] = []
        for _, said in self._spoken(text):
            if " ".join(said) in unmatched:
                continue
            run: list[str] = []  # words no match used, from the first of `own` to the last
            for token in [*said, ""]:
                if token and not set(word_forms(token.replace(" ", ""))) & used:
                    run.append(token)
                    continue
                while run and not set(word_forms(run[-1])) & own:
                    run.pop()
                while run and not set(word_forms(run[0])) & own:
                    run.pop(0)
                if run:
                    out.append(" ".join(run))
                run = []
        return out

    def covers(self, text: str, matches: Sequence[ConceptMatch]) -> bool:
        """Whether every content word of `text` is a word that `matches` were matched by: "space
        adventures" or "robots" said nothing the concepts did not use."""
        used = {w for m in matches for w in m.said.split()}
        words = [w for clause in self._clauses(text) for w in clause if w not in self.generic]
        return bool(words) and all(w in used for w in words)

    def person(self, name: str) -> Concept | None:
        """The person `name` names: by its words, else by spelling ("hitchcok", "tom hanx":
        rapidfuzz ratio `PERSON_SPELLING` or more to one of a person's names, the nearest when
        clear of the next, and each word alike, `_spelt_alike`); None for anyone else."""
        said = {f for t in tokens(name) for f in word_forms(t)} - self.generic
        for concept in self._people:
            if self._by_words(concept, said):
                return concept
        names = self._person_names
        found = process.extract(name.lower(), list(names), scorer=fuzz.ratio, limit=2)
        if not found or found[0][1] < PERSON_SPELLING or not spelt_alike(name, found[0][0]):
            return None
        if len(found) > 1 and found[1][1] >= found[0][1] - 5:
            return None  # two people as near: no guess
        return names[found[0][0]]

    def best_for(self, item_id: str, matches: Sequence[ConceptMatch]) -> Concept | None:
        """The most specific of the matched concepts that the item has; a person first, in the
        role the message asked for (the surest match), else the role they have most films in
        ("comedies with jim carrey": Ace Ventura is a film with Jim Carrey, though he also wrote
        it; "directed by tarantino": Pulp Fiction is directed by him, though he also wrote it)."""
        own = [m for m in matches if item_id in m.concept.members]
        key = lambda m: (  # noqa: E731
            (1, m.score, len(m.concept.members))
            if m.concept.kind in PEOPLE
            else (0, 0.0, m.concept.specificity)
        )
        best = max(own, key=key, default=None)
        return None if best is None else best.concept

    def scores(self, matches: Sequence[ConceptMatch]) -> dict[str, float]:
        """Item id -> the summed scores of what it is of the request, plus a tie-break of at most
        `popularity_weight` by how well known the item is. Concepts of one kind matched by the
        same words count once, by the best of them that the item has: "heartwarming" says a
        family drama, a comedy drama or a family film, and a film that is all three is not three
        times as heartwarming as a sports film that is one. Kinds add up: "french films" says the
        country and the language, and a French film in French comes before Pulp Fiction, which
        has some French lines. A person's roles are one kind, each film of theirs as much theirs:
        "movies with tom hanks" are Forrest Gump before the one film he directed."""
        groups: dict[tuple[frozenset[str], str], dict[str, float]] = {}
        single = len({frozenset(m.said.split()) for m in matches}) == 1
        for match in matches:
            person = match.concept.kind in PEOPLE  # one person in every role, all their films
            specificity = 1.0 if person else match.concept.specificity
            weight = match.score * (0.6 + 0.4 * specificity)
            weight *= KEYWORD_WEIGHT if match.concept.kind == KEYWORD else 1.0
            kind = "person" if person else match.concept.kind
            best = groups.setdefault((frozenset(match.said.split()), kind), {})
            share = match.concept.share if single else {}
            for item_id in match.concept.members:
                part = weight * (SHARE_FLOOR + (1 - SHARE_FLOOR) * share.get(item_id, 1.0))
                best[item_id] = max(best.get(item_id, 0.0), part)
        out: dict[str, float] = {}
        for best in groups.values():
            for item_id, weight in best.items():
                out[item_id] = out.get(item_id, 0.0) + weight
        bonus = self.popularity_weight
        return {i: s + bonus * self.popularity.get(i, 0.0) for i, s in out.items()}
