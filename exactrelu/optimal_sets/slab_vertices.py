"""Every vertex of the reduced polytope ``Q`` when it is a box cut by slabs, proved over
the enclosure box -- for millions of vertices.

:mod:`.mirror_vertices` proves ``Q``'s vertices one basis at a time (a ``g x g`` inverse
each, milliseconds), so it stops at ``MAX_BASES``.  ``Q`` has a structure that makes each
vertex cheap.  Mirror group ``t`` of system block ``j_t`` (never a pair block) has the
column ``c_t = e_{j_t} - s sum_p beta_p s_p (e_p - e_p')``: it touches its own row and the
pair rows only, with opposite entries on ``p`` and ``p'``.  So with ``mu`` the groups'
masses, ``gamma = alpha* - C mu`` reads ``gamma_{j_t} = alpha*_{j_t} - mu_t``, ``gamma_p =
alpha*_p + W_r mu``, ``gamma_p' = alpha*_p' - W_r mu`` (``W_r = -C[., p]`` for pair ``r =
[p, p']``), and every other ``gamma_b = alpha*_b``: ``Q`` is affinely the polytope

    ``P = {mu : 0 <= mu_t <= alpha*_{j_t},  -alpha*_p <= W_r mu <= alpha*_p'}``,

a box in ``R^m`` cut by ``R`` slabs (``R = d`` pairs).  Its ``L = 2m + 2R`` constraints
map one to one to ``Q``'s columns (``mu_t >= 0`` to ``g + t``, ``mu_t <= alpha_{j_t}`` to
``j_t``, the slab sides to ``p`` and ``p'``); a vertex is the set ``A`` of its ``m``
active constraints and ``Q``'s basis is the columns of the others (and the untouched rows).

*The proof.*  A float search (:mod:`._slab_float_guess`) guesses every vertex ``A`` and,
for each ``c`` in ``A``, the vertex ``A'`` across the edge that releases ``c``.  Then,
exactly: (1) every guessed ``A`` is a non-degenerate vertex on the whole box: its active
system is invertible and every inactive constraint is strictly positive, for every
``(C, alpha*)`` the box allows; (2) for every ``A`` and ``c`` in ``A``, some proved ``A' !=
A`` contains ``A - {c}``.  At the true data, the points of ``P`` where the constraints of
``A - {c}`` are active form an edge of ``P`` (``A`` is non-degenerate) with ``A``'s vertex
at one end; ``A'``'s vertex lies on it and is another vertex, so it is the other end.
Every edge from a proved vertex ends at a proved vertex, and a polytope's graph is
connected: the proved vertices are all of them.

*Cheap per vertex.*  With ``F`` the free coordinates and ``S`` the active slab sides
(``|F| = |S| = k <= R``), and ``z_t`` = 1 where ``mu_t`` sits at its upper bound,
``mu_F = K (b_S - sum_t z_t alpha_{j_t} W_{S,t})`` (``K = W_SF^-1``): every inactive
constraint is ``c + H z`` with ``(c, H)`` exact for the *family* ``(F, S)`` and ``z`` 0/1.
``(c, H)`` are rounded down to the grid ``2^-T`` as integers, so ``floor(c) + sum z_t
floor(H_t)`` (NumPy ``int64``, exact: magnitudes are checked below ``2^62``) is a lower
bound of ``2^T`` times the value at the centre; where it is at least 1 and the family's
perturbation bound ``eta`` (the box's effect on every value, below) is below ``2^-T``,
the value is positive on the whole box.  Vertices this leaves undecided are decided one
by one in exact rationals.  ``eta``: with ``||K|| ||dW_SF|| < 1`` (entrywise errors
``E``), ``||mu_F - mu^_F|| <= eps = ||K|| (rho + ||dW_SF|| a) / (1 - ||K|| ||dW_SF||)``
(``rho`` bounds the right side's change, ``a = max alpha + delta``), so ``mu_t``,
``alpha_{j_t} - mu_t`` and each slab side move by at most ``eps + delta``, ``delta +
||W_r||_1 (eps + delta) + ||E_r||_1 (a + eps)``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

__all__ = ["SlabForm", "slab_form", "slab_vertices", "SlabVertices"]

#: the integer grid 2^-T of the vectorised bounds
T = 48
#: the search stops (no claim of completeness) beyond this many vertices (~250 bytes each)
MAX_VERTICES = 10_000_000
#: when the search stops short, this many of the vertices it met are proved (for the listing)
PROVE_AFTER_STOP = 10_000
#: magnitudes above this are decided exactly instead (int64 headroom for m terms)
_LIMIT = 2 ** 62


@dataclass
class SlabForm:
    """``P``'s data (module doc): ``W[r][t]`` and its error bounds ``EW[r][t]``."""

    g: int
    groups: tuple          # j_t: the system row of mirror group t
    pairs: tuple           # (p, p') per slab r
    W: list
    EW: list
    alpha: list
    delta: Fraction

    @property
    def m(self) -> int:
        return len(self.groups)

    @property
    def L(self) -> int:
        return 2 * self.m + 2 * len(self.pairs)

    def column(self, i: int) -> int:
        """``Q``'s column of constraint ``i``."""
        m = self.m
        if i < m:
            return self.g + i
        if i < 2 * m:
            return self.groups[i - m]
        r, side = divmod(i - 2 * m, 2)
        return self.pairs[r][side]

    def basis(self, mask: int) -> tuple:
        """``Q``'s basis (sorted columns) of the vertex with active set ``mask``."""
        touched = {self.column(i) for i in range(self.L)}
        cols = {self.column(i) for i in range(self.L) if not mask >> i & 1}
        return tuple(sorted(cols | (set(range(self.g)) - touched)))


