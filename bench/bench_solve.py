"""Benchmark: exactrelu.approx.solver.solve_crelu vs cvxpy + Clarabel on the full C-ReLU.

Run:  python bench/bench_solve.py [--quick]

Every case uses ALL activation patterns (regions of the arrangement {x_j . g = 0}).  If
``exactrelu.arrangement.enumerate_patterns`` is importable it is used; otherwise the
float enumerator below (extreme rays of the arrangement + random sampling) is used and its
count is checked against Cover's formula 2 * sum_{k<d} C(n-1, k), valid in general position.
Both solvers run in the same process; cvxpy gets the vectorised formulation of
:func:`solve_cvxpy` (one sparse matrix for all fits, one block-diagonal matrix for all
cone constraints, a norm per block).
"""
from __future__ import annotations

import argparse
import itertools
import math
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from exactrelu.approx.solver import solve_crelu  # noqa: E402


# --------------------------------------------------------------------------------------
# data and patterns


def make_data(n: int, d: int, seed: int):
    """X with entries k/q (|k| <= 20, 1 <= q <= 7) as floats (and as exact Fractions);
    y from a planted 3-neuron ReLU net plus noise."""
    rng = np.random.default_rng(seed)
    K = rng.integers(-20, 21, size=(n, d))
    Qd = rng.integers(1, 8, size=(n, d))
    X = K / Qd
    Xq = [[Fraction(int(k), int(q)) for k, q in zip(kr, qr)] for kr, qr in zip(K, Qd)]
    W1 = rng.standard_normal((3, d))
    w2 = np.array([1.0, -1.0, 0.7])
    y = np.maximum(X @ W1.T, 0.0) @ w2 + 0.1 * rng.standard_normal(n)
    return X.astype(np.float64), Xq, y


def cover_count(n: int, d: int) -> int:
    return 2 * sum(math.comb(n - 1, k) for k in range(d))


def general_position(X: np.ndarray) -> bool:
    """All d x d minors non-zero (float test with a relative threshold; bench only)."""
    n, d = X.shape
    for S in itertools.combinations(range(n), d):
        M = X[list(S)]
        if abs(np.linalg.det(M)) <= 1e-9 * np.prod(np.linalg.norm(M, axis=1)):
            return False
    return True


def patterns_by_rays(X: np.ndarray, seed: int = 0, samples: int = 20000) -> np.ndarray:
    """All regions of the central arrangement {x_j . g = 0} (float; complete in general position).

    Every region is a pointed cone (rank X = d) and so has an extreme ray, which lies on
    d-1 hyperplanes.  For every (d-1)-subset S the line {x_S . g = 0} = R v is computed and
    g = +-v + eps * W sigma (x_S . W = I) visits the 2^(d-1) regions around the ray.  Random
    Gaussian samples are added (harmless; they only matter off general position).
    D = 1[X g >= 0], zero rows active.
    """
    n, d = X.shape
    rows = np.flatnonzero(np.any(X != 0, axis=1))
    signs = np.array(list(itertools.product((-1.0, 1.0), repeat=d - 1)))      # (2^(d-1), d-1)
    gs = []
    for S in itertools.combinations(rows, d - 1):
        XS = X[list(S)]
        _, sv, Vt = np.linalg.svd(XS)
        if sv[-1] <= 1e-12 * sv[0]:
            continue
        v = Vt[-1]
        W = np.linalg.pinv(XS)                                   # (d, d-1), XS W = I
        others = np.setdiff1d(rows, S)
        xv = X[others] @ v
        room = np.abs(xv).min() if len(others) else 1.0
        if room <= 1e-12:
            continue
        spread = np.abs(X[others] @ W).sum(axis=1).max() if len(others) else 1.0
        eps = 0.25 * room / max(spread, 1e-300)
        dirs = signs @ W.T                                       # (2^(d-1), d)
        gs.append(v[None, :] + eps * dirs)
        gs.append(-v[None, :] + eps * dirs)
    rng = np.random.default_rng(seed)
    gs.append(rng.standard_normal((samples, d)))
    G = np.concatenate(gs)
    D = (X @ G.T) >= 0                                           # (n, #g)
    D[~np.any(X != 0, axis=1)] = True
    return np.unique(D.T, axis=0)


def all_patterns(X: np.ndarray, Xq) -> tuple[np.ndarray, str, bool | None]:
    """(patterns, source, exact general-position verdict or None)."""
    try:
        from exactrelu.arrangement import enumerate_patterns, is_general_position
    except ImportError:
        enumerate_patterns = None
    if enumerate_patterns is not None:
        ps = enumerate_patterns(Xq, progress=False)
        return ps.as_array(), "exact enumerator", is_general_position(Xq)
    return patterns_by_rays(X), "bench rays+sampling", None


def make_case(n: int, d: int, seed: int):
    X, Xq, y = make_data(n, d, seed)
    P, source, gp = all_patterns(X, Xq)
    if gp is None:
        gp = general_position(X)
    expected = cover_count(n, d)
    if gp and len(P) != expected:
        raise SystemExit(f"pattern enumeration incomplete: {len(P)} != {expected} (n={n}, d={d})")
    C = (P.astype(float) * y) @ X
    lam = 0.05 * float(np.linalg.norm(C, axis=1).max())
    return X, y, lam, P, gp, source


