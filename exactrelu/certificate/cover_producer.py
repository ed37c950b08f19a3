"""Producing cover proofs of (F) and the lower bounds they give (``docs/theory.md`` §7).

The float search of :mod:`exactrelu.approx.cover_search` guesses a tree; every leaf it
closes is rounded to dyadic rationals and checked with the exact leaf check of
:mod:`exactrelu.certificate.cover` before the search may close it (a leaf that fails is
re-rounded with more bits, closed by an exact cone projection when every row is fixed,
or split further); the finished cover is re-verified by
:func:`~exactrelu.certificate.cover.verify_cover`.  Format: ``docs/spec/cover-draft.md``.
"""
from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Mapping, Sequence

from ..errors import ExactReluError
from ..linalg import fq
from ..numbers import dot, q_str, sqnorm, to_q
from .cover import _bound_sq, _Context, _proves, _Reject, _sqrt_up, norm_bounds, verify_cover
from .dual_bound import dyadic

__all__ = ["CoverResult", "CoverBound", "CoverRoute", "cover_proof", "cover_lower_bound",
           "scale_for_gap", "cover_route"]


@functools.lru_cache(maxsize=1 << 16)
def _fraction(text: str) -> Fraction:
    return Fraction(text)


def on_grid(x: Any, bits: int) -> Fraction:
    """The nearest multiple of ``2^-bits`` to ``x`` (a float, a rational or its text),
    computed exactly (ties to even), so the same on every machine."""
    if isinstance(x, str):          # the compaction re-rounds the same texts many times
        x = _fraction(x)
    one = 1 << bits
    return Fraction(round(Fraction(x) * one), one)


def quad_row(theta: Any, p: Any, t: Any, bits: int) -> list[str] | None:
    """``[theta, p, t]`` of a quadratic row (format 1.6) on the grid ``2^-bits`` (floats
    or rationals in, exact text out): ``theta`` clamped to ``[0, 1]``, ``p >= 2^-bits``,
    ``t`` rounded up until ``4 p t >= (1 - theta)^2`` holds exactly; None when ``theta``
    rounds to 1 (the plain chord, not a quadratic row)."""
    one = 1 << bits
    thq = min(Fraction(1), max(Fraction(0), on_grid(theta, bits)))
    if thq == 1:
        return None
    pq = max(on_grid(p, bits), Fraction(1, one))
    tq = max(on_grid(t, bits), Fraction(math.ceil((1 - thq) ** 2 / (4 * pq) * one), one))
    return [q_str(thq), q_str(pq), q_str(tq)]


def _sq(m: Mapping[int, Fraction]) -> dict[str, str]:
    return {str(k): q_str(v) for k, v in sorted(m.items()) if v != 0}


#: bits of the first rounding of a leaf proof (a leaf that fails is re-rounded with
#: ``bits``, then ``bits + 24``).  Measured (diabetes n = 50, d = 5 + bias, 828 nodes):
#: no leaf failed at 16 bits; with SPLIT_BITS = 24 the cover is 0.65 MB instead of
#: 0.91 MB at 40 bits, same tree; SPLIT_BITS = 16 grew a random instance's tree by 10 %.
SHORT_BITS = 16
#: bits of the bounds declared on a split (rounded up: valid at any precision, looser by
#: at most 2^-SPLIT_BITS each)
SPLIT_BITS = 24