def slab_form(C: list, E: list, alpha: list, delta: Fraction, pairs: list,
              groups: list) -> SlabForm | None:
    """``P``'s data when ``Q`` has the structure of the module doc, else ``None``."""
    g, pairs, groups = len(alpha), [tuple(p) for p in pairs], tuple(groups)
    prow = {x for p in pairs for x in p}
    if len(set(groups)) != len(groups) or prow & set(groups) or 2 * len(pairs) + 2 * len(
            groups) > 62:
        return None
    for t, j in enumerate(groups):
        for i in range(g):
            if i not in prow and (C[t][i] != (1 if i == j else 0) or E[t][i] != 0):
                return None
        if any(C[t][q] != -C[t][p] or E[t][q] != E[t][p] for p, q in pairs):
            return None
    return SlabForm(g=g, groups=groups, pairs=tuple(pairs),
                    W=[[-C[t][p] for t in range(len(groups))] for p, _ in pairs],
                    EW=[[E[t][p] for t in range(len(groups))] for p, _ in pairs],
                    alpha=list(alpha), delta=delta)


def constraints(sf: SlabForm):
    """``(h, G)``: constraint ``i`` is ``h_i + G_i . mu >= 0`` (exact, centre data)."""
    m = sf.m
    h, G = [], []
    for t in range(m):
        h.append(Fraction(0))
        G.append([Fraction(int(s == t)) for s in range(m)])
    for t in range(m):
        h.append(sf.alpha[sf.groups[t]])
        G.append([Fraction(-int(s == t)) for s in range(m)])
    for (p, q), w in zip(sf.pairs, sf.W):
        h += [sf.alpha[p], sf.alpha[q]]
        G += [list(w), [-x for x in w]]
    return h, G


@dataclass
class SlabVertices:
    """``count`` proved vertices of ``Q`` (``masks``: their active sets, sorted), and
    ``reason`` = ``""`` when they are all of them, else why not."""

    form: SlabForm
    masks: object
    count: int
    reason: str

    @property
    def proved(self) -> bool:
        return not self.reason


def _floor(x, bits: int) -> int:
    """``floor(x 2^bits)`` for an ``fmpq``/Fraction ``x``, exactly."""
    n, d = int(x.numerator), int(x.denominator)
    return (n << bits) // d


def _constants(sf: SlabForm):
    """Per slab row ``r``: ``term[r][t] = E_rt (alpha_t + delta) + |W_rt| delta`` (the
    right side's change from a fixed ``mu_t``) and their total; the largest ``||W_r||_1``
    and ``||E_r||_1`` (cached on ``sf``)."""
    got = getattr(sf, "_consts", None)
    if got is None:
        dl = sf.delta
        term = [[e * (sf.alpha[j] + dl) + abs(w) * dl for w, e, j in zip(W, E, sf.groups)]
                for W, E in zip(sf.W, sf.EW)]
        got = (term, [sum(row, Fraction(0)) for row in term],
               max((sum(map(abs, W), Fraction(0)) for W in sf.W), default=Fraction(0)),
               max((sum(E, Fraction(0)) for E in sf.EW), default=Fraction(0)))
        sf._consts = got
    return got


