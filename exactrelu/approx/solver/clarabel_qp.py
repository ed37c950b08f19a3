r"""The restricted conic program of the C-ReLU solver and its Clarabel settings
(floating point, a guesser: see :mod:`exactrelu.approx.solver`): :func:`_solve_restricted`
builds and solves the program on a working set of blocks, :class:`_Clarabel` holds the
tolerance schedule and answers numerical stalls.

The conic form passed to Clarabel
=================================
Clarabel solves ``min 1/2 x^T P x + q^T x  s.t.  A x + s = b, s in K``.  With ``k`` blocks
in the working set the variables are ``x = [u_1 .. u_k (k*d), r (n), t_1 .. t_k (k)]``:

* objective ``1/2 ||r||^2 + lam sum_b t_b``   (``P = I`` on ``r``, ``q = lam`` on ``t``);
* zero cone (n rows): ``sum_b s_b D_i X u_b + r = y``;
* non-negative cone: the kept sign rows ``(A_i)_j u_b >= 0`` (all non-zero rows of X
  with ``drop_redundant=False``, as in :func:`solve_crelu_full`);
* one second-order cone per block: ``(t_b, u_b) in SOC(d + 1)``.

Clarabel is called directly (no cvxpy), with sparse matrices built in one shot from
index arrays.  There is no warm start; each outer iteration re-solves from scratch, which
is cheap because the working set stays small.

Numerical safeguards
====================
Default tolerance ``tol = 1e-10`` (Clarabel's gap/feasibility tolerances; its reduced
tolerances, which define ``AlmostSolved``, are ``min(1e-7, 1e3 tol)``).  The result is
then certified independently: ``objective - dual_objective <= gap_tol max(1, |objective|)``
(default 1e-9).  If not, the last program is re-solved at ``tol / 100`` (down to 1e-13).
Clarabel's ``InsufficientProgress`` (a stall, seen on degenerate data at tight
tolerances) is answered by re-solving with other linear algebra / regularisation and at
most a 100x looser tolerance; every such re-solve is listed in ``notes`` and the final
answer still has to pass the certified-gap test.  Any other status than Solved or
AlmostSolved raises :class:`~exactrelu.errors.SolverError`, as does a failure of the
gap test or of the working-set loop to converge.
"""
from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp

from ...errors import InputError, SolverError
from .data import _Data

#: smallest Clarabel tolerance tried when the certified gap is too large.
MIN_TOL = 1e-13

#: loosest Clarabel tolerance used to answer an ``InsufficientProgress`` stall.
STALL_MAX_TOL = 1e-8


#: Clarabel statuses of a numerical stall.
STALLS = ("InsufficientProgress", "NumericalError")

#: static regularisation of the first stall step, also tried once when the certified
#: gap of a solve at ``tol`` is too large (before a tighter tolerance): measured on
#: diabetes with 100 sampled gates, 200 blocks, tol 1e-11: Clarabel's default 1e-8 gave
#: AlmostSolved with certified gap 9.4e-6, 1e-7 AlmostSolved with gap 1.5e-9 in the same
#: 27 iterations.  (As the default at tight tolerances it cost accuracy elsewhere:
#: tests/test_certify.py, n = 12, d = 2.)
TIGHT_STATIC_REG = 1e-7

#: sign rows above which a solve at a tolerance below 1e-9 uses ``TIGHT_STATIC_REG`` from
#: the start: measured on diabetes, 200 sampled gates (37k rows at 1e-11): the default
#: ended in NumericalError and the re-solve with 1e-7 succeeded (86 s in all, against
#: 61 s with 1e-7 from the start, at similar machine load); 100 gates (17k rows): see above.
BIG_ROWS = 10_000

#: what a Clarabel ``InsufficientProgress`` stall is answered with, in order (sticky for
#: the rest of the call): stronger static regularisation, other linear algebra, then a
#: looser tolerance (x10, x100; never above ``STALL_MAX_TOL``).  (Clarabel 0.11's "auto"
#: linear algebra is faer, so a step ``{"direct_solve_method": "faer"}`` repeats the
#: failed solve -- measured: diabetes, 200 sampled gates, 117 s for the same
#: NumericalError.)
_STALL_STEPS: tuple[dict, ...] = (
    {"static_regularization_constant": TIGHT_STATIC_REG},
    {"direct_solve_method": "qdldl", "static_regularization_constant": TIGHT_STATIC_REG},
    {"static_regularization_constant": TIGHT_STATIC_REG, "_tol_factor": 10.0},
    {"static_regularization_constant": TIGHT_STATIC_REG, "_tol_factor": 100.0},
)


