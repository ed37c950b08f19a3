r"""Cover proofs of (F): an exact lower bound on ReLU training without listing regions.

Mathematics: ``docs/theory.md`` §7; format: ``docs/spec/cover-draft.md``.
For a rational residual ``r`` and ``lam > 0``, (F) says ``s g_r(u) <= lam ||u||`` for all
``u`` and ``s = +-1`` (``g_r(u) = sum_k r_k (x_k . u)_+``).  If (F) holds then, for every
network of every width, ``NC >= r . y - ||r||^2 / 2`` (weak duality).

A *cover* is, per sign, a tree of sign splits (pre-order list: ``{"split": k}`` is an
internal node whose children add ``(k, +1)`` then ``(k, -1)``; ``{"leaf": proof}`` a leaf)
plus one global list ``N`` of rationals with ``N_k^2 >= ||x_k||^2``.  The format, with a
worked example, is ``docs/spec/cover-draft.md``; in short, a leaf proof holds rationals
only: cone multipliers ``nu >= 0`` on the leaf's constraints, lower-relaxation slopes
``mu in [0, 1]`` for free rows with ``s r_k < 0``, optional slopes ``a in [0, 1]`` and
bounds ``x_k . u <= h ||u||``, ``-x_k . u <= l ||u||`` (each proved by multipliers,
``h^2 >= ||x_k + sum_j nu_j sigma_j x_j||^2``) for free rows with ``s r_k > 0``; bounds
declared on a split hold on its subtree.

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
import re
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Mapping, Sequence

import flint

from ..errors import ExactReluError
from ..linalg import fq
from ..numbers import dot, q_str, sqnorm, sqrt_bounds, to_q

__all__ = ["CoverResult", "CoverBound", "cover_proof", "verify_cover", "cover_lower_bound",
           "norm_bounds", "scale_for_gap", "cover_size", "CoverRoute", "cover_route"]


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


_QRE = re.compile(r"(-?)(0|[1-9][0-9]*)(?:/([1-9][0-9]*))?\Z")


def _q(text: Any, where: str) -> "flint.fmpq":
    """A rational of the cover: ``p`` or ``p/q`` text (as everywhere in the certificate
    format), as a python-flint ``fmpq`` (the checker computes in fmpq and integers)."""
    if not isinstance(text, str):
        raise _Reject(f"{where}: expected a rational string, got {type(text).__name__}")
    m = _QRE.match(text)
    if not m or len(text) > 4000:
        raise _Reject(f"{where}: not a rational p or p/q: {text[:40]!r}")
    sg, p, q = m.groups()
    return flint.fmpq(-int(p) if sg else int(p), int(q) if q else 1)


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


def _sparse(m: Any, n: int, where: str) -> dict[int, "flint.fmpq"]:
    if not isinstance(m, dict):
        raise _Reject(f"{where}: expected an object")
    return {_idx(k, n, f"{where}[{k}]"): _q(v, f"{where}[{k}]") for k, v in m.items()}


def _fraction(x: "flint.fmpq") -> Fraction:
    return Fraction(int(x.p), int(x.q))


def _float(x: "flint.fmpq") -> float:
    return float(_fraction(x))


def _bound_sq(Z: Sequence[Sequence[int]], L: int, k: int, sg: int, S: Mapping[int, int],
              m: Mapping[int, Any]) -> tuple[int, int]:
    """``||sg x_k + sum_j m_j sigma_j x_j||^2 = num / den`` exactly, in integers
    (``X = Z / L``; ``m`` values Fractions or fmpq)."""
    pq = [(j, int(t.numerator), int(t.denominator)) for j, t in m.items()]
    D = 1
    for _, _, q in pq:
        D = math.lcm(D, q)
    v = [sg * D * a for a in Z[k]]
    for j, p, q in pq:
        c = S[j] * p * (D // q)
        v = [a + c * b for a, b in zip(v, Z[j])]
    return sum(a * a for a in v), (L * D) ** 2


def _proves(h: Any, sq: tuple[int, int]) -> bool:
    """``h >= 0`` and ``h^2 >= num / den`` (integers)."""
    hp, hq = int(h.numerator), int(h.denominator)
    return hp >= 0 and hp * hp * sq[1] >= hq * hq * sq[0]


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
        self.fN = [fq(a) for a in self.N]
        self.flam = fq(self.lam)
        self.L = 1
        for row in self.X:
            for a in row:
                self.L = math.lcm(self.L, a.denominator)
        self.Z = [[int(a * self.L) for a in row] for row in self.X]
        self.Xt = flint.fmpq_mat(self.d, self.n, [fq(self.X[k][j]) for j in range(self.d)
                                                  for k in range(self.n)])
        # per sign: s r_k, the default chord (N, N) -> slope 1/2, intercept N_k / 2
        self.sr = {s: [s * a for a in self.r] for s in (1, -1)}
        self.fsr = {s: [fq(a) for a in v] for s, v in self.sr.items()}
        self.fhalf = {s: [fq(a / 2) for a in v] for s, v in self.sr.items()}
        dbeta = {s: [a * Nk / 2 if a > 0 else Fraction(0) for a, Nk in zip(v, self.N)]
                 for s, v in self.sr.items()}
        self.dbeta = {s: [fq(a) for a in v] for s, v in dbeta.items()}
        self.dbeta_total = {s: fq(sum(v, Fraction(0))) for s, v in dbeta.items()}
        self.zero = flint.fmpq(0)

    def bounds(self, S: Mapping[int, int], s: int, bnd: Any, where: str,
               inherited: Mapping[int, tuple]) -> dict[int, tuple]:
        """Check bound proofs declared on a node with constraints ``S``: ``{k: (h, l)}``
        with ``x_k . u <= h ||u||`` and ``-x_k . u <= l ||u||`` on its cone; a side not
        declared keeps its ``inherited`` value (else ``N_k``)."""
        if not isinstance(bnd, dict):
            raise _Reject(f"{where}: expected an object")
        sr = self.sr[s]
        out = {}
        for kk, b in bnd.items():
            k = _idx(kk, self.n, f"{where}[{kk}]")
            if k in S or not sr[k] > 0:
                raise _Reject(f"{where}[{k}]: row {k} is not a free row with s r_k > 0")
            if not isinstance(b, dict) or not set(b) <= {"hi", "hi_nu", "lo", "lo_nu"} or not b:
                raise _Reject(f"{where}[{k}]: expected keys hi, hi_nu, lo, lo_nu")
            hl = []
            old = inherited.get(k, (self.fN[k], self.fN[k]))
            for idx, (side, sg) in enumerate((("hi", 1), ("lo", -1))):
                if side not in b:
                    if f"{side}_nu" in b:
                        raise _Reject(f"{where}[{k}]: {side}_nu without {side}")
                    hl.append(old[idx])
                    continue
                h = _q(b[side], f"{where}[{k}].{side}")
                m = _sparse(b.get(f"{side}_nu", {}), self.n, f"{where}[{k}].{side}_nu")
                for j, t in m.items():
                    if j not in S:
                        raise _Reject(f"{where}[{k}].{side}_nu[{j}]: row {j} is not a "
                                      "constraint of this node")
                    if t < 0:
                        raise _Reject(f"{where}[{k}].{side}_nu[{j}] is negative")
                if not _proves(h, _bound_sq(self.Z, self.L, k, sg, S, m)):
                    raise _Reject(f"{where}[{k}].{side} = {h} is not proved by its multipliers")
                hl.append(h)
            out[k] = (hl[0], hl[1])
        return out

    def leaf(self, S: Mapping[int, int], s: int, proof: Any,
             inherited: Mapping[int, tuple] | None = None) -> tuple[Fraction, Fraction]:
        """Check one leaf (``inherited``: bounds proved, and checked, on its ancestors);
        returns ``(lam - beta, ||w||^2)`` (exact) or raises _Reject."""
        if not isinstance(proof, dict) or not set(proof) <= {"nu", "mu", "slope", "bounds"}:
            raise _Reject("leaf: expected an object with keys nu, mu, slope, bounds")
        n = self.n
        sr = self.sr[s]             # Fractions: signs only
        fr_ = self.fsr[s]           # fmpq: arithmetic
        nu = _sparse(proof.get("nu", {}), n, "nu")
        mu = _sparse(proof.get("mu", {}), n, "mu")
        slope = _sparse(proof.get("slope", {}), n, "slope")
        bounds = dict(inherited or {})
        bounds.update(self.bounds(S, s, proof.get("bounds", {}), "bounds", bounds))
        fhalf, fsr, zero = self.fhalf[s], self.fsr[s], self.zero
        # default relaxation of the free rows with s r_k > 0: the chord on [-N_k, N_k]
        coef = [fhalf[k] if sr[k] > 0 else zero for k in range(n)]
        beta = self.dbeta_total[s]
        for k, sg in S.items():
            beta -= self.dbeta[s][k]
            coef[k] = fsr[k] if sg > 0 else zero
        for j, v in nu.items():
            if j not in S:
                raise _Reject(f"nu[{j}]: row {j} is not a constraint of this leaf")
            if v < 0:
                raise _Reject(f"nu[{j}] = {v} is negative")
            coef[j] += v if S[j] > 0 else -v
        for k, v in mu.items():
            if k in S or not sr[k] < 0:
                raise _Reject(f"mu[{k}]: row {k} is not a free row with s r_k < 0")
            if not 0 <= v <= 1:
                raise _Reject(f"mu[{k}] = {v} is outside [0, 1]")
            coef[k] = fr_[k] * v
        for k, a in slope.items():
            if k in S or not sr[k] > 0:
                raise _Reject(f"slope[{k}]: row {k} is not a free row with s r_k > 0")
            if not 0 <= a <= 1:
                raise _Reject(f"slope[{k}] = {a} is outside [0, 1]")
        for k, (h, l) in bounds.items():
            if k in S:
                continue                # fixed on this leaf: the bound is not used
            beta -= self.dbeta[s][k]
            a = slope.get(k)
            if a is not None:           # (z)_+ <= a z + max((1 - a) h, a l) on [-l, h]
                coef[k] = fr_[k] * a
                beta += fr_[k] * max((1 - a) * h, a * l)
            elif h == 0:
                coef[k] = zero
            elif l == 0:
                coef[k] = fsr[k]
            else:
                coef[k] = fr_[k] * h / (h + l)
                beta += fr_[k] * h * l / (h + l)
        for k, a in slope.items():
            if k not in bounds:         # a slope with the global bounds [-N_k, N_k]
                beta -= self.dbeta[s][k]
                coef[k] = fr_[k] * a
                beta += fr_[k] * self.fN[k] * max(1 - a, a)
        slack = self.flam - beta
        if slack < 0:
            raise _Reject(f"beta = {_float(beta):.6g} "
                          "exceeds lam")
        w = self.Xt * flint.fmpq_mat(n, 1, coef)
        w2 = sum((w[j, 0] * w[j, 0] for j in range(self.d)), flint.fmpq(0))
        if w2 > slack * slack:
            raise _Reject(f"||w||^2 = {_float(w2):.17g} > "
                          f"(lam - beta)^2 = {_float(slack * slack):.17g}")
        return Fraction(int(slack.p), int(slack.q)), Fraction(int(w2.p), int(w2.q))


def _replay(ctx: _Context, sign: int, nodes: Any, leaf_hook=None) -> int:
    """Replay one sign's pre-order tree, checking every leaf; returns the leaf count.
    A split's ``bounds`` are proved on its cone and inherited by its subtree."""
    if sign not in (1, -1):
        raise _Reject(f"tree sign {sign!r}: expected 1 or -1")
    if not isinstance(nodes, list):
        raise _Reject(f"tree for sign {sign}: expected a list")
    stack: list[tuple] = [((), {})]
    i = leaves = 0
    while stack:
        S, inh = stack.pop()
        if i >= len(nodes):
            raise _Reject(f"tree for sign {sign}: ends early (a subtree is missing)")
        item = nodes[i]
        where = f"tree for sign {sign}, node {i}"
        i += 1
        if isinstance(item, dict) and "split" in item and set(item) <= {"split", "bounds"}:
            if not isinstance(item["split"], int) or isinstance(item["split"], bool):
                raise _Reject(f"{where}: a split index must be a JSON integer")
            k = _idx(item["split"], ctx.n, where)
            if any(j == k for j, _ in S):
                raise _Reject(f"{where}: split index {k} repeated on its path")
            if "bounds" in item:
                try:
                    new = ctx.bounds(dict(S), sign, item["bounds"], "bounds", inh)
                except _Reject as exc:
                    raise _Reject(f"{where} (S = {list(S)}): {exc}") from None
                inh = {**inh, **new}
            stack.append((S + ((k, -1),), inh))
            stack.append((S + ((k, 1),), inh))
        elif isinstance(item, dict) and set(item) == {"leaf"}:
            try:
                res = ctx.leaf(dict(S), sign, item["leaf"], inh)
            except _Reject as exc:
                raise _Reject(f"{where} (S = {list(S)}): {exc}") from None
            if leaf_hook is not None:
                leaf_hook(S, res)
            leaves += 1
        else:
            raise _Reject(f"{where}: expected {{'split': k[, 'bounds': ...]}} or "
                          "{'leaf': ...}")
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
        Nq = [_fraction(_q(v, f"N[{k}]")) for k, v in enumerate(N)]
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
    """Rounds float nodes to rationals: the bounds a split proves (``on_split``) and the
    leaf proofs, each checked exactly before the search may close the leaf (``accept``)."""

    def __init__(self, ctx: _Context, bits: int) -> None:
        self.ctx = ctx
        self.bits = bits
        self.leaves: dict = {}
        self.split_bounds: dict = {}     # (s, S) -> (json, {k: (h, l)})
        self.failures = 0
        self.repaired = 0
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
                one = 1 << bits
                mi = {j: int(round(t * one)) for j, t in (m or {}).items()}
                mi = {j: t for j, t in mi.items() if t > 0}
                # v * L * 2^bits in integers; h = ceil(||v|| 2^bits) / 2^bits
                Z = self.ctx.Z
                v = [sg * one * a for a in Z[k]]
                for j, t in mi.items():
                    c = S[j] * t
                    v = [a + c * z for a, z in zip(v, Z[j])]
                num, den = sum(a * a for a in v), (self.ctx.L * one) ** 2
                t4 = (num << (2 * bits)) // den
                hs = math.isqrt(t4)
                if hs * hs * den != num << (2 * bits):
                    hs += 1
                h = Fraction(hs, one)
                if h * h * den < num:  # pragma: no cover - (hs)^2 >= t4 + 1 > num 4^b / den
                    raise ExactReluError("internal: bound rounding failed")
                mq = {j: Fraction(t, one) for j, t in mi.items()}
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

    def _inherited_f(self, s: int, S: tuple) -> dict:
        """The inherited bounds as fmpq, for the checker."""
        return {k: (fq(h), fq(l)) for k, (h, l) in self.inherited(s, S).items()}

    def inherited(self, s: int, S: tuple) -> dict:
        out: dict = {}
        for i in range(len(S)):
            got = self.split_bounds.get((s, S[:i]))
            if got:
                out.update(got[1])
        return out

    def on_split(self, node, rel, s) -> None:
        t0 = time.perf_counter()
        inh = self.inherited(s, node.S)
        js, vals = self._bounds(rel, dict(node.S), self.bits, inh)
        if js:
            self.split_bounds[(s, node.S)] = (js, vals)
        self.seconds += time.perf_counter() - t0

    def _round(self, rel, S: Mapping[int, int], bits: int, inh: Mapping) -> dict:
        nu = {j: _dyadic(v, bits) for j, v in rel.nu.items()}
        mu = {k: min(Fraction(1), max(Fraction(0), _dyadic(v, bits))) for k, v in rel.mu.items()}
        sl = {k: min(Fraction(1), max(Fraction(0), _dyadic(v, bits)))
              for k, v in rel.slopes.items()}
        js, _ = self._bounds(rel, S, bits, inh)
        out: dict = {"nu": _sq({j: v for j, v in nu.items() if v > 0}), "mu": _sq(mu),
                     "slope": _sq(sl), "bounds": js}
        return {k: v for k, v in out.items() if v}

    def _region(self, S: Mapping[int, int], s: int) -> dict | None:
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
            self.ctx.leaf(S, s, proof, self._inherited_f(s, tuple(S.items())))
        except _Reject:
            return None
        return proof

    def __call__(self, node, rel, s) -> bool:
        t0 = time.perf_counter()
        S = dict(node.S)
        inh = self.inherited(s, node.S)
        finh = self._inherited_f(s, node.S)
        try:
            for extra in (0, 24):
                proof = self._round(rel, S, self.bits + extra, inh)
                try:
                    self.ctx.leaf(S, s, proof, finh)
                except _Reject:
                    self.failures += 1
                    continue
                if extra:
                    self.repaired += 1
                self.leaves[(s, node.S)] = proof
                return True
            proof = self._region(S, s)
            if proof is not None:
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


