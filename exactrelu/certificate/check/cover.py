"""Check 7 of the library checker: the ``cover`` section (format minor version 1.1).

``docs/spec/certificate-v1.md``, section "Minor version 1.1": a cover proves
``(F) s g_r(u) <= lam ||u||`` on all of ``R^d`` for ``r = dual.r`` by two pre-order trees
of sign splits whose leaves each close with one exact inequality; a VERIFIED cover makes
the dual bound ``L`` global (every width) even though ``patterns.complete`` is false.

This module is independent by design: the checker imports nothing else from exactrelu,
so it does not reuse :mod:`exactrelu.certificate.cover` (the producer's own check, in
fmpq) but implements the spec's check again -- two implementations that must agree on
every valid cover (``tests/test_cover_certificate.py``), a third one being the standalone
``proofs_checks/check_cert.py`` whose verdicts and budget charges it matches.  Rationals
are Fractions; the leaf product ``w = sum_k coef_k x_k`` runs in integers in python-flint
(``X`` scaled by ``Dx``, ``coef`` by its common denominator).  Time: linear in the tree.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any

import flint

from .budget import _integer_form, _reject, _require, _single_bits, _size
from .reader import _ROW_KEY, _Cert, _index, _Reader, _typed

_ZERO = Fraction(0)
_BOUND_KEYS = {"hi", "hi_nu", "lo", "lo_nu"}

__all__ = ["read_cover", "check_cover"]


class _CoverReader:
    """Reads the section in file order (MALFORMED on any shape error), remembering the
    largest ``bits(p) + bits(q)`` of its rationals for the budget."""

    def __init__(self, rd: _Reader, n: int) -> None:
        self.rd, self.n, self.widest = rd, n, 1

    def _note(self, values) -> None:
        self.widest = max(self.widest, _single_bits(values))

    def sparse(self, v: Any, where: str) -> dict:
        out = self.rd.sparse(v, self.n, where)
        self._note(out.values())
        return out

    def bounds(self, v: Any, where: str) -> dict:
        """``{row: ((hi, hi_nu), (lo, lo_nu))}``; a side not given is ``(None, {})``."""
        out = {}
        for key, b in _typed(v, dict, where).items():
            here = f"{where}[{key}]"
            _require(type(key) is str and _ROW_KEY.fullmatch(key) and int(key) < self.n,
                     here, f"key {str(key)[:30]!r} is not an index below {self.n}")
            _require(type(b) is dict and b and set(b) <= _BOUND_KEYS, here,
                     "expected a non-empty object with keys among hi, hi_nu, lo, lo_nu")
            pair = []
            for side in ("hi", "lo"):
                _require(side in b or side + "_nu" not in b, here, f"{side}_nu without {side}")
                val = self.rd.rational(b[side], f"{here}.{side}") if side in b else None
                if val is not None:
                    self._note((val,))
                pair.append((val, self.sparse(b.get(side + "_nu", {}), f"{here}.{side}_nu")))
            out[int(key)] = tuple(pair)
        return out

    def tree(self, nodes: Any, where: str) -> list:
        """Pre-order nodes ``("split", k, bounds)`` / ``("leaf", nu, mu, slope, bounds)``;
        the list must be exactly one complete tree."""
        out, open_subtrees = [], 1
        for i, node in enumerate(_typed(nodes, list, where)):
            here = f"{where}[{i}]"
            _require(open_subtrees > 0, here, "the tree is already complete before this node")
            _typed(node, dict, here)
            if "split" in node:
                _require(set(node) <= {"split", "bounds"}, here,
                         "a split has the keys split, bounds")
                k = _index(node["split"], self.n, here + ".split")
                out.append(("split", k, self.bounds(node.get("bounds", {}), here + ".bounds")))
                open_subtrees += 1
            else:
                _require(set(node) == {"leaf"}, here, "expected {'split': k} or {'leaf': proof}")
                proof = _typed(node["leaf"], dict, here + ".leaf")
                _require(set(proof) <= {"nu", "mu", "slope", "bounds"}, here + ".leaf",
                         "keys among nu, mu, slope, bounds")
                maps = [self.sparse(proof.get(name, {}), f"{here}.leaf.{name}")
                        for name in ("nu", "mu", "slope")]
                out.append(("leaf", *maps,
                            self.bounds(proof.get("bounds", {}), here + ".leaf.bounds")))
                open_subtrees -= 1
        _require(open_subtrees == 0, where, "the tree ends early (a subtree is missing)")
        return out


def read_cover(section: Any, rd: _Reader, n: int) -> tuple:
    """The ``cover`` section as ``(N, [(sign, nodes)], widest bits)`` (MALFORMED on error)."""
    cv = _typed(section, dict, "cover", "N", "trees")
    _require(set(cv) == {"N", "trees"}, "cover", "expected exactly the keys N and trees")
    N = rd.vector(cv["N"], n, "cover.N")
    reader = _CoverReader(rd, n)
    reader._note(N)
    trees = _typed(cv["trees"], list, "cover.trees")
    _require(len(trees) == 2, "cover.trees", "expected two trees, signs 1 and -1")
    out = []
    for t, tree in enumerate(trees):
        here = f"cover.trees[{t}]"
        _typed(tree, dict, here, "sign", "nodes")
        _require(set(tree) == {"sign", "nodes"}, here, "expected exactly the keys sign and nodes")
        s = tree["sign"]
        _require(type(s) is int and s in (1, -1) and s not in (u for u, _ in out), here,
                 "sign: 1 or -1, once each")
        out.append((s, reader.tree(tree["nodes"], here + ".nodes")))
    return N, out, reader.widest


# ------------------------------------------------------------------------------ check 7

def _charge(c: _Cert) -> None:
    """Charged before any work of check 7, exactly as the standalone checker does."""
    _, trees, widest = c.cover
    leaves = sides = products = 0
    for _, nodes in trees:
        leaves += sum(1 for nd in nodes if nd[0] == "leaf")
        for nd in nodes:
            for pair in nd[-1].values():
                for val, m in pair:
                    if val is not None:
                        sides += 1
                        products += len(m) + 1
    bits = _size(c.r) + 4 * widest
    c.meter.charge(6 * c.n * leaves + 4 * sides, bits, "the cover", fraction=True)
    c.meter.charge((c.n * leaves + products) * c.d, (max(c.bits_X, bits), min(c.bits_X, bits)),
                   "the cover products")


class _Replay:
    """One sign's tree: bounds proved where declared, inherited below; leaves closed."""

    def __init__(self, c: _Cert, s: int) -> None:
        self.c, self.s = c, s
        self.N = c.cover[0]
        self.sr = [s * a for a in c.r]
        self.Xm = flint.fmpz_mat(c.Xi)

    def _proved(self, k: int, sg: int, h: Fraction, m: dict, S: dict) -> bool:
        """``h >= 0``, ``h^2 >= ||sg x_k + sum_j m_j sigma_j x_j||^2``, rows of ``S``."""
        if h < 0 or any(j not in S or t < 0 for j, t in m.items()):
            return False
        D, mi = _integer_form(list(m.values()))
        acc = [sg * D * a for a in self.c.Xi[k]]
        for j, t in zip(m, mi):
            acc = [a + S[j] * t * b for a, b in zip(acc, self.c.Xi[j])]
        lhs = h.numerator ** 2 * (self.c.Dx * D) ** 2
        return lhs >= h.denominator ** 2 * sum(a * a for a in acc)

    def bounds(self, S: dict, declared: dict, inherited: dict, where: str) -> dict:
        merged = dict(inherited)
        for k, pair in declared.items():
            if k in S or not self.sr[k] > 0:
                _reject(7, f"{where}: a bound on row {k}, which is not free with s r_k > 0")
            hl = list(inherited.get(k, (self.N[k], self.N[k])))
            for idx, ((val, m), sg) in enumerate(zip(pair, (1, -1))):
                if val is None:
                    continue
                if not self._proved(k, sg, val, m, S):
                    _reject(7, f"{where}: the bound of row {k} is not proved by its multipliers")
                hl[idx] = val
            merged[k] = (hl[0], hl[1])
        return merged

    def _coefficients(self, S: dict, leaf: tuple, bnd: dict, where: str):
        _, nu, mu, slope, _ = leaf
        sr, N = self.sr, self.N
        coef, beta = [], _ZERO
        for k in range(self.c.n):
            if k in S:
                coef.append(sr[k] if S[k] > 0 else _ZERO)
                continue
            h, l = bnd.get(k, (N[k], N[k]))
            if sr[k] <= 0 or k in slope or h == 0:
                coef.append(_ZERO)
            elif l == 0:
                coef.append(sr[k])
            else:
                coef.append(sr[k] * h / (h + l))
                beta += sr[k] * h * l / (h + l)
        self._admissible(S, nu, mu, slope, where)
        for j, v in nu.items():
            coef[j] += S[j] * v             # sigma_j nu_j x_j . u >= 0 on the cone
        coef = [sr[k] * mu[k] if k in mu else x for k, x in enumerate(coef)]
        for k, a in slope.items():
            h, l = bnd.get(k, (N[k], N[k]))
            coef[k] = sr[k] * a
            beta += sr[k] * max((1 - a) * h, a * l)
        return coef, beta

    def _admissible(self, S: dict, nu: dict, mu: dict, slope: dict, where: str) -> None:
        """Multipliers on the rows the spec allows: ``nu >= 0`` on rows of ``S``;
        ``mu``, ``slope`` in ``[0, 1]`` on free rows with ``s r_k < 0`` / ``> 0``."""
        wrong = [f"nu[{j}] is negative or not on a row of S"
                 for j, v in nu.items() if j not in S or v < 0]
        wrong += [f"{name}[{k}] is not in [0, 1] on a free row with s r_k {rel} 0"
                  for name, m, rel, sgn in (("mu", mu, "<", -1), ("slope", slope, ">", 1))
                  for k, v in m.items()
                  if k in S or not 0 <= v <= 1 or (self.sr[k] > 0) - (self.sr[k] < 0) != sgn]
        if wrong:
            _reject(7, f"{where}: {wrong[0]}")

    def leaf(self, S: dict, leaf: tuple, inherited: dict, where: str) -> None:
        bnd = self.bounds(S, leaf[-1], inherited, where)
        coef, beta = self._coefficients(S, leaf, bnd, where)
        slack = self.c.lam - beta
        if slack < 0:
            _reject(7, f"{where}: beta exceeds lam")
        D, ci = _integer_form(coef)
        w = (flint.fmpz_mat([ci]) * self.Xm).tolist()[0]       # Dx D w
        w2 = sum(int(a) * int(a) for a in w)
        if w2 * slack.denominator ** 2 > (slack.numerator * self.c.Dx * D) ** 2:
            _reject(7, f"{where}: ||w||^2 > (lam - beta)^2")

    def run(self, nodes: list) -> None:
        pending = [({}, {})]                  # (S, inherited bounds), + child on top
        for i, nd in enumerate(nodes):
            S, inherited = pending.pop()
            where = f"tree for sign {self.s}, node {i}"
            if nd[0] == "leaf":
                self.leaf(S, nd, inherited, where)
                continue
            k = nd[1]
            if k in S:
                _reject(7, f"{where}: split index {k} repeated on its path")
            below = self.bounds(S, nd[2], inherited, where)
            pending.append(({**S, k: -1}, below))
            pending.append(({**S, k: 1}, below))


def check_cover(c: _Cert) -> None:
    """Check 7 (only with a ``cover`` section): ``N_k^2 >= ||x_k||^2``, then every tree
    replayed in pre-order; each leaf proves (F) on its cone, and the leaves cover R^d."""
    if c.cover is None:
        return
    _charge(c)
    N, trees, _ = c.cover
    for k, x in enumerate(c.X):
        if N[k] < 0 or N[k] * N[k] < sum(a * a for a in x):
            _reject(7, f"N[{k}] is not an upper bound of ||x_{k}||")
    for s, nodes in trees:
        _Replay(c, s).run(nodes)
    c.cover_size = (sum(len(nodes) for _, nodes in trees),
                    sum(1 for _, nodes in trees for nd in nodes if nd[0] == "leaf"))

