r"""The working-set loop of the C-ReLU solver (floating point, a guesser: see
:mod:`exactrelu.approx.solver`): :func:`solve_crelu` solves the program restricted to a
working set of blocks (:mod:`.clarabel_qp`), adds the blocks that violate their dual
constraint most (:mod:`.dual`), and stops when none does and the certified gap
(:mod:`.solution`) is small.  Sign rows guessed redundant (:mod:`.data`) are checked
after every solve (:func:`_dropped_violations`) and added back when violated.

Why the working set is exact
============================
The program is convex with linear constraints, so the KKT conditions are necessary and
sufficient.  Solve the program restricted to a working set ``W`` of blocks (all other
``u_b = 0``).  Its KKT conditions give a residual ``r`` and multipliers ``rho_b >= 0``
(``b in W``) with stationarity, complementarity and ``||c_b(r) + A_i^T rho_b|| <= lam``
for ``b in W``.  If in addition every block ``b not in W`` satisfies
``||Pi_{K_i}(c_b(r))|| <= lam``, then taking ``rho_b`` = the NNLS multiplier for those
blocks (their ``u_b = 0``, so stationarity ``v_b in lam * subdiff||0||`` is exactly
``||v_b|| <= lam`` and complementarity is trivial) completes a KKT point of the full
program: the restricted solution, padded with zeros, is optimal for all blocks.
Equivalently the restricted optimum equals the dual value at ``r``, which is feasible for
the full dual.  The working-set loop therefore stops only when every block outside ``W``
passes the dual check (to a relative tolerance ``dual_tol``); the remaining inaccuracy is
that of the interior-point solve, reported by ``max_dual_ratio`` and by the gap
``objective - dual_objective``, which must end below ``gap_tol`` (relative, default 1e-9).

Blocks may also leave the working set (``prune``): a block that is numerically zero and
strictly dual feasible (one-row bound below ``lam (1 - 1e-3)``) is dropped, at most once
per block, so the loop cannot cycle; the stopping test covers dropped blocks like any
other block outside ``W``, so the argument above is unchanged.

Loose rounds, then one at ``tol`` (sampled pattern lists)
=========================================================
Every round but the last is followed by another solve, so rounds are solved at
``loose_tol`` (1e-8) until one adds no block; its violated sign rows are added without a
re-solve, and the working set is pruned (if no row was violated) and solved at ``tol``,
with the usual repairs.  The argument above only concerns the last round.  On a sampled
list (:mod:`.data`: sign rows guessed from margins) the first working set also holds the
other sign of every such pattern, and after a loose round the rows nearest each block
are added to its pattern's guess (:func:`_add_near_rows`).  A stall of the solve at
``tol`` (``InsufficientProgress``, ``NumericalError``) returns Clarabel's last iterate,
which is kept only if it passes the certified-gap test and every sign row holds
(:func:`_rows_hold`); otherwise the next stall step of :mod:`.clarabel_qp` re-solves.
Measured on diabetes (n = 442, d = 11, 200 sampled gates, 2 shared cores): before,
two solves with every sign row at 1e-11 (95k, then 177k rows, the second three times
after NumericalErrors) took 363 s at load 3-4; now one loose solve (400 blocks, 26k
rows) and one at 1e-11 (37k rows) take 63 s against cvxpy + Clarabel's 110 s in the
same run at load 5-6 (``bench/bench_sampled.py``).
"""
from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, Iterable

import numpy as np

from ...errors import InputError, SolverError
from .clarabel_qp import STALLS, _Clarabel
from .data import _block_index, _Data, _prepare
from .dual import _Dual
from .solution import CReLUSolution, _Certified, _finish

MAX_REPAIRS = 3        # sign-row repairs in one outer iteration before keeping all rows

#: Clarabel tolerance of the working-set rounds before the last (``loose_tol``): a round
#: that adds blocks or rows is followed by another solve anyway, so only the last one
#: is solved at ``tol`` (measured: diabetes, 200 sampled gates, see bench/bench_sampled.py).
LOOSE_TOL = 1e-8

