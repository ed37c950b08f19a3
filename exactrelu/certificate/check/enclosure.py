"""Check 11 of the library checker: the ``optimal_set_enclosure`` section (minor version 1.5).

``docs/spec/certificate-v1.md``, section "Minor version 1.5 -- the optimal set at an
irrational optimum".  With ``r = dual.r``, ``L`` the dual bound of check 4 and
``U = claim.upper``:

(a) *system* (optional): Krawczyk's test for the KKT system ``F(z) = 0`` of the system
    blocks (unknowns ``z = (v_b, rho_b, alpha_b)``, equations E1, E2, E3) on the box
    ``center +- delta``, then the margins ``alpha - delta > 0``, ``rho - delta >= 0`` on
    tight rows, ``a_k . v - delta ||a_k||_1 > 0`` on the other nonzero rows; the box
    ``r~ +- e`` of the residual and ``eps_Z^2 = sum_k (|r~_k - r_k| + e_k)^2``;
(b) the radius ``eps^2`` of a ball around ``r``: ``eps_Z^2`` with a system (the ball
reaches ``r(z*)``, which is ``r*``), else ``2 (U - L)`` (it holds ``r*``);
(c) every listed block that is not a candidate has ``sqrt(Aq) + sqrt(B) < lam`` (compared
    squared twice), ``Aq = ||q||^2`` with its multipliers (the section's ``rho``, else
    ``dual.rho``), ``B = eps^2 sum_{active k} ||x_k||^2``;
(d) every twin differs from its system block (same sign) on tight rows ``F`` only, with
    ``rho~_jk + delta + s r~_k + e_k <= 0`` on ``F``;
(e) the candidates are exactly the system blocks and the twins.

It imports nothing else from exactrelu (the checker's rule), so it does not reuse the
producer's :mod:`exactrelu.optimal_sets.kkt_box`: a second implementation of the same
system.  The Krawczyk products ``C J(z~)``, ``C F(z~)`` and ``|C| (G 1)`` run in integers
in python-flint (each matrix scaled by the common denominator of its entries), the rest in
:class:`fractions.Fraction`; the budget is charged as the standalone checker charges it.
:func:`enclosure_facts` returns what a VERIFIED section proves as a plain dict (for
``exactrelu optimal-set``).
"""
from __future__ import annotations

import os
from fractions import Fraction
from math import prod
from pathlib import Path
from typing import Any, Optional

import flint

from .budget import (DEFAULT_BUDGET_DIGITS, _integer_form, _Meter, _reject, _require, _size,
                     _Stop)
from .reader import _Cert, _index, _read_keyed, _Reader, _sign, _typed

SECTION = "optimal_set_enclosure"
_ZERO = Fraction(0)

__all__ = ["read_enclosure", "check_enclosure", "enclosure_statement", "enclosure_facts"]


# ----------------------------------------------------------------------------- reading

def _keys(entries: Any, P: int, where: str, *extra: str) -> list[tuple[int, int]]:
    """Distinct (pattern, sign) of a list of objects (a repeat is MALFORMED)."""
    out, seen = [], set()
    for e, entry in enumerate(_typed(entries, list, where)):
        here = f"{where}[{e}]"
        _typed(entry, dict, here, "pattern", "sign", *extra)
        key = (_index(entry["pattern"], P, here + ".pattern"), _sign(entry, here))
        _require(key not in seen, here, f"(pattern {key[0]}, sign {key[1]}) is listed twice")
        seen.add(key)
        out.append(key)
    return out


