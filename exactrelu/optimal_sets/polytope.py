r"""The polytope ``P = {alpha in Q^L : alpha >= 0, M alpha = b}`` given by exact columns.

For the optimal set of a CGL the columns are the fits ``Z_b v_b`` of the equicorrelated
blocks and ``b`` is the optimal fit ``yhat`` (docs/theory.md §2.4); for the model-relative
polytope they are a rational model's neuron outputs (docs/theory.md §3).  :class:`Polytope`
keeps the exact data (the columns, an independent subset of the equations, an integer basis
of ``ker M``, a feasible point) and answers membership (``alpha >= 0``, ``M alpha = b``),
vertex tests (a point is a vertex iff its support columns are independent, docs/theory.md
§2.9), the support ``S = {j : max_P alpha_j > 0}`` and the uniqueness verdict
(docs/theory.md §2.7).  The heavier computations live in sibling modules and are reached
through its methods: exact LPs (:mod:`.simplex`), vertex enumeration
(:mod:`.vertex_enumeration`), the min-norm point (:mod:`.min_norm_point`) and sampling
(:mod:`.sampling`).  Every method returns exactly verified results.
"""
from __future__ import annotations

import time
from fractions import Fraction
from typing import Any, Sequence

import flint

from ..errors import ExactReluError, ShapeError
from ..linalg import fq as _fq, fr as _fr, qmat as _qmat_rows
from ..linalg import independent, independent_rows, null_basis, null_vector
from ..lp import EnumerationStopped, solve as lp_solve, vertices as cdd_vertices
from ..numbers import q_vector
from .min_norm_point import MinNorm, min_norm as _min_norm
from .sampling import lp_vertices as random_lp_vertices, mix_vertices
from .simplex import lp as _exact_lp, purify as _purify
from .vertex_enumeration import PolytopeTooLarge, vertices_bases, vertices_ppl
from .vertex_walk import vertex_count_bound, walk_vertices

__all__ = ["Polytope"]

#: cdd runs in-process when McMullen's bound on the vertex count is at most this
CDD_IN_PROCESS = 2000
#: seconds cdd gets (in a child process) before the walk takes over, when the bound on
#: the vertex count exceeds the limit (it usually finishes in well under a second)
CDD_FIRST_SECONDS = 2
#: resident memory (bytes) beyond which the cdd child process is stopped
CDD_MEMORY = 2 << 30

Vec = tuple[Fraction, ...]
_ZERO = Fraction(0)
_ONE = Fraction(1)


