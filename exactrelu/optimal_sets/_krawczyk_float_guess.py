"""Float guesses for the enclosures of format 1.5 (:mod:`exactrelu.optimal_sets.enclosure`).

* the preconditioner ``C ~ J^-1`` of Krawczyk's test: any matrix ``C`` is sound
  (:mod:`exactrelu.optimal_sets.kkt_box`), a bad one only makes the exact test fail, so
  ``C`` is a float64 inverse of the exact Jacobian rounded to short dyadic rationals;
* a support for the KKT system from a refined dual point (:func:`dual_basis_guess`): a
  vertex of the float fit polytope; Krawczyk's test and check 11 accept or reject it.
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Sequence

import numpy as np

__all__ = ["float_preconditioner", "dual_basis_guess"]


def _dyadic_rel(x: float, bits: int) -> Fraction:
    """``x`` rounded to ``bits`` significant bits (a dyadic rational; 0 stays 0)."""
    if x == 0 or not math.isfinite(x):
        return Fraction(0)
    e = math.frexp(x)[1] - bits
    return Fraction(round(math.ldexp(x, -e))) * Fraction(2) ** e


def float_preconditioner(J: Sequence[Sequence[Fraction]], bits: int = 40
                         ) -> list[list[Fraction]] | None:
    """A float64 inverse of ``J`` with entries rounded to ``bits`` significant bits, or
    ``None`` when ``J`` is singular in floating point."""
    Jf = np.array([[float(x) for x in row] for row in J])
    try:
        Cf = np.linalg.inv(Jf)
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(Cf)):
        return None
    return [[_dyadic_rel(float(x), bits) for x in row] for row in Cf]


def dual_basis_guess(program, r, cands, *, seed: int = 0) -> tuple | None:
    """A support guess for the KKT system from a refined dual point ``r``, when the float
    solve's own guess fails (its basis can need ``alpha < 0`` when the active fits are
    nearly dependent): each candidate's direction and tight rows from the EXACT projection
    of its correlation at ``r`` (:func:`exactrelu.cones.project`), and the support of a
    vertex of ``{alpha >= 0 : sum alpha_b f_b = y - r}`` (HiGHS dual simplex: a basic
    solution, so independent fits).  Returns ``(S, T, v0, rho0, a0)`` for
    :func:`exactrelu.rational_optimum._newton`, or ``None``.  Only a guess: Krawczyk's
    test and check 11 decide."""
    from scipy.optimize import linprog

    from ..cones import cone_matrix, project

    data = program.data
    X, Xf, n, d = data.X, data.X_float(), data.n, data.d
    fits, info = [], []
    for i, s in cands:
        bits = program.patterns.bits[i]
        g = [s * sum((r[k] * X[k][j] for k in range(n) if bits[k] == "1"), Fraction(0))
             for j in range(d)]
        pr = project(cone_matrix(X, bits), g)
        v = np.array([float(x) for x in pr.v])
        D = np.array([ch == "1" for ch in bits], dtype=float)
        fits.append(s * D * (Xf @ v))
        T = sorted(k for k, val in pr.rho.items() if val > 0)
        info.append(((i, s), v, T, [float(pr.rho[k]) for k in T]))
    if not fits:
        return None
    F = np.array(fits).T
    fit = np.array([float(a - b) for a, b in zip(data.y, r)])
    cost = np.random.default_rng(seed).uniform(1.0, 2.0, len(fits))
    lp = linprog(cost, A_eq=F, b_eq=fit, bounds=(0, None), method="highs-ds")
    if lp.status != 0:
        return None
    w = lp.x
    keep = [j for j in range(len(fits)) if w[j] > 1e-9 * w.max()]
    S = [info[j][0] for j in keep]
    return (S, {info[j][0]: info[j][2] for j in keep}, {info[j][0]: info[j][1] for j in keep},
            {info[j][0]: info[j][3] for j in keep}, {info[j][0]: float(w[j]) for j in keep})
