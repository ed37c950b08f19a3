r"""What every part of the path machinery shares: the exact helpers and the context.

:class:`PathBlock` (one nonzero convex block ``u = |w2| W1`` = one neuron),
:class:`_Ctx` (the data, the pattern list, ``lam_max^2`` of docs/theory.md §2.2 L5, the
cone matrices ``K_i`` cached, and float copies of ``X``, ``y`` and the patterns that only
the float guessers of :mod:`exactrelu.paths._float_guess` read), the exact
non-negative combination ``sum_j alpha_j c_j = t, alpha >= 0`` (a rank test and one
exact solve, else an exact LP), outward dyadic rounding of proved bounds, and the
validation of a ``lam`` grid.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable, Mapping, Sequence

from .. import lp
from ..arrangement import PatternSet
from ..errors import ExactReluError
from ..linalg import column_solve, rank as _rank
from ..numbers import to_q
from ..problem import Block, Dataset

Vec = tuple[Fraction, ...]
_ZERO = Fraction(0)


def _nonneg_solve(cols: Sequence[Sequence[Fraction]], target: Sequence[Fraction]
                  ) -> list[Fraction] | None:
    """Some ``alpha >= 0`` with ``sum_j alpha_j cols_j = target`` (exact), else ``None``.
    Fast path: independent columns solved exactly; otherwise an exact LP."""
    L = len(cols)
    if L == 0:
        return [] if not any(target) else None
    if _rank(cols) == L:
        # the unique coefficients (or target outside the span): no LP needed
        al = column_solve(cols, target)
        return al if al is not None and all(a >= 0 for a in al) else None
    return lp.nonneg_combination(cols, target)


@dataclass(frozen=True)
class PathBlock:
    """One nonzero convex block = one neuron: ``u = |w2| W1`` on pattern ``pattern``."""

    pattern: str
    index: int
    sign: int
    u: Vec

    @property
    def key(self) -> Block:
        return (self.index, self.sign)


class _Ctx:
    """What every point of a path shares (patterns, float copies, lam_max, the cones)."""

    def __init__(self, data: Dataset, ps: PatternSet, lmax_sq: Fraction, lmax_block) -> None:
        self.data = data
        self.ps = ps
        self.Xf = data.X_float()
        self.yf = data.y_float()
        self.P = ps.as_array()
        self.lmax_sq = lmax_sq
        self.lmax_block = lmax_block
        self.cone = _cone_getter(data, ps)          # i -> K_i, cached


def _round_out(x: Fraction, up: bool, bits: int = 128) -> Fraction:
    """Outward rounding to a dyadic with ``bits`` fractional bits (keeps claims short)."""
    s = x * (1 << bits)
    return Fraction(math.ceil(s) if up else math.floor(s), 1 << bits)


def _blocks_of(ps: PatternSet, blocks: Mapping[Block, Sequence[Fraction]]) -> tuple[PathBlock, ...]:
    out = [PathBlock(ps.bits[i], i, s, tuple(u)) for (i, s), u in blocks.items() if any(u)]
    return tuple(sorted(out, key=lambda b: (b.index, -b.sign)))


def _check_lams(lams: Iterable[object]) -> list[Fraction]:
    out = []
    for k, l in enumerate(lams):
        q = to_q(l)
        if q <= 0:
            raise ExactReluError(f"lam number {k + 1} is {q}: every lam must be positive")
        out.append(q)
    if not out:
        raise ExactReluError("no lam values")
    return out


def _cone_getter(data: Dataset, ps: PatternSet):
    """``i -> K_i``: the cone matrix of pattern ``i`` (exact), computed once per ``i``."""
    from ..cones import cone_matrix

    cache: dict = {}

    def cone(i):
        if i not in cache:
            cache[i] = cone_matrix(data.X, ps.bits[i])
        return cache[i]
    return cone