# --------------------------------------------------------------------------------------
# cvxpy reference


def solve_cvxpy(X, y, lam, P, tight: bool = False):
    """Full program through cvxpy + Clarabel; returns (objective recomputed from the
    variables, cvxpy status, wall seconds including cvxpy's compilation)."""
    import cvxpy as cp
    import scipy.sparse as sp

    t0 = time.perf_counter()
    p, n = P.shape
    d = X.shape[1]
    Pf = P.astype(float)
    A = sp.csr_matrix((Pf[:, :, None] * X[None, :, :]).transpose(1, 0, 2).reshape(n, p * d))
    B = sp.block_diag([(2 * Pf[i] - 1)[:, None] * X for i in range(p)], format="csr")
    v, w = cp.Variable(p * d), cp.Variable(p * d)
    obj = 0.5 * cp.sum_squares(A @ (v - w) - y) + lam * (
        cp.sum(cp.norm(cp.reshape(v, (p, d), order="C"), 2, axis=1))
        + cp.sum(cp.norm(cp.reshape(w, (p, d), order="C"), 2, axis=1)))
    prob = cp.Problem(cp.Minimize(obj), [B @ v >= 0, B @ w >= 0])
    opts = dict(tol_gap_abs=1e-10, tol_gap_rel=1e-10, tol_feas=1e-10) if tight else {}
    prob.solve(solver="CLARABEL", **opts)
    sec = time.perf_counter() - t0
    if prob.status not in ("optimal", "optimal_inaccurate"):
        raise RuntimeError(f"cvxpy status {prob.status}")
    V = v.value.reshape(p, d)
    Wv = w.value.reshape(p, d)
    fit = ((X @ V.T) * Pf.T).sum(1) - ((X @ Wv.T) * Pf.T).sum(1)
    res = y - fit
    val = 0.5 * res @ res + lam * (np.linalg.norm(V, axis=1).sum() + np.linalg.norm(Wv, axis=1).sum())
    return float(val), prob.status, sec


# --------------------------------------------------------------------------------------


CASES = [(40, 3, 1), (60, 3, 2), (30, 4, 3)]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="skip cvxpy (our solver only)")
    ap.add_argument("--repeat", type=int, default=5, help="runs of our solver (min, median)")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)
    header = ("| case | patterns | blocks | GP | cvxpy s (default tol) | cvxpy s (tol 1e-10) "
              "| ours s min / median | speed ratio (vs default / vs 1e-10) "
              "| rel obj diff vs cvxpy 1e-10 (vs default) | ours: certified rel gap "
              "| max dual ratio - 1 | outer it | working set | sign rows (ours / full) | active |")
    lines = [header, "|" + "---|" * (header.count("|") - 1)]
    ok = True
    sources = set()
    for n, d, seed in CASES:
        X, y, lam, P, gp, source = make_case(n, d, seed)
        sources.add(source)
        p = P.shape[0]
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            sol = solve_crelu(X, y, lam, P, verbose=args.verbose)
            times.append(time.perf_counter() - t0)
        best, med = min(times), float(np.median(times))
        if args.quick:
            ref_d = ref_t = (float("nan"), "-", float("nan"))
        else:
            ref_d = solve_cvxpy(X, y, lam, P)
            ref_t = solve_cvxpy(X, y, lam, P, tight=True)
        rel_t = abs(sol.objective - ref_t[0]) / abs(ref_t[0])
        rel_d = abs(sol.objective - ref_d[0]) / abs(ref_d[0])
        ratio_d, ratio_t = ref_d[2] / med, ref_t[2] / med
        ok &= args.quick or (ratio_d >= 10 and rel_t <= 1e-8)
        full_rows = 2 * p * int(np.count_nonzero(np.any(X != 0, axis=1)))
        lines.append(
            f"| n={n}, d={d} | {p} | {2 * p} | {gp} | {ref_d[2]:.2f} ({ref_d[1]}) | "
            f"{ref_t[2]:.2f} ({ref_t[1]}) | {best:.3f} / {med:.3f} | "
            f"{ratio_d:.0f}x / {ratio_t:.0f}x | {rel_t:.1e} ({rel_d:.1e}) | {sol.rel_gap:.1e} | "
            f"{sol.max_dual_ratio - 1:.1e} | {sol.outer_iterations} | {len(sol.working_set)} | "
            f"{sol.sign_rows} / {full_rows} | {len(sol.active)} |")
        print(lines[-1], flush=True)
    print()
    print("\n".join(lines))
    print(f"\npatterns from: {', '.join(sorted(sources))}; speed ratio = cvxpy wall time "
          "(incl. compilation) / our median wall time, same process")
    print(f"target (ratio >= 10x vs cvxpy default, rel diff <= 1e-8 vs cvxpy at 1e-10): "
          f"{'MET' if ok else 'NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
