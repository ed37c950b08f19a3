r"""A generic constrained group lasso (CGL) and its optimal set.

``min 1/2 ||Z w - y||^2 + lam sum_b ||w_b||`` s.t. ``A_b w_b >= 0`` (docs/theory.md §1.4
with ``A_b = -K_b^T``); C-ReLU is the CGL with blocks ``(i, s)``.  From an exact optimal
residual ``r``, :func:`cgl_optimal_set` checks optimality exactly -- ``v_b = Proj_{C_b}(Z_b^T
r)`` by the KKT conditions of the projection, dual feasibility ``||v_b||^2 <= lam^2``, ``yhat
= y - r`` a non-negative combination of the equicorrelated fits, strong duality -- and runs
the analysis of :mod:`.analysis` on it.  :func:`example_b` is docs/theory.md §5.1 Example B
(a non-negative lasso with a non-unique optimum).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Mapping, Sequence

from ..errors import ExactReluError
from ..numbers import dot, q_matrix, q_vector, sqnorm, to_q
from .analysis import OptimalSet, _analyse

__all__ = ["CGL", "cgl_optimal_set", "example_b"]

Vec = tuple[Fraction, ...]
_ZERO = Fraction(0)


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

