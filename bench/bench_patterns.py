"""Benchmark: exact enumeration of all activation patterns, with witnesses.

Baseline (named, same process): the naive incremental enumerator with one exact LP
(cdd.gmp) per (cell, new hyperplane) -- ``exactrelu.testing.oracles.regions_by_lp``.
Data: seeded random rationals k/q (|k| <= 20, 1 <= q <= 7), general position checked.
Targets (issue 2): n=30,d=4 (8180 regions here) <= 2 s and n=30,d=5 (55682) <= 15 s.

Usage: python bench/bench_patterns.py [--no-baseline]
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from exactrelu.arrangement import enumerate_patterns, region_count_general_position  # noqa: E402
from exactrelu.testing.oracles import regions_by_lp  # noqa: E402

CASES = [(20, 3), (40, 3), (30, 4), (40, 4), (30, 5)]
BASELINE_CASES = {(20, 3), (40, 3), (30, 4)}
TARGET = {(30, 4): 2.0, (30, 5): 15.0}


def data(n: int, d: int, seed: int = 0) -> list[list[Fraction]]:
    rng = random.Random(1000 * n + d + seed)
    return [[Fraction(rng.randint(-20, 20), rng.randint(1, 7)) for _ in range(d)] for _ in range(n)]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-baseline", action="store_true")
    args = ap.parse_args(argv)
    print("## Activation patterns: all regions with exact witnesses\n")
    print("| n | d | regions | GP formula | exactrelu s | naive exact-LP s | speed-up | target s |")
    print("|---|---|---|---|---|---|---|---|")
    ok = True
    for n, d in CASES:
        X = data(n, d)
        t = time.perf_counter()
        ps = enumerate_patterns(X, progress=False)
        ours = time.perf_counter() - t
        base = ""
        ratio = ""
        if not args.no_baseline and (n, d) in BASELINE_CASES:
            t = time.perf_counter()
            ref = regions_by_lp(X)
            bt = time.perf_counter() - t
            assert ref == set(ps.bits), "baseline disagrees"
            base, ratio = f"{bt:.2f}", f"{bt / ours:.0f}x"
        tgt = TARGET.get((n, d))
        if tgt is not None and ours > tgt:
            ok = False
        print(f"| {n} | {d} | {len(ps)} | {region_count_general_position(n, d)} | {ours:.2f} | "
              f"{base} | {ratio} | {tgt if tgt else ''} |", flush=True)
    print()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
