"""Exact Euclidean projection onto polyhedral cones ``K = {u : A u >= 0}``, with proof.

The C-ReLU cones are ``K_i = {u : A_i u >= 0}``, ``A_i = (2 D_i - I) X``.  Their polar is
``K° = {-A^T rho : rho >= 0}`` (Farkas), so by Moreau's decomposition ``c = Π_K c + Π_K° c``
the projection is ``v = c + A^T rho`` for a minimiser ``rho`` of the non-negative least
squares problem ``min_{rho >= 0} || c + A^T rho ||``.  Its KKT conditions are the proof:

    rho >= 0,    v = c + A^T rho,    A v >= 0,    rho_k (A v)_k = 0 for every row k.

(They say ``v ∈ K``, ``c - v ∈ K°`` and ``(c - v) . v = 0``, which characterise
``v = Π_K(c)`` and ``A^T rho = -Π_K°(c)``.)  The projection of a rational point is
rational: ``v`` is the projection onto the linear span ``{u : A_T u = 0}`` of the face
containing it.

Algorithm (:func:`project`): ``c`` already in ``K`` costs one exact product.  Otherwise a
float NNLS (``scipy.optimize.nnls`` on ``A^T, -c``) guesses the active rows ``T``; an
independent subset ``S`` of them is kept, the normal equations ``A_S A_S^T rho_S = -A_S c``
are solved exactly with python-flint, and the KKT conditions are verified exactly.  If
the guess is wrong (degenerate or badly conditioned inputs), an exact active-set NNLS
(Lawson & Hanson 1974, ch. 23) warm-started from the guess finishes the job.  It is
written by hand because no library offers NNLS over the rationals, and because in exact
arithmetic Lawson–Hanson provably terminates: each outer step strictly decreases the
residual and the iterate is determined by its passive set, so no set repeats.

Every :class:`Projection` returned has passed the exact KKT check.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Iterable, Sequence

import flint

from .errors import ExactReluError, ShapeError
from .numbers import q_matrix, q_vector, sqnorm
from .problem import Block, ConvexProgram
from .linalg import fq as _fq, fr as _fr, qmat as _qmat

__all__ = ["Projection", "project", "verify_projection", "cone_matrix", "block_projection",
           "dual_margin"]

Vec = tuple[Fraction, ...]


@dataclass(frozen=True)
class Projection:
    """``v = Π_K(c)`` with its multipliers: ``v = c + A^T rho``, ``rho >= 0``.

    ``rho`` maps row index -> positive Fraction (rows with ``rho_k = 0`` are left out).
    ``method`` records how it was found: ``"inside"`` (``c`` was in ``K``), ``"guess"``
    (float active set confirmed exactly) or ``"active-set"`` (exact Lawson–Hanson).
    """

    v: Vec
    rho: dict[int, Fraction] = field(default_factory=dict)
    method: str = "inside"

    @property
    def sqnorm(self) -> Fraction:
        """``||v||^2`` (exact; the norm itself is irrational in general)."""
        return sqnorm(self.v)


# ----------------------------------------------------------------- flint conversions

def _col(vec: Sequence[Fraction]) -> flint.fmpq_mat:
    return flint.fmpq_mat(len(vec), 1, [_fq(a) for a in vec])


# --------------------------------------------------------------------- the kernels

def _independent(rows: list[list[flint.fmpq]], T: Sequence[int], d: int) -> list[int]:
    """A maximal linearly independent subset of the rows ``T`` (earliest first)."""
    T = [k for k in T if any(rows[k])]
    if not T:
        return []
    B = flint.fmpq_mat(d, len(T), [rows[k][j] for j in range(d) for k in T])  # A_T^T
    R, rank = B.rref()
    piv = []
    for r in range(rank):
        for j in range(len(T)):
            if R[r, j] != 0:
                piv.append(T[j])
                break
    return piv


def _least_squares(rows: list[list[flint.fmpq]], cm: flint.fmpq_mat, P: Sequence[int],
                   d: int) -> dict[int, flint.fmpq]:
    """``argmin_z || c + A_P^T z ||`` for independent rows ``P``: ``A_P A_P^T z = -A_P c``."""
    if not P:
        return {}
    AP = flint.fmpq_mat(len(P), d, [a for k in P for a in rows[k]])
    z = (AP * AP.transpose()).solve(-(AP * cm))
    return dict(zip(P, z.entries()))


def _point(rows: list[list[flint.fmpq]], cm: flint.fmpq_mat, rho: dict[int, flint.fmpq],
           d: int) -> flint.fmpq_mat:
    """``v = c + A^T rho`` as a d x 1 matrix."""
    v = [cm[j, 0] for j in range(d)]
    for k, r in rho.items():
        if r != 0:
            row = rows[k]
            for j in range(d):
                if row[j] != 0:
                    v[j] += r * row[j]
    return flint.fmpq_mat(d, 1, v)


def _float_guess(A: Sequence[Sequence[Fraction]], c: Sequence[Fraction]) -> list[int]:
    """Rows with positive float NNLS multiplier, largest first (empty if floats fail)."""
    import numpy as np
    from scipy.optimize import nnls

    try:
        Af = np.array([[float(a) for a in r] for r in A], dtype=float).reshape(len(A), len(c))
        cf = np.array([float(a) for a in c], dtype=float)
        if not (np.all(np.isfinite(Af)) and np.all(np.isfinite(cf))):
            return []
        # scale rows of A and c to unit max-entry: changes rho's scale, not its support
        rs = np.abs(Af).max(axis=1)
        rs[rs == 0] = 1.0
        cs = float(np.abs(cf).max()) or 1.0
        x, _ = nnls((Af / rs[:, None]).T, -cf / cs, maxiter=50 * max(1, len(A)))
    except (OverflowError, ValueError, RuntimeError, np.linalg.LinAlgError):
        return []
    order = np.argsort(-x, kind="stable")
    return [int(k) for k in order if x[k] > 0]


def _lawson_hanson(rows: list[list[flint.fmpq]], cm: flint.fmpq_mat, start: Sequence[int],
                   d: int) -> dict[int, flint.fmpq]:
    """Exact NNLS ``min_{rho >= 0} || c + A^T rho ||`` (Lawson & Hanson 1974, ch. 23).

    Invariant: the passive rows ``P`` are linearly independent and ``x`` is the
    least-squares solution on ``P`` with ``x > 0``.  A row ``j`` enters only if
    ``(A v)_j < 0``; since ``A_P v = 0``, such a row is outside the span of ``A_P``,
    which keeps ``P`` independent (and the normal equations invertible).
    ``start`` must be independent rows; it is pruned to a valid initial state.
    """
    m = len(rows)
    P = list(start)
    x: dict[int, flint.fmpq] = {}
    while P:                                     # warm start: drop until positive
        z = _least_squares(rows, cm, P, d)
        worst = min(P, key=lambda q: z[q])
        if z[worst] > 0:
            x = z
            break
        P.remove(worst)
    A = flint.fmpq_mat(m, d, [a for r in rows for a in r])
    limit = 1000 + 50 * m           # finite in exact arithmetic; the cap only guards bugs
    for _ in range(limit):
        Av = (A * _point(rows, cm, x, d)).entries()
        inP = set(P)
        cand = [k for k in range(m) if k not in inP and Av[k] < 0]
        if not cand:
            return x
        j = min(cand, key=lambda k: Av[k])
        P.append(j)
        x[j] = flint.fmpq(0)
        while True:
            z = _least_squares(rows, cm, P, d)
            neg = [q for q in P if z[q] <= 0]
            if not neg:
                x = z
                break
            alpha = min(x[q] / (x[q] - z[q]) for q in neg)
            x = {q: x[q] + alpha * (z[q] - x[q]) for q in P}
            P = [q for q in P if x[q] > 0]
            x = {q: x[q] for q in P}
    raise ExactReluError("internal: exact NNLS did not terminate")  # pragma: no cover


def _kkt_point(rows: list[list[flint.fmpq]], A: flint.fmpq_mat, cm: flint.fmpq_mat,
               rho: dict[int, flint.fmpq], d: int) -> flint.fmpq_mat | None:
    """``v`` if ``(v, rho)`` satisfies the KKT conditions exactly, else None."""
    if any(r < 0 for r in rho.values()):
        return None
    v = _point(rows, cm, rho, d)
    Av = (A * v).entries()
    if any(val < 0 for val in Av) or any(r != 0 and Av[k] != 0 for k, r in rho.items()):
        return None
    return v


def project(A: Sequence[Sequence[object]], c: Sequence[object], *,
            guess: Iterable[int] | None = None) -> Projection:
    """Exact projection of ``c`` onto ``K = {u : A u >= 0}`` with its KKT multipliers.

    Parameters
    ----------
    A : rows of exact rationals, shape (m, d); zero and linearly dependent rows are fine.
    c : exact rationals, length d.
    guess : row indices believed active (``rho_k > 0``); replaces the float NNLS guess.
        A wrong guess only costs time.

    Returns
    -------
    Projection
        ``v = Π_K(c) = c + A^T rho`` with ``rho >= 0``, ``A v >= 0`` and
        ``rho_k (A v)_k = 0``, all verified exactly.  ``rho`` is not unique when the
        active rows are dependent; the one returned is supported on independent rows.

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> p = project([[1, 0], [0, 1]], [F(-1), F(2)])     # the non-negative quadrant
    >>> p.v, p.rho
    ((Fraction(0, 1), Fraction(2, 1)), {0: Fraction(1, 1)})
    """
    cq = q_vector(c)
    Aq = q_matrix(A)
    d = len(cq)
    for k, r in enumerate(Aq):
        if len(r) != d:
            raise ShapeError(f"row {k} of A has {len(r)} entries, c has {d}")
    m = len(Aq)
    Am = _qmat(Aq, d)
    cm = _col(cq)
    if m == 0 or all(val >= 0 for val in (Am * cm).entries()):
        return Projection(cq, {}, "inside")
    rows = Am.tolist()
    if guess is None:
        T = _float_guess(Aq, cq)
    else:
        T = list(dict.fromkeys(int(k) for k in guess))
        bad = [k for k in T if not 0 <= k < m]
        if bad:
            raise ShapeError(f"guess names rows {bad} but A has {m} rows")
    S = _independent(rows, T, d)
    rho: dict[int, flint.fmpq] | None = None
    method = "guess"
    if S:
        z = _least_squares(rows, cm, S, d)
        if _kkt_point(rows, Am, cm, z, d) is not None:
            rho = z
    if rho is None:
        method = "active-set"
        rho = _lawson_hanson(rows, cm, S, d)
    v = _kkt_point(rows, Am, cm, rho, d)
    if v is None:  # pragma: no cover - Lawson–Hanson ends only at a KKT point
        raise ExactReluError("internal: projection failed its exact KKT check")
    return Projection(tuple(_fr(a) for a in v.entries()),
                      {k: _fr(r) for k, r in sorted(rho.items()) if r != 0}, method)


def verify_projection(A: Sequence[Sequence[object]], c: Sequence[object],
                      proj: Projection) -> bool:
    """Exact re-check (plain Fractions) that ``proj.v = Π_K(c)`` with ``proj.rho`` as proof:
    ``rho >= 0``, ``v = c + A^T rho``, ``A v >= 0``, ``rho_k (A v)_k = 0``."""
    Aq = q_matrix(A)
    cq = q_vector(c)
    d = len(cq)
    if len(proj.v) != d or any(len(r) != d for r in Aq):
        return False
    if not all(isinstance(a, Fraction) for a in proj.v):
        return False
    v = list(cq)
    for k, r in proj.rho.items():
        if not (isinstance(k, int) and 0 <= k < len(Aq)) or not isinstance(r, Fraction) or r < 0:
            return False
        for j in range(d):
            v[j] += r * Aq[k][j]
    if tuple(v) != tuple(proj.v):
        return False
    Av = [sum((a * b for a, b in zip(row, v)), Fraction(0)) for row in Aq]
    if any(val < 0 for val in Av):
        return False
    return all(r * Av[k] == 0 for k, r in proj.rho.items())


# ----------------------------------------------------------------------- C-ReLU blocks

def cone_matrix(X: Sequence[Sequence[Fraction]], bits: str) -> tuple[Vec, ...]:
    """``A_i = (2 D_i - I) X``: row ``k`` is ``x_k`` if ``bits[k] == '1'`` else ``-x_k``."""
    if len(bits) != len(X):
        raise ShapeError(f"pattern has {len(bits)} entries, X has {len(X)} rows")
    return tuple(tuple(x) if b == "1" else tuple(-a for a in x) for x, b in zip(X, bits))


def block_projection(program: ConvexProgram, block: Block, r: Sequence[Fraction]) -> Projection:
    """``v_b = Π_{K_i}(s X^T D_i r)`` for the block ``b = (i, s)``; ``rho`` indexes data rows."""
    i, _ = block
    return project(cone_matrix(program.data.X, program.patterns.bits[i]),
                   program.correlation(block, r))


def _all_correlations(program: ConvexProgram, r: Sequence[Fraction]) -> list[list[flint.fmpq]]:
    """Rows ``X^T D_i r`` for every pattern ``i`` (one flint product)."""
    X = program.data.X
    n, d = program.data.n, program.data.d
    bits = program.patterns.bits
    rq = [_fq(a) for a in q_vector(r)]
    if len(rq) != n:
        raise ShapeError(f"r has {len(rq)} entries, the data has {n} rows")
    zero = flint.fmpq(0)
    Dr = flint.fmpq_mat(len(bits), n, [rq[k] if b[k] == "1" else zero for b in bits
                                       for k in range(n)])
    return (Dr * _qmat(X, d)).tolist()


def dual_margin(program: ConvexProgram, r: Sequence[Fraction]) -> list[tuple[Block, Fraction]]:
    """Exact ``||v_b||^2 = ||Π_{K_i}(c_b)||^2`` for the blocks that need it.

    Cheap exact filter first: blocks with ``||c_b||^2 < lam^2`` are left out (then
    ``||v_b||^2 <= ||c_b||^2 < lam^2``).  Every other block (``||c_b||^2 >= lam^2``) is
    projected exactly and listed as ``(block, ||v_b||^2)``.  So ``r`` is dual feasible iff
    every listed value is ``<= lam^2``, strictly feasible iff every one is ``< lam^2``.
    """
    lam2 = program.lam * program.lam
    out: list[tuple[Block, Fraction]] = []
    for i, row in enumerate(_all_correlations(program, r)):
        sq = sum((a * a for a in row), flint.fmpq(0))
        if sq < _fq(lam2):
            continue
        c = [_fr(a) for a in row]
        A = cone_matrix(program.data.X, program.patterns.bits[i])
        for s in (1, -1):
            proj = project(A, c if s == 1 else [-a for a in c])
            out.append(((i, s), proj.sqnorm))
    return out
