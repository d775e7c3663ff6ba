"""SASRec-style next-item model (Kang & McAuley 2018): causal self-attention over the user's recent
items.

Trained with full softmax cross-entropy at every position (as RecBole's CE variant), on one random
window of `max_len` items per user per epoch (a cheap crop augmentation that, over epochs, covers
long histories). `fit` holds out the last item of every user with at least `min_history_for_holdout`
events as its own validation set, shows progress with tqdm and stops when validation NDCG@10 has not
improved for `patience` epochs (or when `time_budget_s` of training has passed), keeping the best
weights; the held-out items are never training targets. Runs on CPU by default (on `threads` torch
threads when set) and on a GPU when `device` is "auto" and one exists. `windows="last"` trains on
each user's latest `max_len` items every epoch instead (the SASRec+ / LRURec recipe: max_len 200, lr
1e-3, batch 128). Each epoch's validation NDCG@10 and the wall seconds since the fit began go to
`curve`, for a curve of accuracy against training time.

Evidence is approximate: the recent history items whose learned embeddings are closest to the
candidate, each with its softmax share of the similarities.
"""

from __future__ import annotations

import logging
import time
from typing import Literal

import numpy as np
from pydantic import Field, NonNegativeFloat, PositiveFloat, PositiveInt

from recassist.retrieval.generators.base import (
    Evidence,
    Generator,
    GeneratorConfig,
    history_evidence,
)
from recassist.retrieval.interactions import Interactions

log = logging.getLogger(__name__)

PAD = 0  # item row r is token r + 1


class SASRecConfig(GeneratorConfig):
    max_len: PositiveInt = 50
    dim: PositiveInt = 64
    layers: PositiveInt = 2
    heads: PositiveInt = 2
    dropout: float = Field(default=0.2, ge=0, lt=1)
    learning_rate: PositiveFloat = 3e-3
    weight_decay: NonNegativeFloat = 0.0
    batch_size: PositiveInt = 128
    max_epochs: PositiveInt = 60
    patience: PositiveInt = 6
    min_history_for_holdout: PositiveInt = 5
    validation_users: PositiveInt = (
        2000  # early stopping scores a sample of this many held-out users
    )
    device: str = "cpu"  # "cpu", "cuda" or "auto"
    threads: PositiveInt | None = None  # torch CPU threads for the fit; None leaves torch's default
    # stop after the epoch that passes this much training time
    time_budget_s: PositiveFloat | None = None
    # a random crop per user per epoch, or each user's latest items (the SASRec+ recipe)
    windows: Literal["random", "last"] = "random"
    seed: int = 0
    progress: bool = True


