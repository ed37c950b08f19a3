r"""The vertices of ``P = {alpha >= 0 : M alpha = b}`` by the two second opinions.

A point of ``P`` is a vertex iff the columns on its support are linearly independent
(docs/theory.md §2.9: a vertex is a *support-minimal* optimal model).  The default route,
cdd's exact double description, is :func:`exactrelu.lp.vertices` (called by
:meth:`Polytope.vertices <exactrelu.optimal_sets.polytope.Polytope.vertices>`); this module
holds the independent ones: pplpy's generators of the same polyhedron, and plain basis
enumeration -- for every set ``B`` of ``rank M`` columns, the solution of ``M_B alpha_B =
b`` when it exists and is non-negative (every vertex's independent support extends to such
a basis).  :meth:`Polytope.vertices` re-verifies each vertex exactly.
"""
from __future__ import annotations

from fractions import Fraction
from itertools import combinations
from typing import TYPE_CHECKING

import flint

from ..errors import ExactReluError
from ..linalg import fq as _fq, fr as _fr, lcm_den as _lcm_den

if TYPE_CHECKING:
    from .polytope import Polytope

__all__ = ["PolytopeTooLarge", "vertices_ppl", "vertices_bases"]

Vec = tuple[Fraction, ...]
_ZERO = Fraction(0)


class PolytopeTooLarge(ExactReluError):
    """Vertex enumeration stopped early: more vertices than the limit (``reason``
    ``"limit"``), or the time (``"time"``) or memory (``"memory"``) budget ran out.
    ``found`` holds the exact vertices found before it stopped (possibly none)."""

    def __init__(self, message: str, found: list | None = None,
                 reason: str = "limit") -> None:
        super().__init__(message)
        self.found = list(found or [])
        self.reason = reason


def vertices_ppl(P: Polytope) -> list[Vec]:
    """The vertices of ``P`` as the points among the minimized generators of pplpy's
    exact polyhedron (a ray or line means ``P`` is unbounded: an error)."""
    import ppl  # optional second opinion (pplpy 0.8.10)

    cs = ppl.Constraint_System()
    for r, t in zip(P._eq_rows, P._eq_rhs):
        s = _lcm_den(list(r) + [t])
        cs.insert(ppl.Linear_Expression([int(a * s) for a in r], int(-t * s)) == 0)
    for j in range(P.L):
        cs.insert(ppl.Variable(j) >= 0)
    poly = ppl.C_Polyhedron(cs)
    out = []
    for g in poly.minimized_generators():
        if g.is_point():
            dv = int(g.divisor())
            coef = [int(c) for c in g.coefficients()]
            coef += [0] * (P.L - len(coef))
            out.append(tuple(Fraction(c, dv) for c in coef))
        else:
            raise ExactReluError("the polyhedron is unbounded (it has rays or lines)")
    return out


def vertices_bases(P: Polytope, limit: int | None = None) -> list[Vec]:
    """Basis enumeration: for every set ``B`` of ``rank`` independent columns solve
    ``M_B alpha_B = b`` exactly; the non-negative solutions are the vertices (every
    vertex has independent support columns, which extend to such a basis)."""
    r = P.rank
    if r == 0:
        return [tuple([_ZERO] * P.L)] if not any(P.b) else []
    found: set[Vec] = set()
    eq = P._eq_rows
    for B in combinations(range(P.L), r):
        A = flint.fmpq_mat(r, r, [_fq(eq[i][j]) for i in range(r) for j in B])
        try:
            x = A.solve(flint.fmpq_mat(r, 1, [_fq(t) for t in P._eq_rhs]))
        except ZeroDivisionError:
            continue                                        # dependent columns
        xs = [_fr(a) for a in x.entries()]
        if any(a < 0 for a in xs):
            continue
        alpha = [_ZERO] * P.L
        for j, a in zip(B, xs):
            alpha[j] = a
        found.add(tuple(alpha))
        if limit is not None and len(found) > limit:
            raise PolytopeTooLarge(f"more than {limit} vertices")
    return list(found)

