"""Float guess for Krawczyk's test: the preconditioner ``C ~ J^-1``.

Any matrix ``C`` is sound in Krawczyk's test (:mod:`exactrelu.optimal_sets.kkt_box`):
a bad one only makes the exact test fail.  So ``C`` is a float64 inverse of the exact
Jacobian, rounded to short dyadic rationals; the test itself runs in exact arithmetic.
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Sequence

import numpy as np

__all__ = ["float_preconditioner"]


def _dyadic_rel(x: float, bits: int) -> Fraction:
    """``x`` rounded to ``bits`` significant bits (a dyadic rational; 0 stays 0)."""
    if x == 0 or not math.isfinite(x):
        return Fraction(0)
    e = math.frexp(x)[1] - bits
    return Fraction(round(math.ldexp(x, -e))) * Fraction(2) ** e


def float_preconditioner(J: Sequence[Sequence[Fraction]], bits: int = 40
                         ) -> list[list[Fraction]] | None:
    """A float64 inverse of ``J`` with entries rounded to ``bits`` significant bits, or
    ``None`` when ``J`` is singular in floating point."""
    Jf = np.array([[float(x) for x in row] for row in J])
    try:
        Cf = np.linalg.inv(Jf)
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(Cf)):
        return None
    return [[_dyadic_rel(float(x), bits) for x in row] for row in Cf]
