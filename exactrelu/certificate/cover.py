r"""Cover proofs of (F): an exact lower bound on ReLU training without listing regions.

Mathematics: ``shared/theory/cover-proofs.md``; format: ``docs/spec/cover-draft.md``.
For a rational residual ``r`` and ``lam > 0``, (F) says ``s g_r(u) <= lam ||u||`` for all
``u`` and ``s = +-1`` (``g_r(u) = sum_k r_k (x_k . u)_+``).  If (F) holds then, for every
network of every width, ``NC >= r . y - ||r||^2 / 2`` (weak duality).

A *cover* is, per sign, a tree of sign splits (pre-order list: ``{"split": k}`` is an
internal node whose children add ``(k, +1)`` then ``(k, -1)``; ``{"leaf": proof}`` a leaf)
plus one global list ``N`` of rationals with ``N_k^2 >= ||x_k||^2``.  A leaf proof holds
rationals only:

* ``nu``: ``{j: nu_j >= 0}`` for rows ``j`` of the leaf's constraint set ``S``;
* ``mu``: ``{k: 0 <= mu_k <= 1}`` for free rows with ``s r_k < 0`` (absent: 0);
* ``bounds``: ``{k: {"hi": h, "hi_nu": {...}, "lo": l, "lo_nu": {...}, "a": a}}`` for
  free rows with ``s r_k > 0``; ``h >= 0`` with ``h^2 >= ||x_k + sum_j nu_j sigma_j x_j||^2``
  proves ``x_k . u <= h ||u||`` on the leaf's cone, ``l`` likewise for ``-x_k``.  A missing
  side is ``N_k``.  The row is then bounded by ``(z)_+ <= a z + max((1 - a) h, a l)`` for
  ``z = x_k . u / ||u|| in [-l, h]``: with the given slope ``a in [0, 1]``, else the chord
  (``a = h / (h + l)``; ``a = 0`` if ``h = 0``, ``a = 1`` if ``l = 0``).

The checker (:func:`verify_cover`) recomputes, per leaf, ``c``, ``beta`` and
``w = c + sum_j nu_j sigma_j x_j`` and accepts iff ``lam - beta >= 0`` and
``||w||^2 <= (lam - beta)^2`` -- exact rationals, no square root, no float; time linear
in the tree (one ``d x n`` rational matrix-vector product per leaf, in python-flint).

The producer (:func:`cover_proof`) runs the float search of
:mod:`exactrelu.approx.cover_search`, rounds every float-closed leaf to dyadic
rationals and checks it with the same leaf check as the verifier before accepting it; a
leaf that fails is re-rounded with more bits, then split further (the search treats it
as open).
"""
from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Mapping, Sequence

import flint

from ..errors import ExactReluError
from ..linalg import fq
from ..numbers import dot, q_str, sqnorm, sqrt_bounds, to_q

__all__ = ["CoverResult", "CoverBound", "cover_proof", "verify_cover", "cover_lower_bound",
           "norm_bounds", "scale_for_gap", "cover_size"]


def _dyadic_up(q: Fraction, bits: int) -> Fraction:
    one = 1 << bits
    return Fraction(math.ceil(q * one), one)


def _dyadic(x: float, bits: int) -> Fraction:
    """``round(x 2^bits) / 2^bits`` -- the explicit float -> Q step of the producer."""
    return Fraction(int(round(float(x) * (1 << bits))), 1 << bits)


def norm_bounds(X: Sequence[Sequence[Fraction]], bits: int = 32) -> list[Fraction]:
    """Short rationals ``N_k >= ||x_k||`` (exact when ``||x_k||`` is rational), proved by
    squaring."""
    out = []
    for x in X:
        q = sqnorm(x)
        hi = sqrt_bounds(q, bits + 8)[1]
        N = hi if hi * hi == q else _dyadic_up(hi, bits)
        if N < 0 or N * N < q:  # pragma: no cover - guaranteed by sqrt_bounds
            raise ExactReluError("internal: norm bound failed")
        out.append(N)
    return out


