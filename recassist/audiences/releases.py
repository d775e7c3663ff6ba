"""Release once, answer many: the differentially private aggregates of one data snapshot, made once,
stored and charged once to each organisation that reads them; every marketer answer is computed from
them.

Six releases, each with each person's contribution bounded (its L1 sensitivity in brackets):
- `tags`: per cell (every combination of the segment attributes' values, e.g. ML-1M's 2 genders x 7
  age bands x 21 occupations = 294 cells) the number of people and, per tag, the people whose
  interests hold it. A person is in one cell, with at most `interests_per_user` interests (1 +
  interests_per_user).
- `tag_rows`: the same counts per row (everyone, and each value of each attribute): a segment of
  one attribute ("women", "aged 35 or more") sums a few rows instead of a hundred cells, whose
  noise would swamp it ((1 + attributes) x (1 + interests_per_user)).
- `items` (at `epsilon_titles`): per attribute value and item, the people among whose favourite
  `items_per_user` likes it is (attributes x items_per_user); everyone's row is the sum of the first
  attribute's rows.
- `months`: per row, month and tag, the active people and those who liked items of the tag that
  month (their `interests_per_user` most liked tags of the month), over each person's latest
  `periods_per_user` active months ((1 + attributes) x periods_per_user x (1 + interests_per_user)).
- `co_tags`: per tag, the people whose interests hold it and, per other tag, those whose interests
  hold both ("horror fans also like ..."): a person adds to the rows of their interests only
  (interests_per_user x (1 + interests_per_user)).
- `sentiment` (data with review text and categories): per row and category, the reviewers and those
  whose mean P(positive) is at least 0.5, in at most `interests_per_user` categories a person ((1 +
  attributes) x interests_per_user x 2).

`publish` reads the population (the exact data) only inside `PrivacyGuard.release`; the `ReleaseSet`
it returns holds the vocabulary and the noisy arrays, nothing else."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recassist.audiences.population import Population
from recassist.audiences.privacy import CountTable, PrivacyGuard, Release
from recassist.audiences.vocabulary import Vocabulary, segment_columns

NAMES = ("tags", "tag_rows", "items", "months", "co_tags", "sentiment")


@dataclass(frozen=True)
class ReleaseSet:
    """The noisy releases of one snapshot and its vocabulary: all an answer may read."""

    vocabulary: Vocabulary
    tags: Release  # (cells, 1 + tags): column 0 the cell's size
    tag_rows: Release  # (rows, 1 + tags): column 0 the row's size
    items: Release  # (rows, items)
    months: Release  # (rows, months, 1 + tags): [..., 0] the active people
    co_tags: Release  # (tags, 1 + tags): [t, 0] the people into tag t, [t, 1 + j] into t and j
    sentiment: Release | None  # (rows, categories, 2): reviewers, positive reviewers

    @property
    def parts(self) -> tuple[Release, ...]:
        made = (self.tags, self.tag_rows, self.items, self.months, self.co_tags, self.sentiment)
        return tuple(r for r in made if r is not None)

    @property
    def charged(self) -> float:
        """What making or reading this set charged the caller now."""
        return sum(r.charged for r in self.parts)

    @property
    def epsilon(self) -> float:
        return sum(r.epsilon for r in self.parts)


def _value_codes(population: Population, vocabulary: Vocabulary, sensitive, config) -> np.ndarray:
    """users x attributes: the index of each person's value in the vocabulary (-1 unknown)."""
    columns = segment_columns(population, config, sensitive)
    codes = [
        pd.Index(vocabulary.attributes[name]).get_indexer(columns[name])
        for name in vocabulary.attributes
    ]
    return np.stack(codes, axis=1) if codes else np.zeros((population.size, 0), dtype=np.int64)


def cell_of(codes: np.ndarray, vocabulary: Vocabulary) -> np.ndarray:
    """Each person's cell (-1 when a value is unknown)."""
    if codes.shape[1] == 0:
        return np.zeros(len(codes), dtype=np.int64)
    known = (codes >= 0).all(axis=1)
    shape = [len(v) for v in vocabulary.attributes.values()]
    out = np.full(len(codes), -1, dtype=np.int64)
    out[known] = np.ravel_multi_index(tuple(codes[known].T), shape)
    return out


