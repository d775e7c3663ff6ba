"""How far an affinity index read from noisy releases may be from the truth: its interval, and the
z that makes the intervals of many rows hold at once. Pure arithmetic over released numbers."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

Z95 = 1.959964
ROUGH = 0.25  # a noise margin past this share of a segment's size makes its shares rough


def affinity_interval(
    seg_count: float,
    seg_size: float,
    base_count: float,
    base_size: float,
    seg_var: float,
    base_var: float | None = None,
    z: float = Z95,
    sizes_var: tuple[float, float] = (0.0, 0.0),
) -> tuple[float, float, float]:
    """Index = (seg share / base share) x 100 and its interval. Each of the four released numbers
    may be off by its margin (`_margin`: sampling, and the privacy noise's variance `seg_var`,
    `base_var` on the counts and `sizes_var` on the sizes); each such move changes the log index
    by a known amount in either direction, and those add up in quadrature (they are independent).
    A count within its margin of nothing leaves the index free to be nothing (or, the base's,
    anything). `z` widens it to hold for several rows at once (`simultaneous_z`).

    A share of a small segment is a noisy count over a noisy size: women aged 25-34 of ML-100k, 79
    people released as 100 with westerns at 60 (truly 7), read "60 % against 10 %, distinctive"
    by the delta method on the log scale, whose margin shrinks as the noise lifts the count."""
    base_var = seg_var if base_var is None else base_var
    p_seg = min(max(seg_count, 0.0) / max(seg_size, 1.0), 1.0)
    p_base = min(max(base_count, 0.0) / max(base_size, 1.0), 1.0)
    index = 100.0 * p_seg / max(p_base, 0.5 / max(base_size, 1.0))
    seg_m = _margin(seg_var, seg_size * p_seg * (1 - p_seg), z)
    base_m = _margin(base_var, base_size * p_base * (1 - p_base), z)
    size_m, total_m = (_margin(v, 0.0, z) for v in sizes_var)
    down = _moves(
        [(seg_count, -seg_m), (seg_size, size_m), (base_count, base_m), (base_size, -total_m)]
    )
    up = _moves(
        [(seg_count, seg_m), (seg_size, -size_m), (base_count, -base_m), (base_size, total_m)]
    )
    low = index * float(np.exp(-down)) if np.isfinite(down) else 0.0
    most = 200.0 * max(base_size, 1.0)  # all of the segment against half a person of the base
    high = index * float(np.exp(up)) if np.isfinite(up) else most
    return index, low, min(high, most)


def _moves(moved: list[tuple[float, float]]) -> float:
    """How far the log index goes when each number `x` moves by its signed margin, added in
    quadrature; infinite when a move reaches nothing (a count or size within its noise)."""
    steps = []
    for x, move in moved:
        if x + move <= 0 or x <= 0:
            return float("inf")
        steps.append(float(np.log((x + move) / x)))
    return float(np.sqrt(np.sum(np.square(steps))))


def _margin(noise_var: float, sampling_var: float, z: float) -> float:
    """How far a released number may be from the truth at `z`: its sampling spread, and its privacy
    noise taken as one Laplace draw of that variance, whose tail is heavier than a normal's (at
    the z of 18 rows, 5.9 scales against 4.2): a sum of several draws has a lighter one, so this
    is the cautious side."""
    tail = 2 * (1 - NormalDist().cdf(z))  # the chance a normal passes z, on either side
    noise = float(np.sqrt(noise_var / 2)) * float(np.log(1 / tail)) if noise_var > 0 else 0.0
    return float(np.hypot(max(noise, z * np.sqrt(noise_var)), z * np.sqrt(sampling_var)))


def simultaneous_z(rows: int) -> float:
    """The z of 95 % intervals that hold for `rows` rows at once (Bonferroni): of 18 interests
    compared, the one whose noise lifted it most would otherwise look distinctive by chance."""
    return NormalDist().inv_cdf(1 - 0.025 / max(1, rows))
