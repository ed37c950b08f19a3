"""Completeness of a list of activation patterns (certificate v1, check 2).

A list of patterns is *complete* when it holds every region of the central arrangement
``{g : x_k . g = 0}``.  The certificate proves it in one of two ways
(``docs/spec/certificate-v1.md``, check 2):

* **general position** -- no zero row, ``n >= d``, every ``d x d`` minor of ``X``
  nonzero and ``2 * sum_{k<d} C(n-1, k)`` distinct patterns (Cover/Winder).  No entries
  needed; the test costs ``C(n, d)`` integer determinants.
* **Gordan entries** -- group the nonzero rows into parallel classes.  For every listed
  pattern ``i`` and class ``C``, flipping the signs of ``C`` either gives a listed pattern
  or is shown infeasible by ``y >= 0, y != 0`` with ``sum_k y_k t_k x_k = 0`` (``t`` the
  flipped signs; Gordan's alternative).

How the Gordan entries are found (fast, exact).  Write ``s_c h_c`` for the normal of class
``c`` signed so that it is positive on region ``i``.  If the list is complete, the classes
whose flip is listed are exactly the *walls* (facets) of region ``i``'s closed cone
``K_i``, and ``K_i = {g : s_j h_j . g >= 0, j a wall}``.  A non-wall ``s_c h_c`` is
nonnegative on ``K_i``, so by Farkas ``s_c h_c = sum_j c_j s_j h_j`` with ``c >= 0`` over
the walls, and ``y = 1`` on a row of ``C`` plus ``y_j = c_j`` on one row of each wall is
a Gordan certificate (the flipped row enters with ``-s_c h_c``).  All computations run in
the row space of ``X`` (coordinates = the pivot columns of its RREF, which is injective on
the row space), so rank-deficient ``X`` needs nothing special.  Per region:

1. *Simplicial* region (exactly ``r = rank X`` walls): ``c = W^{-1} b`` for all non-wall
   columns at once, with the integer adjugate of ``W``.
2. Otherwise a float guess of a basis of ``r`` walls whose simplicial cone contains ``b``
   (all ``r``-subsets of the walls solved in one batched NumPy call, or NNLS per column
   when there are many walls), then the same exact integer adjugate check.
3. A guess that fails the exact check goes to an exact LP (``cdd.gmp``) over the walls,
   then over all classes (plain Gordan LP).  If that has no solution either, the flipped
   sign vector is a region that is *not listed*: :class:`~exactrelu.errors.ExactReluError`.

Every ``y`` is exact; it is a vector of integers with gcd 1 when every row of ``X`` is a
primitive integer vector (else each entry carries its row's scale factor).  Cost: about
15 us per (region, non-wall class) pair (n = 30, d = 4, 8180 regions: ~3 s; see
``bench/bench_completeness.py``).  :func:`verify_completeness` re-checks a proof exactly,
mirroring the spec.
"""
from __future__ import annotations

import contextlib
import gc
import itertools
import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import ExactReluError
from ..linalg import int_matrix
from ..lp import nonneg_combination
from ..numbers import q_str, to_q
from ..arrangement import (_primitive, check_matrix_shape, is_general_position, primitive_rows,
                        region_count_general_position)

__all__ = ["GordanEntry", "CompletenessProof", "completeness_proof", "verify_completeness",
           "proof_from_json"]

IntVec = tuple[int, ...]

#: Enumerate all r-subsets of a region's walls (batched float solve) up to this many
#: subsets; above it, guess each column's support with NNLS.
_SUBSET_CAP = 600
#: Float tolerance of the guesses (the exact check decides).
_TOL = 1e-9
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


# ----------------------------------------------------------------------------- results

@dataclass(frozen=True)
class GordanEntry:
    """Flipping the rows ``flip`` (one parallel class, sorted) of pattern ``pattern`` is
    infeasible: ``y >= 0``, ``y != 0`` and ``sum_k y_k t_k x_k = 0``."""

    pattern: int
    flip: tuple[int, ...]
    y: dict[int, Fraction]

    def to_json(self) -> dict[str, Any]:
        return {"pattern": int(self.pattern), "flip": [int(k) for k in self.flip],
                "y": {str(k): q_str(v) for k, v in sorted(self.y.items()) if v != 0}}


