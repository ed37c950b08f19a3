"""The library's certificate checker (format v1): the verdicts of ``proofs_checks``.

An independent implementation of checks 1-6 of ``docs/spec/certificate-v1.md`` with the
clarifications D1-D11 of ``docs/spec/certificate-v1.md``.  It imports nothing from
``proofs_checks`` and nothing else from ``exactrelu``; integer linear algebra (witness
signs, correlations ``X^T D r``, the d x d minors, vertex independence) runs in
python-flint, the rest in :class:`fractions.Fraction`.

It reaches the same verdict, exit code and failed check as ``proofs_checks/check_cert.py``
on every input (``tests/test_check_differential.py``).  For that it follows the same
order -- sections are read in file-layout order, checks run 1 to 6, and the first
MALFORMED / UNDECIDED / REJECTED reason wins -- and the same deterministic size budget
(UNDECIDED, exit 3):

* the file has at most ``8 * budget_digits + 1 MiB`` bytes;
* one rational string has at most 10,000 characters, all of them together at most
  ``budget_digits`` (default 5,000,000);
* a common denominator (of X, y, r, each witness, multiplier, Gordan ``y``, the network,
  the blocks, the optimal set) has at most 2^18 bits;
* the estimated arithmetic time, charged before each heavy loop with the cost model of
  ``SPEC.md`` (an int product of a b-bit and an s-bit number ~ ``100 + 15 (b/64)(s/64)^0.6``
  ns, a Fraction operation ~ ``2000 + 10 (b/64)^2`` ns), stays below 6e10 ns.  The charges
  are made at the same points with the same operation counts and bit sizes.

:func:`check_file` reads a path, :func:`check_bytes` JSON text, :func:`check_obj` an
already parsed JSON tree.  Each returns a :class:`Result`; ``Result.message`` is the one
line to print, starting with the verdict (``VERIFIED: ...``).  Nothing raises.
"""
from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations
from typing import Any, NamedTuple, Optional

import flint

__all__ = ["Result", "check_file", "check_bytes", "check_obj", "VERDICT_CODES",
           "CHECK_NAMES", "DEFAULT_BUDGET_DIGITS"]

VERDICT_CODES = {"VERIFIED": 0, "REJECTED": 1, "MALFORMED": 2, "UNDECIDED": 3}
CHECK_NAMES = {1: "patterns", 2: "completeness", 3: "upper bound", 4: "dual feasibility",
               5: "claim", 6: "optimal set"}
DEFAULT_BUDGET_DIGITS = 50_000_000  # characters of all rational strings of one file
MAX_RATIONAL_CHARS = 10_000         # characters of one rational string
MAX_DENOMINATOR_BITS = 1 << 18      # bits of one common denominator
WORK_LIMIT_NS = 6e10                # estimated arithmetic time (ns)
HUGE_JSON_INT_DIGITS = 4000         # a JSON integer this long is never read as an int

_RATIONAL = re.compile(r"(-?)(0|[1-9][0-9]*)(?:/([1-9][0-9]*))?")
_ROW_KEY = re.compile(r"0|[1-9][0-9]{0,8}")
_JSON_TYPES = {dict: "an object", list: "a list", bool: "true or false", int: "an integer"}


class Result(NamedTuple):
    verdict: str                 # VERIFIED, REJECTED, MALFORMED or UNDECIDED
    code: int                    # exit code 0, 1, 2 or 3
    message: str                 # one line: "<VERDICT>: <statement or reason>"
    failed_check: Optional[int]  # 1..6 for REJECTED, else None


class _Stop(Exception):
    """Ends checking with a verdict other than VERIFIED."""

    def __init__(self, verdict: str, message: str, check: int | None = None) -> None:
        super().__init__(message)
        self.verdict, self.check = verdict, check


def _malformed(where: str, what: str):
    raise _Stop("MALFORMED", f"{where}: {what}")


def _require(ok: Any, where: str, what: str) -> None:
    if not ok:
        _malformed(where, what)


def _reject(check: int, what: str):
    raise _Stop("REJECTED", f"check {check} ({CHECK_NAMES[check]}): {what}", check)


def _undecided(what: str):
    raise _Stop("UNDECIDED", what)


# ------------------------------------------------------------------ integers and budget

def _digits_to_int(digits: str) -> int:
    """int of a decimal digit string of any length (int(str) stops at 4300 digits)."""
    if len(digits) <= 4000:
        return int(digits)
    low = len(digits) // 2
    return _digits_to_int(digits[:-low]) * 10 ** low + _digits_to_int(digits[-low:])