class _Clarabel:
    """Clarabel settings and tolerance schedule of one call, with solve bookkeeping.

    * ``InsufficientProgress`` or ``NumericalError`` (numerical stalls, typical of
      degenerate data at very tight tolerances) are answered by re-solving with the next
      of ``_STALL_STEPS``,
      recorded in ``notes``; the result is still subject to the final certified-gap
      test, so nothing unverified gets through.  Every other status except
      Solved/AlmostSolved raises :class:`SolverError` at once.
    * :meth:`tighten` divides the tolerance by 100 (not below ``MIN_TOL``) when the
      certified gap is too large.
    """

    def __init__(self, tol: float, overrides: Mapping[str, Any] | None, verbose) -> None:
        self.overrides = dict(overrides or {})
        self.verbose = int(verbose)
        self.step = -1                          # index into _STALL_STEPS, -1 = defaults
        self.solves = 0
        self.seconds = 0.0
        self.notes: list[str] = []
        self.set_tol(float(tol))

    def set_tol(self, tol: float) -> None:
        import clarabel

        extra = dict(_STALL_STEPS[self.step]) if self.step >= 0 else {}
        eff = min(tol * extra.pop("_tol_factor", 1.0), max(tol, STALL_MAX_TOL))
        self.tol, self.eff_tol = tol, eff
        self.settings = self._make(clarabel, eff, extra)
        # a program with more than BIG_ROWS sign rows at a tight tolerance starts from the
        # first stall step (stronger static regularisation)
        if eff < 1e-9 and self.step < 0:
            first = dict(_STALL_STEPS[0])
            first.pop("_tol_factor", None)
            self.big_settings = self._make(clarabel, eff, first)
        else:
            self.big_settings = self.settings

    def _make(self, clarabel, eff: float, extra: dict):
        s = clarabel.DefaultSettings()
        s.verbose = self.verbose >= 2            # verbose=2 also shows Clarabel's log
        s.tol_gap_abs = s.tol_gap_rel = s.tol_feas = eff
        s.tol_ktratio = min(s.tol_ktratio, eff * 1e2)
        # "AlmostSolved" then means these (still tight) reduced tolerances were met.
        red = min(1e-7, eff * 1e3)
        s.reduced_tol_gap_abs = s.reduced_tol_gap_rel = s.reduced_tol_feas = red
        s.reduced_tol_ktratio = min(s.reduced_tol_ktratio, red * 1e2)
        for key, val in list(extra.items()) + list(self.overrides.items()):
            if not hasattr(s, key):
                raise InputError(f"solve_crelu: unknown Clarabel setting {key!r}")
            setattr(s, key, val)
        return s

    def _note(self, text: str) -> None:
        self.notes.append(text)
        if self.verbose:
            print(f"[solve_crelu]   {text}")

    def solve(self, D: _Data, blocks: np.ndarray, rows: list[np.ndarray],
              accept_stall: bool = False):
        """``(u (k, d), status, number of sign rows)`` of the restricted program.  With
        ``accept_stall`` the last iterate of a stall (``STALLS``) is returned as is: the
        caller keeps it only if it passes the certified-gap and sign-row tests, and
        otherwise calls :meth:`step_up` and solves again."""
        while True:
            big = sum(len(r) for r in rows) > BIG_ROWS
            u, status, sec, M, iters = _solve_restricted(
                D, blocks, rows, self.big_settings if big else self.settings)
            self.solves += 1
            self.seconds += sec
            if status in ("Solved", "AlmostSolved"):
                return u, status, M
            if accept_stall and u is not None:
                return u, status, M
            if status in STALLS and self.step_up(f"Clarabel {status}", len(blocks)):
                continue
            raise SolverError(f"Clarabel status {status} on {len(blocks)} blocks "
                              f"(iterations {iters}, tol {self.eff_tol:g})")

    def step_up(self, why: str, k: int) -> bool:
        """Switch to the next of ``_STALL_STEPS`` (False if none is left)."""
        if self.step + 1 >= len(_STALL_STEPS):
            return False
        self.step += 1
        self.set_tol(self.tol)
        self._note(f"{why} on {k} blocks; re-solved with {_STALL_STEPS[self.step]}")
        return True

    def tighten(self) -> bool:
        if self.tol <= MIN_TOL:
            return False
        new = max(self.tol / 100.0, MIN_TOL)
        self._note(f"certified gap too large at tol {self.tol:g}; re-solving at tol {new:g}")
        self.set_tol(new)
        return True