def _read_system(c: _Cert, sec: dict, rd: _Reader) -> dict:
    where = SECTION + ".system"
    sy = _typed(sec["system"], dict, where, "blocks", "center", "delta", "C")
    keys = _keys(sy["blocks"], c.P, where + ".blocks", "tight")
    tight = []
    for t, entry in enumerate(sy["blocks"]):
        here = f"{where}.blocks[{t}].tight"
        rows = [_index(k, c.n, here) for k in _typed(entry["tight"], list, here)]
        _require(len(set(rows)) == len(rows), here, "a row is listed twice")
        tight.append(rows)
    N = sum(c.d + len(T) + 1 for T in tight)
    center = rd.vector(sy["center"], N, where + ".center")
    delta = rd.rational(sy["delta"], where + ".delta")
    rows = _typed(sy["C"], list, where + ".C")
    _require(len(rows) == N, where + ".C", f"expected {N} rows")
    C = [rd.vector(row, N, f"{where}.C[{i}]") for i, row in enumerate(rows)]
    return {"blocks": list(zip(keys, tight)), "center": center, "delta": delta, "C": C}


def _read_twins(c: _Cert, sec: dict, m: int) -> list:
    where = SECTION + ".twins"
    keys = _keys(sec["twins"], c.P, where, "of")
    return [(key, _index(entry["of"], m, f"{where}[{e}].of"))
            for e, (key, entry) in enumerate(zip(keys, sec["twins"]))]


def read_enclosure(c: _Cert, doc: dict, rd: _Reader) -> None:
    """Read the section into ``c.enclosure`` (None without it), in the order candidates,
    rho, system (blocks, center, delta, C), twins; MALFORMED on a bad shape."""
    if SECTION not in doc:
        return
    sec = _typed(doc[SECTION], dict, SECTION, "candidates")
    candidates = _keys(sec["candidates"], c.P, SECTION + ".candidates")
    rho = _read_keyed(sec.get("rho", []), c.P, SECTION + ".rho", "values",
                      lambda e, here: rd.sparse(e["values"], c.n, here + ".values"))
    system = _read_system(c, sec, rd) if "system" in sec else None
    _require("twins" not in sec or system is not None, SECTION + ".twins",
             "twins need a system")
    twins = _read_twins(c, sec, len(system["blocks"])) if "twins" in sec else []
    pairs, mirrors = [], []
    if "pairs" in sec:
        where = SECTION + ".pairs"
        _require(system is not None, where, "pairs need a system")
        m = len(system["blocks"])
        rows = _typed(sec["pairs"], list, where)
        _require(len(rows) == c.d, where, f"expected {c.d} pairs")
        for e, pr in enumerate(rows):
            here = f"{where}[{e}]"
            pr = _typed(pr, list, here)
            _require(len(pr) == 2, here, "a pair is two indices")
            j, jj = (_index(x, m, here) for x in pr)
            _require(j != jj, here, "a pair is two distinct indices")
            pairs.append((j, jj))
    if "mirrors" in sec:
        _require(bool(pairs), SECTION + ".mirrors", "mirrors need pairs")
        where = SECTION + ".mirrors"
        keys = _keys(sec["mirrors"], c.P, where, "of")
        mirrors = [(key, _index(entry["of"], len(system["blocks"]), f"{where}[{e}].of"))
                   for e, (key, entry) in enumerate(zip(keys, sec["mirrors"]))]
    c.enclosure = {"candidates": candidates, "rho": rho, "system": system, "twins": twins,
                   "pairs": pairs, "mirrors": mirrors}


# ------------------------------------------------------------------ (a) the KKT system

def _dot(a, b) -> Fraction:
    return sum((x * y for x, y in zip(a, b)), _ZERO)


