"""Compacting a proved cover: fewer and shorter rationals, the same tree (exact).

The search writes what it needed while it looked for the tree: every split declares the
bounds it proved for the rows near its new constraint, on a grid of 2^-24, and every leaf
its multipliers on a grid of 2^-16 or finer.  Once the tree is finished most of that is
more than the leaves use.  :func:`compact_cover` walks the finished cover (pre-order, each
sign) and, for each declared bound side, tries to drop it (the subtree then inherits the
ancestor's bound, or ``N_k``), else to re-prove it with its multipliers rounded to a short
grid; then, for each leaf, the same with the leaf's own bounds, and its multipliers
rounded to the shortest grid that still closes it.  **Every change is kept only when the
exact leaf check** (:class:`exactrelu.certificate.cover._Context`, the one the producer and
the library checker use) **still proves every leaf below it**; a rejected change is undone.
No float is involved: the result is the same on every machine, and it is a valid cover
because every leaf was checked with the bounds it finally inherits.

Measured (``docs/SCALE.md`` §1c): diabetes n = 442, d = 11: 4.83 MB -> 1.54 MB in 89 s
(the search took 30 s); d = 3 and 4: 1.6-2.3x smaller in 0.4-3 s on trees of 30-90 nodes,
as long as the search on trees of thousands of nodes (each leaf is re-checked some 20-60
times).  ``certify --no-compact`` skips it.

Example (the worked example of ``tests/test_cover_compact.py``: one needed bound, one
that is not)::

    >>> from fractions import Fraction as F
    >>> X = [[F(1), F(0)], [F(0), F(1)], [F(1), F(1)]]
    >>> cover = {"N": ["1", "1", "3/2"], "trees": [
    ...     {"sign": 1, "nodes": [{"split": 0},
    ...                           {"split": 2, "bounds": {"2": {"lo": "1", "lo_nu": {"0": "1"}}}},
    ...                           {"leaf": {}}, {"leaf": {}},
    ...                           {"leaf": {"bounds": {"2": {"hi": "1000001/1000000",
    ...                                                      "hi_nu": {"0": "1000001/1000000"}}}}}]},
    ...     {"sign": -1, "nodes": [{"leaf": {}}]}]}
    >>> out, st = compact_cover(X, [0, 0, F(1, 2)], F(18, 25), cover)
    >>> out["trees"][0]["nodes"][1], out["trees"][0]["nodes"][4]
    ({'split': 2}, {'leaf': {'bounds': {'2': {'hi': '1', 'hi_nu': {'0': '1'}}}}})
"""
from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Mapping

from ..linalg import fr
from ..numbers import q_str
from .cover import _bound_sq, _Context, _Reject, _sqrt_up
from .cover_producer import on_grid, quad_row

__all__ = ["compact_cover", "CompactStats"]

#: grids tried for a bound's multipliers (the bound itself is rounded up 2 bits finer)
BOUND_BITS = (6, 12)
#: at most this many declared sides on a node are tried one by one; more are group-tested
FEW = 16
#: ... and when they reach at most this many leaves (more: group tests only)
FEW_USERS = 24
#: grids tried for a leaf's multipliers, coarsest first
LEAF_BITS = (2, 3, 4, 6, 8, 10, 12)


@dataclass
class CompactStats:
    """What :func:`compact_cover` did: bound sides dropped / shortened, leaves shortened,
    leaf checks run, seconds, and the JSON size (characters) before and after."""

    dropped: int = 0
    shortened: int = 0
    leaves: int = 0
    checks: int = 0
    seconds: float = 0.0
    size_before: int = 0
    size_after: int = 0
    complete: bool = True        # False: ``time_limit`` stopped it (the cover still holds)


def _hl_key(hl: tuple | None) -> tuple | None:
    """An inherited ``(h, l)`` as integers (``fmpq`` is canonical, so injective): hashing
    ``fmpq`` goes through ``Fraction`` and cost 10 % of a compaction at n = 442."""
    if hl is None:
        return None
    return tuple(v for x in hl for v in (x.numerator, x.denominator))


