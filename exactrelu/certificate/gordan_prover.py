"""Building the Gordan entries of a completeness proof: exact, and fast on large lists.

Write ``s_c h_c`` for the normal of parallel class ``c`` signed so that it is positive on
region ``i``.  If the list is complete, the classes whose flip is listed are exactly the
*walls* (facets) of region ``i``'s closed cone ``K_i = {g : s_j h_j . g >= 0, j a wall}``.
A non-wall ``s_c h_c`` is nonnegative on ``K_i``, so by Farkas ``s_c h_c = sum_j c_j s_j
h_j`` with ``c >= 0`` over the walls, and ``y = 1`` on a row of ``C`` plus ``y_j = c_j``
on one row of each wall is a Gordan certificate (the flipped row enters with ``-s_c
h_c``).  Everything runs in the row space of ``X`` (coordinates = the pivot columns of its
RREF, injective on the row space).  Per region: a simplicial region (exactly ``r = rank
X`` walls) gives ``c = W^{-1} b`` for all non-wall columns at once from the integer
adjugate of ``W``; otherwise bases of ``r`` walls are guessed in floats
(:mod:`._gordan_float_guess`) and each guess passes the same exact adjugate check
(``c >= 0``) or goes to an exact LP (``cdd.gmp``) over the walls, then over all classes
(plain Gordan LP).  If that fails too, the flipped sign vector is a region that is not
listed: :class:`~exactrelu.errors.ExactReluError`.  Every ``y`` is exact
(:mod:`.completeness` describes the whole proof).
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Mapping, Sequence

import numpy as np

from ..arrangement import _primitive, check_matrix_shape, primitive_rows
from ..errors import ExactReluError
from ..lp import nonneg_combination
from ..numbers import to_q
from ._gordan_float_guess import Plan, float_normals, guess_wall_bases
from .completeness_results import GordanEntry, _check_bits

IntVec = tuple[int, ...]

#: int64 products are used only when a bound proves they stay below this.
_I64_SAFE = 1 << 62

def _make_int_fraction():
    """A fast ``int -> Fraction`` (the hot spot of big proofs: about a million values).

    An integer is already in lowest terms, so the Fraction can be built without
    ``Fraction.__new__``'s type dispatch and gcd by filling its two slots directly.  Used
    only if that gives a Fraction equal to ``Fraction(v)`` in every respect on this Python;
    otherwise plain ``Fraction``."""
    new = object.__new__

    def fast(v: int) -> Fraction:
        f = new(Fraction)
        f._numerator = v
        f._denominator = 1
        return f

    try:
        for v in (0, 1, -7, 3 ** 50):
            f = fast(v)
            if not (f == Fraction(v) and hash(f) == hash(Fraction(v)) and str(f) == str(v)
                    and f + Fraction(1, 2) == Fraction(2 * v + 1, 2)
                    and f.numerator == v and f.denominator == 1):
                return Fraction
        return fast
    except Exception:  # pragma: no cover - a Python without these slots
        return Fraction


_int_fraction = _make_int_fraction()


def _classes(rows: Sequence[IntVec]) -> tuple[list[list[int]], list[IntVec], list[int]]:
    """Parallel classes of the nonzero primitive rows: row lists (increasing), the class
    directions (primitive, first nonzero entry positive) and each row's sign
    (``row = sign * direction``; 0 for zero rows)."""
    where: dict[IntVec, int] = {}
    members: list[list[int]] = []
    dirs: list[IntVec] = []
    sgn: list[int] = []
    for k, r in enumerate(rows):
        prim, s = _primitive(r)
        sgn.append(s)
        if not s:
            continue
        c = where.get(prim)
        if c is None:
            c = where[prim] = len(dirs)
            dirs.append(prim)
            members.append([])
        members[c].append(k)
    return members, dirs, sgn


def _row_scale(x: Sequence[Fraction], p: IntVec) -> Fraction:
    """``s > 0`` with ``p = s * x`` (``p`` the primitive integer form of the row ``x``)."""
    j = next(j for j, v in enumerate(p) if v)
    return Fraction(p[j]) / x[j]


def _row_space_coords(dirs: Sequence[IntVec], d: int) -> tuple[list[int], int]:
    """Pivot columns of the RREF of the class directions (rank ``r``).  Projection on them
    is injective on the row space, so linear relations among rows can be found there."""
    import flint

    if not dirs:
        return [], 0
    R, _den, rank = flint.fmpz_mat([list(h) for h in dirs]).rref()
    piv = []
    for i in range(rank):
        row = [R[i, j] for j in range(d)]
        piv.append(next(j for j, v in enumerate(row) if v != 0))
    return piv, rank


# ------------------------------------------------------ class signs and wall table

def _class_signs(bits: Sequence[str], sgn: Sequence[int], members: Sequence[Sequence[int]],
                 n: int, m: int) -> np.ndarray:
    """``sigma[i, c] = +1`` iff ``h_c . g > 0`` on region ``i`` (P x m, int8); raises if
    two parallel rows of one class disagree in some pattern (then it is no region)."""
    P = len(bits)
    raw = np.frombuffer("".join(bits).encode("ascii"), dtype=np.uint8).reshape(P, n)
    act = raw == ord("1")
    sg = np.array(sgn, dtype=np.int8)
    rowsig = np.where(act, sg, -sg)                         # sign of h_{class(k)} . g
    sigma = np.empty((P, m), dtype=np.int8)
    for c, C in enumerate(members):
        sigma[:, c] = rowsig[:, C[0]]
        for k in C[1:]:
            bad = np.nonzero(rowsig[:, k] != sigma[:, c])[0]
            if bad.size:
                i = int(bad[0])
                raise ExactReluError(
                    f"pattern {i} is not a region: rows {C[0]} and {k} are parallel but "
                    f"their bits ({bits[i][C[0]]}, {bits[i][k]}) disagree")
    return sigma


def _wall_table(sigma: np.ndarray, m: int) -> np.ndarray:
    """``wall[i, c]``: flipping class ``c`` of pattern ``i`` gives a listed pattern."""
    P = sigma.shape[0]
    pos = sigma > 0
    if 0 < m <= 64:
        w = np.left_shift(np.uint64(1), np.arange(m, dtype=np.uint64))
        masks = (pos.astype(np.uint64) * w).sum(axis=1, dtype=np.uint64)
        flipped = masks[:, None] ^ w[None, :]
        return np.isin(flipped, masks)
    elif m:
        packed = np.packbits(pos, axis=1)
        nb = packed.shape[1]
        imasks = [int.from_bytes(row.tobytes(), "big") for row in packed]
        bitval = [1 << (nb * 8 - 1 - c) for c in range(m)]
        listed = set(imasks)
        return np.array([[(mk ^ bv) in listed for bv in bitval] for mk in imasks],
                             dtype=bool).reshape(P, m)
    else:
        return np.zeros((P, 0), dtype=bool)


# --------------------------------------------------------------- exact LP fallbacks

def _lp_cone(gens: Sequence[Sequence[int]], b: Sequence[int],
             normalise: bool) -> list[Fraction] | None:
    """Exact LP: ``c >= 0`` with ``sum_j c_j gens_j = b`` (``normalise``: with ``b = 0``
    and ``sum c = 1``).  ``None`` if infeasible."""
    if normalise:
        return nonneg_combination([list(g) + [1] for g in gens], list(b) + [1])
    return nonneg_combination(gens, b)


# ------------------------------------------------------------------ the Gordan route

class _Gordan:
    """State of one Gordan-route proof (see the module docstring)."""

    def __init__(self, X: Sequence[Sequence[object]], bits: Sequence[str]) -> None:
        import flint

        self.flint = flint
        n, d = check_matrix_shape(X)
        self.n, self.d = n, d
        Xq = [[to_q(a) for a in row] for row in X]
        rows = primitive_rows(Xq)
        members, dirs, sgn = _classes(rows)
        zero = [k for k in range(n) if not sgn[k]]
        _check_bits(bits, n, zero)
        self.bits = bits
        self.members, self.sgn = members, sgn
        m = self.m = len(dirs)
        self.reps = [C[0] for C in members]
        self.flips = [tuple(C) for C in members]
        # y refers to the rows of X: y_k(X) = y_k(primitive) * scale_k
        scales = [_row_scale(Xq[k], rows[k]) for k in self.reps]
        self.rep_scale = scales
        self.rep_nd = [(s.numerator, s.denominator) for s in scales]
        piv, r = _row_space_coords(dirs, d)
        self.r = r
        self.H = [[h[j] for j in piv] for h in dirs]            # m x r exact ints
        self.hmax = max((abs(v) for h in self.H for v in h), default=0)
        self.Hi = np.array(self.H, dtype=np.int64 if self.hmax < (1 << 62) else object
                           ).reshape(m, r)
        self.plain = all(s == 1 for s in scales)
        self.Hf = float_normals(self.H, m, r)                   # float guesses only
        P = len(bits)
        self.sigma = _class_signs(bits, sgn, members, n, m)
        self.wall = _wall_table(self.sigma, m)
        self.adj_cache: dict[tuple[int, ...], tuple[Any, int]] = {}
        self.stats = {"regions": P, "classes": m, "rank": r, "nonwall_pairs": 0,
                      "simplicial_regions": 0, "guess_misses": 0, "lp_walls": 0,
                      "lp_gordan": 0}

    # -- exact pieces -------------------------------------------------------------
    def _signed(self, c: int, s: int) -> list[int]:
        h = self.H[c]
        return h if s > 0 else [-v for v in h]

    def _adjugate(self, key: tuple[int, ...], cols: Sequence[int], sig: np.ndarray
                  ) -> tuple[np.ndarray | None, int]:
        """Integer adjugate (NumPy, int64 when products provably fit, else Python ints)
        and determinant of the matrix whose columns are the signed normals of ``cols``
        (cached by the signed subset)."""
        hit = self.adj_cache.get(key)
        if hit is not None:
            return hit
        flint = self.flint
        r = self.r
        T = flint.fmpz_mat(r, r, [self.H[c][t] * int(sig[c]) for t in range(r) for c in cols])
        D = int(T.det())
        if D == 0:
            out: tuple[np.ndarray | None, int] = (None, 0)
        else:
            num, den = (T.inv() * D).numer_denom()
            if den != 1:  # pragma: no cover - adj(T) = D * T^-1 is integral
                raise ExactReluError("internal: adjugate is not integral")
            ints = [[int(v) for v in row] for row in num.tolist()]
            big = max(abs(v) for row in ints for v in row)
            safe = self.Hi.dtype == np.int64 and big * self.hmax * r < _I64_SAFE
            out = (np.array(ints, dtype=np.int64 if safe else object), D)
        if len(self.adj_cache) < 200_000:
            self.adj_cache[key] = out
        return out

    def combination(self, i: int, cls: Sequence[int], sub: np.ndarray
                    ) -> tuple[np.ndarray | None, int]:
        """``(sign(D) adj(W) B, D)`` for region ``i``: ``W`` has the signed normals of the
        classes ``cls`` as columns (``D = det W``), ``B`` those of the classes ``sub``
        (``r x len(sub)``, integers); ``W`` serves column ``b`` iff its column has no
        negative entry.  ``(None, 0)`` when ``W`` is singular."""
        sig = self.sigma[i]
        key = tuple(2 * c + int(sig[c] > 0) for c in cls)
        adj, D = self._adjugate(key, cls, sig)
        if adj is None:
            return None, 0
        num = adj @ (self.Hi[sub] * sig[sub, None].astype(adj.dtype)).T
        return (-num if D < 0 else num), D

    def _y(self, items: Sequence[tuple[int, int | Fraction]]) -> dict[int, Fraction]:
        """The Gordan ``y`` on the rows of X from ``(class j, v_j > 0)`` on the primitive
        class directions: ``y_{rep j} = v_j * scale_j``.  For integer ``v`` the vector is
        scaled by a positive integer (the lcm of the scale denominators, then divided by
        the gcd) -- a positive factor keeps a Gordan certificate valid -- so it stays in
        integers: no Fraction arithmetic on the hot path of big proofs."""
        reps = self.reps
        if all(type(v) is int for _, v in items):
            if self.plain:
                ints = [(reps[j], v) for j, v in items]
            else:
                nd = self.rep_nd
                L = math.lcm(*(nd[j][1] for j, _ in items))
                ints = [(reps[j], v * nd[j][0] * (L // nd[j][1])) for j, v in items]
            g = math.gcd(*(v for _, v in ints))
            return {k: _int_fraction(v // g) for k, v in ints}
        return {reps[j]: Fraction(v) * self.rep_scale[j] for j, v in items}

    def _entries(self, i: int, cs: Sequence[int], cls: Sequence[int],
                 rows: Sequence[Sequence[int]], weight: int, out: list[GordanEntry]) -> None:
        """Entries for flipping each class ``cs[a]`` of pattern ``i`` from
        ``weight * s_c h_c = sum_l rows[a][l] s_{cls[l]} h_{cls[l]}`` (integers >= 0)."""
        for c, vals in zip(cs, rows):
            items = [(c, weight)] + [(j, v) for j, v in zip(cls, vals) if v]
            out.append(GordanEntry(i, self.flips[c], self._y(items)))

    def _entry(self, i: int, c: int, coef: Mapping[int, int | Fraction],
               weight: int | Fraction) -> GordanEntry:
        """Gordan entry for flipping class ``c`` of pattern ``i`` from
        ``weight * s_c h_c = sum_j coef_j s_j h_j`` (``weight > 0``, ``coef >= 0``)."""
        items = [(c, weight)] + [(j, v) for j, v in coef.items() if v]
        return GordanEntry(i, self.flips[c], self._y(items))

    def _fallback(self, i: int, c: int, walls: Sequence[int]) -> GordanEntry:
        sig = self.sigma[i]
        b = self._signed(c, int(sig[c]))
        gens = [self._signed(j, int(sig[j])) for j in walls]
        if len(walls):
            self.stats["lp_walls"] += 1
            sol = _lp_cone(gens, b, normalise=False)
            if sol is not None:
                return self._entry(i, c, dict(zip(walls, sol)), 1)
        # plain Gordan LP over every class, class c flipped
        self.stats["lp_gordan"] += 1
        allc = list(range(self.m))
        vecs = [self._signed(j, -int(sig[j]) if j == c else int(sig[j])) for j in allc]
        sol = _lp_cone(vecs, [0] * self.r, normalise=True)
        if sol is None:
            fl = set(self.flips[c])
            flipped = "".join(("1" if ch == "0" else "0") if k in fl else ch
                              for k, ch in enumerate(self.bits[i]))
            raise ExactReluError(
                f"the pattern list is incomplete: flipping rows {list(self.flips[c])} of "
                f"pattern {i} gives the region {flipped}, which is not listed")
        return GordanEntry(i, self.flips[c], self._y([(j, v) for j, v in zip(allc, sol) if v]))

    # -- per region ---------------------------------------------------------------
    def region(self, i: int, out: list[GordanEntry]) -> None:
        wrow = self.wall[i]
        nonwalls = np.nonzero(~wrow)[0]
        if not nonwalls.size:
            return
        self.stats["nonwall_pairs"] += int(nonwalls.size)
        walls = np.nonzero(wrow)[0]
        sig = self.sigma[i]
        r, k = self.r, int(walls.size)
        if k < r:
            # walls cannot span the row space: the list is not complete around i
            for c in nonwalls.tolist():
                out.append(self._fallback(i, c, walls.tolist()))
            return
        N = int(nonwalls.size)
        todo = np.ones(N, dtype=bool)
        if k == r:
            self.stats["simplicial_regions"] += 1
            plan: Plan = [(tuple(range(k)), np.arange(N))]   # (wall positions, columns)
            todo[:] = False
        else:
            A = self.Hf[walls] * sig[walls, None]                 # k x r, float
            B = (self.Hf[nonwalls] * sig[nonwalls, None]).T      # r x N
            plan = guess_wall_bases(A, B, r, todo)
        wl = walls.tolist()
        nw = nonwalls.tolist()
        for pos, cols in plan:
            cls = [wl[p] for p in pos]
            num, D = self.combination(i, cls, nonwalls[cols])
            if num is None:
                todo[cols] = True
                continue
            bad = (num < 0).any(axis=0)
            if bad.any():
                self.stats["guess_misses"] += int(bad.sum())
                todo[cols[bad]] = True
                cols = cols[~bad]
                num = num[:, ~bad]
            self._entries(i, [nw[q] for q in cols.tolist()], cls, num.T.tolist(), abs(D), out)
        for q in np.nonzero(todo)[0].tolist():
            out.append(self._fallback(i, nw[q], wl))