# ------------------------------------------------------------------------ exact checking

class _Reject(Exception):
    pass


def _q(text: Any, where: str) -> Fraction:
    if not isinstance(text, str):
        raise _Reject(f"{where}: expected a rational string, got {type(text).__name__}")
    try:
        from ..numbers import parse_rational

        return parse_rational(text)
    except Exception:
        raise _Reject(f"{where}: not a rational: {text!r}") from None


def _idx(text: Any, n: int, where: str) -> int:
    if isinstance(text, bool):
        raise _Reject(f"{where}: bad index {text!r}")
    if isinstance(text, str):
        if not text.isdigit() or (len(text) > 1 and text[0] == "0"):
            raise _Reject(f"{where}: bad index {text!r}")
        k = int(text)
    elif isinstance(text, int):
        k = text
    else:
        raise _Reject(f"{where}: bad index {text!r}")
    if not 0 <= k < n:
        raise _Reject(f"{where}: index {k} out of range 0..{n - 1}")
    return k


def _sparse(m: Any, n: int, where: str) -> dict[int, Fraction]:
    if not isinstance(m, dict):
        raise _Reject(f"{where}: expected an object")
    return {_idx(k, n, f"{where}[{k}]"): _q(v, f"{where}[{k}]") for k, v in m.items()}


