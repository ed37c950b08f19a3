"""The one certificate reader of the library: a v1 JSON file into exact objects.

Used by :meth:`exactrelu.Certificate.load`, the optimal-set code and the command line.
Every rational is parsed with :func:`exactrelu.numbers.parse_rational`; anything
malformed is an :class:`~exactrelu.errors.InputError` naming the field (one line, exit 2
on the command line).  The two checkers keep readers of their own by design: the
standalone one may import nothing, and the library checker meters every value it reads
against its size budget.
"""
from __future__ import annotations

import json
import math
from fractions import Fraction
from typing import Any

from ..errors import ExactReluError, InputError
from ..numbers import parse_rational

__all__ = ["read_certificate"]


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, where: str, what: str) -> InputError:
        return InputError(f"{where}: {what}", file=self.path)

    def obj(self, v: Any, where: str, *keys: str) -> dict:
        if not isinstance(v, dict):
            raise self.fail(where, "expected a JSON object")
        for k in keys:
            if k not in v:
                raise self.fail(where, f"missing key {k!r}")
        return v

    def lst(self, v: Any, where: str, length: int | None = None) -> list:
        if not isinstance(v, list):
            raise self.fail(where, "expected a JSON list")
        if length is not None and len(v) != length:
            raise self.fail(where, f"expected {length} entries, found {len(v)}")
        return v

    def rat(self, v: Any, where: str) -> Fraction:
        if not isinstance(v, str):
            raise self.fail(where, "a rational must be a string 'p' or 'p/q'")
        try:
            return parse_rational(v)
        except (ValueError, ExactReluError) as e:
            raise self.fail(where, str(e)) from None

    def vec(self, v: Any, where: str, length: int | None = None) -> tuple[Fraction, ...]:
        return tuple(self.rat(a, f"{where}[{k}]")
                     for k, a in enumerate(self.lst(v, where, length)))

    def index(self, v: Any, bound: int, where: str) -> int:
        if type(v) is not int or not 0 <= v < bound:
            raise self.fail(where, f"expected an integer index below {bound}")
        return v

    def sign(self, v: Any, where: str) -> int:
        if type(v) is not int or v not in (1, -1):
            raise self.fail(where, "sign must be 1 or -1")
        return v


def _problem(rd: _Reader, doc: dict):
    """``(X, y, lam, bias)`` of section ``problem``."""
    pr = rd.obj(doc["problem"], "problem", "X", "y", "lam")
    rows = rd.lst(pr["X"], "problem.X")
    if not rows:
        raise rd.fail("problem.X", "no data rows")
    X = [rd.vec(r, f"problem.X[{k}]") for k, r in enumerate(rows)]
    d = len(X[0])
    if d == 0 or any(len(r) != d for r in X):
        raise rd.fail("problem.X", "rows must be non-empty and of equal length")
    y = rd.vec(pr["y"], "problem.y", len(X))
    lam = rd.rat(pr["lam"], "problem.lam")
    if lam <= 0:
        raise rd.fail("problem.lam", "must be positive")
    bias = pr.get("bias", False)
    if not isinstance(bias, bool):
        raise rd.fail("problem.bias", "must be true or false")
    return X, y, lam, bias


