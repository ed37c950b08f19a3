"""Exact grids of weight decays ``lam`` (evenly spaced rationals, no floats)."""
from __future__ import annotations

from fractions import Fraction

from ..errors import ExactReluError
from ..numbers import to_q


def lam_grid(lo: object, hi: object, k: int) -> list[Fraction]:
    """``k`` exact rationals evenly spaced from ``lo`` to ``hi`` inclusive."""
    lo, hi = to_q(lo), to_q(hi)
    if k < 1:
        raise ExactReluError("the number of grid points must be at least 1")
    if k == 1:
        return [lo]
    return [lo + (hi - lo) * j / (k - 1) for j in range(k)]
