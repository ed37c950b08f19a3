"""Benchmark: the working-set solver in sampled mode vs cvxpy + Clarabel (issue 15 item 5).

Run:  python bench/bench_sampled.py [--quick] [--gates 200] [--lam 0.1] [--verbose]

Data: scikit-learn's diabetes (n = 442, 10 features), features and target standardised,
a bias column (d = 11); the patterns of ``--gates`` random gates
(:func:`exactrelu.arrangement.sample_patterns`, seed 0) -- what ``certify --sample``
solves.  Both solvers run in the same process on the same patterns:
``solve_crelu`` (working set, tol 1e-11 as in ``certify``; its objective is certified
against its dual bound) and the baseline, cvxpy + Clarabel on the full program
(``bench_solve.solve_cvxpy``, default tolerances), which includes cvxpy's compilation.
The machine's load average (``os.getloadavg``) is printed beside the numbers: on a shared
machine the times are only comparable within one run.  ``--verbose`` prints our solver's
rounds (blocks, sign rows, tolerance, Clarabel status; the module doc of
``exactrelu.approx.solver.working_set`` says what the rounds are).  Exit code 1 if ours
is slower than the baseline or the objectives differ by more than 1e-6 (relative).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from exactrelu.approx.solver import solve_crelu  # noqa: E402
from exactrelu.arrangement import sample_patterns  # noqa: E402
from exactrelu.numbers import from_float  # noqa: E402


def diabetes():
    from sklearn.datasets import load_diabetes
    from sklearn.preprocessing import StandardScaler

    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()
    return np.hstack([X, np.ones((len(X), 1))]), y


def run(gates: int, lam: float, baseline: bool = True, verbose: bool = False) -> dict:
    X, y = diabetes()
    P = sample_patterns([[from_float(a) for a in r] for r in X.tolist()], gates,
                        seed=0).as_array()
    load0 = os.getloadavg()[0]
    t = time.perf_counter()
    sol = solve_crelu(X, y, lam, P, tol=1e-11, strict=False, verbose=verbose)
    ours = time.perf_counter() - t
    row = {"n": X.shape[0], "d": X.shape[1], "gates": gates, "patterns": P.shape[0],
           "lam": lam, "ours_s": ours, "ours_obj": sol.objective,
           "ours_gap": (sol.objective - sol.dual_objective) / max(1.0, abs(sol.objective))}
    if baseline:
        from bench_solve import solve_cvxpy

        val, status, sec = solve_cvxpy(X, y, lam, P)
        row.update(cvxpy_s=sec, cvxpy_obj=val, cvxpy_status=status,
                   rel_diff=abs(sol.objective - val) / max(1.0, abs(val)))
    row["load"] = (load0, os.getloadavg()[0])
    return row


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="50 gates")
    ap.add_argument("--gates", type=int, default=200)
    ap.add_argument("--lam", type=float, default=0.1)
    ap.add_argument("--no-baseline", action="store_true", help="skip cvxpy")
    ap.add_argument("--verbose", action="store_true", help="print our solver's rounds")
    args = ap.parse_args(argv)
    gates = 50 if args.quick else args.gates
    r = run(gates, args.lam, baseline=not args.no_baseline, verbose=args.verbose)
    print("| data | n | d | gates | patterns | lam | ours s | cvxpy+Clarabel s | ratio | "
          "rel obj diff | ours certified gap | load avg (start, end) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    cv = r.get("cvxpy_s")
    cvs, ratio, diff = ("-", "-", "-") if cv is None else \
        (f"{cv:.1f}", f"{cv / r['ours_s']:.2f}x", f"{r['rel_diff']:.1e}")
    print(f"| diabetes (std, bias) | {r['n']} | {r['d']} | {r['gates']} | {r['patterns']} | "
          f"{r['lam']:g} | {r['ours_s']:.1f} | {cvs} | {ratio} | {diff} | "
          f"{r['ours_gap']:.1e} | {r['load'][0]:.1f}, {r['load'][1]:.1f} |")
    if cv is not None and (r["ours_s"] > cv or r["rel_diff"] > 1e-6):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