class _KKT:
    """The system of (a) at ``z~ = center``: its parts ``(v~, rho~, alpha~)`` per block,
    ``x_k . v~``, the residual ``r~``, ``F(z~)``, ``J(z~)`` and the row sums of ``G``."""

    def __init__(self, c: _Cert, sy: dict) -> None:
        self.c, self.blocks, self.delta = c, sy["blocks"], sy["delta"]
        d, z, self.off, pos = c.d, sy["center"], [], 0
        for _, T in self.blocks:
            self.off.append(pos)
            pos += d + len(T) + 1
        self.N = pos
        self.parts = [(z[o:o + d], z[o + d:o + d + len(T)], z[o + d + len(T)])
                      for o, (_, T) in zip(self.off, self.blocks)]
        self.act = [[ch == "1" for ch in c.bits[i]] for (i, _), _ in self.blocks]
        self.xv = [[_dot(x, v) for x in c.X] for v, _, _ in self.parts]   # x_k . v~_t
        self.r = list(c.y)
        for ((_, s), _), (_, _, a), act, xv in zip(self.blocks, self.parts, self.act, self.xv):
            self.r = [rk - a * s * xk if on else rk for rk, xk, on in zip(self.r, xv, act)]

    def cone_row(self, t: int, k: int) -> list:
        """``a_k = (2 D_bk - 1) x_k`` of system block t."""
        return self.c.X[k] if self.act[t][k] else [-x for x in self.c.X[k]]

    def F(self) -> list[Fraction]:
        c, out = self.c, []
        for t, ((_, s), T) in enumerate(self.blocks):
            v, rho, _ = self.parts[t]
            e1 = [vj - s * sum((self.r[k] * c.X[k][j] for k in range(c.n) if self.act[t][k]),
                               _ZERO) for j, vj in enumerate(v)]
            for k, rk in zip(T, rho):
                e1 = [e - rk * a for e, a in zip(e1, self.cone_row(t, k))]
            out += e1 + [_dot(self.cone_row(t, k), v) for k in T]
            out.append((_dot(v, v) - c.lam ** 2) / 2)
        return out

    def M(self, t: int, u: int) -> list[list[Fraction]]:
        """``X^T D_t D_u X`` (d x d), from the integer rows of X in python-flint."""
        c = self.c
        rows = [c.Xi[k] for k in range(c.n) if self.act[t][k] and self.act[u][k]]
        if not rows:
            return [[_ZERO] * c.d for _ in range(c.d)]
        A = flint.fmpz_mat(rows)
        D2 = c.Dx * c.Dx
        return [[Fraction(int(x), D2) for x in row] for row in (A.transpose() * A).tolist()]

    def J_and_G(self) -> tuple[list, list[int]]:
        """``J(z~)`` (N x N Fractions) and ``Dx^2 G 1`` (ints: the row sums of ``G``)."""
        d, N, D2 = self.c.d, self.N, self.c.Dx * self.c.Dx
        J, g = [[_ZERO] * N for _ in range(N)], [0] * N
        for t, ((_, s), T) in enumerate(self.blocks):
            o, v = self.off[t], self.parts[t][0]
            for u, ((_, su), Tu) in enumerate(self.blocks):
                ou, (vu, _, au) = self.off[u], self.parts[u]
                M = self.M(t, u)
                for j in range(d):
                    J[o + j][ou:ou + d] = [int(t == u and j == l) + s * su * au * M[j][l]
                                           for l in range(d)]
                    J[o + j][ou + d + len(Tu)] = s * su * _dot(M[j], vu)
                    g[o + j] += 2 * sum(abs(int(x * D2)) for x in M[j])
            for q, k in enumerate(T):
                for j, a in enumerate(self.cone_row(t, k)):
                    J[o + j][o + d + q], J[o + d + q][o + j] = -a, a
            J[o + d + len(T)][o:o + d] = v
            g[o + d + len(T)] = d * D2
        return J, g

    def place(self, i: int) -> str:
        """The system block and equation of row i of F."""
        t = max(u for u, o in enumerate(self.off) if o <= i)
        (p, s), T = self.blocks[t]
        rel, d = i - self.off[t], self.c.d
        eq = "E1" if rel < d else f"E2 (row {T[rel - d]})" if rel < d + len(T) else "E3"
        return f"system block {t} (pattern {p}, sign {s}), {eq}, row {i} of F"


