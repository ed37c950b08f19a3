"""Tests of exactrelu.approx.solver (numeric C-ReLU solve) against cvxpy + Clarabel."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import nnls

from exactrelu.approx.solver import (CReLUSolution, dual_check, solve_crelu,
                                     solve_crelu_full)
from exactrelu.errors import InputError, SolverError

cp = pytest.importorskip("cvxpy")


# ----------------------------------------------------------------------------- helpers

def sampled_patterns(X: np.ndarray, samples: int = 20000, seed: int = 0) -> np.ndarray:
    """Unique patterns 1[X g > 0] (zero rows active) of random Gaussian g plus, to reach
    the thin regions too, of points next to every ray {x_S . g = 0}, |S| = d - 1: every
    region has such an extreme ray, so in general position the list is complete."""
    import itertools

    n, d = X.shape
    rng = np.random.default_rng(seed)
    gs = [rng.standard_normal((samples, d)), np.eye(d), -np.eye(d)]
    rows = np.flatnonzero(np.any(X != 0, axis=1))
    signs = np.array(list(itertools.product((-1.0, 1.0), repeat=d - 1)))
    for S in itertools.combinations(rows, d - 1) if d > 1 else ():
        XS = X[list(S)]
        _, sv, Vt = np.linalg.svd(XS)
        if sv[-1] <= 1e-9 * sv[0]:
            continue
        v, W = Vt[-1], np.linalg.pinv(XS)
        others = np.setdiff1d(rows, S)
        room = np.abs(X[others] @ v).min() if len(others) else 1.0
        if room <= 1e-9:
            continue
        spread = np.abs(X[others] @ W).sum(axis=1).max() if len(others) else 1.0
        eps = 0.25 * room / spread
        gs += [v + eps * signs @ W.T, -v + eps * signs @ W.T]
    D = (X @ np.concatenate(gs).T) > 0
    D[~np.any(X != 0, axis=1)] = True
    return np.unique(D.T, axis=0)


def cover(n: int, d: int) -> int:
    return 2 * sum(math.comb(n - 1, k) for k in range(d))


def instance(n: int, d: int, seed: int, lam_frac: float = 0.1):
    """Gaussian X (general position a.s.), y from a planted 2-neuron net, all patterns."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    W = rng.standard_normal((2, d))
    y = np.maximum(X @ W.T, 0) @ np.array([1.0, -0.8]) + 0.1 * rng.standard_normal(n)
    P = sampled_patterns(X, seed=seed)
    assert len(P) == cover(n, d), "pattern list incomplete"
    lam = lam_frac * lam_max(X, y, P)
    return X, y, lam, P


def projection_norms(X, P, r):
    """||Pi_{K_i}(s X^T D_i r)|| for every block, by NNLS (independent of the solver)."""
    out = np.zeros((len(P), 2))
    for i, pat in enumerate(P):
        AT = (X * (2.0 * pat - 1.0)[:, None]).T
        c = X.T @ (pat * r)
        for k, s in enumerate((1.0, -1.0)):
            rho, _ = nnls(AT, -s * c)
            out[i, k] = np.linalg.norm(s * c + AT @ rho)
    return out


def lam_max(X, y, P):
    return float(projection_norms(X, P, y).max())


def cvxpy_objective(X, y, lam, P):
    """The full program, vectorised as in the notes (section 5), default tolerances."""
    p, n = P.shape
    d = X.shape[1]
    Pf = P.astype(float)
    A = (Pf[:, :, None] * X[None, :, :]).transpose(1, 0, 2).reshape(n, p * d)
    from scipy.sparse import block_diag
    B = block_diag([(2 * Pf[i] - 1)[:, None] * X for i in range(p)], format="csr")
    v, w = cp.Variable(p * d), cp.Variable(p * d)
    obj = 0.5 * cp.sum_squares(A @ (v - w) - y) + lam * (
        cp.sum(cp.norm(cp.reshape(v, (p, d), order="C"), 2, axis=1))
        + cp.sum(cp.norm(cp.reshape(w, (p, d), order="C"), 2, axis=1)))
    prob = cp.Problem(cp.Minimize(obj), [B @ v >= 0, B @ w >= 0])
    prob.solve(solver="CLARABEL")
    assert prob.status == "optimal"
    return float(prob.value)


