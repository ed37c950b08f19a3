"""Independent, slow reference implementations (oracles) for tests and benchmarks.

They share no code with the fast paths they check.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Sequence

__all__ = ["regions_by_lp"]


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
