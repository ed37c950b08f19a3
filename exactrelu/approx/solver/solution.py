"""The result of the C-ReLU solver (floating point, untrusted: see
:mod:`exactrelu.approx.solver`): :class:`CReLUSolution`, and :class:`_Certified`, which
recomputes a candidate's primal objective from ``U`` and a dual lower bound from its
residual (weak duality, :mod:`.dual`: ``r / alpha`` with ``alpha = max(1, max dual
ratio)`` is dual feasible), so the reported gap is that of the returned point, not the
interior-point solver's own estimate."""
from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ...errors import SolverError
from .clarabel_qp import _Clarabel
from .data import _block_pair, _Data
from .dual import _Dual


@dataclass
class CReLUSolution:
    """Result of :func:`solve_crelu` / :func:`solve_crelu_full` (floating point, untrusted).

    Attributes
    ----------
    U : ndarray (p, 2, d)
        Convex blocks; ``U[i, 0]`` is the block (i, +1), ``U[i, 1]`` the block (i, -1).
        Blocks outside the final working set are exactly zero; inside it they are the
        interior-point values (inactive ones are tiny, not exactly zero).  Sign rows hold
        to solver accuracy at the scale of the solution (``VIOL_TOL``).
    fit : ndarray (n,)
        ``sum_b s_b D_i X u_b`` recomputed from ``U``.
    residual : ndarray (n,)
        ``y - fit``.
    objective : float
        Primal objective ``1/2 ||residual||^2 + lam sum_b ||u_b||`` recomputed from ``U``.
    dual_objective : float
        ``r' . y - 1/2 ||r'||^2`` with ``r' = residual / max(1, max_dual_ratio)``: a lower
        bound on the optimum (up to float rounding).
    rho : DualMultipliers
        Read-only mapping ``{(i, s): rho (n,)}`` of multipliers ``rho >= 0`` at the final
        residual, one for every block with ``||c_b|| > lam (1 - NNLS_MARGIN)`` (all other
        blocks are feasible with ``rho = 0``).  For blocks near the boundary -- in
        particular every equicorrelated block -- it is the NNLS multiplier, so
        ``c_b + A_i^T rho = Pi_{K_i}(c_b)``; see :class:`DualMultipliers`.
    max_dual_ratio : float
        ``max_b ||Pi_{K_i}(c_b)|| / lam`` over ALL blocks at the final residual.
    active : list of (i, s)
        Blocks with ``||u_b|| > active_tol * max_b ||u_b||`` (default ``active_tol=1e-6``).
    outer_iterations : int
        Number of working-set iterations (0 if ``u = 0`` is already optimal).
    status : str
        ``"optimal"``: no block outside the working set violates its dual constraint by
        more than ``dual_tol`` and the certified relative gap is at most ``gap_tol``.
        Failures raise :class:`SolverError` instead.
    seconds : float
        Wall time of the whole call.
    working_set : list of (i, s)
        Blocks of the last restricted program.
    solver_status : str
        Clarabel status of the last restricted solve: ``"Solved"`` or ``"AlmostSolved"``;
        ``"InsufficientProgress"`` or ``"NumericalError"`` when a stalled iterate was kept
        because it passed the same certified-gap and sign-row tests as any other (the
        status is Clarabel's word, the acceptance is ours); ``"none"`` if no solve was
        needed.
    solver_seconds : float
        Total time inside Clarabel (setup + solve).
    solves : int
        Number of Clarabel calls (outer iterations plus sign-row re-solves).
    sign_rows : int
        Sign rows of the last restricted program (after dropping redundant rows).
    tol : float
        Clarabel tolerance of the last solve (``tol`` unless re-solves changed it).
    notes : list of str
        Re-solves with changed Clarabel settings (a stall answered with other settings
        or a looser tolerance, a too-large gap with a tighter one); usually empty.
    """

    U: np.ndarray
    fit: np.ndarray
    residual: np.ndarray
    objective: float
    dual_objective: float
    rho: Mapping
    max_dual_ratio: float
    active: list
    outer_iterations: int
    status: str
    seconds: float
    working_set: list = field(default_factory=list)
    solver_status: str = "none"
    solver_seconds: float = 0.0
    solves: int = 0
    sign_rows: int = 0
    tol: float = 0.0
    notes: list = field(default_factory=list)

    @property
    def gap(self) -> float:
        """``objective - dual_objective`` (>= 0 up to rounding)."""
        return self.objective - self.dual_objective

    @property
    def rel_gap(self) -> float:
        """``gap / max(1, |objective|)``."""
        return self.gap / max(1.0, abs(self.objective))


class _Certified:
    """Primal and dual values of a candidate ``(blocks, u)`` (everything recomputed)."""

    def __init__(self, D: _Data, blocks, u, dual: _Dual | None) -> None:
        self.U = np.zeros((2 * D.p, D.d))
        if len(blocks):
            self.U[blocks] = u
        self.fit = D.fit(blocks, u)
        self.residual = D.y - self.fit
        self.norms = np.linalg.norm(self.U, axis=1)
        self.objective = (0.5 * float(self.residual @ self.residual)
                          + D.lam * float(self.norms.sum()))
        if dual is None:
            dual = _Dual(D, self.residual)
        self.ratio, self.rho = dual.full()
        rs = self.residual / max(1.0, self.ratio)
        self.dual_objective = float(rs @ D.y) - 0.5 * float(rs @ rs)
        self.gap = self.objective - self.dual_objective

    def ok(self, gap_tol: float) -> bool:
        return self.gap <= gap_tol * max(1.0, abs(self.objective))

    def error(self, gap_tol: float, tol: float) -> SolverError:
        return SolverError(
            f"certified gap {self.gap:.3e} (objective {self.objective:.12g}, max dual "
            f"ratio {self.ratio:.12g}) exceeds the relative tolerance {gap_tol:g} even "
            f"with Clarabel tolerance {tol:g}")


def _finish(D: _Data, blocks, cert: _Certified, *, outer, solver_status, sign_rows,
            t_start, active_tol, clarabel: _Clarabel):
    nmax = cert.norms.max(initial=0.0)
    active = ([_block_pair(b) for b in np.flatnonzero(cert.norms > active_tol * nmax)]
              if nmax else [])
    return CReLUSolution(
        U=cert.U.reshape(D.p, 2, D.d), fit=cert.fit, residual=cert.residual,
        objective=cert.objective, dual_objective=cert.dual_objective, rho=cert.rho,
        max_dual_ratio=cert.ratio, active=active, outer_iterations=outer, status="optimal",
        seconds=time.perf_counter() - t_start,
        working_set=[_block_pair(b) for b in blocks], solver_status=solver_status,
        solver_seconds=clarabel.seconds, solves=clarabel.solves, sign_rows=sign_rows,
        tol=clarabel.eff_tol, notes=list(clarabel.notes))
