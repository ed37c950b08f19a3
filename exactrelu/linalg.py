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

from .errors import ExactReluError
from .numbers import dot

__all__ = ["fq", "fr", "qmat", "qmat_cols", "int_rows", "int_matrix", "lcm_den", "full_rank_mod_p",
           "primitive", "primitive_scaled", "rank", "kernel", "null_basis", "null_vector",
           "independent", "independent_rows", "least_norm_solution", "column_solve"]


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


def int_matrix(rows: Sequence[Sequence[Fraction]]) -> tuple[list[list[int]], int]:
    """``rows = Z / L``: the integer matrix ``Z`` and ``L`` the lcm of all denominators."""
    L = lcm_den(a for r in rows for a in r)
    return [[int(a * L) for a in r] for r in rows], L


def int_rows(rows: Sequence[Sequence[Fraction]]) -> "flint.fmpz_mat":
    """Each row times the lcm of its denominators: an integer matrix with the same row
    space, kernel and rank (``fmpz_mat`` rank/nullspace are the fastest flint paths)."""
    out = []
    for r in rows:
        den = lcm_den(r)          # once per row
        out.append([int(a * den) for a in r])
    return flint.fmpz_mat(out)


# ------------------------------------------------------------ primitive integer vectors

def primitive(v: Sequence[int], *, orient: bool = False) -> tuple[int, ...]:
    """``v / gcd(v)`` (the zero vector unchanged); ``orient``: first nonzero entry made
    positive."""
    g = math.gcd(*v)
    if g == 0:
        return tuple(v)
    if orient and next(a for a in v if a) < 0:
        g = -g
    return tuple(a // g for a in v) if g != 1 else tuple(v)


def primitive_scaled(values: Sequence[Fraction]) -> tuple[tuple[int, ...], Fraction] | None:
    """``values = kappa * z`` with ``kappa > 0`` rational and ``z`` a primitive integer
    vector (signs kept); ``None`` for the zero vector."""
    L = lcm_den(values)
    ints = [int(v * L) for v in values]
    g = math.gcd(*ints)
    if g == 0:
        return None
    return tuple(a // g for a in ints), Fraction(g, L)


# ------------------------------------------------------ rank, kernel, least-norm solve

def rank(vectors: Sequence[Sequence[Fraction]], n: int | None = None) -> int:
    """Exact rank of the matrix whose rows (or columns: same rank) are ``vectors`` (each
    of length ``n``).  Full rank is proved by :func:`full_rank_mod_p` first (fast)."""
    vectors = [tuple(c) for c in vectors]
    if not vectors:
        return 0
    n = len(vectors[0]) if n is None else n
    if n == 0:
        return 0
    M = int_rows(vectors)
    if full_rank_mod_p(M) is not None:      # proved full rank: the common case, fast
        return min(M.nrows(), M.ncols())
    # rank is transpose invariant: use the tall orientation (fast in flint)
    return M.rank() if M.nrows() >= M.ncols() else M.transpose().rank()


def kernel(rows: Sequence[Sequence[Fraction]], ncols: int) -> list[tuple[int, ...]]:
    """An integer basis of ``{x in Q^ncols : r . x = 0 for every row r}`` (all of
    ``Q^ncols`` for no rows), as python-flint's ``nullspace`` returns it."""
    if not rows:
        return [tuple(int(i == j) for i in range(ncols)) for j in range(ncols)]
    Mi = int_rows(rows)
    if len(rows) >= ncols and full_rank_mod_p(Mi) is not None:
        return []                           # proved: the kernel is zero
    N, k = Mi.nullspace()
    return [tuple(int(N[i, j]) for i in range(ncols)) for j in range(k)]


def null_basis(cols: Sequence[Sequence[Fraction]], n: int | None = None) -> list[tuple[int, ...]]:
    """An integer basis of ``{beta : sum_j beta_j cols_j = 0}`` (each vector primitive,
    first nonzero entry positive)."""
    cols = [tuple(c) for c in cols]
    if not cols:
        return []
    n = len(cols[0]) if n is None else n
    rows = [r for r in ([c[k] for c in cols] for k in range(n)) if any(r)]
    return [primitive(v, orient=True) for v in kernel(rows, len(cols))]


def null_vector(cols: Sequence[Sequence[Fraction]], n: int | None = None) -> tuple[int, ...] | None:
    """A nonzero integer ``beta`` with ``sum_j beta_j cols_j = 0`` (verified), or ``None``
    when the columns are linearly independent."""
    basis = null_basis(cols, n)
    if not basis:
        return None
    beta = basis[0]
    cols = [tuple(c) for c in cols]
    for k in range(len(cols[0])):
        if sum((b * c[k] for b, c in zip(beta, cols) if b), Fraction(0)) != 0:  # pragma: no cover
            raise ExactReluError("internal: null vector check failed")
    return beta


def independent(cols: Sequence[Sequence[Fraction]], n: int | None = None) -> bool:
    """Are the vectors linearly independent (exact)?"""
    cols = list(cols)
    return rank(cols, n) == len(cols)


def independent_rows(rows: Sequence[Sequence[Fraction]], ncols: int) -> list[int]:
    """Indices of a maximal linearly independent subset of ``rows`` (earliest first)."""
    rows = list(rows)
    if not rows:
        return []
    T = int_rows(rows).transpose()          # ncols x nrows; pivots = independent rows
    fast = full_rank_mod_p(T)
    if fast is not None:
        return fast
    R, den, rk = T.rref()
    piv = []
    for r in range(rk):
        for j in range(len(rows)):
            if R[r, j] != 0:
                piv.append(j)
                break
    return piv


def least_norm_solution(rows: Sequence[Sequence[Fraction]], rhs: Sequence[Fraction],
                        ncols: int) -> list[Fraction] | None:
    """The least-norm ``x`` with ``A x = rhs`` (``A`` given by rows), verified exactly, or
    ``None`` if the system is inconsistent: ``x = B^T (B B^T)^-1 rhs_B`` over a maximal
    set ``B`` of independent rows."""
    if ncols == 0:
        return [] if not any(rhs) else None
    piv = independent_rows(rows, ncols)
    if not piv:
        return [Fraction(0)] * ncols if not any(rhs) else None
    A = qmat([rows[i] for i in piv], ncols)
    b = flint.fmpq_mat(len(piv), 1, [fq(rhs[i]) for i in piv])
    x = A.transpose() * (A * A.transpose()).solve(b)
    xs = [fr(a) for a in x.entries()]
    for r, t in zip(rows, rhs):
        if dot(r, xs) != t:
            return None
    return xs


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


def column_solve(cols: Sequence[Sequence[Fraction]], target: Sequence[Fraction]
                 ) -> list[Fraction] | None:
    """The ``x`` with ``sum_j x_j cols_j = target`` when the columns are linearly
    independent and ``target`` is in their span (verified exactly); ``None`` otherwise.
    Solved by the normal equations ``(M^T M) x = M^T target``."""
    L, n = len(cols), len(target)
    M = qmat([[cols[j][k] for j in range(L)] for k in range(n)], L)
    MT = M.transpose()
    try:
        sol = (MT * M).solve(MT * qmat([[a] for a in target], 1))
    except ZeroDivisionError:               # dependent columns
        return None
    x = [fr(a) for a in sol.entries()]
    for k in range(n):
        if sum((x[j] * cols[j][k] for j in range(L)), Fraction(0)) != target[k]:
            return None                     # target outside the span
    return x
