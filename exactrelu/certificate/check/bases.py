"""Check 2 by wall bases (certificate format 1.4, ``patterns.gordan_bases``).

For every pattern ``i`` and parallel class ``C`` whose flip is not listed, the first
basis ``S`` of pattern ``i`` (default: its walls, when there are ``r = rank X`` of them)
that is disjoint from ``C`` and nonsingular on the pivot columns of ``X`` gives the
Gordan vector ``y_c = |D|`` on the first row ``c`` of ``C`` and ``y_S = sign(D) E
(t_c x_c) >= 0`` (``E M = D I``, ``M`` the columns ``t_k x_k``, ``k`` in ``S``).  The
checker builds this ``y`` itself and tests it exactly as check 2 tests a Gordan entry:
``y >= 0``, ``y_c > 0`` and ``sum_k y_k t'_k x_k = 0`` in every coordinate (``t'`` the
flipped signs; on the pivot columns by ``E M = D I``, tested once per basis).  Witnesses are required (every listed pattern is a region).  Same verdicts
as ``proofs_checks/check_cert.py`` (``_bases_route``).
"""
from __future__ import annotations

import flint

from .budget import _reject
from .checks import _mask
from .reader import _Cert


def _pivots(rows: list) -> list[int]:
    """Pivot columns of an integer matrix (its reduced row echelon form)."""
    if not rows:
        return []
    R, _den, rank = flint.fmpz_mat(rows).rref()
    d = len(rows[0])
    return [next(j for j in range(d) if R[i, j] != 0) for i in range(rank)]


def _scaled_inverse(M: list) -> tuple[int, list] | None:
    """``(D, E)`` with ``E M = D I`` (``D = det M``), or ``None`` if ``M`` is singular."""
    T = flint.fmpz_mat(M)
    D = int(T.det())
    if D == 0:
        return None
    num, _den = (T.inv() * D).numer_denom()
    return D, [[int(v) for v in row] for row in num.tolist()]


def _basis_inverse(c: _Cert, t: list, S: tuple, piv: list, cache: dict):
    """``(D, E)`` with ``E M = D I`` (tested) for ``M = [t_k x_k on piv]``, or ``None``."""
    key = tuple(2 * k + (t[k] > 0) for k in S)
    if key not in cache:
        M = [[t[k] * c.Xi[k][j] for k in S] for j in piv]
        DE = _scaled_inverse(M)
        if DE is not None:
            D, E = DE
            prod = flint.fmpz_mat(E) * flint.fmpz_mat(M)
            if prod != flint.fmpz_mat(len(M), len(M), [D if a == b else 0 for a in
                                                        range(len(M)) for b in range(len(M))]):
                DE = None
        cache[key] = DE
    return cache[key]


def _serves(c: _Cert, t: list, S: tuple, DE: tuple, C: list, piv: list, rest: list) -> bool:
    """Does basis S give y >= 0, y_c > 0 with sum_k y_k t'_k x_k = 0 (C flipped)?  On the
    pivot columns this holds by ``E M = D I``; the other columns are tested."""
    if any(k in C for k in S):
        return False
    D, E = DE
    xc, tc = c.Xi[C[0]], t[C[0]]
    b = [tc * xc[j] for j in piv]
    y = [sum(e * v for e, v in zip(row, b)) for row in E]
    if D < 0:
        y = [-v for v in y]
    if any(v < 0 for v in y):
        return False
    return not any(sum(v * t[k] * c.Xi[k][j] for v, k in zip(y, S)) - abs(D) * tc * xc[j]
                   for j in rest)


def _bases_of(c: _Cert, i: int, walls: list, r: int) -> list:
    """The bases of pattern i: its key, else its walls when there are exactly r."""
    bases = c.bases.get(i)
    if bases is None:
        bases = [tuple(C[0] for C in walls)] if len(walls) == r else []
    if not bases:
        _reject(2, f"pattern {i}: {len(walls)} walls, rank X = {r}, and no gordan_bases")
    if any(len(S) != r for S in bases):
        _reject(2, f"pattern {i}: a basis in gordan_bases does not have r = {r} rows")
    return bases


def bases_route(c: _Cert, classes: list) -> None:
    """Check 2 by ``patterns.gordan_bases`` (see the module doc)."""
    if not c.bits:
        _reject(2, "the list is empty, so it cannot hold every region")
    if c.witnesses is None:
        _reject(2, "gordan_bases needs witnesses (every listed pattern must be a region)")
    classes = [list(C) for C in classes]
    class_masks = [sum(1 << k for k in C) for C in classes]
    masks = [_mask(p) for p in c.bits]
    listed = set(masks)
    piv = _pivots([c.Xi[k] for k in c.nonzero_rows])
    r, cache = len(piv), {}
    rest = [j for j in range(c.d) if j not in piv]
    c.meter.charge(c.P * len(classes) * (c.n // 8 + 2), 1, "the wall flips")
    for i, m in enumerate(masks):
        is_wall = [m ^ cm in listed for cm in class_masks]
        if all(is_wall):
            continue
        bases = _bases_of(c, i, [C for C, w in zip(classes, is_wall) if w], r)
        todo = [C for C, w in zip(classes, is_wall) if not w]
        c.meter.charge(len(bases) * r ** 3
                       + len(todo) * len(bases) * (r * r + (r + 1) * len(rest)),
                       (r * c.bits_X + 2 * r, c.bits_X), "gordan bases")
        t = [1 if m >> k & 1 else -1 for k in range(c.n)]
        ready = [(S, _basis_inverse(c, t, S, piv, cache)) for S in bases]
        for C in todo:
            if not any(DE and _serves(c, t, S, DE, C, piv, rest) for S, DE in ready):
                _reject(2, f"pattern {i}, class of rows {C}: no basis of gordan_bases gives "
                        "a Gordan certificate")