class _Exactifier:
    """Rounds float nodes to rationals: the bounds a split proves (``on_split``) and the
    leaf proofs, each checked exactly before the search may close the leaf (``accept``)."""

    def __init__(self, ctx: _Context, bits: int, base: Mapping | None = None) -> None:
        self.ctx = ctx
        self.bits = bits
        # leaf proofs: short rationals first (most leaves have slack), then bits, bits + 24
        self.leaf_bits = tuple(b for b in (SHORT_BITS,) if b < bits) + (bits, bits + 24)
        self.base = dict(base or {})     # exact bounds inherited by the search's root
        self.leaves: dict = {}
        self.split_bounds: dict = {}     # (s, S) -> (json, {k: (h, l)})
        self.failures = 0
        self.seconds = 0.0

    def _bounds(self, rel, S: Mapping[int, int], bits: int, inherited: Mapping) -> tuple:
        """Exact bounds for the rows whose bound this node proved (``rel.new``)."""
        js: dict = {}
        vals: dict = {}
        for k in sorted(rel.new):
            hi, hi_nu, lo, lo_nu = rel.bounds[k]
            h0, l0 = inherited.get(k, (self.ctx.N[k], self.ctx.N[k]))
            b: dict = {}
            hl = [h0, l0]
            for idx, (side, sg, val, m) in enumerate((("hi", 1, hi, hi_nu),
                                                      ("lo", -1, lo, lo_nu))):
                if val is None:
                    continue
                mq = {j: dyadic(t, bits) for j, t in (m or {}).items()}
                mq = {j: t for j, t in mq.items() if t > 0}
                # h = ceil(||v|| 2^bits) / 2^bits, v = sg x_k + sum_j mq_j sigma_j x_j
                sq = _bound_sq(self.ctx.Z, self.ctx.L, k, sg, S, mq)
                h = _sqrt_up(sq, bits)
                if not _proves(h, sq):  # pragma: no cover - _sqrt_up rounds up
                    raise ExactReluError("internal: bound rounding failed")
                if h >= hl[idx]:
                    continue            # no better than what the node already has
                hl[idx] = h
                b[side] = q_str(h)
                if mq:
                    b[f"{side}_nu"] = _sq(mq)
            if b:
                js[str(k)] = b
                vals[k] = (hl[0], hl[1])
        return js, vals

    def inherited(self, s: int, S: tuple) -> dict:
        out: dict = dict(self.base)
        for i in range(len(S)):
            got = self.split_bounds.get((s, S[:i]))
            if got:
                out.update(got[1])
        return out

    def on_split(self, node, rel, s) -> None:
        t0 = time.perf_counter()
        inh = self.inherited(s, node.S)
        js, vals = self._bounds(rel, dict(node.S), min(self.bits, SPLIT_BITS), inh)
        if js:
            self.split_bounds[(s, node.S)] = (js, vals)
        self.seconds += time.perf_counter() - t0

    def _quad(self, g, bits: int) -> dict:
        """A float quadratic leaf (:class:`exactrelu.approx.cover_sdp.QuadGuess`) as exact
        JSON: ``theta`` in ``[0, 1]``, ``p`` and ``t`` dyadic with ``t`` rounded up until
        ``4 p t >= (1 - theta)^2`` holds exactly; ``eta`` moved up by a quarter of the
        float slack, so that rounding keeps ``eta I - Q`` definite."""
        rows = {str(k): row for k, (th, p, t) in sorted(g.rows.items())
                if (row := quad_row(th, p, t, bits)) is not None}
        eta = dyadic(g.eta + (float(self.ctx.lam) - g.value) / 4, bits)
        return {"eta": q_str(eta), "rows": rows}

    def _round(self, rel, S: Mapping[int, int], bits: int, inh: Mapping) -> dict:
        g = rel.quad
        nu = {j: dyadic(v, bits) for j, v in (g.nu if g is not None else rel.nu).items()}
        mu = {k: min(Fraction(1), max(Fraction(0), dyadic(v, bits)))
              for k, v in (g.mu if g is not None else rel.mu).items()}
        sl = {k: min(Fraction(1), max(Fraction(0), dyadic(v, bits)))
              for k, v in rel.slopes.items()}
        js, _ = self._bounds(rel, S, bits, inh)
        # a slope 0 is kept: an absent slope means the chord, not 0 (zero mu = absent mu)
        out: dict = {"nu": _sq({j: v for j, v in nu.items() if v > 0}), "mu": _sq(mu),
                     "slope": {str(k): q_str(v) for k, v in sorted(sl.items())}, "bounds": js}
        if g is not None:
            out["quad"] = self._quad(g, bits)
        return {k: v for k, v in out.items() if v}

    def _region(self, S: Mapping[int, int], s: int, finh: Mapping) -> dict | None:
        """Exact multipliers for a node where every row with ``r_k x_k != 0`` is fixed:
        the exact projection of ``c`` onto the cone (:func:`exactrelu.cones.project`),
        the same check as a region's dual constraint -- it closes tight leaves."""
        ctx = self.ctx
        if any(k not in S and ctx.r[k] != 0 and any(ctx.X[k]) for k in range(ctx.n)):
            return None
        from ..cones import project

        rows = sorted(S)
        A = [tuple(S[j] * a for a in ctx.X[j]) for j in rows]
        c = [Fraction(0)] * ctx.d
        for j in rows:
            if S[j] > 0 and ctx.r[j]:
                c = [a + s * ctx.r[j] * b for a, b in zip(c, ctx.X[j])]
        proj = project(A, c)
        proof = {"nu": _sq({rows[i]: v for i, v in proj.rho.items() if v > 0})}
        proof = {k: v for k, v in proof.items() if v}
        try:
            self.ctx.leaf(S, s, proof, finh)
        except _Reject:
            return None
        return proof

    def _exact_bound(self, A: list, rows: list, k: int, sg: int, S: Mapping[int, int]):
        """``(h, {j: nu_j})``: ``h`` bounds ``sg x_k . u / ||u||`` on the cone with exact
        multipliers, ``||Pi_K(sg x_k)||`` (Moreau) rounded up; ``h = 0`` exactly when
        ``sg x_k`` is in the polar cone, however large the multipliers."""
        from ..cones import project

        rho = project(A, [sg * a for a in self.ctx.X[k]]).rho
        m = {rows[i]: Fraction(v) for i, v in rho.items() if v > 0}
        return _sqrt_up(_bound_sq(self.ctx.Z, self.ctx.L, k, sg, S, m), self.bits), m

    def _exact_leaf(self, S: Mapping[int, int], s: int, rel, inh: Mapping, finh: Mapping):
        """A chord leaf with exact multipliers, for a node on a lower-dimensional cone (a
        ray where many hyperplanes meet, e.g. a binary feature): the float multipliers
        there are huge (1e15) and no rounding of them proves the bounds the floats found.
        Every free row with ``s r_k > 0`` gets exact bounds (:meth:`_exact_bound`) where
        they improve on the inherited ones, ``nu`` is the exact projection's; the float
        guess keeps only ``mu`` and the slopes of rows whose sign stays unknown.
        Measured (diabetes n = 40, 3 features + bias, lam_max/8, sign -1): 4,475 of
        4,475 rejected leaves had float value < 1e-6 lam and multipliers > 1e6."""
        from ..cones import project

        ctx, rows = self.ctx, sorted(S)
        A = [tuple(S[j] * a for a in ctx.X[j]) for j in rows]
        bounds, js = dict(inh), {}
        sl = {k: min(Fraction(1), max(Fraction(0), dyadic(v, self.bits)))
              for k, v in rel.slopes.items()}
        for k in range(ctx.n):
            if k in S or not s * ctx.r[k] > 0:
                continue
            hl = list(bounds.get(k, (ctx.N[k], ctx.N[k])))
            for idx, side, sg in ((0, "hi", 1), (1, "lo", -1)):
                if hl[idx] == 0:
                    continue
                h, m = self._exact_bound(A, rows, k, sg, S)
                if h < hl[idx]:
                    hl[idx] = h
                    js.setdefault(str(k), {})[side] = q_str(h)
                    if m:
                        js[str(k)][f"{side}_nu"] = _sq(m)
            bounds[k] = tuple(hl)
            if 0 in hl and hl != [0, 0]:
                sl.pop(k, None)         # a known sign: the chord is exact there
        mu = {k: min(Fraction(1), max(Fraction(0), dyadic(v, self.bits)))
              for k, v in rel.mu.items()}
        # the checker's linear part without nu (cover._Context.leaf), then its projection
        def slope(k: int, sr: Fraction) -> Fraction:
            if k in S:
                return Fraction(1 if S[k] > 0 else 0)
            if sr <= 0:
                return mu.get(k, Fraction(0))
            h, l = bounds.get(k, (ctx.N[k], ctx.N[k]))
            return sl[k] if k in sl else Fraction(0) if h == 0 else h / (h + l)

        coef = [s * a * slope(k, s * a) for k, a in enumerate(ctx.r)]
        c = [sum(coef[k] * ctx.X[k][i] for k in range(ctx.n)) for i in range(ctx.d)]
        rho = project(A, c).rho if rows else {}
        proof = {"nu": _sq({rows[i]: Fraction(v) for i, v in rho.items()}), "mu": _sq(mu),
                 "slope": {str(k): q_str(v) for k, v in sorted(sl.items())}, "bounds": js}
        proof = {k: v for k, v in proof.items() if v}
        try:
            ctx.leaf(S, s, proof, finh)
        except _Reject:
            return None
        return proof

    def __call__(self, node, rel, s) -> bool:
        t0 = time.perf_counter()
        S = dict(node.S)
        inh = self.inherited(s, node.S)
        finh = {k: (fq(h), fq(l)) for k, (h, l) in inh.items()}    # for the checker
        try:
            for bits in self.leaf_bits:
                proof = self._round(rel, S, bits, inh)
                try:
                    self.ctx.leaf(S, s, proof, finh)
                except _Reject:
                    self.failures += 1
                    continue
                self.leaves[(s, node.S)] = proof
                return True
            proof = self._region(S, s, finh)
            if proof is None and S:
                proof = self._exact_leaf(S, s, rel, inh, finh)
            if proof is not None:
                self.leaves[(s, node.S)] = proof
                return True
            return False        # the search splits the node further
        finally:
            self.seconds += time.perf_counter() - t0

    def tree_nodes(self, s: int, tree: list) -> list[tuple[tuple, dict]]:
        """``(S, JSON node)`` of each node of a search tree (pre-order), with the exact
        bounds and leaf proofs this exactifier recorded."""
        out = []
        for item in tree:
            if item[0] == "split":
                S = item[3].S
                sb = self.split_bounds.get((s, S))
                out.append((S, {"split": int(item[1]), "bounds": sb[0]} if sb
                            else {"split": int(item[1])}))
            else:
                out.append((item[2].S, {"leaf": self.leaves[(s, item[2].S)]}))
        return out


