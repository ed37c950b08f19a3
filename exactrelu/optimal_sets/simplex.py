r"""Exact linear programs over ``P = {alpha >= 0 : M alpha = b}``.

``max c.alpha`` over ``P`` (docs/theory.md §2.5: the support ``S`` is found by one LP per
coordinate) is solved by an exact revised primal simplex over flint rationals: from a basis
``B`` (``m`` independent columns), ``alpha_B = M_B^-1 b`` and the dual ``mu = M_B^-T c_B``;
the basis is optimal when ``alpha_B >= 0`` and every reduced cost ``c_j - m_j.mu <= 0``,
both checked exactly, which is the optimality certificate (weak duality: ``c.alpha' <=
b.mu = c.alpha`` for every ``alpha'`` in ``P``).  The start basis is a guess of a float LP
(:mod:`._float_guess`), repaired by an exact dual simplex when it is not primal feasible,
or else the basis completed from an exact vertex obtained by :func:`purify` (Algorithm 1
of the paper: move along null-space directions until the support columns are
independent).  cdd's exact LP (:func:`exactrelu.lp.solve`) is the last resort.
"""
from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Sequence

import flint

from ..errors import ExactReluError
from ..linalg import fq as _fq, fr as _fr, int_rows as _int_rows
from ..lp import solve as lp_solve
from ..numbers import dot, q_vector
from ._float_guess import float_basis, pivot_scales

if TYPE_CHECKING:
    from .polytope import Polytope

__all__ = ["lp", "lp_cdd", "complete_basis", "primal_simplex", "dual_simplex", "purify"]

Vec = tuple[Fraction, ...]
_ZERO = Fraction(0)


def lp(P: Polytope, c: Sequence[object], *, maximize: bool = True) -> tuple[Fraction, Vec]:
    """Exact LP ``max (or min) c.alpha`` over ``P``: ``(value, vertex)``.

    Route: an exact revised primal simplex (flint; Dantzig's rule, Bland's rule after
    50 degenerate pivots, so it terminates) started from a basis guessed by a float
    LP (HiGHS) when that basis is primal feasible, else from an exact vertex
    (:func:`purify` of the known point).  At the end ``alpha_B = M_B^-1 b >= 0`` and
    every reduced cost has the right sign, both exactly: an optimality certificate
    (the dual ``mu`` is kept in ``P.last_dual``).  cdd's exact LP is the last
    resort.  The optimiser returned is a vertex."""
    cq = q_vector(c)
    p = P.point
    if p is None:
        raise ExactReluError("the polytope is empty")
    P.last_dual = None
    if not P.null_basis:
        return dot(cq, p), p
    cmax = cq if maximize else tuple(-a for a in cq)
    res = None
    try:
        B = float_basis(P, cmax)
        if B is not None:
            res = primal_simplex(P, B, cmax)
            if res is None:                   # not primal feasible: repair it
                B = dual_simplex(P, B, cmax)
                if B is not None:
                    res = primal_simplex(P, B, cmax)
        if res is None:
            v = purify(P, p, cmax)
            res = primal_simplex(P, complete_basis(P, P.support_of(v)), cmax)
    except (ArithmeticError, ValueError, ImportError):      # pragma: no cover
        res = None
    if res is None:                                         # pragma: no cover
        alpha = purify(P, lp_cdd(P, cmax), cmax)
    else:
        alpha, mu = res
        P.last_dual = mu if maximize else tuple(-a for a in mu)
    return dot(cq, alpha), alpha


def lp_cdd(P: Polytope, cmax: Sequence[Fraction]) -> Vec:
    """``argmax cmax.alpha`` over ``P`` by cdd's exact LP in null-space coordinates
    ``alpha = p + N z`` (``p`` the known point), checked to lie in ``P``."""
    p = P.point
    N = P.null_basis
    k = len(N)
    # alpha = p + N z >= 0, z free; objective cmax . alpha
    res = lp_solve([sum((cmax[i] * N[j][i] for i in range(P.L) if N[j][i]), _ZERO)
                    for j in range(k)],
                   A_ge=[[Fraction(N[j][i]) for j in range(k)] for i in range(P.L)],
                   b_ge=[-a for a in p], maximize=True, offset=dot(cmax, p))
    if res is None:                                         # pragma: no cover
        raise ExactReluError("internal: exact LP ended without an optimum")
    z = res[1]
    alpha = tuple(p[i] + sum((N[j][i] * z[j] for j in range(k) if N[j][i]), _ZERO)
                  for i in range(P.L))
    if not P.contains(alpha):                           # pragma: no cover
        raise ExactReluError("internal: LP optimiser outside the polytope")
    return alpha