@dataclass
class CompletenessProof:
    """Proof that a pattern list holds every region (certificate v1, check 2)."""

    general_position: bool
    gordan: list[GordanEntry] = field(default_factory=list)
    seconds: float = 0.0
    #: Informative counters: regions, classes, rank, non-wall pairs, simplicial regions,
    #: float-guess misses, LP fallbacks.
    stats: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The ``general_position`` and ``gordan`` fields of the ``patterns`` section."""
        return {"general_position": bool(self.general_position),
                "gordan": [e.to_json() for e in self.gordan]}


# ----------------------------------------------------------------------------- helpers

@contextlib.contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector.  A proof holds about ``r + 2`` acyclic objects
    per entry (up to millions); the collector would rescan that growing live set again and
    again (measured: 40-60 % of the run time of a large proof or its verification)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _bits_of(patterns: Any) -> list[str]:
    bits = getattr(patterns, "bits", patterns)
    if isinstance(bits, str):
        raise ExactReluError("patterns must be a list of bit strings, not one string")
    return list(bits)


def _check_bits(bits: Sequence[str], n: int, zero: Sequence[int]) -> None:
    if not bits:
        raise ExactReluError("the pattern list is empty, so it cannot hold every region")
    seen: dict[str, int] = {}
    for i, b in enumerate(bits):
        if not isinstance(b, str) or len(b) != n or set(b) - {"0", "1"}:
            raise ExactReluError(f"pattern {i} is not a string of {n} characters 0/1")
        for k in zero:
            if b[k] != "1":
                raise ExactReluError(f"pattern {i}: row {k} is zero and must be active ('1')")
        j = seen.setdefault(b, i)
        if j != i:
            raise ExactReluError(f"patterns {j} and {i} are equal")


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
        big = max((abs(v) for h in self.H for v in h), default=0)
        if big < (1 << 50):
            Hf = np.array(self.H, dtype=np.float64).reshape(m, r)
        else:
            Hf = np.array([[float(Fraction(v, max(abs(w) for w in h))) for v in h]
                           for h in self.H], dtype=np.float64).reshape(m, r)
        nrm = np.abs(Hf).max(axis=1, keepdims=True) if m else Hf
        self.Hf = Hf / np.where(nrm > 0, nrm, 1.0)
        P = len(bits)
        # class signs per pattern: sigma[i, c] = +1 iff h_c . g > 0 on region i
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
        self.sigma = sigma
        # wall table: flip of class c from pattern i is listed
        pos = sigma > 0
        if 0 < m <= 64:
            w = np.left_shift(np.uint64(1), np.arange(m, dtype=np.uint64))
            masks = (pos.astype(np.uint64) * w).sum(axis=1, dtype=np.uint64)
            flipped = masks[:, None] ^ w[None, :]
            self.wall = np.isin(flipped, masks)
        elif m:
            packed = np.packbits(pos, axis=1)
            nb = packed.shape[1]
            imasks = [int.from_bytes(row.tobytes(), "big") for row in packed]
            bitval = [1 << (nb * 8 - 1 - c) for c in range(m)]
            listed = set(imasks)
            self.wall = np.array([[(mk ^ bv) in listed for bv in bitval] for mk in imasks],
                                 dtype=bool).reshape(P, m)
        else:
            self.wall = np.zeros((P, 0), dtype=bool)
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
        A = self.Hf[walls] * sig[walls, None]                 # k x r, float
        B = (self.Hf[nonwalls] * sig[nonwalls, None]).T      # r x N
        N = int(nonwalls.size)
        plan: list[tuple[tuple[int, ...], np.ndarray]] = []  # (wall positions, columns)
        todo = np.ones(N, dtype=bool)
        if k == r:
            self.stats["simplicial_regions"] += 1
            plan.append((tuple(range(k)), np.arange(N)))
            todo[:] = False
        elif math.comb(k, r) <= _SUBSET_CAP:
            subs = np.array(list(itertools.combinations(range(k), r)), dtype=np.intp)
            Ts = A[subs].transpose(0, 2, 1)                   # S x r x r, columns = walls
            dets = np.linalg.det(Ts)
            good = np.abs(dets) > 1e-10
            subs, Ts = subs[good], Ts[good]
            if len(subs):
                coefs = np.linalg.solve(Ts, np.broadcast_to(B, (len(subs), r, N)))
                ok = (coefs >= -_TOL).all(axis=1)            # S x N
                while todo.any():
                    cover = (ok & todo).sum(axis=1)
                    s = int(cover.argmax())
                    if cover[s] == 0:
                        break
                    cols = np.nonzero(ok[s] & todo)[0]
                    plan.append((tuple(subs[s].tolist()), cols))
                    todo[cols] = False
        else:
            from scipy.optimize import nnls

            for col in np.nonzero(todo)[0].tolist():
                try:
                    x, _ = nnls(A.T, B[:, col])
                except Exception:  # pragma: no cover - numeric trouble: exact LP
                    continue
                supp = [int(j) for j in np.argsort(-x) if x[j] > 1e-12]
                basis = self._complete_basis(A, supp)
                if basis is not None:
                    plan.append((tuple(basis), np.array([col])))
                    todo[col] = False
        wl = walls.tolist()
        nw = nonwalls.tolist()
        for pos, cols in plan:
            cls = [wl[p] for p in pos]
            key = tuple(2 * c + int(sig[c] > 0) for c in cls)
            adj, D = self._adjugate(key, cls, sig)
            if adj is None:
                todo[cols] = True
                continue
            sub = nonwalls[cols]
            num = adj @ (self.Hi[sub] * sig[sub, None].astype(adj.dtype)).T   # r x |cols|
            if D < 0:
                num = -num
            bad = (num < 0).any(axis=0)
            if bad.any():
                self.stats["guess_misses"] += int(bad.sum())
                todo[cols[bad]] = True
                cols = cols[~bad]
                num = num[:, ~bad]
            self._entries(i, [nw[q] for q in cols.tolist()], cls, num.T.tolist(), abs(D), out)
        for q in np.nonzero(todo)[0].tolist():
            out.append(self._fallback(i, nw[q], wl))

    def _complete_basis(self, A: np.ndarray, supp: list[int]) -> list[int] | None:
        """Extend a float support (positions into the walls) to ``r`` independent walls."""
        r = self.r
        if len(supp) > r:
            return None
        basis = list(supp)
        if np.linalg.matrix_rank(A[basis]) < len(basis):
            return None
        for j in range(A.shape[0]):
            if len(basis) == r:
                break
            if j in basis:
                continue
            if np.linalg.matrix_rank(A[basis + [j]]) == len(basis) + 1:
                basis.append(j)
        return basis if len(basis) == r else None


# ---------------------------------------------------------------------------- API

def completeness_proof(X: Sequence[Sequence[object]], patterns: Any, *,
                       route: str = "auto") -> CompletenessProof:
    """Proof that ``patterns`` (a :class:`~exactrelu.arrangement.PatternSet` or a list of bit
    strings) holds every region of ``X``'s central arrangement.

    ``route="auto"``: the general-position route when it applies (count equal to
    ``2 * sum_{k<d} C(n-1, k)``, no zero rows, ``n >= d``, all ``d x d`` minors nonzero,
    tested exactly), else Gordan entries.  ``route="gordan"`` always builds Gordan
    entries; ``route="general_position"`` raises if that route does not apply.

    Raises :class:`~exactrelu.errors.ExactReluError` when the list is malformed or not
    complete (a flipped sign vector is a region that is not listed).
    """
    t0 = time.perf_counter()
    if route not in ("auto", "gordan", "general_position"):
        raise ValueError(f"route must be 'auto', 'gordan' or 'general_position', not {route!r}")
    n, d = check_matrix_shape(X)
    bits = _bits_of(patterns)
    if route in ("auto", "general_position"):
        gp = (n >= d and len(bits) == region_count_general_position(n, d)
              and len(set(bits)) == len(bits)
              and all(isinstance(b, str) and len(b) == n and not set(b) - {"0", "1"}
                      for b in bits)
              and is_general_position(X))
        if gp:
            return CompletenessProof(True, [], time.perf_counter() - t0,
                                     {"regions": len(bits)})
        if route == "general_position":
            raise ExactReluError("the general-position route does not apply (zero rows, "
                                 "n < d, a vanishing d x d minor or the wrong count)")
    G = _Gordan(X, bits)
    out: list[GordanEntry] = []
    with _gc_paused():
        for i in range(len(bits)):
            G.region(i, out)
    return CompletenessProof(False, out, time.perf_counter() - t0, dict(G.stats))


def _minors_nonzero(rows: Sequence[IntVec], d: int) -> tuple[int, ...] | None:
    """First ``d``-subset of rows with a zero minor, or ``None``."""
    import flint

    for idx in itertools.combinations(range(len(rows)), d):
        if flint.fmpz_mat([list(rows[i]) for i in idx]).det() == 0:
            return idx
    return None


def verify_completeness(X: Sequence[Sequence[object]], bits: Any,
                        proof: CompletenessProof) -> None:
    """Exact check of ``proof`` for the pattern list ``bits`` (spec check 2, plus the
    structural parts of check 1 that check 2 relies on).  Returns ``None`` or raises
    :class:`~exactrelu.errors.ExactReluError` naming the pattern, class and reason."""
    n, d = check_matrix_shape(X)
    bits = _bits_of(bits)
    Xq = [[to_q(a) for a in row] for row in X]
    # integer form: one common positive multiple of X (so y keeps its meaning)
    Xi, den = int_matrix(Xq)
    zero = [k for k in range(n) if not any(Xi[k])]
    zset = set(zero)
    _check_bits(bits, n, zero)
    if proof.general_position:
        if zero:
            raise ExactReluError(f"general position: row {zero[0]} is zero")
        if n < d:
            raise ExactReluError(f"general position: n = {n} < d = {d}")
        want = region_count_general_position(n, d)
        if len(bits) != want:
            raise ExactReluError(f"general position: {len(bits)} patterns listed, "
                                 f"2 * sum_(k<{d}) C({n - 1}, k) = {want}")
        bad = _minors_nonzero(Xi, d)
        if bad is not None:
            raise ExactReluError(f"general position: rows {list(bad)} are linearly dependent")
        return
    with _gc_paused():
        _verify_gordan(Xi, n, d, zset, bits, proof)


def _verify_gordan(Xi: Sequence[Sequence[int]], n: int, d: int, zset: set[int],
                   bits: Sequence[str], proof: CompletenessProof) -> None:
    entries: dict[tuple[int, frozenset[int]], Mapping[int, Any]] = {}
    for e, ent in enumerate(proof.gordan):
        if not (isinstance(ent.pattern, int) and 0 <= ent.pattern < len(bits)):
            raise ExactReluError(f"gordan entry {e}: pattern index {ent.pattern!r} out of range")
        flip = frozenset(ent.flip)
        if any(not isinstance(k, int) or not 0 <= k < n for k in flip):
            raise ExactReluError(f"gordan entry {e}: flip {list(ent.flip)} has a bad row index")
        key = (ent.pattern, flip)
        if key in entries:
            raise ExactReluError(f"gordan entry {e}: a second entry for pattern {ent.pattern}"
                                 f" and flip {sorted(flip)}")
        entries[key] = ent.y
    classes: dict[IntVec, list[int]] = {}
    for k in range(n):
        if k in zset:
            continue
        prim, _s = _primitive(Xi[k])
        classes.setdefault(prim, []).append(k)
    listed = {b.encode("ascii") for b in bits}
    for i, p in enumerate(bits):
        pb = p.encode("ascii")
        for C in classes.values():
            b = bytearray(pb)
            for k in C:
                b[k] ^= 1
            if bytes(b) in listed:
                continue
            where = f"pattern {i}, class of rows {C}"
            y = entries.get((i, frozenset(C)))
            if y is None:
                raise ExactReluError(f"{where}: the flipped pattern is not listed and has no "
                                     "gordan entry")
            nums: list[int] = []
            dens: list[int] = []
            ks: list[int] = []
            for k, v in y.items():
                if not isinstance(k, int) or not 0 <= k < n:
                    raise ExactReluError(f"{where}: gordan y has a bad row index {k!r}")
                if k in zset:
                    raise ExactReluError(f"{where}: gordan y uses the zero row {k}")
                q = to_q(v)
                p_, d_ = q.numerator, q.denominator          # d_ > 0
                if p_ < 0:
                    raise ExactReluError(f"{where}: gordan y_{k} = {q} is negative")
                ks.append(k)
                nums.append(p_)
                dens.append(d_)
            if not any(nums):
                raise ExactReluError(f"{where}: gordan y is zero")
            yd = 1
            for d_ in dens:
                if d_ != 1:
                    yd = math.lcm(yd, d_)
            acc = [0] * d
            for k, p_, d_ in zip(ks, nums, dens):
                if not p_:
                    continue
                w = p_ * (yd // d_) if yd != 1 else p_
                if b[k] != 49:              # t_k = -1 (inactive after the flip)
                    w = -w
                acc = [a + w * x for a, x in zip(acc, Xi[k])]
            for j, a in enumerate(acc):
                if a:
                    raise ExactReluError(f"{where}: sum_k y_k t_k x_k is not 0 "
                                         f"(coordinate {j})")


def proof_from_json(section: Mapping[str, Any]) -> CompletenessProof:
    """Inverse of :meth:`CompletenessProof.to_json` (values parsed exactly)."""
    entries = [GordanEntry(int(e["pattern"]), tuple(sorted(int(k) for k in e["flip"])),
                           {int(k): to_q(v) for k, v in e["y"].items()})
               for e in section.get("gordan", [])]
    return CompletenessProof(bool(section.get("general_position", False)), entries)

