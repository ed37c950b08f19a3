"""Benchmark: a certified regularization path of 50 values of lam (n = 30, d = 3).

Ours: :func:`exactrelu.paths.certified_path` -- ONE pattern enumeration, ONE completeness
proof, exact lam_max, then per lam a warm-started float solve (the previous active
blocks start the working set, from large lam down), the exact dual lower bound, an
exact-optimum attempt and the exact upper bound.  Every point ends with proved bounds
``lower <= p*(lam) <= upper`` on the global optimum of ReLU training (every width).
The exact search is ``"auto"``: the full KKT-refinement search until it fails at 3
consecutive points, then only the cheap rounding attempt.  Variants of ours: the full
search everywhere (``exact=True``), cold solves (``warm=False``), bounds only
(``exact=False``).

Baseline (named, same process): independent cold ``exactrelu.certificate.produce.certify(data, lam)``
calls -- the pipeline of ``exactrelu certify``: pattern enumeration, solve from scratch,
bounds, exact attempt, completeness proof and certificate emission, per lam.  Run on
every 5th lam (10 of the 50) and EXTRAPOLATED x5 to the whole grid (marked as such).
Each baseline result is checked against the path: the two certified intervals must
intersect.

Data: seeded random rationals k/q (|k| <= 20, 1 <= q <= 7), X 30 x 3, y 30; grid:
50 values geometric from lam_max/1000 to 1.05 lam_max (short rationals).

Usage: python bench/bench_path.py [--quick] [--no-baseline]
"""
from __future__ import annotations

import argparse
import collections
import random
import sys
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from exactrelu.numbers import sqrt_bounds  # noqa: E402
from exactrelu.paths import certified_path, lam_max, path_violations  # noqa: E402
from exactrelu.arrangement import enumerate_patterns  # noqa: E402
from exactrelu.problem import Dataset  # noqa: E402


def instance(n: int = 30, d: int = 3, seed: int = 6):
    rng = random.Random(1000 * n + d + seed)

    def r() -> Fraction:
        return Fraction(rng.randint(-20, 20), rng.randint(1, 7))

    return Dataset.from_arrays([[r() for _ in range(d)] for _ in range(n)],
                               [r() for _ in range(n)], source=f"random n={n} d={d}")


def grid(top: Fraction, k: int) -> list[Fraction]:
    return [top * Fraction(10 ** (-3 + 3.0212 * j / (k - 1))).limit_denominator(10 ** 4)
            for j in range(k)]


def _agg(path) -> dict:
    agg: collections.Counter = collections.Counter()
    for p in path:
        for key, v in p.timings.items():
            agg[key] += v
    return dict(agg)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="n = 20 and 20 values of lam")
    ap.add_argument("--no-baseline", action="store_true")
    args = ap.parse_args(argv)
    n, k = (20, 20) if args.quick else (30, 50)
    data = instance(n, 3)
    ps = enumerate_patterns(data.X, progress=False)
    sq, _ = lam_max(data, ps)
    top = sqrt_bounds(sq, 8)[1]
    lams = grid(top, k)
    print(f"## Certified regularization path: n={n}, d=3, {len(ps)} patterns, {k} values of "
          f"lam (geometric, lam_max/1000 .. 1.05 lam_max, lam_max ~ {float(top):.4g})\n")
    rows = []
    runs = {}
    for name, kw in (("ours: warm path (exact search 'auto')", {}),
                     ("ours: warm, full exact search everywhere", {"exact": True}),
                     ("ours: cold solves ('auto')", {"warm": False}),
                     ("ours: warm, bounds only", {"exact": False})):
        t = time.perf_counter()
        path = certified_path(data, lams, **kw)
        sec = time.perf_counter() - t
        runs[name] = path
        gap = max(float(p.gap) / max(1.0, abs(float(p.upper))) for p in path)
        agg = _agg(path)
        rows.append((name, sec, sum(p.exact for p in path), gap, agg,
                     len(path_violations(path)), path.timings))
    base = None
    if not args.no_baseline:
        from exactrelu.certificate.produce import certify

        idx = list(range(0, k, 5))
        t = time.perf_counter()
        res = {j: certify(data, lams[j], progress=False) for j in idx}
        sec = time.perf_counter() - t
        ours = runs["ours: warm path (exact search 'auto')"]
        agree = all(res[j].lower <= ours[j].upper and ours[j].lower <= res[j].upper for j in idx)
        base = (len(idx), sec, sec * k / len(idx), agree,
                sum(res[j].exact for j in idx),
                max(float(res[j].gap) / max(1.0, abs(float(res[j].upper))) for j in idx))
    print("| method | lam values | total s | s per lam | exact points | max rel. gap | "
          "L6 violations | solve s | exact-attempt s | dual s | upper s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, sec, ex, gap, agg, viol, _ in rows:
        print(f"| {name} | {k} | {sec:.1f} | {sec / k:.2f} | {ex} | {gap:.1e} | {viol} | "
              f"{agg.get('solve', 0):.1f} | {agg.get('exact', 0):.1f} | {agg.get('dual', 0):.1f} | "
              f"{agg.get('upper', 0):.1f} |")
    if base is not None:
        m, sec, extra, agree, ex, gap = base
        print(f"| baseline: cold `certify` per lam | {m} measured | {sec:.1f} | {sec / m:.2f} | "
              f"{ex} of {m} | {gap:.1e} | - | - | - | - | - |")
        print(f"| baseline extrapolated to {k} (x{k // m}) | {k} (estimate) | {extra:.1f} | "
              f"{extra / k:.2f} | - | - | - | - | - | - | - |")
    t0 = rows[0][6]
    print(f"\nshared work of the warm path (once): patterns {t0.get('patterns', 0):.2f} s, "
          f"completeness proof {t0.get('completeness', 0):.2f} s, lam_max "
          f"{t0.get('lam_max', 0):.2f} s.")
    if base is not None:
        print(f"speed-up of the warm path over the (extrapolated) cold baseline: "
              f"{base[2] / rows[0][1]:.1f}x; certified intervals of path and baseline "
              f"intersect at every measured lam: {base[3]}")
    ok = all(v == 0 for *_, v, _ in rows) and (base is None or base[3])
    target = rows[0][1] < 60
    print(f"target (< 60 s for the whole certified path): {'met' if target else 'MISSED'} "
          f"({rows[0][1]:.1f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
