r"""The float guessers of the path machinery (untrusted: nothing here is a claim).

Float solves produce candidates only: :func:`_solve` (the C-ReLU solver of
:mod:`exactrelu.approx.solver`, warm-started, with retries), :func:`_solve_blocks_float`
(Clarabel on a fixed set of blocks), the float value of a branch, the bisection of two
branch values, and rational reconstructions of float residuals and roots.  How each
guess is verified exactly: a rational residual becomes an optimum only through
:func:`exactrelu.rational_optimum.exact_optimum_at` (certified path) or
:func:`exactrelu.paths.restricted._restricted_exact` (restricted programs: exact
projections, dual feasibility, equal primal and dual values); a rational crossing only
when :func:`exactrelu.paths.fixed_width.fixed_width_optimum` proves both branches optimal
there; a float solution only contributes the rounded, exactly projected point whose
objective is bounded exactly, and the weak-duality lower bound is computed exactly.
"""
from __future__ import annotations

import warnings
from fractions import Fraction
from typing import Iterator, Sequence

import numpy as np

from ..problem import Block
from ._shared import _Ctx


def _solve(ctx: _Ctx, lam: Fraction, initial, tol: float):
    """The float solve (untrusted), warm-started; on a solver failure: cold start, then a
    looser certified-gap tolerance, then the best solution found at any gap (as certify
    does; e.g. lam below the float noise of the fit, 1e-14 on the demo data).  The exact
    bounds computed from the guess stay valid, only wider."""
    from ..approx.solver import solve_crelu
    from ..errors import SolverError

    tries = [dict(initial=list(initial) if initial else None)]
    if initial:
        tries.append(dict(initial=None))
    tries.append(dict(initial=None, gap_tol=1e-6))
    tries.append(dict(initial=None, gap_tol=1e-6, strict=False))
    err = None
    for kw in tries:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return solve_crelu(ctx.Xf, ctx.yf, float(lam), ctx.P, tol=tol,
                                   complete=bool(ctx.ps.complete), **kw)
        except SolverError as e:
            err = e
    raise err  # type: ignore[misc]


def _solve_blocks_float(Xf: np.ndarray, yf: np.ndarray, lam: float, masks: np.ndarray,
                        signs: Sequence[int], tol: float = 1e-12):
    """Float optimum of C-ReLU over the given blocks only (Clarabel, all sign rows).
    Returns ``(U (k, d), residual (n,), objective)``."""
    import clarabel
    import scipy.sparse as sp

    from ..errors import SolverError

    n, d = Xf.shape
    k = len(signs)
    if k == 0:
        return np.zeros((0, d)), yf.copy(), 0.5 * float(yf @ yf)
    kd = k * d
    N = kd + n + k
    nz = np.flatnonzero(np.abs(Xf).sum(axis=1) > 0)
    rows = []
    A0 = np.zeros((n, N))
    for t in range(k):
        A0[:, t * d:(t + 1) * d] = signs[t] * masks[t][:, None] * Xf
    A0[:, kd:kd + n] = np.eye(n)
    rows.append(A0)
    A1 = np.zeros((k * len(nz), N))
    for t in range(k):
        sg = (2.0 * masks[t][nz] - 1.0)[:, None] * Xf[nz]
        A1[t * len(nz):(t + 1) * len(nz), t * d:(t + 1) * d] = -sg
    rows.append(A1)
    A2 = np.zeros((k * (d + 1), N))
    for t in range(k):
        A2[t * (d + 1), kd + n + t] = -1.0
        A2[t * (d + 1) + 1:(t + 1) * (d + 1), t * d:(t + 1) * d] = -np.eye(d)
    rows.append(A2)
    A = sp.csc_matrix(np.vstack(rows))
    b = np.zeros(A.shape[0])
    b[:n] = yf
    Pm = sp.csc_matrix((np.ones(n), (kd + np.arange(n), kd + np.arange(n))), shape=(N, N))
    q = np.zeros(N)
    q[kd + n:] = lam
    cones = [clarabel.ZeroConeT(n)]
    if len(nz):
        cones.append(clarabel.NonnegativeConeT(k * len(nz)))
    cones += [clarabel.SecondOrderConeT(d + 1)] * k
    s = clarabel.DefaultSettings()
    s.verbose = False
    s.tol_gap_abs = s.tol_gap_rel = s.tol_feas = tol
    s.tol_ktratio = min(s.tol_ktratio, tol * 1e2)
    sol = clarabel.DefaultSolver(Pm, q, A, b, cones, s).solve()
    status = str(sol.status)
    if status not in ("Solved", "AlmostSolved"):
        raise SolverError(f"restricted program: Clarabel status {status}")
    x = np.asarray(sol.x, dtype=float)
    U = x[:kd].reshape(k, d)
    fit = np.zeros(n)
    for t in range(k):
        fit += signs[t] * masks[t] * (Xf @ U[t])
    r = yf - fit
    obj = 0.5 * float(r @ r) + lam * float(np.linalg.norm(U, axis=1).sum())
    return U, r, obj


def _branch_float(ctx: _Ctx, B: Sequence[Block], lam: float):
    masks = np.array([ctx.P[i] for i, _ in B], dtype=float).reshape(len(B), ctx.data.n)
    U, r, obj = _solve_blocks_float(ctx.Xf, ctx.yf, lam, masks, [s for _, s in B])
    return obj, ctx.yf - r


def _float_loss_penalty(sol) -> tuple[float, float]:
    """Float ``1/2||r||^2`` and ``sum ||u_b||`` of a float solve (diagnostics only)."""
    fl_loss = 0.5 * float(sol.residual @ sol.residual)
    fl_pen = float(sum(np.linalg.norm(sol.U[i, 0 if s == 1 else 1]) for i, s in sol.active))
    return fl_loss, fl_pen


