"""Regularization paths: the discontinuous width-1 path of docs/theory.md §5.1 Example C, the
continuous width-2 path of the same data, and a certified path of a random instance.

Writes ``docs/figures/path_width1.png``, ``docs/figures/path_width2.png`` and
``docs/figures/path_certified.png``; prints what each figure shows, with exact numbers.

Example C: x = (1, -4), y = (3, 3/2), no bias.  One neuron can fit only point 1
(W1 > 0) or only point 2 (W1 < 0).  Its optimal choice flips at lam = 2, where
(3 - lam)^2 = (6 - lam)^2 / 16: the optimal network jumps from (W1, w2) = (1, 1) to
(-1/2, 1/2), both with objective 41/8.  With two neurons (m* = 2) the path is the convex
one, continuous, with value 37/8 at lam = 2.

Usage: python examples/path_discontinuity.py [--quick]
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from exactrelu.numbers import q_str, sqrt_bounds  # noqa: E402
from exactrelu.paths import (certified_path, fixed_width_path, lam_grid, lam_max,  # noqa: E402
                            one_dimensional_path, path_violations, plot_certified_path,
                            plot_fixed_width_path)
from exactrelu.problem import Dataset  # noqa: E402

FIG = ROOT / "docs" / "figures"


def example_c(quick: bool) -> None:
    data = Dataset.from_arrays([[1], [-4]], [3, Fraction(3, 2)], source="Example C")
    op = one_dimensional_path(data)
    grid = lam_grid(Fraction(1, 10), 7, 35 if quick else 70)
    convex = lambda l: float(op.value(Fraction(l)))  # noqa: E731
    for m in (1, 2):
        t = time.perf_counter()
        fw = fixed_width_path(data, grid, m)
        out = FIG / f"path_width{m}.png"
        plot_fixed_width_path(fw, str(out), convex=convex,
                              title=f"Example C, width {m}: x = (1, -4), y = (3, 3/2)")
        print(f"width {m}: {len(grid)} values of lam, all exact: "
              f"{all(p.exact for p in fw.points)}; {len(fw.jumps)} jump(s); "
              f"{time.perf_counter() - t:.1f} s -> {out.relative_to(ROOT)}")
        for j in fw.jumps:
            print(f"  jump at lam = {j.at} ({'verified' if j.verified else 'unverified'}), "
                  f"value {q_str(j.value_at)}: "
                  f"{[(b.pattern, b.sign, q_str(b.u[0])) for b in j.before]} -> "
                  f"{[(b.pattern, b.sign, q_str(b.u[0])) for b in j.after]}")
    print(f"  closed form: crossing {op.jump}, breakpoints {[q_str(b) for b in op.breakpoints]}, "
          f"convex value at 2 = {q_str(op.value(2))}, width-1 value at 2 = "
          f"{q_str(op.width1(2)[0])}")


def random_path(quick: bool) -> None:
    rng = random.Random(2023)

    def r() -> Fraction:
        return Fraction(rng.randint(-20, 20), rng.randint(1, 7))

    n, d = (20, 3) if quick else (30, 3)
    data = Dataset.from_arrays([[r() for _ in range(d)] for _ in range(n)],
                               [r() for _ in range(n)], source=f"random n={n}, d={d}")
    sq, _ = lam_max(data)
    top = sqrt_bounds(sq, 8)[1]
    k = 20 if quick else 40
    # geometric grid from lam_max/1000 to 1.05 lam_max, each value a short rational
    grid = [(top * Fraction(10 ** (-3 + 3.02 * j / (k - 1))).limit_denominator(10 ** 4))
            for j in range(k)]
    t = time.perf_counter()
    path = certified_path(data, grid)
    out = FIG / "path_certified.png"
    plot_certified_path(path, str(out))
    worst = max(float(p.gap) for p in path)
    print(f"random n={n}, d={d}: {len(path.patterns)} patterns, lam_max ~ {float(top):.4g}; "
          f"{len(grid)} points, {sum(p.exact for p in path)} exact, max gap {worst:.2e}, "
          f"L6 checks: {'all hold' if not path_violations(path) else 'VIOLATED'}; "
          f"{time.perf_counter() - t:.1f} s -> {out.relative_to(ROOT)}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    FIG.mkdir(parents=True, exist_ok=True)
    example_c(args.quick)
    random_path(args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