def _flint(sf: SlabForm):
    """``W``, ``alpha`` (per system row) and ``alpha_{j_t}`` (per group) as ``fmpq``
    (cached on ``sf``)."""
    got = getattr(sf, "_flint", None)
    if got is None:
        from ..linalg import fq

        aq = [fq(a) for a in sf.alpha]
        got = ([[fq(w) for w in row] for row in sf.W], aq, [aq[j] for j in sf.groups])
        sf._flint = got
    return got


def _shared(sf: SlabForm, free: list, fixed: list, S: list):
    """What a family's ``(c, H)`` (module doc) shares with every family of the same free
    coordinates ``F`` and active slab rows ``S``, whatever their sides: ``(K, lins, H,
    eta, HI)`` with ``K = W_SF^-1`` (``None`` when singular), each inactive row's ``W_rF``,
    the exact ``H``, the perturbation bound ``eta`` (``None`` when not proved) and ``H``
    floored to ``2^-T`` as int64 (``None`` when it could overflow).  The families are
    visited with equal ``(F, S)`` in a row, so only the last one is kept (on ``sf``)."""
    import flint

    key = (tuple(free), tuple(S))
    last = getattr(sf, "_last", None)
    if last is not None and last[0] == key:
        return last[1]
    Wq, _, al = _flint(sf)
    k = len(free)
    A = flint.fmpq_mat(k, k, [Wq[r][t] for r in S for t in free])
    try:
        K = A.inv() if k else A
    except ZeroDivisionError:
        got = (None,) * 5
    else:
        Y = K * flint.fmpq_mat(k, len(fixed), [Wq[r][t] * al[t] for r in S for t in fixed])
        H, lins = [], {}
        for i in range(k):                  # mu_t > 0 and alpha_t - mu_t > 0
            y = [Y[i, c] for c in range(len(fixed))]
            H += [[-x for x in y], y]
        for r in range(len(sf.pairs)):
            if r in S:                      # the other side: alpha_p + alpha_q, constant
                H.append([flint.fmpq(0)] * len(fixed))
                continue
            wf = flint.fmpq_mat(1, k, [Wq[r][t] for t in free])
            wy = wf * Y if k else None
            lin = [Wq[r][t] * al[t] - (wy[0, c] if k else 0) for c, t in enumerate(fixed)]
            lins[r] = wf
            H += [lin, [-x for x in lin]]
        eta = _eta(sf, K, free, fixed, S)
        got = (K, lins, H, eta, _int_rows(H, len(fixed)))
    sf._last = (key, got)
    return got


