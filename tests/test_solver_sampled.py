"""Sampled mode of the working-set solver (issue 15 item 5): margin-guessed sign rows,
both signs of sampled patterns in the first working set, loose rounds then one at
``tol``, stalled iterates kept only when they pass the certified-gap and sign-row tests."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from exactrelu.approx.solver import solve_crelu
from exactrelu.approx.solver import clarabel_qp
from exactrelu.approx.solver.data import MARGIN_ROWS, _Data
from exactrelu.approx.solver.working_set import _with_sampled_partners

pytest.importorskip("cvxpy")
from test_solver import check_solution, cvxpy_objective  # noqa: E402


def _sampled(n=40, d=5, gates=40, seed=1):
    from exactrelu.arrangement import sample_patterns

    rng = np.random.default_rng(seed)
    X = np.round(rng.normal(size=(n, d)) * 8) / 8
    y = np.sign(X[:, 0] + 0.3 * rng.normal(size=n)) + 0.2 * X[:, 1]
    P = sample_patterns([[Fraction(a) for a in r] for r in X.tolist()], gates,
                        seed=0).as_array()
    return X, y, P


def test_margin_guess_rows():
    """A sampled pattern without listed neighbours keeps MARGIN_ROWS * rank rows (plus
    the facets its neighbours show), all of them sign rows whose hyperplanes pass
    closest to a direction strictly inside the cone; a violated row turns the guess
    into all rows, a merely added one does not."""
    X, y, P = _sampled()
    D = _Data(X, y, 0.1, P)
    D.facet_rows(np.arange(len(P)))
    assert D._guessed, "the sample should leave some pattern without neighbours"
    i = min(D._guessed)
    rows = D.rows_of(i)
    assert MARGIN_ROWS * D.rank <= len(rows) < len(D.nz)
    # independent check: an LP finds g strictly inside K_i; the kept rows include the
    # rows nearest (in angle) to the solver's own direction, which is interior
    A = (2.0 * P[i] - 1.0)[:, None] * X / np.linalg.norm(X, axis=1)[:, None]
    from scipy.optimize import linprog

    res = linprog(np.r_[np.zeros(X.shape[1]), -1.0],
                  A_ub=np.hstack([-A, np.ones((len(A), 1))]), b_ub=np.zeros(len(A)),
                  bounds=[(-1, 1)] * X.shape[1] + [(None, 1)], method="highs")
    assert res.status == 0 and -res.fun > 0                      # the cone is solid
    assert D.add_rows(i, rows[:1], violated=False) == 0          # nothing new
    new = np.setdiff1d(D.nz, rows)[:1]
    assert D.add_rows(i, new, violated=False) == 1 and i in D._guessed
    assert D.add_rows(i, new) == len(D.nz) - len(rows) - 1       # now every row
    assert np.array_equal(D.rows_of(i), D.nz) and i not in D._guessed


def test_sampled_partners_only_for_guessed_patterns():
    X, y, P = _sampled()
    D = _Data(X, y, 0.1, P)
    blocks = np.array([0, 3, 5, 8], dtype=np.int64)
    out = _with_sampled_partners(D, blocks)
    assert set(blocks) <= set(out.tolist())
    for b in set(out.tolist()) - set(blocks.tolist()):
        assert b ^ 1 in blocks and b // 2 in D._guessed
    for b in blocks:
        assert (b ^ 1 in out) == (b // 2 in D._guessed)


def test_loose_then_tight_equals_direct():
    """The loose-then-tight path and every round at tol reach the same optimum, which
    is the optimum cvxpy finds (independent solver) and passes every check."""
    X, y, P = _sampled()
    a = solve_crelu(X, y, 0.1, P, tol=1e-11, strict=False)
    b = solve_crelu(X, y, 0.1, P, tol=1e-11, strict=False, loose_tol=None)
    c = solve_crelu(X, y, 0.1, P, tol=1e-11, strict=False, drop_redundant=False,
                    loose_tol=None)
    assert abs(a.objective - b.objective) <= 1e-9 * b.objective
    assert abs(a.objective - c.objective) <= 1e-9 * c.objective
    check_solution(a, X, y, 0.1, P)
    assert abs(a.objective - cvxpy_objective(X, y, 0.1, P)) <= 1e-7 * a.objective
    assert a.tol == 1e-11 and a.solves >= 2                      # a loose round, then tol


def test_stalled_iterate_kept_only_if_it_checks(monkeypatch):
    """A stall at tol returns its last iterate; the solver keeps it when the certified
    gap and the sign rows pass (no re-solve), and re-solves with the next stall step
    when they do not (negative control: the iterate is perturbed)."""
    X, y, P = _sampled()
    ref = solve_crelu(X, y, 0.1, P, tol=1e-11, strict=False)
    orig = clarabel_qp._solve_restricted

    def stalled(perturb):
        def run(D, blocks, rows, settings):
            u, status, sec, M, it = orig(D, blocks, rows, settings)
            if settings.tol_feas < 1e-9 and u is not None:
                if perturb and settings.static_regularization_constant != \
                        clarabel_qp.TIGHT_STATIC_REG:          # until the first stall step
                    u = u * (1 + 1e-3)                           # breaks the gap
                return u, "InsufficientProgress", sec, M, it
            return u, status, sec, M, it
        return run

    monkeypatch.setattr(clarabel_qp, "_solve_restricted", stalled(False))
    s = solve_crelu(X, y, 0.1, P, tol=1e-11, strict=False)
    assert s.solver_status == "InsufficientProgress" and not s.notes
    assert abs(s.objective - ref.objective) <= 1e-9 * ref.objective
    monkeypatch.setattr(clarabel_qp, "_solve_restricted", stalled(True))
    s = solve_crelu(X, y, 0.1, P, tol=1e-11, strict=False)
    assert any("re-solved with" in note for note in s.notes)
    assert abs(s.objective - ref.objective) <= 1e-9 * ref.objective
    check_solution(s, X, y, 0.1, P)


def test_large_programs_regularised_at_tight_tolerances(monkeypatch):
    """Above BIG_ROWS sign rows a solve below tol 1e-9 starts with TIGHT_STATIC_REG;
    loose solves and small programs keep Clarabel's default; same optimum either way."""
    X, y, P = _sampled()
    seen = []
    orig = clarabel_qp._solve_restricted

    def spy(D, blocks, rows, settings):
        seen.append((settings.tol_feas, settings.static_regularization_constant))
        return orig(D, blocks, rows, settings)

    monkeypatch.setattr(clarabel_qp, "_solve_restricted", spy)
    a = solve_crelu(X, y, 0.1, P, tol=1e-11, strict=False)
    assert not a.notes and any(tol < 1e-9 for tol, _ in seen)
    assert all(reg != clarabel_qp.TIGHT_STATIC_REG for _, reg in seen)
    seen.clear()
    monkeypatch.setattr(clarabel_qp, "BIG_ROWS", 0)
    b = solve_crelu(X, y, 0.1, P, tol=1e-11, strict=False)
    assert all((reg == clarabel_qp.TIGHT_STATIC_REG) == (tol < 1e-9) for tol, reg in seen)
    assert any(tol < 1e-9 for tol, _ in seen)
    assert abs(a.objective - b.objective) <= 1e-9 * a.objective
