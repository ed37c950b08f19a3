r"""Numeric solve of C-GReLU, the convex form of a gated ReLU network (floating point,
untrusted: :mod:`exactrelu.certificate.gated` rounds the residual and re-checks every
dual constraint exactly, and bounds the objective of the rounded blocks exactly).

    minimize  1/2 || sum_i D_i X v_i - y ||^2 + lam sum_i ||v_i||      (v_i free)

is the C-ReLU program of :mod:`exactrelu.approx.solver` with one sign per pattern and no
sign rows (an unconstrained group lasso), so the same Clarabel conic form and stall
handling (:mod:`.solver.clarabel_qp`) solve it, on all blocks at once: gate sets are
small (one block per distinct gate pattern), so no working set is needed.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .solver.clarabel_qp import _Clarabel
from .solver.data import _Data, _prepare

__all__ = ["GatedSolution", "solve_gated", "refine_residual"]


@dataclass
class GatedSolution:
    """``V`` (p, d): one block per pattern; ``residual = y - sum_i D_i X V_i``;
    ``objective`` recomputed from ``V``; ``status`` Clarabel's; ``notes`` its re-solves;
    ``active`` the blocks with ``||V_i|| > active_tol max_i ||V_i||`` (the others are
    interior-point noise, a guess)."""

    V: np.ndarray
    residual: np.ndarray
    objective: float
    status: str
    notes: list
    active: frozenset = frozenset()


def solve_gated(X, y, lam: float, patterns, *, tol: float = 1e-11, active_tol: float = 1e-6,
                verbose: int = 0) -> GatedSolution:
    """Solve C-GReLU over ``patterns`` (p x n, bool) with Clarabel (a guess)."""
    X, y, lam, P = _prepare(X, y, lam, patterns)
    D = _Data(X, y, lam, P)
    blocks = 2 * np.arange(D.p, dtype=np.int64)          # sign +1 only: v is free
    rows = [np.zeros(0, dtype=np.int64)] * D.p             # no cone rows
    cl = _Clarabel(tol, None, verbose)
    V, status, _ = cl.solve(D, blocks, rows)
    residual = y - D.fit(blocks, V)
    norms = np.linalg.norm(V, axis=1)
    obj = 0.5 * float(residual @ residual) + lam * float(norms.sum())
    active = frozenset(int(i) for i in np.flatnonzero(norms > active_tol * norms.max(initial=0)))
    return GatedSolution(V, residual, obj, status, list(cl.notes), active)


def refine_residual(X, y, lam: float, patterns, sol: GatedSolution, *, steps: int = 20):
    """A more accurate optimal residual (a guess for the rational reconstruction of
    :mod:`exactrelu.certificate.gated`): on the active set ``A`` of ``sol`` every optimum
    has ``v_i = alpha_i X^T D_i r``, so ``r(alpha) = (I + sum_A alpha_i D_i X X^T D_i)^-1 y``
    and ``||X^T D_i r(alpha)||^2 = lam^2`` on ``A`` -- |A| equations in |A| unknowns, solved
    by Newton from ``alpha_i = ||v_i|| / lam``.  When the optimal set is not a point that
    system is singular (two active blocks with the same fit ``D_i X v_i``, or a tie: a
    block with ``||X^T D_i r|| = lam`` and weight ~0): Newton then runs again on a subset of
    blocks with non-negligible, linearly independent fits (pivoted QR), a vertex of the
    optimal set, which has the same residual.  Returns ``sol.residual`` when Newton does not converge (interior-point
    accuracy near lam_max is only ~1e-6)."""
    X, y, P = np.asarray(X, float), np.asarray(y, float), np.asarray(patterns, bool)
    A = sorted(sol.active)
    if not A:
        return sol.residual
    alpha = np.linalg.norm(sol.V[A], axis=1) / lam
    r = _newton(X, y, lam, P, A, alpha, sol, steps)
    if r is None:
        B = _independent(X, P, A, alpha, sol)
        if 0 < len(B) < len(A):
            r = _newton(X, y, lam, P, B, alpha[[A.index(i) for i in B]], sol, steps)
    return sol.residual if r is None else r


def _independent(X, P, A: list, alpha, sol: GatedSolution) -> list:
    """The blocks of ``A`` with weight above 1e-5 of the largest whose fits ``D_i X v_i``
    a pivoted QR finds independent (relative tolerance 1e-5: the interior-point fits are
    accurate to ~1e-6), in order."""
    from scipy.linalg import qr

    big = [i for i, a in zip(A, alpha) if a > 1e-5 * max(alpha)]
    if not big:
        return []
    F = np.column_stack([P[i] * (X @ sol.V[i]) for i in big])
    _, R, piv = qr(F, mode="economic", pivoting=True)
    d = np.abs(np.diag(R))
    rank = int(np.sum(d > 1e-5 * d[0])) if d.size and d[0] > 0 else 0
    return sorted(big[j] for j in piv[:rank])


def _newton(X, y, lam: float, P, A: list, alpha, sol: GatedSolution, steps: int):
    """Newton on ``||X^T D_i r(alpha)||^2 = lam^2`` (``i`` in ``A``), see
    :func:`refine_residual`; the residual, or None when it does not converge."""
    n = len(y)
    M = [(P[i][:, None] * X) @ (P[i][:, None] * X).T for i in A]      # D_i X X^T D_i
    for _ in range(steps):
        K = np.eye(n) + sum(a * m for a, m in zip(alpha, M))
        try:
            r = np.linalg.solve(K, y)
            Mr = np.column_stack([m @ r for m in M])                 # column i: M_i r
            dr = -np.linalg.solve(K, Mr)             # column j: dr / dalpha_j, one solve
        except np.linalg.LinAlgError:
            return None
        # g and J entry by entry, as before: the matrix forms (Mr^T r, 2 Mr^T dr) round
        # differently and would change the guesses in their last bits
        g = np.array([r @ m @ r - lam * lam for m in M])             # ||X^T D_i r||^2 - lam^2
        J = np.array([[2 * mr @ d for d in dr.T] for mr in Mr.T])
        try:
            step = np.linalg.solve(J, g)
        except np.linalg.LinAlgError:
            return None
        alpha = alpha - step
        if np.max(np.abs(step)) <= 1e-15 * max(1.0, np.max(np.abs(alpha))):
            break
    if not np.all(np.isfinite(r)) or np.any(alpha < -1e-9) or \
            np.max(np.abs(r - sol.residual)) > 1e-3 * max(1.0, np.max(np.abs(y))):
        return None
    return r