def row_matrix(codes: np.ndarray, vocabulary: Vocabulary) -> sp.csr_matrix:
    """users x rows: 1 in everyone's row and in the row of each of the person's values."""
    offsets = np.cumsum([1, *(len(v) for v in vocabulary.attributes.values())])[:-1]
    users, rows = [np.arange(len(codes))], [np.zeros(len(codes), dtype=np.int64)]
    for a in range(codes.shape[1]):
        known = codes[:, a] >= 0
        users.append(np.flatnonzero(known))
        rows.append(offsets[a] + codes[known, a])
    u, r = np.concatenate(users), np.concatenate(rows)
    return sp.csr_matrix(
        (np.ones(len(u), dtype=np.float64), (u, r)), shape=(len(codes), len(vocabulary.rows))
    )


def tag_counts(population: Population, cells: np.ndarray, n_cells: int) -> np.ndarray:
    """n_cells x (1 + tags): each group's people and their interest counts; `cells` is each person's
    group (a cell, a cluster; -1 in none)."""
    inside = cells >= 0
    one_hot = sp.csr_matrix(
        (np.ones(int(inside.sum())), (cells[inside], np.flatnonzero(inside))),
        shape=(n_cells, population.size),
    )
    sizes = np.bincount(cells[inside], minlength=n_cells)
    return np.column_stack([sizes, np.asarray((one_hot @ population.interests).todense())])


def row_tag_counts(population: Population, codes: np.ndarray, vocabulary: Vocabulary) -> np.ndarray:
    """rows x (1 + tags): each row's people (`row_matrix`) and their interest counts."""
    rows = row_matrix(codes, vocabulary)
    sizes = np.asarray(rows.sum(axis=0)).ravel()
    return np.column_stack([sizes, np.asarray((rows.T @ population.interests).todense())])


def co_tag_counts(population: Population) -> np.ndarray:
    """tags x (1 + tags): the people into each tag, and into it and each tag (the diagonal again)."""
    interests = population.interests.astype(np.float64)
    both = np.asarray((interests.T @ interests).todense())
    return np.column_stack([np.diag(both), both])


def month_counts(
    population: Population,
    rows: sp.csr_matrix,
    vocabulary: Vocabulary,
    periods: int,
    interests: int,
) -> np.ndarray:
    """rows x months x (1 + tags), each person in their latest `periods` active months."""
    frame = population.interactions
    month = pd.Index(vocabulary.months).get_indexer(
        pd.to_datetime(frame["timestamp"], unit="s").dt.to_period("M").astype(str)
    )
    active = pd.DataFrame({"user": frame["user_row"].to_numpy(), "month": month}).drop_duplicates()
    active = active.sort_values(["user", "month"], ascending=[True, False])
    active = active[active.groupby("user").cumcount() < periods]
    liked = frame["liked"].to_numpy()
    tagged = sp.coo_matrix(population.item_tags[frame["item_row"].to_numpy()[liked]])
    likes = pd.DataFrame(
        {
            "user": frame["user_row"].to_numpy()[liked][tagged.row],
            "month": month[liked][tagged.row],
            "tag": tagged.col,
        }
    )
    likes = likes.merge(active, on=["user", "month"])  # only the months the person counts in
    per = likes.groupby(["user", "month", "tag"]).size().reset_index(name="n")
    per = per.sort_values(["user", "month", "n", "tag"], ascending=[True, True, False, True])
    per = per[per.groupby(["user", "month"]).cumcount() < interests]
    width = 1 + len(vocabulary.tags)
    users = np.concatenate([active["user"].to_numpy(), per["user"].to_numpy()])
    columns = np.concatenate(
        [active["month"].to_numpy() * width, per["month"].to_numpy() * width + 1 + per["tag"]]
    )
    matrix = sp.csr_matrix(
        (np.ones(len(users)), (users, columns)),
        shape=(population.size, len(vocabulary.months) * width),
    )
    return np.asarray((rows.T @ matrix).todense()).reshape(
        len(vocabulary.rows), len(vocabulary.months), width
    )