def _simple_residual_guess(sol) -> list[Fraction] | None:
    """The float residual rounded to simple rationals (denominators <= 10^4, relative
    error 1e-9), or ``None``; proved or rejected by ``exact_optimum_at``."""
    from ..rational_optimum import reconstruct_rational

    r = []
    for x in sol.residual:
        xq = Fraction(float(x))
        r.append(reconstruct_rational(xq, Fraction(1, 10 ** 9) * max(1, abs(xq)), 10 ** 4))
    if any(q is None for q in r):
        return None
    return r


def _restricted_float(program, subset: Sequence[Block], tol: float):
    """Float optimum of ``program`` restricted to the blocks ``subset``:
    ``(U (k, d), residual (n,), objective)`` (:func:`_solve_blocks_float`)."""
    data = program.data
    P = program.patterns.as_array()
    masks = np.array([P[i] for i, _ in subset], dtype=float)
    return _solve_blocks_float(data.X_float(), data.y_float(), float(program.lam), masks,
                               [s for _, s in subset], tol)


def _residual_guesses(program, subset: Sequence[Block], U: np.ndarray, rf: np.ndarray
                      ) -> list[tuple[Fraction, ...]]:
    """Rational residuals to try for the restricted optimum, from its float solve: the
    zero solution when ``U`` is (numerically) zero, ``rf`` reconstructed at a few
    tolerances, then the blocks ``U`` reconstructed (degenerate programs: the float
    residual may be poor while the blocks round well) and their exact residual."""
    from ..rational_optimum import reconstruct_rational

    data = program.data
    yf = data.y_float()
    cands = []
    if np.linalg.norm(U) <= 1e-9 * max(1.0, float(np.abs(yf).max())):
        cands.append(tuple(data.y))

    def rec(x: float, eps: float, den: int) -> Fraction | None:
        xq = Fraction(float(x))
        return reconstruct_rational(xq, Fraction(eps) * max(1, abs(xq)), den)

    for eps, den in ((1e-8, 10 ** 4), (1e-7, 10 ** 6), (1e-6, 10 ** 6)):
        rr = [rec(x, eps, den) for x in rf]
        if all(q is not None for q in rr) and tuple(rr) not in cands:
            cands.append(tuple(rr))
    scale = max(1.0, float(np.abs(U).max(initial=0.0)))
    for eps, den in ((1e-6, 10 ** 4), (1e-3, 10 ** 2)):
        uq = {}
        for b, u in zip(subset, U):
            q = [rec(x, eps * scale, den) if abs(x) > eps * scale else Fraction(0) for x in u]
            if any(a is None for a in q):
                break
            uq[b] = tuple(q)
        else:
            f = program.fit(uq)
            rr = tuple(a - c for a, c in zip(data.y, f))
            if rr not in cands:
                cands.append(rr)
    return cands


def _float_crossing(ctx: _Ctx, B1: Sequence[Block], B2: Sequence[Block], a: float, b: float
                    ) -> tuple[str, float | None, bool]:
    """Float evidence on the crossing of the branch values ``V_B1 - V_B2`` in ``[a, b]``:
    ``("same_fit", None, True)`` when both branches give the same fit at an end,
    ``("no_cross", None, False)`` when the float values do not change order, else
    ``("root", root, same_fit)`` from 60 bisection steps, ``same_fit`` telling whether the
    fits agree at the root (a jump keeps an O(1) fit difference at the crossing, a
    continuous change, degenerate and poorly conditioned there, only a solver-accuracy
    one).  Verified later: rational guesses of the root by :func:`_verify_at`, the
    bracket by exact restricted bounds."""
    tol_fit = 1e-7 * (1.0 + float(np.linalg.norm(ctx.yf)))
    (v1a, g1a), (v2a, g2a) = _branch_float(ctx, B1, a), _branch_float(ctx, B2, a)
    (v1b, g1b), (v2b, g2b) = _branch_float(ctx, B1, b), _branch_float(ctx, B2, b)
    if min(np.linalg.norm(g1a - g2a), np.linalg.norm(g1b - g2b)) <= tol_fit:
        return "same_fit", None, True
    fa, fb = v1a - v2a, v1b - v2b
    if not fa <= 0 <= fb:
        return "no_cross", None, False
    for _ in range(60):
        c = 0.5 * (a + b)
        if c in (a, b):
            break
        if _branch_float(ctx, B1, c)[0] - _branch_float(ctx, B2, c)[0] <= 0:
            a = c
        else:
            b = c
    root = 0.5 * (a + b)
    f1 = _branch_float(ctx, B1, root)[1]
    f2 = _branch_float(ctx, B2, root)[1]
    same_fit = float(np.linalg.norm(f1 - f2)) <= 1e-3 * (1.0 + float(np.linalg.norm(ctx.yf)))
    return "root", root, same_fit


def _rational_guesses(rq: Fraction, lo: Fraction, hi: Fraction) -> Iterator[Fraction]:
    """Simple rationals near the float root ``rq`` strictly inside ``(lo, hi)``, each
    once (small denominators first), to be verified as exact crossings."""
    from ..rational_optimum import reconstruct_rational

    tried = set()
    for eps, den in ((1e-9, 10 ** 2), (1e-9, 10 ** 3), (1e-9, 10 ** 4), (1e-3, 10 ** 2)):
        q = reconstruct_rational(rq, Fraction(eps) * max(1, abs(rq)), den)
        if q is None or q in tried or not lo < q < hi:
            continue
        tried.add(q)
        yield q