@dataclass
class CoverResult:
    """Outcome of :func:`cover_proof`.  ``cover`` is set iff ``status == "proved"``
    (every leaf already passed the exact check)."""

    status: str                    # proved | refuted | budget | stuck
    cover: dict | None
    nodes: dict                    # {sign: nodes}
    depth: dict
    seconds_search: float
    seconds_exact: float
    exact_failures: int = 0
    witness: Any = None            # float unit u with s g_r(u) >~ lam (refuted / stuck)
    witness_sign: int | None = None
    witness_value: float | None = None
    stats: dict = field(default_factory=dict)     # jobs, wall seconds, pool tasks
    witnesses: list = field(default_factory=list)  # [(sign, u, value)], collect > 1


def cover_proof(X: Sequence[Sequence[Any]], r: Sequence[Any], lam: Any, *, rule: str = "hybrid",
                budget: int = 200_000, margin: float = 1e-9, bits: int = 40,
                chord: bool = True, improve: float = 0.05, progress: bool = False,
                time_limit: float | None = None, jobs: int = 1, lean: bool = True,
                quad: bool = True, collect: int = 1) -> CoverResult:
    """Search a cover tree for (F) at ``r`` and return it with exact leaf proofs.

    ``jobs > 1`` searches subtrees on a process pool
    (:func:`exactrelu.certificate.cover_parallel.parallel_cover`): a proved cover is the
    same as with ``jobs = 1``; see there for what may differ otherwise.  ``lean``: try
    each node first with its inherited bounds only (see
    :func:`exactrelu.approx.cover_search.expand`); ``quad``: nodes the chords leave open
    may close as quadratic leaves (format 1.6; then the certificate's section is
    ``quadratic_cover``, see :func:`uses_quadratic_leaves`).  ``collect``: witnesses to
    gather per sign when (F) fails (:func:`exactrelu.approx.cover_search.search`); with
    ``jobs = 1`` the other sign is then searched in floats only for more of them."""
    from ..approx.cover_search import HUNT, search
    from .cover_parallel import ExactProblem, parallel_cover

    Xq = tuple(tuple(to_q(a) for a in row) for row in X)
    N = norm_bounds(Xq)
    problem = ExactProblem(Xq, tuple(to_q(a) for a in r), to_q(lam), tuple(N), bits)
    ctx = problem.context()      # also checks the data here, for jobs > 1 too
    if jobs != 1:
        return parallel_cover(problem, dict(rule=rule, margin=margin, chord=chord,
                                            improve=improve, lean=lean, quad=quad,
                                            collect=collect),
                              jobs=jobs, budget=budget, time_limit=time_limit,
                              progress=progress)
    ex = _Exactifier(ctx, bits)
    t_wall = time.perf_counter()
    P = problem.float_problem()
    trees, nodes, depth = [], {}, {}
    t_search = 0.0
    failed = None
    for s in (1, -1):
        # one deadline for both signs (as with jobs > 1), not one per sign
        left = None if time_limit is None else max(time_limit - (time.perf_counter() - t_wall),
                                                   0.0)
        exact = failed is None      # after a failure, the other sign only collects witnesses
        res = search(P, s, rule=rule, margin=margin,
                     budget=budget if exact else min(budget, HUNT), chord=chord,
                     improve=improve, time_limit=left, lean=lean, quad=quad,
                     progress=progress, accept=ex if exact else None,
                     on_split=ex.on_split if exact else None, collect=collect)
        t_search += res.seconds
        nodes[s], depth[s] = res.nodes, res.max_depth
        if failed is not None or res.status != "proved":
            failed = failed or CoverResult(
                res.status, None, nodes, depth, 0.0, ex.seconds, ex.failures, res.witness, s,
                res.witness_value, {"jobs": 1})
            failed.witnesses += [(s, u, v) for u, v in res.witnesses if u is not None]
            if collect <= 1 or failed.status == "budget":
                break
            continue
        trees.append({"sign": s, "nodes": [j for _, j in ex.tree_nodes(s, res.tree)]})
    if failed is not None:
        failed.seconds_search = t_search - ex.seconds
        failed.stats["wall"] = time.perf_counter() - t_wall
        return failed
    return CoverResult("proved", cover_json(N, trees), nodes, depth, t_search - ex.seconds,
                       ex.seconds, ex.failures,
                       stats={"jobs": 1, "wall": time.perf_counter() - t_wall})


