"""The one boundary between Fractions and python-flint.

exactrelu keeps exact values as :class:`fractions.Fraction` in its data structures and
hands matrices to python-flint (``fmpq_mat`` / ``fmpz_mat``: rank, RREF, nullspace,
solve -- 3-500x faster than SymPy here, see ``bench/bench_linalg.py``) only inside
kernels.  The two types do not mix (``Fraction(1, 2) == flint.fmpq(1, 2)`` is False), so
every conversion goes through this module.
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Iterable, Sequence

import flint

__all__ = ["fq", "fr", "qmat", "qmat_cols", "int_rows", "lcm_den"]


def fq(x: Fraction | int) -> "flint.fmpq":
    """Fraction (or int) -> ``fmpq``."""
    return flint.fmpq(x.numerator, x.denominator)


def fr(x: Any) -> Fraction:
    """``fmpq`` or ``fmpz`` -> Fraction."""
    if isinstance(x, flint.fmpz):
        return Fraction(int(x))
    return Fraction(int(x.p), int(x.q))


def qmat(rows: Sequence[Sequence[Fraction]], ncols: int) -> "flint.fmpq_mat":
    """``fmpq_mat`` from rows of Fractions (``ncols`` needed for an empty matrix)."""
    return flint.fmpq_mat(len(rows), ncols, [fq(a) for r in rows for a in r])


def qmat_cols(cols: Sequence[Sequence[Fraction]], n: int) -> "flint.fmpq_mat":
    """``fmpq_mat`` (n x k) whose columns are ``cols``."""
    k = len(cols)
    return flint.fmpq_mat(n, k, [fq(cols[j][r]) for r in range(n) for j in range(k)])


def lcm_den(values: Iterable[Fraction]) -> int:
    """Least common multiple of the denominators."""
    den = 1
    for a in values:
        den = math.lcm(den, a.denominator)
    return den


def int_rows(rows: Sequence[Sequence[Fraction]]) -> "flint.fmpz_mat":
    """Each row times the lcm of its denominators: an integer matrix with the same row
    space, kernel and rank (``fmpz_mat`` rank/nullspace are the fastest flint paths)."""
    out = []
    for r in rows:
        den = lcm_den(r)          # once per row
        out.append([int(a * den) for a in r])
    return flint.fmpz_mat(out)


#: A 61-bit prime (2^61 - 1) for the modular rank shortcut.
_PRIME = (1 << 61) - 1


def full_rank_mod_p(M: "flint.fmpz_mat") -> list[int] | None:
    """Pivot columns of ``M`` if ``M`` has full rank ``min(rows, cols)``, proved by a
    reduction modulo the prime ``2^61 - 1``; else ``None`` (the caller then decides
    exactly).  Sound both ways: a nonzero minor modulo p is a nonzero integer minor, so
    the returned columns are independent over Q, and full rank cannot be exceeded.
    Written here because flint's exact ``rank``/``rref`` on entries of ~1000 bits (rows of
    float-derived rationals) take tens of seconds where the modular rref takes
    milliseconds (measured: 64 x 120 with 1200-bit entries, 22 s vs 0.01 s)."""
    r, c = M.nrows(), M.ncols()
    if r == 0 or c == 0:
        return []
    R, rk = flint.nmod_mat(r, c, [int(x) % _PRIME for x in M.entries()], _PRIME).rref()
    if rk != min(r, c):
        return None
    piv, j = [], 0
    for i in range(rk):
        while int(R[i, j]) == 0:
            j += 1
        piv.append(j)
        j += 1
    return piv