class _Context:
    """Exact data of one (F) instance, prepared once for all leaves."""

    def __init__(self, X: Sequence[Sequence[Any]], r: Sequence[Any], lam: Any,
                 N: Sequence[Fraction]) -> None:
        self.X = [tuple(to_q(a) for a in row) for row in X]
        self.r = [to_q(a) for a in r]
        self.lam = to_q(lam)
        self.n = len(self.X)
        self.d = len(self.X[0]) if self.X else 0
        if len(self.r) != self.n or len(N) != self.n:
            raise _Reject("r and N must have one entry per row of X")
        if self.lam <= 0:
            raise _Reject("lam must be positive")
        for k, (x, Nk) in enumerate(zip(self.X, N)):
            if Nk < 0 or Nk * Nk < sqnorm(x):
                raise _Reject(f"N[{k}] = {Nk} is not an upper bound of ||x_{k}||")
        self.N = list(N)
        self.Xt = flint.fmpq_mat(self.d, self.n, [fq(self.X[k][j]) for j in range(self.d)
                                                  for k in range(self.n)])

    def leaf(self, S: Mapping[int, int], s: int, proof: Any) -> tuple[Fraction, Fraction]:
        """Check one leaf; returns ``(lam - beta, ||w||^2)`` (exact) or raises _Reject."""
        if not isinstance(proof, dict) or not set(proof) <= {"nu", "mu", "bounds"}:
            raise _Reject("leaf: expected an object with keys nu, mu, bounds")
        n, X = self.n, self.X
        sr = [s * a for a in self.r]
        nu = _sparse(proof.get("nu", {}), n, "nu")
        mu = _sparse(proof.get("mu", {}), n, "mu")
        bnd = proof.get("bounds", {})
        if not isinstance(bnd, dict):
            raise _Reject("bounds: expected an object")
        coef = [Fraction(0)] * n
        for j, v in nu.items():
            if j not in S:
                raise _Reject(f"nu[{j}]: row {j} is not a constraint of this leaf")
            if v < 0:
                raise _Reject(f"nu[{j}] = {v} is negative")
            coef[j] += S[j] * v
        for k, v in mu.items():
            if k in S or not sr[k] < 0:
                raise _Reject(f"mu[{k}]: row {k} is not a free row with s r_k < 0")
            if not 0 <= v <= 1:
                raise _Reject(f"mu[{k}] = {v} is outside [0, 1]")
            coef[k] += sr[k] * v
        bounds: dict[int, tuple[Fraction, Fraction]] = {}
        for kk, b in bnd.items():
            k = _idx(kk, n, f"bounds[{kk}]")
            if k in S or not sr[k] > 0:
                raise _Reject(f"bounds[{k}]: row {k} is not a free row with s r_k > 0")
            if not isinstance(b, dict) or not set(b) <= {"hi", "hi_nu", "lo", "lo_nu", "a"}:
                raise _Reject(f"bounds[{k}]: expected keys hi, hi_nu, lo, lo_nu, a")
            hl = []
            for side, sg in (("hi", 1), ("lo", -1)):
                if side not in b:
                    if f"{side}_nu" in b:
                        raise _Reject(f"bounds[{k}]: {side}_nu without {side}")
                    hl.append(self.N[k])
                    continue
                h = _q(b[side], f"bounds[{k}].{side}")
                m = _sparse(b.get(f"{side}_nu", {}), n, f"bounds[{k}].{side}_nu")
                v = [sg * a for a in X[k]]
                for j, t in m.items():
                    if j not in S:
                        raise _Reject(f"bounds[{k}].{side}_nu[{j}]: row {j} is not a "
                                      "constraint of this leaf")
                    if t < 0:
                        raise _Reject(f"bounds[{k}].{side}_nu[{j}] is negative")
                    st = S[j] * t
                    v = [a + st * c for a, c in zip(v, X[j])]
                if h < 0 or h * h < sqnorm(v):
                    raise _Reject(f"bounds[{k}].{side} = {h} is not proved by its multipliers")
                hl.append(h)
            slope = None
            if "a" in b:
                slope = _q(b["a"], f"bounds[{k}].a")
                if not 0 <= slope <= 1:
                    raise _Reject(f"bounds[{k}].a = {slope} is outside [0, 1]")
            bounds[k] = (hl[0], hl[1], slope)
        beta = Fraction(0)
        for k in range(n):
            if k in S:
                if S[k] > 0:
                    coef[k] += sr[k]
                continue
            if not sr[k] > 0:
                continue
            h, l, slope = bounds.get(k, (self.N[k], self.N[k], None))
            if slope is not None:       # (z)_+ <= a z + max((1 - a) h, a l) on [-l, h]
                coef[k] += sr[k] * slope
                beta += sr[k] * max((1 - slope) * h, slope * l)
                continue
            if h == 0:
                continue
            if l == 0:
                coef[k] += sr[k]
                continue
            coef[k] += sr[k] * h / (h + l)
            beta += sr[k] * h * l / (h + l)
        slack = self.lam - beta
        if slack < 0:
            raise _Reject(f"beta = {float(beta):.6g} exceeds lam")
        cv = flint.fmpq_mat(n, 1, [fq(a) for a in coef])
        w = self.Xt * cv
        w2 = sum((w[j, 0] * w[j, 0] for j in range(self.d)), flint.fmpq(0))
        w2f = Fraction(int(w2.p), int(w2.q))
        if w2f > slack * slack:
            raise _Reject(f"||w||^2 = {float(w2f):.17g} > (lam - beta)^2 = "
                          f"{float(slack * slack):.17g}")
        return slack, w2f


def _replay(ctx: _Context, sign: int, nodes: Any, leaf_hook=None) -> int:
    """Replay one sign's pre-order tree, checking every leaf; returns the leaf count."""
    if not isinstance(nodes, list):
        raise _Reject(f"tree for sign {sign}: expected a list")
    stack: list[tuple] = [()]
    i = leaves = 0
    while stack:
        S = stack.pop()
        if i >= len(nodes):
            raise _Reject(f"tree for sign {sign}: ends early (a subtree is missing)")
        item = nodes[i]
        where = f"tree for sign {sign}, node {i}"
        i += 1
        if isinstance(item, dict) and set(item) == {"split"}:
            if not isinstance(item["split"], int) or isinstance(item["split"], bool):
                raise _Reject(f"{where}: a split index must be a JSON integer")
            k = _idx(item["split"], ctx.n, where)
            if any(j == k for j, _ in S):
                raise _Reject(f"{where}: split index {k} repeated on its path")
            stack.append(S + ((k, -1),))
            stack.append(S + ((k, 1),))
        elif isinstance(item, dict) and set(item) == {"leaf"}:
            try:
                res = ctx.leaf(dict(S), sign, item["leaf"])
            except _Reject as exc:
                raise _Reject(f"{where} (S = {list(S)}): {exc}") from None
            if leaf_hook is not None:
                leaf_hook(S, res)
            leaves += 1
        else:
            raise _Reject(f"{where}: expected {{'split': k}} or {{'leaf': ...}}")
    if i != len(nodes):
        raise _Reject(f"tree for sign {sign}: {len(nodes) - i} nodes after the end of the tree")
    return leaves


