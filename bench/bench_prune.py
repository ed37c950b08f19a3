"""Benchmark: Algorithm 1 (exact optimal pruning) on wide random networks.

Ours: :func:`exactrelu.pruning.prune_network` with the ``window`` method -- a window of
at most n + 1 neuron outputs, one exact null space (python-flint) of an n x (<= n+1)
integer matrix per neuron, O(n^3) per step as in the paper's O(n^3 m + n d).
Baseline (named, same process, same exact arithmetic and the same step rule): ``full``
-- the exact null space of ALL alive outputs (n x m_alive) every step, the direct
reading of "while there is a null vector of the active fits".  The baseline gets a time
budget; when it runs out, the table shows how far it got and a linear extrapolation.

Data: seeded random rationals k/q (|k| <= 20, 1 <= q <= 7) for X (n x d), y, W1 and
w2 -- a generic wide network, not an optimal one, so the steps use the general-network
orientation (the balanced objective strictly decreases).  Every run is checked exactly:
identical predictions, objective not larger, independent outputs (<= n neurons).

Usage: python bench/bench_prune.py [--no-baseline] [--budget SECONDS] [--quick]
"""
from __future__ import annotations

import argparse
import random
import sys
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from exactrelu.networks import Network  # noqa: E402
from exactrelu.pruning import prune_network  # noqa: E402

CASES = [(20, 5, 60), (40, 8, 120), (100, 10, 200), (100, 10, 1000)]
QUICK = [(20, 5, 60), (40, 8, 120)]


def instance(n: int, d: int, m: int, seed: int = 0):
    rng = random.Random(10_000 * n + 100 * d + m + seed)

    def r() -> Fraction:
        return Fraction(rng.randint(-20, 20), rng.randint(1, 7))

    X = [[r() for _ in range(d)] for _ in range(n)]
    y = [r() for _ in range(n)]
    net = Network([tuple(r() for _ in range(d)) for _ in range(m)], [r() for _ in range(m)])
    return X, y, net


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--budget", type=float, default=60.0,
                    help="seconds per baseline run (default 60)")
    ap.add_argument("--quick", action="store_true", help="small cases only")
    args = ap.parse_args(argv)
    print("## Pruning: Algorithm 1, exact (balanced objective 1/2||f-y||^2 + lam sum "
          "||W1_j|| |w2_j|, lam = 1/10)\n")
    print("| n | d | m | neurons after | steps | window (ours) s | full-matrix null space "
          "(baseline) s | speed-up | objective before -> after |")
    print("|---|---|---|---|---|---|---|---|---|")
    ok = True
    for n, d, m in (QUICK if args.quick else CASES):
        X, y, net = instance(n, d, m)
        lam = Fraction(1, 10)
        res = prune_network(net, X, y, lam)
        good = (res.predictions_equal and res.objective_not_larger and res.complete
                and res.neurons_after <= n)
        ok &= good
        base, ratio = "", ""
        if not args.no_baseline:
            b = prune_network(net, X, y, lam, method="full", max_seconds=args.budget)
            if b.complete:
                ok &= b.neurons_after == res.neurons_after and b.objective_not_larger
                base = f"{b.seconds:.2f}"
                ratio = f"{b.seconds / res.seconds:.0f}x"
            else:
                est = b.seconds * res.steps / max(b.steps, 1)
                base = (f"> {b.seconds:.0f} (stopped after {b.steps}/{res.steps} steps; "
                        f"~{est:.0f} by linear extrapolation, an overestimate: the "
                        f"matrix narrows from m to n columns)")
                ratio = f"> {b.seconds / res.seconds:.0f}x"
        print(f"| {n} | {d} | {m} | {res.neurons_after} | {res.steps} | {res.seconds:.2f} | "
              f"{base} | {ratio} | {res.objective_before_str[:14]} -> "
              f"{res.objective_after_str[:14]} |", flush=True)
    print("\nAll runs: identical predictions on the data and a balanced objective not "
          f"larger, decided exactly: {'yes' if ok else 'NO'}\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
