r"""The optimal set of C-GReLU (gated ReLU), exactly: docs/theory.md §1.5, "The optimal
set of C-GReLU".

C-GReLU is the constrained group lasso of §1.4 with ``Z = [D_1 X, ..., D_p X]`` and no
constraints, so :func:`exactrelu.optimal_sets.cgl.cgl_optimal_set` applies with empty
cones: from an exact optimal residual ``r`` it checks optimality exactly (dual
feasibility ``||X^T D_i r||^2 <= lam^2``, ``y - r`` a non-negative combination of the
equicorrelated fits, strong duality) and returns the polytope
``{alpha >= 0 : sum_i alpha_i D_i X X^T D_i r = y - r}`` with ``v_i = alpha_i X^T D_i r``,
its support, vertices (the minimal gated networks) and uniqueness.

:func:`planted_gated` builds instances with a known rational optimum (for tests): it
prescribes the correlations ``X^T D_i r`` of chosen patterns to vectors of norm ``lam``.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Sequence

from ..gated import GatedProgram
from ..linalg import least_norm_solution
from ..numbers import sqnorm
from ..problem import Dataset
from .analysis import OptimalSet
from .cgl import CGL, cgl_optimal_set

__all__ = ["gated_cgl", "gated_optimal_set", "planted_gated", "certificate_optimal_set"]


def gated_cgl(program: GatedProgram) -> CGL:
    """The CGL of C-GReLU: columns ``i d .. i d + d - 1`` are ``D_i X``; no cones; blocks
    labelled by their pattern strings."""
    X, d, pats = program.data.X, program.data.d, program.patterns
    Z = [[x[j] if p[k] == "1" else Fraction(0) for p in pats for j in range(d)]
         for k, x in enumerate(X)]
    blocks = [list(range(i * d, (i + 1) * d)) for i in range(len(pats))]
    return CGL.make(Z, program.data.y, program.lam, blocks, labels=pats)


def gated_optimal_set(program: GatedProgram, r: Sequence[object], *,
                      enumerate_vertices: bool = True,
                      vertex_limit: int | None = None) -> OptimalSet:
    """Every optimum of C-GReLU over the gate patterns, from its exact optimal residual
    (:class:`~exactrelu.errors.ExactReluError` if ``r`` is not optimal)."""
    return cgl_optimal_set(gated_cgl(program), r, enumerate_vertices=enumerate_vertices,
                           vertex_limit=vertex_limit)


def planted_gated(X, gates, active: dict[int, Sequence[object]], alpha: dict[int, object],
                  lam: object) -> tuple[GatedProgram, tuple[Fraction, ...]] | None:
    """A C-GReLU instance with a known optimal residual, or None when the prescription is
    infeasible.  ``active[i]``: the prescribed correlation ``X^T D_i r`` of pattern ``i``
    (norm ``lam`` exactly); ``alpha[i] >= 0``: its weight.  ``r`` is the least-norm solution
    of the prescriptions; ``y = r + sum_i alpha_i D_i X c_i``.  None unless every other
    pattern has ``||X^T D_j r|| <= lam`` (then ``r`` is optimal by the KKT conditions)."""
    lam = Fraction(lam)
    Xq = tuple(tuple(Fraction(a) for a in row) for row in X)
    n = len(Xq)
    prog0 = GatedProgram(Dataset(Xq, (Fraction(0),) * n), lam,
                         tuple(tuple(Fraction(a) for a in g) for g in gates))
    rows, rhs = [], []
    for i, c in active.items():
        if sqnorm([Fraction(a) for a in c]) != lam * lam:
            raise ValueError(f"prescribed correlation of pattern {i} does not have norm lam")
        p = prog0.patterns[i]
        for j, cj in enumerate(c):
            rows.append([x[j] if p[k] == "1" else Fraction(0) for k, x in enumerate(Xq)])
            rhs.append(Fraction(cj))
    r = least_norm_solution(rows, rhs, n)
    if r is None:
        return None
    y = list(r)
    for i, c in active.items():
        fit = prog0.convex.block_fit((i, 1), [Fraction(a) for a in c])
        y = [a + Fraction(alpha[i]) * f for a, f in zip(y, fit)]
    prog = GatedProgram(Dataset(Xq, tuple(y)), lam, prog0.gates)
    if any(sqnorm(prog.convex.correlation((i, 1), r)) > lam * lam
           for i in range(len(prog.patterns))):
        return None
    return prog, tuple(r)


def certificate_optimal_set(doc: dict, *, max_vertices: int = 10000) -> OptimalSet:
    """The optimal set of the gated program of a gated certificate (a parsed JSON
    document with a ``gated`` section) from its residual ``dual.r``, which must be the
    exact optimal one (an exact certificate, ``lower == upper``): every optimality
    condition is re-checked exactly; otherwise :class:`~exactrelu.errors.InputError`."""
    from ..errors import ExactReluError, InputError

    pr = doc["problem"]
    data = Dataset.from_arrays(pr["X"], pr["y"])
    prog = GatedProgram(data, Fraction(pr["lam"]),
                        tuple(tuple(Fraction(a) for a in g) for g in doc["gated"]["gates"]))
    try:
        return gated_optimal_set(prog, [Fraction(a) for a in doc["dual"]["r"]],
                                 vertex_limit=max_vertices)
    except ExactReluError as e:
        raise InputError(f"the gated optimal set needs the exact optimal residual (an exact "
                         f"certificate, lower == upper): {e}") from None