#: feasibility scale of the sign rows (see ``_dropped_violations``): the final ``U``
#: satisfies ``a_j . u_b >= -||x_j|| max(VIOL_TOL max_b ||u_b||, 100 kv)``, ``kv`` the
#: solver's own violation of the rows it was given.
VIOL_TOL = 1e-9


def _dropped_violations(D: _Data, blocks, rows, u, active_tol):
    """(block position, row) pairs where a dropped sign row is significantly violated.

    A row is *covered* if a kept row of the same block defines the same half-space
    (parallel, same orientation); covered rows are never flagged.  ``kv`` is the largest
    violation of a kept row, ``-a_j . u_b / ||x_j||`` over all blocks: the accuracy the
    interior-point solve actually reached.  A dropped row is flagged if

    * its violation ``-a_j . u_b / ||x_j||`` exceeds ``max(VIOL_TOL max_b ||u_b||,
      100 kv)`` (any block: the final ``U`` is feasible at the scale of the solution), or
    * for a block above ``active_tol`` of the largest, its relative violation (divided
      by ``||u_b||``) exceeds ``max(VIOL_TOL, 100 eps_b)``, ``eps_b`` the block's own
      relative violation of its kept rows.

    Flagging a redundant row is harmless (it is added and the program re-solved).
    """
    un = np.linalg.norm(u, axis=1)
    umax = un.max(initial=0.0)
    if umax == 0.0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    I = blocks // 2
    AU = D.Sg[I] * (u @ D.Xt)                                 # A_i u_b (any sign s)
    kept = np.zeros(AU.shape, dtype=bool)
    cov = np.empty(AU.shape, dtype=bool)
    for t, r in enumerate(rows):
        kept[t, r] = True
        cov[t] = D.covered(int(I[t]), r)
    kept[:, D.xnorm == 0] = True                              # 0 >= 0: nothing to check
    scaled = -AU / np.where(D.xnorm > 0, D.xnorm, 1.0)        # violation / ||x_j||
    kv = np.where(kept, scaled, -np.inf).max(initial=0.0)
    bad = ~cov & (scaled > max(VIOL_TOL * umax, 100.0 * kv))
    big = un > active_tol * umax
    if big.any():
        rel = scaled[big] / un[big, None]
        eps = np.where(kept[big], rel, -np.inf).max(axis=1, initial=0.0)
        bad[big] |= ~cov[big] & (rel > np.maximum(VIOL_TOL, 100.0 * eps)[:, None])
    return np.nonzero(bad)


def solve_crelu(X: Any, y: Any, lam: float, patterns: Any, **kwargs: Any) -> CReLUSolution:
    """Solve (C-ReLU) over the blocks ``(i, +-1)`` of ``patterns``; see
    :func:`_solve_crelu_scaled` for the parameters.

    If Clarabel fails numerically, the program is solved once more for ``y / sigma`` and
    ``lam / sigma`` with ``sigma = ||y||`` (its solution is ``u / sigma``, the objective
    scales by ``sigma^2``), which interior-point methods handle far more reliably on badly
    scaled data (measured: 6 of 6 degenerate planted instances with ||y|| ~ 300-1300 that
    failed unscaled were solved).  Everything returned is scaled back, and the fallback is
    recorded in ``notes``.  Only the first solve is tried when scaling changes nothing."""
    X, y, lam, P = _prepare(X, y, lam, patterns)
    try:
        return _solve_crelu_scaled(X, y, lam, P, **kwargs)
    except SolverError as exc:
        first = str(exc)
        sigma = float(np.linalg.norm(y))
        if not (sigma > 0) or 0.5 <= sigma <= 2.0:
            raise
        try:
            sol = _solve_crelu_scaled(X, y / sigma, lam / sigma, P, **kwargs)
        except SolverError as second:
            raise SolverError(f"{first}; and on the problem scaled by 1/||y||: {second}") from None
    sol.U = sol.U * sigma
    sol.fit = sol.fit * sigma
    sol.residual = sol.residual * sigma
    sol.objective *= sigma * sigma
    sol.dual_objective *= sigma * sigma
    sol.rho = sol.rho.scaled(sigma)
    sol.notes = list(sol.notes) + [f"unscaled solve failed ({first}); solved the problem "
                                   f"scaled by 1/||y|| = 1/{sigma:.6g}"]
    return sol