def cover_json(N: Sequence[Fraction], trees: list) -> dict:
    return {"N": [q_str(v) for v in N], "trees": trees}


def uses_quadratic_leaves(cover: Mapping) -> bool:
    """Whether some leaf of ``cover`` is a quadratic leaf: the certificate then carries it
    as ``quadratic_cover`` (format 1.6, check 12) instead of ``cover`` (1.1)."""
    return any("leaf" in nd and "quad" in nd["leaf"]
               for t in cover["trees"] for nd in t["nodes"])


# --------------------------------------------------------------------------- lower bound

def scale_for_gap(r: Sequence[Fraction], y: Sequence[Fraction], gap: Fraction | float,
                  bits: int = 40) -> Fraction:
    """The smallest dyadic ``t in (0, 1]`` (grid ``2^-bits``) with
    ``L(t r) >= L(r) - gap max(1, |L(r)|)``, ``L(r) = r . y - ||r||^2 / 2`` (exact).
    Smaller ``t`` leaves more slack in (F), hence a smaller tree, at a looser bound."""
    gap = Fraction(gap)
    if gap < 0:
        raise ValueError("gap must be >= 0")
    a, b = dot(r, y), sqnorm(r)

    def L(t: Fraction) -> Fraction:
        return t * a - t * t * b / 2

    L1 = L(Fraction(1))
    allow = gap * max(Fraction(1), abs(L1))
    if gap == 0:
        return Fraction(1)
    one = 1 << bits
    lo, hi = 0, one          # s = 1 - t in [lo/one, hi/one]; find the largest s allowed
    if L1 - L(Fraction(1, 2)) <= allow:
        lo = one // 2        # never go below t = 1/2
    else:
        hi = one // 2
        lo = 0
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if L1 - L(1 - Fraction(mid, one)) <= allow:
                lo = mid
            else:
                hi = mid
    return 1 - Fraction(lo, one)


