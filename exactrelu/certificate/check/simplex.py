"""Check 13 of the library checker: ``simplex_cover`` (format minor version 1.7).

``docs/spec/certificate-v1.md``, section "Minor version 1.7": the section proves
``(F) s g_r(u) <= lam ||u||`` on all of ``R^d`` by a forest of cone bisections, one bit
per node, whose leaves close by a relaxation the checker computes itself (no
multipliers).  Independent by design, like :mod:`.cover`: the producer's search and
check are :mod:`exactrelu.certificate.simplex_cover`, the standalone checker
``proofs_checks/check_cert.py`` is a third implementation; all three must agree
(``tests/test_simplex_cover.py``).  Here the data are scaled row by row by one common
``Dx`` (the reader's integer form), ``r`` by its common denominator, and a node is
replayed by a recursive walk over an iterator of the bits; the face test solves
``G_F alpha = c_F`` in python-flint's exact rationals.  Time: linear in the tree (each node
touches only the rows whose sign changes on its cone).
"""
from __future__ import annotations

import base64
import itertools
import math
import re
from fractions import Fraction
from typing import Any, Iterator

import flint

from .budget import _integer_form, _reject, _require, _size
from .reader import _Cert, _typed

__all__ = ["read_simplex_cover", "check_simplex_cover"]

_B64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")


#: estimated ns to decode and walk one bit of a tree string (charged before the bits exist)
BIT_NS = 100


def read_simplex_cover(section: Any, d: int, meter: Any) -> list:
    """``[(sign, bits, deepest)]``; MALFORMED unless each tree string is canonical base64
    holding exactly ``2^d`` complete pre-order trees and at most 7 zero padding bits."""
    _typed(section, dict, "simplex_cover")
    _require(set(section) == {"trees"}, "simplex_cover", "expected exactly the key trees")
    _require(d >= 1, "simplex_cover", "needs at least one column")
    trees = _typed(section["trees"], list, "simplex_cover.trees")
    _require(len(trees) == 2, "simplex_cover.trees", "expected two trees, signs 1 and -1")
    out: list = []
    for t, tree in enumerate(trees):
        where = f"simplex_cover.trees[{t}]"
        _typed(tree, dict, where)
        _require(set(tree) == {"sign", "tree"}, where, "expected exactly the keys sign and tree")
        sign, text = tree["sign"], tree["tree"]
        _require(type(sign) is int and sign in (1, -1) and sign not in [o[0] for o in out],
                 where, "sign: 1 or -1, once each")
        _require(isinstance(text, str) and _B64.fullmatch(text) and len(text) % 4 == 0,
                 where + ".tree", "expected a non-empty base64 string")
        meter.add_ns(BIT_NS * 6 * len(text),
                     "the estimated time to read the simplex cover exceeds the budget")
        raw = base64.b64decode(text)
        _require(base64.b64encode(raw).decode() == text, where + ".tree",
                 "not canonical base64 (nonzero padding bits)")
        bits = [int(b) for byte in raw for b in format(byte, "08b")]
        end, deepest = _forest_end(bits, 1 << d, where + ".tree")
        _require(len(bits) - end <= 7 and 1 not in bits[end:], where + ".tree",
                 "bits after the last tree (more than the padding of the last byte)")
        _require(d > 1 or 1 not in bits, where + ".tree",
                 "a cone of one vertex has no edge to split")
        out.append((sign, bits, deepest))
    return out


def _forest_end(bits: list, roots: int, where: str) -> tuple[int, int]:
    """Where ``roots`` complete pre-order trees end, and their largest depth."""
    pos, deepest = 0, 0
    depths: list = []
    for _ in range(roots):
        depths.append(0)
        while depths:
            _require(pos < len(bits), where, "the trees end early (a subtree is missing)")
            level = depths.pop()
            deepest = max(deepest, level)
            if bits[pos] == 1:
                depths.extend((level + 1, level + 1))
            pos += 1
    return pos, deepest


