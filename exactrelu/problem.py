"""The training problem and its convex reformulation, in exact arithmetic.

Data ``X`` (n x d, rows ``x_k``), targets ``y``, weight decay ``lam > 0``, all rational.

Non-convex (NC) objective of a width-``m`` network::

    NC(W1, w2) = 1/2 || sum_j (X W1_j)_+ w2_j - y ||^2 + lam/2 sum_j (||W1_j||^2 + w2_j^2)

Convex reformulation (C-ReLU) over a pattern set; a *block* ``b = (i, s)`` is a pattern
``D_i`` with a sign ``s`` in {+1, -1}, ``A_i = (2 D_i - I) X`` and ``K_i = {u : A_i u >= 0}``::

    C(u) = 1/2 || sum_b s_b D_i X u_b - y ||^2 + lam sum_b ||u_b||,    u_b in K_i.

On ``K_i``, ``D_i X u = (X u)_+`` (Pilanci & Ergen 2020).  Dual: for any ``r`` and
multipliers ``rho_b >= 0``, if ``q_b = s X^T D_i r + A_i^T rho_b`` has ``||q_b|| <= lam`` for
every block then ``r . y - ||r||^2 / 2`` is a lower bound on the optimum (weak duality).

Norms ``||u_b||`` are irrational in general: they are only ever used through rational
bounds (:func:`exactrelu.numbers.sqrt_bounds`) or squared.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import Mapping, Sequence

import numpy as np

from .errors import ShapeError, SolverError
from .numbers import dot, q_matrix, q_vector, sqnorm, sqrt_bounds, to_q
from .arrangement import PatternSet

__all__ = ["Dataset", "ConvexProgram", "Block", "to_double"]

Block = tuple[int, int]
Vec = tuple[Fraction, ...]


@contextmanager
def _double_range(what: str):
    """Turn the ``OverflowError`` of ``float(q)`` into a :class:`SolverError`: the exact
    code has no range limit, the numeric solver works in doubles (|x| < 1.8e308)."""
    try:
        yield
    except OverflowError:
        raise SolverError(f"{what} is outside the range of a double (|x| < 1.8e308), which "
                          "the numeric solver works in") from None


def to_double(q: Fraction, what: str) -> float:
    """``float(q)`` for the numeric solver; :class:`SolverError` outside the double range."""
    with _double_range(what):
        return float(q)


@dataclass(frozen=True)
class Dataset:
    """Exact data: ``X`` (n x d) and ``y`` (n) as Fractions.  With ``bias`` the last
    column of ``X`` is the appended column of ones (informative only)."""

    X: tuple[Vec, ...]
    y: Vec
    bias: bool = False
    source: str | None = None

    @staticmethod
    def from_arrays(X: Sequence[Sequence[object]], y: Sequence[object], *, bias: bool = False,
                    allow_float: bool = True, source: str | None = None) -> "Dataset":
        """Build from exact values; with ``bias=True`` a column of ones is appended.
        Floats are taken at their exact IEEE value (the public rule,
        :func:`exactrelu.exact_number`), or refused when ``allow_float=False``."""
        Xq = q_matrix(X, allow_float=allow_float)
        yq = q_vector(y, allow_float=allow_float)
        if len(Xq) != len(yq):
            raise ShapeError(f"X has {len(Xq)} rows but y has {len(yq)} entries")
        if not Xq:
            raise ShapeError("no data rows")
        d = len(Xq[0])
        if any(len(r) != d for r in Xq):
            raise ShapeError("rows of X have different lengths")
        if bias:
            Xq = tuple(r + (Fraction(1),) for r in Xq)
        if not Xq[0]:
            raise ShapeError("X has no columns")
        return Dataset(Xq, yq, bias, source)

    @property
    def n(self) -> int:
        return len(self.X)

    @property
    def d(self) -> int:
        return len(self.X[0])

    def X_float(self) -> np.ndarray:
        """Float copy for the numeric producer (never used in a proof)."""
        with _double_range("a value of X"):
            return np.array([[float(a) for a in r] for r in self.X], dtype=float)

    def y_float(self) -> np.ndarray:
        with _double_range("a value of y"):
            return np.array([float(a) for a in self.y], dtype=float)


@dataclass(frozen=True)
class ConvexProgram:
    """C-ReLU over the patterns of ``patterns`` (both signs of each), exact."""

    data: Dataset
    lam: Fraction
    patterns: PatternSet

    def __post_init__(self) -> None:
        lam = to_q(self.lam)
        if lam <= 0:
            raise ValueError(f"lam must be positive, got {lam}")
        object.__setattr__(self, "lam", lam)
        if self.patterns.n != self.data.n or self.patterns.d != self.data.d:
            raise ShapeError("patterns were computed for different data")

    @property
    def blocks(self) -> list[Block]:
        return [(i, s) for i in range(len(self.patterns)) for s in (1, -1)]

    # -- primal ---------------------------------------------------------------------
    def block_fit(self, block: Block, u: Sequence[Fraction]) -> Vec:
        """``s D_i X u``."""
        i, s = block
        bits = self.patterns.bits[i]
        return tuple(s * dot(x, u) if b == "1" else Fraction(0) for x, b in zip(self.data.X, bits))

    def fit(self, blocks: Mapping[Block, Sequence[Fraction]]) -> Vec:
        out = [Fraction(0)] * self.data.n
        for b, u in blocks.items():
            for k, v in enumerate(self.block_fit(b, u)):
                out[k] += v
        return tuple(out)

    def cone_violation(self, i: int, u: Sequence[Fraction]) -> int | None:
        """First row ``k`` with ``(2 D_ik - 1) x_k . u < 0`` (``u`` outside ``K_i``), else None."""
        for k, (x, b) in enumerate(zip(self.data.X, self.patterns.bits[i])):
            v = dot(x, u)
            if (v < 0 and b == "1") or (v > 0 and b == "0"):
                return k
        return None

    def loss(self, blocks: Mapping[Block, Sequence[Fraction]]) -> Fraction:
        f = self.fit(blocks)
        return sqnorm([a - b for a, b in zip(f, self.data.y)]) / 2

    def objective_bounds(self, blocks: Mapping[Block, Sequence[Fraction]], bits: int = 64
                         ) -> tuple[Fraction, Fraction]:
        """Rational ``lo <= C(u) <= hi``: the loss exactly, each ``||u_b||`` enclosed by
        integer square roots (``hi - lo <= lam * #blocks * 2^-bits`` roughly)."""
        L = self.loss(blocks)
        lo = hi = L
        for u in blocks.values():
            a, b = sqrt_bounds(sqnorm(u), bits)
            lo += self.lam * a
            hi += self.lam * b
        return lo, hi

    # -- dual -----------------------------------------------------------------------
    def correlation(self, block: Block, r: Sequence[Fraction]) -> Vec:
        """``c_b = s X^T D_i r``."""
        i, s = block
        bits = self.patterns.bits[i]
        d = self.data.d
        out = [Fraction(0)] * d
        for x, b, rk in zip(self.data.X, bits, r):
            if b == "1" and rk:
                for j in range(d):
                    out[j] += x[j] * rk
        return tuple(s * a for a in out)

    def dual_objective(self, r: Sequence[Fraction]) -> Fraction:
        """``r . y - ||r||^2 / 2``: a lower bound when ``r`` is dual feasible."""
        return dot(r, self.data.y) - sqnorm(r) / 2
