r"""The convex program restricted to a set of blocks (all other blocks zero), exactly.

A width-``m`` network maps to at most ``m`` convex blocks (NC -> C never increases the
objective) and ``m`` blocks map back to ``m`` neurons with the same objective, so the
width-``m`` optimum is a minimum of restricted programs (docs/theory.md §2.12).  A
restricted optimum is proved exactly from a rational residual ``r``: every block of the
subset dual feasible (``||Pi_{K_b}(correlation)||^2 <= lam^2``, exact projections), the
fit ``y - r`` a non-negative combination of the equicorrelated fits, and equal primal and
dual values.  Otherwise proved bounds: weak duality for the restricted dual below, the
exact objective (norms enclosed) of the rounded, projected float solution above.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Sequence

from ..numbers import sqnorm, sqrt_bounds
from ..problem import Block, ConvexProgram
from ._float_guess import _residual_guesses, _restricted_float
from ._shared import _ZERO, Vec, _cone_getter, _nonneg_solve, _round_out


@dataclass(frozen=True)
class RestrictedOptimum:
    """Optimum of the convex program restricted to the blocks ``subset`` (all other
    blocks zero): ``lower <= V <= upper``; ``exact`` when ``lower == upper == value``.
    ``solution`` = ``{(i, s): u}`` nonzero blocks (exact, or float rounded and projected
    into the cones -- the point behind ``upper``); ``fit`` its fit (exact)."""

    subset: tuple[Block, ...]
    lam: Fraction
    lower: Fraction
    upper: Fraction
    exact: bool
    value: Fraction | None
    solution: dict
    fit: Vec
    float_value: float = float("nan")

    @property
    def support(self) -> frozenset:
        return frozenset(self.solution)


def _restricted_exact(program: ConvexProgram, subset: Sequence[Block], r: Sequence[Fraction],
                      cone) -> RestrictedOptimum | None:
    """Prove that the rational residual ``r`` is optimal for the program restricted to
    ``subset`` (exact projections + non-negative combination), else ``None``."""
    from ..cones import project

    lam = program.lam
    lam2 = lam * lam
    data = program.data
    r = tuple(Fraction(a) for a in r)
    E, v = [], {}
    for b in subset:
        pr = project(cone(b[0]), program.correlation(b, r))
        q = pr.sqnorm
        if q > lam2:
            return None
        if q == lam2:
            E.append(b)
            v[b] = pr.v
    yhat = tuple(a - c for a, c in zip(data.y, r))
    if any(yhat):
        al = _nonneg_solve([program.block_fit(b, v[b]) for b in E], yhat)
        if al is None:
            return None
    else:
        al = [_ZERO] * len(E)
    sol = {b: tuple(a * x for x in v[b]) for b, a in zip(E, al) if a}
    value = program.dual_objective(r)
    primal = sqnorm(r) / 2 + lam * lam * sum(al, _ZERO)     # ||u_b|| = alpha_b lam
    if primal != value:
        return None
    return RestrictedOptimum(tuple(subset), lam, value, value, True, value, sol, yhat)


def restricted_optimum(program: ConvexProgram, subset: Sequence[Block], *, cone=None,
                       tol: float = 1e-12, bits: int = 48) -> RestrictedOptimum:
    """Exact optimum (when rational and found) or proved bounds of the convex program
    restricted to the blocks ``subset`` of ``program``.

    Float solve (Clarabel) -> rational reconstruction of the residual -> exact proof
    (every block of ``subset`` dual feasible, ``yhat`` a non-negative combination of the
    equicorrelated fits).  Otherwise: lower bound by weak duality for the restricted
    dual (rounded residual, exact projections, exact scaling), upper bound = the exact
    objective (norms enclosed) of the rounded solution projected into its cones."""
    data, lam = program.data, program.lam
    if cone is None:
        cone = _cone_getter(data, program.patterns)
    subset = tuple(subset)
    if not subset:
        v = sqnorm(data.y) / 2
        return RestrictedOptimum((), lam, v, v, True, v, {}, tuple(_ZERO for _ in data.y),
                                 float(v))
    U, rf, obj = _restricted_float(program, subset, tol)
    for r in _residual_guesses(program, subset, U, rf):
        res = _restricted_exact(program, subset, r, cone)
        if res is not None:
            return replace(res, float_value=obj)
    return _restricted_bounds(program, subset, cone, U, rf, obj, bits)


def _restricted_bounds(program: ConvexProgram, subset: tuple[Block, ...], cone, U, rf,
                       obj: float, bits: int) -> RestrictedOptimum:
    """Proved bounds from the float solve ``U``, ``rf``: weak duality below (the residual
    rounded to dyadics, scaled exactly into the dual feasible set), the exact objective of
    the rounded solution projected into its cones above."""
    from ..certificate.dual_bound import dyadic
    from ..cones import project

    lam = program.lam
    lam2 = lam * lam
    r = tuple(dyadic(x, bits) for x in rf)
    worst = _ZERO
    for b in subset:
        q = project(cone(b[0]), program.correlation(b, r)).sqnorm
        worst = max(worst, q / lam2)
    if worst > 1:
        lo, _ = sqrt_bounds(1 / worst, bits + 16)
        t = Fraction(math.floor(lo * (1 << (bits + 16))), 1 << (bits + 16))
        r = tuple(t * a for a in r)
    lower = program.dual_objective(r)
    sol: dict = {}
    for (i, s), u in zip(subset, U):
        uq = tuple(dyadic(x, bits) for x in u)
        if any(uq) and program.cone_violation(i, uq) is not None:
            uq = project(cone(i), uq).v
        if any(uq):
            sol[(i, s)] = uq
    _, hi = program.objective_bounds(sol, bits=96)
    fit = program.fit(sol)
    return RestrictedOptimum(subset, lam, _round_out(lower, False), _round_out(hi, True),
                             False, None, sol, fit, obj)
