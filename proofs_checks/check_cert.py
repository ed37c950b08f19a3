#!/usr/bin/env python3
"""Standalone checker for exactrelu certificates, format version 1 (with minor versions 1.1:
the cover section, check 7; 1.2: output bias, check 8; 1.3: gated ReLU, check 9; 1.4: wall
bases for check 2; 1.5: the optimal set at an irrational optimum, check 11; 1.6: the
quadratic_cover section, check 12; 1.7: the simplex_cover section, check 13).

It re-proves a certificate's claim with exact rational arithmetic and nothing but the
Python standard library.  The format, checks 1-6 and clarifications D1-D11 are those of
docs/spec/certificate-v1.md (in the exactrelu repository); the lemma behind each check
and the trust model are in SPEC.md next to this file.

Minor version 1.3 (gated ReLU): the optional 'gated' section and its check 9 are the
functions read_gated / check_gated below (the v1 checks do not depend on them); minor
version 1.5: read_enclosure / check_enclosure (check 11 uses L and the ||q||^2 of check 4).

    python check_cert.py CERT.json [--budget-digits N]

VERIFIED (exit 0), REJECTED (1), MALFORMED (2), UNDECIDED (3: a size budget is exceeded).
"""
import base64
import json
import math
import os
import re
import sys
from fractions import Fraction
from itertools import combinations
from operator import mul
from typing import NamedTuple, Optional

DEFAULT_BUDGET_DIGITS = 50_000_000  # characters of all rational strings in one file
MAX_RATIONAL_DIGITS = 10_000       # characters of one rational string
MAX_SCALE_BITS = 1 << 18           # a larger common denominator: UNDECIDED
WORK_LIMIT_NS = 6e10               # estimated time (parsing and arithmetic), about a minute
SCALE_FACTOR = 4                   # an integer form may take 4 x the bits of its values ...
SCALE_SLACK_BITS = 1 << 23         # ... plus 1 MiB
GORDAN_ENTRY_OPS = 60              # the bookkeeping of one gordan entry, in int operations
JSON_NS_PER_BYTE = 100             # estimated cost of json.loads
RATIONAL_NS = 8000                 # estimated cost of reading one rational string ...
RATIONAL_NS_PER_CHAR2 = 1e-3       # ... plus this times its length squared
NAMES = {1: "patterns", 2: "completeness", 3: "upper bound", 4: "dual feasibility",
         5: "claim", 6: "optimal set", 7: "cover", 8: "output bias", 9: "gated ReLU",
         11: "optimal set enclosure", 12: "quadratic cover", 13: "simplex cover"}
CODES = {"VERIFIED": 0, "REJECTED": 1, "MALFORMED": 2, "UNDECIDED": 3}
KINDS = {dict: "an object", list: "a list", bool: "true or false", int: "an integer"}
_RAT = re.compile(r"-?(0|[1-9][0-9]*)(?:/([1-9][0-9]*))?")
_ROW = re.compile(r"0|[1-9][0-9]{0,8}")
_B64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")


class Result(NamedTuple):
    verdict: str    # VERIFIED, REJECTED, MALFORMED or UNDECIDED
    code: int       # the exit code: 0, 1, 2 or 3
    message: str    # the proved statement, or what failed and where
    failed_check: Optional[int]


class Stop(Exception):
    """Ends the check with a verdict other than VERIFIED."""

    def __init__(self, verdict, message, check=None):
        super().__init__(message)
        self.verdict, self.check = verdict, check


def _need(ok, where, what):
    """A requirement of the encoding: MALFORMED unless ok."""
    if not ok:
        raise Stop("MALFORMED", f"{where}: {what}")


def _reject(check, message):
    raise Stop("REJECTED", f"check {check} ({NAMES[check]}): {message}", check)


def _typed(v, kind, where, *keys):
    """v has the JSON type kind (an int is never a bool); an object has the given keys."""
    _need(type(v) is kind, where, f"expected {KINDS[kind]}")
    for key in keys:
        _need(key in v, where, f"missing {key!r}")
    return v


def _index(v, n, where):
    _need(type(v) is int and 0 <= v < n, where, f"expected an integer index in [0, {n})")
    return v


def _int(digits):
    """int() of a digit string of any length (str -> int stops at 4300 digits)."""
    if len(digits) <= 4000:
        return int(digits)
    h = len(digits) // 2
    return _int(digits[:-h]) * 10 ** h + _int(digits[-h:])


def _lcm_den(values, limit=None):
    """The least common denominator D > 0 of values (UNDECIDED beyond MAX_SCALE_BITS, or
    beyond limit bits: then the integer form would be too large)."""
    D = 1
    for v in values:
        if D % v.denominator:
            D = D // math.gcd(D, v.denominator) * v.denominator
            if D.bit_length() > MAX_SCALE_BITS:
                raise Stop("UNDECIDED", f"a common denominator exceeds {MAX_SCALE_BITS} bits")
            if limit is not None and D.bit_length() > limit[0]:
                raise Stop("UNDECIDED", f"the integer form of {len(values)} rationals would "
                                        f"exceed {limit[1] // 8} bytes (limit {SCALE_FACTOR} x "
                                        f"their size + {SCALE_SLACK_BITS // 8} bytes)")
    return D