def _integer_form(values: list[Fraction]) -> tuple[int, list[int]]:
    """(D, [D v]) with D the least common denominator; UNDECIDED if D is too large."""
    D = 1
    for v in values:
        q = v.denominator
        if D % q:
            D = D // math.gcd(D, q) * q
            if D.bit_length() > MAX_DENOMINATOR_BITS:
                _undecided(f"a common denominator exceeds {MAX_DENOMINATOR_BITS} bits")
    return D, [v.numerator * (D // v.denominator) for v in values]


def _max_bits(ints) -> int:
    return max((abs(int(v)).bit_length() for v in ints), default=1)


def _size(values: list[Fraction]) -> int:
    """Bits of the common denominator plus bits of the largest scaled value."""
    D, ints = _integer_form(values)
    return D.bit_length() + _max_bits(ints)


class _Meter:
    """The budget: characters of rationals, and estimated arithmetic time."""

    def __init__(self, budget_digits: int) -> None:
        self.budget_digits = budget_digits
        self.chars_left = budget_digits
        self.work_ns = 0.0

    def charge(self, ops: int, bits, what: str, fraction: bool = False) -> None:
        """Add ops operations on numbers of the given bits (b, or (b, s) with s <= b)."""
        big, small = (bits, bits) if isinstance(bits, int) else bits
        b, s = max(big, 1) / 64, max(small, 1) / 64
        ops = min(ops, 10 ** 30)
        self.work_ns += ops * (2000 + 10 * b * b if fraction else 100 + 15 * b * s ** 0.6)
        if self.work_ns > WORK_LIMIT_NS:
            _undecided(f"the estimated arithmetic for {what} exceeds the budget")


# ------------------------------------------------------------------------------ reading

def _typed(v: Any, kind: type, where: str, *keys: str) -> Any:
    """v has JSON type kind (exactly: a bool is not an int); an object has the keys."""
    _require(type(v) is kind, where, f"expected {_JSON_TYPES[kind]}")
    for key in keys:
        _require(key in v, where, f"missing {key!r}")
    return v


def _index(v: Any, bound: int, where: str) -> int:
    _require(type(v) is int and 0 <= v < bound, where,
             f"expected an integer index in [0, {bound})")
    return v


def _sign(entry: dict, where: str) -> int:
    s = entry["sign"]
    _require(type(s) is int and s in (1, -1), where, "sign: 1 or -1")
    return s


class _Reader:
    """Reads canonical rational strings under the character budget."""

    def __init__(self, meter: _Meter) -> None:
        self.meter = meter

    def rational(self, v: Any, where: str) -> Fraction:
        _require(type(v) is str, where, f"expected a rational string, got {type(v).__name__}")
        if len(v) > MAX_RATIONAL_CHARS:
            _undecided(f"{where}: a rational of {len(v)} characters "
                       f"(limit {MAX_RATIONAL_CHARS})")
        self.meter.chars_left -= len(v)
        if self.meter.chars_left < 0:
            _undecided(f"the rationals exceed {self.meter.budget_digits} characters "
                       "(budget_digits)")
        m = _RATIONAL.fullmatch(v)
        _require(m, where, f"{v[:30]!r} is not a rational p or p/q")
        minus, num, den = m.groups()
        p = _digits_to_int(num)
        q = _digits_to_int(den) if den is not None else 1
        canonical = not (minus and p == 0) and (den is None or (q > 1 and math.gcd(p, q) == 1))
        _require(canonical, where, f"{v[:30]!r} is not in canonical (reduced) form")
        return Fraction(-p if minus else p, q)

    def vector(self, v: Any, length: int, where: str) -> list[Fraction]:
        _require(type(v) is list and len(v) == length, where,
                 f"expected a list of {length} rationals")
        return [self.rational(x, f"{where}[{i}]") for i, x in enumerate(v)]

    def sparse(self, v: Any, bound: int, where: str) -> dict[int, Fraction]:
        """{"row": rational} with canonical decimal row keys below bound."""
        out = {}
        for key, x in _typed(v, dict, where).items():
            _require(type(key) is str and _ROW_KEY.fullmatch(key) and int(key) < bound,
                     where, f"key {str(key)[:30]!r} is not an index below {bound}")
            out[int(key)] = self.rational(x, f"{where}[{key}]")
        return out


@dataclass
class _Cert:
    """A parsed certificate (Fractions, ints, strings) and the results of the checks."""

    meter: _Meter
    n: int = 0
    d: int = 0
    X: list = field(default_factory=list)
    y: list = field(default_factory=list)
    lam: Fraction = Fraction(1)
    bits: list = field(default_factory=list)
    complete: bool = False
    general_position: bool = False
    witnesses: Optional[list] = None
    gordan: dict = field(default_factory=dict)    # (pattern, frozenset(flip)) -> {k: y}
    network: Optional[tuple] = None               # (W1, w2)
    blocks: Optional[list] = None                 # [(pattern, sign, u, norm_upper)]
    r: list = field(default_factory=list)
    rho: dict = field(default_factory=dict)       # (pattern, sign) -> {k: value}
    lower: Fraction = Fraction(0)
    upper: Fraction = Fraction(0)
    lower_text: str = ""
    upper_text: str = ""
    optimal: Optional[tuple] = None   # (fit, [((i, s), (v, rho))], [{b: alpha}])
    # integer form of X: row k of Xi is Dx * x_k
    Dx: int = 1
    Xi: list = field(default_factory=list)
    zero_rows: frozenset = frozenset()
    nonzero_rows: list = field(default_factory=list)
    bits_X: int = 1
    size_X: int = 1
    # results
    U: Fraction = Fraction(0)
    bounds: dict = field(default_factory=dict)
    L: Fraction = Fraction(0)
    tight: set = field(default_factory=set)

    @property
    def P(self) -> int:
        return len(self.bits)


def _read_keyed(entries: Any, P: int, where: str, field_name: str, read) -> dict:
    """Entries keyed by (pattern, sign); a repeated key is ambiguous (MALFORMED, D6)."""
    out = {}
    for e, entry in enumerate(_typed(entries, list, where)):
        here = f"{where}[{e}]"
        _typed(entry, dict, here, "pattern", "sign", field_name)
        s = _sign(entry, here)
        key = (_index(entry["pattern"], P, here + ".pattern"), s)
        _require(key not in out, here, f"(pattern {key[0]}, sign {s}) is listed twice")
        out[key] = read(entry, here)
    return out


def _read_problem(c: _Cert, doc: dict, rd: _Reader) -> None:
    pr = _typed(doc["problem"], dict, "problem", "X", "y", "lam")
    rows = _typed(pr["X"], list, "problem.X")
    c.n = len(rows)
    c.d = len(rows[0]) if rows and type(rows[0]) is list else 0
    _require(c.n and c.d, "problem.X", "expected a non-empty list of non-empty rows")
    c.X = [rd.vector(row, c.d, f"problem.X[{k}]") for k, row in enumerate(rows)]
    c.y = rd.vector(pr["y"], c.n, "problem.y")
    c.lam = rd.rational(pr["lam"], "problem.lam")
    _require(c.lam > 0, "problem.lam", "must be positive (D4)")
    _typed(pr.get("bias", False), bool, "problem.bias")


def _read_patterns(c: _Cert, doc: dict, rd: _Reader) -> None:
    pa = _typed(doc["patterns"], dict, "patterns", "bits", "complete")
    c.bits = _typed(pa["bits"], list, "patterns.bits")
    _require(all(type(p) is str for p in c.bits), "patterns.bits", "expected strings")
    c.complete = _typed(pa["complete"], bool, "patterns.complete")
    c.general_position = _typed(pa.get("general_position", False), bool,
                                "patterns.general_position")
    if "witnesses" in pa:
        w = pa["witnesses"]
        _require(type(w) is list and len(w) == c.P, "patterns.witnesses",
                 f"expected a list of {c.P} witnesses")
        c.witnesses = [rd.vector(g, c.d, f"patterns.witnesses[{i}]") for i, g in enumerate(w)]
    for e, entry in enumerate(_typed(pa.get("gordan", []), list, "patterns.gordan")):
        here = f"patterns.gordan[{e}]"
        _typed(entry, dict, here, "pattern", "flip", "y")
        i = _index(entry["pattern"], c.P, here + ".pattern")
        flip = frozenset(_index(k, c.n, here + ".flip")
                         for k in _typed(entry["flip"], list, here + ".flip"))
        _require((i, flip) not in c.gordan, here, "a second entry for the same pattern and flip")
        c.gordan[(i, flip)] = rd.sparse(entry["y"], c.n, here + ".y")


def _read_models(c: _Cert, doc: dict, rd: _Reader) -> None:
    if "network" in doc:
        net = _typed(doc["network"], dict, "network", "W1", "w2")
        W1 = _typed(net["W1"], list, "network.W1")
        c.network = ([rd.vector(w, c.d, f"network.W1[{j}]") for j, w in enumerate(W1)],
                     rd.vector(net["w2"], len(W1), "network.w2"))
    if "blocks" in doc:
        c.blocks = []
        for b, blk in enumerate(_typed(doc["blocks"], list, "blocks")):
            here = f"blocks[{b}]"
            _typed(blk, dict, here, "pattern", "sign", "u", "norm_upper")
            s = _sign(blk, here)
            i = _index(blk["pattern"], c.P, here + ".pattern")
            u = rd.vector(blk["u"], c.d, here + ".u")
            c.blocks.append((i, s, u, rd.rational(blk["norm_upper"], here + ".norm_upper")))
    _require(c.network is not None or c.blocks is not None, "certificate",
             "at least one of 'network' and 'blocks' is required")


def _read_dual_and_claim(c: _Cert, doc: dict, rd: _Reader) -> None:
    du = _typed(doc["dual"], dict, "dual", "r")
    c.r = rd.vector(du["r"], c.n, "dual.r")
    c.rho = _read_keyed(du.get("rho", []), c.P, "dual.rho", "values",
                        lambda e, here: rd.sparse(e["values"], c.n, here + ".values"))
    cl = _typed(doc["claim"], dict, "claim", "lower", "upper")
    c.lower = rd.rational(cl["lower"], "claim.lower")
    c.upper = rd.rational(cl["upper"], "claim.upper")
    c.lower_text, c.upper_text = cl["lower"], cl["upper"]


def _read_optimal_set(c: _Cert, doc: dict, rd: _Reader) -> None:
    if "optimal_set" not in doc:
        return
    o = _typed(doc["optimal_set"], dict, "optimal_set", "fit", "blocks", "vertices")

    def block(e, here):
        v = rd.vector(e["v"], c.d, here + ".v")
        return v, rd.sparse(_typed(e, dict, here, "rho")["rho"], c.n, here + ".rho")
    blocks = _read_keyed(o["blocks"], c.P, "optimal_set.blocks", "v", block)
    vertices = []
    for j, a in enumerate(_typed(o["vertices"], list, "optimal_set.vertices")):
        here = f"optimal_set.vertices[{j}]"
        vertices.append(rd.sparse(_typed(a, dict, here, "alpha")["alpha"], len(blocks),
                                  here + ".alpha"))
    c.optimal = (rd.vector(o["fit"], c.n, "optimal_set.fit"), list(blocks.items()), vertices)


def _parse(doc: Any, meter: _Meter) -> _Cert:
    """Every shape checked (MALFORMED), rationals read under the budget, in file order."""
    _typed(doc, dict, "certificate", "format", "version", "problem", "patterns", "dual", "claim")
    _require(doc["format"] == "exactrelu-certificate", "format", "not exactrelu-certificate")
    _require(type(doc["version"]) is int and doc["version"] == 1, "version", "must be 1")
    c, rd = _Cert(meter), _Reader(meter)
    _read_problem(c, doc, rd)
    _read_patterns(c, doc, rd)
    _read_models(c, doc, rd)
    _read_dual_and_claim(c, doc, rd)
    _read_optimal_set(c, doc, rd)
    c.Dx, flat = _integer_form([v for row in c.X for v in row])
    c.Xi = [flat[k * c.d:(k + 1) * c.d] for k in range(c.n)]
    c.zero_rows = frozenset(k for k, row in enumerate(c.Xi) if not any(row))
    c.nonzero_rows = [k for k in range(c.n) if k not in c.zero_rows]
    c.bits_X = _max_bits(flat)
    c.size_X = c.Dx.bit_length() + c.bits_X
    return c


# ------------------------------------------------------------------------ small helpers

def _dot(a, b):
    return sum(x * y for x, y in zip(a, b))


def _loss(fit, y) -> Fraction:
    return sum(((f - t) ** 2 for f, t in zip(fit, y)), Fraction(0)) / 2


def _mask(p: str) -> int:
    """Bit k set iff character k of the pattern is 1."""
    return int(p[::-1], 2) if p else 0


def _short(x: Fraction) -> str:
    if x.numerator.bit_length() + x.denominator.bit_length() > 3000:
        return f"<a rational of about {x.numerator.bit_length() * 3 // 10} digits>"
    return str(x)


def _integer_rows_product(A: list, B: list) -> list:
    """A B^T for integer matrices given by rows (A: m x d, B: p x d), as int rows (m x p)."""
    if not A or not B:
        return [[0] * len(B) for _ in A]
    prod = flint.fmpz_mat(A) * flint.fmpz_mat(B).transpose()
    return [[int(v) for v in row] for row in prod.tolist()]


# ------------------------------------------------------------------------------- checks

def check_patterns(c: _Cert) -> None:
    """Check 1: n characters 0/1, no repeats, zero rows active; every witness g_i has
    (2 D_ik - 1) x_k . g_i > 0 on every nonzero row (required when complete)."""
    seen: dict[str, int] = {}
    for i, p in enumerate(c.bits):
        if len(p) != c.n or not set(p) <= {"0", "1"}:
            _reject(1, f"pattern {i} is not a string of {c.n} characters 0/1")
        if p in seen:
            _reject(1, f"pattern {i} repeats pattern {seen[p]}")
        seen[p] = i
        if any(p[k] != "1" for k in c.zero_rows):
            _reject(1, f"pattern {i}: a zero row must be active (1)")
    if c.witnesses is None:
        if c.complete:
            _reject(1, "a complete pattern list needs witnesses")
        return
    # Scale the witnesses and charge their cost in order; a stop (UNDECIDED) at pattern i
    # comes after the sign tests of patterns 0..i-1, which run below in one product.
    scaled, stop = [], None
    for g in c.witnesses:
        try:
            gi = _integer_form(g)[1]
            gb = _max_bits(gi)
            c.meter.charge(len(c.nonzero_rows) * c.d, (max(c.bits_X, gb), min(c.bits_X, gb)),
                           "witnesses")
        except _Stop as e:
            stop = e
            break
        scaled.append(gi)
    values = _integer_rows_product(scaled, c.Xi)   # values[i][k] = Dx Dg x_k . g_i
    for i, row in enumerate(values):
        signs = "".join("1" if v > 0 or k in c.zero_rows else "0" if v < 0 else "z"
                        for k, v in enumerate(row))
        if signs != c.bits[i]:
            k = next(k for k in range(c.n) if signs[k] != c.bits[i][k])
            _reject(1, f"pattern {i}, row {k}: the witness does not give (2D-1) x.g > 0")
    if stop is not None:
        raise stop


def _parallel_classes(c: _Cert) -> list[tuple[int, ...]]:
    """Nonzero rows grouped by their line through 0 (primitive direction, up to sign)."""
    classes: dict[tuple, list[int]] = {}
    for k in c.nonzero_rows:
        row = c.Xi[k]
        g = math.gcd(*row)
        if next(v for v in row if v) < 0:
            g = -g
        classes.setdefault(tuple(v // g for v in row), []).append(k)
    return [tuple(C) for C in classes.values()]


def _gordan_route(c: _Cert) -> None:
    classes = _parallel_classes(c)
    class_masks = [sum(1 << k for k in C) for C in classes]
    masks = [_mask(p) for p in c.bits]
    listed = set(masks)
    c.meter.charge(c.P * len(classes) * (c.n // 8 + 2), 1, "the wall flips")
    for i, m in enumerate(masks):
        for C, cm in zip(classes, class_masks):
            flipped = m ^ cm
            if flipped in listed:
                continue
            where = f"pattern {i}, class of rows {list(C)}"
            y = c.gordan.get((i, frozenset(C)))
            if y is None:
                _reject(2, f"{where}: the flipped pattern is not listed and has no gordan entry")
            if any(k in c.zero_rows for k in y):
                _reject(2, f"{where}: gordan y uses a zero row, which proves nothing (D1)")
            if any(v < 0 for v in y.values()) or not any(v > 0 for v in y.values()):
                _reject(2, f"{where}: gordan y must be >= 0 and positive on some row")
            yi = _integer_form(list(y.values()))[1]
            yb = _max_bits(yi)
            c.meter.charge(len(y) * c.d, (c.bits_X + yb, min(c.bits_X, yb)), "gordan y")
            total = [0] * c.d
            for k, w in zip(y, yi):
                tw = w if flipped >> k & 1 else -w
                total = [a + tw * x for a, x in zip(total, c.Xi[k])]
            if any(total):
                _reject(2, f"{where}: sum_k y_k t_k x_k is not 0")


def _general_position_route(c: _Cert) -> None:
    if c.zero_rows or c.n < c.d:
        _reject(2, "general position needs n >= d and no zero row")
    regions = 2 * sum(math.comb(c.n - 1, k) for k in range(c.d))
    if c.P != regions:
        _reject(2, f"general position: {c.P} patterns listed, but there are {regions} regions")
    c.meter.charge(math.comb(c.n, c.d) * c.d ** 3, c.d * (c.bits_X + c.d), "the d x d minors")
    for rows in combinations(range(c.n), c.d):
        if flint.fmpz_mat([c.Xi[k] for k in rows]).det() == 0:
            _reject(2, f"general position: rows {list(rows)} are linearly dependent")


def check_completeness(c: _Cert) -> None:
    """Check 2 (complete only): a non-empty list (D3), then the general-position count
    with nonzero d x d minors, or every wall flip listed or excluded by Gordan's y."""
    if not c.complete:
        return
    if not c.bits:
        _reject(2, "the list is empty, so it cannot hold every region (D3)")
    if c.general_position:
        _general_position_route(c)
    else:
        _gordan_route(c)


def _pattern_is_listed(c: _Cert, pre: list, masks: list[int]) -> bool:
    """Does a listed pattern agree with the neuron's signs (ties free, zero rows 1)?"""
    fixed = value = 0
    for k, z in enumerate(pre):
        if z > 0 or k in c.zero_rows:
            fixed |= 1 << k
            value |= 1 << k
        elif z < 0:
            fixed |= 1 << k
    return any(m & fixed == value for m in masks)


def check_upper(c: _Cert) -> None:
    """Check 3: U_net = NC(W1, w2) (with a sub-sampled list every neuron with a nonzero
    output must have a listed pattern, D2); blocks in their cones with norm_upper >= ||u||,
    U_blk the C-objective with norm_upper; U = the smaller."""
    size_y = _size(c.y)
    if c.network is not None:
        W1, w2 = c.network
        size = c.size_X + size_y + _size([v for w in W1 for v in w] + list(w2))
        c.meter.charge(len(W1) * c.n * c.d, 2 * size, "the network objective", fraction=True)
        masks = None
        fit, penalty = [Fraction(0)] * c.n, Fraction(0)
        for j, (w, a) in enumerate(zip(W1, w2)):
            pre = [_dot(x, w) for x in c.X]
            if a != 0 and any(z > 0 for z in pre) and not c.complete:
                c.meter.charge(c.P * (c.n // 4 + 4), 1, "the network's patterns")
                masks = masks if masks is not None else [_mask(p) for p in c.bits]
                if not _pattern_is_listed(c, pre, masks):
                    _reject(3, f"network neuron {j}: its pattern is not listed, so NC(W) does "
                            "not bound the program over the listed patterns (D2)")
            fit = [f + a * z if z > 0 else f for f, z in zip(fit, pre)]
            penalty += _dot(w, w) + a * a
        c.bounds["network"] = _loss(fit, c.y) + c.lam * penalty / 2
    if c.blocks is not None:
        size_b = _size([v for _, _, u, nu in c.blocks for v in [*u, nu]])
        c.meter.charge(len(c.blocks) * c.n * c.d, 2 * (c.size_X + size_y + size_b),
                       "the block objective", fraction=True)
        fit, norms = [Fraction(0)] * c.n, Fraction(0)
        for b, (i, s, u, nu) in enumerate(c.blocks):
            p = c.bits[i]
            pre = [_dot(x, u) for x in c.X]
            if any(z < 0 if ch == "1" else z > 0 for z, ch in zip(pre, p)):
                _reject(3, f"block {b}: u is not in the cone K of pattern {i}")
            if nu < 0 or nu * nu < _dot(u, u):
                _reject(3, f"block {b}: norm_upper is negative or its square is < ||u||^2")
            fit = [f + s * z if ch == "1" else f for f, z, ch in zip(fit, pre, p)]
            norms += nu
        c.bounds["blocks"] = _loss(fit, c.y) + c.lam * norms
    c.U = min(c.bounds.values())


def check_dual(c: _Cert) -> None:
    """Check 4: rho >= 0 and ||s X^T D_i r + A_i^T rho_(i,s)||^2 <= lam^2 for every listed
    pattern and sign; then L = r.y - ||r||^2/2.  In integers, with Dr, Dp the common
    denominators of r and rho: q Dx Dr Dp = s Dp S_i + Dr T, S_i = sum_{k in D_i} (Dr r_k)
    (Dx x_k), T = sum_k (Dp rho_k) t_k (Dx x_k)."""
    Dr, ri = _integer_form(c.r)
    bv = _max_bits(ri) + c.bits_X + c.n.bit_length()
    c.meter.charge(c.P * c.n * c.d, (bv, 1), "the dual sums")
    c.meter.charge(2 * c.P * c.d + c.n * c.d, bv, "the dual norms")
    V = [[ri[k] * x for x in c.Xi[k]] for k in range(c.n)]      # n x d
    active = [[1 if ch == "1" else 0 for ch in p] for p in c.bits]
    S = (flint.fmpz_mat(active) * flint.fmpz_mat(V)).tolist() if c.bits else []
    den2 = c.lam.denominator ** 2
    base = (c.lam.numerator * c.Dx * Dr) ** 2
    for i, p in enumerate(c.bits):
        Si = [int(v) for v in S[i]]
        plain = _dot(Si, Si) * den2
        for s in (1, -1):
            lhs, rhs = plain, base
            rho = c.rho.get((i, s))
            if rho is not None:
                if any(v < 0 for v in rho.values()):
                    _reject(4, f"multiplier (pattern {i}, sign {s}) has a negative entry")
                Dp, pi = _integer_form(list(rho.values()))
                c.meter.charge((len(pi) + 4) * c.d, 2 * bv + _max_bits(pi) + Dp.bit_length(),
                               "rho")
                T = [0] * c.d
                for k, w in zip(rho, pi):
                    tw = w if p[k] == "1" else -w
                    T = [a + tw * x for a, x in zip(T, c.Xi[k])]
                Q = [s * Dp * a + Dr * t for a, t in zip(Si, T)]
                lhs, rhs = _dot(Q, Q) * den2, base * Dp * Dp
            if lhs > rhs:
                _reject(4, f"pattern {i}, sign {s}: ||q||^2 > lam^2")
            if lhs == rhs:
                c.tight.add((i, s))
    c.L = _dot(c.r, c.y) - _dot(c.r, c.r) / 2


def check_claim(c: _Cert) -> None:
    """Check 5: claim.lower <= L, claim.upper >= U, claim.lower <= claim.upper."""
    if c.lower > c.L:
        _reject(5, f"claim.lower = {_short(c.lower)} exceeds the dual bound L = {_short(c.L)}")
    if c.upper < c.U:
        _reject(5, f"claim.upper = {_short(c.upper)} is below the upper bound U = {_short(c.U)}")
    if c.lower > c.upper:
        _reject(5, "claim.lower exceeds claim.upper")


def _linearly_independent(vectors: list[list[Fraction]]) -> bool:
    if not vectors:
        return True
    rows = []
    for v in vectors:  # scale each vector to integers (no cap: the rank is exact anyway)
        D = math.lcm(*(x.denominator for x in v))
        rows.append([x.numerator * (D // x.denominator) for x in v])
    return flint.fmpz_mat(rows).rank() == len(rows)


def check_optimal_set(c: _Cert) -> None:
    """Check 6: lower == upper; fit == y - r; each listed block has rho >= 0, A v >= 0,
    rho.(A v) = 0, v = s X^T D r + A^T rho, ||v||^2 = lam^2; every block tight in check 4
    is listed (D11); each vertex has alpha >= 0, sum_b alpha_b s_b D_b X v_b = fit and
    linearly independent fits on its support."""
    if c.optimal is None:
        return
    fit, blocks, vertices = c.optimal
    if c.lower != c.upper:
        _reject(6, "an optimal set needs claim.lower == claim.upper")
    if fit != [a - b for a, b in zip(c.y, c.r)]:
        _reject(6, "fit differs from y - r")
    values = [x for _, (v, rho) in blocks for x in [*v, *rho.values()]]
    c.meter.charge(3 * len(blocks) * c.n * c.d
                   + sum(len(a) * c.n * (1 + len(a)) for a in vertices),
                   2 * (c.size_X + _size(c.r) + _size(fit) + _size(values)),
                   "the optimal set", fraction=True)
    fits = []
    for b, ((i, s), (v, rho)) in enumerate(blocks):
        p, where = c.bits[i], f"optimal_set block {b} (pattern {i}, sign {s})"
        t = [1 if ch == "1" else -1 for ch in p]
        Av = [tk * _dot(x, v) for tk, x in zip(t, c.X)]
        if any(x < 0 for x in rho.values()) or any(a < 0 for a in Av):
            _reject(6, f"{where}: rho >= 0 and A v >= 0 must hold")
        if sum(x * Av[k] for k, x in rho.items()):
            _reject(6, f"{where}: rho.(A v) is not 0")
        q = [s * sum((c.r[k] * c.X[k][j] for k in range(c.n) if p[k] == "1"), Fraction(0))
             + sum((x * t[k] * c.X[k][j] for k, x in rho.items()), Fraction(0))
             for j in range(c.d)]
        if q != v:
            _reject(6, f"{where}: v is not s X^T D r + A^T rho")
        if _dot(v, v) != c.lam ** 2:
            _reject(6, f"{where}: ||v||^2 != lam^2")
        fits.append([s * _dot(x, v) if ch == "1" else Fraction(0) for x, ch in zip(c.X, p)])
    missing = sorted(c.tight - {key for key, _ in blocks})
    if missing:
        _reject(6, f"block (pattern {missing[0][0]}, sign {missing[0][1]}) has ||q|| = lam in "
                "check 4 but is not listed (D11)")
    for j, alpha in enumerate(vertices):
        if any(a < 0 for a in alpha.values()):
            _reject(6, f"vertex {j}: alpha has a negative entry")
        total = [sum((a * fits[b][k] for b, a in alpha.items()), Fraction(0))
                 for k in range(c.n)]
        if total != fit:
            _reject(6, f"vertex {j}: sum_b alpha_b s_b D_b X v_b is not the fit")
        if not _linearly_independent([fits[b] for b, a in alpha.items() if a]):
            _reject(6, f"vertex {j}: the fits of its support are linearly dependent")


CHECKS = (check_patterns, check_completeness, check_upper, check_dual, check_claim,
          check_optimal_set)


def _statement(c: _Cert) -> str:
    parts = [f"over the {c.P} listed patterns ({2 * c.P} blocks) the convex program's "
             f"optimal value p* satisfies lower <= p* <= upper, lower = {c.lower_text}, "
             f"upper = {c.upper_text}"]
    for name, value in c.bounds.items():
        model = (f"the network ({len(c.network[0])} neurons)" if name == "network"
                 else f"the {len(c.blocks)} blocks (C-objective)")
        parts.append(f"{model}: objective "
                     f"{'<=' if value <= c.upper else '> (not proved <=)'} upper")
    if c.complete:
        parts.append("complete (global): no network of any width has objective below lower, "
                     "so a model with objective <= upper is within upper - lower of the "
                     "global optimum" + (" (lower == upper: globally optimal)"
                                         if c.lower == c.upper else ""))
    else:
        parts.append("not complete: the bounds concern the listed patterns only, not global")
    if c.optimal is not None:
        parts.append(f"optimal set: every optimum of this program is u_b = alpha_b v_b on the "
                     f"{len(c.optimal[1])} listed blocks with sum_b alpha_b s_b D_b X v_b = "
                     f"fit; the {len(c.optimal[2])} listed vertices are minimal optimal models")
    return "; ".join(parts)


# -------------------------------------------------------------------------- entry points

def _json_tree(data: bytes, meter: _Meter) -> Any:
    """Parse JSON text; duplicate keys, NaN/Infinity are MALFORMED (D6); a JSON integer of
    4000 or more characters is never an int (it becomes NaN)."""
    limit = 8 * meter.budget_digits + (1 << 20)
    if len(data) > limit:
        _undecided(f"the file exceeds {limit} bytes (budget_digits)")

    def no_duplicates(pairs):
        _require(len({k for k, _ in pairs}) == len(pairs), "JSON", "an object repeats a key")
        return dict(pairs)

    def no_constants(name):
        _malformed("JSON", f"{name} is not JSON")

    try:
        return json.loads(data.decode("utf-8"), object_pairs_hook=no_duplicates,
                          parse_constant=no_constants,
                          parse_int=lambda s: int(s) if len(s) < HUGE_JSON_INT_DIGITS
                          else math.nan)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        _malformed("not JSON", str(e))


def _run(load, budget_digits: int) -> Result:
    """Load, parse and check; every exception becomes a verdict (never VERIFIED)."""
    try:
        meter = _Meter(budget_digits)
        c = _parse(load(meter), meter)
        for check in CHECKS:
            check(c)
        return Result("VERIFIED", 0, "VERIFIED: " + _statement(c), None)
    except _Stop as e:
        return Result(e.verdict, VERDICT_CODES[e.verdict], f"{e.verdict}: {e}", e.check)
    except RecursionError:
        return Result("MALFORMED", 2, "MALFORMED: the JSON is nested too deeply", None)
    except MemoryError:
        return Result("UNDECIDED", 3, "UNDECIDED: out of memory", None)
    except Exception as e:  # a safety net: never a traceback, never VERIFIED
        return Result("MALFORMED", 2, f"MALFORMED: internal error ({type(e).__name__})", None)


def check_bytes(data: bytes, budget_digits: int = DEFAULT_BUDGET_DIGITS) -> Result:
    """Check a certificate given as JSON text (bytes, UTF-8)."""
    return _run(lambda meter: _json_tree(bytes(data), meter), budget_digits)


def check_file(path: str | os.PathLike, budget_digits: int = DEFAULT_BUDGET_DIGITS) -> Result:
    """Check the certificate in a file.  An unreadable file is MALFORMED; a file over
    ``8 * budget_digits + 1 MiB`` bytes is UNDECIDED."""
    def load(meter: _Meter) -> Any:
        limit = 8 * meter.budget_digits + (1 << 20)
        try:
            with open(path, "rb") as fh:
                data = fh.read(limit + 1)
        except (OSError, ValueError, TypeError) as e:  # ValueError: a NUL byte in the path
            _malformed("cannot read the file", type(e).__name__)
        return _json_tree(data, meter)
    return _run(load, budget_digits)


def check_obj(obj: Any, budget_digits: int = DEFAULT_BUDGET_DIGITS) -> Result:
    """Check an already parsed JSON tree (dicts, lists, str, int, bool, None)."""
    return _run(lambda meter: obj, budget_digits)
