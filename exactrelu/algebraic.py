"""Exact sign of sums of square roots of rationals.

``sign(sum_i c_i * sqrt(q_i))`` for rationals ``c_i``, ``q_i >= 0`` is decided exactly:
first by ball arithmetic (python-flint ``arb``; a ball excluding 0 proves the sign), and
when the ball keeps containing 0, by grouping the roots into classes ``sum_R a_R sqrt(R)``
whose radicands are pairwise not a square times each other (:func:`sqrt_classes`, no
factoring): such roots are linearly independent over Q (Besicovitch 1940), so the sum is
0 iff every ``a_R`` is 0, and otherwise higher precision must separate it from 0.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Iterable, Mapping, Sequence

import flint

from .errors import DomainError, ExactReluError
from .linalg import fq as _fq
from .numbers import exact_sqrt, is_square, q_str, sqrt_bounds, to_q

__all__ = ["sign_sum_sqrt", "compare_sum_sqrt", "sqrt_classes", "enclose_sum_sqrt", "Surd",
           "PenaltySign"]


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


def sqrt_classes(terms: Iterable[tuple[Fraction, Fraction]]) -> list[tuple[Fraction, int]]:
    """``[(a, R)]`` with ``sum c_i sqrt(q_i) = sum a sqrt(R)``, integers ``R`` pairwise
    not a square times each other, zero ``a`` dropped -- without factoring.  Two roots
    ``sqrt(N)``, ``sqrt(R)`` are rational multiples iff ``N R`` is a square (then
    ``sqrt(N) = (isqrt(N R) / R) sqrt(R)``); roots of distinct square-free classes are
    linearly independent over Q, so the sum is zero iff every ``a`` is.  (Factoring into
    square-free parts is infeasible for the ~300-bit radicands of refined optima; one
    ``isqrt`` per pair of classes is not.)"""
    classes: list[list] = []            # [R, a]
    for c, q in terms:
        if not c or not q:
            continue
        N = q.numerator * q.denominator           # sqrt(p/d) = sqrt(p d) / d
        for cl in classes:
            R = cl[0]
            t = math.isqrt(N * R)
            if t * t == N * R:
                cl[1] += c * Fraction(t, R * q.denominator)
                break
        else:
            classes.append([N, c / q.denominator])
    return [(a, R) for R, a in classes if a]


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
    return _exact_sign(ts)


def _exact_sign(ts: list[tuple[Fraction, Fraction]]) -> int:
    """The sign once balls did not decide: zero iff every square-root class cancels
    (:func:`sqrt_classes`), else a ball at doubling precision decides."""
    ct = sqrt_classes(ts)
    if not ct:
        return 0
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
    lo = hi = to_q(base)
    for c, q in terms:
        c = to_q(c)
        a, b = sqrt_bounds(to_q(q), bits)
        if c >= 0:
            lo, hi = lo + c * a, hi + c * b
        else:
            lo, hi = lo + c * b, hi + c * a
    return lo, hi


# ------------------------------------------------------------------ surds

_ZERO = Fraction(0)


@dataclass(frozen=True)
class Surd:
    """The real number ``p + q sqrt(D)`` (rational ``p, q``, ``D >= 0``), exactly."""

    p: Fraction
    q: Fraction = _ZERO
    D: Fraction = _ZERO

    def __post_init__(self) -> None:
        if self.q and is_square(self.D):
            object.__setattr__(self, "p", self.p + self.q * exact_sqrt(self.D))
            object.__setattr__(self, "q", _ZERO)
            object.__setattr__(self, "D", _ZERO)

    @property
    def rational(self) -> Fraction | None:
        return self.p if not self.q else None

    def sign_minus(self, c: Fraction) -> int:
        """Sign of ``self - c``, exactly (by squaring)."""
        u = self.p - c
        if not self.q:
            return (u > 0) - (u < 0)
        qs = 1 if self.q > 0 else -1
        if u == 0:
            return qs
        if (u > 0) == (qs > 0):
            return 1 if u > 0 else -1
        d = u * u - self.q * self.q * self.D
        s = (d > 0) - (d < 0)
        return s if u > 0 else -s

    def bounds(self, bits: int = 64) -> tuple[Fraction, Fraction]:
        if not self.q:
            return self.p, self.p
        lo, hi = sqrt_bounds(self.D, bits)
        a, b = self.p + self.q * lo, self.p + self.q * hi
        return (a, b) if a <= b else (b, a)

    def __float__(self) -> float:
        return float(self.p) + float(self.q) * math.sqrt(float(self.D))

    def __str__(self) -> str:
        if not self.q:
            return q_str(self.p)
        return f"{q_str(self.p)} + ({q_str(self.q)})*sqrt({q_str(self.D)})"


# ------------------------------------------- signs of weighted sums of fixed roots

class PenaltySign:
    """Exact sign of ``sum_i coef_i a_i`` with ``a_i = c_i sqrt(q_i) > 0``.

    Ball arithmetic (python-flint ``arb``, per-neuron balls cached) decides a nonzero
    sum at once; otherwise the terms are grouped into square-root classes
    (:func:`sqrt_classes`), the sum is zero iff every class is, and a nonzero one is
    decided by balls at doubling precision.
    ``scale[i]`` (optional) divides ``a_i``: ``sign_int`` takes integer coefficients of
    ``a_i / scale_i``."""

    def __init__(self, terms: Sequence[tuple[Fraction, Fraction]],
                 scale: Sequence[Fraction] | None = None) -> None:
        self.terms = list(terms)
        self.scale = list(scale) if scale is not None else None
        self._balls: dict[tuple[int, int], Any] = {}

    def _a(self, i: int, prec: int):
        key = (i, prec)
        got = self._balls.get(key)
        if got is None:
            c, q = self.terms[i]
            if self.scale is not None:
                c = c / self.scale[i]
            got = flint.arb(_fq(c)) * flint.arb(_fq(q)).sqrt()
            self._balls[key] = got
        return got

    def _decide(self, coef: Mapping[int, Any], conv) -> int:
        old = flint.ctx.prec
        try:
            for prec in (64, 192):
                flint.ctx.prec = prec
                b = flint.arb(0)
                for i, k in coef.items():
                    if k:
                        b += self._a(i, prec) * conv(k)
                if b > 0:
                    return 1
                if b < 0:
                    return -1
        finally:
            flint.ctx.prec = old
        terms = []
        for i, k in coef.items():
            if k:
                kq = Fraction(int(k)) if not isinstance(k, Fraction) else k
                if self.scale is not None and conv is _arb_int:
                    kq = kq / self.scale[i]
                c, q = self.terms[i]
                terms.append((kq * c, q))
        return _exact_sign(terms)

    def sign(self, coef: Mapping[int, Fraction]) -> int:
        """Sign of ``sum coef_i a_i`` (Fraction coefficients; ``scale`` not used)."""
        if self.scale is not None:
            raise ExactReluError("internal: sign() on a scaled PenaltySign")
        return self._decide(coef, _arb_frac)

    def sign_int(self, coef: Mapping[int, int]) -> int:
        """Sign of ``sum coef_i a_i / scale_i`` (integer coefficients)."""
        return self._decide(coef, _arb_int)


def _arb_frac(k: Fraction):
    return flint.arb(_fq(k))


def _arb_int(k: int):
    return flint.arb(flint.fmpz(int(k)))
