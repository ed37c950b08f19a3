"""Decimal display of ``rational + sum c sqrt(q)`` (objectives of pruned networks).

DISPLAY ONLY: the value is enclosed between proved rational bounds (integer square roots,
:func:`exactrelu.numbers.sqrt_bounds`) tightened until they are ``10^-(digits+5)`` apart
relative to the value, and the midpoint is rounded half-even; exactly zero is decided by
:func:`exactrelu.algebraic.sign_sum_sqrt`.  Nothing is decided by these strings."""
from __future__ import annotations

import decimal
from fractions import Fraction
from typing import Iterable, Sequence

from ..algebraic import sign_sum_sqrt
from ..numbers import sqrt_bounds, to_q
from ._common import _ONE, _ZERO


def _enclosure(rational: Fraction, terms: Sequence[tuple[Fraction, Fraction]], bits: int
               ) -> tuple[Fraction, Fraction]:
    lo = hi = rational
    for c, q in terms:
        if not c or not q:
            continue
        a, b = sqrt_bounds(q, bits)
        if c > 0:
            lo += c * a
            hi += c * b
        else:
            lo += c * b
            hi += c * a
    return lo, hi


def _format_decimal(x: Fraction, digits: int) -> str:
    if x == 0:
        return "0." + "0" * (digits - 1)
    ctx = decimal.Context(prec=digits, rounding=decimal.ROUND_HALF_EVEN,
                          Emax=10 ** 9, Emin=-10 ** 9)
    dv = ctx.divide(decimal.Decimal(x.numerator), decimal.Decimal(x.denominator))
    dv = dv.quantize(decimal.Decimal(1).scaleb(dv.adjusted() - (digits - 1)), context=ctx)
    if -25 <= dv.adjusted() < 40:
        return format(dv, "f")
    return format(dv, "e")


def decimal_string(rational: object = 0, terms: Iterable[tuple[object, object]] = (),
                   digits: int = 30) -> str:
    """``rational + sum c sqrt(q)`` as a decimal string with ``digits`` significant digits
    (``"5.00000000000000000000000000000"``).  DISPLAY ONLY: the value is enclosed by
    proved rational bounds (integer square roots) that are tightened until they are
    ``10^-(digits+5)`` apart relative to the value; the midpoint is rounded half-even.
    Exactly zero (decided by :func:`exactrelu.algebraic.sign_sum_sqrt`) prints as zero."""
    r = to_q(rational)
    ts = [(to_q(c), to_q(q)) for c, q in terms]
    if sign_sum_sqrt([(r, _ONE)] + ts) == 0:
        return _format_decimal(_ZERO, digits)
    bits = 128
    tol = Fraction(1, 10 ** (digits + 5))
    while True:
        lo, hi = _enclosure(r, ts, bits)
        if (lo > 0 or hi < 0) and hi - lo <= tol * min(abs(lo), abs(hi)):
            return _format_decimal((lo + hi) / 2, digits)
        bits *= 2