def _patterns(rd: _Reader, doc: dict, n: int, d: int):
    """The :class:`~exactrelu.arrangement.PatternSet` of section ``patterns`` (witnesses
    scaled to integers; zero witnesses when absent) and its ``complete`` flag."""
    from ..arrangement import PatternSet

    pa = rd.obj(doc["patterns"], "patterns", "bits")
    bits = rd.lst(pa["bits"], "patterns.bits")
    for i, b in enumerate(bits):
        if not isinstance(b, str) or len(b) != n or b.strip("01"):
            raise rd.fail(f"patterns.bits[{i}]", f"expected {n} characters 0/1")
    if len(set(bits)) != len(bits):
        raise rd.fail("patterns.bits", "a pattern is listed twice")
    wit_raw = pa.get("witnesses")
    witnesses = []
    if wit_raw is not None:
        for i, g in enumerate(rd.lst(wit_raw, "patterns.witnesses", len(bits))):
            gq = rd.vec(g, f"patterns.witnesses[{i}]", d)
            den = 1
            for a in gq:
                den = den * a.denominator // math.gcd(den, a.denominator)
            witnesses.append(tuple(int(a * den) for a in gq))
    else:
        witnesses = [tuple(0 for _ in range(d)) for _ in bits]
    ps = PatternSet(n, d, tuple(bits), tuple(witnesses), complete=False)
    return ps, pa.get("complete", False) is True


def _models(rd: _Reader, doc: dict, d: int, npatterns: int):
    """The optional ``network`` and ``blocks`` sections (``None`` when absent)."""
    from ..networks import Network

    net = None
    if doc.get("network") is not None:
        nw = rd.obj(doc["network"], "network", "W1", "w2")
        W1 = [rd.vec(w, f"network.W1[{j}]", d)
              for j, w in enumerate(rd.lst(nw["W1"], "network.W1"))]
        w2 = rd.vec(nw["w2"], "network.w2", len(W1))
        net = Network(tuple(W1), w2, False, d)
    blocks = None
    if doc.get("blocks") is not None:
        blocks = []
        for e, blk in enumerate(rd.lst(doc["blocks"], "blocks")):
            h = f"blocks[{e}]"
            rd.obj(blk, h, "pattern", "sign", "u")
            blocks.append(((rd.index(blk["pattern"], npatterns, h + ".pattern"),
                            rd.sign(blk["sign"], h + ".sign")), rd.vec(blk["u"], h + ".u", d)))
    return net, blocks


def read_certificate(path: str, *, text: str | None = None) -> dict:
    """Parse a certificate into exact objects: ``{"data", "lam", "patterns", "r",
    "lower", "upper", "network" | None, "blocks" | None, "complete", "active_neurons"}``.
    ``text``: the file's content when already read.  :class:`InputError` naming the
    field if it is malformed (never a traceback).  Nothing is verified here: that is
    the checker's job (:mod:`exactrelu.certificate.check`)."""
    from ..io.files import read_text
    from ..problem import Dataset

    rd = _Reader(path)
    if text is None:
        text = read_text(path, "certificate")
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as e:
        raise InputError(f"not valid JSON: {e}", file=path) from None
    except ValueError as e:     # an integer over Python's 4300-digit conversion limit
        raise InputError(f"a JSON number is too long ({str(e).split(';')[0]})",
                         file=path) from None
    rd.obj(doc, "certificate", "problem", "patterns", "dual", "claim")
    if doc.get("format", "exactrelu-certificate") != "exactrelu-certificate":
        raise rd.fail("format", "not an exactrelu certificate")
    X, y, lam, bias = _problem(rd, doc)
    n, d = len(X), len(X[0])
    ps, complete = _patterns(rd, doc, n, d)
    du = rd.obj(doc["dual"], "dual", "r")
    r = rd.vec(du["r"], "dual.r", n)
    cl = rd.obj(doc["claim"], "claim", "lower", "upper")
    lower, upper = rd.rat(cl["lower"], "claim.lower"), rd.rat(cl["upper"], "claim.upper")
    net, blocks = _models(rd, doc, d, len(ps))
    data = Dataset.from_arrays(X, y, bias=False)
    data = Dataset(data.X, data.y, bias, source=path)
    if blocks is not None:
        active = sum(1 for _, u in blocks if any(u))
    else:
        active = len(net.nonzero_neurons()) if net is not None else 0
    return {"data": data, "lam": lam, "patterns": ps, "r": r, "lower": lower,
            "upper": upper, "network": net, "blocks": blocks, "complete": complete,
            "active_neurons": active}