def _solve_restricted(D: _Data, blocks: np.ndarray, rows: list[np.ndarray], settings):
    """Solve (C-ReLU) restricted to ``blocks`` (flat indices) with sign rows ``rows[t]``
    for block ``t``.  Returns ``(u (k, d) or None, status, seconds, number of sign rows,
    iterations)``; ``u`` is None unless the status is Solved/AlmostSolved or a stall
    (``STALLS``) with a finite last iterate."""
    import clarabel

    X, y, lam, n, d = D.X, D.y, D.lam, D.n, D.d
    k = len(blocks)
    I = blocks // 2
    S = 1.0 - 2.0 * (blocks % 2)
    kd = k * d
    N = kd + n + k

    # zero cone (rows 0..n): sum_b s_b D_i X u_b + r = y
    V0 = (S[None, :, None] * D.Pf[I].T[:, :, None]) * X[:, None, :]       # (n, k, d)
    keep = V0 != 0
    r0 = np.broadcast_to(np.arange(n)[:, None, None], V0.shape)[keep]
    c0 = np.broadcast_to(np.arange(kd).reshape(1, k, d), V0.shape)[keep]
    # nonneg cone: -A_i[rows] u_b + s = 0
    cnt = np.array([len(r) for r in rows], dtype=np.int64)
    M = int(cnt.sum())
    bid = np.repeat(np.arange(k), cnt)
    jr = np.concatenate(rows).astype(np.int64) if M else np.zeros(0, dtype=np.int64)
    V1 = -(D.Sg[I[bid], jr][:, None] * X[jr])                               # (M, d)
    keep1 = V1 != 0
    r1 = np.broadcast_to((n + np.arange(M))[:, None], V1.shape)[keep1]
    c1 = (bid[:, None] * d + np.arange(d)[None, :])[keep1]
    # second-order cones: (t_b, u_b) - s = 0
    base = n + M + np.arange(k) * (d + 1)
    n_rows = n + M + k * (d + 1)
    A = sp.csc_matrix(
        (np.concatenate([V0[keep], np.ones(n), V1[keep1], -np.ones(k), -np.ones(kd)]),
         (np.concatenate([r0, np.arange(n), r1, base,
                          (base[:, None] + 1 + np.arange(d)[None, :]).ravel()]),
          np.concatenate([c0, kd + np.arange(n), c1, kd + n + np.arange(k), np.arange(kd)]))),
        shape=(n_rows, N))
    b = np.zeros(n_rows)
    b[:n] = y
    Pm = sp.csc_matrix((np.ones(n), (kd + np.arange(n), kd + np.arange(n))), shape=(N, N))
    q = np.zeros(N)
    q[kd + n:] = lam
    cones = [clarabel.ZeroConeT(n)]
    if M:
        cones.append(clarabel.NonnegativeConeT(M))
    cones += [clarabel.SecondOrderConeT(d + 1)] * k
    t0 = time.perf_counter()
    try:
        sol = clarabel.DefaultSolver(Pm, q, A, b, cones, settings).solve()
    except Exception as exc:                                   # Clarabel raises on bad input
        raise SolverError(f"Clarabel failed: {exc}") from exc
    sec = time.perf_counter() - t0
    status = str(sol.status)
    if status not in ("Solved", "AlmostSolved") + STALLS:
        return None, status, sec, M, sol.iterations
    x = np.asarray(sol.x, dtype=np.float64)
    if not np.isfinite(x).all():
        if status in STALLS:
            return None, status, sec, M, sol.iterations
        raise SolverError(f"Clarabel returned non-finite values (status {status})")
    return x[:kd].reshape(k, d), status, sec, M, sol.iterations