def _int_matrix(rows: list) -> tuple[int, Any]:
    """(D, the fmpz_mat of D * rows): D the least common denominator of all entries (the
    integer form of the budget, refused beyond its size limits)."""
    D, ints = _integer_form([x for row in rows for x in row])
    return D, flint.fmpz_mat(len(rows), len(rows[0]) if rows else 0, ints)


def _krawczyk(c: _Cert, S: _KKT, C: list) -> None:
    """Per row i: ``|C F|_i + delta sum_j |I - C J|_ij + delta^2 (|C| G 1)_i < delta``, in
    integers: ``C = Cm / Dc``, ``F = Fm / Df``, ``J = Jm / Dj``, ``G 1 = g / Dx^2``."""
    N, delta = S.N, S.delta
    if N == 0:
        return
    Fz, (J, g) = S.F(), S.J_and_G()
    Dc, Cm = _int_matrix(C)
    Df, Fm = _int_matrix([[x] for x in Fz])
    Dj, Jm = _int_matrix(J)
    R = flint.fmpz_mat(N, N, [Dc * Dj if i == j else 0 for i in range(N) for j in range(N)])
    R = (R - Cm * Jm).tolist()
    absC = flint.fmpz_mat([[abs(int(x)) for x in row] for row in Cm.tolist()])
    CF, H = (Cm * Fm).tolist(), (absC * flint.fmpz_mat(N, 1, g)).tolist()
    D2 = c.Dx * c.Dx
    for i in range(N):
        rs = sum(abs(int(x)) for x in R[i])
        lhs = (Fraction(abs(int(CF[i][0])), Df) + delta * Fraction(rs, Dj)
               + delta * delta * Fraction(int(H[i][0]), D2))
        if not lhs < delta * Dc:
            _reject(11, f"(a) Krawczyk's test fails in {S.place(i)}")


def _margins_and_box(c: _Cert, S: _KKT) -> tuple[list[Fraction], Fraction]:
    """The margins of (a); then ``e`` (the box of ``r(z*)`` around ``r~``) and ``eps_Z^2``."""
    delta = S.delta
    l1 = [sum((abs(x) for x in row), _ZERO) for row in c.X]
    for t, ((p, s), T) in enumerate(S.blocks):
        where = f"(a) system block {t} (pattern {p}, sign {s})"
        v, rho, a = S.parts[t]
        if not a - delta > 0:
            _reject(11, f"{where}: alpha - delta is not > 0")
        for k, rk in zip(T, rho):
            if not rk - delta >= 0:
                _reject(11, f"{where}, tight row {k}: rho - delta is not >= 0")
        for k in c.nonzero_rows:
            if k not in T and not (S.xv[t][k] if S.act[t][k] else -S.xv[t][k]) \
                    - delta * l1[k] > 0:
                _reject(11, f"{where}, row {k}: a_k . v - delta ||a_k||_1 is not > 0")
    e = [_ZERO] * c.n
    for t, (_, _, a) in enumerate(S.parts):
        e = [ek + delta * abs(xv) + (abs(a) + delta) * l1k * delta if on else ek
             for ek, xv, l1k, on in zip(e, S.xv[t], l1, S.act[t])]
    eps_z = sum(((abs(rt - r) + ek) ** 2 for rt, r, ek in zip(S.r, c.r, e)), _ZERO)
    return e, eps_z


# ---------------------------------------------------------------------- (c), (d), (e)

def _norm_ratio(c: _Cert, i: int, s: int, rho: dict) -> Fraction:
    """``||s X^T D_i r + sum_k rho_k a_k||^2 / lam^2`` (multipliers of the section)."""
    p = c.bits[i]
    q = [s * sum((c.r[k] * c.X[k][j] for k in range(c.n) if p[k] == "1"), _ZERO)
         + sum((x * c.X[k][j] if p[k] == "1" else -x * c.X[k][j] for k, x in rho.items()),
               _ZERO) for j in range(c.d)]
    return _dot(q, q) / c.lam ** 2


