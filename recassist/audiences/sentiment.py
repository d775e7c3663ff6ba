"""Sentiment of text interactions (reviews): a small classifier trained here, and an LLM scorer to
compare.

- `TextSentiment`: TF-IDF over words and word pairs + logistic regression (scikit-learn), trained on
  the data set's own reviews with stars as labels (4-5 positive, 1-2 negative, 3 left out). It
  scores every review in milliseconds; `docs/benchmarks.md` compares it with the LLM and it is the
  one the marketer features use.
- `LLMSentiment`: the local chat model's log-probability of "Yes" against "No" to "Is this review
  positive?", the review given as quoted data (identifiers scrubbed first).

Both return P(positive) in [0, 1]. `split` keeps a fixed, hashed share of reviews out of training,
so the AUC is measured on reviews the classifier never saw.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

import numpy as np

from recassist.data.scrub import scrub_identifiers
from recassist.llm.backend import LLM_ERRORS, next_token_logprobs
from recassist.llm.prompts import load_prompt, quote


def labels_from_stars(stars: np.ndarray) -> np.ndarray:
    """1 for 4-5 stars, 0 for 1-2, -1 (no label) for 3 or anything else."""
    out = np.full(len(stars), -1, dtype=np.int8)
    out[stars >= 4] = 1
    out[(stars >= 1) & (stars <= 2)] = 0
    return out


def held_out(keys: Sequence[str], share: float = 0.2) -> np.ndarray:
    """A stable pseudo-random test mask from each row's key (the same split in every run)."""
    return np.array(
        [int(hashlib.sha256(k.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < share for k in keys],
        dtype=bool,
    )


class TextSentiment:
    """TF-IDF + logistic regression; `fit` on texts with 0/1 labels, `score` gives P(positive)."""

    def __init__(self, max_features: int = 50_000, c: float = 4.0) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self.vectorizer = TfidfVectorizer(
            ngram_range=(1, 2), min_df=2, max_features=max_features, sublinear_tf=True
        )
        self.classifier = LogisticRegression(C=c, max_iter=1000, class_weight="balanced")

    def fit(self, texts: Sequence[str], labels: np.ndarray) -> TextSentiment:
        self.classifier.fit(self.vectorizer.fit_transform(texts), labels)
        return self

    def score(self, texts: Sequence[str]) -> np.ndarray:
        return self.classifier.predict_proba(self.vectorizer.transform(texts))[:, 1]


class LLMSentiment:
    """P(positive) from the chat model's next-token log-probabilities of Yes and No."""

    def __init__(self, model) -> None:
        self.model = model
        self.prompt = load_prompt("sentiment")

    def score_one(self, text: str) -> float:
        messages = self.prompt.format_messages(review=quote(scrub_identifiers(text), 1200))
        reply = self.model.invoke(
            messages, logprobs=True, top_logprobs=20, max_tokens=1, temperature=0.0
        )
        scores = next_token_logprobs(reply)
        yes = max((v for k, v in scores.items() if k.lower() == "yes"), default=-30.0)
        no = max((v for k, v in scores.items() if k.lower() == "no"), default=-30.0)
        return 1.0 / (1.0 + math.exp(no - yes))

    def score(self, texts: Sequence[str]) -> np.ndarray:
        out = np.full(len(texts), 0.5)
        for i, text in enumerate(texts):
            try:
                out[i] = self.score_one(text)
            except LLM_ERRORS:
                continue  # an unscorable review stays at 0.5: neither side
        return out