def cover_proof(X: Sequence[Sequence[Any]], r: Sequence[Any], lam: Any, *, rule: str = "hybrid",
                budget: int = 200_000, margin: float = 1e-9, bits: int = 40,
                chord: bool = True, improve: float = 0.05, progress: bool = False,
                time_limit: float | None = None) -> CoverResult:
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
                     improve=improve, time_limit=time_limit,
                     progress=progress, accept=ex, on_split=ex.on_split)
        t_search += res.seconds
        nodes[s], depth[s] = res.nodes, res.max_depth
        if res.status != "proved":
            return CoverResult(res.status, None, nodes, depth, t_search - ex.seconds,
                               ex.seconds, ex.failures, res.witness, s, res.witness_value)
        out = []
        for item in res.tree:
            if item[0] == "split":
                sb = ex.split_bounds.get((s, item[3].S))
                out.append({"split": int(item[1]), "bounds": sb[0]} if sb
                           else {"split": int(item[1])})
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


def cover_route(data, lam: Any, *, gap: Any = Fraction(1, 10 ** 6), max_rounds: int = 8,
                bits: int = 48, verbose: bool = False, **kw: Any) -> CoverRoute:
    """A complete lower bound without enumerating regions: column generation
    (:func:`exactrelu.approx.cover_search.solve_by_columns`) for the residual, rounded to
    a dyadic rational, then a cover proof of (F) for ``t r``.  A refuted cover search
    names a direction where (F) fails: its pattern joins the working set and the solve
    is repeated (the search acts as the exhaustive pricer the heuristic one is not)."""
    import numpy as np

    from ..approx.cover_search import _region_search, patterns_of, solve_by_columns

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
        r0 = [_dyadic(v, bits) for v in cs.solution.residual]
        cb = cover_lower_bound(data, lam, r0, gap=gap, **kw)
        res = cb.result
        secs["search"] += res.seconds_search
        secs["exact"] += res.seconds_exact
        log.append({"round": rounds, "patterns": int(len(cs.patterns)),
                    "objective": float(cs.solution.objective), "status": res.status,
                    "nodes": dict(res.nodes)})
        if verbose:
            print(log[-1])
        if cb.lower is not None or res.witness is None:
            break
        s = res.witness_sign
        rf = np.array([float(a) for a in cb.r])
        _, u2 = _region_search(Xf, rf, s, np.asarray(res.witness))
        new = patterns_of(Xf, np.array([res.witness, u2]))
        extra = new if extra is None else np.vstack([extra, new])
        extra = np.vstack([extra, cs.patterns])
    return CoverRoute(cb if cb is not None and cb.lower is not None else cb, rounds,
                      int(len(cs.patterns)) if cs is not None else 0,
                      float(cs.solution.objective) if cs is not None else float("nan"),
                      len(cs.solution.active) if cs is not None else 0, secs, log)
