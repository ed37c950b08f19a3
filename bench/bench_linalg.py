"""Benchmark: exact rank and nullspace over Q on the project's matrix shapes.

Methods (same process, same matrices, every answer cross-checked exactly):

* ``sympy.Matrix``: ``rank()`` and ``nullspace()`` on a Matrix of Rationals (the naive
  baseline; its ``rank()`` is known to be pathologically slow, so it gets a budget);
* ``sympy DomainMatrix`` over ``QQ``: ``rank()`` and ``nullspace()``;
* ``flint.fmpq_mat``: ``rank()`` (tall orientation) and the nullspace read off ``rref()``;
* ``flint.fmpz_mat`` row-scaled to integers: ``rank()`` and ``nullspace()`` (what
  ``exactrelu.planted`` / ``exactrelu.pruning`` use).

Shapes (seeded data k/q, |k| <= 20, q <= 7):

* **active fits** ``n x k``: columns ``s D_i X v_i`` of ``k`` random blocks (patterns of
  random gates, ``v_i`` random rational directions) -- the matrix of Algorithm 1 and of
  the uniqueness test; ``k = n + 1`` is the pruning window, ``k = 2n`` a wide support;
* **ratio columns**: the same with half of the columns exact rational multiples of others
  (tied / split neurons: rank-deficient on purpose);
* **design** ``[D_1 X .. D_p X]``: the ``n x p d`` matrix of the convex program.

Conversion from Fractions is not timed; every run starts from a fresh conversion
and an empty sympy cache.  Usage:
``python bench/bench_linalg.py [--quick] [--budget SECONDS]``.
"""
from __future__ import annotations

import argparse
import math
import random
import signal
import statistics
import sys
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import flint  # noqa: E402

Q = Fraction


def _q(rng: random.Random) -> Fraction:
    return Q(rng.randint(-20, 20), rng.randint(1, 7))


def _patterns(rng: random.Random, X, count: int) -> list[list[int]]:
    d = len(X[0])
    out = []
    for _ in range(count):
        g = [rng.randint(-50, 50) for _ in range(d)]
        out.append([1 if sum(a * b for a, b in zip(x, g)) > 0 else 0 for x in X])
    return out