def check_solution(sol: CReLUSolution, X, y, lam, P, *, ratio_tol=1e-8):
    """Everything that can be checked from the data alone."""
    p, n = P.shape
    d = X.shape[1]
    assert sol.status == "optimal"
    assert sol.U.shape == (p, 2, d)
    Pf = P.astype(float)
    fit = sum(s * (Pf[i] * (X @ sol.U[i, k])) for i in range(p) for k, s in enumerate((1, -1)))
    np.testing.assert_allclose(sol.fit, fit, rtol=0, atol=1e-9 * (1 + np.abs(y).max()))
    np.testing.assert_allclose(sol.residual, y - sol.fit, rtol=0, atol=1e-12)
    obj = 0.5 * sol.residual @ sol.residual + lam * np.linalg.norm(sol.U, axis=2).sum()
    assert sol.objective == pytest.approx(obj, rel=1e-12)
    # dual feasibility of the residual, recomputed independently for EVERY block
    norms = projection_norms(X, P, sol.residual)
    assert norms.max() / lam <= 1 + ratio_tol
    assert sol.max_dual_ratio == pytest.approx(norms.max() / lam, rel=1e-9, abs=1e-12)
    # weak duality and the certified gap
    rs = sol.residual / max(1.0, norms.max() / lam)
    dual = rs @ y - 0.5 * rs @ rs
    assert sol.dual_objective == pytest.approx(dual, rel=1e-12)
    assert -1e-9 * abs(sol.objective) <= sol.gap <= 1e-9 * max(1.0, abs(sol.objective))
    # primal feasibility A_i u_b >= 0 at the scale of the solution, for every block
    un = np.linalg.norm(sol.U, axis=2)
    xn = np.linalg.norm(X, axis=1)
    for i in range(p):
        for k in range(2):
            Au = (2 * Pf[i] - 1) * (X @ sol.U[i, k])
            assert (Au >= -1e-8 * xn * un.max(initial=0)).all()
    # the multipliers certify every block with ||c|| > lam
    C = (Pf * sol.residual) @ X
    for i in range(p):
        for k, s in enumerate((1, -1)):
            c = s * C[i]
            if (i, s) not in sol.rho:
                assert np.linalg.norm(c) <= lam * (1 + 1e-12)
                continue
            rho = sol.rho[(i, s)]
            assert rho.shape == (n,) and rho.min() >= 0
            v = c + X.T @ ((2 * Pf[i] - 1) * rho)
            assert np.linalg.norm(v) <= lam * (1 + ratio_tol)
            if sol.rho.is_projection((i, s)):
                assert np.linalg.norm(v) == pytest.approx(norms[i, k], rel=1e-7, abs=1e-9)
    # blocks outside the working set are exactly zero; active blocks are in it
    ws = set(sol.working_set)
    for i in range(p):
        for k, s in enumerate((1, -1)):
            if (i, s) not in ws:
                assert not sol.U[i, k].any()
    assert set(sol.active) <= ws


# ------------------------------------------------------------------------------- tests

CASES = [(6, 2, 1, 0.1), (10, 2, 2, 0.05), (10, 3, 3, 0.1), (12, 3, 4, 0.05),
         (12, 3, 5, 0.3), (9, 3, 6, 0.02)]


@pytest.mark.parametrize("n,d,seed,frac", CASES)
def test_matches_cvxpy_and_is_certified(n, d, seed, frac):
    X, y, lam, P = instance(n, d, seed, frac)
    sol = solve_crelu(X, y, lam, P)
    check_solution(sol, X, y, lam, P)
    ref = cvxpy_objective(X, y, lam, P)
    assert abs(sol.objective - ref) <= 1e-7 * abs(ref)
    # the reference cannot beat our certified lower bound by more than its own accuracy
    assert ref >= sol.dual_objective - 1e-7 * abs(ref)


@pytest.mark.parametrize("n,d,seed,frac", CASES[:4])
def test_working_set_equals_full_solve(n, d, seed, frac):
    X, y, lam, P = instance(n, d, seed, frac)
    ws = solve_crelu(X, y, lam, P)
    full = solve_crelu_full(X, y, lam, P)
    check_solution(full, X, y, lam, P)
    assert full.outer_iterations == 1 and len(full.working_set) == 2 * len(P)
    assert ws.objective == pytest.approx(full.objective, rel=1e-9)
    # the optimal fit is unique
    np.testing.assert_allclose(ws.fit, full.fit, atol=1e-5 * np.linalg.norm(y))
    # the working set stays a small part of all blocks
    assert len(ws.working_set) < 2 * len(P)
    # without dropping redundant sign rows: the same optimum
    keep = solve_crelu(X, y, lam, P, drop_redundant=False)
    assert keep.objective == pytest.approx(full.objective, rel=1e-9)