def _inactive(c: _Cert, enc: dict, eps_sq: Fraction) -> None:
    """(c): ``sqrt(Aq) + sqrt(B) < lam`` for every block that is not a candidate, with
    ``t = Aq / lam^2`` and ``b = B / lam^2``: ``b < 1``, ``1 + b - t > 0``, ``4 b < (1 + b
    - t)^2``."""
    cands, own = set(enc["candidates"]), enc["rho"]
    nx = [[sum(x * x for x in row)] for row in c.Xi]             # ||Dx x_k||^2
    active = [[1 if ch == "1" else 0 for ch in p] for p in c.bits]
    Sx = [int(row[0]) for row in (flint.fmpz_mat(active) * flint.fmpz_mat(nx)).tolist()] \
        if c.bits else []
    scale = eps_sq / (c.lam * c.lam * c.Dx * c.Dx)
    for i in range(c.P):
        for s in (1, -1):
            if (i, s) in cands:
                continue
            where = f"(c) block (pattern {i}, sign {s}), not a candidate"
            if (i, s) in own:
                if any(x < 0 for x in own[(i, s)].values()):
                    _reject(11, f"{where}: a multiplier is negative")
                t = _norm_ratio(c, i, s, own[(i, s)])
            else:
                t = Fraction(*c.q_ratio[(i, s)])
            b = scale * Sx[i]
            if not (b < 1 and 1 + b - t > 0 and 4 * b < (1 + b - t) ** 2):
                _reject(11, f"{where}: ||q|| + eps ||X^T D|| < lam does not hold")


def _ties(enc: dict, S: _KKT, kind: str, label: str, taken: set, what: str):
    """The entries of ``enc[kind]`` (twins or mirrors) as ``(where, (i, s), j, pj, T)``,
    after the checks they share: a candidate, not in ``taken``, with its block's sign."""
    cands = set(enc["candidates"])
    for n_t, ((i, s), j) in enumerate(enc[kind]):
        where = f"{label} {n_t} (pattern {i}, sign {s}) of system block {j}"
        (pj, sj), T = S.blocks[j]
        if (i, s) not in cands or (i, s) in taken or s != sj:
            _reject(11, f"{where}: must be a candidate, not {what}, with the sign of its block")
        yield where, (i, s), j, pj, T


def _twins(c: _Cert, enc: dict, S: _KKT, e: list) -> None:
    """(d): each twin is a candidate, not a system block, of its block's sign, differing
    from it on tight rows F only, with ``rho~_jk + delta + s r~_k + e_k <= 0`` on F."""
    system = {key for key, _ in S.blocks}
    for where, (i, s), j, pj, T in _ties(enc, S, "twins", "(d) twin", system,
                                         "a system block"):
        F = [k for k in range(c.n) if c.bits[i][k] != c.bits[pj][k]]
        if not F or not set(F) <= set(T):
            _reject(11, f"{where}: the rows where the patterns differ must be a non-empty "
                    "set of tight rows of the block")
        rho = dict(zip(T, S.parts[j][1]))
        for k in F:
            if not rho[k] + S.delta + s * S.r[k] + e[k] <= 0:
                _reject(11, f"{where}, row {k}: rho + delta + s r~_k + e_k is not <= 0")


def _complementary_off(c: _Cert, pa: int, pb: int, T) -> bool:
    """The patterns are complementary on every nonzero row outside ``T``."""
    return all(c.bits[pa][k] != c.bits[pb][k] for k in c.nonzero_rows if k not in T)


