"""The LLM in the reranker slot: LlamaRec-style verbalizer scores and pointwise Yes/No scores,
blended with the candidate (fusion) score.

- Verbalizer: the candidates are lettered A, B, C ... in one prompt after the user's history; one
  forward pass (`max_tokens=1`, `logprobs`) gives the next-token log-probability of every letter,
  and the letters' probabilities (renormalised over the candidates) are the scores. Item ids never
  enter the prompt: the letters map back to ids here.
- Pointwise: one request per candidate, score = log P(Yes) - log P(No). The history comes first and
  is the same for every candidate, so llama.cpp reuses its cached prefix and only the candidate is
  new.

`Reranker.rerank` blends `(1 - weight) * fusion + weight * llm`, each min-max scaled over the list.
With `weight == 0` the model is not called. On an LLM error (`assistant.llm.LLM_ERRORS`) the list
keeps its retrieval order and the result says the LLM was not used. A first measurement found no
gain at the 0.5B/1.5B size zero-shot, so the default weight is 0 until `recassist eval --rerank`
shows otherwise.
"""

from __future__ import annotations

import logging
import string
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from langchain_core.language_models.chat_models import BaseChatModel
from pydantic import BaseModel, ConfigDict, Field, PositiveInt

from recassist.llm.backend import LLM_ERRORS, next_token_logprobs
from recassist.llm.prompts import load_prompt, quote

log = logging.getLogger(__name__)

LETTERS = string.ascii_uppercase


class RerankConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    method: Literal["verbalizer", "pointwise"] = "verbalizer"
    weight: float = Field(
        default=0.0, ge=0, le=1, description="LLM share of the blended score; 0 = retrieval only"
    )
    max_candidates: PositiveInt = Field(default=20, le=len(LETTERS))
    max_history: PositiveInt = 15
    top_logprobs: PositiveInt = Field(default=40, description="20 at most for OpenAI's own API")


@dataclass(frozen=True)
class Candidate:
    """A candidate item as the reranker sees it: its id (kept out of the prompt), display text and
    the candidate generator's (fusion) score."""

    item_id: str
    title: str
    score: float
    tags: str = ""


@dataclass(frozen=True)
class Reranked:
    """Item ids best first, their blended scores, the raw LLM scores (in input order; None when the
    LLM was not used) and the seconds spent in the model."""

    item_ids: list[str]
    scores: np.ndarray
    llm_scores: np.ndarray | None
    llm_s: float


def _minmax(values: np.ndarray) -> np.ndarray:
    spread = values.max() - values.min()
    return (values - values.min()) / spread if spread > 0 else np.zeros_like(values)


def _history_text(history: Sequence[str], limit: int) -> str:
    return "\n".join(f"- {quote(title)}" for title in list(history)[:limit]) or "- (no history)"


def _candidate_text(candidate: Candidate) -> str:
    return quote(f"{candidate.title} ({candidate.tags})" if candidate.tags else candidate.title)


class Reranker:
    """Scores a short candidate list for one user with a chat model; see the module docstring."""

    def __init__(self, model: BaseChatModel, config: RerankConfig | None = None) -> None:
        self.model = model
        self.config = config or RerankConfig()
        self._letters = load_prompt("rerank_letters")
        self._yes_no = load_prompt("rerank_yes_no")

    def verbalizer_scores(
        self, history: Sequence[str], candidates: Sequence[Candidate]
    ) -> np.ndarray:
        """Each candidate's probability (renormalised over the letters shown) from one forward pass.

        A letter outside the returned top log-probabilities gets the lowest one seen, minus one nat.
        """
        shown = list(candidates)[: self.config.max_candidates]
        lines = "\n".join(f"{LETTERS[i]}. {_candidate_text(c)}" for i, c in enumerate(shown))
        messages = self._letters.format_messages(
            history=_history_text(history, self.config.max_history), candidates=lines
        )
        reply = self.model.invoke(
            messages,
            max_tokens=1,
            temperature=0.0,
            logprobs=True,
            top_logprobs=self.config.top_logprobs,
        )
        logprobs = next_token_logprobs(reply)
        floor = min(logprobs.values()) - 1.0
        raw = np.array(
            [logprobs.get(LETTERS[i], floor) for i in range(len(shown))], dtype=np.float64
        )
        probs = np.exp(raw - raw.max())
        return probs / probs.sum()

    def pointwise_scores(
        self, history: Sequence[str], candidates: Sequence[Candidate]
    ) -> np.ndarray:
        """log P(Yes) - log P(No) per candidate, one request each (the history prefix is cached)."""
        history_text = _history_text(history, self.config.max_history)
        scores = []
        for candidate in candidates:
            messages = self._yes_no.format_messages(
                history=history_text, candidate=_candidate_text(candidate)
            )
            reply = self.model.invoke(
                messages,
                max_tokens=1,
                temperature=0.0,
                logprobs=True,
                top_logprobs=self.config.top_logprobs,
            )
            logprobs = next_token_logprobs(reply)
            floor = min(logprobs.values()) - 1.0
            scores.append(logprobs.get("Yes", floor) - logprobs.get("No", floor))
        return np.array(scores, dtype=np.float64)

    def llm_scores(self, history: Sequence[str], candidates: Sequence[Candidate]) -> np.ndarray:
        if self.config.method == "verbalizer":
            return self.verbalizer_scores(history, candidates)
        return self.pointwise_scores(history, candidates)

    def rerank(
        self, history: Sequence[str], candidates: Sequence[Candidate], weight: float | None = None
    ) -> Reranked:
        """The candidates reordered by the blended score (`weight` overrides the config's).

        Only the first `max_candidates` are scored by the LLM; the rest keep their order after them.
        """
        weight = self.config.weight if weight is None else weight
        head = list(candidates)[: self.config.max_candidates]
        tail = list(candidates)[self.config.max_candidates :]
        fusion = np.array([c.score for c in head], dtype=np.float64)
        llm, llm_s = None, 0.0
        if weight > 0 and len(head) > 1:
            start = time.perf_counter()
            try:
                llm = self.llm_scores(history, head)
            except LLM_ERRORS as err:
                log.warning("LLM rerank failed, keeping retrieval order: %s", err)
            llm_s = time.perf_counter() - start
        blended = blend(fusion, llm, weight)
        order = np.argsort(-blended, kind="stable")
        ids = [head[i].item_id for i in order] + [c.item_id for c in tail]
        return Reranked(ids, blended[order], llm, llm_s)


def blend(fusion: np.ndarray, llm: np.ndarray | None, weight: float) -> np.ndarray:
    """`(1 - weight) * fusion + weight * llm`, each min-max scaled over the list; fusion alone
    without `llm`.

    Weight tuning calls this on stored LLM scores, so a weight grid costs no model calls."""
    fusion = _minmax(np.asarray(fusion, np.float64))
    if llm is None:
        return fusion
    return (1 - weight) * fusion + weight * _minmax(np.asarray(llm, np.float64))