# long: 60 lines are the parameter docs; the parts of the loop are the helpers below
def _solve_crelu_scaled(X: Any, y: Any, lam: float, patterns: Any, *, tol: float = 1e-10,
                working_set: bool = True, max_outer: int = 100,
                initial: Iterable[tuple[int, int]] | None = None, verbose: int | bool = False,
                batch: int | None = None, initial_size: int | None = None,
                dual_tol: float = 1e-9, gap_tol: float = 1e-9, active_tol: float = 1e-6,
                drop_redundant: bool = True, strict: bool = True, prune: bool = True,
                settings: Mapping[str, Any] | None = None,
                loose_tol: float | None = LOOSE_TOL, complete: bool = False) -> CReLUSolution:
    """Solve (C-ReLU) over the blocks ``(i, +-1)`` of ``patterns`` (see
    :mod:`exactrelu.approx.solver`).

    Parameters
    ----------
    X, y, lam, patterns
        Data (n x d), targets (n), ``lam > 0``, bool patterns (p x n, True = active).
    tol
        Clarabel's ``tol_gap_abs = tol_gap_rel = tol_feas`` (its reduced tolerances,
        which decide ``AlmostSolved``, are ``min(1e-7, 1e3 tol)``).
    working_set
        ``False`` solves all 2p blocks with all sign rows at once (= :func:`solve_crelu_full`).
    max_outer
        Maximum number of working-set iterations; exceeding it raises :class:`SolverError`.
    initial
        Starting working set as (i, s) pairs; default: the ``initial_size`` blocks with
        the largest ``||Pi_K c_b||`` at ``r = y``.
    verbose
        ``True``/1 prints one line per iteration; 2 also prints Clarabel's log.
    batch
        Most violating blocks added per iteration (default ``n``).
    initial_size
        Size of the default starting set (default ``n``).
    dual_tol
        A block outside the working set is added while ``||Pi_K c_b|| > lam (1 + dual_tol)``.
    gap_tol
        The certified relative gap ``(objective - dual_objective) / max(1, |objective|)``
        must end at most this.  If it does not, the last restricted program is re-solved
        with Clarabel's tolerances divided by 100 (down to ``MIN_TOL = 1e-13``, counted
        as outer iterations) and checked again; then :class:`SolverError`.
    active_tol
        Relative norm threshold defining :attr:`CReLUSolution.active`.
    drop_redundant
        Keep only the sign rows that are facets of ``K_i`` (guessed from the pattern
        list, repaired if violated; see :mod:`.data`).  ``False`` keeps all rows.
    prune
        Drop from the working set blocks that are numerically zero and strictly dual
        feasible (each block at most once; see the module doc).
    settings
        Overrides of Clarabel ``DefaultSettings`` attributes (e.g. ``{"max_iter": 1}``).
    loose_tol
        If larger than ``tol``: the working-set rounds are solved at this tolerance until
        one adds nothing (no block violates its dual constraint, no sign row is
        violated); numerically zero blocks are then pruned and the working set is
        re-solved at ``tol``, and the loop continues at ``tol``.  ``None``, or an
        explicit ``initial`` set (a warm guess), or ``complete``: every round at ``tol``.
    complete
        ``patterns`` lists every region: the facet guess is then exact, so a dropped
        row is redundant and its apparent violation is the solver's inaccuracy amplified
        by a thin cone; no repair is made (measured: random targets, n = 120, 2 features
        + bias, 14,056 regions: the repairs flagged 185-428 redundant rows per outer
        iteration and, after three, kept all 120 rows of every block -- 56,400 rows at
        470 blocks, then Clarabel stalled at MaxIterations; without them 1,907 rows).
    strict
        ``False``: when the certified gap stays above ``gap_tol`` (tighter re-solves fail
        or the tolerance floor is reached) after a pass in which every block met its dual
        constraint, return that best solution and record why in ``notes`` instead of
        raising.  For callers that prove their own bounds (``exactrelu.certificate.produce``).

    Raises
    ------
    InputError
        Malformed or non-finite input.
    SolverError
        Clarabel status other than Solved/AlmostSolved, NNLS failure, no convergence of
        the working set within ``max_outer``, or certified gap above ``gap_tol``.
    """
    t_start = time.perf_counter()
    X, y, lam, P = _prepare(X, y, lam, patterns)
    D = _Data(X, y, lam, P)
    n, d, p = D.n, D.d, D.p
    cl = _Clarabel(tol, settings, verbose)
    # an explicit starting set is a warm guess, expected to be final: solved at `tol`;
    # so is a complete list (measured: diabetes n = 40, 3 features + bias, lam = 1/10,
    # 19,840 regions: with loose rounds the certified gap was 1.8e-9 and the optimal-set
    # enclosure found no support; at `tol` throughout 8.2e-13, the support proved, and
    # the solve 4x faster)
    loose = working_set and initial is None and not complete and \
        loose_tol is not None and loose_tol > tol
    if loose:
        cl.set_tol(float(loose_tol))
    fin = dict(t_start=t_start, active_tol=active_tol, clarabel=cl)
    if not working_set:
        return _solve_all_blocks(D, cl, gap_tol, fin)

    batch = n if batch is None else int(batch)
    initial_size = n if initial_size is None else int(initial_size)
    if batch < 1 or initial_size < 1 or max_outer < 1:
        raise InputError("solve_crelu: batch, initial_size and max_outer must be positive")
    threshold = lam * (1.0 + dual_tol)
    in_ws = np.zeros(2 * p, dtype=bool)
    if initial is not None:
        blocks = _block_index(initial, p)
    else:
        dual0 = _Dual(D, y)
        blocks = np.array(sorted(b for _, b in dual0.top(threshold, initial_size)),
                          dtype=np.int64)
        if len(blocks) == 0:                                   # u = 0 is optimal
            cert = _Certified(D, blocks, np.zeros((0, d)), dual0)
            return _finish(D, blocks, cert, outer=0, solver_status="none", sign_rows=0,
                           **fin)
        if drop_redundant:
            blocks = _with_sampled_partners(D, blocks)
    in_ws[blocks] = True
    dropped = np.zeros(2 * p, dtype=bool)
    best = None            # (blocks, certified, status, sign rows, outer) of the best full pass
    for outer in range(1, max_outer + 1):
        if drop_redundant:
            D.facet_rows(blocks // 2)
        solved = _solve_repairing_rows(D, cl, blocks, drop_redundant, outer=outer,
                                       max_outer=max_outer, active_tol=active_tol,
                                       verbose=verbose, fallback=None if strict else best,
                                       gap_tol=gap_tol, repair=not loose,
                                       exact_facets=complete)
        if solved is None:        # a tighter re-solve failed: the best earlier pass
            return _finish(D, best[0], best[1], outer=best[4], solver_status=best[2],
                           sign_rows=best[3], **fin)
        u, status, M, drop_redundant, added = solved
        dual = _Dual(D, y - D.fit(blocks, u))
        viol = dual.top(threshold, batch, exclude=in_ws)
        if verbose:
            worst = viol[0][0] / lam if viol else float("nan")
            print(f"[solve_crelu] outer {outer}: {len(blocks)} blocks, {M} sign rows, "
                  f"tol {cl.eff_tol:g}, clarabel {status}, {len(viol)} violators (worst ratio "
                  f"{worst:.6g}), {dual.nnls_calls} NNLS")
        if loose and not viol:            # no block to add: the last round, at `tol`
            loose = False                 # (its own sign-row repairs are at `tol`)
            cl.set_tol(tol)
            # prune only a solution of the whole program (no sign row was added)
            if prune and not added and np.abs(u).max(initial=0.0) > 0:
                _prune_blocks(blocks, u, dual, lam, active_tol, in_ws, dropped)
                blocks = np.flatnonzero(in_ws)
            continue
        if not viol:
            cert = _Certified(D, blocks, u, dual)
            stalled = status in STALLS
            if cert.ok(gap_tol) and (not stalled or _rows_hold(D, blocks, u)):
                return _finish(D, blocks, cert, outer=outer, solver_status=status,
                               sign_rows=M, **fin)
            if stalled and cl.step_up(f"Clarabel {status}", len(blocks)):
                continue                                       # same working set
            if cl.step < 0 and cl.step_up(f"certified gap {cert.gap:.3g}", len(blocks)):
                continue              # stronger regularisation before a tighter tolerance
            if best is None or cert.gap < best[1].gap:
                best = (blocks.copy(), cert, status, M, outer)
            if not cl.tighten():
                if strict:
                    raise cert.error(gap_tol, cl.eff_tol)
                cl._note(f"certified gap {cert.gap:.3g} above gap_tol {gap_tol:g} at the "
                         f"tightest tolerance; returning the best solution")
                b = best
                return _finish(D, b[0], b[1], outer=b[4], solver_status=b[2], sign_rows=b[3],
                               **fin)
            continue                                           # same working set
        if prune and not added:           # (a solution of the whole program only)
            _prune_blocks(blocks, u, dual, lam, active_tol, in_ws, dropped)
        in_ws[[b for _, b in viol]] = True
        blocks = np.flatnonzero(in_ws)
    raise SolverError(f"working set did not converge in {max_outer} outer iterations "
                      f"({len(blocks)} blocks)")


def _solve_all_blocks(D: _Data, cl: _Clarabel, gap_tol: float, fin: dict) -> CReLUSolution:
    """``working_set=False``: all 2p blocks with all sign rows in one program, re-solved
    at tighter tolerances until the certified gap passes."""
    blocks = np.arange(2 * D.p)
    rows = [D.nz] * len(blocks)
    while True:
        u, status, M = cl.solve(D, blocks, rows)
        cert = _Certified(D, blocks, u, None)
        if cert.ok(gap_tol):
            return _finish(D, blocks, cert, outer=1, solver_status=status, sign_rows=M,
                           **fin)
        if not cl.tighten():
            raise cert.error(gap_tol, cl.eff_tol)


def _solve_repairing_rows(D: _Data, cl: _Clarabel, blocks: np.ndarray, drop_redundant: bool,
                          *, outer: int, max_outer: int, active_tol: float, verbose,
                          fallback: tuple | None, gap_tol: float, repair: bool = True,
                          exact_facets: bool = False):
    """The restricted program on ``blocks``; dropped sign rows that its solution violates
    (:func:`_dropped_violations`) are added and the program re-solved, and after
    ``MAX_REPAIRS`` repairs every sign row is kept.  With ``repair=False`` (a loose
    round, followed by another solve anyway) the violated rows are added for the next
    round without a re-solve.  Returns ``(u, status, number of sign rows,
    drop_redundant)``, or None when a solve failed and ``fallback`` (the best earlier
    pass, non-strict mode only) is to be returned instead.  ``exact_facets`` (a complete
    pattern list: every dropped row is redundant) skips the test of dropped rows."""
    repairs = added = 0
    while True:                                            # sign-row repair loop
        rows = [D.rows_of(i) for i in blocks // 2] if drop_redundant else [D.nz] * len(blocks)
        try:
            u, status, M = cl.solve(D, blocks, rows, accept_stall=repair)
        except SolverError as exc:
            if fallback is None:
                raise
            # a tighter re-solve failed; the previous solution passed every dual
            # check -- return it, with the failure reported in `notes`
            cl._note(f"{exc}; kept the previous solution (certified gap "
                     f"{fallback[1].gap:.3g}, above gap_tol {gap_tol:g})")
            return None
        if not drop_redundant or exact_facets:
            break
        bad_k, bad_j = _dropped_violations(D, blocks, rows, u, active_tol)
        added = 0
        for t in np.unique(bad_k):
            added += D.add_rows(int(blocks[t] // 2), bad_j[bad_k == t])
        if not repair:                     # a loose round: rows close to u_b as well
            _add_near_rows(D, blocks, u)
        if added == 0:                     # only kept rows, at solver accuracy
            break
        if verbose:
            print(f"[solve_crelu]   {added} dropped sign rows violated; "
                  + ("re-solving" if repair else "added for the next round"))
        if not repair:
            break
        repairs += 1
        if repairs >= MAX_REPAIRS:
            # the facet guess comes from the pattern list and fails when the list is
            # a sample (neighbours missing): keep every sign row from now on
            # (measured: n=120, d=9, 400 sampled patterns, 26.7 s -> 5.3 s)
            drop_redundant = False
            cl._note(f"the facet guess missed in {repairs} re-solves (a sampled "
                     "pattern list?); all sign rows kept from outer iteration "
                     f"{outer} on")
        if cl.solves > 10 * max_outer:
            raise SolverError("sign-row repair did not converge")
    return u, status, M, drop_redundant, added


def _add_near_rows(D: _Data, blocks: np.ndarray, u: np.ndarray) -> None:
    """After a loose round: to each margin-guessed pattern (:mod:`.data`) add the
    ``2 rank X`` sign rows with the smallest slack ``a_j . u_b / ||x_j||`` at each of its
    nonzero blocks, however small (in direction only).  The solution still moves, and
    such a row was then violated by the final solve: measured on diabetes, 60 sampled
    gates: the 14th closest row, slack 6e-3 ||u_b||; 200 gates: the most violated row
    of a block of norm 2e-6 (below every absolute threshold) that the final solve made
    active -- each time one more solve of the whole program at ``tol``.  Rows that hold
    at ``u`` leave the round's solution valid."""
    un = np.linalg.norm(u, axis=1)
    k = 2 * D.rank
    for t in np.flatnonzero(un > 0):
        i = int(blocks[t] // 2)
        if i in D._guessed:
            slack = (D.Sg[i, D.nz] * (D.X[D.nz] @ u[t])) / D.xnorm[D.nz]
            D.add_rows(i, D.nz[np.argsort(slack, kind="stable")[:k]], violated=False)


def _rows_hold(D: _Data, blocks: np.ndarray, u: np.ndarray) -> bool:
    """Every sign row of every block holds at the scale of the solution:
    ``-a_j . u_b / ||x_j|| <= VIOL_TOL max_b ||u_b||`` (the test a stalled iterate must
    pass besides the certified gap)."""
    umax = np.linalg.norm(u, axis=1).max(initial=0.0)
    scaled = -(D.Sg[blocks // 2] * (u @ D.Xt)) / np.where(D.xnorm > 0, D.xnorm, 1.0)
    return bool(scaled.max(initial=0.0) <= VIOL_TOL * umax)


def _with_sampled_partners(D: _Data, blocks: np.ndarray) -> np.ndarray:
    """``blocks`` and the other sign of every pattern whose neighbours are missing from
    the list (its sign rows are a margin guess, :mod:`.data`): a sampled list holds
    large regions, whose two signs tend to be active together (measured: diabetes,
    n = 442, d = 11; 80 of 80 blocks active with 40 gates, 256 of 400 with 200 gates, of
    which 42 resp. 215 violate their dual constraint at ``r = y``), so the second
    working-set round is saved."""
    D.facet_rows(blocks // 2)
    guessed = [int(b) ^ 1 for b in blocks if int(b) // 2 in D._guessed]
    return np.union1d(blocks, np.array(guessed, dtype=np.int64))


def _prune_blocks(blocks: np.ndarray, u: np.ndarray, dual: _Dual, lam: float,
                  active_tol: float, in_ws: np.ndarray, dropped: np.ndarray) -> None:
    """Drop from the working set the blocks that are numerically zero and strictly dual
    feasible (upper bound below ``lam (1 - 1e-3)``); each block is dropped at most once,
    so the loop cannot cycle, and the stopping test still covers them."""
    un = np.linalg.norm(u, axis=1)
    drop = blocks[(un <= active_tol * un.max(initial=0.0))
                  & (dual.ub[blocks] < lam * (1.0 - 1e-3)) & ~dropped[blocks]]
    in_ws[drop] = False
    dropped[drop] = True


def solve_crelu_full(X: Any, y: Any, lam: float, patterns: Any, *, tol: float = 1e-10,
                     verbose: int | bool = False, **kwargs: Any) -> CReLUSolution:
    """Solve (C-ReLU) with all 2p blocks and all sign rows in one conic program."""
    return solve_crelu(X, y, lam, patterns, tol=tol, working_set=False, verbose=verbose,
                       **kwargs)
