"""Reading a certificate: JSON text -> a checked shape with exact rationals, in file order.

:func:`_json_tree` parses the JSON text (duplicate keys and NaN/Infinity are MALFORMED,
clarification D6 of ``docs/spec/certificate-v1.md``; the file size is bounded by the
budget).  :func:`_parse` checks every shape the checks rely on (MALFORMED, one line naming
where) and reads every rational string -- canonical ``p`` or ``p/q`` in lowest terms --
into a :class:`fractions.Fraction` under the character budget, section by section in the
order of the file layout, so that the first reason found is the one
``proofs_checks/check_cert.py`` finds.  The result is a :class:`_Cert`, which also holds
the integer form of ``X`` (``Dx x_k`` with ``Dx`` the common denominator) used by the
checks, and the results the checks record.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Optional

from .budget import (HUGE_JSON_INT_DIGITS, JSON_NS_PER_BYTE, MAX_RATIONAL_CHARS, RATIONAL_NS,
                     RATIONAL_NS_PER_CHAR2, _integer_form, _malformed, _max_bits, _Meter,
                     _require, _undecided)

_RATIONAL = re.compile(r"(-?)(0|[1-9][0-9]*)(?:/([1-9][0-9]*))?")
_ROW_KEY = re.compile(r"0|[1-9][0-9]{0,8}")
_JSON_TYPES = {dict: "an object", list: "a list", bool: "true or false", int: "an integer"}


def _digits_to_int(digits: str) -> int:
    """int of a decimal digit string of any length (int(str) stops at 4300 digits)."""
    if len(digits) <= 4000:
        return int(digits)
    low = len(digits) // 2
    return _digits_to_int(digits[:-low]) * 10 ** low + _digits_to_int(digits[-low:])


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
        self.meter.add_ns(RATIONAL_NS + RATIONAL_NS_PER_CHAR2 * len(v) * len(v),
                          "the estimated time to read the rationals exceeds the budget")
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
    bases: Optional[dict] = None                  # format 1.4: pattern -> [rows, ...]
    network: Optional[tuple] = None               # (W1, w2)
    blocks: Optional[list] = None                 # [(pattern, sign, u, norm_upper)]
    r: list = field(default_factory=list)
    rho: dict = field(default_factory=dict)       # (pattern, sign) -> {k: value}
    lower: Fraction = Fraction(0)
    upper: Fraction = Fraction(0)
    lower_text: str = ""
    upper_text: str = ""
    optimal: Optional[tuple] = None   # (fit, [((i, s), (v, rho))], [{b: alpha}])
    cover: Optional[tuple] = None     # 1.1: (N, [(sign, nodes)], widest bits), .cover
    cover_size: tuple = (0, 0)        # (nodes, leaves), set by check 7 / 12
    cover_check: int = 7              # 12: .cover is a quadratic_cover (1.6), 13: simplex (1.7)
    output_bias: Optional[tuple] = None   # (y, c), minor version 1.2
    gated: Optional[dict] = None      # minor version 1.3 (check/gated.py)
    enclosure: Optional[dict] = None  # minor version 1.5 (check/enclosure.py)
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
    q_ratio: dict = field(default_factory=dict)   # (i, s) -> (a, b): ||q||^2 / lam^2 = a / b

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
    c.bases = _read_bases(pa, c.complete, c.P, c.n)


def _read_bases(pa: dict, complete: bool, P: int, n: int) -> Optional[dict]:
    """Format 1.4: ``patterns.gordan_bases = {"i": [[k, ...], ...]}`` (pattern index ->
    bases of row indices), read only when ``complete`` is false."""
    if complete or "gordan_bases" not in pa:
        return None
    out = {}
    for key, bases in _typed(pa["gordan_bases"], dict, "patterns.gordan_bases").items():
        here = f"patterns.gordan_bases[{str(key)[:30]}]"
        _require(_ROW_KEY.fullmatch(key) and int(key) < P, here,
                 f"key is not a pattern index below {P}")
        out[int(key)] = [tuple(_index(k, n, here) for k in _typed(b, list, here))
                         for b in _typed(bases, list, here)]
        _require(all(len(set(b)) == len(b) for b in out[int(key)]), here,
                 "a basis repeats a row")
    return out


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
    if "cover" in doc:                                  # minor version 1.1
        from .cover import read_cover
        c.cover = read_cover(doc["cover"], rd, c.n)
    from .output_bias import read_output_bias  # here: that module imports this one
    read_output_bias(c, doc, rd)
    c.Dx, flat = _integer_form([v for row in c.X for v in row])
    c.Xi = [flat[k * c.d:(k + 1) * c.d] for k in range(c.n)]
    c.zero_rows = frozenset(k for k, row in enumerate(c.Xi) if not any(row))
    c.nonzero_rows = [k for k in range(c.n) if k not in c.zero_rows]
    c.bits_X = _max_bits(flat)
    c.size_X = c.Dx.bit_length() + c.bits_X
    from .gated import read_gated   # minor version 1.3 (a cycle at import time otherwise)
    read_gated(c, doc, rd)
    from .enclosure import read_enclosure   # minor version 1.5 (the same reason)
    read_enclosure(c, doc, rd)
    if "quadratic_cover" in doc:                        # minor version 1.6, read last
        _require("cover" not in doc, "quadratic_cover", "a file carries cover or "
                 "quadratic_cover, not both")
        from .cover import read_cover
        c.cover, c.cover_check = read_cover(doc["quadratic_cover"], rd, c.n,
                                            "quadratic_cover"), 12
    if "simplex_cover" in doc:                          # minor version 1.7, read last
        _require("cover" not in doc and "quadratic_cover" not in doc, "simplex_cover",
                 "a file carries at most one of cover, quadratic_cover, simplex_cover")
        from .simplex import read_simplex_cover
        c.cover, c.cover_check = read_simplex_cover(doc["simplex_cover"], c.d, meter), 13
    return c


# -------------------------------------------------------------------------- JSON text

def _json_tree(data: bytes, meter: _Meter) -> Any:
    """Parse JSON text; duplicate keys, NaN/Infinity are MALFORMED (D6); a JSON integer of
    4000 or more characters is never an int (it becomes NaN)."""
    limit = 8 * meter.budget_digits + (1 << 20)
    if len(data) > limit:
        _undecided(f"the file exceeds {limit} bytes (budget_digits)")
    meter.add_ns(JSON_NS_PER_BYTE * len(data),             # charged before parsing
                 "the estimated time to parse the JSON exceeds the budget")

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


def parse_bytes(data: bytes, budget_digits: int) -> tuple[Any, _Cert]:
    """Read a certificate without checking it: ``(JSON tree, parsed certificate)``, every
    shape checked and every rational read exactly under the size budget.  Raises the
    checker's stop exception (``verdict`` MALFORMED or UNDECIDED, message naming the
    field) -- the one reader of the library (:mod:`exactrelu.certificate.read`)."""
    meter = _Meter(budget_digits)
    doc = _json_tree(data, meter)
    return doc, _parse(doc, meter)
