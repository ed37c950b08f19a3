"""Independent, slow reference implementations (oracles) for tests and benchmarks.

They share no code with the fast paths they check.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Sequence

__all__ = ["regions_by_lp", "region_count_zaslavsky"]


def _strictly_feasible(rows: Sequence[Sequence[Fraction]]) -> tuple[bool, list[Fraction] | None]:
    """Is there g with r . g > 0 for every row r?  Exact LP with cdd.gmp:
    max t s.t. r . g - t >= 0, t <= 1 (g free); feasible iff t* > 0."""
    import cdd
    import cdd.gmp

    d = len(rows[0])
    arr = [[Fraction(0)] + list(r) + [Fraction(-1)] for r in rows]
    arr.append([Fraction(1)] + [Fraction(0)] * d + [Fraction(-1)])          # 1 - t >= 0
    arr.append([Fraction(0)] + [Fraction(0)] * d + [Fraction(1)])           # objective t
    lp = cdd.gmp.linprog_from_array(arr, obj_type=cdd.LPObjType.MAX)
    cdd.gmp.linprog_solve(lp)
    if lp.status != cdd.LPStatusType.OPTIMAL:
        raise RuntimeError(f"cdd LP status {lp.status}")
    if lp.obj_value > 0:
        return True, list(lp.primal_solution[:d])
    return False, None


def regions_by_lp(X: Sequence[Sequence[object]]) -> set[str]:
    """All activation patterns ``1[X g > 0]`` (zero rows active) by the naive
    incremental method: add rows one by one; each cell keeps an exact witness, the side
    of the new hyperplane containing it is free, the other costs one exact LP."""
    Xq = [[Fraction(a) for a in r] for r in X]
    n, d = len(Xq), len(Xq[0])
    nz = [k for k in range(n) if any(Xq[k])]
    cells: list[tuple[tuple[int, ...], list[Fraction]]] = [((), [Fraction(0)] * d)]
    done: list[int] = []
    for k in nz:
        x = Xq[k]
        new = []
        for signs, g in cells:
            v = sum(a * b for a, b in zip(x, g))
            for s in (1, -1):
                if v * s > 0:
                    new.append((signs + (s,), g))
                    continue
                rows = [[sg * a for a in Xq[j]] for sg, j in zip(signs, done)]
                rows.append([s * a for a in x])
                ok, w = _strictly_feasible(rows)
                if ok:
                    new.append((signs + (s,), w))
        cells = new
        done.append(k)
    out = set()
    for signs, _ in cells:
        bits = ["1"] * n
        for s, j in zip(signs, done):
            bits[j] = "1" if s > 0 else "0"
        out.add("".join(bits))
    return out


def region_count_zaslavsky(X: Sequence[Sequence[object]]) -> int:
    """The number of regions of the central arrangement ``{x_k . g = 0}`` (zero rows
    ignored, parallel rows one hyperplane) by Zaslavsky's theorem, without enumerating
    any region: ``sum_F |mu(0, F)|`` over the flats ``F`` of the intersection lattice
    (sets of hyperplanes closed under linear span), ``mu(empty) = 1``, ``mu(F) =
    -sum_{G < F} mu(G)``.  Written by hand (no library computes arrangement lattices
    exactly in Python); exact ranks by python-flint.  Cost ``O(#flats^2)``: small data."""
    import math

    import flint

    dirs = set()
    for r in X:
        q = [Fraction(a) for a in r]
        if not any(q):
            continue
        den = math.lcm(*(a.denominator for a in q))
        v = [int(a * den) for a in q]
        g = math.gcd(*v)
        v = [a // g for a in v]
        if next(a for a in v if a) < 0:
            v = [-a for a in v]
        dirs.add(tuple(v))
    H = sorted(dirs)
    m = len(H)

    def rank(idx) -> int:
        return flint.fmpz_mat([list(H[i]) for i in idx]).rank() if idx else 0

    mu = {frozenset(): 1}
    layer = [frozenset()]
    k = 0
    while layer:
        k += 1
        nxt = set()
        for F in layer:
            for j in range(m):
                if j in F:
                    continue
                base = sorted(F | {j})
                nxt.add(frozenset(base + [i for i in range(m) if i not in F and i != j
                                          and rank(base + [i]) == k]))
        lower = list(mu)
        for F in nxt:
            mu[F] = -sum(mu[G] for G in lower if G < F)
        layer = list(nxt)
    return sum(abs(v) for v in mu.values())