@dataclass
class CoverBound:
    """A complete lower bound from a cover: ``lower = r . y - ||r||^2 / 2`` for the
    scaled residual ``r = t r0`` whose (F) the cover proves."""

    lower: Fraction | None
    t: Fraction
    r: tuple
    result: CoverResult


#: without a time limit the compaction may take COMPACT_SHARE x the search's wall time,
#: at least COMPACT_MIN_SECONDS: measured, it took 0.3-6x the search (diabetes n = 442:
#: 76 s after 28 s; 4,582 nodes with 22 active neurons: 776 s after 126 s, before the
#: faster positive-definiteness test); cut short, the cover holds, only less compacted
COMPACT_SHARE = 3.0
COMPACT_MIN_SECONDS = 60.0


def cover_lower_bound(data, lam: Any, r0: Sequence[Any], *, gap: Any = Fraction(1, 10 ** 6),
                      jobs: int = 1, **kw: Any) -> CoverBound:
    """Scale ``r0`` by ``t`` (:func:`scale_for_gap`), prove (F) for ``t r0`` by a cover and
    return the lower bound (``lower`` None if the cover search did not prove (F));
    ``jobs``: processes for the search (:func:`cover_proof`); ``compact`` (in ``kw``,
    default true): a proved cover is compacted
    (:func:`exactrelu.certificate.cover_compact.compact_cover`) before its final check,
    within what is left of ``time_limit`` (in ``kw``: search and compaction together),
    or without one within :data:`COMPACT_SHARE` times the search's time (at least
    :data:`COMPACT_MIN_SECONDS`)."""
    r0q = [to_q(a) for a in r0]
    t = scale_for_gap(r0q, data.y, Fraction(gap))
    r = tuple(t * a for a in r0q)
    compact = kw.pop("compact", True)
    if cover_kind(kw.pop("cover", "auto"), data.d) == "simplex":
        return _simplex_bound(data, lam, r, t, jobs, kw)
    res = cover_proof(data.X, r, lam, jobs=jobs, **kw)
    lower = None
    if res.status == "proved" and compact:
        from .cover_compact import compact_cover

        limit, wall = kw.get("time_limit"), res.stats.get("wall", 0.0)
        left = (max(COMPACT_MIN_SECONDS, COMPACT_SHARE * wall) if limit is None
                else max(limit - wall, 0.0))
        res.cover, res.stats["compact"] = compact_cover(data.X, r, lam, res.cover,
                                                        progress=kw.get("progress", False),
                                                        time_limit=left)
    if res.status == "proved":
        ok, why = verify_cover(data.X, r, lam, res.cover)
        if not ok:  # pragma: no cover - every leaf was already checked
            raise ExactReluError(f"internal: cover failed its own check: {why}")
        lower = dot(r, data.y) - sqnorm(r) / 2
    return CoverBound(lower, t, r, res)


