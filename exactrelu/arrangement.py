"""Activation patterns: the regions of the central arrangement ``{g : x_k . g = 0}``.

A neuron with first-layer weights ``g`` activates row ``k`` iff ``x_k . g > 0``; its
activation pattern is ``D = diag(1[X g > 0])`` (a zero row ``x_k = 0`` counts as active,
as in the certificate format).  For ``g`` in an open region of the arrangement the
pattern is constant, and the regions are exactly the realisable strict sign vectors.

Algorithm (exact, no linear programs): *deletion-restriction*.  Let ``H`` be the
distinct hyperplanes (rows up to nonzero scaling: duplicate, parallel and antiparallel
rows share one hyperplane; zero rows none).  Adding ``h`` to ``H' = {h_1..h_{k-1}}``
splits exactly the regions of ``H'`` that meet ``h``, and those are in bijection with
the regions of the *restriction* of ``H'`` to ``h`` (an arrangement of at most ``k-1``
hyperplanes in ``h ~ R^(d-1)``, enumerated recursively).  A restriction region with
witness ``p`` (``h . p = 0`` and ``h_j . p != 0`` for ``j < k``) identifies the split
region by its sign vector ``sign(h_j . p)``, and the two halves get the witnesses
``M p +- h`` with the integer ``M = 1 + max_j floor(|h_j . h| / |h_j . p|)``, which keeps
every earlier sign.  Regions not met by ``h`` keep their witness ``g`` (``h . g != 0``).
All arithmetic is on integer vectors (rows scaled to primitive integers, which changes
no sign), so every witness is an exact integer point; a final exact check re-verifies
every strict inequality.  The number of regions of ``n`` hyperplanes in general
position in ``R^d`` is ``2 * sum_{k<d} C(n-1, k)`` (Cover 1965; Winder 1966).

Why written by hand: the library alternatives either only count regions (Sage) or need
one exact LP per (region, hyperplane) (about 30x slower here, see ``bench/``).
"""
from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Iterable, Sequence

import numpy as np

from .errors import ExactReluError, ShapeError
from .linalg import primitive, primitive_scaled
from .numbers import to_q

__all__ = ["PatternSet", "enumerate_patterns", "sample_patterns", "network_patterns",
           "neuron_region", "primitive_rows", "region_count_general_position",
           "is_general_position"]

IntVec = tuple[int, ...]


# ----------------------------------------------------------------------------- helpers

def _primitive(v: Sequence[int]) -> tuple[IntVec, int]:
    """Primitive integer direction of ``v`` with first nonzero entry positive, and the
    sign (+1/-1) such that ``v`` is a positive multiple of ``sign * direction`` (0 for the
    zero vector)."""
    s = next((1 if a > 0 else -1 for a in v if a), 0)
    return primitive(v, orient=True), s


def _int_row(row: Sequence[Fraction]) -> IntVec:
    """Row scaled by a positive rational to a primitive integer vector (signs kept)."""
    p = primitive_scaled(row)
    return tuple(0 for _ in row) if p is None else p[0]


def primitive_rows(X: Sequence[Sequence[object]]) -> list[IntVec]:
    """Each row of ``X`` scaled by a positive rational to a primitive integer vector."""
    return [_int_row([to_q(a) for a in row]) for row in X]


def _dot(a: Sequence[int], b: Sequence[int]) -> int:
    return sum(x * y for x, y in zip(a, b))


# ------------------------------------------------------------------- the recursion

def _restrict(H: Sequence[IntVec], h: IntVec) -> tuple[list[IntVec], int]:
    """Normals of ``H`` restricted to the hyperplane ``h . g = 0``.

    Coordinates on ``h``: pick a pivot ``j`` with ``h_j != 0``; the vectors
    ``b_i = h_j e_i - h_i e_j`` (``i != j``) are a basis of ``h``'s orthogonal
    complement... i.e. of the hyperplane itself, so ``p = B q`` parametrises it and a
    normal ``a`` restricts to ``B^T a``.  Returns distinct primitive classes and ``j``.
    """
    m = len(h)
    j = min((i for i in range(m) if h[i]), key=lambda i: abs(h[i]))
    hj = h[j]
    seen: dict[IntVec, None] = {}
    for a in H:
        aj = a[j]
        r = tuple(hj * a[i] - h[i] * aj for i in range(m) if i != j)
        prim, s = _primitive(r)
        if s == 0:  # cannot happen for pairwise non-parallel H; defensive
            raise ExactReluError("internal: parallel hyperplanes reached the restriction")
        seen.setdefault(prim, None)
    return list(seen), j


