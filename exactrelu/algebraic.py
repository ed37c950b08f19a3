"""Exact sign of sums of square roots of rationals.

``sign(sum_i c_i * sqrt(q_i))`` for rationals ``c_i``, ``q_i >= 0`` is decided exactly:
first by ball arithmetic (python-flint ``arb``; a ball excluding 0 proves the sign), and
when the ball keeps containing 0, by the canonical form ``sum_f a_f sqrt(f)`` over
distinct squarefree integers ``f``: square roots of distinct squarefree integers are
linearly independent over Q (Besicovitch 1940), so the sum is 0 iff every ``a_f`` is 0,
and otherwise higher precision must separate it from 0.
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Iterable

import flint

from .errors import DomainError
from .numbers import to_q

__all__ = ["sign_sum_sqrt", "compare_sum_sqrt", "canonical_sum_sqrt", "enclose_sum_sqrt"]


def _arb(q: Fraction) -> "flint.arb":
    return flint.arb(flint.fmpq(q.numerator, q.denominator))


def _ball(terms: list[tuple[Fraction, Fraction]], prec: int) -> "flint.arb":
    old = flint.ctx.prec
    flint.ctx.prec = prec
    try:
        s = flint.arb(0)
        for c, q in terms:
            if c and q:
                s += _arb(c) * _arb(q).sqrt()
        return s
    finally:
        flint.ctx.prec = old


def canonical_sum_sqrt(terms: Iterable[tuple[object, object]]) -> dict[int, Fraction]:
    """``{squarefree f: a_f}`` with ``sum c_i sqrt(q_i) = sum_f a_f sqrt(f)``, zero
    coefficients dropped.  Uses integer factorisation (python-flint)."""
    out: dict[int, Fraction] = {}
    for c, q in terms:
        c, q = to_q(c), to_q(q)
        if q < 0:
            raise DomainError(f"square root of negative {q}")
        if not c or not q:
            continue
        N = q.numerator * q.denominator           # sqrt(p/d) = sqrt(p d) / d
        sq, sf = 1, 1
        r = math.isqrt(N)
        if r * r == N:
            sq = r
        else:
            for prime, e in flint.fmpz(N).factor():
                sq *= int(prime) ** (e // 2)
                if e % 2:
                    sf *= int(prime)
        out[sf] = out.get(sf, Fraction(0)) + c * Fraction(sq, q.denominator)
    return {f: a for f, a in out.items() if a}


def sign_sum_sqrt(terms: Iterable[tuple[object, object]]) -> int:
    """Exact sign (-1, 0, +1) of ``sum c_i * sqrt(q_i)``."""
    ts = [(to_q(c), to_q(q)) for c, q in terms]
    for _, q in ts:
        if q < 0:
            raise DomainError(f"square root of negative {q}")
    for prec in (64, 256):
        b = _ball(ts, prec)
        if b > 0:
            return 1
        if b < 0:
            return -1
    canon = canonical_sum_sqrt(ts)
    if not canon:
        return 0
    ct = [(a, Fraction(f)) for f, a in canon.items()]
    prec = 512
    while True:  # terminates: the sum is a nonzero algebraic number
        b = _ball(ct, prec)
        if b > 0:
            return 1
        if b < 0:
            return -1
        prec *= 2


def compare_sum_sqrt(left: Iterable[tuple[object, object]],
                     right: Iterable[tuple[object, object]]) -> int:
    """Exact sign of ``sum(left) - sum(right)`` (each a list of ``(c, q)`` for ``c*sqrt(q)``)."""
    return sign_sum_sqrt(list(left) + [(-to_q(c), q) for c, q in right])


def enclose_sum_sqrt(base: object, terms: Iterable[tuple[object, object]], bits: int = 64
                     ) -> tuple[Fraction, Fraction]:
    """Rationals ``lo <= base + sum c_i sqrt(q_i) <= hi``, each root enclosed by integer
    square roots (:func:`exactrelu.numbers.sqrt_bounds`); exact (``lo == hi``) when every
    ``q_i`` is a rational square.  Handles coefficients of either sign."""
    from .numbers import sqrt_bounds

    lo = hi = to_q(base)
    for c, q in terms:
        c = to_q(c)
        a, b = sqrt_bounds(to_q(q), bits)
        if c >= 0:
            lo, hi = lo + c * a, hi + c * b
        else:
            lo, hi = lo + c * b, hi + c * a
    return lo, hi
