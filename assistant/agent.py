"""The plan-first conversational agent: one chat turn = a typed plan, then tools in a fixed order.

1. plan: the LLM writes a `TurnRequest` under its JSON schema (constrained decoding), validated by
   pydantic; the deterministic parser reads the same message, and what it finds explicitly (a "why", an
   ordinal, "not horror") always holds. Without an LLM, or when it fails, the parser's request is used.
2. tools, as named LangChain runnables in this order: resolve seeds (catalogue search) -> generate
   candidates (fusion of the fitted generators for a known user; nearest items in Chroma to named or
   liked items and to the user's words) -> filter (tags, years, dislikes, items seen or shown) -> rank ->
   evidence -> explanations (streamed; checked for faithfulness, with the template as the last resort).

Recommended items are always catalogue items by id: text from the LLM never becomes a recommendation.
User messages and catalogue text reach the LLM only between data delimiters (`assistant.prompts.quote`).
One `Assistant` serves every session; all per-user state lives in the session's `SessionMemory`.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.runnables import RunnableLambda
from pydantic import ValidationError

from assistant.evidence import Item, Reason, base_title, reasons_from_evidence, template_explanation
from assistant.explain import Explainer, Explanation, Reset
from assistant.faithfulness import FaithfulnessChecker
from assistant.rerank import Candidate, Reranker, RerankConfig
from assistant.llm import LLM_ERRORS
from assistant.parser import parse
from assistant.prompts import load_prompt, quote
from assistant.request import Intent, TurnRequest, request_schema
from assistant.session import Constraints, SessionMemory
from assistant.tags import TagMatcher
from recassist.settings import AgentConfig
from retrieval.data.schema import TAG_SEPARATOR
from retrieval.data.store import Dataset
from retrieval.embedding import Embedder
from retrieval.serving import ServingModel
from retrieval.vector_store import VectorStore

log = logging.getLogger(__name__)



@dataclass
class Pick:
    item: Item
    score: float
    reasons: list[Reason]
    explanation: Explanation | None = None


@dataclass
class TurnResult:
    request: TurnRequest
    planner: str  # "llm" or "parser"
    message: str
    picks: list[Pick] = field(default_factory=list)


@dataclass
class _Turn:
    """What flows through the tool stages of one turn."""

    session: SessionMemory
    request: TurnRequest
    constraints: Constraints
    seeds: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    # (weight, item id -> score, reasons for an item of that list; None = the fusion's evidence)
    sources: list[tuple[float, dict[str, float], Callable[[str], list[Reason]] | None]] = field(default_factory=list)
    picks: list[Pick] = field(default_factory=list)


def normalise_title(title: str) -> str:
    """'Godfather, The (1972)' -> 'the godfather', punctuation dropped: the key titles are looked up by."""
    return " ".join(re.findall(r"[\w']+", base_title(title)))


class Assistant:
    def __init__(
        self,
        dataset: Dataset,
        store: VectorStore,
        embedder: Embedder,
        serving: ServingModel,
        model: BaseChatModel | None = None,
        config: AgentConfig | None = None,
        on_feedback: Callable[[SessionMemory, str, str], None] | None = None,
    ) -> None:
        self.config = config or AgentConfig()
        self.dataset, self.store, self.embedder, self.serving, self.model = dataset, store, embedder, serving, model
        self.on_feedback = on_feedback
        self.items: dict[str, Item] = {}
        years = dataset.items["year"] if "year" in dataset.items.columns else [None] * len(dataset.items)
        for item_id, title, tags, year in zip(
            dataset.items["item_id"], dataset.items["title"], dataset.items["tags"], years
        ):
            self.items[item_id] = Item(
                item_id, title, tuple(t for t in tags.split(TAG_SEPARATOR) if t),
                None if pd.isna(year) else int(year),
            )
        all_tags = sorted({t for item in self.items.values() for t in item.tags})
        self.tags = TagMatcher(all_tags)
        self._by_title: dict[str, str] = {}
        for item in self.items.values():
            self._by_title.setdefault(normalise_title(item.title), item.item_id)
        checker = FaithfulnessChecker([i.title for i in self.items.values()], all_tags)
        self.explainer = Explainer(model, checker) if model is not None and self.config.explain_with_llm else None
        self.reranker = (
            Reranker(model, RerankConfig(method=self.config.rerank_method, weight=self.config.rerank_weight))
            if model is not None and self.config.rerank_weight > 0 else None
        )
        self._plan_prompt = load_prompt("plan")
        self._history = dataset.interactions.groupby("user_id", sort=False)["item_id"].apply(list).to_dict()
        self.tools = (
            RunnableLambda(self._resolve_seeds, name="resolve_seeds")
            | RunnableLambda(self._generate, name="generate")
            | RunnableLambda(self._filter_and_rank, name="filter_and_rank")
            | RunnableLambda(self._rerank, name="rerank")
            | RunnableLambda(self._evidence, name="evidence")
        )

    # ------------------------------------------------------------------ sessions and planning

    def knows(self, user_id: str | None) -> bool:
        """Whether `user_id` (a pseudonym) has a history in the data set."""
        return user_id in self._history

    def history_of(self, user_id: str) -> list[str]:
        """The user's item ids in the data set's order."""
        return list(self._history.get(user_id, []))

    def new_session(self, user_id: str | None = None, tastes: str | None = None) -> SessionMemory:
        session = SessionMemory(user_id=user_id if user_id in self._history else None)
        if tastes:
            session.tastes.append(tastes[:500])
        return session

    def plan(self, session: SessionMemory, message: str) -> tuple[TurnRequest, str]:
        """The turn's request and who made it ("llm" or "parser")."""
        parsed = parse(message, self.tags)
        if self.model is None or not self.config.llm_planner:
            return parsed, "parser"
        shown = "; ".join(f"{i}. {quote(self.items[x].title, 80)}" for i, x in enumerate(session.last_shown, 1)) or "none"
        messages = self._plan_prompt.format_messages(
            tags=", ".join(self.tags.tags[:60]), shown=shown, message=quote(message, 500)
        )
        schema = {"type": "json_schema", "json_schema": {"name": "turn_request", "schema": request_schema()}}
        try:
            reply = self.model.invoke(messages, response_format=schema, max_tokens=200, temperature=0.0)
            planned = TurnRequest.model_validate(json.loads(reply.content))
        except (*LLM_ERRORS, ValidationError, json.JSONDecodeError, TypeError) as err:
            log.info("plan from the parser: the LLM's plan failed (%s)", type(err).__name__)
            return parsed, "parser"
        request = self._reconcile(planned, parsed)
        # A standing exclusion is lifted only by the user's own words, never by the model's reading.
        lifted = [t for t in request.include_tags if t in session.excluded and t not in parsed.include_tags]
        if lifted:
            request = request.model_copy(update={"include_tags": [t for t in request.include_tags if t not in lifted]})
        return request, "llm"

    def _reconcile(self, planned: TurnRequest, parsed: TurnRequest) -> TurnRequest:
        """The LLM's plan, with the explicit cues the parser found taking precedence."""
        explicit = (Intent.explain, Intent.feedback, Intent.more_like)
        intent = parsed.intent if parsed.intent in explicit or planned.intent in explicit else planned.intent
        if parsed.intent is Intent.refine and planned.intent is Intent.recommend and not planned.seed_titles:
            intent = Intent.refine
        canon = lambda tags: [c for t in tags if (c := self.tags.canonical(t))]  # noqa: E731
        # What the user said in so many words wins over the model's reading of it.
        exclude = list(dict.fromkeys(parsed.exclude_tags + [t for t in canon(planned.exclude_tags) if t not in parsed.include_tags]))
        include = [t for t in dict.fromkeys(parsed.include_tags or canon(planned.include_tags)) if t not in exclude]
        return TurnRequest(
            intent=intent,
            seed_titles=parsed.seed_titles or planned.seed_titles,
            refers_to=parsed.refers_to if parsed.refers_to is not None else planned.refers_to,
            include_tags=include,
            exclude_tags=exclude,
            year_min=parsed.year_min if parsed.year_min is not None else planned.year_min,
            year_max=parsed.year_max if parsed.year_max is not None else planned.year_max,
            mood=planned.mood or parsed.mood,
            feedback=parsed.feedback or planned.feedback if intent is Intent.feedback else None,
            **{"count": source.count for source in (planned, parsed) if "count" in source.model_fields_set},
        )

    # ------------------------------------------------------------------ the turn

    def turn(self, session: SessionMemory, message: str) -> TurnResult:
        """One whole turn without streaming."""
        result = None
        for kind, payload in self.stream(session, message):
            if kind == "done":
                result = payload
        assert result is not None
        return result

    def stream(self, session: SessionMemory, message: str) -> Iterator[tuple[str, object]]:
        """Events of one chat turn: ("plan", TurnRequest), then those of `stream_request`."""
        request, planner = self.plan(session, message)
        yield "plan", request
        yield from self.stream_request(session, request, planner)

    def stream_request(
        self, session: SessionMemory, request: TurnRequest, planner: str = "api", *, llm_explanations: bool = True
    ) -> Iterator[tuple[str, object]]:
        """Run the tools for a request: ("message", str), ("picks", [Pick]), then per pick ("token",
        (index, text)), ("reset", index), ("explanation", (index, Explanation)), and ("done", TurnResult).
        `llm_explanations=False` gives template explanations (instant, faithful by construction)."""
        if request.intent is Intent.feedback:
            yield from self._feedback(session, request, planner)
            return
        if request.intent is Intent.explain:
            yield from self._explain(session, request, planner, llm_explanations)
            return
        if request.intent is Intent.refine and session.last_request is not None:
            previous = session.last_request
            request = request.model_copy(update={
                "mood": request.mood or previous.mood,
                "count": request.count if "count" in request.model_fields_set else previous.count,
            })
        constraints = session.apply(request)
        state: _Turn = self.tools.invoke(_Turn(session, request, constraints))
        session.record_shown([p.item.item_id for p in state.picks])
        session.reasons = {p.item.item_id: p.reasons for p in state.picks}
        text = self._describe(request, constraints, state)
        yield "message", text
        yield "picks", state.picks
        for index, pick in enumerate(state.picks):
            pick.explanation = yield from self._explain_pick(index, pick, llm_explanations)
        yield "done", TurnResult(request, planner, text, state.picks)

    def explain_item(self, session: SessionMemory, item_id: str) -> list[Reason]:
        """The evidence for an item shown in this session (or freshly computed for a known user)."""
        if item_id in session.reasons:
            return session.reasons[item_id]
        return self._fusion_reasons(session, [item_id]).get(item_id, [])

    def record_feedback(self, session: SessionMemory, item_id: str, feedback: str) -> None:
        """Thumbs up / down or "not interested" from a card: the session changes at once; the app stores it."""
        if item_id not in self.items:
            return
        (session.like if feedback == "like" else session.dislike)(item_id)
        if self.on_feedback is not None:
            self.on_feedback(session, item_id, feedback)

    # ------------------------------------------------------------------ tools

    def find_title(self, title: str) -> str | None:
        """A catalogue item for a title as a user writes it: exact (normalised) match, then the nearest
        title in the vector store when it is close enough."""
        key = normalise_title(title)
        if not key:
            return None
        if key in self._by_title:
            return self._by_title[key]
        prefixed = [iid for norm, iid in self._by_title.items() if norm.startswith(key + " ")]
        if prefixed:
            return prefixed[0]
        hits = self.store.query("items", self.embedder.encode([title])[0], 1)
        return hits[0].id if hits and hits[0].distance < 0.3 else None

    def search(
        self, text: str, include: list[str], exclude: list[str], year_min: int | None, year_max: int | None, k: int
    ) -> list[Pick]:
        """Catalogue search: items nearest `text` within the filters (all matching items when no text)."""
        constraints = Constraints(frozenset(include), frozenset(exclude), year_min, year_max)
        if text.strip():
            hits = self.store.query("items", self.embedder.encode([text])[0], k, where=self._where(constraints))
            return [Pick(self.items[h.id], 1.0 - h.distance, []) for h in hits if h.id in self.items]
        matching = (item for item in self.items.values() if self._allowed(item, constraints))
        return [Pick(item, 0.0, []) for item in sorted(matching, key=lambda i: i.title)[:k]]

    def _resolve_seeds(self, state: _Turn) -> _Turn:
        """Named titles to catalogue items; "more like the second one" to that item; a refinement keeps
        the items the previous list was built around."""
        request, session = state.request, state.session
        seeds = [iid for t in request.seed_titles if (iid := self.find_title(t))]
        if request.intent is Intent.more_like and (target := session.resolve(request.refers_to)):
            seeds.append(target)
            session.focus = target
        if request.intent is Intent.refine and not seeds:
            seeds = list(session.seeds)
        state.seeds = session.seeds = list(dict.fromkeys(seeds))
        return state

    def _where(self, constraints: Constraints) -> dict | None:
        clauses: list[dict] = [{"tags": {"$not_contains": t}} for t in sorted(constraints.exclude_tags)]
        if constraints.year_min is not None:
            clauses.append({"year": {"$gte": constraints.year_min}})
        if constraints.year_max is not None:
            clauses.append({"year": {"$lte": constraints.year_max}})
        if len(constraints.include_tags) == 1:
            clauses.append({"tags": {"$contains": next(iter(constraints.include_tags))}})
        elif constraints.include_tags:
            clauses.append({"$or": [{"tags": {"$contains": t}} for t in sorted(constraints.include_tags)]})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def _nearest(self, vector: np.ndarray, constraints: Constraints, exclude: set[str]) -> dict[str, float]:
        hits = self.store.query("items", vector, self.config.depth, where=self._where(constraints), exclude=exclude)
        return {h.id: 1.0 - h.distance for h in hits}

    def _generate(self, state: _Turn) -> _Turn:
        session, request = state.session, state.request
        seen = set(self._history.get(session.user_id, [])) | set(state.seeds)
        lists = state.sources
        seeds = state.seeds or ([] if request.intent is Intent.search else session.likes[-5:])
        if seeds:
            vectors = self.store.vectors("items", seeds)
            if vectors:
                mean = np.mean([vectors[s] for s in seeds if s in vectors], axis=0)
                kind = "requested" if state.seeds else "history_item"  # named in the request, or liked earlier
                seed_reasons = [Reason(kind, self.items[s].title, self.items[s]) for s in seeds[:2]]
                lists.append((self.config.seed_weight, self._nearest(mean, state.constraints, seen), lambda _i: seed_reasons))
        words = " ".join(dict.fromkeys(w for w in (*session.tastes, request.mood) if w)).strip()
        if words and (request.intent is Intent.search or session.user_id is None or not seeds):
            vector = self.embedder.encode([words])[0]
            weight = self.config.text_weight if (seeds or session.user_id) else 1.0
            described = [Reason("described", quote(words, 80))]
            lists.append((weight, self._nearest(vector, state.constraints, seen), lambda _i: described))
        if session.user_id is not None and request.intent is not Intent.search:
            row = self.serving.data.users.rows([session.user_id])
            recs = self.serving.fusion.recommend(row, self.config.depth)
            ids = self.serving.data.items.ids(recs.items[0][recs.items[0] >= 0])
            scores = recs.scores[0][: len(ids)]
            lists.append((self.config.history_weight, dict(zip(map(str, ids), map(float, scores))), None))
        if not lists:  # a new user who said nothing yet: what is popular
            popular = self.serving.fusion.generators["popularity"].recommend(np.array([0]), self.config.depth, exclude_seen=False)
            ids = self.serving.data.items.ids(popular.items[0][popular.items[0] >= 0])
            lists.append((1.0, {str(i): float(s) for i, s in zip(ids, popular.scores[0])},
                          lambda _i: [Reason("popular", "it is popular with other users right now")]))
        for weight, scores, _ in lists:
            if not scores:
                continue
            values = np.array(list(scores.values()), dtype=np.float64)
            low, span = values.min(), values.max() - values.min()
            for item_id, score in scores.items():
                norm = (score - low) / span if span > 0 else 1.0
                state.scores[item_id] = state.scores.get(item_id, 0.0) + weight * norm
        return state

    def _allowed(self, item: Item, constraints: Constraints) -> bool:
        if constraints.exclude_tags & set(item.tags):
            return False
        if constraints.include_tags and not constraints.include_tags & set(item.tags):
            return False
        if constraints.year_min is not None and (item.year is None or item.year < constraints.year_min):
            return False
        if constraints.year_max is not None and (item.year is None or item.year > constraints.year_max):
            return False
        return True

    def _filter_and_rank(self, state: _Turn) -> _Turn:
        session = state.session
        blocked = set(session.dislikes) | set(session.shown) | set(self._history.get(session.user_id, [])) | set(state.seeds)
        ranked = sorted(
            (
                (score, item_id)
                for item_id, score in state.scores.items()
                if item_id in self.items and item_id not in blocked and self._allowed(self.items[item_id], state.constraints)
            ),
            key=lambda pair: (-pair[0], pair[1]),
        )
        # the reranker, when on, reorders a longer list than the one shown
        keep = max(state.request.count, self.reranker.config.max_candidates) if self.reranker else state.request.count
        state.picks = [Pick(self.items[i], s, []) for s, i in ranked[:keep]]
        return state

    def _rerank(self, state: _Turn) -> _Turn:
        """The LLM's reordering of the ranked list, blended with its scores; the list as ranked when off."""
        if self.reranker is not None and len(state.picks) > 1:
            session = state.session
            history = [*reversed(session.likes), *reversed(self._history.get(session.user_id, []))]
            titles = [self.items[i].title for i in dict.fromkeys(history) if i in self.items]
            candidates = [Candidate(p.item.item_id, p.item.title, p.score, ", ".join(p.item.tags)) for p in state.picks]
            by_id = {p.item.item_id: p for p in state.picks}
            state.picks = [by_id[i] for i in self.reranker.rerank(titles, candidates).item_ids]
        state.picks = state.picks[: state.request.count]
        return state

    def _fusion_reasons(self, session: SessionMemory, item_ids: list[str]) -> dict[str, list[Reason]]:
        if session.user_id is None or not item_ids:
            return {}
        data = self.serving.data
        user_row = int(data.users.rows([session.user_id])[0])
        rows = data.items.rows(item_ids)
        evidence = self.serving.fusion.evidence(user_row, rows)
        by_item: dict[str, list] = {}
        for ev in evidence:
            by_item.setdefault(str(data.items.id(ev.item)), []).append(ev)
        return {iid: reasons_from_evidence(evs, self.items) for iid, evs in by_item.items()}

    def _evidence(self, state: _Turn) -> _Turn:
        picks = state.picks
        fusion_reasons = self._fusion_reasons(state.session, [p.item.item_id for p in picks])
        for pick in picks:
            reasons: list[Reason] = []
            for _, scores, explain in state.sources:
                if pick.item.item_id in scores:
                    reasons += explain(pick.item.item_id) if explain else fusion_reasons.get(pick.item.item_id, [])
            pick.reasons = list(dict.fromkeys(reasons))[:3]
        return state

    # ------------------------------------------------------------------ explanations and other intents

    def _explain_pick(self, index: int, pick: Pick, llm: bool = True) -> Iterator[tuple[str, object]]:
        if self.explainer is None or not llm:
            text = template_explanation(pick.item, pick.reasons)
            yield "token", (index, text)
            explanation = Explanation(text, "template")
        else:
            explanation = None
            for event in self.explainer.stream(pick.item, pick.reasons):
                if isinstance(event, Explanation):
                    explanation = event
                elif isinstance(event, Reset):
                    yield "reset", index
                else:
                    yield "token", (index, event)
            assert explanation is not None
        yield "explanation", (index, explanation)
        return explanation

    def _explain(
        self, session: SessionMemory, request: TurnRequest, planner: str, llm: bool = True
    ) -> Iterator[tuple[str, object]]:
        target = session.resolve(request.refers_to)
        if target is None and request.seed_titles:
            target = self.find_title(request.seed_titles[0])
        if target is None:
            text = "Ask me for some recommendations first, then ask why about any of them."
            yield "message", text
            yield "done", TurnResult(request, planner, text)
            return
        session.focus = target
        pick = Pick(self.items[target], 0.0, self.explain_item(session, target))
        evidence = "; ".join(r.label for r in pick.reasons) or "your history as a whole"
        text = f"Why {pick.item.title}? The evidence: {evidence}."
        yield "message", text
        yield "picks", [pick]
        pick.explanation = yield from self._explain_pick(0, pick, llm)
        yield "done", TurnResult(request, planner, text, [pick])

    def _feedback(self, session: SessionMemory, request: TurnRequest, planner: str) -> Iterator[tuple[str, object]]:
        target = session.resolve(request.refers_to)
        if request.refers_to is None and request.seed_titles:
            target = self.find_title(request.seed_titles[0]) or target
        if target is None:
            text = "Which item do you mean? Say for example 'I liked the second one'."
        else:
            self.record_feedback(session, target, request.feedback or "like")
            title = self.items[target].title
            text = (f"Noted: you liked {title}. I'll look for more like it." if request.feedback == "like"
                    else f"Noted: not {title}. I won't show it again.")
        yield "message", text
        yield "done", TurnResult(request, planner, text)

    def _describe(self, request: TurnRequest, constraints: Constraints, state: _Turn) -> str:
        if not state.picks:
            return "I found nothing in the catalogue that fits all of that. Try loosening a constraint."
        parts = [f"Here {'is' if len(state.picks) == 1 else 'are'} {len(state.picks)} pick{'s' if len(state.picks) != 1 else ''}"]
        if state.seeds:
            parts.append("like " + " and ".join(self.items[s].title for s in state.seeds[:2]))
        if constraints.include_tags:
            parts.append("tagged " + " or ".join(sorted(constraints.include_tags)))
        if constraints.exclude_tags:
            parts.append("with no " + ", ".join(sorted(constraints.exclude_tags)))
        if constraints.year_min is not None or constraints.year_max is not None:
            parts.append(f"from {constraints.year_min or '…'} to {constraints.year_max or '…'}")
        return ", ".join(parts) + ":"