def cover_kind(cover: str, d: int) -> str:
    """``simplex`` or ``splits`` for ``cover`` in auto / simplex / splits: auto is a simplex
    cover (:mod:`.simplex_cover`, format 1.7) in dimension ``d <= MAX_D`` (3), else
    sign-split trees (1.1 / 1.6)."""
    from ..errors import InputError
    from .simplex_cover import LIMIT_D, MAX_D

    if cover not in ("auto", "simplex", "splits"):
        raise InputError(f"cover must be auto, simplex or splits, not {cover!r}")
    if cover == "simplex" and d > LIMIT_D:
        raise InputError(f"a simplex cover is for dimension <= {LIMIT_D} (this data has "
                         f"d = {d}, bias included: 2^d - 1 faces per leaf); use --cover "
                         "splits or auto")
    if cover == "auto":
        return "simplex" if d <= MAX_D else "splits"
    return cover


def _simplex_bound(data, lam: Any, r: tuple, t: Fraction, jobs: int, kw: dict) -> CoverBound:
    """:func:`cover_lower_bound` by a simplex cover.  The search decides every leaf
    exactly as it writes it, so the tree is not replayed here (``certify`` on the command
    line checks the whole certificate with the library checker before writing it;
    :func:`~exactrelu.certificate.simplex_cover.verify_simplex_cover` replays a section)."""
    from .simplex_cover import simplex_cover

    opts = {k: kw[k] for k in ("time_limit", "progress", "collect", "budget") if k in kw}
    res = simplex_cover(data.X, r, lam, jobs=jobs, **opts)
    lower = dot(r, data.y) - sqnorm(r) / 2 if res.status == "proved" else None
    return CoverBound(lower, t, r, res)