def _pairs(c: _Cert, enc: dict, S: _KKT, e: list) -> None:
    """(d') pairs: same sign and tight rows, complementary patterns off them; ``V~`` (rows
    ``v~_j``) invertible; ``d ||V~^-1||_inf (Q / 2 + delta) < 1`` -- then ``X^T r* = 0``.
    (O(d^3 + n d): within the system's charge.)"""
    if not enc["pairs"]:
        return
    rows = []
    for n_p, (j, jj) in enumerate(enc["pairs"]):
        ((pa, sa), Ta), ((pb, sb), Tb) = S.blocks[j], S.blocks[jj]
        if sa != sb or set(Ta) != set(Tb) or not _complementary_off(c, pa, pb, set(Ta)):
            _reject(11, f"(d') pair {n_p} (system blocks {j}, {jj}): needs the same sign, "
                    "the same tight rows and complementary patterns outside them")
        rows.append(S.parts[j][0])
    V = flint.fmpq_mat(c.d, c.d, [flint.fmpq(x.numerator, x.denominator)
                                  for row in rows for x in row])
    if V.rank() < c.d:
        _reject(11, "(d') the directions of the pairs are linearly dependent")
    M = V.inv()
    norm = max(sum((abs(Fraction(int(M[i, l].p), int(M[i, l].q))) for l in range(c.d)),
                   _ZERO) for i in range(c.d))
    Q = max(abs(sum((c.X[k][l] * S.r[k] for k in range(c.n)), _ZERO))
            + sum((abs(c.X[k][l]) * e[k] for k in range(c.n)), _ZERO) for l in range(c.d))
    if not c.d * norm * (Q / 2 + S.delta) < 1:
        _reject(11, "(d') d ||M|| (Q/2 + delta) < 1 does not hold: X^T r* = 0 not proved")


def _mirrors(c: _Cert, enc: dict, S: _KKT, e: list) -> None:
    """(d') mirrors: a candidate, not a system block or twin, of its block's sign, with the
    complement of its block's pattern off the tight rows ``T_j``, and on ``T_j`` the lower
    end of ``sc (-sb rho_jk + s Delta r_k)`` over the box ``>= 0``."""
    taken = {key for key, _ in S.blocks} | {key for key, _ in enc["twins"]}
    for where, (i, s), j, pj, T in _ties(enc, S, "mirrors", "(d') mirror", taken,
                                         "a system block or twin"):
        if not _complementary_off(c, i, pj, set(T)):
            _reject(11, f"{where}: the patterns are not complementary outside the tight rows")
        for k, rk in zip(T, S.parts[j][1]):
            db, dc = c.bits[pj][k] == "1", c.bits[i][k] == "1"
            sb, sc, dl = (1 if db else -1), (1 if dc else -1), 1 - int(db) - int(dc)
            if not sc * (-sb * rk + s * dl * S.r[k]) - S.delta - abs(dl) * e[k] >= 0:
                _reject(11, f"{where}, row {k}: its multiplier is not >= 0 on the box")


def _explained(enc: dict) -> None:
    """(e): candidates = system blocks + twins + mirrors."""
    cands = set(enc["candidates"])
    system = [key for key, _ in enc["system"]["blocks"]]
    known = set(system) | {key for key, _ in enc["twins"]} | {key for key, _ in enc["mirrors"]}
    for i, s in enc["candidates"]:
        if (i, s) not in known:
            _reject(11, f"(e) candidate (pattern {i}, sign {s}) is neither a system block "
                    "nor a twin nor a mirror")
    for t, (i, s) in enumerate(system):
        if (i, s) not in cands:
            _reject(11, f"(e) system block {t} (pattern {i}, sign {s}) is not a candidate")


