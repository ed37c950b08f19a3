"""Compact completeness proofs (certificate format 1.4, ``patterns.gordan_bases``).

The Gordan route of check 2 writes one ``y`` per (region, non-wall class) pair: 658,312
entries (59 MB) for n = 40 rational rows with a bias column (d = 4, 19,326 regions).
Every such ``y`` is ``y = |det W| e_c + sign(det W) adj(W) b`` for a basis ``W`` of
``r = rank X`` walls of the region whose cone contains the non-wall normal ``b``
(:mod:`.gordan_prover`), so a checker can recompute it from the basis alone.  This
module writes only the bases: nothing for a region with exactly ``r`` walls (the
checker's default basis is its walls), else the list of bases the float guesses chose
(:mod:`._gordan_float_guess`), each verified here exactly (``adj(W) b >= 0`` for every
column it serves, in integers) -- the checker tries them in order for each non-wall
class.  A column no guess serves gets a basis from an exact LP over the walls (its
support, extended to ``r`` independent walls, and verified again).  If that fails, the
caller falls back to the v1 Gordan entries, which also report an incomplete list.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ._gordan_float_guess import guess_wall_bases
from .gordan_prover import _Gordan, _lp_cone

__all__ = ["wall_bases"]

Basis = tuple[int, ...]


class _NoBasis(Exception):
    """A column that no basis of walls serves (the v1 route will say why)."""


def _serves(G: _Gordan, i: int, cls: Sequence[int], cols: np.ndarray,
            nonwalls: np.ndarray) -> np.ndarray:
    """Which of the non-wall columns ``cols`` the signed basis ``cls`` serves exactly
    (``adj(W) b`` has the sign of ``det W`` or is 0 in every coordinate)."""
    num, _ = G.combination(i, cls, nonwalls[cols])
    if num is None:
        return np.zeros(len(cols), dtype=bool)
    return ~(num < 0).any(axis=0)


def _lp_basis(G: _Gordan, i: int, c: int, walls: list[int]) -> list[int]:
    """A basis of ``r`` walls serving class ``c`` from an exact LP over the walls."""
    import flint

    sig = G.sigma[i]
    sol = _lp_cone([G._signed(j, int(sig[j])) for j in walls], G._signed(c, int(sig[c])),
                   normalise=False)
    if sol is None:
        raise _NoBasis
    basis = [j for j, v in zip(walls, sol) if v]
    for j in walls:          # extend the support to r independent walls
        if len(basis) == G.r:
            break
        if j not in basis and flint.fmpz_mat([G.H[t] for t in basis + [j]]).rank() == \
                len(basis) + 1:
            basis.append(j)
    if len(basis) != G.r:
        raise _NoBasis
    return basis


def _region_bases(G: _Gordan, i: int) -> list[list[int]] | None:
    """The bases (class indices) region ``i`` needs; ``None``: its walls (the default)."""
    wrow = G.wall[i]
    nonwalls = np.nonzero(~wrow)[0]
    walls = np.nonzero(wrow)[0]
    wl = walls.tolist()
    if not nonwalls.size:
        return None
    if len(wl) == G.r:
        if not _serves(G, i, wl, np.arange(nonwalls.size), nonwalls).all():
            raise _NoBasis
        return None
    if len(wl) < G.r:
        raise _NoBasis
    sig = G.sigma[i]
    todo = np.ones(nonwalls.size, dtype=bool)
    plan = guess_wall_bases(G.Hf[walls] * sig[walls, None],
                            (G.Hf[nonwalls] * sig[nonwalls, None]).T, G.r, todo)
    out: list[list[int]] = []
    for pos, cols in plan:
        cls = [wl[p] for p in pos]
        ok = _serves(G, i, cls, cols, nonwalls)
        todo[cols[~ok]] = True
        if ok.any():
            out.append(cls)
    left = np.nonzero(todo)[0]
    for cls in out:             # a column a guessed basis serves, though not its own
        if left.size:
            left = left[~_serves(G, i, cls, left, nonwalls)]
    while left.size:            # in column order: an LP basis for the first one left
        cls = _lp_basis(G, i, int(nonwalls[left[0]]), wl)
        ok = _serves(G, i, cls, left, nonwalls)
        if not ok[0]:
            raise _NoBasis
        out.append(cls)
        left = left[~ok]
    return out


def wall_bases(G: _Gordan) -> tuple[dict[int, list[Basis]], dict[str, int]] | None:
    """``({pattern: [basis, ...]}, stats)`` for the ``gordan_bases`` section (bases as
    rows of X: the first row of each wall class), or ``None`` when some non-wall class
    has no basis of walls (then the list is not complete; the v1 route says where)."""
    out: dict[int, list[Basis]] = {}
    try:
        for i in range(len(G.bits)):
            cls = _region_bases(G, i)
            if cls is not None:
                out[i] = [tuple(G.reps[c] for c in b) for b in cls]
    except _NoBasis:
        return None
    stats = dict(G.stats)
    stats["nonwall_pairs"] = int((~G.wall).sum())
    stats["hinted_regions"] = len(out)
    return out, stats