class _MemoContext(_Context):
    """The exact check with its bound proofs memoised: a compaction re-checks the same
    leaves many times, and a declared bound's proof depends only on the node's ``S``, the
    sign, the declaration and the inherited values of its rows."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._memo: dict = {}

    def bounds(self, S: Mapping[int, int], s: int, bnd: Any, where: str,
               inherited: Mapping[int, tuple]) -> dict[int, tuple]:
        if not isinstance(bnd, dict):
            return super().bounds(S, s, bnd, where, inherited)
        St = tuple(sorted(S.items()))
        out = {}
        for kk, b in bnd.items():       # rows are proved independently of each other
            # repr: injective on JSON values (equal content in another key order is
            # only a miss), and 3x cheaper than json.dumps(sort_keys=True)
            key = (St, s, kk, repr(b),
                   _hl_key(inherited.get(int(kk))) if isinstance(kk, str) and kk.isdigit()
                   else None)
            if key not in self._memo:
                try:
                    self._memo[key] = super().bounds(S, s, {kk: b}, where, inherited)
                except _Reject as exc:
                    self._memo[key] = exc
            got = self._memo[key]
            if isinstance(got, _Reject):
                raise got
            out.update(got)
        return out


class _Tree:
    """One sign's pre-order tree with, per node, its constraints ``S`` and the end of its
    subtree, and the bounds in force (memoised; invalidated on a change)."""

    def __init__(self, ctx: _Context, s: int, nodes: list, stats: CompactStats) -> None:
        self.ctx, self.s, self.nodes, self.stats = ctx, s, nodes, stats
        m = len(nodes)
        self.S: list = [()] * m
        self.end: list = [0] * m
        self.parent: list = [None] * m
        open_: list = []            # [split index, children finished]
        for i, nd in enumerate(nodes):
            if open_:
                p, done = open_[-1]
                self.parent[i] = p
                self.S[i] = self.S[p] + ((nodes[p]["split"], 1 if done == 0 else -1),)
            if "split" in nd:
                open_.append([i, 0])
                continue
            self.end[i] = i + 1
            while open_:            # close every split whose second child just ended
                open_[-1][1] += 1
                if open_[-1][1] < 2:
                    break
                self.end[open_.pop()[0]] = i + 1
        self._after: dict = {}

    def after(self, i: int) -> dict:
        """Bounds in force on the children of split ``i`` (ancestors' and ``i``'s own)."""
        chain = []
        a = i
        while a is not None and a not in self._after:   # iterative: trees may be deep
            chain.append(a)
            a = self.parent[a]
        inh = self._after[a] if a is not None else {}
        for a in reversed(chain):
            b = self.nodes[a].get("bounds")
            if b:
                inh = {**inh, **self.ctx.bounds(dict(self.S[a]), self.s, b, "b", inh)}
            self._after[a] = inh
        return self._after[i]

    def before(self, i: int) -> dict:
        p = self.parent[i]
        return self.after(p) if p is not None else {}

    def users(self, i: int, k: int, side: str) -> list[int]:
        """The leaves of the subtree of ``i`` that use the side ``side`` of row ``k`` as
        declared at ``i``: ``k`` is free there and no node below ``i`` on the way (the
        leaf included) declares that side again.  Only they can change when it does."""
        out = []
        for j in range(i, self.end[i]):
            if "leaf" not in self.nodes[j] or any(a == k for a, _ in self.S[j]):
                continue
            a, shadowed = j, False
            while a != i and not shadowed:
                b = (self.nodes[a]["leaf"] if "leaf" in self.nodes[a]
                     else self.nodes[a]).get("bounds") or {}
                shadowed = side in b.get(str(k), {})
                a = self.parent[a]
            if not shadowed:
                out.append(j)
        return out

    def holds(self, i: int, leaves: list[int] | None = None) -> bool:
        """Every leaf of the subtree of ``i`` (or of ``leaves``, those a change can
        affect) passes the exact check; the memo of ``after`` is dropped first for the
        subtree, whose bounds may have changed."""
        for j in range(i, self.end[i]):
            self._after.pop(j, None)
        todo = [j for j in range(i, self.end[i]) if "leaf" in self.nodes[j]] \
            if leaves is None else leaves
        try:
            for j in todo:
                self.stats.checks += 1
                self.ctx.leaf(dict(self.S[j]), self.s, self.nodes[j]["leaf"], self.before(j))
        except _Reject:
            return False
        return True


def _size(v: Any) -> int:
    import json

    return len(json.dumps(v, separators=(",", ":")))


def _side_variant(tree: _Tree, i: int, k: int, side: str, b: Mapping, bits: int
                  ) -> dict | None:
    """A shorter proof of one declared bound side: its multipliers rounded to the grid
    ``2^-bits``, the bound rounded up from their exact norm; None if not shorter."""
    ctx, S = tree.ctx, dict(tree.S[i])
    sg = 1 if side == "hi" else -1
    nu = {int(j): Fraction(v) for j, v in b.get(f"{side}_nu", {}).items()}
    m = {j: on_grid(v, bits) for j, v in nu.items()}
    m = {j: v for j, v in m.items() if v > 0}
    h = _sqrt_up(_bound_sq(ctx.Z, ctx.L, k, sg, S, m), bits + 2)
    new = {side: q_str(h)}
    if m:
        new[f"{side}_nu"] = {str(j): q_str(v) for j, v in sorted(m.items())}
    old = {a: v for a, v in b.items() if a.startswith(side)}
    return new if _size(new) < _size(old) else None


def _sides(tree: _Tree, i: int, bnd: Mapping) -> list[tuple[int, str]]:
    """The declared sides ``(k, side)``, the least useful first: by ``|r_k|`` times what
    the side tightens its inherited value (exact), ties by row and side."""
    inh = tree.before(i)
    key = []
    for kk, b in bnd.items():
        k = int(kk)
        for idx, side in enumerate(("hi", "lo")):
            if side in b:
                old = fr(inh[k][idx]) if k in inh else tree.ctx.N[k]
                key.append((abs(tree.ctx.r[k]) * (old - Fraction(b[side])), k, side))
    return [(k, side) for _, k, side in sorted(key)]


def _edit(bnd: Mapping, drop: list, new: Mapping | None = None) -> dict:
    """``bnd`` without the sides in ``drop``, and with the sides of ``new``
    (``{(k, side): side proof}``) replaced."""
    out = {kk: dict(b) for kk, b in bnd.items()}
    for k, side in drop:
        b = out[str(k)]
        b.pop(side, None)
        b.pop(f"{side}_nu", None)
    for (k, side), proof in (new or {}).items():
        b = out[str(k)]
        b.pop(f"{side}_nu", None)
        b.update(proof)
    return {kk: b for kk, b in out.items() if b}


def _shrink_bounds(tree: _Tree, i: int, holder: dict) -> None:
    """Drop, else shorten, the bound sides declared in ``holder`` (node ``i``'s split node
    or leaf proof), keeping a change only when every leaf it can affect still closes.
    Group tests, so that hundreds of sides cost a few checks: all sides at once, else the
    longest droppable prefix of :func:`_sides` (bisection), then the rest shortened
    together on each grid of :data:`BOUND_BITS`, else one by one when few."""
    st = tree.stats
    cur = holder["bounds"]
    sides = _sides(tree, i, cur)

    def users(group):
        return sorted(set().union(*(tree.users(i, k, side) for k, side in group)))

    def attempt(new, group) -> bool:
        nonlocal cur
        holder["bounds"] = new
        if tree.holds(i, users(group)):
            cur = new
            return True
        holder["bounds"] = cur
        tree.holds(i, [])           # drop the memo computed with the change
        return False

    if len(sides) <= FEW and len(users(sides)) <= FEW_USERS:
        for ks in sides:            # one by one: drop, else the shortest proof that holds
            if attempt(_edit(cur, [ks]), [ks]):
                st.dropped += 1
                continue
            for bits in BOUND_BITS:
                v = _side_variant(tree, i, ks[0], ks[1], cur[str(ks[0])], bits)
                if v is not None and attempt(_edit(cur, [], {ks: v}), [ks]):
                    st.shortened += 1
                    break
        if not cur:
            del holder["bounds"]
        return
    lo, hi = 0, len(sides)          # dropping sides[:lo] holds; sides[:hi] is untried
    if not attempt(_edit(cur, sides), sides):
        base = cur
        # bisection on a leaf only: on a split each try re-checks its whole subtree
        # (measured at n = 442: 127 s with it, 80 s without, 5 % larger)
        while hi - lo > 1 and "leaf" in tree.nodes[i]:
            mid = (lo + hi) // 2
            if attempt(_edit(base, sides[:mid]), sides[:mid]):
                lo = mid
            else:
                hi = mid
        rest = sides[lo:]
    else:
        lo, rest = len(sides), []
    st.dropped += lo
    for bits in BOUND_BITS:
        if not rest:
            break
        new = {ks: _side_variant(tree, i, ks[0], ks[1], cur[str(ks[0])], bits) for ks in rest}
        new = {ks: v for ks, v in new.items() if v is not None}
        if new and attempt(_edit(cur, [], new), list(new)):
            st.shortened += len(new)
            rest = [ks for ks in rest if ks not in new]
    if not cur:
        del holder["bounds"]


def _rounded_leaf(proof: dict, bits: int, part: str) -> dict:
    """``proof`` with the multipliers of ``part`` (``"lin"``: nu, mu, slope; ``"quad"``:
    theta, p, eta, with t rounded up until ``4 p t >= (1 - theta)^2``) on the grid
    ``2^-bits``, clamped to their ranges."""
    new = dict(proof)                   # values are replaced, never changed in place
    one = Fraction(1)
    if part == "lin":
        for key in ("nu", "mu", "slope"):
            if key not in new:
                continue
            m = {k: max(on_grid(v, bits), Fraction(0)) for k, v in new[key].items()}
            if key != "nu":
                m = {k: min(v, one) for k, v in m.items()}
            if key != "slope":          # zero nu / mu = absent; a zero slope is not
                m = {k: v for k, v in m.items() if v}
            new[key] = {k: q_str(v) for k, v in m.items()}
            if not new[key]:
                del new[key]
        return new
    q = new["quad"] = dict(proof["quad"])
    q["rows"] = {k: row for k, (th, p, t) in q["rows"].items()
                 if (row := quad_row(th, p, t, bits)) is not None}
    q["eta"] = q_str(on_grid(q["eta"], bits))
    return new


def _shrink_leaf(tree: _Tree, i: int) -> None:
    """A leaf's own bounds, then its multipliers on the coarsest grid that still closes
    it (linear part, then quadratic part)."""
    nd = tree.nodes[i]
    if nd["leaf"].get("bounds"):
        _shrink_bounds(tree, i, nd["leaf"])
    for part in ("lin", "quad"):
        if part == "quad" and "quad" not in nd["leaf"]:
            continue
        saved = nd["leaf"]
        for bits in LEAF_BITS:
            new = _rounded_leaf(saved, bits, part)
            if _size(new) >= _size(saved):
                continue
            nd["leaf"] = new
            if tree.holds(i):
                tree.stats.leaves += 1
                break
            nd["leaf"] = saved


def compact_cover(X: Any, r: Any, lam: Any, cover: Mapping, *, progress: bool = False,
                  time_limit: float | None = None) -> tuple[dict, CompactStats]:
    """A compacted copy of a proved ``cover`` of (F) for ``(X, r, lam)`` (format 1.1 or
    1.6 JSON, as :func:`exactrelu.certificate.cover_producer.cover_proof` writes it) and
    what was done.  The tree and ``N`` are unchanged; every leaf of the result passes the
    exact check (module doc).  Raises ``ValueError`` if ``cover`` does not hold to begin
    with (nothing to compact).  ``progress``: a bar over the tree's nodes (stderr).
    ``time_limit`` (seconds): stop at the first node after it (``complete`` is then
    False); every change made so far was checked, so the cover still holds, but the
    result then depends on the machine's speed (without it, it does not)."""
    t0 = time.perf_counter()
    out = copy.deepcopy(dict(cover))
    st = CompactStats(size_before=_size(out))
    ctx = _MemoContext(X, r, lam, [Fraction(v) for v in out["N"]])
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(desc="compact", unit="node", leave=False,
                   total=2 * sum(len(t["nodes"]) for t in out["trees"]))

    def late() -> bool:
        st.complete = st.complete and (time_limit is None or
                                       time.perf_counter() - t0 <= time_limit)
        return not st.complete

    for t in out["trees"]:
        tree = _Tree(ctx, t["sign"], t["nodes"], st)
        if not tree.holds(0):
            raise ValueError("compact_cover: the cover does not hold to begin with")
        for i, nd in enumerate(t["nodes"]):
            if nd.get("bounds") and not late():
                _shrink_bounds(tree, i, nd)
            if bar is not None:
                bar.update(1)
        for i, nd in enumerate(t["nodes"]):
            if "leaf" in nd and not late():
                _shrink_leaf(tree, i)
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    st.size_after = _size(out)
    st.seconds = time.perf_counter() - t0
    return out, st