def _int_rows(H: list, cols: int):
    """``floor(2^T H)`` as an int64 array, or ``None`` when a row's sum could overflow."""
    import numpy as np

    HI = [[_floor(x, T) for x in row] for row in H]
    if any(sum(map(abs, row)) >= _LIMIT // 2 for row in HI):
        return None
    return np.array(HI, dtype=np.int64).reshape(len(HI), cols)


def _eta(sf: SlabForm, K, free: list, fixed: list, S: list):
    """The box's effect on every value of the family (module doc), or ``None``."""
    from .mirror_vertices import _row_norm, _solve_bound

    k, dl, a_max = len(free), sf.delta, max(sf.alpha) + sf.delta
    term, total, slab_w, slab_e = _constants(sf)
    norm_k = _row_norm(K, k, k) if k else Fraction(0)
    d_a = max((sum((sf.EW[r][t] for t in free), Fraction(0)) for r in S),
              default=Fraction(0))
    rho = max((dl + total[r] - sum((term[r][t] for t in free), Fraction(0)) for r in S),
              default=Fraction(0))
    eps = _solve_bound(norm_k, d_a, rho, a_max)
    if eps is None:
        return None
    move = eps + dl
    return max(move, dl + slab_w * move + slab_e * (a_max + eps))


class _Family:
    """One family ``(F, S)`` (module doc): the exact ``(c, H)`` of its inactive
    constraints and the perturbation bound ``eta``; ``why`` when it is not proved."""

    def __init__(self, sf: SlabForm, free: list, sides: list) -> None:
        import flint

        _, aq, al = _flint(sf)
        self.free, self.fixed = free, [t for t in range(sf.m) if t not in free]
        self.why = ""
        S = [r for r, _ in sides]
        K, lins, self.H, self.eta, self._HI = _shared(sf, free, self.fixed, S)
        if K is None:
            self.why = "an active system is singular at the centre"
            return
        b = flint.fmpq_mat(len(free), 1, [-aq[sf.pairs[r][0]] if side == 0
                                          else aq[sf.pairs[r][1]] for r, side in sides])
        u = K * b
        c = []
        for i, t in enumerate(free):
            c += [u[i, 0], al[t] - u[i, 0]]
        for r, (p, q) in enumerate(sf.pairs):
            if r in S:
                c.append(aq[p] + aq[q])
                continue
            wu = (lins[r] * u)[0, 0] if free else flint.fmpq(0)
            c += [aq[p] + wu, aq[q] - wu]
        self.c = c
        if self.eta is None or self.eta >= Fraction(1, 2 ** T):
            self.why = "an active system is not proved invertible on the box"

    def integer_rows(self):
        """``(cI, HI)``: ``floor(2^T c)`` and ``floor(2^T H)`` as int64 arrays, or
        ``None`` when they could overflow (then every vertex is decided exactly)."""
        import numpy as np

        cI = [_floor(x, T) for x in self.c]
        if self._HI is None or any(abs(v) >= _LIMIT // 2 for v in cI):
            return None
        return np.array(cI, dtype=np.int64), self._HI

    def exact_ok(self, z: list) -> bool:
        """Every value of the vertex with upper-bound pattern ``z`` exceeds ``eta``."""
        import flint

        for c, row in zip(self.c, self.H):
            v = c + sum((h for h, zi in zip(row, z) if zi), flint.fmpq(0))
            if Fraction(int(v.numerator), int(v.denominator)) <= self.eta:
                return False
        return True


def _decode(sf: SlabForm, masks):
    """Per vertex: its family key (slab bits, then free-coordinate bits), the
    upper-bound bits, and whether a coordinate is at both bounds."""
    import numpy as np

    m, one = sf.m, np.int64(1)
    full = (one << m) - 1
    lo, up = masks & full, (masks >> m) & full
    free = full & ~(lo | up)
    return (masks >> (2 * m)) << m | free, up, (lo & up) != 0


def _prove_all(sf: SlabForm, masks, check, proved) -> str:
    """Sets ``proved[v]`` when vertex ``masks[v]`` is a non-degenerate vertex of ``P`` on
    the whole box (module doc); returns ``""`` or the first failure."""
    import numpy as np

    m, R = sf.m, len(sf.pairs)
    key, up, clash = _decode(sf, masks)
    if clash.any():
        return "a guessed vertex has a coordinate at both bounds"
    keys, inv = np.unique(key, return_inverse=True)
    order = np.argsort(inv, kind="stable")
    starts = np.searchsorted(inv[order], np.arange(len(keys) + 1))
    full = (1 << m) - 1
    slab_rows = lambda kf: (kf >> m | kf >> (m + 1)) & int("01" * R or "0", 2)  # noqa: E731
    for f, kf in sorted(enumerate(keys.tolist()), key=lambda e: (slab_rows(e[1]),
                                                                  e[1] & full, e[1])):
        if check is not None:
            check(len(keys))
        rows = order[starts[f]:starts[f + 1]]
        fr = [t for t in range(m) if kf >> t & 1]
        sides = [(r, side) for r in range(R) for side in (0, 1)
                 if kf >> (m + 2 * r + side) & 1]
        if len({r for r, _ in sides}) != len(sides) or len(sides) != len(fr):
            return "a guessed vertex is not a vertex (its active sets do not match)"
        fam = _Family(sf, fr, sides)
        if fam.why:
            return fam.why
        bits = ((up[rows][:, None] >> np.array(fam.fixed, dtype=np.int64)) & 1)
        ints = fam.integer_rows()
        if ints is not None:
            lb = ints[0][None, :] + bits @ ints[1].T
            ok = np.all(lb >= 1, axis=1)
        else:
            ok = np.zeros(len(rows), dtype=bool)
        for v in np.nonzero(~ok)[0]:
            ok[v] = fam.exact_ok(bits[v].tolist())
        if not ok.all():
            return "a guessed vertex is degenerate or infeasible (not proved on the box)"
        proved[rows] = True
    return ""


def _closed(masks, nbrs, m: int, L: int) -> str:
    """``""`` when every edge of every vertex ends at a vertex of ``masks`` (module doc:
    for ``A`` and ``c`` in ``A``, some ``A' != A`` in ``masks`` contains ``A - {c}``)."""
    import numpy as np

    one, bad = np.int64(1), []
    for lo in range(0, len(masks), 1 << 16):
        A, nb = masks[lo:lo + (1 << 16)], nbrs[lo:lo + (1 << 16)]
        act = ((A[:, None] >> np.arange(L, dtype=np.int64)) & 1).astype(bool)
        idx = np.nonzero(act)[1].reshape(len(A), m)
        rest = A[:, None] & ~(one << idx.astype(np.int64))
        pos = np.clip(np.searchsorted(masks, nb), 0, len(masks) - 1)
        ok = (masks[pos] == nb) & (nb != A[:, None]) & ((rest & ~nb) == 0)
        bad += [(int(A[v]), int(rest[v, s])) for v, s in zip(*np.nonzero(~ok))]
    if not bad:
        return ""
    have = set(masks.tolist())
    for a, r in bad:
        if not any((r | 1 << i) in have and (r | 1 << i) != a
                   for i in range(L) if not r >> i & 1):
            return "an edge of a proved vertex leads to no proved vertex"
    return ""


class _OutOfTime(Exception):
    pass


def _bars(progress: bool):
    """``(search callback, per-family callback, close)`` showing tqdm bars on stderr."""
    if not progress:
        return None, (lambda n: None), (lambda: None)
    import sys

    from tqdm import tqdm

    bars = []

    def search(seen: int, todo: int) -> None:
        if not bars:
            bars.append(tqdm(desc="vertices: float search", unit=" vertices", leave=False,
                             delay=1.0, file=sys.stderr))
        bars[0].set_postfix(open=todo, refresh=False)
        bars[0].update(seen - bars[0].n)              # respects the bar's delay

    def family(total: int) -> None:
        if len(bars) < 2:
            bars.append(tqdm(desc="vertices: exact proof", total=total, unit=" families",
                             leave=False, delay=1.0, file=sys.stderr))
        bars[-1].update()

    return search, family, (lambda: [b.close() for b in bars])


def slab_vertices(sf: SlabForm, *, time_limit: float | None = None,
                  max_vertices: int | None = None, progress: bool = False) -> SlabVertices:
    """Every vertex of ``Q`` with the structure of ``sf``, proved (module doc), within
    ``time_limit`` seconds (search and proof; beyond it the vertices proved so far are
    returned with the reason).  Ctrl-C stops it between batches; ``progress`` shows
    bars on stderr."""
    import time

    import numpy as np

    from ._slab_float_guess import guess_vertices

    t0 = time.monotonic()
    sf._last = None                     # _shared's cache: per call (T may differ)
    if any(a - sf.delta <= 0 for a in sf.alpha):
        return SlabVertices(sf, np.zeros(0, dtype=np.int64), 0,
                            "alpha* is not proved positive on the box")
    h, G = constraints(sf)
    on_search, on_family, close = _bars(progress)
    masks, nbrs, why = guess_vertices([float(x) for x in h],
                                      [[float(x) for x in row] for row in G],
                                      (1 << sf.m) - 1, time_limit=time_limit,
                                      max_vertices=max_vertices, progress=on_search)

    def check(total: int):
        on_family(total)
        if time_limit is not None and time.monotonic() - t0 > time_limit:
            raise _OutOfTime

    if why:                 # no claim of completeness: prove a few, for the listing
        masks, check = masks[:PROVE_AFTER_STOP], on_family
    proved = np.zeros(len(masks), dtype=bool)
    try:
        bad = _prove_all(sf, masks, check, proved)
    except _OutOfTime:
        bad = f"out of time while proving the {len(masks)} vertices found"
    masks = masks[proved]
    if not why and not bad:
        bad = _closed(masks, nbrs, sf.m, sf.L)
    close()
    return SlabVertices(sf, masks, len(masks), why or bad)


def expanded_count(sf: SlabForm, masks, sizes: list) -> int:
    """``sum`` over the vertices ``masks`` of the product of ``sizes[column]`` over their
    basis (the optimal set's vertices, one member per group), exactly."""
    import numpy as np

    L = sf.L
    touched = {sf.column(i) for i in range(L)}
    base = math.prod(sizes[c] for c in range(sf.g) if c not in touched)
    per = [sizes[sf.column(i)] for i in range(L)]
    distinct = sorted(set(per))
    onehot = np.array([[int(s == u) for u in distinct] for s in per], dtype=np.int64)
    total = 0
    for lo in range(0, len(masks), 1 << 16):
        chunk = masks[lo:lo + (1 << 16)]
        inact = 1 - ((chunk[:, None] >> np.arange(L, dtype=np.int64)) & 1)
        rows, mult = np.unique(inact @ onehot, axis=0, return_counts=True)
        total += sum(int(k) * math.prod(u ** int(e) for u, e in zip(distinct, row))
                     for row, k in zip(rows.tolist(), mult.tolist()))
    return base * total