def complete_basis(P: Polytope, S: Sequence[int]) -> list[int]:
    """``m`` independent columns containing the independent columns ``S`` (exact:
    the pivot columns of the RREF of ``M`` with the columns of ``S`` first)."""
    m, L = len(P._eq_rows), P.L
    order = list(S) + [j for j in range(L) if j not in set(S)]
    rows = [[r[j] for j in order] for r in P._eq_rows]
    R, den, rk = _int_rows(rows).rref()
    piv = []
    for i in range(rk):
        for t in range(L):
            if R[i, t] != 0:
                piv.append(order[t])
                break
    if rk != m or not set(S) <= set(piv):                   # pragma: no cover
        raise ExactReluError("internal: cannot complete the basis")
    return piv


def primal_simplex(P: Polytope, B: list[int], cmax: Sequence[Fraction],
                   max_pivots: int | None = None) -> tuple[Vec, Vec] | None:
    """Exact revised primal simplex maximising ``cmax`` from the basis ``B``;
    ``None`` if ``B`` is not primal feasible.  Returns ``(alpha, mu)`` with ``mu``
    on all ``n`` rows (zero on the dropped dependent equations):
    ``alpha >= 0``, ``M alpha = b``, ``cmax_j <= m_j.mu`` for every ``j`` and
    ``cmax.alpha = b.mu`` -- verified exactly."""
    m, L = len(P._eq_rows), P.L
    Mq = P._eq_fmpq()
    bq = flint.fmpq_mat(m, 1, [_fq(a) for a in P._eq_rhs])
    cq = [_fq(a) for a in cmax]
    B = list(B)
    scale = pivot_scales(Mq, m, L)                # float: only picks the pivot
    bland, degenerate = False, 0
    limit = max_pivots if max_pivots is not None else 50 * L + 1000
    for _ in range(limit):
        MB = flint.fmpq_mat(m, m, [Mq[i, j] for i in range(m) for j in B])
        xB = MB.solve(bq).entries()
        if any(a < 0 for a in xB):
            return None
        mu = MB.transpose().solve(flint.fmpq_mat(m, 1, [cq[j] for j in B]))
        red = (mu.transpose() * Mq).entries()         # m_j . mu
        inB = set(B)
        cand = [j for j in range(L) if j not in inB and cq[j] - red[j] > 0]
        if not cand:                                  # optimal: exact certificate
            alpha = [_ZERO] * L
            for j, a in zip(B, xB):
                alpha[j] = _fr(a)
            mu_full = [_ZERO] * P.n
            for k, i in enumerate(P._keep):
                mu_full[i] = _fr(mu[k, 0])
            out = tuple(alpha)
            if not P.contains(out):                # pragma: no cover
                return None
            return out, tuple(mu_full)
        if bland:
            enter = cand[0]
        else:                                         # Dantzig on scaled reduced costs
            enter = max(cand, key=lambda j: float(cq[j] - red[j]) * scale[j])
        d = MB.solve(flint.fmpq_mat(m, 1, [Mq[i, enter] for i in range(m)])).entries()
        ratios = [(xB[t] / d[t], B[t], t) for t in range(m) if d[t] > 0]
        if not ratios:                                # pragma: no cover
            raise ExactReluError("the LP is unbounded")
        best = min(r for r, _, _ in ratios)
        t = min((B_, t) for r, B_, t in ratios if r == best)[1]   # Bland
        degenerate = degenerate + 1 if best == 0 else 0
        bland = bland or degenerate > 50              # anti-cycling: Bland from now on
        B[t] = enter
    return None                                       # pragma: no cover