def verify_cover(X: Sequence[Sequence[Any]], r: Sequence[Any], lam: Any, cover: Any
                 ) -> tuple[bool, str]:
    """Check a cover exactly: ``(True, summary)`` iff it proves (F) for ``r``, else
    ``(False, reason)``.  Time linear in the tree (see the module doc)."""
    try:
        if not isinstance(cover, dict) or set(cover) - {"N", "trees", "version"}:
            raise _Reject("cover: expected an object with keys N, trees")
        N = cover.get("N")
        if not isinstance(N, list):
            raise _Reject("cover.N: expected a list")
        Nq = [_q(v, f"N[{k}]") for k, v in enumerate(N)]
        ctx = _Context(X, r, lam, Nq)
        trees = cover.get("trees")
        if not isinstance(trees, list) or len(trees) != 2 or \
                sorted(t.get("sign") if isinstance(t, dict) else None for t in trees
                       if isinstance(t, dict)) != [-1, 1]:
            raise _Reject("cover.trees: expected one tree per sign (+1 and -1)")
        total = 0
        for t in trees:
            if set(t) != {"sign", "nodes"}:
                raise _Reject("cover.trees[]: expected keys sign, nodes")
            total += _replay(ctx, t["sign"], t["nodes"])
    except _Reject as exc:
        return False, str(exc)
    return True, f"(F) proved: {total} leaves"


def cover_size(cover: Mapping) -> int:
    """Number of tree nodes (both signs)."""
    return sum(len(t["nodes"]) for t in cover["trees"])


# ------------------------------------------------------------------------------ producer

def _sq(m: Mapping[int, Fraction]) -> dict[str, str]:
    return {str(k): q_str(v) for k, v in sorted(m.items()) if v != 0}


class _Exactifier:
    """Rounds float leaves to rationals and checks them (the ``accept`` hook)."""

    def __init__(self, ctx: _Context, bits: int) -> None:
        self.ctx = ctx
        self.bits = bits
        self.leaves: dict = {}
        self.failures = 0
        self.repaired = 0
        self.seconds = 0.0

    def _round(self, rel, S: Mapping[int, int], bits: int) -> dict:
        X = self.ctx.X
        nu = {j: _dyadic(v, bits) for j, v in rel.nu.items()}
        mu = {k: min(Fraction(1), max(Fraction(0), _dyadic(v, bits))) for k, v in rel.mu.items()}
        bounds: dict = {}
        for k, bd in rel.bounds.items():
            hi, hi_nu, lo, lo_nu = bd[:4]
            b: dict = {}
            for side, sg, val, m in (("hi", 1, hi, hi_nu), ("lo", -1, lo, lo_nu)):
                if val is None:
                    continue
                mq = {j: _dyadic(t, bits) for j, t in (m or {}).items()}
                mq = {j: t for j, t in mq.items() if t > 0}
                v = [sg * a for a in X[k]]
                for j, t in mq.items():
                    st = S[j] * t
                    v = [a + st * c for a, c in zip(v, X[j])]
                q = sqnorm(v)
                h = sqrt_bounds(q, bits + 8)[1]
                if h * h != q:
                    h = _dyadic_up(h, bits)
                if h >= self.ctx.N[k]:
                    continue            # no better than the global bound
                b[side] = q_str(h)
                if mq:
                    b[f"{side}_nu"] = _sq(mq)
            if len(bd) > 4:
                b["a"] = q_str(min(Fraction(1), max(Fraction(0), _dyadic(bd[4], bits))))
            if b:
                bounds[str(k)] = b
        out: dict = {}
        if nu:
            out["nu"] = _sq({j: v for j, v in nu.items() if v > 0})
        if mu:
            out["mu"] = _sq(mu)
        if bounds:
            out["bounds"] = bounds
        return {k: v for k, v in out.items() if v}

    def __call__(self, node, rel, s) -> bool:
        t0 = time.perf_counter()
        S = dict(node.S)
        try:
            for extra in (0, 24):
                proof = self._round(rel, S, self.bits + extra)
                try:
                    self.ctx.leaf(S, s, proof)
                except _Reject:
                    self.failures += 1
                    continue
                if extra:
                    self.repaired += 1
                self.leaves[(s, node.S)] = proof
                return True
            return False        # the search splits the node further
        finally:
            self.seconds += time.perf_counter() - t0


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


