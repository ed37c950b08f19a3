"""Timing of the Gordan completeness proofs (exactrelu.certificate.completeness).

Run: python bench/bench_completeness.py   (prints a Markdown table; median of 3 runs)."""
import random
import statistics
import time

from exactrelu.certificate.completeness import completeness_proof, verify_completeness
from exactrelu.arrangement import enumerate_patterns, is_general_position


def rand(n, d, lo, hi, seed):
    rng = random.Random(seed)
    return [[rng.randint(lo, hi) for _ in range(d)] for _ in range(n)]


CASES = [
    ("grid {-2..2}^2 + bias", [[a, b, 1] for a in range(-2, 3) for b in range(-2, 3)]),
    ("grid {-3..3}^2 + bias", [[a, b, 1] for a in range(-3, 4) for b in range(-3, 4)]),
    ("random {-3..3}", rand(20, 3, -3, 3, 0)),
    ("random {-3..3}", rand(15, 4, -3, 3, 1)),
    ("random {-3..3}", rand(40, 4, -3, 3, 2)),
    ("random {-1000..1000} (general position)", rand(30, 4, -1000, 1000, 5)),
]


def main() -> None:
    print("| data | n | d | general position | regions | classes | non-wall pairs | "
          "simplicial regions | LP fallbacks | proof s (median of 3) | proof CPU s | verify s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, X in CASES:
        ps = enumerate_patterns(X)
        walls, cpus, pr = [], [], None
        for _ in range(3):
            c0 = time.process_time()
            pr = completeness_proof(X, ps, route="gordan")
            cpus.append(time.process_time() - c0)
            walls.append(pr.seconds)
        t0 = time.perf_counter()
        verify_completeness(X, ps.bits, pr)
        tv = time.perf_counter() - t0
        s = pr.stats
        print(f"| {name} | {len(X)} | {len(X[0])} | {is_general_position(X)} | {len(ps)} | "
              f"{s['classes']} | {s['nonwall_pairs']} | {s['simplicial_regions']} | "
              f"{s['lp_walls'] + s['lp_gordan']} | {statistics.median(walls):.2f} | "
              f"{statistics.median(cpus):.2f} | {tv:.2f} |", flush=True)


if __name__ == "__main__":
    main()