def _common(values):
    """(D, [v * D for v in values]) with D > 0 the least common denominator.  The integer
    form takes sum_v (bits(p_v) - bits(q_v) + 1) + len(values) bits(D) bits; it is refused
    (UNDECIDED) as soon as D grows past what keeps that below SCALE_FACTOR times the bits of
    the values plus SCALE_SLACK_BITS -- memory stays a small multiple of the file."""
    have = rest = 0
    for v in values:
        nb, db = v.numerator.bit_length(), v.denominator.bit_length()
        have, rest = have + nb + db, rest + nb - db + 1
    cap = SCALE_FACTOR * have + SCALE_SLACK_BITS
    D = _lcm_den(values, ((cap - rest) // max(len(values), 1), cap))
    return D, [v.numerator * (D // v.denominator) for v in values]


def _bits(ints):
    return max((abs(v).bit_length() for v in ints), default=1)


def _size(values):
    """A bound on the bits of the numbers that sums and products of values can need: the
    bits of the common denominator plus those of the largest scaled value (not made)."""
    D = _lcm_den(values)
    return D.bit_length() + max((v.numerator.bit_length() - v.denominator.bit_length() + 1
                                 for v in values), default=1)


def _dot(a, b):
    return sum(map(mul, a, b))


class Budget:
    """Reads rationals under the size budget and charges estimated arithmetic work."""

    def __init__(self, digits):
        self.digits, self.left, self.work = digits, digits, 0.0

    def spend(self, ops, bits, what, fraction=False):
        """Add the estimated time (ns, measured here) of ops operations.  A Fraction operation
        on b-bit numbers is gcd-bound, ~ 4000 + 10 (b/64)^2; an int product of a b-bit and an
        s-bit number (bits = b, or (b, s) with s <= b) in a Python loop, ~ 300 + 15 (b/64)
        (s/64)^0.6 (Karatsuba-like; the constant is the interpreter's per-operation cost)."""
        b, s = (bits, bits) if type(bits) is int else bits
        b, s, ops = max(b, 1) / 64, max(s, 1) / 64, min(ops, 10 ** 30)
        self.add_ns(ops * (4000 + 10 * b * b if fraction else 300 + 15 * b * s ** 0.6),
                    f"the estimated arithmetic for {what} exceeds the budget")

    def add_ns(self, ns, message):
        """Charge ns estimated nanoseconds; over the limit: UNDECIDED with message."""
        self.work += ns
        if self.work > WORK_LIMIT_NS:
            raise Stop("UNDECIDED", message)

    def rat(self, v, where):
        _need(type(v) is str, where, f"expected a rational string, got {type(v).__name__}")
        if len(v) > MAX_RATIONAL_DIGITS:
            raise Stop("UNDECIDED", f"{where}: a rational of {len(v)} characters (limit "
                                    f"{MAX_RATIONAL_DIGITS})")
        self.left -= len(v)
        if self.left < 0:
            raise Stop("UNDECIDED", f"the rationals exceed {self.digits} digits (--budget-digits)")
        self.add_ns(RATIONAL_NS + RATIONAL_NS_PER_CHAR2 * len(v) * len(v),
                    "the estimated time to read the rationals exceeds the budget")
        m = _RAT.fullmatch(v)
        _need(m, where, f"{v[:30]!r} is not a rational p or p/q")
        p, q = _int(m.group(1)), (_int(m.group(2)) if m.group(2) else 1)
        _need(v != "-0" and (q > 1 and math.gcd(p, q) == 1 or not m.group(2)), where,
              f"{v[:30]!r} is not in canonical (reduced) form")
        return Fraction(-p if v[0] == "-" else p, q)

    def vec(self, v, length, where):
        _need(type(v) is list and len(v) == length, where, f"expected a list of {length} rationals")
        return [self.rat(x, f"{where}[{i}]") for i, x in enumerate(v)]

    def sparse(self, v, n, where):
        """{row: rational} with rows written as decimal strings below n."""
        out = {}
        for key, x in _typed(v, dict, where).items():
            _need(type(key) is str and _ROW.fullmatch(key) and int(key) < n, where,
                  f"key {str(key)[:30]!r} is not an index below {n}")
            out[int(key)] = self.rat(x, f"{where}[{key}]")
        return out


class Cert:
    """The parsed certificate: Fractions and ints only, every shape checked (MALFORMED)."""

    def __init__(self, doc, R):
        self.R = R
        _typed(doc, dict, "certificate", "format", "version", "problem", "patterns", "dual",
               "claim")
        _need(doc["format"] == "exactrelu-certificate", "format", "not exactrelu-certificate")
        _need(type(doc["version"]) is int and doc["version"] == 1, "version", "must be 1")
        pr = _typed(doc["problem"], dict, "problem", "X", "y", "lam")
        rows = _typed(pr["X"], list, "problem.X")
        self.n = n = len(rows)
        self.d = d = len(rows[0]) if n and type(rows[0]) is list else 0
        _need(n and d, "problem.X", "expected a non-empty list of non-empty rows")
        self.X = [R.vec(row, d, f"problem.X[{k}]") for k, row in enumerate(rows)]
        self.y = R.vec(pr["y"], n, "problem.y")
        self.lam = R.rat(pr["lam"], "problem.lam")
        _need(self.lam > 0, "problem.lam", "must be positive")
        _typed(pr.get("bias", False), bool, "problem.bias")
        pa = _typed(doc["patterns"], dict, "patterns", "bits", "complete")
        self.bits = _typed(pa["bits"], list, "patterns.bits")
        _need(all(type(p) is str for p in self.bits), "patterns.bits", "expected strings")
        self.P = P = len(self.bits)
        self.complete = _typed(pa["complete"], bool, "patterns.complete")
        self.gp = _typed(pa.get("general_position", False), bool, "patterns.general_position")
        self.witnesses = pa.get("witnesses")
        if "witnesses" in pa:
            _need(type(self.witnesses) is list and len(self.witnesses) == P,
                  "patterns.witnesses", f"expected a list of {P} witnesses")
            self.witnesses = [R.vec(g, d, f"patterns.witnesses[{i}]")
                              for i, g in enumerate(self.witnesses)]
        self.gordan = {}
        for e, entry in enumerate(_typed(pa.get("gordan", []), list, "patterns.gordan")):
            h = f"patterns.gordan[{e}]"
            _typed(entry, dict, h, "pattern", "flip", "y")
            key = (_index(entry["pattern"], P, h + ".pattern"), frozenset(
                _index(k, n, h + ".flip") for k in _typed(entry["flip"], list, h + ".flip")))
            _need(key not in self.gordan, h, "a second entry for the same pattern and flip")
            self.gordan[key] = R.sparse(entry["y"], n, h + ".y")
        self.bases = _read_bases(pa, self.complete, P, n)
        self.network = self.blocks = self.optimal = None
        if "network" in doc:
            net = _typed(doc["network"], dict, "network", "W1", "w2")
            W1 = _typed(net["W1"], list, "network.W1")
            self.network = ([R.vec(w, d, f"network.W1[{j}]") for j, w in enumerate(W1)],
                            R.vec(net["w2"], len(W1), "network.w2"))
        if "blocks" in doc:
            self.blocks = []
            for b, blk in enumerate(_typed(doc["blocks"], list, "blocks")):
                h = f"blocks[{b}]"
                _typed(blk, dict, h, "pattern", "sign", "u", "norm_upper")
                _need(type(blk["sign"]) is int and blk["sign"] in (1, -1), h, "sign: 1 or -1")
                self.blocks.append((_index(blk["pattern"], P, h + ".pattern"), blk["sign"],
                                    R.vec(blk["u"], d, h + ".u"), R.rat(blk["norm_upper"], h)))
        _need(self.network is not None or self.blocks is not None, "certificate",
              "at least one of 'network' and 'blocks' is required")
        du = _typed(doc["dual"], dict, "dual", "r")
        self.r = R.vec(du["r"], n, "dual.r")
        self.rho = self._keyed(du.get("rho", []), "dual.rho", "values",
                               lambda e, h: R.sparse(e["values"], n, h + ".values"))
        cl = _typed(doc["claim"], dict, "claim", "lower", "upper")
        self.lower_s, self.upper_s = cl["lower"], cl["upper"]  # printed as given
        self.lower, self.upper = R.rat(cl["lower"], "claim.lower"), R.rat(cl["upper"], "claim")
        if "optimal_set" in doc:
            o = _typed(doc["optimal_set"], dict, "optimal_set", "fit", "blocks", "vertices")
            blocks = self._keyed(o["blocks"], "optimal_set.blocks", "v", lambda e, h: (
                R.vec(e["v"], d, h + ".v"),
                R.sparse(_typed(e, dict, h, "rho")["rho"], n, h + ".rho")))
            verts = [R.sparse(_typed(a, dict, f"vertex {j}", "alpha")["alpha"], len(blocks),
                              f"optimal_set.vertices[{j}].alpha")
                     for j, a in enumerate(_typed(o["vertices"], list, "optimal_set.vertices"))]
            self.optimal = (R.vec(o["fit"], n, "optimal_set.fit"), list(blocks.items()), verts)
        self.cover = _read_cover(doc["cover"], R, n) if "cover" in doc else None  # 1.1
        self.cover_check = 7    # 12: self.cover is the quadratic_cover section (1.6)
        self.output_bias = _read_output_bias(doc, R, n)  # minor version 1.2
        # Integer forms, made once: row k of Xg is the positive multiple Dx * x_k.
        self.Dx, flat = _common([v for row in self.X for v in row])
        self.Xg = [flat[k * d:(k + 1) * d] for k in range(n)]
        self.zero = {k for k in range(n) if not any(self.Xg[k])}
        self.nz = [k for k in range(n) if any(self.Xg[k])]
        self.bitsX = _bits(flat)  # integer checks; Fraction ones also carry Dx:
        self.sizeX = self.Dx.bit_length() + self.bitsX
        self.gated = read_gated(doc, self) if "gated" in doc else None  # 1.3
        self.enclosure = read_enclosure(doc, self) if ENC in doc else None  # 1.5
        if "quadratic_cover" in doc:  # 1.6, read after every other section
            _need("cover" not in doc, "quadratic_cover",
                  "a file carries cover or quadratic_cover, not both")
            self.cover = _read_cover(doc["quadratic_cover"], R, n, "quadratic_cover")
            self.cover_check = 12
        if "simplex_cover" in doc:  # 1.7, read after every other section
            _need("cover" not in doc and "quadratic_cover" not in doc, "simplex_cover",
                  "a file carries at most one of cover, quadratic_cover, simplex_cover")
            self.cover = _read_simplex(doc["simplex_cover"], d, R)
            self.cover_check = 13

    def _keyed(self, entries, where, field, read):
        """Entries keyed by (pattern, sign); a repeated key is ambiguous: MALFORMED."""
        out = {}
        for e, entry in enumerate(_typed(entries, list, where)):
            h = f"{where}[{e}]"
            _typed(entry, dict, h, "pattern", "sign", field)
            _need(type(entry["sign"]) is int and entry["sign"] in (1, -1), h, "sign: 1 or -1")
            key = (_index(entry["pattern"], self.P, h + ".pattern"), entry["sign"])
            _need(key not in out, h, f"(pattern {key[0]}, sign {key[1]}) is listed twice")
            out[key] = read(entry, h)
        return out


def _read_bases(pa, complete, P, n):
    """Format 1.4: patterns.gordan_bases = {"i": [[k, ...], ...]} (pattern index -> bases of
    row indices).  Read only when complete is false (a v1 complete file is checked as v1)."""
    if complete or "gordan_bases" not in pa:
        return None
    out = {}
    for key, bases in _typed(pa["gordan_bases"], dict, "patterns.gordan_bases").items():
        h = f"patterns.gordan_bases[{str(key)[:30]}]"
        _need(_ROW.fullmatch(key) and int(key) < P, h, f"key is not a pattern index below {P}")
        out[int(key)] = [tuple(_index(k, n, h) for k in _typed(b, list, h))
                         for b in _typed(bases, list, h)]
        _need(all(len(set(b)) == len(b) for b in out[int(key)]), h, "a basis repeats a row")
    return out


def check_patterns(c):
    """Check 1. Each pattern is n characters 0/1, none repeats, zero rows are active; each
    witness g_i has (2 D_ik - 1) x_k.g_i > 0 on every nonzero row k (required if complete).
    Lemma: g_i is then an interior point of the region {g : sign(x_k.g) = 2 D_ik - 1}, so
    pattern i is the pattern of a neuron in general position.  Positive scaling keeps signs,
    so the integer multiples Dx x_k and D_g g_i are compared."""
    seen = {}
    for i, p in enumerate(c.bits):
        if len(p) != c.n or p.strip("01"):
            _reject(1, f"pattern {i} is not a string of {c.n} characters 0/1")
        if p in seen:
            _reject(1, f"pattern {i} repeats pattern {seen[p]}")
        seen[p] = i
        if any(p[k] != "1" for k in c.zero):
            _reject(1, f"pattern {i}: a zero row must be active (1)")
    if c.witnesses is None:
        if c.complete:
            _reject(1, "a complete pattern list needs witnesses")
        return
    for i, (p, g) in enumerate(zip(c.bits, c.witnesses)):
        g = _common(g)[1]
        c.R.spend(len(c.nz) * c.d, (max(c.bitsX, _bits(g)), min(c.bitsX, _bits(g))), "witnesses")
        for k in c.nz:
            v = _dot(c.Xg[k], g)
            if v == 0 or (v > 0) != (p[k] == "1"):
                _reject(1, f"pattern {i}, row {k}: the witness does not give (2D-1) x.g > 0")


def check_completeness(c):
    """Check 2 (complete only), Gordan route.  For every pattern i and parallel class C of
    nonzero rows, the pattern with the signs of C flipped is listed, or the gordan entry
    (i, C) has y >= 0 on nonzero rows only, y > 0 somewhere, sum_k y_k t_k x_k = 0.
    Lemmas: Gordan's alternative (then no g has t_k x_k.g > 0 for all nonzero rows k, so the
    flip is no region); regions of a central arrangement are connected through walls, and
    crossing the wall of class C flips exactly C.  A non-empty list of regions closed under
    crossing walls is therefore every region."""
    if not c.complete:
        return None if c.bases is None else _bases_route(c)
    if not c.bits:
        _reject(2, "the list is empty, so it cannot hold every region")
    if c.gp:
        return _general_position(c)
    classes = [frozenset(C) for C in _classes(c)]
    listed = {p.encode() for p in c.bits}
    c.R.spend(c.P * len(classes) * (c.n // 8 + 2), 1, "the wall flips")
    for i, p in enumerate(c.bits):
        for C in classes:
            b = _flipped(p.encode(), C)
            if b in listed:
                continue
            where, y = f"pattern {i}, class of rows {sorted(C)}", c.gordan.get((i, C))
            if y is None:
                _reject(2, f"{where}: the flipped pattern is not listed and has no gordan entry")
            if any(k in c.zero for k in y):
                _reject(2, f"{where}: gordan y uses a zero row, which proves nothing")
            if any(v < 0 for v in y.values()) or not any(v > 0 for v in y.values()):
                _reject(2, f"{where}: gordan y must be >= 0 and positive on some row")
            rows, yi = list(y), _common(list(y.values()))[1]
            c.R.spend(len(rows) * c.d + GORDAN_ENTRY_OPS, (c.bitsX + _bits(yi), min(c.bitsX, _bits(yi))), "gordan y")
            for j in range(c.d):
                if sum(v * c.Xg[k][j] * (1 if b[k] == 49 else -1) for v, k in zip(yi, rows)):
                    _reject(2, f"{where}: sum_k y_k t_k x_k is not 0 (coordinate {j})")


def _flipped(pattern, C):
    """The pattern (bytes of '0'/'1') with the signs of the rows in C flipped."""
    b = bytearray(pattern)
    for k in C:
        b[k] ^= 1  # '0' <-> '1'
    return bytes(b)


def _classes(c):
    """The parallel classes of the nonzero rows (each a list of rows, increasing)."""
    classes = {}
    for k in c.nz:  # the primitive integer direction, first nonzero entry positive
        g = math.gcd(*c.Xg[k]) * (1 if next(v for v in c.Xg[k] if v) > 0 else -1)
        classes.setdefault(tuple(v // g for v in c.Xg[k]), []).append(k)
    return list(classes.values())


def _pivots(rows):
    """The pivot columns of an integer matrix (fraction-free row echelon form)."""
    M, piv, top = [list(r) for r in rows], [], 0
    for j in range(len(M[0]) if M else 0):
        k = next((i for i in range(top, len(M)) if M[i][j]), None)
        if k is None:
            continue
        M[top], M[k] = M[k], M[top]
        for i in range(top + 1, len(M)):
            if M[i][j]:
                M[i] = [a * M[top][j] - M[i][j] * b for a, b in zip(M[i], M[top])]
                g = math.gcd(*M[i])
                M[i] = [a // g for a in M[i]] if g > 1 else M[i]
        piv.append(j)
        top += 1
    return piv


def _scaled_inverse(M):
    """(D, E) with E M = D I, D != 0 (fraction-free Gauss-Jordan), or None if singular."""
    r = len(M)
    A = [list(row) + [int(i == j) for j in range(r)] for i, row in enumerate(M)]
    prev = 1
    for k in range(r):
        s = next((i for i in range(k, r) if A[i][k]), None)
        if s is None:
            return None
        A[k], A[s] = A[s], A[k]
        p = A[k][k]
        for i in range(r):
            if i != k:
                a = A[i][k]
                A[i] = [(x * p - a * y) // prev for x, y in zip(A[i], A[k])]
        prev = p
    return prev, [row[r:] for row in A]


def _bases_route(c):
    """Check 2, format 1.4 (patterns.gordan_bases).  For every pattern i and class C whose
    flip is not listed, the first basis S of pattern i (default: its walls, when there are
    r = rank X of them) with S disjoint from C and M nonsingular (M: columns t_k x_k, k in
    S, on the pivot columns of X; E M = D I is tested exactly) gives y_c = |D| on the
    first row c of C and y_S = sign(D) E (t_c x_c) >= 0 -- a y the checker builds itself:
    on the pivot columns M y_S = |D| t_c x_c by E M = D I, and the other columns are tested,
    so sum_k y_k t'_k x_k = 0 (t' the flipped signs) exactly as for a gordan entry.  Same
    lemmas as check 2; witnesses are required (each pattern is a region)."""
    if not c.bits:
        _reject(2, "the list is empty, so it cannot hold every region")
    if c.witnesses is None:
        _reject(2, "gordan_bases needs witnesses (every listed pattern must be a region)")
    classes, piv = _classes(c), _pivots([c.Xg[k] for k in c.nz])
    r, listed, cache = len(piv), {p.encode() for p in c.bits}, {}
    rest = [j for j in range(c.d) if j not in piv]
    c.R.spend(c.P * len(classes) * (c.n // 8 + 2), 1, "the wall flips")
    for i, p in enumerate(c.bits):
        t = [1 if ch == "1" else -1 for ch in p]
        walls, todo, pe = [], [], p.encode()
        for C in classes:
            (walls if _flipped(pe, C) in listed else todo).append(C)
        if not todo:
            continue
        bases = c.bases.get(i, [tuple(C[0] for C in walls)] if len(walls) == r else [])
        if not bases:
            _reject(2, f"pattern {i}: {len(walls)} walls, rank X = {r}, and no gordan_bases")
        if any(len(S) != r for S in bases):
            _reject(2, f"pattern {i}: a basis in gordan_bases does not have r = {r} rows")
        c.R.spend(len(bases) * r ** 3 + len(todo) * len(bases) * (r * r + (r + 1) * len(rest)),
                  (r * c.bitsX + 2 * r, c.bitsX), "gordan bases")
        ready = [(S, _basis_inverse(c, t, S, piv, cache)) for S in bases]
        for C in todo:
            if not any(DE and _gordan_from_basis(c, t, S, DE, C, piv, rest) for S, DE in ready):
                _reject(2, f"pattern {i}, class of rows {C}: no basis of gordan_bases gives "
                        "a Gordan certificate")


def _basis_inverse(c, t, S, piv, cache):
    """(D, E) with E M = D I for M = [t_k x_k on the pivot columns] (k in S), or None."""
    key = tuple(2 * k + (t[k] > 0) for k in S)
    if key not in cache:
        M = [[t[k] * c.Xg[k][j] for k in S] for j in piv]
        DE = _scaled_inverse(M)
        cols = [list(col) for col in zip(*M)]
        if DE is not None and any(_dot(row, col) != (DE[0] if a == b else 0)
                                  for a, row in enumerate(DE[1]) for b, col in enumerate(cols)):
            DE = None                                   # E M != D I: not used
        cache[key] = DE and (DE[0], DE[1], set(S))
    return cache[key]


def _gordan_from_basis(c, t, S, DE, C, piv, rest):
    """Does basis S give y >= 0, y_c > 0 with sum_k y_k t'_k x_k = 0 (C flipped)?"""
    if not DE[2].isdisjoint(C):
        return False
    D, E, _ = DE
    xc, tc = c.Xg[C[0]], t[C[0]]
    b = [tc * xc[j] for j in piv]
    y = [sum(map(mul, row, b)) for row in E] if D > 0 else [-sum(map(mul, row, b)) for row in E]
    if min(y) < 0:
        return False
    return not rest or not any(sum(v * t[k] * c.Xg[k][j] for v, k in zip(y, S)) - abs(D) * tc * xc[j]
                   for j in rest)


def _singular(rows):
    """Bareiss fraction-free elimination: is the square integer matrix singular?"""
    M, prev = [list(r) for r in rows], 1
    for k in range(len(M) - 1):
        if M[k][k] == 0:
            swap = next((i for i in range(k + 1, len(M)) if M[i][k]), None)
            if swap is None:
                return True
            M[k], M[swap] = M[swap], M[k]
        for i in range(k + 1, len(M)):
            for j in range(k + 1, len(M)):
                M[i][j] = (M[i][j] * M[k][k] - M[i][k] * M[k][j]) // prev
        prev = M[k][k]
    return M[-1][-1] == 0


def _general_position(c):
    """Check 2, general-position route: no zero row, n >= d, every d x d minor nonzero and
    2 sum_{k<d} C(n-1, k) patterns.  Lemma (Cover 1965, Winder 1966): n hyperplanes through
    0 in R^d with d-wise independent normals have exactly that many regions; the listed
    patterns are distinct regions (check 1), hence all of them."""
    if c.zero or c.n < c.d:
        _reject(2, "general position needs n >= d and no zero row")
    count = 2 * sum(math.comb(c.n - 1, k) for k in range(c.d))
    if c.P != count:
        _reject(2, f"general position: {c.P} patterns listed, but there are {count} regions")
    c.R.spend(math.comb(c.n, c.d) * c.d ** 3, c.d * (c.bitsX + c.d), "the d x d minors")
    for rows in combinations(range(c.n), c.d):
        if _singular([c.Xg[k] for k in rows]):
            _reject(2, f"general position: rows {list(rows)} are linearly dependent")


def _indiv(values):
    """The bits of the largest single value (numerator and denominator)."""
    return max((v.numerator.bit_length() + v.denominator.bit_length() for v in values),
               default=1)


def _network_parts(c, W1, w2):
    """v_j = |w2_j| W1_j (so (X W1_j)_+ w2_j = sign(w2_j) (X v_j)_+) and each neuron's
    penalty ||W1_j||^2 + w2_j^2: m (2 d + 1) Fraction operations on single values.  Then
    the fits (m n d operations on single values, m n / 2 additions at the size of X, y and
    the v_j, to which their denominators grow) and the sum of the penalties (m additions
    at their common size) are charged.  Summing (x_k . v_j)_+ is the same number as
    w2_j (x_k . W1_j)_+; the fits are then as short as the products v_j, however the
    balance ||W1_j|| = |w2_j| is written."""
    single = 2 * (_indiv([v for x in c.X for v in x]) + _indiv([v for w in W1 for v in w] + w2))
    c.R.spend(len(W1) * (2 * c.d + 1), single, "the network objective", fraction=True)
    V = [[abs(a) * v for v in w] for w, a in zip(W1, w2)]
    pens = [_dot(w, w) + a * a for w, a in zip(W1, w2)]
    vals = [v for w in V for v in w] or [Fraction(0)]
    single = 2 * (_indiv([v for x in c.X for v in x]) + _indiv(vals))
    c.R.spend(len(W1) * c.n * c.d, single, "the network objective", fraction=True)
    c.R.spend(len(W1) * c.n // 2 + 1, c.sizeX + _size(c.y) + _size(vals),
              "the network objective", fraction=True)
    c.R.spend(len(W1) + 1, _size(pens or [Fraction(0)]), "the network objective",
              fraction=True)
    return V, pens


def _loss(f, y):
    return sum((a - b) ** 2 for a, b in zip(f, y)) / 2


def check_upper(c):
    """Check 3. U_net = NC(W1, w2) exactly.  Blocks: u_b in K_b (A_b u_b >= 0), norm_upper_b
    >= 0 and norm_upper_b^2 >= ||u_b||^2; U_blk is the C-objective with ||u_b|| replaced by
    norm_upper_b.  U = the smaller.  Lemma: feasible blocks give p* <= C(u) <= U_blk; the
    NC -> C map (triangle inequality, AM-GM) gives p* <= NC(W1, w2) once every neuron with a
    nonzero output lies in the cone of a listed pattern.  That holds for a complete list
    (W1_j is in the closure of a region) and is checked otherwise (docs/spec/certificate-v1.md, clarification D2)."""
    bounds, size_y = {}, _size(c.y)
    if c.network is not None:
        W1, w2 = c.network
        V, pens = _network_parts(c, W1, w2)
        f = [Fraction(0)] * c.n
        for j, (v, a) in enumerate(zip(V, w2)):
            if not a:
                continue                    # no output: only its penalty counts
            pre = [_dot(x, v) for x in c.X]  # the signs of X W1_j (|a| > 0)
            if any(z > 0 for z in pre) and not (c.complete or c.bases is not None):
                c.R.spend(c.P * (c.n // 4 + 4), 1, "the network's patterns")
                sig = re.compile("".join("1" if z > 0 or k in c.zero else "0" if z < 0 else
                                         "[01]" for k, z in enumerate(pre)))
                if not any(sig.fullmatch(p) for p in c.bits):
                    _reject(3, f"network neuron {j}: its pattern is not listed, so NC(W) does "
                            "not bound the program over the listed patterns")
            f = [(fk + z if a > 0 else fk - z) if z > 0 else fk for fk, z in zip(f, pre)]
        bounds["network"] = _loss(f, c.y) + c.lam * sum(pens, Fraction(0)) / 2
    if c.blocks is not None:
        c.R.spend(len(c.blocks) * c.n * c.d, 2 * (c.sizeX + size_y + _size(
            [v for b in c.blocks for v in b[2] + [b[3]]])), "the block objective", fraction=True)
        f, total = [Fraction(0)] * c.n, Fraction(0)
        for b, (i, s, u, nu) in enumerate(c.blocks):
            pre = [_dot(x, u) for x in c.X]
            if any((z < 0) if c.bits[i][k] == "1" else (z > 0) for k, z in enumerate(pre)):
                _reject(3, f"block {b}: u is not in the cone K of pattern {i}")
            if nu < 0 or nu * nu < _dot(u, u):
                _reject(3, f"block {b}: norm_upper is negative or its square is < ||u||^2")
            f = [fk + s * z if p == "1" else fk for fk, z, p in zip(f, pre, c.bits[i])]
            total += nu
        bounds["blocks"] = _loss(f, c.y) + c.lam * total
    c.U, c.bounds = min(bounds.values()), bounds


def check_dual(c):
    """Check 4. rho >= 0, and for every listed pattern i and sign s the vector
    q = s X^T D_i r + A_i^T rho_(i,s) has ||q||^2 <= lam^2.  Then L = r.y - ||r||^2 / 2.
    Lemma (weak duality): for u_b in K_b, r.(s D X u_b) = u_b.q - rho.(A u_b) <= ||u_b|| ||q||
    <= lam ||u_b||, and 1/2 ||f - y||^2 >= r.(y - f) - ||r||^2 / 2; summing, C(u) >= L.
    In integers: X^T D_i r Dx Dr = sum over active k of V_k = (Dr r_k)(Dx x_k)."""
    Dr, ri = _common(c.r)
    bv = _bits(ri) + c.bitsX + c.n.bit_length()  # bits of V_k and of S_i
    c.R.spend(c.P * c.n * c.d, (bv, 1), "the dual sums")
    c.R.spend(2 * c.P * c.d + c.n * c.d, bv, "the dual norms")
    V = [[ri[k] * v for v in c.Xg[k]] for k in range(c.n)]
    ld, base = c.lam.denominator ** 2, (c.lam.numerator * c.Dx * Dr) ** 2
    c.tight, c.qratio = set(), {}
    for i, p in enumerate(c.bits):
        S = [sum(col) for col in zip(*(V[k] for k in range(c.n) if p[k] == "1"))] or [0] * c.d
        plain = _dot(S, S) * ld
        for s in (1, -1):
            lhs, rhs = plain, base
            if (i, s) in c.rho:
                rho = c.rho[(i, s)]
                if any(v < 0 for v in rho.values()):
                    _reject(4, f"multiplier (pattern {i}, sign {s}) has a negative entry")
                Dp, pi = _common(list(rho.values()))
                c.R.spend((len(pi) + 4) * c.d, 2 * bv + _bits(pi) + Dp.bit_length(), "rho")
                T = [0] * c.d  # A^T rho Dx Dp
                for v, k in zip(pi, rho):
                    T = [a + (v if p[k] == "1" else -v) * x for a, x in zip(T, c.Xg[k])]
                Q = [s * Dp * a + Dr * b for a, b in zip(S, T)]
                lhs, rhs = _dot(Q, Q) * ld, base * Dp * Dp
            if lhs > rhs:
                _reject(4, f"pattern {i}, sign {s}: ||q||^2 > lam^2")
            if lhs == rhs:
                c.tight.add((i, s))
            c.qratio[(i, s)] = (lhs, rhs)  # ||q||^2 / lam^2, for check 11 (c)
    c.L = _dot(c.r, c.y) - _dot(c.r, c.r) / 2


def _fmt(x):
    big = x.numerator.bit_length() + x.denominator.bit_length() > 3000
    return f"<a rational of about {x.numerator.bit_length() * 3 // 10} digits>" if big else str(x)


def check_claim(c):
    """Check 5. claim.lower <= L, claim.upper >= U, claim.lower <= claim.upper.
    Lemma: L <= p* <= U (checks 3 and 4), so p* lies in [claim.lower, claim.upper]."""
    if c.lower > c.L:
        _reject(5, f"claim.lower = {c.lower_s} exceeds the dual bound L = {_fmt(c.L)}")
    if c.upper < c.U:
        _reject(5, f"claim.upper = {c.upper_s} is below the upper bound U = {_fmt(c.U)}")
    if c.lower > c.upper:
        _reject(5, "claim.lower exceeds claim.upper")


def _independent(vectors):
    """Gaussian elimination over Q: are the vectors linearly independent?"""
    basis = []
    for v in vectors:
        for piv, b in basis:
            if v[piv]:
                v = [x - v[piv] / b[piv] * y for x, y in zip(v, b)]
        piv = next((j for j, x in enumerate(v) if x), None)
        if piv is None:
            return False
        basis.append((piv, v))
    return True


def check_optimal_set(c):
    """Check 6. lower == upper; fit == y - r; every listed block has rho >= 0, A v >= 0,
    rho.(A v) = 0, v = s X^T D r + A^T rho and ||v||^2 = lam^2; every block with ||q|| = lam
    in check 4 is listed; every vertex has alpha >= 0, sum_b alpha_b s_b D_b X v_b = fit and
    linearly independent fits on its support.  Lemmas: with L = p* each optimum has residual
    r and makes every weak-duality inequality tight, so a block with ||q|| < lam is zero;
    Moreau's decomposition makes v = Proj_K(s X^T D r), and a nonzero optimal u_b is then a
    nonnegative multiple of v; conversely every such alpha attains L.  Independent fits make
    alpha a vertex of the optimal polytope (a minimal network)."""
    if c.optimal is None:
        return
    fit, blocks, verts = c.optimal
    if c.lower != c.upper:
        _reject(6, "an optimal set needs claim.lower == claim.upper")
    if fit != [a - b for a, b in zip(c.y, c.r)]:
        _reject(6, "fit differs from y - r")
    c.R.spend(3 * len(blocks) * c.n * c.d + sum(len(a) * c.n * (1 + len(a)) for a in verts),
              2 * (c.sizeX + _size(c.r) + _size(fit) + _size(
                  [x for _, (v, rho) in blocks for x in v + list(rho.values())])),
              "the optimal set", fraction=True)
    fits = []
    for b, ((i, s), (v, rho)) in enumerate(blocks):
        p, where = c.bits[i], f"optimal_set block {b} (pattern {i}, sign {s})"
        t = [1 if ch == "1" else -1 for ch in p]
        Av = [t[k] * _dot(c.X[k], v) for k in range(c.n)]
        if any(x < 0 for x in rho.values()) or any(a < 0 for a in Av):
            _reject(6, f"{where}: rho >= 0 and A v >= 0 must hold")
        if sum(x * Av[k] for k, x in rho.items()):
            _reject(6, f"{where}: rho.(A v) is not 0")
        q = [s * sum(c.r[k] * c.X[k][j] for k in range(c.n) if p[k] == "1")
             + sum(x * t[k] * c.X[k][j] for k, x in rho.items()) for j in range(c.d)]
        if q != v:
            _reject(6, f"{where}: v is not s X^T D r + A^T rho")
        if _dot(v, v) != c.lam ** 2:
            _reject(6, f"{where}: ||v||^2 != lam^2")
        fits.append([s * _dot(c.X[k], v) if p[k] == "1" else 0 for k in range(c.n)])
    missing = sorted(c.tight - {key for key, _ in blocks})
    if missing:
        _reject(6, f"block (pattern {missing[0][0]}, sign {missing[0][1]}) has ||q|| = lam "
                "in check 4 but is not listed")
    for j, alpha in enumerate(verts):
        if any(a < 0 for a in alpha.values()):
            _reject(6, f"vertex {j}: alpha has a negative entry")
        if any(sum(a * fits[b][k] for b, a in alpha.items()) != fit[k] for k in range(c.n)):
            _reject(6, f"vertex {j}: sum_b alpha_b s_b D_b X v_b is not the fit")
        if not _independent([fits[b] for b, a in alpha.items() if a]):
            _reject(6, f"vertex {j}: the fits of its support are linearly dependent")


# ------------------------------------------------ minor version 1.1: the cover section

def _cover_bounds(v, R, n, where, seen):
    """{row: (hi, hi_nu, lo, lo_nu)} of a node's declared bounds (None: side not given)."""
    out = {}
    for key, b in _typed(v, dict, where).items():
        h = f"{where}[{key}]"
        _need(type(key) is str and _ROW.fullmatch(key) and int(key) < n, h,
              f"key {str(key)[:30]!r} is not an index below {n}")
        _need(type(b) is dict and b and set(b) <= {"hi", "hi_nu", "lo", "lo_nu"}, h,
              "expected a non-empty object with keys among hi, hi_nu, lo, lo_nu")
        sides = []
        for side in ("hi", "lo"):
            _need(side in b or side + "_nu" not in b, h, f"{side}_nu without {side}")
            val = R.rat(b[side], f"{h}.{side}") if side in b else None
            m = R.sparse(b.get(side + "_nu", {}), n, f"{h}.{side}_nu")
            seen.extend([val] if val is not None else [])
            seen.extend(m.values())
            sides += [val, m]
        out[int(key)] = tuple(sides)
    return out


def _read_quad(v, R, n, where, seen):
    """A leaf's quad (1.6): (eta, {row: (theta, p, t)})."""
    _need(type(v) is dict and set(v) == {"eta", "rows"}, where,
          "expected an object with exactly the keys eta and rows")
    eta, rows = R.rat(v["eta"], where + ".eta"), {}
    for key, x in _typed(v["rows"], dict, where + ".rows").items():
        h = f"{where}.rows[{str(key)[:30]}]"
        _need(type(key) is str and _ROW.fullmatch(key) and int(key) < n, h,
              f"key is not an index below {n}")
        rows[int(key)] = tuple(R.vec(x, 3, h))
    seen.extend([eta, *(a for row in rows.values() for a in row)])
    return eta, rows


def _read_cover(v, R, n, name="cover"):
    """The cover section (1.1), or with name "quadratic_cover" that of 1.6, every shape
    checked (MALFORMED): (N, [(sign, nodes)], B).  A node is ("split", k, bounds) or
    ("leaf", nu, mu, slope, quad, bounds) (quad None without one, always in a cover); B is
    the largest bits(numerator) + bits(denominator) of the section's rationals (budget)."""
    cv = _typed(v, dict, name, "N", "trees")
    _need(set(cv) == {"N", "trees"}, name, "expected exactly the keys N and trees")
    N = R.vec(cv["N"], n, name + ".N")
    seen, trees, signs = list(N), [], set()
    keys = {"nu", "mu", "slope", "bounds"} | ({"quad"} if name == "quadratic_cover" else set())
    tl = _typed(cv["trees"], list, name + ".trees")
    _need(len(tl) == 2, name + ".trees", "expected two trees, signs 1 and -1")
    for t, tree in enumerate(tl):
        h = f"{name}.trees[{t}]"
        _typed(tree, dict, h, "sign", "nodes")
        _need(set(tree) == {"sign", "nodes"}, h, "expected exactly the keys sign and nodes")
        s = tree["sign"]
        _need(type(s) is int and s in (1, -1) and s not in signs, h, "sign: 1 or -1, once each")
        signs.add(s)
        nodes, need = [], 1  # need: subtrees still to read
        for i, node in enumerate(_typed(tree["nodes"], list, h + ".nodes")):
            w = f"{h}.nodes[{i}]"
            _need(need > 0, w, "the tree is already complete before this node")
            _typed(node, dict, w)
            if "split" in node:
                _need(set(node) <= {"split", "bounds"}, w, "a split has the keys split, bounds")
                k = _index(node["split"], n, w + ".split")
                nodes.append(("split", k, _cover_bounds(node.get("bounds", {}), R, n,
                                                        w + ".bounds", seen)))
                need += 1
                continue
            _need(set(node) == {"leaf"}, w, "expected {'split': k} or {'leaf': proof}")
            p = _typed(node["leaf"], dict, w + ".leaf")
            _need(set(p) <= keys, w + ".leaf", "keys among " + ", ".join(sorted(keys)))
            got = [R.sparse(p.get(key, {}), n, f"{w}.leaf.{key}") for key in ("nu", "mu", "slope")]
            for m in got:
                seen.extend(m.values())
            bd = _cover_bounds(p.get("bounds", {}), R, n, w + ".leaf.bounds", seen)
            quad = _read_quad(p["quad"], R, n, w + ".leaf.quad", seen) if "quad" in p else None
            nodes.append(("leaf", *got, quad, bd))
            need -= 1
        _need(need == 0, h + ".nodes", "the tree ends early (a subtree is missing)")
        trees.append((s, nodes))
    B = _indiv(seen)
    return N, trees, B


def _cover_charge(c):
    """The budget of check 7 (12), charged before any of its work (docs/spec/certificate-v1.md,
    1.1; 1.6 adds the quadratic leaves: q of them, qrows of their rows in all)."""
    N, trees, B = c.cover
    leaves = sides = prods = q = qrows = 0
    for _, nodes in trees:
        for nd in nodes:
            leaves += nd[0] == "leaf"
            if nd[0] == "leaf" and nd[4] is not None:
                q, qrows = q + 1, qrows + len(nd[4][1])
            for hi, hnu, lo, lnu in nd[-1].values():
                for val, m in ((hi, hnu), (lo, lnu)):
                    if val is not None:
                        sides, prods = sides + 1, prods + len(m) + 1
    fb = _size(c.r) + 4 * B
    c.R.spend(6 * c.n * leaves + 4 * sides, fb, "the cover", fraction=True)
    c.R.spend((c.n * leaves + prods) * c.d, (max(c.bitsX, fb), min(c.bitsX, fb)),
              "the cover products")
    if q:  # only in a quadratic_cover (check 12)
        c.R.spend(8 * qrows + q * (c.d + 1) ** 3, 2 * c.bitsX + fb, "the quadratic leaves",
                  fraction=True)
        c.R.spend(qrows * c.d * (c.d + 1) // 2, (max(2 * c.bitsX, fb), min(2 * c.bitsX, fb)),
                  "the quadratic leaves' products")


def _bound_ok(c, k, sg, h, m, S):
    """h >= 0 and h^2 >= ||sg x_k + sum_j m_j sigma_j x_j||^2 (multipliers on rows of S)."""
    if any(j not in S or t < 0 for j, t in m.items()):
        return False
    D, mi = _common(list(m.values()))
    v = [sg * D * a for a in c.Xg[k]]
    for j, t in zip(m, mi):
        v = [a + S[j] * t * b for a, b in zip(v, c.Xg[j])]
    return h >= 0 and h.numerator ** 2 * (c.Dx * D) ** 2 >= h.denominator ** 2 * _dot(v, v)


def _cover_node_bounds(c, s, S, declared, inh, where):
    """The bounds of a node: declared ones checked, undeclared sides inherited."""
    out = dict(inh)
    for k, (hi, hnu, lo, lnu) in declared.items():
        if k in S or not s * c.r[k] > 0:
            _reject(c.cover_check,
                    f"{where}: a bound on row {k}, which is not free with s r_k > 0")
        old = list(inh.get(k, (c.cover[0][k], c.cover[0][k])))
        for idx, (val, m, sg) in enumerate(((hi, hnu, 1), (lo, lnu, -1))):
            if val is not None:
                if not _bound_ok(c, k, sg, val, m, S):
                    _reject(c.cover_check,
                            f"{where}: the bound of row {k} is not proved by its multipliers")
                old[idx] = val
        out[k] = tuple(old)
    return out


def _cover_leaf(c, s, S, leaf, inh, where):
    """(F) on the cone of S: lam - beta >= 0 and ||w||^2 <= (lam - beta)^2; a leaf with quad
    (1.6, check 12): its rows also bound by z/2 + p z^2 + t/4, the matrix M positive definite."""
    _, nu, mu, slope, quad, declared = leaf
    ck, rows = c.cover_check, quad[1] if quad is not None else {}
    bd = _cover_node_bounds(c, s, S, declared, inh, where)
    N, sr = c.cover[0], [s * a for a in c.r]
    coef, beta = [Fraction(0)] * c.n, Fraction(0)
    for k in range(c.n):
        if k in S:
            coef[k] = sr[k] if S[k] > 0 else Fraction(0)
        elif sr[k] > 0 and k not in slope:
            h, l = bd.get(k, (N[k], N[k]))
            ch = (Fraction(0), Fraction(0)) if not h else (Fraction(1), Fraction(0)) if not l \
                else (h / (h + l), h * l / (h + l))   # the chord of (z)_+ on [-l, h]
            if k in rows:  # theta times the chord plus (1 - theta) (z/2 + p z^2 + t/4)
                th, t = rows[k][0], rows[k][2]
                ch = (th * ch[0] + (1 - th) / 2, th * ch[1] + t / 4)
            coef[k], beta = sr[k] * ch[0], beta + sr[k] * ch[1]
    for j, v in nu.items():
        if j not in S or v < 0:
            _reject(ck, f"{where}: nu[{j}] is negative or not on a row of S")
        coef[j] += S[j] * v
    for k, v in mu.items():
        if k in S or not sr[k] < 0 or not 0 <= v <= 1:
            _reject(ck, f"{where}: mu[{k}] is not in [0, 1] on a free row with s r_k < 0")
        coef[k] = sr[k] * v
    for k, a in slope.items():
        if k in S or not sr[k] > 0 or not 0 <= a <= 1:
            _reject(ck, f"{where}: slope[{k}] is not in [0, 1] on a free row with s r_k > 0")
        h, l = bd.get(k, (N[k], N[k]))
        coef[k], beta = sr[k] * a, beta + sr[k] * max((1 - a) * h, a * l)
    for k, (th, p, t) in rows.items():
        if k in S or not sr[k] > 0 or k in slope:
            _reject(ck, f"{where}: quad row {k} is not a free row with s r_k > 0 and no slope")
        if not 0 <= th <= 1 or p < 0 or t < 0 or 4 * p * t < (1 - th) ** 2:
            _reject(ck, f"{where}: quad row {k}: [theta, p, t] needs 0 <= theta <= 1, p >= 0, "
                        "t >= 0 and 4 p t >= (1 - theta)^2")
    slack = c.lam - beta
    if slack < 0 and quad is None:
        _reject(ck, f"{where}: beta exceeds lam")
    D, ci = _common(coef)
    w = [0] * c.d  # Dx D w
    for k, v in enumerate(ci):
        if v:
            w = [a + v * b for a, b in zip(w, c.Xg[k])]
    if quad is not None:
        if not _positive_pivots(_quad_matrix(c, sr, quad, Fraction(1, c.Dx * D), w, slack)):
            _reject(ck, f"{where}: the matrix M of the quadratic leaf is not positive definite "
                        "(a pivot <= 0)")
    elif _dot(w, w) * slack.denominator ** 2 > (slack.numerator * c.Dx * D) ** 2:
        _reject(ck, f"{where}: ||w||^2 > (lam - beta)^2")


def _quad_matrix(c, sr, quad, wscale, w, gamma):
    """M = [[eta I - Q, -w/2], [-w^T/2, gamma - eta]] (check 12), w = wscale * (the ints w),
    Q = sum over quad rows of s r_k p_k x_k x_k^T, summed in integers as Dq Dx^2 Q."""
    eta, rows = quad
    Dq, qi = _common([sr[k] * rows[k][1] for k in rows])
    Q = [[0] * c.d for _ in range(c.d)]
    for k, v in zip(rows, qi):
        x = c.Xg[k]
        for i in range(c.d):
            for j in range(i, c.d):
                Q[i][j] += v * x[i] * x[j]
    out = [[(eta if i == j else 0) - Fraction(Q[min(i, j)][max(i, j)], Dq * c.Dx ** 2)
            for j in range(c.d)] + [-wscale * w[i] / 2] for i in range(c.d)]
    return out + [[-wscale * a / 2 for a in w] + [gamma - eta]]


def _positive_pivots(M):
    """Gaussian elimination without row exchanges (the test of check 12): every pivot > 0."""
    while M:
        p, top = M[0][0], M[0]
        if p <= 0:
            return False
        M = [[a - row[0] * b / p for a, b in zip(row[1:], top[1:])] for row in M[1:]]
    return True


def check_cover(c, ck=7):
    """Check 7 (minor version 1.1, only with a cover section).  N_k >= ||x_k|| (squared);
    every tree replayed in pre-order: split bounds proved and inherited, every leaf closed.
    Lemma (docs/spec/certificate-v1.md, 1.1): on each leaf cone s g_r(u) <= lam ||u||; the
    leaves' cones cover R^d, so (F) holds and L bounds NC over every width.  With ck = 12,
    the same for a quadratic_cover section (1.6)."""
    if c.cover is None or c.cover_check != ck:
        return
    _cover_charge(c)
    N, trees, _ = c.cover
    for k in range(c.n):
        if N[k] < 0 or N[k] * N[k] < _dot(c.X[k], c.X[k]):
            _reject(ck, f"N[{k}] is not an upper bound of ||x_{k}||")
    for s, nodes in trees:
        stack, leaves = [({}, {})], 0
        for i, nd in enumerate(nodes):
            S, inh = stack.pop()
            where = f"tree for sign {s}, node {i}"
            if nd[0] == "leaf":
                _cover_leaf(c, s, S, nd, inh, where)
                continue
            k = nd[1]
            if k in S:
                _reject(ck, f"{where}: split index {k} repeated on its path")
            inh = _cover_node_bounds(c, s, S, nd[2], inh, where)
            stack += [({**S, k: -1}, inh), ({**S, k: 1}, inh)]
    c.cover_size = (sum(len(nodes) for _, nodes in trees),
                    sum(nd[0] == "leaf" for _, nodes in trees for nd in nodes))


def check_quadratic_cover(c):
    """Check 12 (minor version 1.6, only with quadratic_cover; after check 11): check 7 on
    that section, where a leaf with quad closes iff its matrix M is positive definite.
    Lemma (docs/spec/certificate-v1.md, 1.6): (z)_+ = (z + |z|)/2, |z| <= z^2/(2T) + T/2
    with T = t/(1 - theta), so s g_r(u) <= w . u + u^T Q u + beta on a unit u of the cone,
    and (u, 1)^T M (u, 1) > 0 says that is < lam."""
    check_cover(c, 12)


# ---- minor version 1.7: simplex cover (docs/spec/certificate-v1.md, "Minor version 1.7") ----

SIMPLEX_BIT_NS = 100               # estimated cost of decoding and walking one tree bit


def _read_simplex(v, d, R):
    """The simplex_cover section, every shape checked (MALFORMED): [(sign, bits, depth)],
    bits the 0/1 list of its base64 string: 2^d complete pre-order trees, then fewer than 8
    zero bits; depth the deepest node (budget)."""
    sc = _typed(v, dict, "simplex_cover", "trees")
    _need(set(sc) == {"trees"}, "simplex_cover", "expected exactly the key trees")
    _need(d >= 1, "simplex_cover", "needs at least one column")
    tl = _typed(sc["trees"], list, "simplex_cover.trees")
    _need(len(tl) == 2, "simplex_cover.trees", "expected two trees, signs 1 and -1")
    out, signs = [], set()
    for t, tree in enumerate(tl):
        h = f"simplex_cover.trees[{t}]"
        _typed(tree, dict, h, "sign", "tree")
        _need(set(tree) == {"sign", "tree"}, h, "expected exactly the keys sign and tree")
        s, text = tree["sign"], tree["tree"]
        _need(type(s) is int and s in (1, -1) and s not in signs, h, "sign: 1 or -1, once each")
        signs.add(s)
        _need(type(text) is str and _B64.fullmatch(text) and len(text) % 4 == 0, h + ".tree",
              "expected a non-empty base64 string")
        R.add_ns(SIMPLEX_BIT_NS * 6 * len(text),         # before the bits are made
                 "the estimated time to read the simplex cover exceeds the budget")
        raw = base64.b64decode(text)
        _need(base64.b64encode(raw).decode("ascii") == text, h + ".tree",
              "not canonical base64 (nonzero padding bits)")
        bits = [(byte >> (7 - i)) & 1 for byte in raw for i in range(8)]
        pos = deepest = 0
        for _ in range(1 << d):
            open_ = [0]                      # depths of the subtrees still to read
            while open_:
                _need(pos < len(bits), h + ".tree", "the trees end early (a subtree is missing)")
                depth = open_.pop()
                deepest = max(deepest, depth)
                if bits[pos]:
                    open_ += [depth + 1, depth + 1]
                pos += 1
        _need(len(bits) - pos < 8 and not any(bits[pos:]), h + ".tree",
              "bits after the last tree (more than the padding of the last byte)")
        _need(d >= 2 or not any(bits), h + ".tree", "a cone of one vertex has no edge to split")
        out.append((s, bits, deepest))
    return out


def _simplex_bits(c):
    """The (wide, narrow) bits of check 13's integers (docs/spec/certificate-v1.md, 1.7)."""
    deep = max(depth for _, _, depth in c.cover)
    return (c.bitsX + _size(c.r) + 2 * deep + c.lam.numerator.bit_length(),
            c.bitsX + 2 * deep + 2)


def _simplex_charge(c):
    """The budget of check 13 charged before any of its work: T d^2 + F 2^d d^2 integer
    operations, T the bits of both strings, F those that are 0 (the leaves, and padding).
    Each node charges its rows before it is replayed (_simplex_tree)."""
    T = sum(len(bits) for _, bits, _ in c.cover)
    F = T - sum(sum(bits) for _, bits, _ in c.cover)
    c.R.spend(T * c.d * c.d + F * (1 << c.d) * c.d * c.d, _simplex_bits(c), "the simplex cover")
    big = sum(math.comb(c.d, m) * m ** 3 for m in range(4, c.d + 1))   # faces past 3 x 3
    if big:
        c.R.spend(F * big, _simplex_bits(c)[0], "the simplex cover's faces", fraction=True)


def _widest(V):
    """(i, j): the edge with the smallest cosine, compared by sign and squares."""
    sq = [_dot(v, v) for v in V]
    best = None
    for i, j in combinations(range(len(V)), 2):
        p, A = _dot(V[i], V[j]), sq[i] * sq[j]
        if best is not None:
            q, B = best[0], best[1]
            if p < 0 <= q or (p < 0 and q < 0 and p * p * B > q * q * A) or (
                    p >= 0 and q >= 0 and p * p * B < q * q * A):
                best = (p, A, i, j)
        else:
            best = (p, A, i, j)
    return best[2], best[3]


def _split_point(a, b):
    """(w, ka, kb, g): w = (ka a + kb b) / g, the lengths balanced by powers of two."""
    A, B = _dot(a, a), _dot(b, b)
    ka = kb = 1
    while A >= B and 2 * kb * kb * B <= A:
        kb *= 2
    while A < B and 2 * ka * ka * A <= B:
        ka *= 2
    w = [ka * p + kb * q for p, q in zip(a, b)]
    g = math.gcd(*w)
    return [x // g for x in w], ka, kb, g


def _gram_adj(G):
    """(adj G, det G) of a symmetric integer matrix up to 3 x 3 (explicit)."""
    m = len(G)
    if m == 1:
        return [[1]], G[0][0]
    if m == 2:
        return [[G[1][1], -G[0][1]], [-G[1][0], G[0][0]]], G[0][0] * G[1][1] - G[0][1] * G[1][0]
    if m == 3:
        (a, b, e), (_, f, h), (_, _, i) = G
        adj = [[f * i - h * h, e * h - b * i, b * h - e * f],
               [e * h - b * i, a * i - e * e, b * e - a * h],
               [b * h - e * f, b * e - a * h, a * f - b * b]]
        return adj, a * adj[0][0] + b * adj[1][0] + e * adj[2][0]
    raise ValueError(m)


def _gram_solve(G, b):
    """x = G^-1 b in Fractions (G a Gram matrix of independent vectors: every pivot of
    the elimination without exchanges is > 0)."""
    m = len(G)
    M = [[Fraction(x) for x in row] + [Fraction(v)] for row, v in zip(G, b)]
    for col in range(m):
        for r in range(col + 1, m):
            f = M[r][col] / M[col][col]
            M[r] = [x - f * y for x, y in zip(M[r], M[col])]
    x = [Fraction(0)] * m
    for r in range(m - 1, -1, -1):
        x[r] = (M[r][m] - sum(M[r][t] * x[t] for t in range(r + 1, m))) / M[r][r]
    return x


def _face(G, F, c):
    """(alpha, det) of face F: alpha = adj(G_F) c_F, or beyond 3 x 3 (G_F^-1 c_F, 1)
    (the same signs and the same c_F . alpha / det)."""
    GF, cF = [[G[i][j] for j in F] for i in F], [c[i] for i in F]
    if len(F) > 3:
        return _gram_solve(GF, cF), 1
    adj, det = _gram_adj(GF)
    return [_dot(row, cF) for row in adj], det


def _simplex_leaf(V, c, L2):
    """The spec's test: every face F with alpha = adj(G_F) c_F >= 0 has
    c_F . alpha <= lam^2 det G_F.  Decided at the face of the projection p = Pi(m): the
    F with alpha >= 0 and c_i det <= sum_j alpha_j G_ji off F ((m - p) . v_i <= 0, so
    m - p is in the polar cone: Moreau), whose value is the largest of them all; if no
    face passed that test, every face is checked as the spec states."""
    if max(c) <= 0:
        return True                     # every c_F . alpha with alpha >= 0 is <= 0
    ln, ld = L2.numerator, L2.denominator
    d = len(V)
    G = [[_dot(a, b) for b in V] for a in V]
    faces = [F for size in range(1, d + 1) for F in combinations(range(d), size)]
    for F in faces:
        alpha, det = _face(G, F, c)
        if min(alpha) >= 0 and all(c[i] * det <= sum(a * G[j][i] for a, j in zip(alpha, F))
                                   for i in range(d) if i not in F):
            return _dot(alpha, [c[i] for i in F]) * ld <= ln * det
    for F in faces:                     # pragma: no cover - some face is the projection's
        alpha, det = _face(G, F, c)
        if min(alpha) >= 0 and _dot(alpha, [c[i] for i in F]) * ld > ln * det:
            return False
    return True


def _simplex_tree(c, rho, L2, s, root, bits, pos, where):
    """Replay one root cone's tree from bits[pos]; REJECTED at a leaf that does not hold.
    A node: (V, lin, rows) with lin = s sum rho_k x_k over the rows >= 0 on the whole cone
    and rows = [(k, z)] the rows of both signs there, z their values at the vertices."""
    d = c.d
    wide = _simplex_bits(c)
    stack = [(root, [0] * d, [(k, [_dot(c.Xg[k], v) for v in root]) for k in range(c.n)])]
    while stack:
        V, lin, rows = stack.pop()
        c.R.spend(len(rows) * (d + 2), wide, "the simplex cover")  # before the node's work
        lin, mixed = list(lin), []
        for k, z in rows:
            if min(z) >= 0:
                for t in range(d):
                    lin[t] += s * rho[k] * c.Xg[k][t]
            elif max(z) > 0:
                mixed.append((k, z))
        b, pos = bits[pos], pos + 1
        if b:
            i, j = _widest(V)
            w, ki, kj, g = _split_point(V[i], V[j])
            zw = [(ki * z[i] + kj * z[j]) // g for _, z in mixed]
            for repl in (i, j):     # pushed so that the child without v_j comes first
                V2 = [w if t == repl else V[t] for t in range(d)]
                stack.append((V2, lin, [(k, [a if t != repl else e for t, a in enumerate(z)])
                                        for (k, z), e in zip(mixed, zw)]))
            continue
        cv = [_dot(lin, v) for v in V]
        for k, z in mixed:
            sr = s * rho[k]
            theta = 1 if sr > 0 or max(z) >= -min(z) else 0
            for t in range(d):
                if sr > 0:
                    cv[t] += sr * max(z[t], 0)
                elif theta:
                    cv[t] += sr * z[t]
        if not _simplex_leaf(V, cv, L2):
            _reject(13, f"{where}: the leaf ending at bit {pos - 1} does not hold")
    return pos


def check_simplex_cover(c):
    """Check 13 (minor version 1.7, only with simplex_cover; after check 12).  Each tree is
    replayed from the 2^d orthant cones, splits at the fixed split points, and every leaf
    holds.  Lemma (docs/spec/certificate-v1.md, 1.7): on a leaf cone, s g_r(u) <= m . u
    with v_i . m = c_i, and the largest m . u / ||u|| there is the projection of m onto the
    cone, the largest c_F . adj(G_F) c_F / det G_F over faces whose adj(G_F) c_F >= 0."""
    if c.cover is None or c.cover_check != 13:
        return
    _simplex_charge(c)
    Dr, rho = _common(c.r)
    L2 = (c.lam * Dr * c.Dx) ** 2     # s sum rho_k (Xg_k . u)_+ <= Dr Dx lam ||u||
    roots = [[[sg if j == i else 0 for j in range(c.d)] for i, sg in enumerate(signs)]
             for signs in _signs(c.d)]
    for s, bits, _ in c.cover:
        pos = 0
        for root in roots:
            pos = _simplex_tree(c, rho, L2, s, root, bits, pos, f"tree for sign {s}")
    ones = sum(sum(bits) for _, bits, _ in c.cover)
    c.cover_size = (2 * (1 << c.d) + 2 * ones, 2 * (1 << c.d) + ones)


def _signs(d):
    """The sign patterns in the order of itertools.product((1, -1), repeat=d)."""
    out = [[]]
    for _ in range(d):
        out = [p + [sg] for p in out for sg in (1, -1)]
    return out


def _read_output_bias(doc, R, n):
    """Minor version 1.2: "output_bias": {"y": [R]*n, "c": R} -> (y, c), or None."""
    if "output_bias" not in doc:
        return None
    ob = _typed(doc["output_bias"], dict, "output_bias", "y", "c")
    return R.vec(ob["y"], n, "output_bias.y"), R.rat(ob["c"], "output_bias.c")


def check_output_bias(c):
    """Check 8 (minor version 1.2, only with output_bias): problem.y == y - c 1 and
    sum_k r_k == 0.  Lemma: for any c', check 4 makes L(c') = r.(y - c' 1) - ||r||^2 / 2 a
    lower bound of the program with targets y - c' 1, i.e. with output bias c' fixed; with
    sum r = 0 it is L for every c', so L bounds the program with a free output bias; the
    fixed-c' program at c' = c is the one checks 1-6 saw, so the models are bounded by U."""
    if c.output_bias is None:
        return
    y, b = c.output_bias
    c.R.spend(2 * c.n, 2 * (_size(y + [b]) + _size(c.y) + _size(c.r)), "the output bias",
              fraction=True)
    for k in range(c.n):
        if c.y[k] != y[k] - b:
            _reject(8, f"row {k}: problem.y differs from output_bias.y - c")
    if sum(c.r):
        _reject(8, "sum_k dual.r_k is not 0, so L depends on the output bias")


def _output_bias_statement(c):
    model = "the network" if c.network is not None else "the blocks"
    scope = ("no network of any width with any output bias has objective below lower"
             if c.complete else "the program with a free output bias over the listed "
             "patterns has optimal value >= lower")
    return (f"output bias (1.2): problem.y = y - c with c = {_fmt(c.output_bias[1])} and "
            f"sum r = 0, so for the original targets y and a free, unregularised output "
            f"bias: {scope}, and {model} with output bias c has objective as above "
            "(the optimal set, if any, is that of output bias c)")


# ---- minor version 1.3: gated ReLU (docs/spec/certificate-v1.md, "Minor version 1.3") ----

def read_gated(doc, c):
    """The 'gated' section (1.3): gates, then network (gate indices, W1, w2), blocks
    (gate, v, norm_upper; one per gate) and claim, read in this order (MALFORMED)."""
    R, d = c.R, c.d
    gs = _typed(doc["gated"], dict, "gated", "gates", "claim")
    gates = _typed(gs["gates"], list, "gated.gates")
    _need(gates, "gated.gates", "expected at least one gate")
    G = [R.vec(g, d, f"gated.gates[{j}]") for j, g in enumerate(gates)]
    net = blocks = None
    if "network" in gs:
        nt = _typed(gs["network"], dict, "gated.network", "gate", "W1", "w2")
        W1, idx = _typed(nt["W1"], list, "gated.network.W1"), nt["gate"]
        _need(type(idx) is list and len(idx) == len(W1), "gated.network.gate",
              f"expected a list of {len(W1)} gate indices")
        idx = [_index(j, len(G), f"gated.network.gate[{t}]") for t, j in enumerate(idx)]
        net = (idx, [R.vec(w, d, f"gated.network.W1[{t}]") for t, w in enumerate(W1)],
               R.vec(nt["w2"], len(W1), "gated.network.w2"))
    if "blocks" in gs:
        blocks = {}
        for b, blk in enumerate(_typed(gs["blocks"], list, "gated.blocks")):
            h = f"gated.blocks[{b}]"
            j = _index(_typed(blk, dict, h, "gate", "v", "norm_upper")["gate"], len(G), h + ".gate")
            _need(j not in blocks, h, f"gate {j} has a second block")
            blocks[j] = (R.vec(blk["v"], d, h + ".v"), R.rat(blk["norm_upper"], h + ".norm_upper"))
    _need(net is not None or blocks is not None, "gated",
          "at least one of 'network' and 'blocks' is required")
    cl = _typed(gs["claim"], dict, "gated.claim", "lower", "upper")
    return {"G": G, "network": net, "blocks": blocks, "text": (cl["lower"], cl["upper"]),
            "claim": (R.rat(cl["lower"], "gated.claim.lower"),
                      R.rat(cl["upper"], "gated.claim.upper"))}


def _gate_patterns(c, G):
    """Check 9 (a): the pattern 1[X g >= 0] of every gate (zero rows 1) is listed."""
    listed, pats = set(c.bits), []
    for j, g in enumerate(G):
        gi = _common(g)[1]
        c.R.spend(c.n * c.d, (max(c.bitsX, _bits(gi)), min(c.bitsX, _bits(gi))), "the gates")
        p = "".join("1" if _dot(x, gi) >= 0 else "0" for x in c.Xg)
        if p not in listed:
            _reject(9, f"gate {j}: its pattern 1[X g >= 0] is not listed in patterns.bits")
        pats.append(p)
    return pats


def check_gated(c):
    """Check 9 (1.3, only with 'gated'). (a) every gate's pattern is listed; (b) for each
    gate pattern D, ||X^T D r||^2 <= lam^2 (no multipliers); (c) U_net = the gated NC
    objective, U_blk = loss + lam sum norm_upper with norm_upper^2 >= ||v||^2, U_G = the
    smaller; (d) gated.claim.lower <= L (check 4), upper >= U_G, lower <= upper.  Lemma:
    with v = W1 w2 the gated NC objective is >= C-GReLU(v) (AM-GM, triangle inequality),
    so min NC = min C-GReLU >= L by weak duality; both models bound it from above."""
    g = getattr(c, "gated", None)
    if g is None:
        return
    pats = _gate_patterns(c, g["G"])
    Dr, ri = _common(c.r)
    bv = _bits(ri) + c.bitsX + c.n.bit_length()
    distinct = sorted(set(pats))
    c.R.spend(len(distinct) * c.n * c.d, (bv, 1), "the gated dual sums")
    ld, base = c.lam.denominator ** 2, (c.lam.numerator * c.Dx * Dr) ** 2
    for p in distinct:
        S = [sum(ri[k] * c.Xg[k][j] for k in range(c.n) if p[k] == "1") for j in range(c.d)]
        if _dot(S, S) * ld > base:
            _reject(9, f"gate pattern {p}: ||X^T D r||^2 > lam^2")
    bounds, size_y = {}, _size(c.y)
    if g["network"] is not None:
        idx, W1, w2 = g["network"]
        size = c.sizeX + size_y + _size([v for w in W1 for v in w] + w2)
        c.R.spend(len(W1) * c.n * c.d, 2 * size, "the gated network objective", fraction=True)
        f = [Fraction(0)] * c.n
        for j, w, a in zip(idx, W1, w2):
            f = [fk + a * _dot(x, w) if pats[j][k] == "1" else fk
                 for k, (fk, x) in enumerate(zip(f, c.X))]
        bounds["network"] = _loss(f, c.y) + c.lam * sum(_dot(w, w) + a * a for w, a in zip(W1, w2)) / 2
    if g["blocks"] is not None:
        c.R.spend(len(g["blocks"]) * c.n * c.d, 2 * (c.sizeX + size_y + _size(
            [x for v, nu in g["blocks"].values() for x in v + [nu]])), "the gated blocks",
            fraction=True)
        f, total = [Fraction(0)] * c.n, Fraction(0)
        for j, (v, nu) in g["blocks"].items():
            if nu < 0 or nu * nu < _dot(v, v):
                _reject(9, f"block of gate {j}: norm_upper is negative or its square is < ||v||^2")
            f = [fk + _dot(x, v) if pats[j][k] == "1" else fk
                 for k, (fk, x) in enumerate(zip(f, c.X))]
            total += nu
        bounds["blocks"] = _loss(f, c.y) + c.lam * total
    lo, up = g["claim"]
    g["bounds"], U = bounds, min(bounds.values())
    if lo > c.L:
        _reject(9, f"gated.claim.lower = {g['text'][0]} exceeds the dual bound L = {_fmt(c.L)}")
    if up < U:
        _reject(9, f"gated.claim.upper = {g['text'][1]} is below the gated bound U = {_fmt(U)}")
    if lo > up:
        _reject(9, "gated.claim.lower exceeds gated.claim.upper")


def _gated_statement(c):
    g = getattr(c, "gated", None)
    if g is None:
        return ""
    lo, up = g["text"]
    out = [f"; gated ReLU (1.3): over the {len(g['G'])} gates the gated convex program's "
           f"optimal value p*_G satisfies lower <= p*_G <= upper, lower = {lo}, upper = {up};"
           " no gated network whose gates have these patterns has objective below lower"]
    for name, value in g["bounds"].items():
        model = (f"the gated network ({len(g['network'][1])} neurons)" if name == "network"
                 else f"the {len(g['blocks'])} gated blocks")
        out.append(f"{model}: objective {'<=' if value <= g['claim'][1] else '> (not proved <=)'} upper")
    return "; ".join(out)


# ---- minor version 1.5: the optimal set at an irrational optimum (docs/spec/certificate-v1.md,
# "Minor version 1.5"; check 11) ----

ENC = "optimal_set_enclosure"


def _tight_rows(v, n, where):
    rows = [_index(k, n, where) for k in _typed(v, list, where)]
    _need(len(set(rows)) == len(rows), where, "a row is listed twice")
    return rows


def read_enclosure(doc, c):
    """The 'optimal_set_enclosure' section (1.5): candidates, rho (optional), system
    (blocks with tight rows, center, delta, C; optional) and twins (only with a system),
    read in this order; a wrong shape or length, an index out of range, a block or row
    listed twice, a bad sign, twins without a system: MALFORMED."""
    R, n, d = c.R, c.n, c.d
    sec = _typed(doc[ENC], dict, ENC, "candidates")
    cand = c._keyed(sec["candidates"], ENC + ".candidates", "pattern", lambda e, h: None)
    rho = c._keyed(sec.get("rho", []), ENC + ".rho", "values",
                   lambda e, h: R.sparse(e["values"], n, h + ".values"))
    system = twins = None
    if "system" in sec:
        h = ENC + ".system"
        sy = _typed(sec["system"], dict, h, "blocks", "center", "delta", "C")
        blocks = list(c._keyed(sy["blocks"], h + ".blocks", "tight",
                               lambda e, w: _tight_rows(e["tight"], n, w + ".tight")).items())
        N = sum(d + len(T) + 1 for _, T in blocks)
        center = R.vec(sy["center"], N, h + ".center")
        delta = R.rat(sy["delta"], h + ".delta")
        rows = _typed(sy["C"], list, h + ".C")
        _need(len(rows) == N, h + ".C", f"expected {N} rows")
        system = (blocks, center, delta, [R.vec(row, N, f"{h}.C[{i}]") for i, row in enumerate(rows)])
    if "twins" in sec:
        _need(system is not None, ENC + ".twins", "twins need a system")
        m = len(system[0])
        twins = list(c._keyed(sec["twins"], ENC + ".twins", "of",
                              lambda e, h: _index(e["of"], m, h + ".of")).items())
    pairs, mirrors = [], []
    if "pairs" in sec:
        h = ENC + ".pairs"
        _need(system is not None, h, "pairs need a system")
        rows = _typed(sec["pairs"], list, h)
        _need(len(rows) == d, h, f"expected {d} pairs")
        for e, pr in enumerate(rows):
            w = f"{h}[{e}]"
            pr = _typed(pr, list, w)
            _need(len(pr) == 2, w, "a pair is two indices")
            j, jj = (_index(x, len(system[0]), w) for x in pr)
            _need(j != jj, w, "a pair is two distinct indices")
            pairs.append((j, jj))
    if "mirrors" in sec:
        _need(bool(pairs), ENC + ".mirrors", "mirrors need pairs")
        m = len(system[0])
        mirrors = list(c._keyed(sec["mirrors"], ENC + ".mirrors", "of",
                                lambda e, h: _index(e["of"], m, h + ".of")).items())
    return {"candidates": set(cand), "rho": rho, "system": system, "twins": twins or [],
            "pairs": pairs, "mirrors": mirrors}


class _Kkt(NamedTuple):
    """The system of check 11 (a) at the center: per block (pattern bits, sign, tight rows,
    offset, v~, rho~, alpha~, v~ as integers over Dv), the products xv[b][k] = x_k . v~_b,
    the residual r~ = r(z~), the row bounds e and l1[k] = ||x_k||_1."""
    blocks: list
    xv: list
    rt: list
    e: list
    l1: list


def _scaled(values):
    """(D, [v D]) with D the least common denominator.  Only for values whose denominators
    divide a product of denominators the budget has already accepted (no size limit)."""
    D = 1
    for v in values:
        D = D // math.gcd(D, v.denominator) * v.denominator
    return D, [v.numerator * (D // v.denominator) for v in values]


def _kkt_center(c, blocks, center, delta):
    """Split the center into its blocks and compute xv, r~ and e (check 11 (a))."""
    out, off, d = [], 0, c.d
    for (i, s), T in blocks:
        v, rho, alpha = center[off:off + d], center[off + d:off + d + len(T)], center[off + d + len(T)]
        Dv, vi = _scaled(v)
        out.append((c.bits[i], s, T, off, v, rho, alpha, Dv, vi))
        off += d + len(T) + 1
    xv = [[Fraction(_dot(x, b[8]), c.Dx * b[7]) for x in c.Xg] for b in out]
    l1 = [Fraction(sum(map(abs, x)), c.Dx) for x in c.Xg]
    rt, e = list(c.y), [Fraction(0)] * c.n
    for b, (p, s, _, _, _, _, alpha, _, _) in enumerate(out):
        for k in range(c.n):
            if p[k] == "1":
                rt[k] -= alpha * s * xv[b][k]
                e[k] += delta * abs(xv[b][k]) + (abs(alpha) + delta) * l1[k] * delta
    return _Kkt(out, xv, rt, e, l1)


def _kkt_F(c, K):
    """F(z~): per block E1 (d rows), E2 (one per tight row), E3 (one row)."""
    Dr, ri = _scaled(K.rt)
    F = []
    for p, s, T, _, v, rho, _, Dv, vi in K.blocks:
        g = [0] * c.d  # X^T D_b r~ times Dx Dr
        for k in range(c.n):
            if p[k] == "1" and ri[k]:
                g = [a + ri[k] * x for a, x in zip(g, c.Xg[k])]
        e1 = [v[j] - Fraction(s * g[j], c.Dx * Dr) for j in range(c.d)]
        for rk, k in zip(rho, T):
            t = 1 if p[k] == "1" else -1
            e1 = [a - rk * Fraction(t * x, c.Dx) for a, x in zip(e1, c.Xg[k])]
        F += e1
        F += [Fraction((1 if p[k] == "1" else -1) * _dot(c.Xg[k], vi), c.Dx * Dv) for k in T]
        F.append((_dot(v, v) - c.lam * c.lam) / 2)
    return F


def _kkt_M(c, K):
    """{(b, c): X^T D_b D_c X times Dx^2} (integers, d x d; M_cb is the transpose)."""
    M, m = {}, len(K.blocks)
    for b in range(m):
        for a in range(b, m):
            rows = [c.Xg[k] for k in range(c.n) if K.blocks[b][0][k] == "1" == K.blocks[a][0][k]]
            cols = list(zip(*rows)) if rows else [()] * c.d
            M[b, a] = [[_dot(cols[j], cols[l]) for l in range(c.d)] for j in range(c.d)]
            M[a, b] = [list(col) for col in zip(*M[b, a])]
    return M


def _kkt_J(c, K, N):
    """J(z~) and G 1 (the row sums of G), both Fractions."""
    d, Z, D2 = c.d, Fraction(0), c.Dx * c.Dx
    J, G1, M = [[Z] * N for _ in range(N)], [0] * N, _kkt_M(c, K)
    for b, (p, s, T, o, v, _, _, _, _) in enumerate(K.blocks):
        for a, (_, sc, Tc, oc, _, _, alc, Dvc, vic) in enumerate(K.blocks):
            Mba = M[b, a]
            for j in range(d):
                row = J[o + j]
                for l in range(d):
                    row[oc + l] = int(b == a and j == l) + Fraction(s * sc * Mba[j][l], D2) * alc
                row[oc + d + len(Tc)] = Fraction(s * sc * _dot(Mba[j], vic), D2 * Dvc)
                G1[o + j] += 2 * sum(map(abs, Mba[j]))
        for t, k in enumerate(T):
            a_k = [Fraction(x if p[k] == "1" else -x, c.Dx) for x in c.Xg[k]]
            for j in range(d):
                J[o + j][o + d + t], J[o + d + t][o + j] = -a_k[j], a_k[j]
        J[o + d + len(T)][o:o + d] = v
        G1[o + d + len(T)] = d * D2
    return J, [Fraction(g, D2) for g in G1]


def _nonzero_form(values):
    """_common over the nonzero values: (D, {index: integer}) (the library checker's
    integer form of a sparse matrix, so that both refuse the same sizes)."""
    idx = [i for i, v in enumerate(values) if v]
    D, ints = _common([values[i] for i in idx])
    return D, dict(zip(idx, ints))


def _krawczyk(c, K, N, C, delta):
    """Check 11 (a), Krawczyk's test: for every row i, |C F|_i + delta sum_j |I - C J|_ij
    + delta^2 (|C| G 1)_i < delta, with C, J, F, G 1 over common denominators (integer
    products; the O(N^3) part)."""
    F, (J, G1) = _kkt_F(c, K), _kkt_J(c, K, N)
    Dc, Cd = _nonzero_form([x for row in C for x in row])
    DJ, Jd = _nonzero_form([x for row in J for x in row])
    DF, Fd = _nonzero_form(F)
    DG, Gd = _nonzero_form(G1)
    Ci = [[Cd.get(i * N + j, 0) for j in range(N)] for i in range(N)]
    cols = [[Jd.get(i * N + j, 0) for i in range(N)] for j in range(N)]
    Fi, Gi, one = [Fd.get(i, 0) for i in range(N)], [Gd.get(i, 0) for i in range(N)], Dc * DJ
    for i, row in enumerate(Ci):
        rs = sum(abs(one * (i == j) - _dot(row, col)) for j, col in enumerate(cols))
        lhs = (Fraction(abs(_dot(row, Fi)), DF) + delta * Fraction(rs, DJ)
               + delta * delta * Fraction(_dot(map(abs, row), Gi), DG))
        if not lhs < delta * Dc:
            _reject(11, f"system: Krawczyk's test fails in row {i} (no unique KKT solution "
                    "proved in the box)")


def _kkt_margins(c, K, delta):
    """Check 11 (a): alpha~ - delta > 0, rho~ - delta >= 0 on tight rows, and
    a_k . v~ - delta ||a_k||_1 > 0 on the other nonzero rows (a_k = (2 D_k - 1) x_k)."""
    for b, (p, s, T, _, _, rho, alpha, _, _) in enumerate(K.blocks):
        where = f"system block {b}"
        if not alpha - delta > 0:
            _reject(11, f"{where}: alpha~ - delta is not > 0")
        if any(not rk - delta >= 0 for rk in rho):
            _reject(11, f"{where}: a tight row has rho~ - delta < 0")
        tight = set(T)
        for k in c.nz:
            if k not in tight and not (1 if p[k] == "1" else -1) * K.xv[b][k] - delta * K.l1[k] > 0:
                _reject(11, f"{where}, row {k}: a_k . v~ - delta ||a_k||_1 is not > 0")


def _enc_inactive(c, enc, eps2):
    """Check 11 (c): every block outside the candidates has multipliers >= 0 and
    sqrt(||q||^2) + sqrt(B) < lam, B = eps^2 sum_(active k) ||x_k||^2, tested squared twice
    (divided by lam^2: t = ||q||^2 / lam^2 from check 4 or from the section's rho)."""
    nx = [_dot(x, x) for x in c.Xg]
    Sx = [sum(nx[k] for k in range(c.n) if p[k] == "1") for p in c.bits]
    own = enc["rho"]
    scale, r_int = eps2 / (c.lam * c.lam * c.Dx * c.Dx), _common(c.r)
    for i, p in enumerate(c.bits):
        for s in (1, -1):
            if (i, s) in enc["candidates"]:
                continue
            if (i, s) in own:
                if any(v < 0 for v in own[(i, s)].values()):
                    _reject(11, f"block (pattern {i}, sign {s}): a multiplier is negative")
                t = _q2(c, i, s, own[(i, s)], *r_int) / (c.lam * c.lam)
            else:
                t = Fraction(*c.qratio[(i, s)])
            b = scale * Sx[i]
            if not (b < 1 and 1 + b - t > 0 and 4 * b < (1 + b - t) ** 2):
                _reject(11, f"block (pattern {i}, sign {s}) is not a candidate and not "
                        "strictly inactive within the radius (sqrt(||q||^2) + sqrt(B) >= lam)")


def _q2(c, i, s, rho, Dr, ri):
    """||s X^T D_i r + sum_k rho_k a_k||^2 (integers over Dx Dr Dp, then one Fraction; the
    multipliers are read from the file, so their integer form is size-checked)."""
    p, (Dp, pi) = c.bits[i], _common(list(rho.values()))
    Q = [0] * c.d
    for k in range(c.n):
        if p[k] == "1" and ri[k]:
            Q = [a + s * Dp * ri[k] * x for a, x in zip(Q, c.Xg[k])]
    for v, k in zip(pi, rho):
        Q = [a + Dr * (v if p[k] == "1" else -v) * x for a, x in zip(Q, c.Xg[k])]
    return Fraction(_dot(Q, Q), (c.Dx * Dr * Dp) ** 2)


def _enc_twins(c, enc, K, delta):
    """Check 11 (d) and (e): each twin is a candidate, not a system block, has the sign of
    its block j, differs from it on a non-empty set F of rows inside T_j, and
    rho~_jk + delta + s r~_k + e_k <= 0 on F; candidates = system blocks and twins."""
    sys_keys = [key for key, _ in enc["system"][0]]
    for (i, s), j in enc["twins"]:
        where = f"twin (pattern {i}, sign {s})"
        p, sj, T, _, _, rho, _, _, _ = K.blocks[j]
        if (i, s) not in enc["candidates"] or (i, s) in sys_keys:
            _reject(11, f"{where}: a twin must be a candidate and not a system block")
        F = [k for k in range(c.n) if c.bits[i][k] != p[k]]
        if s != sj or not F or not set(F) <= set(T):
            _reject(11, f"{where}: not a twin of system block {j} (sign, or rows F not "
                    "non-empty inside its tight rows)")
        for k in F:
            if rho[T.index(k)] + delta + s * K.rt[k] + K.e[k] > 0:
                _reject(11, f"{where}, row {k}: rho~ + delta + s r~_k + e_k > 0")
    _enc_pairs(c, enc, K, delta)
    taken = set(sys_keys) | {key for key, _ in enc["twins"]}
    for (i, s), j in enc["mirrors"]:
        where = f"mirror (pattern {i}, sign {s})"
        p, sj, T, _, _, rho, _, _, _ = K.blocks[j]
        if (i, s) not in enc["candidates"] or (i, s) in taken or s != sj:
            _reject(11, f"{where}: a mirror must be a candidate, not a system block or twin, "
                    "with the sign of its block")
        if any(c.bits[i][k] == p[k] for k in c.nz if k not in T):
            _reject(11, f"{where}: not complementary to system block {j} off its tight rows")
        for k, rk in zip(T, rho):
            sb, sc = (1 if p[k] == "1" else -1), (1 if c.bits[i][k] == "1" else -1)
            dl = 1 - (p[k] == "1") - (c.bits[i][k] == "1")
            if sc * (-sb * rk + s * dl * K.rt[k]) - delta - abs(dl) * K.e[k] < 0:
                _reject(11, f"{where}, row {k}: its multiplier is not >= 0 on the box")
    explained = taken | {key for key, _ in enc["mirrors"]}
    if enc["candidates"] != explained:
        _reject(11, "the candidates are not exactly the system blocks, their twins and "
                "mirrors")


def _enc_pairs(c, enc, K, delta):
    """Check 11 (d') pairs: same sign and tight rows, patterns complementary on the nonzero
    rows outside them; V~ (rows v~_j) invertible, M = V~^-1; d ||M||_inf (Q/2 + delta) < 1
    with Q = max_l |sum_k x_kl r~_k| + sum_k |x_kl| e_k.  Lemma (spec): E1 of a pair gives
    |q.v_j| <= ||q||^2/2 for q = X^T r(z*); so ||q||_inf <= d ||M|| ||q||_inf^2/2 +
    d delta ||M|| ||q||_inf, and q = 0.  (O(d^3 + n d), inside the system's charge.)"""
    if not enc["pairs"]:
        return
    rows = []
    for j, jj in enc["pairs"]:
        pa, sa, Ta = K.blocks[j][:3]
        pb, sb, Tb = K.blocks[jj][:3]
        if sa != sb or set(Ta) != set(Tb) or any(pa[k] == pb[k] for k in c.nz if k not in Ta):
            _reject(11, f"pair ({j}, {jj}): not the same sign and tight rows with "
                    "complementary patterns outside them")
        rows.append(list(K.blocks[j][4]))
    d = c.d
    Dv, vi = _scaled([x for row in rows for x in row])      # V~ = Vi / Dv, integer Vi
    inv = _scaled_inverse([vi[i * d:(i + 1) * d] for i in range(d)])
    if inv is None:
        _reject(11, "pairs: the directions of the pairs are linearly dependent")
    D, E = inv                                               # V~^-1 = Dv E / D
    norm = Fraction(Dv * max(sum(abs(x) for x in row) for row in E), abs(D))
    Q = max(abs(sum(c.X[k][l] * K.rt[k] for k in range(c.n)))
            + sum(abs(c.X[k][l]) * K.e[k] for k in range(c.n)) for l in range(d))
    if not d * norm * (Q / 2 + delta) < 1:
        _reject(11, "pairs: d ||M|| (Q/2 + delta) < 1 does not hold (X^T r* = 0 not proved)")


def _enclosure_charge(c, enc):
    """The budget of check 11, charged before any of its work (the library checker charges
    the same amounts): (c) as the dual sums and comparisons of check 4; J, F and the
    margins; the O(N^3) products of Krawczyk's test."""
    bv = _size(c.r) + c.sizeX + c.n.bit_length()
    c.R.spend(2 * c.P * c.n * c.d, (bv, 1), "the inactive blocks")
    c.R.spend(8 * c.P + sum(len(v) for v in enc["rho"].values()),
              4 * (bv + c.sizeX + _size([c.upper, c.L])), "the inactive blocks", fraction=True)
    own = [x for v in enc["rho"].values() for x in v.values()]
    if own:            # the section's own multipliers: q and its norm, per entry and block
        c.R.spend((len(own) + len(enc["rho"])) * c.d, 2 * (bv + _size(own) + c.sizeX),
                  "the section's multipliers", fraction=True)
    if enc["system"] is None:
        return
    blocks, center, delta, C = enc["system"]
    m, N = len(blocks), len(center)
    bj = 2 * c.sizeX + 2 * _size(center + [delta])
    bc = _size([x for row in C for x in row]) if N else 1
    c.R.spend(m * m * c.n * c.d * c.d + 2 * m * c.n * c.d, bj, "the KKT system")
    c.R.spend(N * N + 4 * m * c.n + N * c.d, 2 * (bj + _size(c.y)), "the KKT system",
              fraction=True)
    c.R.spend(N * N * N + 3 * N * N, (max(bc, 2 * bj), min(bc, 2 * bj)), "Krawczyk's test")


def check_enclosure(c):
    """Check 11 (1.5, only with optimal_set_enclosure).  (a) Krawczyk's test and the margins
    for the KKT system of the support, r~ = r(z~), the bounds e and eps_Z; (b) the radius
    eps^2 = eps_Z^2 with a system, else 2 (U - L); (c) every non-candidate strictly inactive
    within eps; (d) twins, (d') pairs (X^T r* = 0) and mirrors; (e) candidates = system
    blocks, twins and mirrors.  Lemmas (the spec's "Why it is
    sound"): D is 1-strongly concave, so ||r - r*||^2 <= 2 (U - L); Moreau and the
    Lipschitz bound of g_b make (c) strict inactivity at r* and at r(z*); Krawczyk's test
    gives a unique KKT solution z* in the box, whose residual is then r*."""
    enc = c.enclosure
    if enc is None:
        return
    _enclosure_charge(c, enc)
    K, eps_z = None, Fraction(0)
    if enc["system"] is not None:
        blocks, center, delta, C = enc["system"]
        if not delta > 0:
            _reject(11, "system: delta must be > 0")
        K = _kkt_center(c, blocks, center, delta)
        _krawczyk(c, K, len(center), C, delta)
        _kkt_margins(c, K, delta)
        eps_z = sum((abs(a - b) + e) ** 2 for a, b, e in zip(K.rt, c.r, K.e))
    enc["eps2"], enc["kkt"] = (eps_z if K is not None else 2 * (c.upper - c.L)), K
    _enc_inactive(c, enc, enc["eps2"])
    if K is not None:
        _enc_twins(c, enc, K, enc["system"][2])


def _dec(x, up, digits=6):
    """x rounded outward (up: to +inf, else to -inf) to `digits` significant digits, as
    text like 1.41422e-3 -- a rational bound for display, decided by exact comparisons."""
    if x == 0:
        return "0"
    a = abs(x)
    e = int((a.numerator.bit_length() - a.denominator.bit_length()) * 0.30103)  # a guess
    while a < Fraction(10) ** e:
        e -= 1
    while a >= Fraction(10) ** (e + 1):
        e += 1
    y = a * Fraction(10) ** (digits - 1 - e)
    m = str(math.ceil(y) if up == (x > 0) else math.floor(y))
    e += len(m) - digits  # a carry (999.9 -> 1000) adds a digit
    return f"{'-' if x < 0 else ''}{m[0]}{'.' + m[1:] if len(m) > 1 else ''}e{e}"


def _enclosure_statement(c):
    """What check 11 adds to VERIFIED (the spec's "What VERIFIED adds")."""
    enc = c.enclosure
    out = [f"optimal set enclosure (1.5): ||r* - dual.r||^2 <= eps^2 <= {_dec(enc['eps2'], True)}"
           f"; E_lam is a subset of the {len(enc['candidates'])} candidate blocks (every other "
           "block is strictly inactive)"]
    K = enc["kkt"]
    if K is None:
        return "".join(out)
    blocks, _, delta, _ = enc["system"]
    count = {j: 0 for j in range(len(blocks))}
    for _, j in enc["twins"]:
        count[j] += 1
    vertices = math.prod(1 + t for t in count.values())
    alphas = ", ".join(f"alpha*_(pattern {i}, sign {s}) in [{_dec(b[6] - delta, False, 10)}, "
                       f"{_dec(b[6] + delta, True, 10)}]" for ((i, s), _), b in zip(blocks, K.blocks))
    out.append(f"; E_lam = S_lam = the candidates ({len(blocks)} support blocks, "
               f"{len(enc['twins'])} twins, {len(enc['mirrors'])} mirrors); {alphas} (width "
               f"2 delta <= {_dec(2 * delta, True)}), "
               "each direction v_b within delta of v~_b, r* within e of r(center)")
    if enc["mirrors"]:
        out.append(f"; X^T r* = 0 (by {len(enc['pairs'])} mirror pairs); the optimum is not "
                   f"unique; {vertices} vertices (minimal networks of {len(blocks)} neurons) "
                   "proved, others not enumerated")
    else:
        out.append(f"; the optimal set has {vertices} vertices (minimal networks of "
                   f"{len(blocks)} neurons)" + ("; the optimum is unique" if not enc["twins"]
                                                else "; the optimum is not unique"))
    return "".join(out)


CHECKS = (check_patterns, check_completeness, check_upper, check_dual, check_claim,
          check_optimal_set, check_cover, check_output_bias, check_gated, check_enclosure,
          check_quadratic_cover, check_simplex_cover)


def _statement(c):
    out = [f"over the {c.P} listed patterns ({2 * c.P} blocks) the convex program's optimal "
           f"value p* satisfies lower <= p* <= upper, lower = {c.lower_s}, upper = {c.upper_s}"]
    for name, value in c.bounds.items():  # U is the smaller; say which model attains it
        model = (f"the network ({len(c.network[0])} neurons)" if name == "network" else
                 f"the {len(c.blocks)} blocks (C-objective)")
        out.append(f"{model}: objective {'<=' if value <= c.upper else '> (not proved <=)'} upper")
    if c.cover is not None:
        out.append("complete (global, by a %s proof of %d nodes, %d leaves): no network of "
                   "any width has objective below lower, so a model with objective <= upper is "
                   "within upper - lower of the global optimum" % (
                       {7: "cover", 12: "quadratic cover", 13: "simplex cover"}[c.cover_check],
                       *c.cover_size) + (
                       " (lower == upper: globally optimal)" if c.lower == c.upper else ""))
    elif c.complete or c.bases is not None:  # check 2 passed: the list is complete
        out.append("complete (global" + (", by gordan_bases" if c.bases is not None else "")
               + "): no network of any width has objective below lower, "
                   "so a model with objective <= upper is within upper - lower of the global "
                   "optimum" + (
                       " (lower == upper: globally optimal)" if c.lower == c.upper else ""))
    else:
        out.append("not complete: the bounds concern the listed patterns only, not global")
    if c.optimal is not None:
        out.append(f"optimal set: every optimum of this program is u_b = alpha_b v_b on the "
                   f"{len(c.optimal[1])} listed blocks with sum_b alpha_b s_b D_b X v_b = fit; "
                   f"the {len(c.optimal[2])} listed vertices are minimal optimal models")
    if c.output_bias is not None:
        out.append(_output_bias_statement(c))
    if c.enclosure is not None:
        out.append(_enclosure_statement(c))
    return "; ".join(out)


def _load(cert, R):
    """The JSON tree of a path, of JSON bytes, or an already parsed object as it is."""
    if not isinstance(cert, (str, bytes, bytearray, os.PathLike)):
        return cert
    limit = 8 * R.digits + (1 << 20)
    try:
        if isinstance(cert, (bytes, bytearray)):
            data = bytes(cert)
        else:
            with open(cert, "rb") as fh:
                data = fh.read(limit + 1)
    except (OSError, ValueError) as e:  # ValueError: a NUL byte in the path
        raise Stop("MALFORMED", f"cannot read the file: {type(e).__name__}")
    if len(data) > limit:
        raise Stop("UNDECIDED", f"the file exceeds {limit} bytes (--budget-digits)")
    R.add_ns(JSON_NS_PER_BYTE * len(data),        # charged before parsing
             "the estimated time to parse the JSON exceeds the budget")

    def pairs(items):
        _need(len({k for k, _ in items}) == len(items), "JSON", "an object repeats a key")
        return dict(items)
    try:  # a huge JSON integer can only be junk: it becomes NaN, never an index
        return json.loads(data.decode("utf-8"), object_pairs_hook=pairs,
                          parse_constant=lambda s: _need(False, "JSON", f"{s} is not JSON"),
                          parse_int=lambda s: int(s) if len(s) < 4000 else math.nan)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise Stop("MALFORMED", f"not JSON: {e}")


def check(cert, budget_digits=DEFAULT_BUDGET_DIGITS):
    """Check a certificate given as a path, as JSON bytes, or as a parsed JSON object."""
    try:
        R = Budget(budget_digits)
        c = Cert(_load(cert, R), R)
        for run in CHECKS:
            run(c)
        return Result("VERIFIED", 0, _statement(c) + _gated_statement(c), None)
    except Stop as e:
        return Result(e.verdict, CODES[e.verdict], str(e), e.check)
    except RecursionError:
        return Result("MALFORMED", 2, "the JSON is nested too deeply", None)
    except MemoryError:
        return Result("UNDECIDED", 3, "out of memory", None)
    except Exception as e:  # a safety net: never a traceback, never VERIFIED
        return Result("MALFORMED", 2, f"internal error while reading ({type(e).__name__})", None)


def main(argv=None):
    args = sys.argv[1:] if argv is None else list(argv)
    budget = DEFAULT_BUDGET_DIGITS
    if len(args) == 3 and args[1] == "--budget-digits" and args[2].isdigit() and len(args[2]) < 16:
        budget, args = int(args[2]), args[:1]
    if len(args) != 1 or args[0].startswith("-"):
        print("MALFORMED: usage: check_cert.py CERT.json [--budget-digits N]")
        return 2
    res = check(args[0], budget)
    print(f"{res.verdict}: {res.message}")
    return res.code


if __name__ == "__main__":
    try:
        code = main()
        sys.stdout.flush()          # here, so that a closed pipe is caught below
    except KeyboardInterrupt:       # Ctrl-C: one line, no traceback, the shell's 128 + SIGINT
        print("interrupted", file=sys.stderr)
        code = 130
    except BrokenPipeError:         # `check_cert.py CERT | head -c 80`: the reader left early
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no flush error
        code = 141                  # the shell's 128 + SIGPIPE
    sys.exit(code)