def _cols_to_rows(cols: Sequence[Sequence[Fraction]], n: int) -> list[list[Fraction]]:
    return [[c[k] for c in cols] for k in range(n)]


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

    def _eq_fmpq(self) -> flint.fmpq_mat:
        """The independent equations as one flint matrix (cached)."""
        if getattr(self, "_Mq", None) is None:
            self._Mq = _qmat_rows(self._eq_rows, self.L)
        return self._Mq

    # -- linear programs --------------------------------------------------------------
    def lp(self, c: Sequence[object], *, maximize: bool = True) -> tuple[Fraction, Vec]:
        """Exact LP ``max (or min) c.alpha`` over ``P``: ``(value, vertex)``, with the
        dual ``mu`` of its optimality certificate kept in ``self.last_dual``
        (:func:`.simplex.lp`)."""
        return _exact_lp(self, c, maximize=maximize)

    def purify(self, alpha: Sequence[Fraction], c: Sequence[Fraction] | None = None) -> Vec:
        """A vertex with support inside that of ``alpha`` not decreasing ``c``
        (:func:`.simplex.purify`, Algorithm 1 of the paper)."""
        return _purify(self, alpha, c)

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
    def vertices_within(self, limit: int | None, time_limit: object = None
                        ) -> tuple[list[Vec], bool]:
        """``(vertices, complete)``: every vertex when the enumeration stays within
        ``limit`` and ``time_limit``, else those found before it stopped (each exact),
        or one LP extreme point (max sum alpha) when none was, with ``complete`` false."""
        try:
            return self.vertices(limit=limit, time_limit=time_limit), True
        except PolytopeTooLarge as e:
            return e.found or [self.lp([Fraction(1)] * self.L)[1]], False

    def vertices(self, *, method: str = "cdd", limit: int | None = None,
                 time_limit: object = None) -> list[Vec]:
        """All vertices, exactly, each verified (``alpha >= 0``, ``M alpha = b``, independent
        support columns), sorted.  ``method``: ``"cdd"`` (pycddlib gmp, double
        description; see :meth:`_vertices_bounded`), ``"walk"`` (the exact pivoting walk
        of :mod:`.vertex_walk`), ``"ppl"`` (pplpy, if installed) or ``"bases"`` (basis
        enumeration with flint: every subset of ``rank`` columns; the independent
        oracle).  With ``limit`` the enumeration stops with :class:`PolytopeTooLarge`
        beyond that many vertices, with ``time_limit`` (seconds) when the time is up
        (``"cdd"`` and ``"walk"``); the exception's ``found`` holds the vertices found."""
        if method == "cdd" and self._vertices is not None:
            if limit is not None and len(self._vertices) > limit:
                raise PolytopeTooLarge(f"{len(self._vertices)} vertices (limit {limit})",
                                       self._vertices[:limit])
            return list(self._vertices)
        if self.point is None:
            return []
        deadline = None if time_limit is None else \
            time.monotonic_ns() + int(Fraction(str(time_limit)) * 10 ** 9)
        if self.L == 0:
            out: list[Vec] = [()]
        elif self.rank == self.L:               # ker M = 0: P is the single point
            out = [self.point]
        elif method in ("cdd", "walk"):
            try:
                out = self._vertices_bounded(limit, deadline, walk=method == "walk")
            except PolytopeTooLarge as e:           # the vertices found are verified too
                e.found = sorted(set(e.found))
                self._verify_vertices(e.found, method)
                raise
        elif method == "ppl":
            out = vertices_ppl(self)
        elif method == "bases":
            out = vertices_bases(self, limit)
        else:
            raise ValueError(f"unknown method {method!r}")
        out = sorted(set(out))
        if limit is not None and len(out) > limit:
            raise PolytopeTooLarge(f"{len(out)} vertices (limit {limit})", out[:limit])
        self._verify_vertices(out, method)
        if method == "cdd":
            self._vertices = list(out)
        return out

    def _verify_vertices(self, out: Sequence[Vec], method: str) -> None:
        for v in out:
            if not self.is_vertex(v):                           # pragma: no cover
                raise ExactReluError(f"internal: {method} returned a non-vertex {v}")

    def _vertices_bounded(self, limit: int | None, deadline: int | None, *,
                          walk: bool = False) -> list[Vec]:
        """The vertices within ``limit`` and ``deadline`` (``time.monotonic_ns()``).

        When McMullen's bound on the vertex count (:func:`.vertex_walk.vertex_count_bound`)
        is small, cdd runs in-process (fast, and the limit cannot be exceeded).  Otherwise
        cdd runs in a child process that Ctrl-C, the deadline and a memory budget stop
        (:func:`exactrelu.lp.vertices` with ``isolate``) -- given at most
        ``CDD_FIRST_SECONDS`` when the bound exceeds ``limit``, since the double
        description cannot stop at a count -- and then the exact pivoting walk of
        :mod:`.vertex_walk` finds vertices one at a time up to ``limit`` or the deadline.
        Raises :class:`PolytopeTooLarge` (with the vertices found) when stopped."""
        bound = vertex_count_bound(self.L, self.rank)
        if not walk and bound <= CDD_IN_PROCESS and deadline is None:
            return cdd_vertices(self._eq_rows, self._eq_rhs, self.L)
        if not walk:
            cdd_deadline = deadline
            if limit is not None and bound > limit:
                first = time.monotonic_ns() + CDD_FIRST_SECONDS * 10 ** 9
                cdd_deadline = first if deadline is None else min(first, deadline)
            try:
                return cdd_vertices(self._eq_rows, self._eq_rhs, self.L, isolate=True,
                                    deadline_ns=cdd_deadline, memory_bytes=CDD_MEMORY)
            except EnumerationStopped as e:
                if cdd_deadline == deadline or e.reason == "memory" and \
                        (limit is None or bound <= limit):
                    raise PolytopeTooLarge(f"vertex enumeration stopped: {e}",
                                           reason=e.reason) from None
        return walk_vertices(self, limit=limit, deadline_ns=deadline)

    # -- min-norm point and sampling ------------------------------------------------------
    def min_norm(self) -> MinNorm:
        """``argmin {||alpha||^2 : alpha in P}`` exactly, with ``mu`` such that
        ``alpha = (M^T mu)_+`` (verified exactly; :func:`.min_norm_point.min_norm`)."""
        return _min_norm(self)

    def sample_vertex_combinations(self, count: int = 10000, *, seed: int = 0, grid: int = 1 << 16,
                                   vertices: Sequence[Vec] | None = None) -> list[Vec]:
        """``count`` exact points of ``P``: convex combinations of the vertices with random
        rational weights (about uniform on the simplex; see :func:`mix_vertices`).
        Each is in ``P`` by convexity; the caller may re-check with :meth:`contains`."""
        V = list(vertices) if vertices is not None else self.vertices()
        S = mix_vertices(V, count, seed=seed, grid=grid)
        return [S.exact(i) for i in range(len(S))]

    def lp_vertices(self, k: int, *, seed: int = 0, scale: int = 1 << 8) -> list[Vec]:
        """Up to ``k`` distinct vertices of ``P``: exact LP optima for random integer
        objectives (:func:`.sampling.lp_vertices`)."""
        return random_lp_vertices(self, k, seed=seed, scale=scale)
