r"""The width-``m`` path on a grid and its jumps (docs/theory.md §2.12, §5.1 Example C).

With ``m < m*`` the optimal width-``m`` network can jump as ``lam`` crosses a threshold
where two branch value functions ``V_B1(lam)``, ``V_B2(lam)`` (restricted optima) cross.
A change between two grid points is located exactly when the crossing is rational
(verified: both networks width-``m`` optimal there, :func:`_verify_at`), by the closed
form for ``d = 1``, ``m = 1`` (:mod:`exactrelu.paths.one_dimensional`), else bracketed by
certified bounds of the two branches; the fits are proved apart on the whole bracket by
strong convexity in the fit (:func:`_fits_apart`).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Iterable, Sequence

from ..algebraic import Surd
from ..arrangement import PatternSet, enumerate_patterns
from ..errors import ExactReluError
from ..numbers import q_str, sqnorm, sqrt_bounds
from ..problem import Block, ConvexProgram, Dataset
from ._float_guess import _float_crossing, _rational_guesses
from ._shared import _blocks_of, _check_lams, _Ctx
from .fixed_width import FixedWidthPoint, fixed_width_optimum
from .lam_max import _lam_max
from .one_dimensional import one_dimensional_path
from .restricted import RestrictedOptimum, restricted_optimum


@dataclass(frozen=True)
class Jump:
    """A change of the optimal width-``m`` network between grid points ``lo < hi``.

    ``at``: the exact location (``Surd``; rational when ``at.rational`` is not None) when
    found; ``bracket``: rationals proved to enclose it; ``kind``: ``"jump"`` (the two
    networks have different fits at ``at``: discontinuous path), ``"continuous"`` (same
    fit there: a neuron enters/leaves at zero or crosses a region boundary) or
    ``"unresolved"``; ``verified``: both networks are proved optimal (equal exact values)
    at the rational ``at`` (``kind`` is then decided exactly, else from float fits).
    ``value_at``: the width-``m`` optimum there.  ``before``/``after``: the winners'
    blocks on either side."""

    lo: Fraction
    hi: Fraction
    before: tuple
    after: tuple
    at: Surd | None = None
    bracket: tuple[Fraction, Fraction] | None = None
    kind: str = "unresolved"
    verified: bool = False
    value_at: Fraction | None = None
    note: str = ""
    #: ``kind`` decided exactly: ``verified``, or (irrational crossing) the two branch
    #: fits proved apart on the whole certified bracket (:func:`_fits_apart`).
    kind_proved: bool = False


@dataclass(frozen=True)
class FixedWidthPath:
    """:func:`fixed_width_path`: the points (input order), every located change of the
    optimal network (``changes``, ascending) and the discontinuous ones (``jumps``)."""

    m: int
    points: list[FixedWidthPoint]
    changes: list[Jump]
    patterns: PatternSet
    seconds: float = 0.0

    @property
    def jumps(self) -> list[Jump]:
        return [j for j in self.changes if j.kind != "continuous"]


def _contains_common(a: list, b: list) -> bool:
    for s in a:
        for t in b:
            if s <= t or t <= s:
                return True
    return False


def _fmt_blocks(ps: PatternSet, B: Iterable[Block]) -> str:
    return "{" + ", ".join(f"({ps.bits[i]}, {'+' if s > 0 else '-'})" for i, s in B) + "}"


def _locate(data: Dataset, ps: PatternSet, m: int, lo: FixedWidthPoint, hi: FixedWidthPoint,
            ctx: _Ctx) -> Jump:
    """Locate the change between two grid points (see :func:`fixed_width_path`)."""
    Rb, Ra = lo.winners[0], hi.winners[0]
    jump = Jump(lo.lam, hi.lam, _blocks_of(ps, Rb.solution), _blocks_of(ps, Ra.solution),
                bracket=(lo.lam, hi.lam))
    B1, B2 = tuple(sorted(Rb.support)), tuple(sorted(Ra.support))
    found = _boundary_tie(data, ps, jump, ((lo, Rb, B2), (hi, Ra, B1)))
    if found is None and data.d == 1 and not data.bias and m == 1:
        found = _locate_closed_form(data, ps, m, jump, B1, B2, ctx)
    if found is None:
        found = _locate_by_bisection(data, ps, m, jump, B1, B2, ctx)
    return found


def _boundary_tie(data: Dataset, ps: PatternSet, jump: Jump, sides) -> Jump | None:
    """The other branch may be optimal at a grid point too, with the same network (a
    neuron on the boundary of two regions): then nothing jumps there (exact check).
    ``sides``: ``(grid point, its winner, the other branch's blocks)`` pairs."""
    for pt, R0, Bo in sides:
        if pt.exact:
            R = restricted_optimum(ConvexProgram(data, pt.lam, ps), Bo)
            if R.exact and R.value == pt.value and R.fit == R0.fit:
                return replace(jump, kind="continuous", verified=True, kind_proved=True,
                               note=f"the branch {_fmt_blocks(ps, Bo)} is also optimal at "
                                    f"lam = {q_str(pt.lam)} with the same fit (exact): no jump")
    return None


def _locate_closed_form(data: Dataset, ps: PatternSet, m: int, jump: Jump,
                        B1: Sequence[Block], B2: Sequence[Block], ctx: _Ctx) -> Jump | None:
    """1-D, width 1: the crossing of the two branch values in closed form
    (:attr:`OneDimensionalPath.jump`), verified when rational; ``None`` when it is not
    between the grid points."""
    at = one_dimensional_path(data, ps).jump
    if at is None or not (at.sign_minus(jump.lo) > 0 and at.sign_minus(jump.hi) < 0):
        return None
    jump = replace(jump, at=at, bracket=at.bounds(64))
    q = at.rational
    if q is None:
        return replace(jump, kind="jump", kind_proved=True,
                       note="irrational crossing of the two branch values (closed form); the "
                            "branch networks have different fits there")
    return _verify_at(data, ps, m, jump, q, B1, B2, ctx)


def _locate_by_bisection(data: Dataset, ps: PatternSet, m: int, jump: Jump,
                         B1: Sequence[Block], B2: Sequence[Block], ctx: _Ctx) -> Jump:
    """General case: float bisection of ``V_B1 - V_B2``, rational guesses verified
    exactly, else a certified bracket of the crossing (fits proved apart when they are)."""
    try:
        status, root, same_fit = _float_crossing(ctx, B1, B2, float(jump.lo), float(jump.hi))
    except ExactReluError as e:  # pragma: no cover - solver trouble: leave unresolved
        return replace(jump, note=f"crossing not located: {e}")
    if status == "same_fit":
        return replace(jump, kind="continuous",
                       note="both branches give the same fit at a grid point (float): a "
                            "neuron on the boundary of two regions, no jump")
    if status == "no_cross":
        return replace(jump, note="branch values do not cross in floating point (near-tie)")
    rq = Fraction(root)
    for q in _rational_guesses(rq, jump.lo, jump.hi):
        verified = _verify_at(data, ps, m, replace(jump, at=Surd(q)), q, B1, B2, ctx)
        if verified.verified:
            return verified
    bracket, r1a, r2a = _certified_bracket(data, ps, B1, B2, rq, root, jump.lo, jump.hi)
    # r1a, r2a: the branch optima at a point of the bracket
    proved = not same_fit and _fits_apart(data.y, r1a, r2a, *bracket)
    note = (("fits agree at the crossing (float): a neuron crosses a region boundary or "
             "enters/leaves at zero" if same_fit else
             "fits differ at the crossing (proved: apart on the whole bracket)" if proved
             else "fits differ at the crossing (float): discontinuous") +
            f"; crossing of the branch values proved inside the bracket, near {root:.12g}")
    return replace(jump, at=None, kind="continuous" if same_fit else "jump", bracket=bracket,
                   kind_proved=proved, note=note)


def _certified_bracket(data: Dataset, ps: PatternSet, B1: Sequence[Block], B2: Sequence[Block],
                       rq: Fraction, root: float, lo: Fraction, hi: Fraction):
    """``(bracket, R1, R2)``: rationals around the float root where the two branches'
    restricted optima are proved ordered both ways (so the crossing lies inside; else
    ``(lo, hi)``), and the two branch optima at the left end of the last bracket tried."""
    program = lambda l: ConvexProgram(data, l, ps)  # noqa: E731
    for rel in (1e-9, 1e-7, 1e-5, 1e-3):
        delta = Fraction(max(rel * abs(root), rel))
        la = max(lo, rq - delta)
        lb = min(hi, rq + delta)
        r1a, r2a = (restricted_optimum(program(la), B) for B in (B1, B2))
        r1b, r2b = (restricted_optimum(program(lb), B) for B in (B1, B2))
        if r1a.upper <= r2a.lower and r2b.upper <= r1b.lower:
            return (la, lb), r1a, r2a
    return (lo, hi), r1a, r2a


def _fits_apart(y: Sequence[Fraction], R1: "RestrictedOptimum", R2: "RestrictedOptimum",
                la: Fraction, lb: Fraction) -> bool:
    """Prove that the optimal fits of two restricted programs differ at EVERY lam in
    ``[la, lb]`` (``la > 0``), so at the crossing inside it the width-m path jumps.
    ``R1``, ``R2``: the two restricted optima at one ``lam0 = R1.lam = R2.lam`` in
    ``[la, lb]``.

    Lemmas (exact rationals; square roots only as enclosures checked by squaring):
    (i) a feasible point with objective ``<= upper`` and fit ``f~`` has
    ``||f~ - f*||^2 <= 2 (upper - lower)`` (the objective is 1-strongly convex in the fit
    and ``f*`` is optimal); (ii) ``f*(lam) = y - r*(lam)`` with ``r*(lam)`` the projection
    of ``y`` on ``lam C`` (``C`` convex, ``0 in C``: cone projections are positively
    homogeneous), so ``||f*(lam) - f*(lam')|| <= 2 ||y|| |lam - lam'| / min(lam, lam')``.
    Apart if ``||f~1 - f~2|| > sqrt(2 e1) + sqrt(2 e2) + 4 ||y|| h / la`` with
    ``h = max(lam0 - la, lb - lam0)``."""
    lam0 = R1.lam
    if not (0 < la <= lam0 <= lb and R2.lam == lam0):
        return False
    h = max(lam0 - la, lb - lam0)
    gap = sqrt_bounds(sqnorm([a - b for a, b in zip(R1.fit, R2.fit)]))[0]
    e1 = sqrt_bounds(2 * (R1.upper - R1.lower))[1]
    e2 = sqrt_bounds(2 * (R2.upper - R2.lower))[1]
    ny = sqrt_bounds(sqnorm(y))[1]
    return gap > e1 + e2 + 4 * ny * h / la


def _verify_at(data: Dataset, ps: PatternSet, m: int, jump: Jump, q: Fraction,
               B1: Sequence[Block], B2: Sequence[Block], ctx: _Ctx) -> Jump:
    """Prove that both branches are width-``m`` optimal at the rational ``q``: the
    verified jump, else ``jump`` with a note saying the guess failed."""
    fw = fixed_width_optimum(data, q, m, patterns=ps, shortcut=False, _ctx=ctx)
    wins = [frozenset(s) for s in fw.winning_subsets]
    ok1 = any(frozenset(B1) <= s for s in wins)
    ok2 = any(frozenset(B2) <= s for s in wins)
    if not (fw.exact and ok1 and ok2):
        return replace(jump, note="the rational guess %s is not an exact crossing" % q_str(q))
    # the two optimal networks AT the crossing: the B1 side before, the B2 side after
    before, after = jump.before, jump.after
    for R in fw.winners:
        if R.support <= frozenset(B1) and R.support:
            before = _blocks_of(ps, R.solution)
        if R.support <= frozenset(B2) and R.support:
            after = _blocks_of(ps, R.solution)
    fits = {R.fit for R in fw.winners}
    return replace(jump, verified=True, kind_proved=True, value_at=fw.value, bracket=(q, q),
                   before=before, after=after,
                   kind="jump" if len(fits) > 1 else "continuous",
                   note="both networks are width-%d optimal at lam = %s (exact), %s" %
                        (m, q_str(q), "with different fits" if len(fits) > 1 else "same fit"))


def fixed_width_path(data: Dataset, lams: Iterable[object], m: int, *,
                     patterns: PatternSet | None = None, shortcut: bool = True,
                     locate: bool = True, max_subsets: int = 20000) -> FixedWidthPath:
    """:func:`fixed_width_optimum` on every ``lam`` of the grid, and the jumps: a tie at a
    grid point (several exact winners with different fits) is a jump located exactly
    there; two consecutive grid points without a common winning block set bracket a
    change, located by the crossing of the two branch value functions (exact closed
    form for ``d = 1``, ``m = 1``; else bisection + rational reconstruction, verified
    exactly).  Grid resolution caveat: a change that reverts between two grid points is
    not seen."""
    t0 = time.perf_counter()
    lq = _check_lams(lams)
    ps = patterns if patterns is not None else enumerate_patterns(data.X, progress=False)
    ctx = _Ctx(data, ps, *_lam_max(data, ps))
    pts = [fixed_width_optimum(data, l, m, patterns=ps, shortcut=shortcut,
                               max_subsets=max_subsets, _ctx=ctx) for l in lq]
    changes: list[Jump] = []
    srt = sorted({p.lam: p for p in pts}.values(), key=lambda p: p.lam)
    for k, p in enumerate(srt):
        if p.exact and len({R.fit for R in p.winners}) > 1:
            # a tie with different fits at a grid point: order the two networks by the
            # neighbouring grid points' winners when they tell
            def side(nb):
                if nb is None:
                    return None
                for R in p.winners:
                    if _contains_common([R.support], nb.winning_subsets):
                        return R
                return None
            Rb = side(srt[k - 1] if k else None) or p.winners[0]
            Ra = side(srt[k + 1] if k + 1 < len(srt) else None)
            if Ra is None or Ra is Rb:
                Ra = next(R for R in p.winners if R.fit != Rb.fit)
            changes.append(Jump(p.lam, p.lam, _blocks_of(ps, Rb.solution),
                                _blocks_of(ps, Ra.solution), Surd(p.lam), (p.lam, p.lam),
                                "jump", True, p.value,
                                "tie at a grid point: two optimal networks with different "
                                "fits (exact)"))
    for p, q in zip(srt, srt[1:]):
        if _contains_common(p.winning_subsets, q.winning_subsets):
            continue
        if any(j.lo == j.hi and j.lo in (p.lam, q.lam) for j in changes):
            continue
        if locate:
            j = _locate(data, ps, m, p, q, ctx)
        else:
            j = Jump(p.lam, q.lam, _blocks_of(ps, p.winners[0].solution),
                     _blocks_of(ps, q.winners[0].solution), bracket=(p.lam, q.lam))
        changes.append(j)
    changes.sort(key=lambda j: (j.lo, j.hi))
    return FixedWidthPath(m, pts, changes, ps, time.perf_counter() - t0)
