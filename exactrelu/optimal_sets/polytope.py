r"""The optimal set of the convex program (and of ReLU training), exactly.

Mishkin & Pilanci (2023), docs/theory.md §2.2-2.9, §2.12.  Given the exact optimal
residual ``r`` (so the fit ``yhat = y - r`` is known), every optimum of a constrained group
lasso (CGL) -- C-ReLU is one, with blocks ``b = (i, s)``, ``Z_b = s D_i X`` and cones
``K_b = {u : A_b u >= 0}`` -- is ``w_b = alpha_b v_b``, where

* ``v_b = Proj_{K_b}(Z_b^T r)`` with projection multipliers ``rho_b`` (Moreau),
* ``E = {b : ||v_b||^2 = lam^2}`` is the *equicorrelation set* (all other blocks are zero),
* ``alpha`` ranges over the polytope
  ``P = {alpha in R^E, alpha >= 0 : sum_b alpha_b Z_b v_b = yhat}`` (docs/theory.md §2.4).

On ``P`` the objective is constant: ``||w_b|| = alpha_b lam`` and
``sum_b alpha_b = <yhat, r> / lam^2`` (so ``P`` is bounded).  This module computes, all in
exact rational arithmetic (``fractions.Fraction`` at the API, python-flint and
``cdd.gmp`` inside):

* the **support set** ``S = {b : max_{alpha in P} alpha_b > 0}`` by exact LPs;
* **all vertices** of ``P`` (pycddlib, exact); a vertex is exactly a point whose active
  fits are linearly independent, i.e. a *support-minimal* optimal model (docs/theory.md §2.9,
  Lemma 8 of ``proofs_checks/SPEC.md``); each is re-verified independently;
* the **uniqueness verdict**: the optimum is unique iff the fits of ``S`` are linearly
  independent (docs/theory.md §2.7); otherwise a null vector is returned as witness;
* the **min-norm solution** ``argmin ||w||`` (= ``argmin ||alpha||`` over ``P``), with its
  exact KKT certificate ``alpha = (M^T mu)_+`` (docs/theory.md §2.12, T23);
* both notions of minimality (docs/theory.md §2.9): *support-minimal* (= vertex) and
  *cardinality-minimal* (fewest neurons = the minimum over the vertices);
* the ``optimal_set`` section of a certificate (format v1, check 6).

Two meanings of "minimal" (docs/theory.md §2.9): a model is **support-minimal** when no optimal
model has a support strictly contained in its own (equivalently: a vertex of ``P``;
equivalently: its active fits are independent), and **cardinality-minimal** when no
optimal model has fewer nonzero blocks.  Cardinality-minimal implies support-minimal, not
conversely (Example B: vertices with 2 and with 1 blocks).

The polytope machinery (:class:`Polytope`) is generic: it runs on any
``{alpha >= 0 : M alpha = b}`` given by exact columns, and :func:`cgl_optimal_set` runs it
on a generic CGL (:class:`CGL`: ``Z``, blocks, cones) from its optimal residual.

Floats are used only to *guess* (the support of the min-norm point); every returned
object has passed an exact check.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations
from typing import Any, Iterable, Mapping, Sequence

import flint

from ..errors import ExactReluError, ShapeError
from ..numbers import dot, q_matrix, q_str, q_vector, sqnorm, to_q
from ..linalg import int_rows as _int_rows, fq as _fq, fr as _fr, lcm_den as _lcm_den, qmat as _qmat_rows
from ..lp import solve as lp_solve, vertices as lp_vertices
from ..linalg import (independent, independent_rows,
                     least_norm_solution, null_basis, null_vector, rank)


__all__ = [
    # exact linear algebra
    "rank", "null_vector", "null_basis", "independent",
    # the generic polytope
    "Polytope", "MinNorm", "PolytopeTooLarge", "Samples", "mix_vertices",
    # optimal sets
    "CGL", "OptimalSet", "cgl_optimal_set", "optimal_set", "optimal_set_section",
    "example_b",
    # minimality and networks
    "Minimality", "minimality", "network_minimality", "corollary41_network",
    "check_collinear", "check_segment", "objective_at",
]

Vec = tuple[Fraction, ...]
_ZERO = Fraction(0)
_ONE = Fraction(1)


class PolytopeTooLarge(ExactReluError):
    """Vertex enumeration would exceed the given limit (use LPs instead)."""


# ===================================================================== exact linear algebra

def _cols_to_rows(cols: Sequence[Sequence[Fraction]], n: int) -> list[list[Fraction]]:
    return [[c[k] for c in cols] for k in range(n)]


# ====================================================================== the polytope

@dataclass(frozen=True)
class MinNorm:
    """``alpha = argmin ||alpha||^2`` over the polytope with its certificate ``mu``:
    ``alpha = (M^T mu)_+`` and ``M alpha = b`` (then ``alpha`` is the unique minimiser:
    ``M^T mu <= alpha`` and ``b.mu = ||alpha||^2`` make ``mu`` dual optimal)."""

    alpha: Vec
    mu: Vec
    method: str


class Polytope:
    """``P = {alpha in Q^L : alpha >= 0, sum_j alpha_j cols_j = b}``, exact.

    ``cols`` are the ``L`` columns (each of length ``n``) of ``M``; ``b`` has length ``n``;
    ``labels`` name the coordinates (e.g. blocks).  ``point`` is an optional known feasible
    point (checked exactly); without it one is found by an exact LP.  Every method
    returns exactly verified results.
    """

    def __init__(self, cols: Sequence[Sequence[object]], b: Sequence[object], *,
                 labels: Sequence[Any] | None = None, point: Sequence[object] | None = None,
                 bounded: bool | None = None) -> None:
        self.cols: tuple[Vec, ...] = tuple(q_vector(c) for c in cols)
        self.b: Vec = q_vector(b)
        self.n = len(self.b)
        self.L = len(self.cols)
        for j, c in enumerate(self.cols):
            if len(c) != self.n:
                raise ShapeError(f"column {j} has {len(c)} entries, b has {self.n}")
        self.labels = tuple(labels) if labels is not None else tuple(range(self.L))
        if len(self.labels) != self.L:
            raise ShapeError("one label per column is needed")
        self._rows = _cols_to_rows(self.cols, self.n)
        keep = independent_rows(self._rows, self.L) if self.L else []
        self._keep = keep
        self._eq_rows = [self._rows[k] for k in keep]          # independent equations
        self._eq_rhs = [self.b[k] for k in keep]
        self.rank = len(keep)
        self._point: Vec | None = None
        if point is not None:
            p = q_vector(point)
            if not self.contains(p):
                raise ExactReluError("the given point is not in the polytope")
            self._point = p
        self._basis: list[tuple[int, ...]] | None = None
        self._vertices: list[Vec] | None = None

    # -- membership ------------------------------------------------------------------
    def fit_of(self, alpha: Sequence[Fraction]) -> Vec:
        """``M alpha`` exactly (one flint product for large polytopes)."""
        if self.L * self.n > 400:
            if getattr(self, "_Mfull", None) is None:
                self._Mfull = _qmat_rows(self._rows, self.L)
            col = flint.fmpq_mat(self.L, 1, [_fq(a) for a in alpha])
            return tuple(_fr(x) for x in (self._Mfull * col).entries())
        out = [_ZERO] * self.n
        for a, c in zip(alpha, self.cols):
            if a:
                for k in range(self.n):
                    if c[k]:
                        out[k] += a * c[k]
        return tuple(out)

    def contains(self, alpha: Sequence[Fraction]) -> bool:
        """``alpha >= 0`` and ``M alpha = b`` (exact)."""
        return len(alpha) == self.L and all(a >= 0 for a in alpha) and \
            self.fit_of(alpha) == self.b

    def support_of(self, alpha: Sequence[Fraction]) -> tuple[int, ...]:
        return tuple(j for j, a in enumerate(alpha) if a)

    def is_vertex(self, alpha: Sequence[Fraction]) -> bool:
        """A point of ``P`` is a vertex iff the columns on its support are independent."""
        return self.contains(alpha) and \
            independent([self.cols[j] for j in self.support_of(alpha)], self.n)

    # -- feasibility and the null space ---------------------------------------------
    @property
    def empty(self) -> bool:
        return self.point is None

    @property
    def point(self) -> Vec | None:
        """A feasible point (exact LP if none was given), or ``None`` if ``P`` is empty."""
        if self._point is None:
            self._point = self._feasible_point()
        return self._point

    def _feasible_point(self) -> Vec | None:
        if self.L == 0:
            return () if not any(self.b) else None
        if not self._eq_rows and any(self.b):
            return None
        res = lp_solve([_ONE] * self.L, A_eq=self._eq_rows, b_eq=self._eq_rhs, nonneg=True)
        if res is None:
            return None
        al = tuple(res[1])
        if not self.contains(al):                              # pragma: no cover
            raise ExactReluError("internal: cdd returned an infeasible point")
        return al

    @property
    def null_basis(self) -> list[tuple[int, ...]]:
        """Integer basis ``N`` of ``ker M`` (``dim P = len(N)`` when ``P`` has an interior
        point relative to the orthant; in general ``dim P <= len(N)``)."""
        if self._basis is None:
            self._basis = null_basis(self.cols, self.n) if self.L else []
        return self._basis

    # -- linear programs --------------------------------------------------------------
    def lp(self, c: Sequence[object], *, maximize: bool = True) -> tuple[Fraction, Vec]:
        """Exact LP ``max (or min) c.alpha`` over ``P``: ``(value, vertex)``.

        Route: an exact revised primal simplex (flint; Dantzig's rule, Bland's rule after
        50 degenerate pivots, so it terminates) started from a basis guessed by a float
        LP (HiGHS) when that basis is primal feasible, else from an exact vertex
        (:meth:`purify` of the known point).  At the end ``alpha_B = M_B^-1 b >= 0`` and
        every reduced cost has the right sign, both exactly: an optimality certificate
        (the dual ``mu`` is kept in ``self.last_dual``).  cdd's exact LP is the last
        resort.  The optimiser returned is a vertex."""
        cq = q_vector(c)
        p = self.point
        if p is None:
            raise ExactReluError("the polytope is empty")
        self.last_dual = None
        if not self.null_basis:
            return dot(cq, p), p
        cmax = cq if maximize else tuple(-a for a in cq)
        res = None
        try:
            B = self._float_basis(cmax)
            if B is not None:
                res = self._simplex(B, cmax)
                if res is None:                   # not primal feasible: repair it
                    B = self._dual_simplex(B, cmax)
                    if B is not None:
                        res = self._simplex(B, cmax)
            if res is None:
                v = self.purify(p, cmax)
                res = self._simplex(self._complete_basis(self.support_of(v)), cmax)
        except (ArithmeticError, ValueError, ImportError):      # pragma: no cover
            res = None
        if res is None:                                         # pragma: no cover
            alpha = self.purify(self._lp_cdd(cmax), cmax)
        else:
            alpha, mu = res
            self.last_dual = mu if maximize else tuple(-a for a in mu)
        return dot(cq, alpha), alpha

    def _lp_cdd(self, cmax: Sequence[Fraction]) -> Vec:
        p = self.point
        N = self.null_basis
        k = len(N)
        # alpha = p + N z >= 0, z free; objective cmax . alpha
        res = lp_solve([sum((cmax[i] * N[j][i] for i in range(self.L) if N[j][i]), _ZERO)
                        for j in range(k)],
                       A_ge=[[Fraction(N[j][i]) for j in range(k)] for i in range(self.L)],
                       b_ge=[-a for a in p], maximize=True, offset=dot(cmax, p))
        if res is None:                                         # pragma: no cover
            raise ExactReluError("internal: exact LP ended without an optimum")
        z = res[1]
        alpha = tuple(p[i] + sum((N[j][i] * z[j] for j in range(k) if N[j][i]), _ZERO)
                      for i in range(self.L))
        if not self.contains(alpha):                           # pragma: no cover
            raise ExactReluError("internal: LP optimiser outside the polytope")
        return alpha

    def _eq_fmpq(self) -> flint.fmpq_mat:
        if getattr(self, "_Mq", None) is None:
            self._Mq = _qmat_rows(self._eq_rows, self.L)
        return self._Mq

    def _float_basis(self, cmax: Sequence[Fraction]) -> list[int] | None:
        """A basis guessed by a float LP (HiGHS, columns scaled to unit norm): the columns
        with a positive value, then those with the smallest reduced cost, kept while
        independent (float Gram-Schmidt), checked nonsingular exactly."""
        import numpy as np
        from scipy.optimize import linprog

        m, L = len(self._eq_rows), self.L
        Mf = np.array([[float(a) for a in r] for r in self._eq_rows])
        bf = np.array([float(a) for a in self._eq_rhs])
        cn = np.linalg.norm(Mf, axis=0)
        cn[cn == 0] = 1.0
        A = Mf / cn
        rs = np.abs(A).max(axis=1)
        rs[rs == 0] = 1.0
        cf = np.array([float(a) for a in cmax]) / cn
        sc = float(np.abs(cf).max()) or 1.0
        try:
            res = linprog(-cf / sc, A_eq=A / rs[:, None], b_eq=bf / rs, bounds=(0, None),
                          method="highs-ds")
        except ValueError:                                      # pragma: no cover
            return None
        if res.status != 0:
            return None
        x = np.asarray(res.x)
        red = np.abs(np.asarray(res.lower.marginals)) if res.lower is not None else np.zeros(L)
        tol = 1e-12 * max(1.0, float(x.max()))
        order = sorted(range(L), key=lambda j: (0, -x[j]) if x[j] > tol else (1, red[j]))
        return self._independent_columns(order, m)

    def _independent_columns(self, order: Sequence[int], m: int) -> list[int] | None:
        """The first ``m`` columns of ``order`` kept by a float Gram-Schmidt (a guess),
        checked nonsingular exactly; ``None`` if the guess fails."""
        import numpy as np

        Mf = np.array([[float(a) for a in r] for r in self._eq_rows])
        nrm = np.linalg.norm(Mf, axis=0)
        nrm[nrm == 0] = 1.0
        A = Mf / nrm
        B, Q = [], np.zeros((m, 0))
        for j in order:
            v = A[:, j] - Q @ (Q.T @ A[:, j])
            v = v - Q @ (Q.T @ v)
            nv = np.linalg.norm(v)
            if nv > 1e-9:
                B.append(j)
                Q = np.hstack([Q, (v / nv)[:, None]])
                if len(B) == m:
                    break
        if len(B) != m:
            return None
        Mq = self._eq_fmpq()
        MB = flint.fmpq_mat(m, m, [Mq[i, j] for i in range(m) for j in B])
        return B if MB.rank() == m else None

    def _complete_basis(self, S: Sequence[int]) -> list[int]:
        """``m`` independent columns containing the independent columns ``S`` (exact:
        the pivot columns of the RREF of ``M`` with the columns of ``S`` first)."""
        m, L = len(self._eq_rows), self.L
        order = list(S) + [j for j in range(L) if j not in set(S)]
        rows = [[r[j] for j in order] for r in self._eq_rows]
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

    def _simplex(self, B: list[int], cmax: Sequence[Fraction], max_pivots: int | None = None
                 ) -> tuple[Vec, Vec] | None:
        """Exact revised primal simplex maximising ``cmax`` from the basis ``B``;
        ``None`` if ``B`` is not primal feasible.  Returns ``(alpha, mu)`` with ``mu``
        on all ``n`` rows (zero on the dropped dependent equations):
        ``alpha >= 0``, ``M alpha = b``, ``cmax_j <= m_j.mu`` for every ``j`` and
        ``cmax.alpha = b.mu`` -- verified exactly."""
        m, L = len(self._eq_rows), self.L
        Mq = self._eq_fmpq()
        bq = flint.fmpq_mat(m, 1, [_fq(a) for a in self._eq_rhs])
        cq = [_fq(a) for a in cmax]
        B = list(B)
        scale = []
        for j in range(L):
            nj = math.sqrt(sum(float(Mq[i, j]) ** 2 for i in range(m)))
            scale.append(1.0 / nj if nj > 0 else 0.0)
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
                mu_full = [_ZERO] * self.n
                for k, i in enumerate(self._keep):
                    mu_full[i] = _fr(mu[k, 0])
                out = tuple(alpha)
                if not self.contains(out):                # pragma: no cover
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

    def _dual_simplex(self, B: list[int], cmax: Sequence[Fraction],
                      max_pivots: int | None = None) -> list[int] | None:
        """A primal-feasible basis from any basis ``B``, exactly: the costs of the
        nonbasic columns with a positive reduced cost are shifted to make ``B`` dual
        feasible, then the dual simplex (most negative ``x_B`` leaves, min-ratio column
        enters, ties by index) runs until ``M_B^-1 b >= 0``.  ``None`` if it fails."""
        m, L = len(self._eq_rows), self.L
        Mq = self._eq_fmpq()
        bq = flint.fmpq_mat(m, 1, [_fq(a) for a in self._eq_rhs])
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

    def purify(self, alpha: Sequence[Fraction], c: Sequence[Fraction] | None = None) -> Vec:
        """A vertex ``alpha'`` with support inside that of ``alpha`` (and ``c.alpha' >=
        c.alpha`` when ``c`` is given): while some ``d = N t`` of the null space vanishes
        off the support (``N_Z t = 0``, ``Z`` the zero coordinates), move along ``d`` (the
        way that does not decrease ``c``) until a coordinate hits 0 -- Algorithm 1 of the
        paper in ``alpha`` coordinates.  At most ``dim ker M`` steps, each a small exact
        null space (python-flint)."""
        alpha = list(q_vector(alpha))
        cq = q_vector(c) if c is not None else (_ZERO,) * self.L
        N = self.null_basis
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
            dvec = [sum(tvec[t] * N[t][j] for t in range(k) if tvec[t]) for j in range(self.L)]
            slope = sum((cq[j] * dvec[j] for j in range(self.L) if dvec[j]), _ZERO)
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
        if not self.is_vertex(out):                            # pragma: no cover
            raise ExactReluError("internal: purification did not end at a vertex")
        return out

    def support(self) -> frozenset[int]:
        """``{j : max_{alpha in P} alpha_j > 0}`` by exact LPs (each LP optimiser's positive
        coordinates are all recorded, so at most one LP per coordinate)."""
        p = self.point
        if p is None:
            raise ExactReluError("the polytope is empty")
        S = set(self.support_of(p))
        for j in range(self.L):
            if j in S:
                continue
            e = [_ZERO] * self.L
            e[j] = _ONE
            val, alpha = self.lp(e, maximize=True)
            if val > 0:
                S.update(self.support_of(alpha))
        return frozenset(S)

    def uniqueness(self) -> tuple[tuple[int, ...], tuple[int, ...] | None]:
        """``(S, beta)``: the support ``S`` (:meth:`support`, sorted) and a nonzero integer
        ``beta`` with ``sum_{j in S} beta_j cols_j = 0`` -- then ``P`` is not a single point
        (a relative-interior point moves along ``beta``) -- or ``beta = None``: ``P`` is a
        single point (docs/theory.md §2.7).  The one uniqueness routine of exactrelu."""
        if not self.null_basis:                 # ker M = 0: P is at most one point
            return tuple(self.support_of(self.point or ())), None
        S = sorted(self.support())
        return tuple(S), (null_vector([self.cols[j] for j in S], self.n) if S else None)

    # -- vertices ----------------------------------------------------------------------
    def vertices(self, *, method: str = "cdd", limit: int | None = None) -> list[Vec]:
        """All vertices, exactly, each verified (``alpha >= 0``, ``M alpha = b``, independent
        support columns), sorted.  ``method``: ``"cdd"`` (pycddlib gmp, double
        description), ``"ppl"`` (pplpy, if installed) or ``"bases"`` (basis enumeration
        with flint: every subset of ``rank`` columns; the independent oracle).  With
        ``limit`` the enumeration stops with :class:`PolytopeTooLarge` beyond that many
        vertices (cdd: checked after the double description)."""
        if method == "cdd" and self._vertices is not None:
            return list(self._vertices)
        if self.point is None:
            return []
        if self.L == 0:
            out: list[Vec] = [()]
        elif self.rank == self.L:               # ker M = 0: P is the single point
            out = [self.point]
        elif method == "cdd":
            out = lp_vertices(self._eq_rows, self._eq_rhs, self.L)
        elif method == "ppl":
            out = self._vertices_ppl()
        elif method == "bases":
            out = self._vertices_bases(limit)
        else:
            raise ValueError(f"unknown method {method!r}")
        out = sorted(set(out))
        if limit is not None and len(out) > limit:
            raise PolytopeTooLarge(f"{len(out)} vertices (limit {limit})")
        for v in out:
            if not self.is_vertex(v):                           # pragma: no cover
                raise ExactReluError(f"internal: {method} returned a non-vertex {v}")
        if method == "cdd":
            self._vertices = list(out)
        return out

    def _vertices_ppl(self) -> list[Vec]:
        import ppl  # optional second opinion (pplpy 0.8.10)

        cs = ppl.Constraint_System()
        for r, t in zip(self._eq_rows, self._eq_rhs):
            s = _lcm_den(list(r) + [t])
            cs.insert(ppl.Linear_Expression([int(a * s) for a in r], int(-t * s)) == 0)
        for j in range(self.L):
            cs.insert(ppl.Variable(j) >= 0)
        P = ppl.C_Polyhedron(cs)
        out = []
        for g in P.minimized_generators():
            if g.is_point():
                dv = int(g.divisor())
                coef = [int(c) for c in g.coefficients()]
                coef += [0] * (self.L - len(coef))
                out.append(tuple(Fraction(c, dv) for c in coef))
            else:
                raise ExactReluError("the polyhedron is unbounded (it has rays or lines)")
        return out

    def _vertices_bases(self, limit: int | None = None) -> list[Vec]:
        """Basis enumeration: for every set ``B`` of ``rank`` independent columns solve
        ``M_B alpha_B = b`` exactly; the non-negative solutions are the vertices (every
        vertex has independent support columns, which extend to such a basis)."""
        r = self.rank
        if r == 0:
            return [tuple([_ZERO] * self.L)] if not any(self.b) else []
        found: set[Vec] = set()
        eq = self._eq_rows
        for B in combinations(range(self.L), r):
            A = flint.fmpq_mat(r, r, [_fq(eq[i][j]) for i in range(r) for j in B])
            try:
                x = A.solve(flint.fmpq_mat(r, 1, [_fq(t) for t in self._eq_rhs]))
            except ZeroDivisionError:
                continue                                        # dependent columns
            xs = [_fr(a) for a in x.entries()]
            if any(a < 0 for a in xs):
                continue
            alpha = [_ZERO] * self.L
            for j, a in zip(B, xs):
                alpha[j] = a
            found.add(tuple(alpha))
            if limit is not None and len(found) > limit:
                raise PolytopeTooLarge(f"more than {limit} vertices")
        return list(found)

    # -- min-norm point -------------------------------------------------------------------
    def min_norm(self) -> MinNorm:
        """``argmin {||alpha||^2 : alpha in P}`` exactly, with ``mu`` such that
        ``alpha = (M^T mu)_+`` (verified exactly; see :class:`MinNorm`).

        Route: (1) a float QP guesses the positive set ``F``; (2) exact semismooth Newton
        on the dual equation ``M (M^T mu)_+ = b``: ``mu`` solves ``M_F M_F^T mu = b``, then
        ``F <- {j : m_j.mu > 0}``, until ``alpha = (M^T mu)_+`` satisfies ``M alpha = b``
        exactly (that IS the KKT certificate); (3) if that stalls, Wolfe's (1976)
        minimum-norm-point algorithm runs exactly (finite: each major cycle strictly
        decreases the norm; linear oracle = the vertex list when known, else exact LPs),
        and ``mu`` comes from the exact LP ``max b.mu s.t. M^T mu <= alpha``."""
        p = self.point
        if p is None:
            raise ExactReluError("the polytope is empty")
        if not self.null_basis:
            cert = self._min_norm_certificate(p)
            if cert is None:                                    # pragma: no cover
                raise ExactReluError("internal: the only point failed the KKT check")
            return MinNorm(p, cert, "unique point")
        got = self._min_norm_newton()
        if got is not None:
            return got
        cand = self._wolfe()
        cert = self._min_norm_certificate(cand)
        if cert is None:                                        # pragma: no cover
            raise ExactReluError("internal: Wolfe's point failed the KKT check")
        return MinNorm(tuple(cand), cert, "Wolfe (exact)")

    def _min_norm_newton(self, max_iter: int = 200, bits: int = 160) -> MinNorm | None:
        """Ascent on the concave piecewise-quadratic dual
        ``phi(mu) = b.mu - 1/2 ||(M^T mu)_+||^2`` whose maximiser gives the min-norm point
        ``(M^T mu)_+``.  The iterates only *search* for the optimal positive set ``F``:
        direction = generalized Newton step (``M_F M_F^T d = grad``, or the part of
        ``grad`` orthogonal to ``range(M_F)``), step = exact maximiser of ``phi`` on the
        ray; ``mu`` and ``d`` are rounded to ``bits`` significant bits so that numbers
        stay small.  Each ``F`` met is tried EXACTLY (:meth:`_candidate`): the candidate
        determined by ``F`` alone is accepted only with its exact KKT certificate."""
        m, L = len(self._eq_rows), self.L
        if m == 0:
            return None
        Mq = self._eq_fmpq()
        b = [_fq(a) for a in self._eq_rhs]
        mu = self._float_dual_start()
        zero = flint.fmpq(0)
        tried: set = set()
        for _ in range(max_iter):
            g = (flint.fmpq_mat(1, m, mu) * Mq).entries()
            F = [j for j in range(L) if g[j] > 0]
            if tuple(F) not in tried:
                tried.add(tuple(F))
                got = self._candidate(F)
                if got is not None:
                    return got
            grad = list(b)
            for j in F:
                for i in range(m):
                    if Mq[i, j] != 0:
                        grad[i] -= Mq[i, j] * g[j]
            if all(x == 0 for x in grad):                       # pragma: no cover
                return None                # (the candidate of F would have been accepted)
            gr = [_round_fmpq(x, bits) for x in grad]
            d = self._ascent_direction(F, gr)
            if d is None:                                       # pragma: no cover
                return None
            d = [_round_fmpq(x, bits) for x in d]
            h = (flint.fmpq_mat(1, m, d) * Mq).entries()
            slope0 = sum((x * y for x, y in zip(b, d)), zero) - \
                sum((h[j] * g[j] for j in F), zero)
            if slope0 <= 0:                                     # steepest ascent instead
                d = gr
                h = (flint.fmpq_mat(1, m, d) * Mq).entries()
                slope0 = sum((x * y for x, y in zip(b, d)), zero) - \
                    sum((h[j] * g[j] for j in F), zero)
                if slope0 <= 0:                                 # pragma: no cover
                    return None
            t = _exact_line_search(slope0, g, h)
            if t is None or t <= 0:                             # pragma: no cover
                return None
            mu = [_round_fmpq(x + t * y, bits) for x, y in zip(mu, d)]
        return None

    def _candidate(self, F: Sequence[int]) -> MinNorm | None:
        """The min-norm point IF its positive set is ``F``: with ``M_F`` of full row rank,
        ``mu = (M_F M_F^T)^-1 b`` and ``alpha = (M^T mu)_+`` is accepted iff
        ``M alpha = b`` (then ``alpha = (M^T mu)_+`` IS the KKT certificate); otherwise the
        least-norm solution of ``M_F alpha_F = b`` is accepted iff positive and certified
        by the exact LP of :meth:`_min_norm_certificate`."""
        m, L = len(self._eq_rows), self.L
        if not F:
            return None
        Mq = self._eq_fmpq()
        MF = flint.fmpq_mat(m, len(F), [Mq[i, j] for i in range(m) for j in F])
        bq = flint.fmpq_mat(m, 1, [_fq(a) for a in self._eq_rhs])
        try:
            mu = (MF * MF.transpose()).solve(bq)
        except ZeroDivisionError:
            x = least_norm_solution([[r[j] for j in F] for r in self._eq_rows],
                                    self._eq_rhs, len(F))
            if x is None or any(a <= 0 for a in x):
                return None
            alpha = [_ZERO] * L
            for j, a in zip(F, x):
                alpha[j] = a
            cert = self._min_norm_certificate(tuple(alpha))
            if cert is None:
                return None
            return MinNorm(tuple(alpha), cert, "exact active set + LP certificate")
        g = (mu.transpose() * Mq).entries()
        alpha = tuple(_fr(a) if a > 0 else _ZERO for a in g)
        if self.fit_of(alpha) != self.b:
            return None
        mu_full = [_ZERO] * self.n
        for k, i in enumerate(self._keep):
            mu_full[i] = _fr(mu[k, 0])
        return MinNorm(alpha, tuple(mu_full), "exact semismooth Newton (KKT certified)")

    def _float_dual_start(self) -> list:
        """A dyadic rational warm start for the dual ``mu`` (float semismooth Newton with
        backtracking; any start is fine, this one only saves iterations)."""
        import numpy as np

        m = len(self._eq_rows)
        try:
            Mf = np.array([[float(a) for a in r] for r in self._eq_rows])
            bf = np.array([float(a) for a in self._eq_rhs])
            sc = float(np.abs(Mf).max()) or 1.0
            Mf, bf = Mf / sc, bf / sc
            mu = np.zeros(m)

            def phi(u):
                return float(bf @ u - 0.5 * np.sum(np.maximum(Mf.T @ u, 0.0) ** 2))

            for _ in range(60):
                g = Mf.T @ mu
                F = g > 0
                grad = bf - Mf[:, F] @ g[F]
                if np.linalg.norm(grad) <= 1e-14 * max(1.0, np.linalg.norm(bf)):
                    break
                H = Mf[:, F] @ Mf[:, F].T
                d = np.linalg.lstsq(H + 1e-12 * np.trace(H) / m * np.eye(m) if F.any()
                                    else np.eye(m), grad, rcond=None)[0]
                t, f0 = 1.0, phi(mu)
                while phi(mu + t * d) < f0 and t > 1e-12:
                    t /= 2
                mu = mu + t * d
            mu = mu / sc                 # M (M^T mu_s / sc)_+ = b for the scaled optimum mu_s
            if not np.all(np.isfinite(mu)):
                raise ValueError
            out = []
            for x in mu:
                q = Fraction(float(x))           # the exact dyadic value of the float
                out.append(flint.fmpq(q.numerator, q.denominator))
            return out
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            return [flint.fmpq(0)] * m

    def _ascent_direction(self, F: Sequence[int], grad: Sequence[Any]) -> list | None:
        """``d`` with ``M_F M_F^T d = grad`` (least norm) if solvable, else the component
        of ``grad`` orthogonal to ``range(M_F)`` (an ascent direction of ``phi``)."""
        m = len(self._eq_rows)
        gradF = [_fr(x) for x in grad]
        if not F:
            return [_fq(x) for x in gradF]
        cols = [[self._eq_rows[i][j] for i in range(m)] for j in F]      # columns of M_F
        # projection of grad onto range(M_F): least squares with independent columns
        piv = independent_rows(cols, m)                                  # independent columns
        A = flint.fmpq_mat(m, len(piv), [_fq(cols[c][i]) for i in range(m) for c in piv])
        At = A.transpose()
        gq = flint.fmpq_mat(m, 1, [_fq(x) for x in gradF])
        w = (At * A).solve(At * gq)
        proj = (A * w).entries()
        orth = [x - y for x, y in zip(gq.entries(), proj)]
        if any(x != 0 for x in orth):
            return orth
        # grad in range(M_F): z = least-norm solution of M_F z = grad, then d in range(M_F)
        # with M_F^T d = z:  d = A u where (A^T ... ) -- solve A^T A u = (A^T A)^{-1}-free form
        MF = flint.fmpq_mat(m, len(F), [_fq(self._eq_rows[i][j]) for i in range(m) for j in F])
        # least-norm z: z = M_F^T y with (M_F M_F^T) y = grad restricted to range -> use A:
        # range(M_F) = range(A); write y = A v: (M_F M_F^T) A v = grad
        G = MF * MF.transpose()
        GA = G * A
        v = (GA.transpose() * GA).solve(GA.transpose() * gq)
        d = (A * v).entries()
        check = (G * flint.fmpq_mat(m, 1, d)).entries()
        if any(x != y for x, y in zip(check, gq.entries())):            # pragma: no cover
            return None
        return d

    def _min_norm_certificate(self, alpha: Sequence[Fraction]) -> Vec | None:
        """``mu`` (on all ``n`` rows) with ``alpha = (M^T mu)_+`` and ``M alpha = b``, or
        ``None`` if ``alpha`` is not the min-norm point.  ``alpha`` is the min-norm point
        iff ``min_{a in P} alpha.a = ||alpha||^2`` (first-order condition); the exact LP
        (:meth:`lp`) gives the value and its dual ``mu`` (``M^T mu <= alpha``,
        ``b.mu = ||alpha||^2``), which is the certificate.  cdd is the fallback."""
        alpha = tuple(alpha)
        if not self.contains(alpha):
            return None
        m = len(self._eq_rows)
        mu_full: list[Fraction] | None = None
        if m == 0:
            mu_full = [_ZERO] * self.n
        elif self.null_basis:
            val, _ = self.lp(alpha, maximize=False)
            if val != dot(alpha, alpha):
                return None
            if self.last_dual is not None:
                mu_full = list(self.last_dual)
        if mu_full is None:
            # max b.mu  s.t.  alpha_j - sum_k M_kj mu_k >= 0
            res = lp_solve(self._eq_rhs, A_ge=[[-self._eq_rows[k][j] for k in range(m)]
                                               for j in range(self.L)],
                           b_ge=[-a for a in alpha], maximize=True)
            if res is None:
                return None
            sol = res[1]
            mu_full = [_ZERO] * self.n
            for k, i in enumerate(self._keep):
                mu_full[i] = Fraction(sol[k])
        # verify alpha = (M^T mu)_+ exactly, on all rows
        for j in range(self.L):
            g = sum((self._rows[i][j] * mu_full[i] for i in range(self.n) if mu_full[i]), _ZERO)
            if alpha[j] != max(g, _ZERO):
                return None
        return tuple(mu_full)

    def _wolfe(self) -> Vec:
        """Wolfe's minimum-norm-point algorithm over ``P = conv(vertices)``, exact."""
        V = self._vertices
        if V is not None:
            def oracle(x: Sequence[Fraction]) -> Vec:
                return min(V, key=lambda v: dot(x, v))
        else:
            def oracle(x: Sequence[Fraction]) -> Vec:
                return self.lp(x, maximize=False)[1]
        x = oracle(self.point)                     # any vertex
        S: list[Vec] = [x]
        lam: list[Fraction] = [_ONE]
        for _ in range(100000):
            p = oracle(x)
            if dot(x, p) >= dot(x, x):
                return tuple(x)
            S.append(p)
            lam.append(_ZERO)
            while True:
                w = _affine_min_norm(S)
                if all(a > 0 for a in w):
                    lam = w
                    break
                theta = min(lam[i] / (lam[i] - w[i]) for i in range(len(S)) if w[i] <= 0)
                lam = [(1 - theta) * a + theta * b for a, b in zip(lam, w)]
                keep = [i for i in range(len(S)) if lam[i] > 0]
                S = [S[i] for i in keep]
                lam = [lam[i] for i in keep]
            x = tuple(sum((l * s[j] for l, s in zip(lam, S)), _ZERO) for j in range(self.L))
        raise ExactReluError("internal: Wolfe's algorithm did not terminate")  # pragma: no cover

    # -- sampling -------------------------------------------------------------------------
    def sample_vertex_combinations(self, count: int = 10000, *, seed: int = 0, grid: int = 1 << 16,
                                   vertices: Sequence[Vec] | None = None) -> list[Vec]:
        """``count`` exact points of ``P``: convex combinations of the vertices with random
        rational weights (about uniform on the simplex; see :func:`mix_vertices`).
        Each is in ``P`` by convexity; the caller may re-check with :meth:`contains`."""
        V = list(vertices) if vertices is not None else self.vertices()
        S = mix_vertices(V, count, seed=seed, grid=grid)
        return [S.exact(i) for i in range(len(S))]

    def lp_vertices(self, k: int, *, seed: int = 0, scale: int = 1 << 8) -> list[Vec]:
        """Up to ``k`` distinct vertices of ``P``: exact LP optima (:meth:`lp`) for random
        integer objectives ``c`` in ``[-scale, scale]^L`` (duplicates dropped)."""
        rng = random.Random(seed)
        out: dict[Vec, None] = {}
        for _ in range(k):
            c = [rng.randint(-scale, scale) for _ in range(self.L)]
            out.setdefault(tuple(self.lp(c)[1]), None)
        return list(out)


