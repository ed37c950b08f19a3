r"""Vertices of ``P = {alpha >= 0 : M alpha = b}`` one at a time, by an exact pivoting walk
that stops at a vertex count or a deadline (issue 15 item 3).

cdd's double description (:func:`exactrelu.lp.vertices`) must finish before it returns
anything, and its time and memory are not bounded by the number of vertices asked for.
This walk visits the *lexicographically feasible* bases of ``P`` (the vertices of the
perturbed polytope ``P(eps)`` with ``b(eps) = b + M_B0 (eps, eps^2, ..., eps^m)``, ``B0``
the start basis) breadth first: from a basis ``B`` (tableau ``T = M_B^-1 [b | M]``, one
exact flint solve) every nonbasic column ``j`` enters, and the lexicographic ratio test on
the rows of ``[T_b | T_B0] / T_j`` picks the unique leaving row.  ``P(eps)`` is a simple
bounded polytope whose graph is connected, and every vertex of ``P`` is ``x_B(0)`` for one
of its bases, so the walk is complete when it runs out of bases (the method of Avis and
Fukuda's lrs, written by hand because neither cdd nor pplpy can stop early).  Each vertex
is found as the exact basic solution ``alpha_B = M_B^-1 b >= 0`` (re-verified by the
caller, :meth:`Polytope.vertices`).  Time and memory grow with the number of bases
visited, so ``limit`` (vertices) and ``deadline_ns`` (``time.monotonic_ns()``) bound both; the
loop is plain Python, so Ctrl-C (KeyboardInterrupt) stops it at once.
"""
from __future__ import annotations

import time
from collections import deque
from fractions import Fraction
from math import comb
from typing import TYPE_CHECKING

import flint

from ..errors import ExactReluError
from ..linalg import fq as _fq, fr as _fr
from .vertex_enumeration import PolytopeTooLarge

if TYPE_CHECKING:
    from .polytope import Polytope

__all__ = ["walk_vertices", "start_basis", "vertex_count_bound"]

Vec = tuple[Fraction, ...]
_ZERO = Fraction(0)


def vertex_count_bound(L: int, rank: int) -> int:
    """McMullen's upper bound on the vertices of a ``d``-polytope with at most ``L``
    facets, ``d = L - rank`` (``P`` lies in ``{M alpha = b}``, its facets are among the
    ``L`` sign constraints); also at most the number ``C(L, rank)`` of bases."""
    d = L - rank
    if d <= 0:
        return 1
    ubt = comb(L - (d + 1) // 2, L - d) + comb(L - (d + 2) // 2, L - d)
    return min(ubt, comb(L, rank))


def _lexmin_row(T, rows: list[int], j: int, lex_cols: list[int]) -> int:
    """The leaving row: the lexicographic minimum of ``[T_0 | T_lex] / T_j`` over the
    rows with ``T_j > 0`` (unique: the rows of ``T_lex`` restricted to them are
    independent)."""
    best = rows[0]
    for t in rows[1:]:
        for c in lex_cols:
            a = T[t, c] / T[t, j]
            b = T[best, c] / T[best, j]
            if a != b:
                if a < b:
                    best = t
                break
    return best


def start_basis(P: Polytope) -> list[int]:
    """A feasible basis (``M_B^-1 b >= 0``, checked exactly): the guess of a float LP
    (:func:`._float_guess.float_basis`) when it is feasible, else the basis completed
    from the exact vertex :func:`.simplex.purify` reaches from the known point."""
    from ._float_guess import float_basis
    from .simplex import complete_basis

    m = len(P._eq_rows)
    for c in ([Fraction(1)] * P.L, [Fraction(-1)] * P.L):
        try:
            B = float_basis(P, c)
        except (ArithmeticError, ValueError):              # pragma: no cover
            B = None
        if B is not None:
            Mq = P._eq_fmpq()
            MB = flint.fmpq_mat(m, m, [Mq[i, j] for i in range(m) for j in B])
            x = MB.solve(flint.fmpq_mat(m, 1, [_fq(a) for a in P._eq_rhs])).entries()
            if all(a >= 0 for a in x):
                return list(B)
    return complete_basis(P, P.support_of(P.purify(P.point)))


def walk_vertices(P: Polytope, B0: list[int] | None = None, *, limit: int | None = None,
                  deadline_ns: int | None = None) -> list[Vec]:
    """All vertices of the bounded polytope ``P`` (module docstring), starting from the
    feasible basis ``B0`` (default :func:`start_basis`; the start and the first vertex
    are always completed, so at least one vertex is found).  Raises :class:`PolytopeTooLarge` (with the vertices found) when more
    than ``limit`` distinct vertices are found or ``time.monotonic_ns()`` passes
    ``deadline_ns``."""
    m, L = len(P._eq_rows), P.L
    Mq = P._eq_fmpq()
    aug = flint.fmpq_mat(m, L + 1, [_fq(P._eq_rhs[i]) if c == 0 else Mq[i, c - 1]
                                    for i in range(m) for c in range(L + 1)])
    B0 = start_basis(P) if B0 is None else list(B0)
    lex_cols = [0] + [1 + j for j in B0]
    seen = {tuple(sorted(B0))}
    queue = deque([list(B0)])
    found: dict[Vec, None] = {}
    while queue:
        if deadline_ns is not None and found and time.monotonic_ns() > deadline_ns:
            raise PolytopeTooLarge(f"time limit reached after {len(found)} vertices",
                              list(found), "time")
        B = queue.popleft()
        MB = flint.fmpq_mat(m, m, [Mq[i, j] for i in range(m) for j in B])
        T = MB.inv() * aug              # M_B^-1 [b | M], exact (3x faster than solve here)
        alpha = [_ZERO] * L
        for t, j in enumerate(B):
            x = T[t, 0]
            if x < 0:                                       # pragma: no cover
                raise ExactReluError("internal: the walk left the polytope")
            alpha[j] = _fr(x)
        v = tuple(alpha)
        if v not in found:
            found[v] = None
            if limit is not None and len(found) > limit:
                raise PolytopeTooLarge(f"more than {limit} vertices", list(found)[:limit],
                                  "limit")
        inB = set(B)
        for j in range(L):
            if j in inB:
                continue
            rows = [t for t in range(m) if T[t, 1 + j] > 0]
            if not rows:                                    # pragma: no cover
                raise ExactReluError("the polyhedron is unbounded (it has rays or lines)")
            t = _lexmin_row(T, rows, 1 + j, lex_cols)
            B2 = list(B)
            B2[t] = j
            key = tuple(sorted(B2))
            if key not in seen:
                seen.add(key)
                queue.append(B2)
    return list(found)