#: witnesses a refuted search of :func:`cover_route` gathers per sign: their patterns all
#: join the working set before the next solve
COLLECT = 64


@dataclass
class CoverRoute:
    """Outcome of :func:`cover_route`: the column-generation solve, then the cover."""

    bound: CoverBound | None
    rounds: int
    patterns: int                 # size of the final working set
    objective: float              # float objective of the last solve (an estimate)
    active: int = 0               # active blocks of the last solve (neurons)
    seconds: dict = field(default_factory=dict)
    log: list = field(default_factory=list)
    solve: Any = None             # the last ColumnSolve (its float solution makes the network)


def cover_route(data, lam: Any, *, gap: Any = Fraction(1, 10 ** 6), max_rounds: int = 8,
                bits: int = 48, verbose: bool = False, jobs: int = 1, **kw: Any
                ) -> CoverRoute:
    """A complete lower bound without enumerating regions: column generation
    (:func:`exactrelu.approx.cover_pricing.solve_by_columns`) for the residual, rounded to
    a dyadic rational, then a cover proof of (F) for ``t r``.  A refuted cover search
    names the directions where (F) fails (up to ``collect`` per sign, :data:`COLLECT`):
    their patterns join the working set and the solve is repeated (the search acts as
    the exhaustive pricer the heuristic one is not).
    ``jobs``: processes for the cover search (:func:`cover_proof`); ``time_limit`` (in
    ``kw``) bounds the whole route's searches, over all rounds, not each round."""
    from ..approx.cover_pricing import solve_by_columns, witness_patterns

    t_start = time.perf_counter()
    limit = kw.pop("time_limit", None)
    kw.setdefault("collect", COLLECT)
    Xf, yf = data.X_float(), data.y_float()
    lamf = float(to_q(lam))
    extra = None
    secs = {"solve": 0.0, "search": 0.0, "exact": 0.0}
    log = []
    cb = None
    cs = None
    for rounds in range(1, max_rounds + 1):
        cs = solve_by_columns(Xf, yf, lamf, initial=extra)
        secs["solve"] += cs.seconds
        r0 = [dyadic(v, bits) for v in cs.solution.residual]
        left = None if limit is None else limit - (time.perf_counter() - t_start)
        if left is not None and left <= 0 and cb is not None:
            break                     # out of time: the last round's search stands
        cb = cover_lower_bound(data, lam, r0, gap=gap, jobs=jobs,
                               time_limit=None if left is None else max(left, 0.0), **kw)
        res = cb.result
        secs["search"] += res.seconds_search
        secs["exact"] += res.seconds_exact
        if "compact" in res.stats:
            secs["compact"] = secs.get("compact", 0.0) + res.stats["compact"].seconds
        log.append({"round": rounds, "patterns": int(len(cs.patterns)),
                    "objective": float(cs.solution.objective), "status": res.status,
                    "nodes": dict(res.nodes), "witnesses": len(res.witnesses)})
        if verbose:
            print(log[-1])
        if cb.lower is not None or res.witness is None:
            break
        wit = res.witnesses or [(res.witness_sign, res.witness, None)]
        extra = witness_patterns(Xf, [float(a) for a in cb.r], [w[0] for w in wit],
                                 [w[1] for w in wit], extra, cs.patterns)
    return CoverRoute(cb, rounds,
                      int(len(cs.patterns)) if cs is not None else 0,
                      float(cs.solution.objective) if cs is not None else float("nan"),
                      len(cs.solution.active) if cs is not None else 0, secs, log, cs)