@dataclass
class Samples:
    """Exact samples ``beta_i = B_i / Q_i`` (integer numerators ``B``; ``Q`` one common
    denominator, or one per sample)."""

    B: list[list[int]]
    Q: int | list[int]

    def __len__(self) -> int:
        return len(self.B)

    def den(self, i: int) -> int:
        return self.Q if isinstance(self.Q, int) else self.Q[i]

    def exact(self, i: int) -> Vec:
        q = self.den(i)
        return tuple(Fraction(b, q) for b in self.B[i])

    def as_float(self) -> Any:
        """The samples rounded to float64 (for evaluation only, e.g. test accuracy)."""
        import numpy as np

        return np.array([[b / self.den(i) for b in row] for i, row in enumerate(self.B)],
                        dtype=float)


def mix_vertices(V: Sequence[Sequence[Fraction]], count: int, *, seed: int = 0,
                 grid: int = 1 << 16) -> Samples:
    """``count`` random convex combinations of the points ``V``, exactly.

    Target weights ``c / grid`` (integer ``c >= 0``, ``sum c = grid``: the gaps between
    ``len(V) - 1`` sorted uniform cuts of ``{0..grid}``, a discretised uniform law on the
    simplex).  With ``V_i = N_i / d_i`` (integer ``N_i``, ``d_i`` the lcm of its
    denominators) the sample is ``sum_i k_i N_i / sum_i k_i d_i``, ``k_i = floor(c_i 2^s /
    d_i)``, ``2^s >= 2^16 max d_i``: exactly a convex combination (weights ``k_i d_i / sum k d
    >= 0`` summing to 1), each within ``(len(V) + 1) 2^-16 / grid`` of its target.  One
    denominator per sample, about the size of one vertex's (a common denominator for all
    vertices would be their lcm: tens of thousands of bits for LP vertices of float data).
    Returns :class:`Samples` with numerators ``B`` (``count x L``) and denominators ``Q``
    (one per sample), from one integer matrix product (flint)."""
    if not V:
        raise ExactReluError("no vertices to combine (the polytope is empty)")
    V = [q_vector(v) for v in V]
    dens = [_lcm_den(v) for v in V]
    L = len(V[0])
    if count <= 0:
        return Samples([], [])
    s = max(d.bit_length() for d in dens) + 16
    Nd = flint.fmpz_mat(len(V), L + 1, [x for v, d in zip(V, dens)
                                        for x in [int(a * d) for a in v] + [d]])
    rng = random.Random(seed)
    K = []
    for _ in range(count):
        cuts = sorted(rng.randint(0, grid) for _ in range(len(V) - 1))
        K.extend(((b - a) << s) // d for a, b, d in zip([0] + cuts, cuts + [grid], dens))
    flat = [int(x) for x in (flint.fmpz_mat(count, len(V), K) * Nd).entries()]
    rows = [flat[i * (L + 1):(i + 1) * (L + 1)] for i in range(count)]
    return Samples([r[:L] for r in rows], [r[L] for r in rows])


def _round_fmpq(x, bits: int):
    """``x`` rounded to ``bits`` significant bits (a dyadic fmpq; 0 stays 0)."""
    if x == 0:
        return x
    p, q = int(x.p), int(x.q)
    e = bits - (abs(p).bit_length() - q.bit_length())
    if e >= 0:
        num, den = p << e, q
    else:
        num, den = p, q << (-e)
    r = (2 * num + den) // (2 * den)                 # round half up
    return flint.fmpq(r, 1 << e) if e >= 0 else flint.fmpq(r << (-e), 1)


def _exact_line_search(slope0, g: Sequence[Any], h: Sequence[Any]):
    """The maximiser ``t > 0`` of ``phi(mu + t d)`` for the concave piecewise quadratic
    ``phi``: its derivative ``slope0 - sum_j h_j ((g_j + t h_j)_+ - (g_j)_+)`` is
    non-increasing and piecewise linear; breakpoints ``t_j = -g_j / h_j`` are visited in
    order (exact rationals)."""
    zero = flint.fmpq(0)
    # derivative at t: A - B t over the current piece, with active = {g_j + t h_j > 0}
    events = []
    A = slope0
    B = zero
    for gj, hj in zip(g, h):
        if hj == 0:
            continue
        if gj > 0:
            # active at 0+: contributes -hj*(gj + t hj) + hj*gj = -hj^2 t ; ends at -gj/hj if hj<0
            B += hj * hj
            if hj < 0:
                events.append((-gj / hj, hj, gj, -1))
        else:
            if hj > 0:                          # switches on at t_j = -gj/hj >= 0
                events.append((-gj / hj, hj, gj, +1))
    events.sort(key=lambda e: e[0])
    t0 = zero
    for tj, hj, gj, kind in events:
        # on [t0, tj]: derivative A - B t
        if B > 0:
            root = A / B
            if root <= tj:
                return root if root > t0 else t0
        elif A <= 0:
            return t0
        # cross the breakpoint
        if kind == +1:                          # term -hj (gj + t hj) switches on
            A -= hj * gj
            B += hj * hj
        else:                                   # term switches off
            A += hj * gj
            B -= hj * hj
        t0 = tj
    if B > 0:
        root = A / B
        return root if root > t0 else t0
    return None                                 # unbounded ascent: cannot happen if P != {}


def _affine_min_norm(S: Sequence[Vec]) -> list[Fraction]:
    """Weights ``w`` (sum 1) of the min-norm point of the affine hull of the affinely
    independent points ``S``: ``[S S^T, 1; 1^T, 0] [w; theta] = [0; 1]``."""
    k = len(S)
    G = [[dot(a, b) for b in S] for a in S]
    A = flint.fmpq_mat(k + 1, k + 1, [_fq(x) for r in G for x in (r + [_ONE])]
                       + [_fq(_ONE)] * k + [_fq(_ZERO)])
    rhs = flint.fmpq_mat(k + 1, 1, [_fq(_ZERO)] * k + [_fq(_ONE)])
    sol = A.solve(rhs)
    return [_fr(a) for a in sol.entries()[:k]]


# ==================================================================== optimal sets

@dataclass(frozen=True)
class CGL:
    """A constrained group lasso ``min 1/2 ||Z w - y||^2 + lam sum_b ||w_b||`` s.t.
    ``A_b w_b >= 0`` (docs/theory.md §1.4 with ``A_b = -K_b^T``).

    ``Z`` is ``n x p`` (rows), ``blocks[b]`` the column indices of block ``b``, ``cones[b]``
    the rows of ``A_b`` (``()`` for an unconstrained block), ``labels`` optional names."""

    Z: tuple[Vec, ...]
    y: Vec
    lam: Fraction
    blocks: tuple[tuple[int, ...], ...]
    cones: tuple[tuple[Vec, ...], ...]
    labels: tuple[Any, ...] | None = None

    @staticmethod
    def make(Z, y, lam, blocks, cones=None, labels=None) -> "CGL":
        Zq = q_matrix(Z)
        yq = q_vector(y)
        blocks = tuple(tuple(int(j) for j in b) for b in blocks)
        if cones is None:
            cones = [()] * len(blocks)
        cq = tuple(q_matrix(c) if c else () for c in cones)
        return CGL(Zq, yq, to_q(lam), blocks, cq, tuple(labels) if labels else None)

    def block_fit(self, b: int, u: Sequence[Fraction]) -> Vec:
        cols = self.blocks[b]
        return tuple(sum((row[j] * a for j, a in zip(cols, u)), _ZERO) for row in self.Z)

    def correlation(self, b: int, r: Sequence[Fraction]) -> Vec:
        cols = self.blocks[b]
        return tuple(sum((row[j] * rk for row, rk in zip(self.Z, r)), _ZERO) for j in cols)

    def objective(self, w: Mapping[int, Sequence[Fraction]]) -> tuple[Fraction, list[Fraction]]:
        """``(loss, [||w_b||^2])``: the objective is ``loss + lam sum sqrt(.)``."""
        fit = [_ZERO] * len(self.y)
        for b, u in w.items():
            for k, a in enumerate(self.block_fit(b, u)):
                fit[k] += a
        return sqnorm([a - t for a, t in zip(fit, self.y)]) / 2, [sqnorm(u) for u in w.values()]


@dataclass
class OptimalSet:
    """The optimal set ``{w_b = alpha_b v_b : alpha in P}`` (module docstring).

    Attributes: ``blocks`` = the equicorrelation set ``E`` (order = the coordinates of
    ``P``), ``v``/``rho`` the canonical correlations and projection multipliers, ``fits`` the
    columns ``Z_b v_b``, ``fit`` = ``yhat``, ``r`` the residual, ``value`` = ``p*``,
    ``support`` = ``S`` (LPs), ``vertices`` (all, when enumerated; dicts keyed by block,
    zeros left out), ``unique`` and its ``witness`` (a null vector of the fits of ``S``,
    keyed by block), ``min_norm`` (dict) with ``min_norm_mu``, ``sum_alpha`` =
    ``<yhat, r>/lam^2``.  ``nc_p_unique``: the ReLU network is unique up to permutation and
    splitting (the fits of ``S`` are independent after merging blocks with the same neuron
    ``(s, v)``); ``prop43``: the poster's sufficient condition (fits of ``S`` independent).
    """

    blocks: tuple[Any, ...]
    v: dict
    rho: dict
    fits: dict
    fit: Vec
    r: Vec
    lam: Fraction
    value: Fraction
    polytope: Polytope
    support: tuple[Any, ...]
    vertices: list[dict] | None
    unique: bool
    witness: dict | None
    min_norm: dict
    min_norm_mu: Vec
    sum_alpha: Fraction
    nc_p_unique: bool | None = None
    neuron_keys: dict = field(default_factory=dict)

    # -- minimality ---------------------------------------------------------------------
    @property
    def min_neurons(self) -> int | None:
        """Cardinality-minimal count (fewest nonzero blocks over all optimal models) = the
        minimum over the vertices; ``None`` if vertices were not enumerated."""
        if self.vertices is None:
            return None
        return min(len(a) for a in self.vertices)

    @property
    def prop43(self) -> bool:
        """Poster Prop. 4.3's condition: the fits of ``S`` are linearly independent."""
        return self.unique

    def cardinality_minimal(self) -> list[dict]:
        """The vertices with the fewest blocks (cardinality-minimal models)."""
        if self.vertices is None:
            raise ExactReluError("vertices were not enumerated")
        m = self.min_neurons
        return [a for a in self.vertices if len(a) == m]

    def alpha_vector(self, alpha: Mapping[Any, Fraction]) -> Vec:
        unknown = set(alpha) - set(self.blocks)
        if unknown:
            raise ExactReluError(f"blocks {sorted(unknown)} are not equicorrelated: "
                                 "they are zero in every optimum")
        return tuple(Fraction(alpha.get(b, 0)) for b in self.blocks)

    def alpha_dict(self, alpha: Sequence[Fraction]) -> dict:
        return {b: a for b, a in zip(self.blocks, alpha) if a}

    def contains(self, alpha: Mapping[Any, Fraction]) -> bool:
        try:
            return self.polytope.contains(self.alpha_vector(alpha))
        except ExactReluError:
            return False

    def is_support_minimal(self, alpha: Mapping[Any, Fraction]) -> bool:
        """Support-minimal = vertex = independent active fits (docs/theory.md §2.9)."""
        return self.polytope.is_vertex(self.alpha_vector(alpha))

    def is_cardinality_minimal(self, alpha: Mapping[Any, Fraction]) -> bool:
        return self.contains(alpha) and \
            len([a for a in alpha.values() if a]) == self.min_neurons

    def weights(self, alpha: Mapping[Any, Fraction]) -> dict:
        """``{b: w_b = alpha_b v_b}`` (nonzero blocks)."""
        return {b: tuple(a * x for x in self.v[b]) for b, a in alpha.items() if a}

    def summary(self) -> dict:
        return {"blocks": len(self.blocks), "support": len(self.support),
                "unique": self.unique,
                "vertices": None if self.vertices is None else len(self.vertices),
                "min_neurons": self.min_neurons, "sum_alpha": q_str(self.sum_alpha),
                "value": q_str(self.value)}


def _analyse(labels: Sequence[Any], v: dict, rho: dict, fits: dict, fit: Vec, r: Vec,
             lam: Fraction, value: Fraction, *, point: Sequence[Fraction] | None,
             enumerate_vertices: bool, vertex_limit: int | None,
             neuron_keys: Mapping[Any, Any] | None = None) -> OptimalSet:
    """The shared core: polytope over ``labels`` (the equicorrelated blocks)."""
    labels = tuple(labels)
    cols = [fits[b] for b in labels]
    P = Polytope(cols, fit, labels=labels, point=point)
    if P.point is None:
        raise ExactReluError("the fit is not a non-negative combination of the "
                             "equicorrelated fits: the residual is not optimal")
    lam2 = lam * lam
    sum_alpha = dot(fit, r) / lam2
    S_idx, beta = P.uniqueness()
    verts = None
    if enumerate_vertices:
        vv = P.vertices(limit=vertex_limit)
        verts = [{labels[j]: a for j, a in enumerate(al) if a} for al in vv]
        # the union of the vertex supports is S (P = conv(vertices)): cross-check
        union = tuple(sorted({j for al in vv for j, a in enumerate(al) if a}))
        if union != S_idx:                                     # pragma: no cover
            raise ExactReluError("internal: LP support and vertex supports disagree")
        for al in vv:                                          # energy identity (docs/theory.md §2.4)
            if sum(al, _ZERO) != sum_alpha:                    # pragma: no cover
                raise ExactReluError("internal: sum alpha differs between vertices")
    unique = beta is None
    witness = None if unique else {labels[j]: Fraction(b) for j, b in zip(S_idx, beta) if b}
    mn = P.min_norm()
    # NC uniqueness up to permutation/splitting: merge blocks giving the same neuron
    nc = None
    if neuron_keys is not None:
        groups: dict = {}
        for j in S_idx:
            groups.setdefault(neuron_keys[labels[j]], []).append(j)
        merged = [cols[js[0]] for js in groups.values()]
        for js in groups.values():                              # same neuron -> same fit
            if any(cols[j] != cols[js[0]] for j in js):         # pragma: no cover
                raise ExactReluError("internal: one neuron with two different fits")
        nc = independent(merged, len(fit)) if merged else True
    return OptimalSet(labels, v, rho, fits, fit, r, lam, value, P,
                      tuple(labels[j] for j in S_idx), verts, unique, witness,
                      {labels[j]: a for j, a in enumerate(mn.alpha) if a}, mn.mu, sum_alpha,
                      nc, dict(neuron_keys or {}))


def cgl_optimal_set(cgl: CGL, r: Sequence[object], *, enumerate_vertices: bool = True,
                    vertex_limit: int | None = None) -> OptimalSet:
    """The optimal set of a generic CGL from its (exact) optimal residual ``r``.

    Proof obligations checked exactly: ``v_b = Proj_{C_b}(Z_b^T r)`` (KKT of the
    projection), ``||v_b||^2 <= lam^2`` for every block (dual feasibility), and
    ``yhat = y - r`` is a non-negative combination of the equicorrelated fits; then the
    primal value ``1/2||r||^2 + lam^2 sum alpha`` equals the dual ``r.y - 1/2||r||^2``
    (strong duality) and ``r`` is optimal.  :class:`ExactReluError` if any fails."""
    from ..cones import project

    rq = q_vector(r)
    lam2 = cgl.lam * cgl.lam
    labels = cgl.labels or tuple(range(len(cgl.blocks)))
    E, v, rho, fits = [], {}, {}, {}
    for b, cols in enumerate(cgl.blocks):
        c = cgl.correlation(b, rq)
        A = cgl.cones[b]
        pr = project(A, c) if A else None
        vb = pr.v if pr is not None else c
        nv = sqnorm(vb)
        if nv > lam2:
            raise ExactReluError(f"block {labels[b]}: ||Proj(Z_b^T r)||^2 > lam^2, r is not "
                                 "dual feasible")
        if nv == lam2:
            E.append(labels[b])
            v[labels[b]] = tuple(vb)
            rho[labels[b]] = dict(pr.rho) if pr is not None else {}
            fits[labels[b]] = cgl.block_fit(b, vb)
    fit = tuple(a - t for a, t in zip(cgl.y, rq))
    value = dot(rq, cgl.y) - sqnorm(rq) / 2
    os_ = _analyse(E, v, rho, fits, fit, rq, cgl.lam, value, point=None,
                   enumerate_vertices=enumerate_vertices, vertex_limit=vertex_limit)
    primal = sqnorm(rq) / 2 + lam2 * os_.sum_alpha
    if primal != value:                                        # pragma: no cover
        raise ExactReluError("internal: strong duality fails on the optimal set")
    return os_


def optimal_set(program, exact_opt, *, enumerate_vertices: bool = True,
                vertex_limit: int | None = None) -> OptimalSet:
    """The optimal set of C-ReLU (``program``: :class:`exactrelu.problem.ConvexProgram`)
    from its proved exact optimum (:class:`exactrelu.rational_optimum.ExactOptimum`).

    ``E`` = ``exact_opt.equicorrelated`` (``||Proj_K c_b||^2 = lam^2``, every other block
    is strictly dual feasible, as ``exact_optimum_at`` proved), ``v_b`` and the projection
    multipliers ``proj_rho`` are taken from ``exact_opt`` and re-checked here:
    ``v_b = s X^T D r + A^T rho``, ``rho >= 0``, ``A v >= 0``, ``rho.(A v) = 0``,
    ``||v_b||^2 = lam^2``.  ``exact_opt.alpha`` is the known feasible point."""
    from ..cones import cone_matrix

    lam = program.lam
    lam2 = lam * lam
    r = tuple(exact_opt.r)
    E = tuple(sorted(exact_opt.equicorrelated))
    X = program.data.X
    fits, v, rho, keys = {}, {}, {}, {}
    for b in E:
        i, s = b
        vb = tuple(exact_opt.v[b])
        rb = dict(exact_opt.proj_rho.get(b, {}))
        A = cone_matrix(X, program.patterns.bits[i])
        c = program.correlation(b, r)
        q = list(c)
        for k, x in rb.items():
            if x < 0:
                raise ExactReluError(f"block {b}: negative projection multiplier")
            for j in range(len(q)):
                q[j] += x * A[k][j]
        Av = [dot(a, vb) for a in A]
        if tuple(q) != vb or any(a < 0 for a in Av) or \
                any(x * Av[k] for k, x in rb.items()) or sqnorm(vb) != lam2:
            raise ExactReluError(f"block {b}: v is not the projection of its correlation "
                                 "with norm lam")
        v[b], rho[b] = vb, rb
        fits[b] = program.block_fit(b, vb)
        keys[b] = (s, vb)
    fit = tuple(a - t for a, t in zip(program.data.y, r))
    point = tuple(Fraction(exact_opt.alpha.get(b, 0)) for b in E)
    os_ = _analyse(E, v, rho, fits, fit, r, lam, exact_opt.value, point=point,
                   enumerate_vertices=enumerate_vertices, vertex_limit=vertex_limit,
                   neuron_keys=keys)
    if sqnorm(r) / 2 + lam2 * os_.sum_alpha != exact_opt.value:  # pragma: no cover
        raise ExactReluError("internal: optimal value differs from 1/2||r||^2 + lam^2 sum alpha")
    return os_


def optimal_set_section(program, exact_opt, *, opt_set: OptimalSet | None = None,
                        vertex_limit: int | None = None) -> dict:
    """The ``optimal_set`` section of a certificate (format v1, check 6):

    ``{"fit": [R]*n, "blocks": [{"pattern", "sign", "v", "rho"}], "vertices":
    [{"alpha": {b: R}}]}`` -- ``blocks`` lists EVERY equicorrelated block (check 6 needs
    every block tight in check 4 listed: with projection multipliers in ``dual.rho`` those
    are exactly ``E``), ``rho`` its projection multipliers (sparse, by data row), and a
    vertex's ``alpha`` is keyed by the index (a decimal string) of the block in that list;
    zero entries are left out."""
    os_ = opt_set if opt_set is not None else optimal_set(program, exact_opt,
                                                          vertex_limit=vertex_limit)
    if os_.vertices is None:
        raise ExactReluError("the section needs the vertices")
    index = {b: j for j, b in enumerate(os_.blocks)}
    return {
        "fit": [q_str(a) for a in os_.fit],
        "blocks": [{"pattern": int(b[0]), "sign": int(b[1]), "v": [q_str(a) for a in os_.v[b]],
                    "rho": {str(k): q_str(x) for k, x in sorted(os_.rho[b].items()) if x}}
                   for b in os_.blocks],
        "vertices": [{"alpha": {str(index[b]): q_str(a) for b, a in
                                sorted(al.items(), key=lambda t: index[t[0]]) if a}}
                     for al in os_.vertices],
    }


def example_b(lam: object = 1) -> tuple[CGL, Vec]:
    """docs/theory.md §5.1 Example B (non-negative lasso, non-unique): ``Z = [[1, 0, 1/2], [0, 1, 1/2]]``,
    ``y = (3, 3)``, cones ``R_+``; for ``0 < lam < 3`` the optimal residual is
    ``(lam, lam)``.  Returns ``(cgl, r)``."""
    lq = to_q(lam)
    F = Fraction
    cgl = CGL.make([[1, 0, F(1, 2)], [0, 1, F(1, 2)]], [3, 3], lq, [[0], [1], [2]],
                   [[[1]], [[1]], [[1]]])
    r = (min(lq, F(3)), min(lq, F(3)))
    return cgl, r


# ========================================================== minimality and networks

@dataclass(frozen=True)
class Minimality:
    """Exact minimality verdict of a model: ``minimal`` iff its active fits are linearly
    independent (for an OPTIMAL model: support-minimal, docs/theory.md §2.9); ``witness`` a nonzero
    dependency ``sum_j witness_j fit_j = 0`` (keys = the model's blocks / neuron indices)
    otherwise; ``rank`` of the active fits; ``active`` their number."""

    minimal: bool
    witness: dict | None
    rank: int
    active: int


def _minimality(keys: Sequence[Any], cols: Sequence[Vec], n: int) -> Minimality:
    beta = null_vector(cols, n) if cols else None
    rk = rank(cols, n) if cols else 0
    if beta is None:
        return Minimality(True, None, rk, len(cols))
    w = {k: Fraction(b) for k, b in zip(keys, beta) if b}
    fit = [sum((w.get(k, _ZERO) * c[t] for k, c in zip(keys, cols)), _ZERO) for t in range(n)]
    if any(fit):                                                # pragma: no cover
        raise ExactReluError("internal: witness is not a dependency")
    return Minimality(False, w, rk, len(cols))


def minimality(program, blocks: Mapping[Any, Sequence[object]]) -> Minimality:
    """Minimality of ANY convex model ``{(i, s): u}`` by exact rank of its nonzero fits
    ``s D_i X u``.  For an optimal model: minimal = support-minimal = a vertex."""
    keys = [b for b, u in blocks.items() if any(q_vector(u))]
    cols = [program.block_fit(b, q_vector(blocks[b])) for b in keys]
    return _minimality(keys, cols, program.data.n)


def network_minimality(net, X) -> Minimality:
    """Minimality of a network (:class:`exactrelu.networks.Network`) on data ``X``: are the
    outputs ``(X W1_j)_+ w2_j`` of its nonzero neurons linearly independent?  Witness keys
    are neuron indices."""
    keep = [j for j in net.nonzero_neurons()]
    cols = [net.neuron_outputs(X, j) for j in keep]
    keep2 = [j for j, c in zip(keep, cols) if any(c)]
    cols = [c for c in cols if any(c)]
    n = len(X.X) if hasattr(X, "X") else len(X)
    return _minimality(keep2, cols, n)


def corollary41_network(program, os_: OptimalSet, alpha: Mapping[Any, Fraction]):
    """Corollary 4.1: the optimal network of ``alpha in P``, neuron ``b`` being
    ``W1_b = (alpha_b/lam)^(1/2) v_b``, ``w2_b = s_b (alpha_b lam)^(1/2)`` -- exact in
    product form (:class:`exactrelu.networks.ProductNetwork` of the blocks
    ``u_b = alpha_b v_b``: ``W1_b |w2_b| = alpha_b v_b``, ``w2_b^2 = ||W1_b||^2 =
    alpha_b lam``).  The identities are checked exactly before returning."""
    from ..networks import convex_to_network

    if not os_.contains(alpha):
        raise ExactReluError("alpha is not in the optimal polytope")
    w = os_.weights(alpha)
    pn = convex_to_network(w, patterns=program.patterns, X=program.data, d=program.data.d)
    lam = program.lam
    by_u = {(bits, s, u) for bits, s, u in pn.blocks}
    for b, u in w.items():
        a = alpha[b]
        if (program.patterns.bits[b[0]], b[1], u) not in by_u:  # pragma: no cover
            raise ExactReluError("internal: a block is missing from the network")
        if sqnorm(u) != (a * lam) ** 2:                         # ||u|| = alpha lam
            raise ExactReluError(f"block {b}: ||alpha v||^2 != (alpha lam)^2")
    if pn.outputs(program.data) != os_.fit:
        raise ExactReluError("the network's outputs differ from the optimal fit")
    return pn


def objective_at(program, os_: OptimalSet, alpha: Mapping[Any, Fraction]) -> Fraction:
    """The exact convex objective of ``w_b = alpha_b v_b`` (any ``alpha >= 0`` on ``E``):
    ``1/2||fit - y||^2 + lam sum ||w_b||`` with ``||w_b|| = alpha_b lam`` (``||v_b|| = lam``).
    Equals ``p*`` iff ``alpha`` is in ``P``."""
    vec = os_.alpha_vector(alpha)
    if any(a < 0 for a in vec):
        raise ExactReluError("alpha must be non-negative")
    f = os_.polytope.fit_of(vec)
    return sqnorm([a - t for a, t in zip(f, program.data.y)]) / 2 + \
        program.lam ** 2 * sum(vec, _ZERO)


def check_segment(program, os_: OptimalSet, alpha1: Mapping[Any, Fraction],
                  alpha2: Mapping[Any, Fraction], ts: Iterable[object] = (0, Fraction(1, 3),
                                                                            Fraction(1, 2), 1)
                  ) -> bool:
    """Every point ``(1-t) alpha1 + t alpha2`` (``t`` in ``ts``, in [0, 1]) of the segment
    between two optimal models is optimal: objective exactly ``p*`` and fit ``yhat``."""
    a1, a2 = os_.alpha_vector(alpha1), os_.alpha_vector(alpha2)
    for t in ts:
        tq = to_q(t)
        if not 0 <= tq <= 1:
            raise ValueError("t must lie in [0, 1]")
        a = {b: (1 - tq) * x + tq * y for b, x, y in zip(os_.blocks, a1, a2)}
        if not os_.contains(a) or objective_at(program, os_, a) != os_.value:
            return False
    return True


def check_collinear(program, os_: OptimalSet, net) -> bool:
    """Every nonzero neuron of an optimal network is positively collinear with ``v_b`` of
    an equicorrelated block ``b`` of its sign whose cone contains it (docs/theory.md §2.3: all
    optimal weights of a block point along ``v_b``).  Exact: ``u = |w2| W1``,
    ``u.v > 0``, ``(u.v)^2 = ||u||^2 ||v||^2`` and ``A_b u >= 0``."""
    for j in net.nonzero_neurons():
        s = 1 if net.w2[j] > 0 else -1
        u = tuple(abs(net.w2[j]) * a for a in net.W1[j])
        ok = False
        for b in os_.blocks:
            if b[1] != s:
                continue
            vb = os_.v[b]
            uv = dot(u, vb)
            if uv > 0 and uv * uv == sqnorm(u) * sqnorm(vb) and \
                    program.cone_violation(b[0], u) is None:
                ok = True
                break
        if not ok:
            return False
    return True