def _charge(c: _Cert, enc: dict) -> None:
    """The budget of check 11, charged before any of its work: the same operation counts
    and bit sizes as ``proofs_checks/check_cert.py`` (the dual sums and the comparisons of
    (c); J, F and the margins; the O(N^3) products of Krawczyk's test)."""
    bv = _size(c.r) + c.size_X + c.n.bit_length()
    c.meter.charge(2 * c.P * c.n * c.d, (bv, 1), "the inactive blocks")
    c.meter.charge(8 * c.P + sum(len(v) for v in enc["rho"].values()),
                   4 * (bv + c.size_X + _size([c.upper, c.L])), "the inactive blocks",
                   fraction=True)
    own = [x for v in enc["rho"].values() for x in v.values()]
    if own:            # the section's own multipliers: q and its norm, per entry and block
        c.meter.charge((len(own) + len(enc["rho"])) * c.d, 2 * (bv + _size(own) + c.size_X),
                       "the section's multipliers", fraction=True)
    sy = enc["system"]
    if sy is None:
        return
    m, N = len(sy["blocks"]), len(sy["center"])
    bj = 2 * c.size_X + 2 * _size(sy["center"] + [sy["delta"]])
    bc = _size([x for row in sy["C"] for x in row]) if N else 1
    c.meter.charge(m * m * c.n * c.d * c.d + 2 * m * c.n * c.d, bj, "the KKT system")
    c.meter.charge(N * N + 4 * m * c.n + N * c.d, 2 * (bj + _size(c.y)), "the KKT system",
                   fraction=True)
    c.meter.charge(N * N * N + 3 * N * N, (max(bc, 2 * bj), min(bc, 2 * bj)),
                   "Krawczyk's test")


def check_enclosure(c: _Cert) -> None:
    """Check 11 (only with the section): (a)-(e) of the module doc, in that order; records
    ``eps_sq`` and, with a system, ``r~`` and ``e`` in ``c.enclosure``."""
    enc = c.enclosure
    if enc is None:
        return
    _charge(c, enc)
    S, e, eps_z = None, None, _ZERO
    if enc["system"] is not None:
        sy = enc["system"]
        if not sy["delta"] > 0:
            _reject(11, "(a) system.delta is not > 0")
        S = _KKT(c, sy)
        _krawczyk(c, S, sy["C"])
        e, eps_z = _margins_and_box(c, S)
    eps_sq = eps_z if S is not None else 2 * (c.upper - c.L)          # (b)
    _inactive(c, enc, eps_sq)
    if S is not None:
        _twins(c, enc, S, e)
        _pairs(c, enc, S, e)
        _mirrors(c, enc, S, e)
        _explained(enc)
    enc.update(eps_sq=eps_sq, r_box=None if S is None else list(zip(S.r, e)), kkt=S)


# ---------------------------------------------------------------- what VERIFIED adds

def _readable(x: Fraction, short) -> str:
    """Short exact rationals as they are; a long positive one as the bound ``<= 2^-k``
    (k the largest integer with ``x <= 2^-k``)."""
    text = short(x)
    if len(text) <= 40 or x <= 0:
        return f"= {text}"
    p, q = x.numerator, x.denominator
    k = q.bit_length() - p.bit_length() + 1
    while not ((p << k) <= q if k >= 0 else p <= (q << -k)):
        k -= 1                                           # at most three steps
    return f"<= 2^{-k}"


def enclosure_statement(c: _Cert, short) -> str:
    """The part of the VERIFIED statement that the section adds."""
    enc: Any = c.enclosure
    out = (f"optimal set enclosure (1.5): ||r* - dual.r||^2 <= eps^2 "
           f"{_readable(enc['eps_sq'], short)}; E_lam is among the "
           f"{len(enc['candidates'])} candidates")
    S = enc["kkt"]
    if S is None:
        return out
    m, groups = len(S.blocks), _groups(enc)
    vertices = prod(1 + len(g) for g in groups)
    out += (f"; by a Krawczyk box (delta {_readable(S.delta, short)}) around the KKT "
            f"system of {m} blocks: E_lam = S_lam = the candidates, each alpha*_b and each "
            "coordinate of v_b within delta of the center, r* in r~ +- e")
    if enc["mirrors"]:
        return out + (f"; X^T r* = 0 (by {len(enc['pairs'])} mirror pairs); not unique "
                      f"({sum(map(len, groups))} twins, {len(enc['mirrors'])} mirrors); "
                      f"{vertices} vertices (minimal networks of {m} neurons) proved, others "
                      "not enumerated")
    return out + (f"; the optimal set is a product of simplices with {vertices} vertices "
                  f"(minimal networks of {m} neurons): " + (
                      "unique" if vertices == 1 else f"not unique ({sum(map(len, groups))} twins)"))


