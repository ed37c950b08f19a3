"""Exact rational numbers at the boundary.

Every value inside exactrelu is a :class:`fractions.Fraction`.  This module is the only
door in: text is parsed by a strict grammar (integers, decimals with an optional
exponent, ``p/q`` fractions), and a float enters only through :func:`from_float`, which
takes its exact IEEE-754 value (a dyadic rational).  Square roots are never
approximated silently: :func:`exact_sqrt` returns the exact root or raises
:class:`~exactrelu.errors.DomainError`, and :func:`sqrt_bounds` returns rational
``lo <= sqrt(q) <= hi`` proved with integer square roots.
"""
from __future__ import annotations

import math
import numbers as _numbers
import re
from fractions import Fraction
from typing import Iterable, Sequence

from .errors import DomainError, NotExactError

Q = Fraction

__all__ = ["Q", "parse_rational", "from_float", "to_q", "q_str", "exact_sqrt",
           "sqrt_bounds", "is_square", "q_vector", "q_matrix", "dot", "sqnorm",
           "MAX_EXPONENT", "MAX_VALUE_CHARS", "show_value"]

#: Largest decimal exponent accepted in text (``1e400`` is fine, ``1e99999999`` is not:
#: it would build a gigantic integer).
MAX_EXPONENT = 4000
#: Longest value accepted in text (characters).
MAX_VALUE_CHARS = 4000
_MAX_DIGITS = MAX_VALUE_CHARS

# ASCII only: ``re.ASCII`` keeps ``\d`` from matching other scripts' digits ('١', '１').
_DECIMAL = re.compile(r"^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?$", re.ASCII)
_FRACTION = re.compile(r"^([+-]?)(\d+)/(\d+)$", re.ASCII)


def show_value(s: str, limit: int = 40) -> str:
    """``s`` quoted for a one-line message: at most ``limit`` characters (a longer value
    is shortened, with its length), anything non-printable or non-ASCII escaped
    (``'\\ufeff1'``), so that an invisible character is visible in the message."""
    short = s if len(s) <= limit else s[:limit] + "..."
    shown = ascii(short) if not (short.isascii() and short.isprintable()) else f"'{short}'"
    return shown + (f" ({len(s)} characters)" if len(s) > limit else "")


def _non_ascii(s: str) -> str | None:
    """The reason ``s`` is refused when it holds a non-ASCII character, naming the first."""
    import unicodedata

    for c in s:
        if not c.isascii():
            name = unicodedata.name(c, "unnamed character")
            kind = "digit" if c.isdigit() else "character"
            return (f"{show_value(s)} contains the non-ASCII {kind} {c!r} (U+{ord(c):04X} "
                    f"{name}); numbers are written in ASCII (0-9, '.', 'e', '/', '+', '-')")
    return None


def parse_rational(text: str) -> Fraction:
    """Parse ``text`` exactly: ``3``, ``-0.125``, ``1e-3``, ``2.5E+2``, ``3/8``.

    A decimal means its exact decimal value (``0.1`` is 1/10, never a binary float).
    Raises ``ValueError`` with a short reason for anything else (empty, ``nan``,
    ``inf``, text, ``1/0``, absurd exponents).  Callers add the location.
    """
    if not isinstance(text, str):
        raise NotExactError(f"expected text, got {type(text).__name__}")
    s = text.strip()
    if not s:
        raise ValueError("empty value")
    if len(s) > _MAX_DIGITS:
        raise ValueError(f"value has {len(s)} characters (limit {_MAX_DIGITS})")
    bad = _non_ascii(s)
    if bad:
        raise ValueError(bad)
    m = _FRACTION.match(s)
    if m:
        sign, p, q = m.groups()
        if int(q) == 0:
            raise ValueError(f"{show_value(s)} divides by zero")
        v = Fraction(int(p), int(q))
        return -v if sign == "-" else v
    m = _DECIMAL.match(s)
    if m:
        sign, mant, exp = m.groups()
        e = int(exp) if exp else 0
        if abs(e) > MAX_EXPONENT:
            raise ValueError(f"exponent {e} out of range (|e| <= {MAX_EXPONENT})")
        if "." in mant:
            whole, frac = mant.split(".")
        else:
            whole, frac = mant, ""
        v = Fraction(int((whole or "0") + frac), 10 ** len(frac)) * (Fraction(10) ** e)
        return -v if sign == "-" else v
    low = s.lower().lstrip("+-")
    if low in ("nan", "inf", "infinity"):
        raise ValueError(f"{show_value(s)} is not a finite number")
    raise ValueError(f"{show_value(s)} is not a number (use an integer, a decimal or p/q)")