def test_incomplete_pattern_list_and_small_batches():
    """With a sampled subset of the patterns the facet guess is wrong for some cones;
    the sign-row repair must still give the optimum over that subset."""
    X, y, lam, P = instance(12, 3, 11, 0.05)
    rng = np.random.default_rng(0)
    sub = P[np.sort(rng.choice(len(P), size=len(P) // 3, replace=False))]
    sol = solve_crelu(X, y, lam, sub, batch=2, initial_size=1)
    check_solution(sol, X, y, lam, sub)
    assert sol.outer_iterations > 1
    assert abs(sol.objective - cvxpy_objective(X, y, lam, sub)) <= 1e-7 * sol.objective


def _sampled_case():
    from fractions import Fraction

    from exactrelu.arrangement import sample_patterns

    rng = np.random.default_rng(1)
    X = np.round(rng.normal(size=(30, 5)) * 8) / 8
    y = np.sign(X[:, 0] + 0.3 * rng.normal(size=30))
    P = sample_patterns([[Fraction(a) for a in r] for r in X.tolist()], 60, seed=0).as_array()
    return X, y, P


def test_sampled_patterns_stop_guessing_facets(monkeypatch):
    """A sampled pattern list misses most neighbours, so the facet guess drops sign rows
    that the solution then violates; after MAX_REPAIRS re-solves every row is kept, the
    switch is reported in `notes`, and the answer equals the all-rows solve.  (The rule
    that keeps every row of a pattern with fewer than rank X guessed facets is switched
    off here, so that the repair path itself is tested.)"""
    from exactrelu.approx.solver import MAX_REPAIRS
    from exactrelu.approx.solver.data import _Data

    X, y, P = _sampled_case()
    with monkeypatch.context() as mp:
        mp.setattr(_Data, "rank", property(lambda self: 0))
        s = solve_crelu(X, y, 0.1, P, strict=False)
    assert any(f"missed in {MAX_REPAIRS} re-solves" in note for note in s.notes)
    s2 = solve_crelu(X, y, 0.1, P, strict=False, drop_redundant=False)
    assert abs(s.objective - s2.objective) <= 1e-9 * s2.objective
    assert s.max_dual_ratio <= 1 + 1e-8


def test_sampled_patterns_keep_rows_without_repairs():
    """Issue 15 item 5: a region has at least rank X facets, so a pattern with fewer
    guessed facets keeps all its rows from the start -- on a sampled list no repair
    re-solve is needed, fewer programs are solved, and the answer is the same."""
    X, y, P = _sampled_case()
    s = solve_crelu(X, y, 0.1, P, strict=False)
    assert not any("re-solves" in note for note in s.notes)
    s2 = solve_crelu(X, y, 0.1, P, strict=False, drop_redundant=False)
    assert abs(s.objective - s2.objective) <= 1e-9 * s2.objective
    assert s.max_dual_ratio <= 1 + 1e-8


def test_degenerate_rows():
    """Duplicate, antiparallel and zero rows (one hyperplane class, constraint-free row)."""
    rng = np.random.default_rng(7)
    X = rng.standard_normal((9, 3))
    X[3] = X[1]
    X[4] = -2.5 * X[2]
    X[5] = 0.0
    y = np.maximum(X @ rng.standard_normal(3), 0) - 0.5 * np.maximum(X @ rng.standard_normal(3), 0)
    P = sampled_patterns(X)
    assert P[:, 5].all() and (P[:, 3] == P[:, 1]).all() and (P[:, 4] != P[:, 2]).all()
    lam = 0.05 * lam_max(X, y, P)
    sol = solve_crelu(X, y, lam, P)
    check_solution(sol, X, y, lam, P)
    assert abs(sol.objective - cvxpy_objective(X, y, lam, P)) <= 1e-7 * sol.objective


def _ternary(seed: int, frac: float):
    """Entries in {-1, 0, 1} (repeated, parallel and antiparallel rows, thin cones):
    ``(X, y, patterns, lam = frac * lam_max)``."""
    rng = np.random.default_rng(100 + seed)
    X = rng.integers(-1, 2, size=(14, 4)).astype(float)
    y = (np.maximum(X @ rng.standard_normal(4), 0) - np.maximum(X @ rng.standard_normal(4), 0)
         + 0.1 * rng.standard_normal(14))
    P = sampled_patterns(X)
    return X, y, P, frac * lam_max(X, y, P)


@pytest.mark.parametrize("seed,frac", [(0, 0.05), (1, 0.1), (13, 0.3)])
def test_integer_data_many_parallel_rows(seed, frac):
    """Entries in {-1, 0, 1}: repeated, parallel and antiparallel rows, thin cones; the
    regime where Clarabel may stall at tight tolerances (handled, and listed in notes).
    Seeds 1 and 13 stalled here (Clarabel 0.11.1, x86-64): 13 also needed a tighter
    tolerance for the certified gap."""
    X, y, P, lam = _ternary(seed, frac)
    sol = solve_crelu(X, y, lam, P)
    check_solution(sol, X, y, lam, P)
    assert all(isinstance(t, str) for t in sol.notes)
    assert abs(sol.objective - cvxpy_objective(X, y, lam, P)) <= 1e-7 * sol.objective


def test_initial_working_set():
    X, y, lam, P = instance(10, 3, 3, 0.1)
    a = solve_crelu(X, y, lam, P)
    b = solve_crelu(X, y, lam, P, initial=[(0, 1), (len(P) - 1, -1)])
    check_solution(b, X, y, lam, P)
    assert a.objective == pytest.approx(b.objective, rel=1e-9)
    c = solve_crelu(X, y, lam, P, initial=a.active)          # warm guess: one solve
    assert c.outer_iterations == 1
    assert c.objective == pytest.approx(a.objective, rel=1e-9)


def test_zero_is_optimal_above_lam_max():
    X, y, _, P = instance(8, 2, 9, 0.1)
    lam = 1.01 * lam_max(X, y, P)
    sol = solve_crelu(X, y, lam, P)
    assert sol.outer_iterations == 0 and sol.active == [] and not sol.U.any()
    assert sol.objective == pytest.approx(0.5 * y @ y, rel=1e-15)
    assert sol.max_dual_ratio <= 1 and sol.gap == pytest.approx(0, abs=1e-12)
    check_solution(sol, X, y, lam, P)


def test_dual_check_function():
    X, y, lam, P = instance(10, 2, 2, 0.05)
    sol = solve_crelu(X, y, lam, P)
    ratio, rho = dual_check(X, y, lam, P, sol.residual)
    assert ratio == pytest.approx(sol.max_dual_ratio, rel=1e-12)
    assert set(rho) == set(sol.rho)
    ratio0, _ = dual_check(X, y, lam, P, y)
    assert ratio0 == pytest.approx(projection_norms(X, P, y).max() / lam, rel=1e-9)


def test_solver_failure_raises():
    X, y, lam, P = instance(10, 3, 3, 0.1)
    with pytest.raises(SolverError, match="MaxIterations"):
        solve_crelu(X, y, lam, P, settings={"max_iter": 1})
    with pytest.raises(SolverError, match="MaxIterations"):
        solve_crelu_full(X, y, lam, P, settings={"max_iter": 1})
    with pytest.raises(SolverError, match="did not converge"):
        solve_crelu(X, y, lam, P, max_outer=1, initial_size=1, batch=1)
    with pytest.raises(SolverError, match="gap"):                 # impossible accuracy
        solve_crelu(X, y, lam, P, tol=1e-3, gap_tol=1e-16)


def test_bad_input_raises_input_error():
    X, y, lam, P = instance(6, 2, 1, 0.1)
    Xn = X.copy()
    Xn[0, 0] = np.nan
    bad = [dict(X=Xn), dict(y=np.full_like(y, np.inf)), dict(lam=0.0), dict(lam=-1.0),
           dict(lam=float("nan")), dict(y=y[:-1]), dict(P=P[:, :-1]), dict(P=P[:0]),
           dict(P=P.astype(int) * 2)]
    for kw in bad:
        args = dict(X=X, y=y, lam=lam, P=P) | kw
        with pytest.raises(InputError):
            solve_crelu(args["X"], args["y"], args["lam"], args["P"])
    with pytest.raises(InputError):
        solve_crelu(X, y, lam, P, initial=[(len(P), 1)])
    with pytest.raises(InputError):
        solve_crelu(X, y, lam, P, initial=[(0, 2)])
    with pytest.raises(InputError):
        solve_crelu(X, y, lam, P, settings={"no_such_setting": 1})
    assert issubclass(InputError, ValueError)


@pytest.mark.parametrize("seed,frac", [(0, 0.05), (1, 0.1), (13, 0.3)])
def test_complete_list_trusts_the_facet_guess(monkeypatch, seed, frac):
    """``complete=True`` (every region listed): the facet guess is exact, so no dropped
    row is re-checked (the repair would only chase the solver's inaccuracy on thin cones)
    and the answer is that of the all-rows solve; thin cones from {-1, 0, 1} data."""
    import exactrelu.approx.solver.working_set as ws

    X, y, P, lam = _ternary(seed, frac)
    full = solve_crelu(X, y, lam, P, drop_redundant=False)
    with monkeypatch.context() as mp:
        mp.setattr(ws, "_dropped_violations", lambda *a: pytest.fail("repair with complete"))
        sol = solve_crelu(X, y, lam, P, complete=True)
    check_solution(sol, X, y, lam, P)
    assert abs(sol.objective - full.objective) <= 1e-8 * full.objective
    assert sol.sign_rows < full.sign_rows