def _groups(enc: dict) -> list[list]:
    """The twins of each system block, in the order of the system blocks."""
    groups: list[list] = [[] for _ in enc["system"]["blocks"]]
    for key, j in enc["twins"]:
        groups[j].append(key)
    return groups


def enclosure_facts(cert: Any, budget_digits: int = DEFAULT_BUDGET_DIGITS) -> Optional[dict]:
    """The facts a VERIFIED ``optimal_set_enclosure`` proves, as a plain dict.

    ``cert``: a parsed JSON tree, its text (bytes or str) or a ``Path``.  All checks run
    first; a verdict other than VERIFIED raises ``ValueError`` (its message is the
    checker's line); a file without the section gives None.  Keys (blocks are ``(pattern, sign)`` tuples,
    values Fractions):

    * ``radius_sq``: ``eps^2`` with ``||r* - dual.r||^2 <= eps^2``; ``r_center``: dual.r;
    * ``candidates``: a superset of ``E_lam`` (with a system: equal to it and to S_lam);
    * ``system``: the system blocks ``S'`` (None without a system);
    * ``twins``: ``{system block: [its twins]}`` ({} without a system);
    * ``alpha``: ``{system block: (lo, hi)}`` enclosing ``alpha*_b``; ``v``: ``{system
      block: [(lo, hi)] * d}`` enclosing its direction ``v_b``;
    * ``r_box``: ``[(lo, hi)] * n`` enclosing ``r*`` (None without a system);
    * ``delta``: the half-width of the box of ``(v, rho, alpha)`` (None without a system);
    * ``vertices``: ``prod (1 + #twins)``, the number of minimal optimal networks, and
      ``unique``: True/False (None without a system); ``mirrors``: {block: its system
      block} (blocks carrying ``-v``, proved by ``pairs``).
    """
    from .checks import CHECKS            # checks imports this module
    from .reader import _json_tree, _parse
    try:
        meter = _Meter(budget_digits)
        if isinstance(cert, os.PathLike):
            cert = Path(cert).read_bytes()
        doc = cert if isinstance(cert, dict) else _json_tree(
            cert.encode() if isinstance(cert, str) else bytes(cert), meter)
        c = _parse(doc, meter)
        for check in CHECKS:
            check(c)
    except _Stop as stop:
        raise ValueError(f"{stop.verdict}: {stop}") from None
    except (OSError, RecursionError, MemoryError) as e:       # as the checker's verdicts
        raise ValueError(f"not VERIFIED ({type(e).__name__})") from None
    enc: Any = c.enclosure
    if enc is None:
        return None
    facts: dict = {"radius_sq": enc["eps_sq"], "r_center": list(c.r),
                   "candidates": list(enc["candidates"]), "system": None, "twins": {},
                   "alpha": {}, "v": {}, "r_box": None, "delta": None, "vertices": None,
                   "unique": None}
    S = enc["kkt"]
    if S is not None:
        dl, keys = S.delta, [key for key, _ in S.blocks]
        facts.update(system=keys, delta=dl, twins=dict(zip(keys, _groups(enc))),
                     alpha={b: (a - dl, a + dl) for b, (_, _, a) in zip(keys, S.parts)},
                     v={b: [(x - dl, x + dl) for x in v] for b, (v, _, _) in zip(keys, S.parts)},
                     r_box=[(r - ek, r + ek) for r, ek in enc["r_box"]])
        facts["vertices"] = prod(1 + len(g) for g in facts["twins"].values())
        facts["mirrors"] = {key: enc["system"]["blocks"][j][0] for key, j in enc["mirrors"]}
        facts["unique"] = facts["vertices"] == 1 and not enc["mirrors"]
    return facts