def active_fits(n: int, d: int, k: int, seed: int, ratio: bool = False) -> list[list[Fraction]]:
    """n x k matrix whose columns are s D_i X v_i (ratio: half of them multiples)."""
    rng = random.Random(seed)
    X = [[_q(rng) for _ in range(d)] for _ in range(n)]
    cols = []
    for j, D in enumerate(_patterns(rng, X, k)):
        if ratio and j >= (k + 1) // 2:
            src = cols[rng.randrange((k + 1) // 2)]
            c = Q(rng.randint(1, 9), rng.randint(1, 9)) * rng.choice([1, -1])
            cols.append([c * a for a in src])
            continue
        v = [_q(rng) for _ in range(d)]
        s = rng.choice([1, -1])
        cols.append([s * sum((a * b for a, b in zip(x, v)), Q(0)) if Dk else Q(0)
                     for x, Dk in zip(X, D)])
    return [[cols[j][i] for j in range(k)] for i in range(n)]


def design(n: int, d: int, p: int, seed: int) -> list[list[Fraction]]:
    rng = random.Random(seed)
    X = [[_q(rng) for _ in range(d)] for _ in range(n)]
    Ds = _patterns(rng, X, p)
    return [[x[j] if D[i] else Q(0) for D in Ds for j in range(d)] for i, x in enumerate(X)]


# ------------------------------------------------------------------------ methods

def _fmpq(A):
    return flint.fmpq_mat(len(A), len(A[0]), [flint.fmpq(a.numerator, a.denominator)
                                             for r in A for a in r])


def _fmpz_rowscaled(A):
    rows = []
    for r in A:
        den = 1
        for a in r:
            den = math.lcm(den, a.denominator)
        rows.append([int(a * den) for a in r])
    return flint.fmpz_mat(rows)


def flint_q_rank(M) -> int:
    return (M.transpose() if M.nrows() < M.ncols() else M).rank()


def flint_q_null(M) -> list[list]:
    R, r = M.rref()
    k = M.ncols()
    piv = []
    for i in range(r):
        piv.append(next(j for j in range(k) if R[i, j] != 0))
    out = []
    for f in (j for j in range(k) if j not in set(piv)):
        v = [flint.fmpq(0)] * k
        v[f] = flint.fmpq(1)
        for i, pj in enumerate(piv):
            v[pj] = -R[i, f]
        out.append(v)
    return out


def flint_z_rank(M) -> int:
    return (M.transpose() if M.nrows() < M.ncols() else M).rank()


def flint_z_null(M):
    N, k = M.nullspace()
    return [[N[i, j] for i in range(N.nrows())] for j in range(k)]


def _sympy():
    import sympy
    from sympy.polys.matrices import DomainMatrix

    return sympy, DomainMatrix


def sym_matrix(A):
    sympy, _ = _sympy()
    return sympy.Matrix([[sympy.Rational(a.numerator, a.denominator) for a in r] for r in A])


def dm_matrix(A):
    sympy, DomainMatrix = _sympy()
    QQ = sympy.QQ
    return DomainMatrix([[QQ(a.numerator, a.denominator) for a in r] for r in A],
                        (len(A), len(A[0])), QQ)


METHODS = {
    "sympy.Matrix": (sym_matrix, lambda M: M.rank(), lambda M: M.nullspace()),
    "sympy DomainMatrix": (dm_matrix, lambda M: M.rank(), lambda M: M.nullspace()),
    "flint fmpq_mat": (_fmpq, flint_q_rank, flint_q_null),
    "flint fmpz_mat (row-scaled)": (_fmpz_rowscaled, flint_z_rank, flint_z_null),
}


def _count_null(res) -> int:
    if hasattr(res, "shape"):                     # DomainMatrix: one basis vector per row
        return res.shape[0]
    return len(res)


def _check_null(A, basis_count: int, r: int) -> None:
    assert basis_count == len(A[0]) - r, "nullspace dimension != k - rank"


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout


def _time(fn, make, repeat: int, budget: float):
    """Median seconds over up to ``repeat`` runs, or ``(None, None)`` if one run exceeds
    ``budget`` seconds (a hard limit: SIGALRM interrupts the pure-Python sympy loops).
    Every run gets a freshly converted matrix ``make()`` and an empty sympy cache
    (untimed), so no run profits from an earlier one."""
    ts, res = [], None
    t_all = time.perf_counter()
    old = signal.signal(signal.SIGALRM, _alarm)
    try:
        for _ in range(repeat):
            arg = make()
            if "sympy" in sys.modules:
                sys.modules["sympy"].core.cache.clear_cache()
            t = time.perf_counter()
            signal.setitimer(signal.ITIMER_REAL, budget)
            try:
                res = fn(arg)
            except _Timeout:
                return None, None
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            ts.append(time.perf_counter() - t)
            if time.perf_counter() - t_all > budget:
                break
    finally:
        signal.signal(signal.SIGALRM, old)
    return statistics.median(ts), res


def cases(quick: bool):
    out = [("active fits", "n=10, k=11 (window)", active_fits(10, 3, 11, 1)),
           ("active fits", "n=30, k=31 (window)", active_fits(30, 3, 31, 2)),
           ("ratio columns", "n=30, k=31", active_fits(30, 3, 31, 3, ratio=True)),
           ("active fits", "n=30, k=60", active_fits(30, 4, 60, 4)),
           ("design [D1X..DpX]", "n=20, d=3, p=30", design(20, 3, 30, 5))]
    if not quick:
        out += [("active fits", "n=60, k=61 (window)", active_fits(60, 4, 61, 6)),
                ("ratio columns", "n=60, k=120", active_fits(60, 4, 120, 7, ratio=True)),
                ("design [D1X..DpX]", "n=40, d=4, p=60", design(40, 4, 60, 8))]
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small cases only")
    ap.add_argument("--budget", type=float, default=20.0,
                    help="seconds per (method, case, operation) before giving up (20)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    print("## Exact linear algebra: rank and nullspace over Q (ms, median of up to "
          f"{args.repeat}; conversion not timed)\n")
    names = list(METHODS)
    head = " | ".join(f"{m} rank" for m in names) + " | " + \
        " | ".join(f"{m} nullspace" for m in names)
    print(f"| matrix | shape | rows x cols | rank | {head} |")
    print("|---" * (4 + 2 * len(names)) + "|")
    ok = True
    slow: set[str] = set()
    for kind, label, A in cases(args.quick):
        ranks, cells_r, cells_n = {}, [], []
        for op in ("rank", "nullspace"):
            for m in names:
                conv, frank, fnull = METHODS[m]
                if m + op in slow:          # timed out on a smaller case: skip
                    (cells_r if op == "rank" else cells_n).append("skipped")
                    continue
                fn = frank if op == "rank" else fnull
                sec, res = _time(fn, lambda: conv(A), args.repeat, args.budget)
                cells = cells_r if op == "rank" else cells_n
                if sec is None:
                    cells.append(f"T/O (> {args.budget:g} s)")
                    slow.add(m)
                    slow.add(m + op)
                    continue
                cells.append(f"{1e3 * sec:.2f}")
                if op == "rank":
                    ranks[m] = int(res)
                else:
                    _check_null(A, _count_null(res), next(iter(ranks.values())))
        if len(set(ranks.values())) != 1:
            ok = False
            print(f"rank disagreement on {label}: {ranks}")
        # exact check of one nullspace (flint) on the original Fractions
        basis = flint_z_null(_fmpz_rowscaled(A))
        for v in basis:
            for row in A:
                assert sum((a * Q(int(x)) for a, x in zip(row, v)), Q(0)) == 0
        r = next(iter(ranks.values()))
        print(f"| {kind} | {label} | {len(A)} x {len(A[0])} | {r} | "
              f"{' | '.join(cells_r)} | {' | '.join(cells_n)} |", flush=True)
    print("\nAll methods agree on every rank; every nullspace has dimension k - rank and the "
          "flint basis is checked exactly (A v = 0 over Fractions).\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