def _model(n_tokens: int, config: SASRecConfig):
    import torch
    from torch import nn

    class SASRec(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.items = nn.Embedding(n_tokens, config.dim, padding_idx=PAD)
            self.positions = nn.Embedding(config.max_len, config.dim)
            self.dropout = nn.Dropout(config.dropout)
            layer = nn.TransformerEncoderLayer(
                config.dim,
                config.heads,
                4 * config.dim,
                config.dropout,
                batch_first=True,
                norm_first=True,
                activation="gelu",
            )
            self.encoder = nn.TransformerEncoder(layer, config.layers, enable_nested_tensor=False)
            self.norm = nn.LayerNorm(config.dim)
            for (
                module
            ) in self.modules():  # small initial weights keep the tied-softmax logits near zero
                if isinstance(module, (nn.Embedding, nn.Linear)):
                    nn.init.normal_(module.weight, std=0.02)
            future = torch.triu(
                torch.ones(config.max_len, config.max_len, dtype=torch.bool), diagonal=1
            )
            self.register_buffer("future", future, persistent=False)

        def forward(self, tokens: torch.Tensor) -> torch.Tensor:
            """Hidden states (batch, len, dim) for left-padded token windows.

            One boolean mask (True = may not attend) joins causality and padding; every position may
            attend to itself, so a padding row is never fully masked (which would make NaNs).
            """
            batch, length = tokens.shape
            positions = torch.arange(length, device=tokens.device)
            hidden = self.dropout(self.items(tokens) + self.positions(positions))
            blocked = self.future[:length, :length][None] | (tokens == PAD)[:, None, :]
            blocked = blocked & ~torch.eye(length, dtype=torch.bool, device=tokens.device)[None]
            blocked = blocked.repeat_interleave(config.heads, dim=0)
            return self.norm(self.encoder(hidden, mask=blocked))

        def logits(self, hidden: torch.Tensor) -> torch.Tensor:
            return hidden @ self.items.weight.T

    return SASRec()


class SASRec(Generator):
    name = "sasrec"
    uses_order = True
    config_type = SASRecConfig
    config: SASRecConfig

    budget_hint = "lower sasrec batch_size, max_len or validation_users"

    def estimate(self, train: Interactions) -> int:
        """Full-softmax logits dominate: batch x (max_len - 1) x items, with their gradient and
        softmax."""
        config = self.config
        n_tokens = train.n_items + 1
        parameters = n_tokens * config.dim * 4 * 4  # weights, gradient, Adam's two moments
        logits = config.batch_size * (config.max_len - 1) * n_tokens * 4 * 3
        scoring = (
            max(config.validation_users, 1024) * n_tokens * 4 * 2
        )  # holdout and `_forward` blocks
        sequences = len(train) * 8 + train.n_users * 100  # one array view per user
        return parameters + max(logits, scoring) + sequences

    def _device(self) -> str:
        import torch

        if self.config.device == "auto":
            return "cuda" if torch.cuda.is_available() else "cpu"
        return self.config.device

    def _windows(self, sequences: list[np.ndarray], ends: np.ndarray) -> np.ndarray:
        """Left-padded token windows of `max_len` ending (exclusive) at `ends`."""
        out = np.zeros((len(sequences), self.config.max_len), np.int64)
        for i, (sequence, end) in enumerate(zip(sequences, ends)):
            window = sequence[max(0, end - self.config.max_len) : end] + 1
            if len(window):
                out[i, -len(window) :] = window
        return out

    def _fit(self, train: Interactions) -> None:
        """`_train` on `threads` torch threads when set; torch's thread count is process-wide, so
        the previous one is restored after the fit."""
        import torch

        previous = torch.get_num_threads()
        if self.config.threads is not None:
            torch.set_num_threads(self.config.threads)
        try:
            self._train_model(train)
        finally:
            torch.set_num_threads(previous)

    def _train_model(self, train: Interactions) -> None:
        import torch
        from tqdm.auto import tqdm

        config = self.config
        rng = np.random.default_rng(config.seed)
        torch.manual_seed(config.seed)
        sequences = [train.sequence(u) for u in range(train.n_users)]
        lengths = np.array([len(s) for s in sequences])
        holdout = lengths >= config.min_history_for_holdout
        fit_lengths = lengths - holdout  # the held-out last item is never a target
        trainable = np.flatnonzero(fit_lengths >= 2)
        validation = np.flatnonzero(holdout)
        if len(validation) > config.validation_users:
            validation = np.sort(rng.choice(validation, config.validation_users, replace=False))

        self.model = _model(train.n_items + 1, config).to(self._device())
        optimiser = torch.optim.Adam(
            self.model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
        )
        best_ndcg, best_state, stale = -1.0, None, 0
        self.curve: list[dict[str, float]] = []
        started = time.perf_counter()
        epochs = tqdm(
            range(config.max_epochs), desc="sasrec", disable=not config.progress, leave=False
        )
        for epoch in epochs:
            self.model.train()
            order = rng.permutation(trainable)
            total = 0.0
            for first in range(0, len(order), config.batch_size):
                users = order[first : first + config.batch_size]
                ends = self._ends(rng, fit_lengths[users])
                total += self._step(optimiser, [sequences[u] for u in users], ends)
            loss = total / max(len(trainable), 1)
            if len(validation) == 0:
                epochs.set_postfix(loss=loss)
                continue
            ndcg = self._holdout_ndcg(sequences, validation, lengths)
            wall = time.perf_counter() - started
            point = {"epoch": epoch + 1, "wall_s": round(wall, 1), "loss": loss, "val_ndcg10": ndcg}
            self.curve.append(point)
            epochs.set_postfix(loss=loss, val_ndcg10=ndcg)
            log.info(
                "sasrec epoch %(epoch)d at %(wall_s).0fs: loss %(loss).4f "
                "holdout NDCG@10 %(val_ndcg10).4f",
                point,
            )
            stale = 0 if ndcg > best_ndcg else stale + 1
            if ndcg > best_ndcg:
                best_ndcg = ndcg
                best_state = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
            over_time = config.time_budget_s is not None and wall >= config.time_budget_s
            if stale >= config.patience or over_time:
                break
        if best_state is not None:
            self.model.load_state_dict(best_state)
        self.model.eval()
        self.holdout_ndcg = best_ndcg

    def rebind(self, data: Interactions) -> SASRec:
        """Score from `data`'s histories (the same users and items, more events) without refitting:
        a sequential model reads a user's latest events at inference, as a served model reads new
        ones."""
        if (data.n_users, data.n_items) != (self.train.n_users, self.train.n_items):
            raise ValueError("rebind needs the same users and items as the fit")
        self._train = data
        return self

    def _ends(self, rng: np.random.Generator, fit_lengths: np.ndarray) -> np.ndarray:
        """Where each user's training window ends (exclusive): uniformly in [2, fit_length], or at
        fit_length for `windows="last"`."""
        if self.config.windows == "last":
            return fit_lengths
        return np.array([rng.integers(2, length + 1) for length in fit_lengths])

    def _step(self, optimiser, sequences: list[np.ndarray], ends: np.ndarray) -> float:
        """One Adam step of full-softmax cross-entropy at every non-padding position; the batch's
        loss times its size. Only the positions with a target reach the items x dim product, which
        is most of the cost: short histories in a long window are mostly padding."""
        import torch

        device = next(self.model.parameters()).device
        batch = torch.from_numpy(self._windows(sequences, ends)).to(device)
        inputs, targets = batch[:, :-1], batch[:, 1:]
        real = targets != PAD
        hidden = self.model(inputs)[real]
        loss = torch.nn.functional.cross_entropy(self.model.logits(hidden), targets[real])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        return float(loss.detach()) * len(sequences)

    def _holdout_ndcg(
        self, sequences: list[np.ndarray], users: np.ndarray, lengths: np.ndarray
    ) -> float:
        from recassist.retrieval.metrics import ndcg_at

        scores = self._forward([sequences[u] for u in users], lengths[users] - 1)
        for i, u in enumerate(users):
            scores[i, sequences[u][: lengths[u] - 1]] = -np.inf
        targets = np.array([sequences[u][lengths[u] - 1] for u in users])
        target_scores = scores[np.arange(len(users)), targets]
        ranks = (scores > target_scores[:, None]).sum(axis=1)
        return ndcg_at(ranks, 10)

    def _forward(
        self, sequences: list[np.ndarray], ends: np.ndarray, batch: int = 1024
    ) -> np.ndarray:
        """Scores over all items (rows) from the last position of each window."""
        import torch

        self.model.eval()
        device = next(self.model.parameters()).device
        blocks = []
        with torch.no_grad():
            for start in range(0, len(sequences), batch):
                tokens = torch.from_numpy(
                    self._windows(sequences[start : start + batch], ends[start : start + batch])
                )
                hidden = self.model(tokens.to(device))[:, -1]
                blocks.append(self.model.logits(hidden)[:, 1:].float().cpu().numpy())
        self.model.train(False)
        return np.concatenate(blocks) if blocks else np.zeros((0, self.train.n_items), np.float32)

    def _scores(self, user_rows: np.ndarray, items: np.ndarray | None) -> np.ndarray:
        sequences = [self.train.sequence(u) for u in user_rows]
        scores = self._forward(sequences, np.array([len(s) for s in sequences]))
        empty = np.array([len(s) == 0 for s in sequences])
        scores[empty] = 0.0  # nothing to attend to: no opinion
        return scores if items is None else scores[:, items]

    def evidence(self, user_row: int, item_rows: np.ndarray) -> list[Evidence]:
        weights = self.model.items.weight.detach().cpu().numpy()[1:]
        recent = set(self.train.sequence(user_row)[-self.config.max_len :].tolist())

        def contributions(history: np.ndarray, items: np.ndarray) -> np.ndarray:
            similarity = np.where(
                np.isin(history, list(recent))[None, :],
                weights[items] @ weights[history].T,
                -np.inf,
            )
            shares = np.exp(similarity - similarity.max(axis=1, keepdims=True))
            return shares / shares.sum(axis=1, keepdims=True)

        return history_evidence(self.train, user_row, item_rows, contributions)
