r"""The monotonicity and concavity facts of docs/theory.md §2.2 L6 as exact checks on a path.

For ``lam1 < lam2 < lam3``: ``p*`` non-decreasing and concave, the loss ``1/2||r||^2``
non-decreasing, the penalty ``sum ||u_b||`` non-increasing, and (``p*'(lam) = penalty``)
every secant slope between the penalties at its ends.  On points with bounds only, the
statements these imply about the bounds are checked instead.
"""
from __future__ import annotations

from typing import Iterable

from .certified import PathPoint


def path_violations(points: Iterable[PathPoint]) -> list[str]:
    """Every violated consequence of docs/theory.md §2.2 L6 on a path (empty list = all hold).

    Exact points (value, loss, penalty all exact), for ``lam1 < lam2 < lam3``:
    ``p*`` non-decreasing, loss non-decreasing, penalty non-increasing, the secant slope
    ``(p*(lam2) - p*(lam1)) / (lam2 - lam1)`` between ``penalty(lam2)`` and
    ``penalty(lam1)`` (``p*' = penalty``, ``p*`` concave) and midpoint concavity on
    consecutive triples.  Points with bounds only: the implied statements about the
    bounds -- ``lower <= upper``; ``upper(lam2) >= lower(lam1)``; and
    ``upper(lam2) >= ((lam3 - lam2) lower(lam1) + (lam2 - lam1) lower(lam3)) / (lam3 - lam1)``
    (loss and penalty are not claimed there)."""
    pts = sorted(points, key=lambda p: p.lam)
    bad: list[str] = []
    for p in pts:
        if p.lower > p.upper:
            bad.append(f"lam={p.lam}: lower {p.lower} > upper {p.upper}")
        if p.exact and p.loss is not None and p.penalty is not None:
            if p.loss + p.lam * p.penalty != p.value:
                bad.append(f"lam={p.lam}: loss + lam*penalty != value")
    for p, q in zip(pts, pts[1:]):
        if p.lam == q.lam:
            continue
        if q.upper < p.lower:
            bad.append(f"p* decreases between lam={p.lam} and lam={q.lam}")
        if p.exact and q.exact and p.penalty is not None and q.penalty is not None:
            if q.loss < p.loss:
                bad.append(f"loss decreases between lam={p.lam} and lam={q.lam}")
            if q.penalty > p.penalty:
                bad.append(f"penalty increases between lam={p.lam} and lam={q.lam}")
            slope = (q.value - p.value) / (q.lam - p.lam)
            if not q.penalty <= slope <= p.penalty:
                bad.append(f"secant slope {slope} between lam={p.lam} and lam={q.lam} "
                           f"outside [penalty({q.lam}), penalty({p.lam})] = "
                           f"[{q.penalty}, {p.penalty}]")
    for a, b, c in zip(pts, pts[1:], pts[2:]):
        if not (a.lam < b.lam < c.lam):
            continue
        wa, wc = (c.lam - b.lam) / (c.lam - a.lam), (b.lam - a.lam) / (c.lam - a.lam)
        if b.upper < wa * a.lower + wc * c.lower:
            bad.append(f"p* not concave at lam={b.lam} (neighbours {a.lam}, {c.lam})")
    return bad