def _widths(c: _Cert) -> tuple[int, int]:
    deep = max(depth for _, _, depth in c.cover)
    return (c.bits_X + _size(c.r) + 2 * deep + c.lam.numerator.bit_length(),
            c.bits_X + 2 * deep + 2)


def _charge(c: _Cert) -> None:
    """Charged before any of the work, as the standalone checker does: ``T d^2`` for the
    ``T`` bits and ``2^d d^2`` more for each 0 bit; each node charges ``(d + 2)`` per row of
    its list before it is replayed (:meth:`_Walk.node`)."""
    total = sum(len(bits) for _, bits, _ in c.cover)
    zeros = total - sum(sum(bits) for _, bits, _ in c.cover)
    c.meter.charge(total * c.d * c.d + zeros * (1 << c.d) * c.d * c.d, _widths(c),
                   "the simplex cover")
    faces = sum(math.comb(c.d, m) * m ** 3 for m in range(4, c.d + 1))   # past 3 x 3
    if faces:
        c.meter.charge(zeros * faces, _widths(c)[0], "the simplex cover's faces",
                       fraction=True)


def _ip(a, b) -> int:
    return sum(x * y for x, y in zip(a, b))


class _Walk:
    """One tree of one sign: the integer data and the leaf test."""

    def __init__(self, c: _Cert, sign: int, rho: list, lam2: Fraction) -> None:
        self.c, self.sign, self.rho = c, sign, rho
        self.ln, self.ld = lam2.numerator, lam2.denominator     # lam2 = ln / ld, in integers
        self.widths = _widths(c)

    def tree(self, bits: Iterator[int], V: list, rows: list, label: str) -> None:
        """One root's tree in pre-order; a queue of pending subtrees (a chain of any depth
        needs no recursion)."""
        pending = [(V, [0] * self.c.d, rows)]
        while pending:
            pending.extend(reversed(self.node(bits, *pending.pop(), label)))

    def node(self, bits: Iterator[int], V: list, lin: list, rows: list, label: str) -> list:
        """Replay one node: [] for a leaf that holds, its two children (first first) for a
        split."""
        c, s = self.c, self.sign
        c.meter.charge(len(rows) * (c.d + 2), self.widths, "the simplex cover")
        lin, mixed = list(lin), []
        for k, z in rows:
            if all(v >= 0 for v in z):
                lin = [a + s * self.rho[k] * x for a, x in zip(lin, c.Xi[k])]
            elif any(v > 0 for v in z):
                mixed.append((k, z))
        if next(bits) == 0:
            if not self.leaf(V, self.values(V, lin, mixed)):
                _reject(13, f"{label}: a leaf does not hold (vertices {V})"[:300])
            return []
        i, j = _widest_pair(V)
        w, fi, fj, g = _between(V[i], V[j])
        children = []
        for drop in (j, i):
            V2 = list(V)
            V2[drop] = w
            rows2 = [(k, tuple((fi * z[i] + fj * z[j]) // g if t == drop else z[t]
                               for t in range(len(z)))) for k, z in mixed]
            children.append((V2, lin, rows2))
        return children

    def values(self, V: list, lin: list, mixed: list) -> list:
        """c_i: the linear rows, plus each row of both signs by its chord (s r_k > 0) or by
        theta z (s r_k < 0; theta = 1 iff max z >= max -z)."""
        out = [_ip(lin, v) for v in V]
        for k, z in mixed:
            sr = self.sign * self.rho[k]
            if sr > 0:
                out = [o + sr * max(v, 0) for o, v in zip(out, z)]
            elif sr < 0 and max(z) >= -min(z):
                out = [o + sr * v for o, v in zip(out, z)]
        return out

    def leaf(self, V: list, cv: list) -> bool:
        """The largest m . u / ||u|| on cone(V), squared, is at most lam2 = ln / ld: for every
        face, alpha = G_F^-1 c_F >= 0 implies alpha . c_F <= lam2."""
        d = len(V)
        for size in range(1, d + 1):
            for F in itertools.combinations(range(d), size):
                cF = [cv[i] for i in F]
                if max(cF) <= 0:
                    continue
                if not self.face(V, F, cF):
                    return False
        return True

    def face(self, V: list, F: tuple, cF: list) -> bool:
        """One face: a vertex or an edge in closed form (G alpha = c by Cramer's rule,
        det G > 0), a larger face by flint's exact solve."""
        ln, ld = self.ln, self.ld
        if len(F) == 1:                                  # alpha = c / ||v||^2 > 0
            return cF[0] * cF[0] * ld <= ln * _ip(V[F[0]], V[F[0]])
        if len(F) == 2:
            a, b = V[F[0]], V[F[1]]
            g11, g12, g22 = _ip(a, a), _ip(a, b), _ip(b, b)
            det = g11 * g22 - g12 * g12
            a1, a2 = g22 * cF[0] - g12 * cF[1], g11 * cF[1] - g12 * cF[0]   # det * alpha
            return a1 < 0 or a2 < 0 or (a1 * cF[0] + a2 * cF[1]) * ld <= ln * det
        size = len(F)
        G = flint.fmpq_mat(size, size, [_ip(V[a], V[b]) for a in F for b in F])
        alpha = G.solve(flint.fmpq_mat(size, 1, cF))
        al = [alpha[t, 0] for t in range(size)]
        return any(a < 0 for a in al) or sum(a * b for a, b in zip(al, cF)) * ld <= ln