def cover_proof(X: Sequence[Sequence[Any]], r: Sequence[Any], lam: Any, *, rule: str = "gap",
                budget: int = 200_000, margin: float = 1e-9, bits: int = 40,
                chord: bool = True, progress: bool = False) -> CoverResult:
    """Search a cover tree for (F) at ``r`` and return it with exact leaf proofs."""
    from ..approx.cover_search import make_problem, search

    Xq = [tuple(to_q(a) for a in row) for row in X]
    rq = [to_q(a) for a in r]
    lamq = to_q(lam)
    N = norm_bounds(Xq)
    ctx = _Context(Xq, rq, lamq, N)
    P = make_problem([[float(a) for a in row] for row in Xq], [float(a) for a in rq],
                     float(lamq), [float(a) for a in N])
    ex = _Exactifier(ctx, bits)
    trees, nodes, depth = [], {}, {}
    t_search = 0.0
    for s in (1, -1):
        res = search(P, s, rule=rule, margin=margin, budget=budget, chord=chord,
                     progress=progress, accept=ex)
        t_search += res.seconds
        nodes[s], depth[s] = res.nodes, res.max_depth
        if res.status != "proved":
            return CoverResult(res.status, None, nodes, depth, t_search - ex.seconds,
                               ex.seconds, ex.failures, res.witness, s, res.witness_value)
        out = []
        for item in res.tree:
            if item[0] == "split":
                out.append({"split": int(item[1])})
            else:
                out.append({"leaf": ex.leaves[(s, item[2].S)]})
        trees.append({"sign": s, "nodes": out})
    cover = {"version": "draft-1", "N": [q_str(v) for v in N], "trees": trees}
    return CoverResult("proved", cover, nodes, depth, t_search - ex.seconds, ex.seconds,
                       ex.failures)


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
    stats: dict = field(default_factory=dict)


def cover_lower_bound(data, lam: Any, r0: Sequence[Any], *, gap: Any = Fraction(1, 10 ** 6),
                      **kw: Any) -> CoverBound:
    """Scale ``r0`` by ``t`` (:func:`scale_for_gap`), prove (F) for ``t r0`` by a cover and
    return the lower bound (``lower`` None if the cover search did not prove (F))."""
    r0q = [to_q(a) for a in r0]
    t = scale_for_gap(r0q, data.y, Fraction(gap))
    r = tuple(t * a for a in r0q)
    res = cover_proof(data.X, r, lam, **kw)
    lower = None
    if res.status == "proved":
        ok, why = verify_cover(data.X, r, lam, res.cover)
        if not ok:  # pragma: no cover - every leaf was already checked
            raise ExactReluError(f"internal: cover failed its own check: {why}")
        lower = dot(r, data.y) - sqnorm(r) / 2
    return CoverBound(lower, t, r, res)


def dumps_cover(cover: Mapping) -> str:
    return json.dumps(cover, separators=(",", ":"))