def from_float(x: float) -> Fraction:
    """The exact value of an IEEE double (e.g. ``0.1`` -> 3602879701896397/36028797018963968)."""
    try:
        finite = math.isfinite(x)  # type: ignore[arg-type]
    except (TypeError, OverflowError):
        finite = False
    if not finite:
        raise DomainError(f"{x!r} is not finite")
    ratio = getattr(x, "as_integer_ratio", None)     # exact for float, NumPy float16..longdouble
    if ratio is not None:
        p, q = ratio()
        return Fraction(int(p), int(q))
    return Fraction(float(x))


def to_q(x: object, *, allow_float: bool = False) -> Fraction:
    """Convert ``x`` to a Fraction exactly.

    Accepts int, Fraction, objects with integer ``numerator``/``denominator``
    (gmpy2, NumPy integers), python-flint ``fmpz``/``fmpq`` and rational strings.
    Floats (Python or NumPy) raise :class:`NotExactError` unless ``allow_float=True``,
    in which case their exact IEEE value is taken.
    """
    if isinstance(x, Fraction):
        return x
    if isinstance(x, bool):
        raise NotExactError("booleans are not numbers here")
    if isinstance(x, int):
        return Fraction(x)
    if isinstance(x, str):
        return parse_rational(x)
    tname = type(x).__name__
    if tname in ("fmpq",):
        return Fraction(int(x.p), int(x.q))  # type: ignore[attr-defined]
    if tname in ("fmpz",):
        return Fraction(int(x))  # type: ignore[call-overload]
    if isinstance(x, _numbers.Integral):
        return Fraction(int(x))
    if isinstance(x, float) or isinstance(x, _numbers.Real) and not isinstance(x, _numbers.Rational):
        if allow_float:
            return from_float(x)  # type: ignore[arg-type]
        raise NotExactError(
            f"float {x!r} given where an exact rational is required; convert it explicitly "
            "with exactrelu.numbers.from_float (its exact IEEE value) or pass a string")
    if isinstance(x, _numbers.Rational):
        return Fraction(int(x.numerator), int(x.denominator))
    raise NotExactError(f"cannot read {tname} {x!r} as an exact rational")


def q_str(x: Fraction) -> str:
    """Canonical text of a rational (certificate encoding): ``p`` or ``p/q``, reduced."""
    return str(to_q(x))


def q_vector(values: Iterable[object], *, allow_float: bool = False) -> tuple[Fraction, ...]:
    return tuple(to_q(v, allow_float=allow_float) for v in values)


def q_matrix(rows: Iterable[Iterable[object]], *, allow_float: bool = False) -> tuple[tuple[Fraction, ...], ...]:
    return tuple(q_vector(r, allow_float=allow_float) for r in rows)


def dot(a: Sequence[Fraction], b: Sequence[Fraction]) -> Fraction:
    return sum((x * y for x, y in zip(a, b)), Fraction(0))


def sqnorm(a: Sequence[Fraction]) -> Fraction:
    return sum((x * x for x in a), Fraction(0))


def is_square(q: Fraction) -> bool:
    q = to_q(q)
    if q < 0:
        return False
    a, b = q.numerator, q.denominator
    return math.isqrt(a) ** 2 == a and math.isqrt(b) ** 2 == b


def exact_sqrt(q: Fraction) -> Fraction:
    """The exact square root of a rational square, else :class:`DomainError`."""
    q = to_q(q)
    if not is_square(q):
        raise DomainError(f"{q} is not the square of a rational")
    return Fraction(math.isqrt(q.numerator), math.isqrt(q.denominator))


def sqrt_bounds(q: Fraction, bits: int = 64) -> tuple[Fraction, Fraction]:
    """Rationals ``lo <= sqrt(q) <= hi`` with ``hi - lo <= 2**-bits`` (relative to scale).

    Proof: with ``N = p*q*4**k``, ``isqrt(N)**2 <= N < (isqrt(N)+1)**2``; divide by
    ``q_den * 2**k``.  Exact (``lo == hi``) when ``q`` is a rational square.
    """
    q = to_q(q)
    if q < 0:
        raise DomainError(f"square root of negative {q}")
    if is_square(q):
        r = exact_sqrt(q)
        return r, r
    p, d = q.numerator, q.denominator
    # scale so the enclosure is tight relative to the magnitude
    k = max(0, bits + max(0, (d.bit_length() - p.bit_length()) // 2 + 2))
    n = p * d << (2 * k)
    s = math.isqrt(n)
    den = d << k
    return Fraction(s, den), Fraction(s + 1, den)