def sentiment_counts(
    population: Population,
    rows: sp.csr_matrix,
    vocabulary: Vocabulary,
    scores: np.ndarray,
    per_person: int,
) -> np.ndarray:
    """rows x categories x (reviewers, positive reviewers)."""
    frame = population.interactions
    reviews = pd.DataFrame(
        {
            "user": frame["user_row"],
            "cat": pd.Index(vocabulary.categories).get_indexer(frame["department"].astype(str)),
            "score": scores,
        }
    )
    reviews = reviews[reviews["score"].notna() & (reviews["cat"] >= 0)]
    per = reviews.groupby(["user", "cat"], sort=True)["score"].mean().reset_index()
    per = per[per.groupby("user").cumcount() < per_person]
    n_cat = len(vocabulary.categories)
    users = np.concatenate([per["user"], per.loc[per["score"] >= 0.5, "user"]])
    columns = np.concatenate([per["cat"] * 2, per.loc[per["score"] >= 0.5, "cat"] * 2 + 1])
    matrix = sp.csr_matrix(
        (np.ones(len(users)), (users, columns)), shape=(population.size, n_cat * 2)
    )
    return np.asarray((rows.T @ matrix).todense()).reshape(len(vocabulary.rows), n_cat, 2)


def publish(
    population: Population,
    vocabulary: Vocabulary,
    guard: PrivacyGuard,
    owner: str,
    sentiment_scores=None,
) -> ReleaseSet:
    """The snapshot's releases for `owner`: made when missing, charged once to each owner."""
    config = guard.config
    codes = _value_codes(population, vocabulary, guard.sensitive_term, config)
    n_attr, k_i = len(vocabulary.attributes), config.interests_per_user
    rules = config.model_dump(
        include={"interests_per_user", "items_per_user", "periods_per_user", "like_threshold"}
    )

    def made(name: str, compute, sensitivity: int, epsilon: float = config.epsilon_per_release):
        query = {"snapshot": vocabulary.snapshot, "name": name, "rules": rules}
        query |= {"epsilon": epsilon, "attributes": vocabulary.attributes}
        return guard.release(owner, query, lambda: CountTable(compute(), sensitivity), epsilon)

    tags = made(
        "tags",
        lambda: tag_counts(population, cell_of(codes, vocabulary), vocabulary.cells),
        1 + k_i,
    )
    tag_rows = made(
        "tag_rows", lambda: row_tag_counts(population, codes, vocabulary), (1 + n_attr) * (1 + k_i)
    )
    first = len(next(iter(vocabulary.attributes.values()), [])) if n_attr else 0
    items = made(
        "items",
        lambda: np.asarray((row_matrix(codes, vocabulary).T @ population.liked_items).todense())[
            1 if n_attr else 0 :
        ],
        max(n_attr, 1) * config.items_per_user,
        config.epsilon_titles,
    )
    if n_attr:  # everyone's row: the sum of the first attribute's rows (post-processing)
        items = replace(items, counts=np.vstack([items.counts[:first].sum(axis=0), items.counts]))
    months = made(
        "months",
        lambda: month_counts(
            population, row_matrix(codes, vocabulary), vocabulary, config.periods_per_user, k_i
        ),
        (1 + n_attr) * config.periods_per_user * (1 + k_i),
    )
    co_tags = made("co_tags", lambda: co_tag_counts(population), k_i * (1 + k_i))
    sentiment = None
    if vocabulary.categories and sentiment_scores is not None:
        sentiment = made(
            "sentiment",
            lambda: sentiment_counts(
                population, row_matrix(codes, vocabulary), vocabulary, sentiment_scores(), k_i
            ),
            (1 + n_attr) * k_i * 2,
        )
    return ReleaseSet(vocabulary, tags, tag_rows, items, months, co_tags, sentiment)
