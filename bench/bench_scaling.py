"""Benchmark: how pattern enumeration and certification scale with n, d and the number
of regions (a small sweep in one process).

For each (n, d): seeded random rationals k/q (|k| <= 20, q <= 7) for X, targets from a
planted 3-neuron ReLU network plus noise (rounded to rationals), lam = 1/2.

* ``enumerate`` -- :func:`exactrelu.arrangement.enumerate_patterns` (all regions, exact
  witnesses, verified);
* ``certify`` -- :func:`exactrelu.certificate.produce.certify`: enumeration, float solve, exact dual
  bound, exact-optimum search, upper bound, completeness proof and the certificate,
  with its stage timings (of the first run).

Times are the median of 3 runs for calls under a second, else one run, after an untimed
warm-up (imports, first calls).

The general-position formula ``2 sum_{k<d} C(n-1, k)`` is the region count when the exact
test passes.  Prints a Markdown table and the per-region cost; with matplotlib writes
``docs/figures/scaling.png`` (log-log time vs regions, Agg backend; full sweep only).

Usage: ``python bench/bench_scaling.py [--quick] [--no-plot] [--plot]`` (the PNG is written
by the full sweep only, unless ``--plot``).
"""
from __future__ import annotations

import argparse
import math
import random
import sys
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from exactrelu.certificate.produce import certify  # noqa: E402
from exactrelu.arrangement import enumerate_patterns, region_count_general_position  # noqa: E402
from exactrelu.problem import Dataset  # noqa: E402

PATTERN_CASES = [(n, d) for d in (2, 3, 4) for n in (10, 20, 30, 40)]
CERTIFY_CASES = [(n, d) for d in (2, 3) for n in (10, 20, 30)] + [(20, 4)]
QUICK_PATTERNS = [(n, d) for d in (2, 3) for n in (10, 20)]
QUICK_CERTIFY = [(10, 2), (20, 2), (10, 3)]
FIGURE = ROOT / "docs" / "figures" / "scaling.png"


def instance(n: int, d: int, seed: int = 11) -> Dataset:
    rng = random.Random(7919 * n + 31 * d + seed)
    X = [[Fraction(rng.randint(-20, 20), rng.randint(1, 7)) for _ in range(d)] for _ in range(n)]
    W = [[rng.gauss(0, 1) for _ in range(d)] for _ in range(3)]
    y = []
    for x in X:
        xf = [float(a) for a in x]
        v = sum(max(0.0, sum(a * w for a, w in zip(xf, ww))) * c for ww, c in zip(W, (1, -1, .5)))
        y.append(Fraction(round(v + rng.gauss(0, 0.1), 3)).limit_denominator(1000))
    return Dataset.from_arrays(X, y)


def _plot(pat_rows, cert_rows) -> str | None:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    markers = {2: "o", 3: "s", 4: "^"}
    for d in sorted({r[1] for r in pat_rows}):
        pts = [(r[2], r[3]) for r in pat_rows if r[1] == d]
        ax.loglog(*zip(*pts), marker=markers.get(d, "o"), ls="-", color="C0",
                  label=f"enumerate_patterns, d={d}")
    for d in sorted({r[1] for r in cert_rows}):
        pts = [(r[2], r[3]) for r in cert_rows if r[1] == d]
        ax.loglog(*zip(*pts), marker=markers.get(d, "o"), ls="--", color="C3",
                  label=f"certify (end to end), d={d}")
    ax.set_xlabel("regions (activation patterns)")
    ax.set_ylabel("seconds (median of 3 below 1 s)")
    ax.set_title("exactrelu: time vs number of regions")
    ax.grid(True, which="both", alpha=.3)
    ax.legend(fontsize=8)
    FIGURE.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(FIGURE, dpi=110)
    plt.close(fig)
    return str(FIGURE.relative_to(ROOT))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sweep only")
    ap.add_argument("--no-plot", action="store_true", help="do not write the PNG")
    ap.add_argument("--plot", action="store_true",
                    help="write the PNG also with --quick (by default only the full sweep "
                         "writes it, so a quick run never replaces the documented figure)")
    args = ap.parse_args(argv)
    pcases = QUICK_PATTERNS if args.quick else PATTERN_CASES
    ccases = QUICK_CERTIFY if args.quick else CERTIFY_CASES
    warm = instance(6, 2)                       # imports and first-call costs, untimed
    enumerate_patterns(warm.X, progress=False)
    certify(warm, Fraction(1, 2), progress=False, route="regions")

    def timed(fn):
        """Median of 3 runs for sub-second calls, else one run: (seconds, result)."""
        t = time.perf_counter()
        res = fn()
        ts = [time.perf_counter() - t]
        if ts[0] < 1.0:
            for _ in range(2):
                t = time.perf_counter()
                fn()
                ts.append(time.perf_counter() - t)
        return sorted(ts)[len(ts) // 2], res

    print("## Scaling: pattern enumeration vs n, d and regions (lam-free)\n")
    print("| n | d | regions | GP formula | enumerate s | us per region |")
    print("|---|---|---|---|---|---|")
    pat_rows = []
    for n, d in pcases:
        data = instance(n, d)
        sec, ps = timed(lambda: enumerate_patterns(data.X, progress=False))
        pat_rows.append((n, d, len(ps), sec))
        print(f"| {n} | {d} | {len(ps)} | {region_count_general_position(n, d)} | {sec:.3f} | "
              f"{1e6 * sec / len(ps):.0f} |", flush=True)

    print("\n## Scaling: certify end to end (lam = 1/2; stage seconds)\n")
    print("| n | d | regions | certify s | patterns | solve | dual | upper (+exact) | "
          "completeness | emit | exact optimum | ms per region |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    cert_rows = []
    ok = True
    for n, d in ccases:
        data = instance(n, d)
        sec, res = timed(lambda: certify(data, Fraction(1, 2), progress=False, route="regions"))
        if not res.lower <= res.upper:
            ok = False
        tm = res.timings
        cert_rows.append((n, d, res.patterns, sec))
        print(f"| {n} | {d} | {res.patterns} | {sec:.2f} | {tm.get('patterns', 0):.2f} | "
              f"{tm.get('solve', 0):.2f} | {tm.get('dual', 0):.2f} | {tm.get('upper', 0):.2f} | "
              f"{tm.get('completeness', 0):.2f} | {tm.get('emit', 0):.2f} | {res.exact} | "
              f"{1e3 * sec / res.patterns:.2f} |", flush=True)

    # growth exponents (least squares on log-log), only informative with >= 3 points
    def slope(rows):
        if len(rows) < 3:
            return None
        xs = [math.log(r[2]) for r in rows]
        ys = [math.log(max(r[3], 1e-6)) for r in rows]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        den = sum((x - mx) ** 2 for x in xs)
        return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else None

    sp, sc = slope(pat_rows), slope(cert_rows)
    print()
    if sp is not None:
        print(f"log-log slope of time vs regions: enumerate {sp:.2f}"
              + (f", certify {sc:.2f}" if sc is not None else "")
              + " (1 = linear in the number of regions).")
    if not args.no_plot and (args.plot or not args.quick):
        where = _plot(pat_rows, cert_rows)
        print(f"figure: {where}" if where else "figure: matplotlib not available")
    print()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