def _widest_pair(V: list) -> tuple[int, int]:
    """The edge with the smallest cosine: cos_a < cos_b decided on signs, then squares."""
    def key(pair):
        p = _ip(V[pair[0]], V[pair[1]])
        return p, _ip(V[pair[0]], V[pair[0]]) * _ip(V[pair[1]], V[pair[1]])
    best = None
    for pair in itertools.combinations(range(len(V)), 2):
        p, A = key(pair)
        if best is None:
            best = (pair, p, A)
            continue
        q, B = best[1], best[2]
        smaller = (p < 0 <= q) or (p < 0 and q < 0 and p * p * B > q * q * A) or \
            (p >= 0 and q >= 0 and p * p * B < q * q * A)
        if smaller:
            best = (pair, p, A)
    return best[0]


def _between(a: tuple, b: tuple) -> tuple:
    """The split point of the spec: (w, f_a, f_b, g) with w = (f_a a + f_b b) / g."""
    A, B = _ip(a, a), _ip(b, b)
    fa, fb = (1, _power(A, B)) if A >= B else (_power(B, A), 1)
    w = [fa * x + fb * y for x, y in zip(a, b)]
    g = math.gcd(*w)
    return tuple(x // g for x in w), fa, fb, g


def _power(longer: int, shorter: int) -> int:
    """The smallest ``2^k`` with ``2 (2^k)^2 shorter > longer`` (squared lengths)."""
    k = 0
    while (shorter << (2 * k + 1)) <= longer:
        k += 1
    return 1 << k


def check_simplex_cover(c: _Cert) -> None:
    """Check 13 (only with a simplex_cover section): replay both forests; every leaf holds."""
    if c.cover is None or c.cover_check != 13:
        return
    _charge(c)
    Dr, rho = _integer_form(list(c.r))
    lam2 = (c.lam * Dr * c.Dx) ** 2
    nodes = leaves = 0
    for sign, bits, _ in c.cover:
        it, walk = iter(bits), _Walk(c, sign, rho, lam2)
        for signs in itertools.product((1, -1), repeat=c.d):
            root = [tuple(sg if t == i else 0 for t in range(c.d)) for i, sg in enumerate(signs)]
            rows = [(k, tuple(_ip(c.Xi[k], v) for v in root)) for k in range(c.n)]
            walk.tree(it, root, rows, f"tree for sign {sign}")
        ones = sum(bits)
        nodes, leaves = nodes + (1 << c.d) + 2 * ones, leaves + (1 << c.d) + ones
    c.cover_size = (nodes, leaves)
