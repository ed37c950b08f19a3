"""Independent, slow reference implementations (oracles) for tests and benchmarks.

They share no code with the fast paths they check.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Sequence

from ..linalg import fr as _fr, qmat as _matrix
from ..lp import nonneg_combination

__all__ = ["regions_by_lp", "region_count_zaslavsky", "min_norm_alpha"]

_ZERO = Fraction(0)


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


# long: a test oracle kept whole as an independent primal active-set method
def min_norm_alpha(cols: Sequence[Sequence[Fraction]], target: Sequence[Fraction],
                   start: Sequence[Fraction] | None = None, *, max_iter: int | None = None
                   ) -> tuple[list[Fraction], list[Fraction]] | None:
    r"""The minimum-norm point of ``{alpha >= 0 : sum_j alpha_j cols_j = target}``, exactly.

    This is the QP of the min-norm path (docs/theory.md §2.12): with ``cols = [Z_b v_b]`` over the
    equicorrelated blocks and ``target = yhat``, ``w_b = alpha_b v_b`` is the optimal
    solution of least Euclidean norm (``||w||^2 = lam^2 ||alpha||^2``).

    Primal active-set method over Q (Nocedal & Wright, Alg. 16.3) on the equivalent
    full-row-rank system ``C alpha = e`` (the nonzero rows of the RREF of ``[M | t]``),
    started at the feasible ``start`` (or an LP vertex).  The test oracle for
    :meth:`exactrelu.optimal_sets.Polytope.min_norm` (a dual semismooth Newton method).  Returns ``(alpha, mu)`` with the
    exact KKT proof ``alpha = (C^T mu)_+`` checked (``alpha_j = c_j . mu`` where
    ``alpha_j > 0``, ``c_j . mu <= 0`` where ``alpha_j = 0``), or ``None`` when the set is
    empty or the iteration limit is hit.

    >>> from fractions import Fraction as F
    >>> a, mu = min_norm_alpha([(F(1), F(0)), (F(0), F(1)), (F(1, 2), F(1, 2))], (F(2), F(2)))
    >>> a
    [Fraction(4, 3), Fraction(4, 3), Fraction(4, 3)]
    """
    L = len(cols)
    n = len(target)
    target = [Fraction(a) for a in target]
    if L == 0:
        return ([], []) if not any(target) else None
    aug = _matrix([[cols[j][k] for j in range(L)] + [target[k]] for k in range(n)], L + 1)
    R, rank = aug.rref()
    rank = int(rank)
    C: list[list[Fraction]] = []
    e: list[Fraction] = []
    for i in range(rank):
        row = [_fr(R[i, j]) for j in range(L)]
        if not any(row):
            return None                          # pivot in the target column: infeasible
        C.append(row)
        e.append(_fr(R[i, L]))
    r = len(C)
    if start is None:
        start = nonneg_combination(cols, target)
        if start is None:
            return None
    alpha = [Fraction(a) for a in start]
    if len(alpha) != L or any(a < 0 for a in alpha):
        raise ValueError("start must be a non-negative vector with one entry per column")
    for i in range(r):
        if sum((C[i][j] * alpha[j] for j in range(L)), _ZERO) != e[i]:
            raise ValueError("start is not feasible")
    W: set[int] = set()
    limit = max_iter if max_iter is not None else 50 * (L + 1) + 100
    mu: list[Fraction] = []
    for _ in range(limit):
        F = [j for j in range(L) if j not in W]
        if r:
            CF = _matrix([[C[i][j] for j in F] for i in range(r)], len(F))
            aF = _matrix([[alpha[j]] for j in F], 1)
            try:
                muM = (CF * CF.transpose()).solve(CF * aF)
            except ZeroDivisionError:
                return None                          # lost full row rank (cannot happen)
            mu = [_fr(muM[i, 0]) for i in range(r)]
        else:
            mu = []
        p = {j: sum((C[i][j] * mu[i] for i in range(r)), _ZERO) - alpha[j] for j in F}
        if not any(p.values()):
            nu = {j: -sum((C[i][j] * mu[i] for i in range(r)), _ZERO) for j in W}
            if not nu or min(nu.values()) >= 0:
                break
            j = min(nu, key=lambda k: (nu[k], k))
            W.discard(j)
            continue
        t = Fraction(1)
        block = None
        for j in F:
            if p[j] < 0:
                ratio = -alpha[j] / p[j]
                if ratio < t or (ratio == t and block is not None and j < block):
                    t, block = ratio, j
        for j in F:
            alpha[j] += t * p[j]
        if block is not None:
            alpha[block] = _ZERO
            W.add(block)
    else:
        return None
    # exact KKT proof of the result
    for i in range(r):
        if sum((C[i][j] * alpha[j] for j in range(L)), _ZERO) != e[i]:  # pragma: no cover
            return None
    for j in range(L):
        cm = sum((C[i][j] * mu[i] for i in range(r)), _ZERO)
        if alpha[j] < 0 or (alpha[j] > 0 and cm != alpha[j]) or (alpha[j] == 0 and cm > 0):
            return None  # pragma: no cover - the loop ends only at a KKT point
    return alpha, mu
