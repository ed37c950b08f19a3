"""Checks 7 and 12 of the library checker: ``cover`` (1.1) and ``quadratic_cover`` (1.6).

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

Minor version 1.6 (``quadratic_cover``, check 12) is the same reading and replay with
``quad`` allowed in a leaf proof: such a leaf bounds its ``quad.rows`` by
``z/2 + p z^2 + t/4`` as well and closes iff the ``(d + 1) x (d + 1)`` matrix ``M`` of the
spec is positive definite, decided by its pivots (:func:`_positive_definite`); a leaf
without ``quad`` is check 7's.  ``_Cert.cover_check`` (7 or 12) says which section was read.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any

import flint

from .budget import _integer_form, _reject, _require, _single_bits, _size
from .reader import _ROW_KEY, _Cert, _index, _Reader, _typed

_ZERO = Fraction(0)
_BOUND_KEYS = {"hi", "hi_nu", "lo", "lo_nu"}

__all__ = ["read_cover", "check_cover", "check_quadratic_cover"]


class _CoverReader:
    """Reads the section in file order (MALFORMED on any shape error), remembering the
    largest ``bits(p) + bits(q)`` of its rationals for the budget."""

    def __init__(self, rd: _Reader, n: int, quad: bool = False) -> None:
        self.rd, self.n, self.widest, self.quad_allowed = rd, n, 1, quad

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

    def quad(self, v: Any, where: str) -> tuple:
        """``quad`` (1.6): ``(eta, {row: (theta, p, t)})``."""
        _require(type(v) is dict and set(v) == {"eta", "rows"}, where,
                 "expected an object with exactly the keys eta and rows")
        eta = self.rd.rational(v["eta"], where + ".eta")
        self._note((eta,))
        rows = {}
        for key, x in _typed(v["rows"], dict, where + ".rows").items():
            here = f"{where}.rows[{str(key)[:30]}]"
            _require(type(key) is str and _ROW_KEY.fullmatch(key) and int(key) < self.n, here,
                     f"key is not an index below {self.n}")
            rows[int(key)] = tuple(self.rd.vector(x, 3, here))
            self._note(rows[int(key)])
        return eta, rows

    def tree(self, nodes: Any, where: str) -> list:
        """Pre-order nodes ``("split", k, bounds)`` / ``("leaf", nu, mu, slope, quad,
        bounds)`` (``quad`` None without one); the list must be exactly one complete tree."""
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
                keys = {"nu", "mu", "slope", "bounds"} | ({"quad"} if self.quad_allowed
                                                          else set())
                _require(set(proof) <= keys, here + ".leaf",
                         "keys among " + ", ".join(sorted(keys)))
                maps = [self.sparse(proof.get(name, {}), f"{here}.leaf.{name}")
                        for name in ("nu", "mu", "slope")]
                bnd = self.bounds(proof.get("bounds", {}), here + ".leaf.bounds")
                quad = self.quad(proof["quad"], here + ".leaf.quad") if "quad" in proof else None
                out.append(("leaf", *maps, quad, bnd))
                open_subtrees -= 1
        _require(open_subtrees == 0, where, "the tree ends early (a subtree is missing)")
        return out


def read_cover(section: Any, rd: _Reader, n: int, name: str = "cover") -> tuple:
    """The ``cover`` (or, with ``name="quadratic_cover"``, the 1.6) section as
    ``(N, [(sign, nodes)], widest bits)`` (MALFORMED on error)."""
    cv = _typed(section, dict, name, "N", "trees")
    _require(set(cv) == {"N", "trees"}, name, "expected exactly the keys N and trees")
    N = rd.vector(cv["N"], n, name + ".N")
    reader = _CoverReader(rd, n, quad=name == "quadratic_cover")
    reader._note(N)
    trees = _typed(cv["trees"], list, name + ".trees")
    _require(len(trees) == 2, name + ".trees", "expected two trees, signs 1 and -1")
    out = []
    for t, tree in enumerate(trees):
        here = f"{name}.trees[{t}]"
        _typed(tree, dict, here, "sign", "nodes")
        _require(set(tree) == {"sign", "nodes"}, here, "expected exactly the keys sign and nodes")
        s = tree["sign"]
        _require(type(s) is int and s in (1, -1) and s not in (u for u, _ in out), here,
                 "sign: 1 or -1, once each")
        out.append((s, reader.tree(tree["nodes"], here + ".nodes")))
    return N, out, reader.widest


# ------------------------------------------------------------------------------ check 7

def _charge(c: _Cert) -> None:
    """Charged before any work of check 7 (or 12), exactly as the standalone checker does;
    a quadratic cover (1.6) adds its quadratic leaves' work after check 7's charges."""
    _, trees, widest = c.cover
    leaves = sides = products = quads = rows = 0
    for _, nodes in trees:
        leaves += sum(1 for nd in nodes if nd[0] == "leaf")
        for nd in nodes:
            for pair in nd[-1].values():
                for val, m in pair:
                    if val is not None:
                        sides += 1
                        products += len(m) + 1
            if nd[0] == "leaf" and nd[4] is not None:
                quads, rows = quads + 1, rows + len(nd[4][1])
    bits = _size(c.r) + 4 * widest
    c.meter.charge(6 * c.n * leaves + 4 * sides, bits, "the cover", fraction=True)
    c.meter.charge((c.n * leaves + products) * c.d, (max(c.bits_X, bits), min(c.bits_X, bits)),
                   "the cover products")
    if quads:                           # only in a quadratic_cover (check 12)
        c.meter.charge(8 * rows + (c.d + 1) ** 3 * quads, 2 * c.bits_X + bits,
                       "the quadratic leaves", fraction=True)
        c.meter.charge(rows * c.d * (c.d + 1) // 2,
                       (max(2 * c.bits_X, bits), min(2 * c.bits_X, bits)),
                       "the quadratic leaves' products")


def _chord(h: Fraction, l: Fraction) -> tuple:
    """``(a, b)``: ``(z)_+ <= a z + b`` on ``[-l, h]`` (the chord; check 7 step 3)."""
    if h == 0:
        return _ZERO, _ZERO
    if l == 0:
        return Fraction(1), _ZERO
    return h / (h + l), h * l / (h + l)


def _positive_definite(M: list) -> bool:
    """Gaussian elimination without row exchanges, every pivot ``> 0`` (the spec's test of
    check 12, written out: it is (d + 1)^3 Fraction operations on a symmetric matrix)."""
    M = [list(row) for row in M]
    for i in range(len(M)):
        piv = M[i][i]
        if piv <= 0:
            return False
        for below in M[i + 1:]:
            f = below[i] / piv
            if f:
                below[i:] = [a - f * b for a, b in zip(below[i:], M[i][i:])]
    return True


class _Replay:
    """One sign's tree: bounds proved where declared, inherited below; leaves closed.
    ``check`` is 7 (``cover``) or 12 (``quadratic_cover``): the number a failure names."""

    def __init__(self, c: _Cert, s: int, check: int = 7) -> None:
        self.c, self.s, self.check = c, s, check
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
                _reject(self.check,
                        f"{where}: a bound on row {k}, which is not free with s r_k > 0")
            hl = list(inherited.get(k, (self.N[k], self.N[k])))
            for idx, ((val, m), sg) in enumerate(zip(pair, (1, -1))):
                if val is None:
                    continue
                if not self._proved(k, sg, val, m, S):
                    _reject(self.check,
                            f"{where}: the bound of row {k} is not proved by its multipliers")
                hl[idx] = val
            merged[k] = (hl[0], hl[1])
        return merged

    def _coefficients(self, S: dict, leaf: tuple, bnd: dict, where: str):
        _, nu, mu, slope, quad, _ = leaf
        rows = quad[1] if quad is not None else {}
        sr, N = self.sr, self.N
        self._admissible(S, nu, mu, slope, rows, where)
        coef, beta = [], _ZERO
        for k in range(self.c.n):
            if k in S:
                coef.append(sr[k] if S[k] > 0 else _ZERO)
                continue
            if sr[k] <= 0 or k in slope:
                coef.append(_ZERO)
                continue
            a, b = _chord(*bnd.get(k, (N[k], N[k])))
            if k in rows:                   # 1.6: theta (the chord) + (1 - theta) z/2
                theta, _, t = rows[k]
                a, b = theta * a + (1 - theta) / 2, theta * b + t / 4
            coef.append(sr[k] * a)
            beta += sr[k] * b
        for j, v in nu.items():
            coef[j] += S[j] * v             # sigma_j nu_j x_j . u >= 0 on the cone
        coef = [sr[k] * mu[k] if k in mu else x for k, x in enumerate(coef)]
        for k, a in slope.items():
            h, l = bnd.get(k, (N[k], N[k]))
            coef[k] = sr[k] * a
            beta += sr[k] * max((1 - a) * h, a * l)
        return coef, beta

    def _admissible(self, S: dict, nu: dict, mu: dict, slope: dict, rows: dict,
                    where: str) -> None:
        """Multipliers on the rows the spec allows: ``nu >= 0`` on rows of ``S``;
        ``mu``, ``slope`` in ``[0, 1]`` on free rows with ``s r_k < 0`` / ``> 0``; a quad
        row free with ``s r_k > 0``, no slope, ``theta`` in ``[0, 1]``, ``p, t >= 0`` and
        ``4 p t >= (1 - theta)^2``."""
        wrong = [f"nu[{j}] is negative or not on a row of S"
                 for j, v in nu.items() if j not in S or v < 0]
        wrong += [f"{name}[{k}] is not in [0, 1] on a free row with s r_k {rel} 0"
                  for name, m, rel, sgn in (("mu", mu, "<", -1), ("slope", slope, ">", 1))
                  for k, v in m.items()
                  if k in S or not 0 <= v <= 1 or (self.sr[k] > 0) - (self.sr[k] < 0) != sgn]
        for k, (theta, p, t) in rows.items():
            if k in S or not self.sr[k] > 0 or k in slope:
                wrong.append(f"quad row {k} is not a free row with s r_k > 0 and no slope")
            elif not 0 <= theta <= 1 or p < 0 or t < 0 or 4 * p * t < (1 - theta) ** 2:
                wrong.append(f"quad row {k}: [theta, p, t] needs 0 <= theta <= 1, p >= 0, "
                             "t >= 0 and 4 p t >= (1 - theta)^2")
        if wrong:
            _reject(self.check, f"{where}: {wrong[0]}")

    def _w(self, coef: list) -> tuple:
        """``(D, [Dx D w_i])``: ``w = sum_k coef_k x_k`` in integers."""
        D, ci = _integer_form(coef)
        return D, [int(a) for a in (flint.fmpz_mat([ci]) * self.Xm).tolist()[0]]

    def _quadratic(self, quad: tuple, w: tuple, gamma: Fraction) -> bool:
        """M = [[eta I - Q, -w/2], [-w^T/2, gamma - eta]] positive definite, with
        ``Q = sum_k s r_k p_k x_k x_k^T`` over the quad rows (in integers: ``Dq Dx^2 Q``)."""
        eta, rows = quad
        d, (D, wi) = self.c.d, w
        Dq, qi = _integer_form([self.sr[k] * p for k, (_, p, _) in rows.items()])
        scaled = [[q * a for a in self.c.Xi[k]] for k, q in zip(rows, qi)]
        Qi = (flint.fmpz_mat(scaled).transpose() * flint.fmpz_mat([self.c.Xi[k] for k in rows])
              ).tolist() if rows else [[0] * d for _ in range(d)]
        scale = Dq * self.c.Dx ** 2
        M = [[(eta if i == j else _ZERO) - Fraction(int(Qi[i][j]), scale) for j in range(d)]
             + [Fraction(-wi[i], 2 * self.c.Dx * D)] for i in range(d)]
        M.append([row[d] for row in M] + [gamma - eta])
        return _positive_definite(M)

    def leaf(self, S: dict, leaf: tuple, inherited: dict, where: str) -> None:
        bnd = self.bounds(S, leaf[-1], inherited, where)
        coef, beta = self._coefficients(S, leaf, bnd, where)
        slack = self.c.lam - beta
        if leaf[4] is not None:
            if not self._quadratic(leaf[4], self._w(coef), slack):
                _reject(self.check, f"{where}: the matrix M of the quadratic leaf is not "
                        "positive definite (a pivot <= 0)")
            return
        if slack < 0:
            _reject(self.check, f"{where}: beta exceeds lam")
        D, w = self._w(coef)                                    # Dx D w
        w2 = sum(a * a for a in w)
        if w2 * slack.denominator ** 2 > (slack.numerator * self.c.Dx * D) ** 2:
            _reject(self.check, f"{where}: ||w||^2 > (lam - beta)^2")

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
                _reject(self.check, f"{where}: split index {k} repeated on its path")
            below = self.bounds(S, nd[2], inherited, where)
            pending.append(({**S, k: -1}, below))
            pending.append(({**S, k: 1}, below))


def check_cover(c: _Cert, check: int = 7) -> None:
    """Check 7 (only with a ``cover`` section): ``N_k^2 >= ||x_k||^2``, then every tree
    replayed in pre-order; each leaf proves (F) on its cone, and the leaves cover R^d.
    With ``check=12`` the same for a ``quadratic_cover`` section (1.6)."""
    if c.cover is None or c.cover_check != check:
        return
    _charge(c)
    N, trees, _ = c.cover
    for k, x in enumerate(c.X):
        if N[k] < 0 or N[k] * N[k] < sum(a * a for a in x):
            _reject(check, f"N[{k}] is not an upper bound of ||x_{k}||")
    for s, nodes in trees:
        _Replay(c, s, check).run(nodes)
    c.cover_size = (sum(len(nodes) for _, nodes in trees),
                    sum(1 for _, nodes in trees for nd in nodes if nd[0] == "leaf"))


def check_quadratic_cover(c: _Cert) -> None:
    """Check 12 (minor version 1.6, only with ``quadratic_cover``; runs after check 11):
    check 7 on that section, a leaf with ``quad`` closing by its matrix ``M``."""
    check_cover(c, 12)
