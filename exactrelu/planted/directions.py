"""Rational unit directions for planted instances: ``||e||^2 == 1`` exactly, inside a cone.

Rational unit vectors come from inverse stereographic projection of rational points
(:func:`rational_unit_vector`).  A planted block ``b = (i, s)`` needs a direction ``e_b``
strictly inside its cone ``K_i`` (checked exactly: ``A_i e_b > 0``) such that the
equations ``s X^T D_i r = lam e_b`` of all planted blocks stay consistent.  Blocks of
neighbouring patterns (differing in fewer than ``d`` rows) have dependent equations; their
directions are chained by rational reflections ``e' = e - 2 (e.w / ||w||^2) w``, which
keep ``||e'|| = 1`` exactly (docs/theory.md §5.0 (c)).  Floats only aim (the target
direction, sampled points of a sphere); unit norm and cone membership hold exactly by
construction, and the whole instance is re-verified by ``check_planted``.
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Sequence

import numpy as np

from .. import linalg
from ..arrangement import PatternSet
from ..cones import cone_matrix
from ..errors import DomainError, ShapeError
from ..linalg import fr as _fr, qmat as _qmat, rank as _rank
from ..numbers import dot, sqnorm

Vec = tuple[Fraction, ...]


def rational_unit_vector(direction: Sequence[object], *, denominator: int = 1000) -> Vec:
    """A rational point ``e`` with ``||e||^2 == 1`` exactly, close to ``direction/||direction||``.

    Inverse stereographic projection from the pole ``-sign(u_j) e_j``, ``j`` the largest
    coordinate of the unit direction ``u``: the parameters ``t_i = u_i / (1 + |u_j|)``
    (``|t| < 1``) are rounded to multiples of ``1/denominator`` and mapped back by
    ``e_i = 2 t_i / (1 + |t|^2)``, ``e_j = sign(u_j) (1 - |t|^2) / (1 + |t|^2)``.  The map is
    2-Lipschitz there, so ``|e - u|`` is about ``sqrt(d-1) / denominator``.
    ``direction`` may hold floats (a guess) or exact rationals.

    >>> e = rational_unit_vector([3.0, 4.0], denominator=3)
    >>> e, sum(a * a for a in e)
    ((Fraction(3, 5), Fraction(4, 5)), Fraction(1, 1))
    """
    if denominator < 1:
        raise ValueError("denominator must be a positive integer")
    u = [float(a) for a in direction]
    if not u:
        raise ShapeError("empty direction")
    norm = math.sqrt(math.fsum(a * a for a in u))
    if not math.isfinite(norm) or norm == 0.0:
        raise DomainError(f"direction {list(direction)!r} has no unit vector")
    u = [a / norm for a in u]
    j = max(range(len(u)), key=lambda i: abs(u[i]))
    sign = 1 if u[j] > 0 else -1
    t = [Fraction(round(u[i] / (1 + abs(u[j])) * denominator), denominator)
         for i in range(len(u)) if i != j]
    S = sum((a * a for a in t), Fraction(0))
    e = [2 * a / (1 + S) for a in t]
    e.insert(j, sign * (1 - S) / (1 + S))
    return tuple(e)


def _corr_rows(X: Sequence[Sequence[Fraction]], bits: str, s: int) -> list[list[Fraction]]:
    """The d x n matrix of ``r -> s X^T D_i r``."""
    d = len(X[0])
    return [[s * x[j] if b == "1" else Fraction(0) for x, b in zip(X, bits)] for j in range(d)]


def _in_span(V: Sequence[Sequence[Fraction]], x: Sequence[Fraction], dd: int) -> bool:
    return _rank(list(V) + [list(x)], dd) == _rank(V, dd)


def _project_onto(V: Sequence[Sequence[Fraction]], x: Sequence[Fraction]) -> list[Fraction]:
    """Exact orthogonal projection of ``x`` onto the span of the vectors ``V``."""
    dd = len(x)
    Bm = _qmat([V[j] for j in linalg.independent_rows(V, dd)], dd)     # independent rows
    coef = (Bm * Bm.transpose()).solve(Bm * _qmat([[a] for a in x], 1))
    return [_fr(a) for a in (Bm.transpose() * coef).entries()]


def _inside(A: Sequence[Sequence[Fraction]], e: Sequence[Fraction]) -> bool:
    return all(dot(a, e) > 0 for a in A if any(a))


def _interior_unit(A: Sequence[Sequence[Fraction]], q: np.ndarray, den: int) -> Vec | None:
    """A rational unit vector near ``q`` strictly inside ``{u : A u >= 0}``."""
    for scale in (1, 4, 16, 64, 256, 1024):
        e = rational_unit_vector(q, denominator=den * scale)
        if _inside(A, e):
            return e
    return None


def _direction(A, q: np.ndarray, M: list[list[Fraction]], t: list[Fraction],
               earlier: Sequence[Vec], R: list[list[Fraction]], n: int,
               den: int) -> Vec | None:
    """A rational unit ``e`` strictly inside ``{u : A u >= 0}``, near the unit ``q``, that
    keeps the equations ``M r = t``, ``R r = e`` consistent.

    The consistent ``e`` form the affine space ``R r_p + V``, ``V = R ker M`` (``r_p`` any
    solution of ``M r = t``).  If ``V = Q^d``, ``e`` comes from
    :func:`rational_unit_vector`.  Otherwise a rational unit point ``p`` of that space is
    needed to start from; the candidates are ``±e`` of earlier blocks (neighbouring
    patterns: their correlations differ by a combination of the few differing rows).
    Then ``e = p - 2 (p.w / ||w||^2) w`` for a rational ``w`` in ``V`` -- the reflection of
    ``p`` along ``w``, again a rational unit point of the same affine space -- with ``w``
    close to ``z - p``, ``z`` the point of the sphere ``(p + V) ∩ S`` nearest to ``q`` (or,
    if that one is outside the cone, sampled points of that sphere inside it).  When ``V``
    is a line the reflection is forced.  Returns None if nothing is found.
    """
    dd = len(q)
    V = [[dot(row, k) for k in linalg.kernel(M, n)] for row in R]
    V = [list(col) for col in zip(*V)]                            # vectors in Q^d
    rank = _rank(V, dd)
    if rank == dd:
        return _interior_unit(A, q, den)
    base = linalg.least_norm_solution(M, t, n)
    if base is None:                                              # pragma: no cover
        return None
    a0 = [dot(row, base) for row in R]
    if rank == 0:                                                 # e is forced: e = a0
        return tuple(a0) if sqnorm(a0) == 1 and _inside(A, a0) else None
    Vf = np.array([[float(x) for x in v] for v in V]).T          # d x q
    Vf /= np.abs(Vf).max()
    U, _, _ = np.linalg.svd(Vf, full_matrices=False)
    B = U[:, :rank]                                               # orthonormal basis of V
    Af = np.array([[float(x) for x in a] for a in A])
    Af = Af[np.abs(Af).sum(axis=1) > 0]
    Af /= np.linalg.norm(Af, axis=1)[:, None]
    for e0 in earlier:
        for sg in (1, -1):
            p = [sg * x for x in e0]
            if not _in_span(V, [x - y for x, y in zip(p, a0)], dd):
                continue
            if rank == 1:                    # a line: the only other point is forced
                ws = [next(v for v in V if any(v))]
            else:
                # points z of the sphere (p + V) ∩ S: centre o, radius rho; aim at q first,
                # then at sampled points inside the cone, nearest to q first
                pf = np.array([float(x) for x in p])
                pv = B @ (B.T @ pf)
                o, rho = pf - pv, float(np.linalg.norm(pv))
                gen = np.random.default_rng(0)
                G = gen.standard_normal((rank, 64))
                G = np.concatenate([(B.T @ q)[:, None], G], axis=1)
                G /= np.linalg.norm(G, axis=0)
                Z = o[:, None] + rho * (B @ G)                    # d x 65 points
                ok = (Af @ Z).min(axis=0) > 0
                order = [0] + sorted((j for j in range(1, Z.shape[1]) if ok[j]),
                                     key=lambda j: float(np.linalg.norm(Z[:, j] - q)))[:3]
                ws = [_project_onto(V, [Fraction(round(x * den * scale), den * scale)
                                        for x in Z[:, j] - pf])
                      for j in order for scale in (1, 16, 256)]
            for w in ws:
                ww = sqnorm(w)
                if ww == 0:
                    continue
                f = 2 * dot(p, w) / ww
                e = tuple(x - f * y for x, y in zip(p, w))
                if _inside(A, e):
                    return e
            return None
    return None


def _pick_directions(X, pats: PatternSet, chosen, n: int, dd: int, den: int):
    """Rational unit directions for the chosen blocks (in order) keeping the equations
    ``s X^T D_i r = e_b`` consistent.  Returns ``(picked, M, t)`` or a reason string."""
    picked: list[tuple[str, int, Vec]] = []
    M: list[list[Fraction]] = []
    t: list[Fraction] = []
    for block, _, c, _ in chosen:
        bits = pats.bits[block[0]]
        R = _corr_rows(X, bits, block[1])
        if _rank(R, n) < dd:
            return "an interior block with fewer than d independent rows"
        e = _direction(cone_matrix(X, bits), c / np.linalg.norm(c), M, t,
                       [e for _, _, e in picked], R, n, den)
        if e is None:
            return "an interior block whose direction cannot be planted"
        picked.append((bits, block[1], e))
        M += R
        t += list(e)
    return picked, M, t