def dual_simplex(P: Polytope, B: list[int], cmax: Sequence[Fraction],
                 max_pivots: int | None = None) -> list[int] | None:
    """A primal-feasible basis from any basis ``B``, exactly: the costs of the
    nonbasic columns with a positive reduced cost are shifted to make ``B`` dual
    feasible, then the dual simplex (most negative ``x_B`` leaves, min-ratio column
    enters, ties by index) runs until ``M_B^-1 b >= 0``.  ``None`` if it fails."""
    m, L = len(P._eq_rows), P.L
    Mq = P._eq_fmpq()
    bq = flint.fmpq_mat(m, 1, [_fq(a) for a in P._eq_rhs])
    c = [_fq(a) for a in cmax]
    B = list(B)
    MB = flint.fmpq_mat(m, m, [Mq[i, j] for i in range(m) for j in B])
    mu = MB.transpose().solve(flint.fmpq_mat(m, 1, [c[j] for j in B]))
    red = (mu.transpose() * Mq).entries()
    for j in range(L):
        if c[j] - red[j] > 0:
            c[j] = red[j]                              # cost shifting
    limit = max_pivots if max_pivots is not None else 50 * L + 1000
    for _ in range(limit):
        MB = flint.fmpq_mat(m, m, [Mq[i, j] for i in range(m) for j in B])
        xB = MB.solve(bq).entries()
        neg = [t for t in range(m) if xB[t] < 0]
        if not neg:
            return B
        t = min(neg, key=lambda u: (xB[u], B[u]))
        e = flint.fmpq_mat(m, 1, [flint.fmpq(int(i == t)) for i in range(m)])
        rho = MB.transpose().solve(e)
        a = (rho.transpose() * Mq).entries()
        mu = MB.transpose().solve(flint.fmpq_mat(m, 1, [c[j] for j in B]))
        red = (mu.transpose() * Mq).entries()
        inB = set(B)
        cand = [j for j in range(L) if j not in inB and a[j] < 0]
        if not cand:                                   # pragma: no cover
            return None                                # primal infeasible
        j = min(cand, key=lambda u: ((c[u] - red[u]) / a[u], u))
        B[t] = j
    return None                                        # pragma: no cover


def purify(P: Polytope, alpha: Sequence[Fraction], c: Sequence[Fraction] | None = None) -> Vec:
    """A vertex ``alpha'`` with support inside that of ``alpha`` (and ``c.alpha' >=
    c.alpha`` when ``c`` is given): while some ``d = N t`` of the null space vanishes
    off the support (``N_Z t = 0``, ``Z`` the zero coordinates), move along ``d`` (the
    way that does not decrease ``c``) until a coordinate hits 0 -- Algorithm 1 of the
    paper in ``alpha`` coordinates.  At most ``dim ker M`` steps, each a small exact
    null space (python-flint)."""
    alpha = list(q_vector(alpha))
    cq = q_vector(c) if c is not None else (_ZERO,) * P.L
    N = P.null_basis
    k = len(N)
    while k:
        Z = [j for j, a in enumerate(alpha) if a == 0]
        if Z:
            K, q = flint.fmpz_mat([[N[t][j] for t in range(k)] for j in Z]).nullspace()
            if q == 0:
                break
            tvec = [int(K[t, 0]) for t in range(k)]
        else:
            tvec = [1] + [0] * (k - 1)
        dvec = [sum(tvec[t] * N[t][j] for t in range(k) if tvec[t]) for j in range(P.L)]
        slope = sum((cq[j] * dvec[j] for j in range(P.L) if dvec[j]), _ZERO)
        if slope < 0 or (slope == 0 and all(x >= 0 for x in dvec)):
            dvec = [-x for x in dvec]
        neg = [(alpha[j] / -x, j) for j, x in enumerate(dvec) if x < 0]
        if not neg:                                        # pragma: no cover
            raise ExactReluError("the polytope is unbounded")
        step = min(neg)[0]
        alpha = [a + step * x if x else a for a, x in zip(alpha, dvec)]
        if any(a < 0 for a in alpha):                      # pragma: no cover
            raise ExactReluError("internal: purification overshoot")
    out = tuple(alpha)
    if not P.is_vertex(out):                            # pragma: no cover
        raise ExactReluError("internal: purification did not end at a vertex")
    return out