def _lift(q: Sequence[int], h: IntVec, j: int) -> list[int]:
    """``p = B q`` for the basis of :func:`_restrict` (a point on ``h . g = 0``)."""
    m = len(h)
    hj = h[j]
    p = [0] * m
    acc = 0
    t = 0
    for i in range(m):
        if i == j:
            continue
        qi = q[t]
        t += 1
        p[i] = hj * qi
        acc += h[i] * qi
    p[j] = -acc
    return p


_I64_SAFE = 1 << 62


def _as_array(vecs: Sequence[Sequence[int]], m: int) -> np.ndarray:
    """Exact integer array: int64 if every entry is small, else Python-int objects."""
    big = max((abs(a) for v in vecs for a in v), default=0)
    dt = np.int64 if big < (1 << 30) else object
    return np.array(vecs, dtype=dt).reshape(len(vecs), m)


def _matmul(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Exact integer product ``A @ B.T``; int64 only when |entries| bound proves no
    overflow (``m * max|A| * max|B| < 2^62``), otherwise Python integers."""
    if A.dtype == np.int64 and B.dtype == np.int64 and A.size and B.size:
        bound = int(np.abs(A).max()) * int(np.abs(B).max()) * A.shape[1]
        if bound < _I64_SAFE:
            return A @ B.T
    return A.astype(object) @ B.astype(object).T


def _half(v: IntVec) -> int:
    return 0 if v[1] > 0 or (v[1] == 0 and v[0] > 0) else 1


def _angle_cmp(u: IntVec, v: IntVec) -> int:
    hu, hv = _half(u), _half(v)
    if hu != hv:
        return hu - hv
    c = u[0] * v[1] - u[1] * v[0]
    return -1 if c > 0 else (1 if c < 0 else 0)


def _sign_masks(H: Sequence[IntVec], G: Sequence[IntVec]) -> list[int]:
    out = []
    for g in G:
        s = 0
        for l, h in enumerate(H):
            if _dot(h, g) > 0:
                s |= 1 << l
        out.append(s)
    return out


def _regions_plane(H: Sequence[IntVec]) -> list[IntVec]:
    """Regions of ``N >= 2`` distinct lines through the origin of the plane: the 2N
    open sectors between consecutive rays ``+-(-b, a)`` in angular order; the sum of
    a sector's two bounding rays (less than pi apart) lies strictly inside it."""
    import functools

    rays = []
    for a, b in H:
        rays.append((-b, a))
        rays.append((b, -a))
    rays.sort(key=functools.cmp_to_key(_angle_cmp))
    N = len(rays)
    return [primitive([rays[i][0] + rays[(i + 1) % N][0], rays[i][1] + rays[(i + 1) % N][1]])
            for i in range(N)]


def _regions(H: Sequence[IntVec], m: int, progress=None, want_masks: bool = True
             ) -> tuple[list[IntVec], list[int]]:
    """Integer witnesses, one per region, of the arrangement of the pairwise
    non-parallel nonzero normals ``H`` in ``Z^m``, with their sign bitmasks
    (bit ``l`` set iff ``h_l . g > 0``; only if ``want_masks``)."""
    if m == 2 and len(H) >= 2 and progress is None:
        G2 = _regions_plane(H)
        return G2, (_sign_masks(H, G2) if want_masks else [])
    G: list[IntVec] = [tuple([0] * m)]
    S: list[int] = [0]
    Harr = _as_array(H, m) if H else None
    for k, h in enumerate(H):
        if k == 0:
            P: list[list[int]] = [[0] * m]
            masks = [0]
            Ms = [1]
        else:
            R, j = _restrict(H[:k], h)
            Q, _ = _regions(R, m - 1, want_masks=False)
            P = [_lift(q, h, j) for q in Q]
            A = Harr[:k]
            V = _matmul(_as_array(P, m), A)                  # |P| x k, all entries nonzero
            hh = _matmul(np.array([h], dtype=A.dtype), A)[0]  # h_l . h
            pos = V > 0
            if k < 63:
                masks = (pos.astype(np.int64) @ (np.int64(1) << np.arange(k, dtype=np.int64))).tolist()
            else:
                w = np.array([1 << l for l in range(k)], dtype=object)
                masks = list(pos.astype(object) @ w)
            absV = np.where(pos, V, -V)
            absh = np.where(hh >= 0, hh, -hh)
            Ms = ((absh[None, :] // absV).max(axis=1) + 1).tolist()
        cut = {mask: (p, int(M)) for mask, p, M in zip(masks, P, Ms)}
        hv = _matmul(_as_array(G, m), np.array([h], dtype=object))[:, 0].tolist()
        bit = 1 << k
        nG: list[IntVec] = []
        nS: list[int] = []
        for g, s, v in zip(G, S, hv):
            hit = cut.get(s)
            if hit is None:
                # region not met by h, so its witness is strictly on one side
                nG.append(g)
                nS.append(s | bit if v > 0 else s)
                continue
            p, M = hit
            if v <= 0:
                nG.append(primitive([M * a + b for a, b in zip(p, h)]))
            else:
                nG.append(g)
            nS.append(s | bit)
            if v >= 0:
                nG.append(primitive([M * a - b for a, b in zip(p, h)]))
            else:
                nG.append(g)
            nS.append(s)
        G, S = nG, nS
        if progress is not None:
            progress(k + 1, len(G))
    return G, S


# ------------------------------------------------------------------------- results

@dataclass(frozen=True)
class PatternSet:
    """Activation patterns of ``X`` with an exact witness for each.

    ``bits[i]`` is a string of ``n`` characters, ``'1'`` iff row ``k`` is active
    (``x_k . witnesses[i] > 0``, or ``x_k = 0``).  ``witnesses[i]`` is an integer
    vector ``g`` with ``x_k . g != 0`` for every nonzero row (strict), so ``bits[i]`` is
    the pattern of a whole open region.  ``complete`` says whether the list provably
    contains every region (set by :func:`enumerate_patterns`).
    """

    n: int
    d: int
    bits: tuple[str, ...]
    witnesses: tuple[IntVec, ...]
    complete: bool = False
    seconds: float = field(default=0.0, compare=False)
    index: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.index:
            self.index.update({b: i for i, b in enumerate(self.bits)})

    def __len__(self) -> int:
        return len(self.bits)

    def as_array(self) -> np.ndarray:
        """``(p, n)`` boolean array, ``True`` = active (for the numeric solver)."""
        if not self.bits:
            return np.zeros((0, self.n), dtype=bool)
        raw = np.frombuffer("".join(self.bits).encode("ascii"), dtype=np.uint8)
        return (raw.reshape(len(self.bits), self.n) == ord("1"))

    def find(self, bits: str) -> int | None:
        return self.index.get(bits)


def _pattern_of(rows: Sequence[IntVec], g: Sequence[int]) -> str:
    out = []
    for x in rows:
        v = _dot(x, g)
        out.append("1" if v > 0 or not any(x) else "0")
    return "".join(out)


def check_matrix_shape(X: Sequence[Sequence[object]]) -> tuple[int, int]:
    n = len(X)
    if n == 0:
        raise ShapeError("X has no rows")
    d = len(X[0])
    if d == 0:
        raise ShapeError("X has no columns")
    for k, row in enumerate(X):
        if len(row) != d:
            raise ShapeError(f"row {k} of X has {len(row)} entries, expected {d}")
    return n, d


def verify_witnesses(rows: Sequence[IntVec], bits: Sequence[str],
                     witnesses: Sequence[Sequence[int]]) -> None:
    """Exact re-check: every witness is strictly off every nonzero row's hyperplane,
    its pattern is the one listed, and patterns are distinct.  Raises on failure."""
    if len(set(bits)) != len(bits):
        raise ExactReluError("duplicate patterns")
    if not witnesses:
        return
    import flint  # exact integer matrix product, the only heavy step

    W = flint.fmpz_mat([list(g) for g in witnesses])
    XT = flint.fmpz_mat([list(x) for x in rows]).transpose()
    V = (W * XT).tolist()
    zero = [not any(x) for x in rows]
    for i, (vals, b) in enumerate(zip(V, bits)):
        for k, v in enumerate(vals):
            if zero[k]:
                ok = b[k] == "1"
            else:
                ok = (v > 0 and b[k] == "1") or (v < 0 and b[k] == "0")
            if not ok:
                raise ExactReluError(f"internal: witness {i} fails row {k}")


#: Default region budget of :func:`enumerate_patterns`: beyond it, enumeration is
#: refused before any work (certificates need about 1-5 KB per region).
MAX_REGIONS = 500_000


def _check_budget(X: Sequence[Sequence[object]], max_regions: int) -> None:
    from .errors import TooManyRegions

    bound, m, d = region_bound(X)
    if bound > max_regions:
        raise TooManyRegions(
            f"up to {bound:.3g} activation regions ({m} distinct hyperplanes in dimension "
            f"{d}; general-position count), over the budget of {max_regions:,}: use sampled "
            "patterns (--sample N; bounds then hold for that sub-program only) or raise the "
            "budget (--max-regions; each region costs time and 1-5 KB of certificate)")


def region_bound(X: Sequence[Sequence[object]]) -> tuple[int, int, int]:
    """``(bound, m, d)``: an upper bound on the number of regions of ``X``'s arrangement,
    from the general-position count of its ``m`` distinct hyperplanes (nonzero rows up
    to positive or negative scaling) in dimension ``d``:
    ``2 sum_{k < d} C(m - 1, k)`` (Cover 1965 / Zaslavsky), cheap to compute.

    >>> region_bound([[1, 0], [2, 0], [0, 1], [0, 0]])        # two distinct lines
    (4, 2, 2)
    """
    n, d = check_matrix_shape(X)
    H = {_primitive(r)[0] for r in primitive_rows(X) if any(r)}
    m = len(H)
    return (region_count_general_position(m, min(d, m)) if m else 1), m, d


def enumerate_patterns(X: Sequence[Sequence[object]], *, progress: bool | None = None,
                       verify: bool = True, max_regions: int | None = MAX_REGIONS
                       ) -> PatternSet:
    """Every activation pattern of ``X`` (every region of its central arrangement),
    each with an exact integer witness ``g``.

    ``max_regions``: refuse (:class:`~exactrelu.errors.TooManyRegions`) before any work
    when :func:`region_bound` exceeds it (``None``: no limit).

    ``X`` holds exact rationals (``Fraction``/``int``/rational strings).  Duplicate,
    parallel, antiparallel and zero rows and rank-deficient ``X`` are all handled.
    ``progress=None`` shows a progress bar only if the enumeration runs for more
    than a second.  See the module docstring for the algorithm.
    """
    t0 = time.perf_counter()
    if max_regions is not None:
        _check_budget(X, max_regions)
    n, d = check_matrix_shape(X)
    rows = primitive_rows(X)
    classes: dict[IntVec, None] = {}
    for r in rows:
        prim, s = _primitive(r)
        if s:
            classes.setdefault(prim, None)
    H = list(classes)
    cls = []   # row k -> (class index, sign) ; class -1 for zero rows
    pos_of = {c: i for i, c in enumerate(H)}
    for r in rows:
        prim, s = _primitive(r)
        cls.append((pos_of[prim], s) if s else (-1, 0))
    bar = None
    cb = None
    if progress is not False and len(H) > 0:
        try:
            from tqdm import tqdm
            bar = tqdm(total=len(H), desc="regions", unit="hyperplane", delay=1.0,
                       disable=progress is False, leave=False)

            def cb(k: int, count: int) -> None:
                bar.update(1)
                bar.set_postfix(regions=count, refresh=False)
        except ImportError:  # pragma: no cover - tqdm is a dependency
            cb = None
    try:
        G, S = _regions(H, d, cb)
    finally:
        if bar is not None:
            bar.close()
    bits = ["".join("1" if c < 0 or ((s >> c) & 1) == (sg > 0) else "0" for c, sg in cls)
            for s in S]
    if verify:
        verify_witnesses(rows, bits, G)
    order = sorted(range(len(bits)), key=lambda i: bits[i], reverse=True)
    return PatternSet(n, d, tuple(bits[i] for i in order), tuple(G[i] for i in order),
                      complete=True, seconds=time.perf_counter() - t0)


def region_count_general_position(n: int, d: int) -> int:
    """``2 * sum_{k=0}^{d-1} C(n-1, k)``: regions of ``n`` central hyperplanes in general
    position in ``R^d`` (needs ``n >= 1``)."""
    return 2 * sum(math.comb(n - 1, k) for k in range(d))


def is_general_position(X: Sequence[Sequence[object]]) -> bool:
    """No zero row, ``n >= d`` and every ``d x d`` minor nonzero (exact)."""
    import itertools

    import flint

    n, d = check_matrix_shape(X)
    rows = primitive_rows(X)
    if n < d or any(not any(r) for r in rows):
        return False
    for idx in itertools.combinations(range(n), d):
        if flint.fmpz_mat([list(rows[i]) for i in idx]).det() == 0:
            return False
    return True


# --------------------------------------------------------- sampled / given patterns

def _generic_point(rows: Sequence[IntVec], d: int) -> IntVec:
    """An integer point off every nonzero row's hyperplane: a point ``(1, t, t^2, ...)``
    of the moment curve; ``x . z`` is a nonzero polynomial of degree < d in ``t`` for a
    nonzero row, so at most ``(d-1) * n`` values of ``t`` fail."""
    nz = [r for r in rows if any(r)]
    t = 1
    while True:
        z = tuple(t ** i for i in range(d))
        if all(_dot(r, z) != 0 for r in nz):
            return z
        t += 1


def neuron_region(X: Sequence[Sequence[object]], w: Sequence[object]) -> tuple[str, IntVec]:
    """A region whose closure contains the neuron ``w`` (exact rational weights).

    On rows with ``x_k . w != 0`` the region's pattern agrees with ``1[X w > 0]``; on
    tied rows (``x_k . w = 0``) it is chosen by a generic perturbation.  Any such
    pattern ``D`` has ``w`` in its cone ``{u : (2D - I) X u >= 0}``, so ``D X w = (X w)_+``.
    Returns ``(bits, integer witness)``.
    """
    check_matrix_shape(X)
    rows = primitive_rows(X)
    d = len(rows[0])
    wq = [to_q(a) for a in w]
    if len(wq) != d:
        raise ShapeError(f"neuron has {len(wq)} weights, X has {d} columns")
    wi = list(_int_row(wq))
    z = _generic_point(rows, d)
    M = 1
    for r in rows:
        v = _dot(r, wi)
        if v:
            t = abs(_dot(r, z)) // abs(v) + 1
            M = max(M, t)
    g = primitive([M * a + b for a, b in zip(wi, z)])
    return _pattern_of(rows, g), g


def network_patterns(X: Sequence[Sequence[object]], W1: Iterable[Sequence[object]]
                     ) -> tuple[PatternSet, list[int]]:
    """Region patterns of a network's neurons (deduplicated) and, for each neuron, the
    index of its pattern (see :func:`neuron_region`)."""
    t0 = time.perf_counter()
    n, d = check_matrix_shape(X)
    bits: list[str] = []
    wit: list[IntVec] = []
    where: dict[str, int] = {}
    owner: list[int] = []
    for w in W1:
        b, g = neuron_region(X, w)
        if b not in where:
            where[b] = len(bits)
            bits.append(b)
            wit.append(g)
        owner.append(where[b])
    return PatternSet(n, d, tuple(bits), tuple(wit), complete=False,
                      seconds=time.perf_counter() - t0), owner


def sample_patterns(X: Sequence[Sequence[object]], count: int, *, seed: int = 0,
                    include: Iterable[str] = (), progress: bool | None = False
                    ) -> PatternSet:
    """Patterns of ``count`` random integer gate vectors (seeded, deduplicated).

    For data too large to enumerate.  Gates are uniform integer vectors in
    ``[-2^20, 2^20]^d`` (no floats); a gate lying on a hyperplane is redrawn, so each
    kept gate is an exact region witness.  The set is *not* complete.  ``progress``:
    a bar (gates drawn, distinct patterns) after one second unless ``False`` (the
    default in the library; the CLI passes ``None``).
    """
    from tqdm import tqdm

    t0 = time.perf_counter()
    n, d = check_matrix_shape(X)
    if count < 0:
        raise ValueError("count must be >= 0")
    rows = primitive_rows(X)
    nz = [r for r in rows if any(r)]
    rng = random.Random(seed)
    bits: list[str] = []
    wit: list[IntVec] = []
    seen: set[str] = set(include)
    lim = 1 << 20
    bar = tqdm(total=count, desc="sample", unit="gate", delay=1.0, leave=False,
               disable=progress is False)
    for _ in range(count):
        while True:
            g = tuple(rng.randint(-lim, lim) for _ in range(d))
            if all(_dot(r, g) != 0 for r in nz):
                break
        b = _pattern_of(rows, g)
        if b not in seen:
            seen.add(b)
            bits.append(b)
            wit.append(g)
        bar.update(1)
        bar.set_postfix(patterns=len(bits), refresh=False)
    bar.close()
    return PatternSet(n, d, tuple(bits), tuple(wit), complete=False,
                      seconds=time.perf_counter() - t0)
