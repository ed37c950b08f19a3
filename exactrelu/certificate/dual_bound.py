"""From a floating-point solve to exact, proved bounds (the trust boundary).

Lower bound (weak duality).  For any rational ``r`` and multipliers ``rho_b >= 0`` with
``||q_b||^2 <= lam^2`` for every block, ``q_b = s X^T D_i r + A_i^T rho_b``, the value
``r . y - ||r||^2 / 2`` is at most the optimum of the convex program.  The float residual
is rounded to a dyadic grid (``r = R / 2^K`` with integer ``R``), every block's
correlation ``c_b`` is computed exactly (one integer matrix product in python-flint),
blocks with ``||c_b||^2 <= lam^2`` need no multiplier, the others get the solver's
(rounded, clipped) NNLS multiplier, and finally ``r`` and ``rho`` are scaled by a dyadic
``t <= 1`` with ``t^2 max_b ||q_b||^2 <= lam^2`` -- checked by squaring, no square root.

Upper bound: see :mod:`exactrelu.certificate.produce` (the exact NC objective of a rational network).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Mapping, Sequence


from ..errors import ExactReluError
from ..linalg import int_matrix, lcm_den
from ..numbers import sqnorm, sqrt_bounds
from ..problem import Block, ConvexProgram

__all__ = ["DualBound", "exact_dual_bound", "dyadic", "exact_correlation_norms",
           "feasibility_scale"]


def dyadic(x: float, bits: int) -> Fraction:
    """``round(x * 2^bits) / 2^bits`` as an exact Fraction (an explicit float -> Q step)."""
    return Fraction(int(round(float(x) * (1 << bits))), 1 << bits)


@dataclass(frozen=True)
class DualBound:
    r: tuple[Fraction, ...]
    rho: dict            # {(i, s): {k: Fraction}} nonzero multipliers only
    lower: Fraction
    scale: Fraction      # the t applied to the rounded residual
    max_ratio_sq: Fraction   # max_b ||q_b||^2 / lam^2 before scaling
    seconds: float = 0.0


def _int_data(program: ConvexProgram) -> tuple[list[list[int]], int]:
    """``X = Z / L`` with an integer matrix ``Z`` and integer ``L`` (common denominator)."""
    return int_matrix(program.data.X)


def exact_correlation_norms(program: ConvexProgram, r: Sequence[Fraction]
                            ) -> tuple[list[list[int]], int]:
    """Exact correlations of every pattern at ``r``: integer rows ``C_i`` with
    ``X^T D_i r = C_i / den`` (the sign only flips them).  One flint product."""
    import flint

    Z, L = _int_data(program)
    den_r = lcm_den(r)
    R = [int(a * den_r) for a in r]
    n, d = program.data.n, program.data.d
    ZR = flint.fmpz_mat([[Z[k][j] * R[k] for j in range(d)] for k in range(n)])
    P = flint.fmpz_mat([[1 if ch == "1" else 0 for ch in b] for b in program.patterns.bits])
    C = (P * ZR).tolist()
    return [[int(v) for v in row] for row in C], L * den_r


def exact_dual_bound(program: ConvexProgram, residual: Sequence[float] | Sequence[Fraction],
                     rho_guess: Mapping[Block, Sequence[float]] | None = None, *,
                     bits: int = 48, project_violators: bool = False) -> DualBound:
    """A proved lower bound from a (float or rational) residual; see the module doc.

    ``project_violators``: a block whose guessed multiplier leaves ``||q_b|| > lam`` gets
    the exact projection multiplier instead (:func:`exactrelu.cones.project`), so that a
    residual refined far beyond float precision is not scaled down by the float error of
    its multipliers (used for refined, irrational optima)."""
    import time

    t0 = time.perf_counter()
    lam = program.lam
    if len(residual) and isinstance(residual[0], Fraction):
        r = tuple(residual)          # type: ignore[arg-type]
    else:
        r = tuple(dyadic(v, bits) for v in residual)
    C, den = exact_correlation_norms(program, r)
    Z, L = _int_data(program)                    # X = Z / L
    lam2_int = lam * lam * den * den             # compare ||C_i||^2 with lam^2 den^2
    la, lb = lam.numerator, lam.denominator
    one = 1 << bits
    Dq = math.lcm(den, L * one)                  # common denominator of q = c + A^T rho
    fc, fr = Dq // den, Dq // (L * one)
    worst = Fraction(0)
    rho: dict = {}
    for i, ci in enumerate(C):
        nc2 = sum(v * v for v in ci)
        if nc2 <= lam2_int:
            worst = max(worst, Fraction(nc2) / lam2_int)
            continue
        bits_i = program.patterns.bits[i]
        for s in (1, -1):
            guess = None if rho_guess is None else rho_guess.get((i, s))

            def rounded(mult) -> tuple[dict, int]:
                """Multipliers on the 2^-bits grid and ``||q||^2 Dq^2`` with them."""
                G = {k: int(round(g * one)) for k, g in mult}
                G = {k: g for k, g in G.items() if g > 0}
                return ({k: Fraction(g, one) for k, g in G.items()},
                        _q_norm_sq(ci, s, fc, fr, G, bits_i, Z))

            rr, nq2_int = rounded([] if guess is None else
                                  [(k, g) for k, g in enumerate(guess) if g > 0])
            if nq2_int * lb * lb > la * la * Dq * Dq and (project_violators or not rr):
                c = [Fraction(s * v, den) for v in ci]
                rr, nq2 = _greedy_multiplier(program, i, c)
                if project_violators:    # short multipliers (the scale t absorbs the rest)
                    rr, nq2_int = rounded(sorted(rr.items()))
                    nq2 = Fraction(nq2_int, Dq * Dq)
            else:
                nq2 = Fraction(nq2_int, Dq * Dq)
            worst = max(worst, nq2 / (lam * lam))
            if rr:
                rho[(i, s)] = rr
    t = feasibility_scale(worst, bits)
    if t != 1:
        r = tuple(t * a for a in r)
        rho = {b: {k: t * v for k, v in m.items()} for b, m in rho.items()}
    # X^T D_i (t r) = t C_i / den: the correlations at the scaled r without recomputing
    rho = _short_multipliers(program, [[v * t.numerator for v in ci] for ci in C],
                             den * t.denominator, Z, L, rho)
    lower = program.dual_objective(r)
    return DualBound(r, rho, lower, t, worst, time.perf_counter() - t0)


def feasibility_scale(worst: Fraction, bits: int) -> Fraction:
    """A dyadic ``t <= 1`` with ``t^2 worst <= 1`` (checked by squaring; ``1`` when
    ``worst <= 1``): scaling a residual whose worst dual ratio ``||q||^2 / lam^2`` is
    ``worst`` by ``t`` makes it dual feasible."""
    if worst <= 1:
        return Fraction(1)
    lo, _ = sqrt_bounds(1 / worst, bits + 16)
    t = Fraction(math.floor(lo * (1 << (bits + 16))), 1 << (bits + 16))
    if t * t * worst > 1:  # pragma: no cover - guaranteed by sqrt_bounds
        raise ExactReluError("internal: dual scaling failed")
    return t


#: Dyadic precisions tried for a shorter multiplier (bits after the binary point).
_SHORT_BITS = (2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 160)


def _q_norm_sq(ci: Sequence[int], s: int, fc: int, fr: int, G: Mapping[int, int],
               bits_i: str, Z: Sequence[Sequence[int]]) -> int:
    """``||q||^2 Dq^2`` for ``q = s X^T D_i r + A_i^T rho`` in integers: ``ci = C_i``
    (``X^T D_i r = C_i / den``), ``rho_k = G_k / one``, ``Dq = fc den = fr L one``."""
    q = [s * v * fc for v in ci]
    for k, g in G.items():
        w = g * fr if bits_i[k] == "1" else -g * fr
        zk = Z[k]
        for j in range(len(q)):
            q[j] += w * zk[j]
    return sum(v * v for v in q)


def _short_multipliers(program: ConvexProgram, C: Sequence[Sequence[int]], den: int,
                       Z: Sequence[Sequence[int]], L: int, rho: dict) -> dict:
    """Each multiplier replaced by the coarsest dyadic rounding (``_SHORT_BITS``) that
    keeps its block feasible, ``||s X^T D_i r + A_i^T rho||^2 <= lam^2`` (tested exactly in
    integers; ``X^T D_i r = C_i / den``, ``X = Z / L``), else kept.  The scaled multipliers
    ``t rho`` have ~110-bit denominators (about 66 characters each); most blocks have
    slack and need a few bits (issue 14)."""
    la, lb = program.lam.numerator, program.lam.denominator
    bits_of = program.patterns.bits
    out = {}
    for (i, s), m in rho.items():
        out[(i, s)] = m
        for B in _SHORT_BITS:
            one = 1 << B
            G = {k: round(v * one) for k, v in m.items()}
            G = {k: v for k, v in G.items() if v > 0}
            Dq = math.lcm(den, L * one)
            fc, fr = Dq // den, Dq // (L * one)
            if _q_norm_sq(C[i], s, fc, fr, G, bits_of[i], Z) * lb * lb <= la * la * Dq * Dq:
                out[(i, s)] = {k: Fraction(v, one) for k, v in G.items()}
                break
    return out


def _greedy_multiplier(program: ConvexProgram, i: int, c: list[Fraction]
                       ) -> tuple[dict[int, Fraction], Fraction]:
    """Exact multiplier for one block when no float guess is available: the exact
    projection if the cone module is present, else rho = 0."""
    from ..cones import cone_matrix, project

    proj = project(cone_matrix(program.data.X, program.patterns.bits[i]), c)
    return dict(proj.rho), sqnorm(proj.v)
