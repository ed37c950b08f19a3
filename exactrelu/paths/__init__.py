r"""Regularization paths of two-layer ReLU networks, certified point by point.

Mishkin & Pilanci (2023), docs/theory.md §2.2 (L5, L6) and §2.12.  Along a grid of weight
decays ``lam`` this module computes:

* :func:`lam_max` -- the smallest ``lam`` at which the zero network is optimal,
  ``lam_max^2 = max_b ||Pi_{K_b}(s X^T D_b y)||^2`` (exact cone projections; ``lam_max``
  itself when that is a rational square).
* :func:`certified_path` -- the convex program (= ReLU training over every width) on
  the whole grid: ONE pattern enumeration, ONE completeness proof, warm-started float
  solves (the previous active blocks start the next working set, from large ``lam``
  down), and per point exact bounds ``lower <= p*(lam) <= upper`` (the certify
  machinery: exact dual bound, exact optimum when rational).  Where the optimum is
  exact the point also carries the uniqueness verdict (fits of the support linearly
  independent, exact rank) and the minimum-norm optimal solution.
* :func:`path_violations` -- the monotonicity facts of L6 as exact checks: ``p*``
  non-decreasing and concave, loss ``1/2||r||^2`` non-decreasing, penalty
  ``sum ||u_b||`` non-increasing (and ``p*'(lam) = penalty``, so every secant slope lies
  between the penalties at its ends).  On points with bounds only, the implied
  statements about the bounds are checked instead.
* :func:`fixed_width_optimum` / :func:`fixed_width_path` -- the exact optimum of the
  width-``m`` network: the minimum over sets of at most ``m`` blocks of the convex
  program restricted to them (a width-``m`` network maps to at most ``m`` blocks,
  NC -> C never increases the objective; ``m`` blocks map back to ``m`` neurons with the
  same objective).  With ``m < m*`` the optimal network can jump as ``lam`` crosses a
  threshold: jumps are located exactly when the crossing of the two branch value
  functions is rational (verified: both networks optimal there, different fits),
  else bracketed by certified bounds.
* :func:`one_dimensional_path` -- ``d = 1`` without bias: the whole path in closed form
  (docs/theory.md §5.1 Example A), breakpoints ``|a.y|``, ``|b.y|``, and the width-1 jump
  (Example C: ``(3 - lam)^2 = (6 - lam)^2 / 16``, so ``lam = 2``).

Everything decided here is decided in exact rational arithmetic; floats only produce
candidates (the solver) and pictures (:func:`plot_certified_path`,
:func:`plot_fixed_width_path`).  Square roots of irrational norms appear only as proved
rational enclosures (:func:`exactrelu.numbers.sqrt_bounds`) or as exact surds
(:class:`Surd`).
"""
from __future__ import annotations

import itertools
import math
import sys
import time
import warnings
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from . import lp
from .algebraic import Surd
from .errors import ExactReluError
from .linalg import column_solve, rank as _rank
from .numbers import dot, exact_sqrt, is_square, q_str, sqnorm, sqrt_bounds, to_q
from .optimal_sets import Polytope
from .arrangement import PatternSet, enumerate_patterns
from .problem import Block, ConvexProgram, Dataset

__all__ = [
    "lam_max", "PathBlock", "PathPoint", "CertifiedPath", "certified_path",
    "path_violations", "RestrictedOptimum", "restricted_optimum",
    "FixedWidthPoint", "fixed_width_optimum", "Jump", "FixedWidthPath", "fixed_width_path",
    "Surd", "OneDimensionalPath", "one_dimensional_path", "lam_grid",
    "plot_certified_path", "plot_fixed_width_path",
]

Vec = tuple[Fraction, ...]
_ZERO = Fraction(0)


# ============================================================== exact linear algebra

def _nonneg_solve(cols: Sequence[Sequence[Fraction]], target: Sequence[Fraction]
                  ) -> list[Fraction] | None:
    """Some ``alpha >= 0`` with ``sum_j alpha_j cols_j = target`` (exact), else ``None``.
    Fast path: independent columns solved exactly; otherwise an exact LP."""
    L = len(cols)
    if L == 0:
        return [] if not any(target) else None
    if _rank(cols) == L:
        # the unique coefficients (or target outside the span): no LP needed
        al = column_solve(cols, target)
        return al if al is not None and all(a >= 0 for a in al) else None
    return lp.nonneg_combination(cols, target)


# ====================================================================== lambda_max

def _lam_max(data: Dataset, ps: PatternSet) -> tuple[Fraction, Block | None]:
    from .certificate.dual_bound import exact_correlation_norms
    from .cones import cone_matrix, project

    from .certificate.dual_bound import _int_data

    prog = ConvexProgram(data, Fraction(1), ps)
    C, den = exact_correlation_norms(prog, data.y)        # X^T D_i y = C_i / den
    Z, _ = _int_data(prog)                                 # rows of X up to one scale
    zz = [sum(a * a for a in z) for z in Z]
    den2 = den * den
    sq = [sum(v * v for v in row) for row in C]
    best, arg = _ZERO, None
    for i in sorted(range(len(C)), key=lambda k: -sq[k]):
        if Fraction(sq[i], den2) <= best:
            break                                   # ||Pi_K c|| <= ||c||: nothing larger left
        bits = ps.bits[i]
        for s in (1, -1):
            # exact one-row bound: ||Pi_K c||^2 <= ||c||^2 - (a.c)^2/||a||^2 for a row a of
            # A_i with a.c < 0 (multiplier on that row alone); skip the projection if it
            # cannot beat the best so far
            c = [s * v for v in C[i]]
            ub = Fraction(sq[i], den2)
            for k, z in enumerate(Z):
                if not zz[k]:
                    continue
                ac = sum(a * b for a, b in zip(z, c)) * (1 if bits[k] == "1" else -1)
                if ac < 0:
                    ub = min(ub, Fraction(sq[i] * zz[k] - ac * ac, den2 * zz[k]))
            if ub <= best:
                continue
            q = project(cone_matrix(data.X, bits), [Fraction(v, den) for v in c]).sqnorm
            if q > best:
                best, arg = q, (i, s)
    return best, arg


def lam_max(data: Dataset, patterns: PatternSet | None = None
            ) -> tuple[Fraction, Fraction | None]:
    """``(lam_max^2, lam_max or None)``: the zero network is optimal iff ``lam >= lam_max``.

    ``lam_max^2 = max_b ||Pi_{K_b}(s X^T D_b y)||^2`` over every block (docs/theory.md §2.2 L5), from
    exact cone projections; blocks are visited by decreasing ``||X^T D_b y||^2`` and the
    scan stops once that upper bound falls below the best projection.  The second entry
    is ``lam_max`` itself when ``lam_max^2`` is a rational square, else ``None``
    (compare ``lam^2`` with the first entry)."""
    ps = patterns if patterns is not None else enumerate_patterns(data.X, progress=False)
    sq, _ = _lam_max(data, ps)
    return sq, (exact_sqrt(sq) if is_square(sq) else None)


# ============================================================ the certified path

@dataclass(frozen=True)
class PathBlock:
    """One nonzero convex block = one neuron: ``u = |w2| W1`` on pattern ``pattern``."""

    pattern: str
    index: int
    sign: int
    u: Vec

    @property
    def key(self) -> Block:
        return (self.index, self.sign)


@dataclass
class PathPoint:
    """One ``lam`` of :func:`certified_path`.

    ``lower <= p*(lam) <= upper`` is proved; ``exact`` means ``lower == upper == value``.
    ``blocks`` are the neurons of the network behind ``upper`` (the exact optimum when
    ``exact``, else the float solve rounded to dyadics, projected into its cones).
    Exact points also carry ``loss = 1/2 ||r*||^2``, ``penalty = sum ||u_b||`` (exact:
    ``||u_b|| = alpha_b lam``), ``unique`` (the optimal set is a singleton iff the fits of
    the support are independent), ``support`` and the minimum-norm optimal solution
    ``min_norm`` (``min_norm_sq = ||w_min||^2``).  ``None`` = not decided.
    """

    lam: Fraction
    lower: Fraction
    upper: Fraction
    exact: bool
    neurons: int
    blocks: tuple[PathBlock, ...]
    value: Fraction | None = None
    loss: Fraction | None = None
    penalty: Fraction | None = None
    residual: Vec | None = None
    unique: bool | None = None
    support: tuple[Block, ...] | None = None
    equicorrelated: tuple[Block, ...] | None = None
    min_norm: tuple[PathBlock, ...] | None = None
    min_norm_sq: Fraction | None = None
    zero: bool = False
    float_loss: float | None = None
    float_penalty: float | None = None
    warm: bool = False
    seconds: float = 0.0
    timings: dict = field(default_factory=dict)
    optimum: Any = None

    @property
    def gap(self) -> Fraction:
        return self.upper - self.lower


class CertifiedPath(list):
    """The points of :func:`certified_path` (a ``list[PathPoint]`` in the order of the
    input ``lams``) plus what the whole path shares: ``patterns``, ``complete``, the
    completeness ``proof`` (one for the whole path), ``lam_max_sq``/``lam_max`` and
    timings."""

    patterns: PatternSet
    complete: bool = False
    proof: Any = None
    lam_max_sq: Fraction = _ZERO
    lam_max: Fraction | None = None
    seconds: float = 0.0
    timings: dict

    def sorted_points(self) -> list[PathPoint]:
        return sorted(self, key=lambda p: p.lam)


class _Ctx:
    """What every point of a path shares (patterns, float copies, lam_max)."""

    def __init__(self, data: Dataset, ps: PatternSet, lmax_sq: Fraction, lmax_block) -> None:
        self.data = data
        self.ps = ps
        self.Xf = data.X_float()
        self.yf = data.y_float()
        self.P = ps.as_array()
        self.lmax_sq = lmax_sq
        self.lmax_block = lmax_block
        self.A = {}

    def cone(self, i: int):
        from .cones import cone_matrix

        A = self.A.get(i)
        if A is None:
            A = self.A[i] = cone_matrix(self.data.X, self.ps.bits[i])
        return A


def _round_out(x: Fraction, up: bool, bits: int = 128) -> Fraction:
    """Outward rounding to a dyadic with ``bits`` fractional bits (keeps claims short)."""
    s = x * (1 << bits)
    return Fraction(math.ceil(s) if up else math.floor(s), 1 << bits)


def _blocks_of(ps: PatternSet, blocks: Mapping[Block, Sequence[Fraction]]) -> tuple[PathBlock, ...]:
    out = [PathBlock(ps.bits[i], i, s, tuple(u)) for (i, s), u in blocks.items() if any(u)]
    return tuple(sorted(out, key=lambda b: (b.index, -b.sign)))


def _optimal_set_info(program: ConvexProgram, opt, ps: PatternSet, *, max_lp: int = 200):
    """``(unique, support, min_norm blocks)`` of an exact optimum (docs/theory.md §2.4, §2.7, §2.12)
    by the polytope of optimal ``alpha`` over the equicorrelation set
    (:class:`~exactrelu.optimal_sets.Polytope`: :meth:`uniqueness` -- unique iff the fits
    ``Z_b v_b`` of the support are independent -- and :meth:`min_norm`).  ``None`` = not
    decided (more than ``max_lp`` LPs would be needed)."""
    E = list(opt.equicorrelated)
    v = opt.v
    A = [b for b in E if opt.alpha.get(b, 0) > 0]
    yhat = tuple(a - b for a, b in zip(program.data.y, opt.r))
    cols = {b: program.block_fit(b, v[b]) for b in E}
    if not any(yhat):
        return True, (), ()       # the zero solution: alpha = 0 is forced (sum alpha = 0)
    colE = [cols[b] for b in E]
    if _rank(colE) == len(E):                       # P is a single point: opt
        return True, tuple(sorted(A)), {b: opt.blocks[b] for b in A}
    if _rank([cols[b] for b in A]) == len(A) and len(E) - len(A) > max_lp:
        return None, None, None     # A independent: up to one LP per other block needed
    P = Polytope(colE, yhat, point=[opt.alpha.get(b, _ZERO) for b in E])
    S_idx, beta = P.uniqueness()
    S = [E[j] for j in S_idx]
    if beta is None:
        return True, tuple(sorted(S)), {b: opt.blocks[b] for b in A}
    al = P.min_norm().alpha
    mn = {b: tuple(a * x for x in v[b]) for b, a in zip(E, al) if a}
    return False, tuple(sorted(S)), mn


def _point(ctx: _Ctx, lam: Fraction, initial, *, exact: bool | str, details: bool, bits: int,
           tol: float) -> tuple[PathPoint, list]:
    from .certificate.dual_bound import dyadic, exact_dual_bound
    from .cones import project
    from .rational_optimum import exact_optimum, exact_optimum_at

    t0 = time.perf_counter()
    data, ps = ctx.data, ctx.ps
    program = ConvexProgram(data, lam, ps)
    timings: dict[str, float] = {}
    if lam * lam >= ctx.lmax_sq:
        # L5: lam >= lam_max, the zero network is optimal (proved by lam_max itself);
        # exact_optimum_at re-proves it (dual feasibility of r = y) for the record
        opt = exact_optimum_at(program, data.y, candidates=[])
        if opt is None:  # pragma: no cover - contradicts the exact lam_max
            raise ExactReluError("internal: zero network not optimal above lam_max")
        v = sqnorm(data.y) / 2
        pt = PathPoint(lam, v, v, True, 0, (), value=v, loss=v, penalty=_ZERO,
                       residual=tuple(data.y), unique=True, support=(),
                       equicorrelated=tuple(opt.equicorrelated), min_norm=(),
                       min_norm_sq=_ZERO, zero=True, float_loss=float(v), float_penalty=0.0,
                       seconds=time.perf_counter() - t0, optimum=opt)
        return pt, []
    t = time.perf_counter()
    sol = _solve(ctx, lam, initial, tol)
    timings["solve"] = time.perf_counter() - t
    fl_loss = 0.5 * float(sol.residual @ sol.residual)
    fl_pen = float(sum(np.linalg.norm(sol.U[i, 0 if s == 1 else 1]) for i, s in sol.active))
    opt = None
    if exact:
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")          # scipy LinAlgWarning inside the guess
            if exact == "cheap":
                opt = _cheap_exact(program, sol)
            else:
                opt = exact_optimum(program, sol)
        timings["exact"] = time.perf_counter() - t
    if opt is not None:
        pen = sum(opt.alpha.values(), _ZERO) * lam         # ||u_b|| = alpha_b lam, exact
        loss = sqnorm(opt.r) / 2
        unique = support = mn = mn_sq = None
        mnb = None
        if details:
            t = time.perf_counter()
            unique, support, mn = _optimal_set_info(program, opt, ps)
            if mn is not None:
                mnb = _blocks_of(ps, mn)
                mn_sq = sum((sqnorm(u) for u in mn.values()), _ZERO)
            timings["optimal_set"] = time.perf_counter() - t
        pt = PathPoint(lam, opt.value, opt.value, True, len(opt.blocks),
                       _blocks_of(ps, opt.blocks), value=opt.value, loss=loss, penalty=pen,
                       residual=tuple(opt.r), unique=unique, support=support,
                       equicorrelated=tuple(opt.equicorrelated), min_norm=mnb,
                       min_norm_sq=mn_sq, float_loss=fl_loss, float_penalty=fl_pen,
                       warm=bool(initial), optimum=opt)
    else:
        t = time.perf_counter()
        dual = exact_dual_bound(program, sol.residual, sol.rho, bits=bits)
        timings["dual"] = time.perf_counter() - t
        t = time.perf_counter()
        qb: dict[Block, Vec] = {}
        for (i, s) in sol.active:
            u = tuple(dyadic(x, bits) for x in sol.U[i, 0 if s == 1 else 1])
            if not any(u):
                continue
            if program.cone_violation(i, u) is not None:
                u = project(ctx.cone(i), u).v          # exact projection: in K_i exactly
            if any(u):
                qb[(i, s)] = u
        _, hi = program.objective_bounds(qb, bits=96)
        timings["upper"] = time.perf_counter() - t
        lower = _round_out(dual.lower, up=False)
        upper = _round_out(hi, up=True)
        pt = PathPoint(lam, lower, upper, False, len(qb), _blocks_of(ps, qb),
                       float_loss=fl_loss, float_penalty=fl_pen, warm=bool(initial))
    pt.seconds = time.perf_counter() - t0
    pt.timings = timings
    return pt, list(sol.active)


def _cheap_exact(program: ConvexProgram, sol):
    """The cheap exact attempt: the float residual rounded to simple rationals, proved
    optimal exactly (:func:`exactrelu.rational_optimum.exact_optimum_at`) -- no KKT refinement."""
    from .rational_optimum import exact_optimum_at, reconstruct_rational

    if not sol.active:
        return exact_optimum_at(program, program.data.y, candidates=[])
    r = []
    for x in sol.residual:
        xq = Fraction(float(x))
        r.append(reconstruct_rational(xq, Fraction(1, 10 ** 9) * max(1, abs(xq)), 10 ** 4))
    if any(q is None for q in r):
        return None
    return exact_optimum_at(program, r, rho_guess=sol.rho)


def _solve(ctx: _Ctx, lam: Fraction, initial, tol: float):
    """The float solve (untrusted), warm-started; on a solver failure: cold start, then a
    looser certified-gap tolerance (the exact bounds stay valid, only wider)."""
    from .approx.solver import solve_crelu
    from .errors import SolverError

    tries = [dict(initial=list(initial) if initial else None)]
    if initial:
        tries.append(dict(initial=None))
    tries.append(dict(initial=None, gap_tol=1e-6))
    err = None
    for kw in tries:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return solve_crelu(ctx.Xf, ctx.yf, float(lam), ctx.P, tol=tol, **kw)
        except SolverError as e:
            err = e
    raise err  # type: ignore[misc]


def _check_lams(lams: Iterable[object]) -> list[Fraction]:
    out = []
    for k, l in enumerate(lams):
        q = to_q(l)
        if q <= 0:
            raise ExactReluError(f"lam number {k + 1} is {q}: every lam must be positive")
        out.append(q)
    if not out:
        raise ExactReluError("no lam values")
    return out


def certified_path(data: Dataset, lams: Iterable[object], *,
                   patterns: PatternSet | None = None,
                   progress: bool | Callable[[int, int, PathPoint], None] | None = None,
                   exact: bool | str = "auto", details: bool = True, warm: bool = True,
                   prove_complete: bool = True, bits: int = 48, tol: float = 1e-11,
                   auto_misses: int = 3) -> CertifiedPath:
    """Certified regularization path of the convex program over ``patterns`` (default:
    every pattern, enumerated once, with one completeness proof: then each point bounds
    the global optimum of ReLU training over every width).

    The grid is solved from the largest ``lam`` down; with ``warm`` each solve starts
    from the previous active blocks.  Points at ``lam >= lam_max`` are the zero network,
    exactly, without a solve.  ``exact`` -- the search for the exact (rational) optimum:
    ``True`` the full search at every point (:func:`exactrelu.rational_optimum.exact_optimum`: KKT
    refinement + rational reconstruction + exact proof); ``"cheap"`` only the float
    residual rounded to simple rationals and proved; ``"auto"`` (default) the full search
    until it has failed at ``auto_misses`` consecutive points (an irrational path), then
    the cheap one; ``False`` bounds only.  ``details`` adds uniqueness, support and the
    min-norm solution at exact points.  ``progress``: ``True`` prints one line per point
    to stderr; a callable gets ``(done, total, point)``.

    Returns a :class:`CertifiedPath` (a list of :class:`PathPoint`, in input order).
    """
    t0 = time.perf_counter()
    lq = _check_lams(lams)
    timings: dict[str, float] = {}
    t = time.perf_counter()
    ps = patterns if patterns is not None else enumerate_patterns(data.X, progress=False)
    timings["patterns"] = time.perf_counter() - t
    if ps.n != data.n or ps.d != data.d:
        raise ExactReluError("patterns were computed for different data")
    proof = None
    t = time.perf_counter()
    if ps.complete and prove_complete:
        from .certificate.completeness import completeness_proof

        proof = completeness_proof(data.X, ps)
    timings["completeness"] = time.perf_counter() - t
    t = time.perf_counter()
    lmax_sq, lmax_block = _lam_max(data, ps)
    timings["lam_max"] = time.perf_counter() - t
    ctx = _Ctx(data, ps, lmax_sq, lmax_block)
    order = sorted(range(len(lq)), key=lambda k: lq[k], reverse=True)
    out: list[PathPoint | None] = [None] * len(lq)
    done: dict[Fraction, PathPoint] = {}
    prev: list = []
    misses = 0
    if exact not in (True, False, "auto", "cheap"):
        raise ValueError("exact must be True, False, 'auto' or 'cheap'")
    t = time.perf_counter()
    for count, k in enumerate(order, 1):
        lam = lq[k]
        if lam in done:
            out[k] = done[lam]
        else:
            mode = exact
            if exact == "auto":
                mode = "cheap" if misses >= auto_misses else True
            pt, active = _point(ctx, lam, prev if warm else None, exact=mode,
                                details=details, bits=bits, tol=tol)
            done[lam] = out[k] = pt
            prev = active or prev
            if not pt.zero:
                misses = 0 if pt.exact else misses + 1
        if progress is True:
            p = out[k]
            print(f"[path] {count}/{len(lq)} lam={q_str(lam)} "
                  f"{'exact' if p.exact else f'gap {float(p.gap):.2e}'} "
                  f"neurons={p.neurons} {p.seconds:.2f}s", file=sys.stderr, flush=True)
        elif callable(progress):
            progress(count, len(lq), out[k])
    timings["points"] = time.perf_counter() - t
    res = CertifiedPath(out)
    res.patterns = ps
    res.complete = bool(ps.complete)
    res.proof = proof
    res.lam_max_sq = lmax_sq
    res.lam_max = exact_sqrt(lmax_sq) if is_square(lmax_sq) else None
    res.seconds = time.perf_counter() - t0
    res.timings = timings
    return res


# ======================================================= monotonicity / concavity

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


# ============================================== restricted programs (fixed width)

@dataclass
class RestrictedOptimum:
    """Optimum of the convex program restricted to the blocks ``subset`` (all other
    blocks zero): ``lower <= V <= upper``; ``exact`` when ``lower == upper == value``.
    ``solution`` = ``{(i, s): u}`` nonzero blocks (exact, or float rounded and projected
    into the cones -- the point behind ``upper``); ``fit`` its fit (exact)."""

    subset: tuple[Block, ...]
    lam: Fraction
    lower: Fraction
    upper: Fraction
    exact: bool
    value: Fraction | None
    solution: dict
    fit: Vec
    float_value: float = float("nan")

    @property
    def support(self) -> frozenset:
        return frozenset(self.solution)


def _solve_blocks_float(Xf: np.ndarray, yf: np.ndarray, lam: float, masks: np.ndarray,
                        signs: Sequence[int], tol: float = 1e-12):
    """Float optimum of C-ReLU over the given blocks only (Clarabel, all sign rows).
    Returns ``(U (k, d), residual (n,), objective)``."""
    import clarabel
    import scipy.sparse as sp

    from .errors import SolverError

    n, d = Xf.shape
    k = len(signs)
    if k == 0:
        return np.zeros((0, d)), yf.copy(), 0.5 * float(yf @ yf)
    kd = k * d
    N = kd + n + k
    nz = np.flatnonzero(np.abs(Xf).sum(axis=1) > 0)
    rows = []
    A0 = np.zeros((n, N))
    for t in range(k):
        A0[:, t * d:(t + 1) * d] = signs[t] * masks[t][:, None] * Xf
    A0[:, kd:kd + n] = np.eye(n)
    rows.append(A0)
    A1 = np.zeros((k * len(nz), N))
    for t in range(k):
        sg = (2.0 * masks[t][nz] - 1.0)[:, None] * Xf[nz]
        A1[t * len(nz):(t + 1) * len(nz), t * d:(t + 1) * d] = -sg
    rows.append(A1)
    A2 = np.zeros((k * (d + 1), N))
    for t in range(k):
        A2[t * (d + 1), kd + n + t] = -1.0
        A2[t * (d + 1) + 1:(t + 1) * (d + 1), t * d:(t + 1) * d] = -np.eye(d)
    rows.append(A2)
    A = sp.csc_matrix(np.vstack(rows))
    b = np.zeros(A.shape[0])
    b[:n] = yf
    Pm = sp.csc_matrix((np.ones(n), (kd + np.arange(n), kd + np.arange(n))), shape=(N, N))
    q = np.zeros(N)
    q[kd + n:] = lam
    cones = [clarabel.ZeroConeT(n)]
    if len(nz):
        cones.append(clarabel.NonnegativeConeT(k * len(nz)))
    cones += [clarabel.SecondOrderConeT(d + 1)] * k
    s = clarabel.DefaultSettings()
    s.verbose = False
    s.tol_gap_abs = s.tol_gap_rel = s.tol_feas = tol
    s.tol_ktratio = min(s.tol_ktratio, tol * 1e2)
    sol = clarabel.DefaultSolver(Pm, q, A, b, cones, s).solve()
    status = str(sol.status)
    if status not in ("Solved", "AlmostSolved"):
        raise SolverError(f"restricted program: Clarabel status {status}")
    x = np.asarray(sol.x, dtype=float)
    U = x[:kd].reshape(k, d)
    fit = np.zeros(n)
    for t in range(k):
        fit += signs[t] * masks[t] * (Xf @ U[t])
    r = yf - fit
    obj = 0.5 * float(r @ r) + lam * float(np.linalg.norm(U, axis=1).sum())
    return U, r, obj


def _restricted_exact(program: ConvexProgram, subset: Sequence[Block], r: Sequence[Fraction],
                      cone) -> RestrictedOptimum | None:
    """Prove that the rational residual ``r`` is optimal for the program restricted to
    ``subset`` (exact projections + non-negative combination), else ``None``."""
    from .cones import project

    lam = program.lam
    lam2 = lam * lam
    data = program.data
    r = tuple(Fraction(a) for a in r)
    E, v = [], {}
    for b in subset:
        pr = project(cone(b[0]), program.correlation(b, r))
        q = pr.sqnorm
        if q > lam2:
            return None
        if q == lam2:
            E.append(b)
            v[b] = pr.v
    yhat = tuple(a - c for a, c in zip(data.y, r))
    if any(yhat):
        al = _nonneg_solve([program.block_fit(b, v[b]) for b in E], yhat)
        if al is None:
            return None
    else:
        al = [_ZERO] * len(E)
    sol = {b: tuple(a * x for x in v[b]) for b, a in zip(E, al) if a}
    value = program.dual_objective(r)
    primal = sqnorm(r) / 2 + lam * lam * sum(al, _ZERO)     # ||u_b|| = alpha_b lam
    if primal != value:
        return None
    return RestrictedOptimum(tuple(subset), lam, value, value, True, value, sol, yhat)


def restricted_optimum(program: ConvexProgram, subset: Sequence[Block], *, cone=None,
                       tol: float = 1e-12, bits: int = 48) -> RestrictedOptimum:
    """Exact optimum (when rational and found) or proved bounds of the convex program
    restricted to the blocks ``subset`` of ``program``.

    Float solve (Clarabel) -> rational reconstruction of the residual -> exact proof
    (every block of ``subset`` dual feasible, ``yhat`` a non-negative combination of the
    equicorrelated fits).  Otherwise: lower bound by weak duality for the restricted
    dual (rounded residual, exact projections, exact scaling), upper bound = the exact
    objective (norms enclosed) of the rounded solution projected into its cones."""
    from .certificate.dual_bound import dyadic
    from .cones import cone_matrix, project
    from .rational_optimum import reconstruct_rational

    data, lam = program.data, program.lam
    ps = program.patterns
    if cone is None:
        cache: dict = {}

        def cone(i):
            if i not in cache:
                cache[i] = cone_matrix(data.X, ps.bits[i])
            return cache[i]
    subset = tuple(subset)
    if not subset:
        v = sqnorm(data.y) / 2
        return RestrictedOptimum((), lam, v, v, True, v, {}, tuple(_ZERO for _ in data.y),
                                 float(v))
    Xf = data.X_float()
    yf = data.y_float()
    P = ps.as_array()
    masks = np.array([P[i] for i, _ in subset], dtype=float)
    U, rf, obj = _solve_blocks_float(Xf, yf, float(lam), masks, [s for _, s in subset], tol)
    # exact attempts: the zero solution, then reconstructed residuals
    cands = []
    if np.linalg.norm(U) <= 1e-9 * max(1.0, float(np.abs(yf).max())):
        cands.append(tuple(data.y))
    def rec(x: float, eps: float, den: int) -> Fraction | None:
        xq = Fraction(float(x))
        return reconstruct_rational(xq, Fraction(eps) * max(1, abs(xq)), den)

    for eps, den in ((1e-8, 10 ** 4), (1e-7, 10 ** 6), (1e-6, 10 ** 6)):
        rr = [rec(x, eps, den) for x in rf]
        if all(q is not None for q in rr) and tuple(rr) not in cands:
            cands.append(tuple(rr))
    # degenerate programs: the float residual may be poor while the blocks round well
    scale = max(1.0, float(np.abs(U).max(initial=0.0)))
    for eps, den in ((1e-6, 10 ** 4), (1e-3, 10 ** 2)):
        uq = {}
        for b, u in zip(subset, U):
            q = [rec(x, eps * scale, den) if abs(x) > eps * scale else _ZERO for x in u]
            if any(a is None for a in q):
                break
            uq[b] = tuple(q)
        else:
            f = program.fit(uq)
            rr = tuple(a - c for a, c in zip(data.y, f))
            if rr not in cands:
                cands.append(rr)
    for r in cands:
        res = _restricted_exact(program, subset, r, cone)
        if res is not None:
            res.float_value = obj
            return res
    # bounds
    lam2 = lam * lam
    r = tuple(dyadic(x, bits) for x in rf)
    worst = _ZERO
    for b in subset:
        q = project(cone(b[0]), program.correlation(b, r)).sqnorm
        worst = max(worst, q / lam2)
    if worst > 1:
        lo, _ = sqrt_bounds(1 / worst, bits + 16)
        t = Fraction(math.floor(lo * (1 << (bits + 16))), 1 << (bits + 16))
        r = tuple(t * a for a in r)
    lower = program.dual_objective(r)
    sol: dict = {}
    for (i, s), u in zip(subset, U):
        uq = tuple(dyadic(x, bits) for x in u)
        if any(uq) and program.cone_violation(i, uq) is not None:
            uq = project(cone(i), uq).v
        if any(uq):
            sol[(i, s)] = uq
    _, hi = program.objective_bounds(sol, bits=96)
    fit = program.fit(sol)
    return RestrictedOptimum(subset, lam, _round_out(lower, False), _round_out(hi, True),
                             False, None, sol, fit, obj)


@dataclass
class FixedWidthPoint:
    """Exact optimum (or bounds) of the width-``m`` network at ``lam``.

    ``winners``: the optimal networks found, one :class:`RestrictedOptimum` per distinct
    solution (several at a jump: ties), sorted; ``winning_subsets``: every block subset
    whose restricted optimum is (possibly, with bounds) minimal.  ``via``: ``"convex"``
    when the convex optimum already has at most ``m`` neurons (then it is the width-``m``
    optimum), else ``"enumeration"`` over ``subsets`` block sets of size ``m``.
    ``convex_lower``/``convex_upper``: the convex optimum (every width) when computed."""

    lam: Fraction
    m: int
    lower: Fraction
    upper: Fraction
    exact: bool
    value: Fraction | None
    winners: list
    winning_subsets: list
    via: str
    subsets: int = 0
    convex_lower: Fraction | None = None
    convex_upper: Fraction | None = None
    seconds: float = 0.0

    def blocks(self, ps: PatternSet, k: int = 0) -> tuple[PathBlock, ...]:
        if not self.winners:
            return ()
        return _blocks_of(ps, self.winners[k].solution)

    def network(self, ps: PatternSet, k: int = 0):
        """The winner as a network: exact :class:`~exactrelu.networks.Network` when every
        ``sqrt(||u||)`` is rational, else the exact product form."""
        from .networks import convex_to_network

        prod = convex_to_network({(b.pattern, b.sign): b.u for b in self.blocks(ps, k)},
                                 d=ps.d)
        return prod.to_network() if prod.is_exact() else prod


def _useful_blocks(data: Dataset, ps: PatternSet) -> list[Block]:
    """Blocks whose fit can be nonzero (pattern with an active nonzero row)."""
    out = []
    for i, bits in enumerate(ps.bits):
        if any(c == "1" and any(x) for c, x in zip(bits, data.X)):
            out += [(i, 1), (i, -1)]
    return out


def _solution_key(R: RestrictedOptimum):
    return tuple(sorted((b, tuple(u)) for b, u in R.solution.items()))


def fixed_width_optimum(data: Dataset, lam: object, m: int, *,
                        patterns: PatternSet | None = None, shortcut: bool = True,
                        max_subsets: int = 20000, _ctx: _Ctx | None = None) -> FixedWidthPoint:
    """Optimum of ReLU training with at most ``m`` neurons at ``lam``, exactly when
    rational (else proved bounds): the minimum over block sets ``B``, ``|B| = min(m,
    #blocks)``, of the convex program restricted to ``B`` (module doc).

    With ``shortcut`` the convex optimum is computed first; if it has at most ``m``
    neurons it is the answer (``p*_NC(m) = p*_C`` iff ``m >= m*``).  Otherwise every
    subset is solved and certified (:func:`restricted_optimum`); raises
    :class:`~exactrelu.errors.ExactReluError` beyond ``max_subsets`` subsets (tiny
    instances only)."""
    t0 = time.perf_counter()
    lam = to_q(lam)
    if lam <= 0:
        raise ExactReluError("lam must be positive")
    if m < 0:
        raise ExactReluError("the width m must be a non-negative integer")
    ps = patterns if patterns is not None else (
        _ctx.ps if _ctx is not None else enumerate_patterns(data.X, progress=False))
    program = ConvexProgram(data, lam, ps)
    cl = cu = None
    if shortcut:
        ctx = _ctx
        if ctx is None:
            ctx = _Ctx(data, ps, *_lam_max(data, ps))
        pt, _ = _point(ctx, lam, None, exact=True, details=False, bits=48, tol=1e-11)
        cl, cu = pt.lower, pt.upper
        if pt.neurons <= m:
            sol = {b.key: b.u for b in pt.blocks}
            R = RestrictedOptimum(tuple(sorted(sol)), lam, pt.lower, pt.upper, pt.exact,
                                  pt.value, sol, program.fit(sol))
            return FixedWidthPoint(lam, m, pt.lower, pt.upper, pt.exact, pt.value, [R],
                                   [frozenset(sol)], "convex", 0, cl, cu,
                                   time.perf_counter() - t0)
    blocks = _useful_blocks(data, ps)
    k = min(m, len(blocks))
    count = math.comb(len(blocks), k)
    if count > max_subsets:
        raise ExactReluError(
            f"width {m}: {count} block subsets of size {k} (of {len(blocks)} blocks) exceed "
            f"the limit {max_subsets}; exact fixed-width optima are for tiny instances")
    from .cones import cone_matrix

    cache: dict = {}

    def cone(i):
        if i not in cache:
            cache[i] = cone_matrix(data.X, ps.bits[i])
        return cache[i]

    results = [restricted_optimum(program, B, cone=cone) for B in itertools.combinations(blocks, k)]
    best_upper = min(R.upper for R in results)
    lower = min(R.lower for R in results)
    cands = [R for R in results if R.lower <= best_upper]
    exact = all(R.exact for R in cands)
    if exact:
        vmin = min(R.value for R in cands)
        cands = [R for R in cands if R.value == vmin]
        lower = best_upper = vmin
    seen: dict = {}
    for R in cands:
        seen.setdefault(_solution_key(R), R)
    winners = sorted(seen.values(), key=lambda R: (len(R.solution), sorted(R.solution)))
    return FixedWidthPoint(lam, m, lower, best_upper, exact, lower if exact else None,
                           winners, [frozenset(R.subset) for R in cands], "enumeration",
                           count, cl, cu, time.perf_counter() - t0)


# ================================================================= the 1-D path

@dataclass(frozen=True)
class OneDimensionalPath:
    """Closed-form path for ``d = 1`` without bias (docs/theory.md §5.1 Example A): with
    ``a = (x)_+``, ``b = (-x)_+``, ``A = a.y``, ``B = b.y``::

        s*(lam) = S_lam(A) / ||a||^2,   t*(lam) = S_lam(B) / ||b||^2,   yhat = a s* + b t*,
        p*(lam) = 1/2||y||^2 - (|A| - lam)_+^2 / (2||a||^2) - (|B| - lam)_+^2 / (2||b||^2).

    Breakpoints ``|A|``, ``|B|`` (where a neuron enters/leaves, like LARS); between them
    ``s*``, ``t*`` are affine and ``p*`` quadratic in ``lam`` (:meth:`pieces`).  The
    width-1 network takes the better of the two branches ``V_P = 1/2||y||^2 - (|A| -
    lam)_+^2/(2||a||^2)`` and ``V_N``; they cross where ``(|A| - lam)||b|| = (|B| - lam)||a||``,
    ``crossing = (|A| ||b|| - |B| ||a||) / (||b|| - ||a||)`` -- a :class:`Surd` in
    ``sqrt(||a||^2 ||b||^2)``.  ``jump`` is that crossing when it lies in
    ``(0, min(|A|, |B|))`` (both branches active): the width-1 optimum jumps there."""

    data: Dataset
    patterns: PatternSet
    A: Fraction
    B: Fraction
    na2: Fraction
    nb2: Fraction
    P: int | None
    N: int | None
    crossing: Surd | None
    jump: Surd | None

    @property
    def lam_max(self) -> Fraction:
        return max(abs(self.A) if self.na2 else _ZERO, abs(self.B) if self.nb2 else _ZERO)

    @property
    def breakpoints(self) -> tuple[Fraction, ...]:
        bp = {abs(self.A)} if self.na2 and self.A else set()
        if self.nb2 and self.B:
            bp.add(abs(self.B))
        return tuple(sorted(bp))

    def s(self, lam: object) -> Fraction:
        lam = to_q(lam)
        return _soft(self.A, lam) / self.na2 if self.na2 else _ZERO

    def t(self, lam: object) -> Fraction:
        lam = to_q(lam)
        return _soft(self.B, lam) / self.nb2 if self.nb2 else _ZERO

    def gain(self, branch: str, lam: object) -> Fraction:
        """``(|A| - lam)_+^2 / (2||a||^2)`` (``branch="P"``) or the same with ``B, b``."""
        lam = to_q(lam)
        Z, n2 = (self.A, self.na2) if branch == "P" else (self.B, self.nb2)
        if not n2:
            return _ZERO
        g = max(abs(Z) - lam, _ZERO)
        return g * g / (2 * n2)

    def value(self, lam: object) -> Fraction:
        """The convex optimum ``p*(lam)`` (= the NC optimum for every width >= 2)."""
        return sqnorm(self.data.y) / 2 - self.gain("P", lam) - self.gain("N", lam)

    def blocks(self, lam: object) -> dict[Block, Vec]:
        """The unique optimal blocks ``{(i, s): (u,)}`` (docs/theory.md §5.1 Example A mapping)."""
        s, t = self.s(lam), self.t(lam)
        out: dict[Block, Vec] = {}
        if s:
            out[(self.P, 1 if s > 0 else -1)] = (abs(s),)
        if t:
            out[(self.N, 1 if t > 0 else -1)] = (-abs(t),)
        return out

    def width1(self, lam: object) -> tuple[Fraction, list[str]]:
        """``(value, winning branches)`` of the width-1 network (``[]`` = zero network)."""
        gp, gn = self.gain("P", lam), self.gain("N", lam)
        v = sqnorm(self.data.y) / 2 - max(gp, gn)
        if gp == gn == 0:
            return v, []
        return v, [b for b, g in (("P", gp), ("N", gn)) if g == max(gp, gn)]

    def width1_blocks(self, lam: object, branch: str) -> dict[Block, Vec]:
        full = self.blocks(lam)
        i = self.P if branch == "P" else self.N
        return {b: u for b, u in full.items() if b[0] == i}

    def pieces(self) -> list[dict]:
        """The convex path piece by piece: on ``[lo, hi)`` (``hi = None`` = infinity),
        ``s* = s0 + s1 lam``, ``t* = t0 + t1 lam``, ``p* = c0 + c1 lam + c2 lam^2``."""
        cuts = [_ZERO, *self.breakpoints, None]
        out = []
        half = sqnorm(self.data.y) / 2
        for lo, hi in zip(cuts, cuts[1:]):
            mid = (lo + hi) / 2 if hi is not None else lo + 1
            s0 = s1 = t0 = t1 = _ZERO
            c0, c1, c2 = half, _ZERO, _ZERO
            for Z, n2, which in ((self.A, self.na2, "s"), (self.B, self.nb2, "t")):
                if not n2 or abs(Z) <= mid:
                    continue
                sg = 1 if Z > 0 else -1
                # S_lam(Z)/n2 = (Z - sg lam)/n2 ; gain = (|Z| - lam)^2 / (2 n2)
                if which == "s":
                    s0, s1 = Z / n2, -sg / n2
                else:
                    t0, t1 = Z / n2, -sg / n2
                c0 -= Z * Z / (2 * n2)
                c1 += abs(Z) / n2
                c2 -= 1 / (2 * n2)
            out.append({"lo": lo, "hi": hi, "s": (s0, s1), "t": (t0, t1),
                        "value": (c0, c1, c2)})
        return out


def _soft(z: Fraction, lam: Fraction) -> Fraction:
    return z - lam if z > lam else z + lam if z < -lam else _ZERO


def one_dimensional_path(data: Dataset, patterns: PatternSet | None = None) -> OneDimensionalPath:
    """The exact piecewise path of a ``d = 1`` instance without bias (see
    :class:`OneDimensionalPath`); :class:`~exactrelu.errors.ExactReluError` otherwise."""
    if data.d != 1 or data.bias:
        raise ExactReluError("the closed-form path needs one feature and no bias column")
    ps = patterns if patterns is not None else enumerate_patterns(data.X, progress=False)
    x = [r[0] for r in data.X]
    y = data.y
    a = [max(v, _ZERO) for v in x]
    b = [max(-v, _ZERO) for v in x]
    A, B = dot(a, y), dot(b, y)
    na2, nb2 = sqnorm(a), sqnorm(b)
    P = ps.find("".join("1" if v >= 0 else "0" for v in x))
    N = ps.find("".join("1" if v <= 0 else "0" for v in x))
    crossing = jump = None
    if na2 and nb2 and na2 != nb2:
        aA, aB = abs(A), abs(B)
        crossing = Surd((aA * nb2 - aB * na2) / (nb2 - na2), (aA - aB) / (nb2 - na2), na2 * nb2)
        top = min(aA, aB)
        if crossing.sign_minus(_ZERO) > 0 and crossing.sign_minus(top) < 0:
            jump = crossing
    return OneDimensionalPath(data, ps, A, B, na2, nb2, P, N, crossing, jump)


# ========================================================= the fixed-width path

@dataclass
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


@dataclass
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


def _branch_float(ctx: _Ctx, B: Sequence[Block], lam: float):
    masks = np.array([ctx.P[i] for i, _ in B], dtype=float).reshape(len(B), ctx.data.n)
    U, r, obj = _solve_blocks_float(ctx.Xf, ctx.yf, lam, masks, [s for _, s in B])
    return obj, ctx.yf - r


def _locate(data: Dataset, ps: PatternSet, m: int, lo: FixedWidthPoint, hi: FixedWidthPoint,
            ctx: _Ctx) -> Jump:
    """Locate the change between two grid points (see :func:`fixed_width_path`)."""
    from .rational_optimum import reconstruct_rational

    Rb, Ra = lo.winners[0], hi.winners[0]
    jump = Jump(lo.lam, hi.lam, _blocks_of(ps, Rb.solution), _blocks_of(ps, Ra.solution),
                bracket=(lo.lam, hi.lam))
    B1, B2 = tuple(sorted(Rb.support)), tuple(sorted(Ra.support))
    # the other branch may be optimal at a grid point too, with the same network (a
    # neuron on the boundary of two regions): then nothing jumps there (exact check)
    for pt, R0, Bo in ((lo, Rb, B2), (hi, Ra, B1)):
        if pt.exact:
            R = restricted_optimum(ConvexProgram(data, pt.lam, ps), Bo)
            if R.exact and R.value == pt.value and R.fit == R0.fit:
                jump.kind, jump.verified, jump.kind_proved = "continuous", True, True
                jump.note = (f"the branch {_fmt_blocks(ps, Bo)} is also optimal at lam = "
                             f"{q_str(pt.lam)} with the same fit (exact): no jump")
                return jump
    # 1-D, width 1: the crossing of the two branch values in closed form
    if data.d == 1 and not data.bias and m == 1:
        op = one_dimensional_path(data, ps)
        at = op.jump
        if at is not None and at.sign_minus(lo.lam) > 0 and at.sign_minus(hi.lam) < 0:
            jump.at, jump.bracket = at, at.bounds(64)
            q = at.rational
            if q is None:
                jump.kind, jump.kind_proved = "jump", True
                jump.note = ("irrational crossing of the two branch values (closed form); the "
                             "branch networks have different fits there")
                return jump
            return _verify_at(data, ps, m, jump, q, B1, B2, ctx)
    # general: float bisection of V_B1 - V_B2, rational guess verified exactly, else a
    # certified bracket of the crossing
    a, b = float(lo.lam), float(hi.lam)
    tol_fit = 1e-7 * (1.0 + float(np.linalg.norm(ctx.yf)))
    try:
        (v1a, g1a), (v2a, g2a) = _branch_float(ctx, B1, a), _branch_float(ctx, B2, a)
        (v1b, g1b), (v2b, g2b) = _branch_float(ctx, B1, b), _branch_float(ctx, B2, b)
        if min(np.linalg.norm(g1a - g2a), np.linalg.norm(g1b - g2b)) <= tol_fit:
            jump.kind = "continuous"
            jump.note = ("both branches give the same fit at a grid point (float): a neuron "
                         "on the boundary of two regions, no jump")
            return jump
        fa, fb = v1a - v2a, v1b - v2b
        if not fa <= 0 <= fb:
            jump.note = "branch values do not cross in floating point (near-tie)"
            return jump
        for _ in range(60):
            c = 0.5 * (a + b)
            if c in (a, b):
                break
            if _branch_float(ctx, B1, c)[0] - _branch_float(ctx, B2, c)[0] <= 0:
                a = c
            else:
                b = c
        root = 0.5 * (a + b)
        f1 = _branch_float(ctx, B1, root)[1]
        f2 = _branch_float(ctx, B2, root)[1]
    except ExactReluError as e:  # pragma: no cover - solver trouble: leave unresolved
        jump.note = f"crossing not located: {e}"
        return jump
    # float evidence: a jump keeps an O(1) fit difference at the crossing, a continuous
    # change (degenerate, poorly conditioned there) only a solver-accuracy one
    same_fit = float(np.linalg.norm(f1 - f2)) <= 1e-3 * (1.0 + float(np.linalg.norm(ctx.yf)))
    rq = Fraction(root)
    tried = set()
    for eps, den in ((1e-9, 10 ** 2), (1e-9, 10 ** 3), (1e-9, 10 ** 4), (1e-3, 10 ** 2)):
        q = reconstruct_rational(rq, Fraction(eps) * max(1, abs(rq)), den)
        if q is None or q in tried or not lo.lam < q < hi.lam:
            continue
        tried.add(q)
        jump.at = Surd(q)
        _verify_at(data, ps, m, jump, q, B1, B2, ctx)
        if jump.verified:
            return jump
    jump.at = None
    jump.kind = "continuous" if same_fit else "jump"
    # certified bracket of the branch crossing around the float root
    program = lambda l: ConvexProgram(data, l, ps)  # noqa: E731
    for rel in (1e-9, 1e-7, 1e-5, 1e-3):
        delta = Fraction(max(rel * abs(root), rel))
        la = max(lo.lam, rq - delta)
        lb = min(hi.lam, rq + delta)
        r1a, r2a = (restricted_optimum(program(la), B) for B in (B1, B2))
        r1b, r2b = (restricted_optimum(program(lb), B) for B in (B1, B2))
        if r1a.upper <= r2a.lower and r2b.upper <= r1b.lower:
            jump.bracket = (la, lb)
            break
    else:
        jump.bracket = (lo.lam, hi.lam)
    # r1a, r2a: the branch optima at the last la tried, a point of the bracket
    proved = not same_fit and _fits_apart(data.y, r1a, r2a, *jump.bracket)
    if proved:
        jump.kind_proved = True
    jump.note = (("fits agree at the crossing (float): a neuron crosses a region boundary or "
                  "enters/leaves at zero" if same_fit else
                  "fits differ at the crossing (proved: apart on the whole bracket)" if proved
                  else "fits differ at the crossing (float): discontinuous") +
                 f"; crossing of the branch values proved inside the bracket, near {root:.12g}")
    return jump


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
    """Prove that both branches are width-``m`` optimal at the rational ``q``."""
    fw = fixed_width_optimum(data, q, m, patterns=ps, shortcut=False, _ctx=ctx)
    wins = [frozenset(s) for s in fw.winning_subsets]
    ok1 = any(frozenset(B1) <= s for s in wins)
    ok2 = any(frozenset(B2) <= s for s in wins)
    if fw.exact and ok1 and ok2:
        jump.verified = jump.kind_proved = True
        jump.value_at = fw.value
        jump.bracket = (q, q)
        # the two optimal networks AT the crossing: the B1 side before, the B2 side after
        for R in fw.winners:
            if R.support <= frozenset(B1) and R.support:
                jump.before = _blocks_of(ps, R.solution)
            if R.support <= frozenset(B2) and R.support:
                jump.after = _blocks_of(ps, R.solution)
        fits = {R.fit for R in fw.winners}
        jump.kind = "jump" if len(fits) > 1 else "continuous"
        jump.note = ("both networks are width-%d optimal at lam = %s (exact), %s" %
                     (m, q_str(q), "with different fits" if len(fits) > 1 else "same fit"))
    else:
        jump.note = ("the rational guess %s is not an exact crossing" % q_str(q))
    return jump


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


# ==================================================================== grids

def lam_grid(lo: object, hi: object, k: int) -> list[Fraction]:
    """``k`` exact rationals evenly spaced from ``lo`` to ``hi`` inclusive."""
    lo, hi = to_q(lo), to_q(hi)
    if k < 1:
        raise ExactReluError("the number of grid points must be at least 1")
    if k == 1:
        return [lo]
    return [lo + (hi - lo) * j / (k - 1) for j in range(k)]


# ==================================================================== plots

def _plt():
    # the caller's backend is left alone (no matplotlib.use): without a display,
    # matplotlib picks a non-interactive backend by itself
    import matplotlib.pyplot as plt

    return plt


def plot_certified_path(path: CertifiedPath, file: str, *, top: int = 8, title: str | None = None
                        ) -> None:
    """Block norms ``||u_b||`` (the ``top`` largest blocks) and the certified objective
    bounds versus ``lam``; ``lam_max`` marked.  Floats only for drawing."""
    plt = _plt()
    pts = path.sorted_points()
    lams = [float(p.lam) for p in pts]
    norms: dict = {}
    for k, p in enumerate(pts):
        for b in p.blocks:
            norms.setdefault((b.pattern, b.sign), [0.0] * len(pts))[k] = \
                math.sqrt(float(sqnorm(b.u)))
    # the largest block at each lam first (so late-entering neurons show), then by size
    keys: list = []
    for k in range(len(pts)):
        best = max(norms, key=lambda key: norms[key][k], default=None)
        if best is not None and norms[best][k] > 0 and best not in keys:
            keys.append(best)
    keys = sorted(keys, key=lambda key: -max(norms[key]))[:top]
    keys += [key for key in sorted(norms, key=lambda key: -max(norms[key]))
             if key not in keys][:max(0, top - len(keys))]
    log = bool(lams) and min(lams) > 0 and max(lams) / min(lams) > 50
    fig, ax = plt.subplots(1, 2, figsize=(11, 4.2))
    if log:
        for a in ax:
            a.set_xscale("log")
    for key in keys:
        ax[0].plot(lams, norms[key], marker=".", lw=1.2,
                   label=f"{'+' if key[1] > 0 else '-'} {key[0][:12]}"
                         f"{'...' if len(key[0]) > 12 else ''}")
    ax[0].set_xlabel(r"$\lambda$")
    ax[0].set_ylabel(r"$\|u_b\|$ (neuron $|w_2|\,\|W_1\|$)")
    ax[0].set_title(f"largest {len(keys)} blocks (of {len(norms)} ever active)")
    if len(keys) <= 8:
        ax[0].legend(fontsize=7)
    lo = [float(p.lower) for p in pts]
    up = [float(p.upper) for p in pts]
    ax[1].plot(lams, up, "-", lw=1.5, label="upper bound")
    ax[1].plot(lams, lo, "--", lw=1.0, label="lower bound")
    ex = [(float(p.lam), float(p.value)) for p in pts if p.exact]
    if ex:
        ax[1].plot(*zip(*ex), "o", ms=3, label="exact optimum")
    ax[1].set_xlabel(r"$\lambda$")
    ax[1].set_ylabel(r"$p^*(\lambda)$")
    gap = max((float(p.gap) / max(1.0, abs(float(p.upper))) for p in pts), default=0.0)
    ax[1].set_title(f"certified objective (max relative gap {gap:.1e})")
    lm = math.sqrt(float(path.lam_max_sq))
    for a in ax:
        if lams and lm <= max(lams):
            a.axvline(lm, color="grey", ls=":", lw=1)
            a.text(lm, a.get_ylim()[1], r" $\lambda_{\max}$", va="top", fontsize=8)
    ax[1].legend(fontsize=8)
    fig.suptitle(title or f"certified path: n={path.patterns.n}, d={path.patterns.d}, "
                 f"{len(path.patterns)} patterns, {len(pts)} values of lambda")
    fig.tight_layout()
    fig.savefig(file, dpi=120)
    plt.close(fig)


def plot_fixed_width_path(fw: FixedWidthPath, file: str, *, convex: Callable | None = None,
                          title: str | None = None) -> None:
    """Neuron weights (``W1`` first coordinate and ``w2`` of each block's neuron, from the
    exact blocks: ``|w2| = sqrt(||u||)``, ``W1 = u / |w2|``) and the width-``m`` optimum
    versus ``lam``, jumps marked; ``convex(lam) -> float`` adds the convex optimum."""
    plt = _plt()
    pts = sorted({p.lam: p for p in fw.points}.values(), key=lambda p: p.lam)
    lams = [float(p.lam) for p in pts]
    ps = fw.patterns
    series: dict = {}
    for k, p in enumerate(pts):
        for b in p.blocks(ps):
            nu = math.sqrt(float(sqnorm(b.u)))
            w2 = b.sign * math.sqrt(nu)
            W1 = float(b.u[0]) / abs(w2)
            s = series.setdefault((b.pattern, b.sign), ([np.nan] * len(pts), [np.nan] * len(pts)))
            s[0][k], s[1][k] = W1, w2
    fig, ax = plt.subplots(1, 2, figsize=(11, 4.2))
    for j, (key, (W1, w2)) in enumerate(sorted(series.items())):
        c = f"C{j}"
        lab = f"pattern {key[0]}, sign {'+' if key[1] > 0 else '-'}"
        ax[0].plot(lams, W1, "-", color=c, marker=".", ms=3, label=f"$W_1$ ({lab})")
        ax[0].plot(lams, w2, "--", color=c, lw=1, label=f"$w_2$ ({lab})")
    ax[0].axhline(0, color="black", lw=0.5)
    zero = [lam for lam, p in zip(lams, pts) if not p.blocks(ps)]
    if zero:
        ax[0].plot(zero, [0.0] * len(zero), "k.", ms=3, label="zero network")
    for j in fw.jumps:
        if j.at is None:
            continue
        x = float(j.at)
        for side, mk in ((j.before, "o"), (j.after, "s")):
            for b in side:
                nu = math.sqrt(float(sqnorm(b.u)))
                w2 = b.sign * math.sqrt(nu)
                ax[0].plot([x, x], [float(b.u[0]) / abs(w2), w2], mk, color="red", ms=6,
                           mfc="none")
    ax[0].set_xlabel(r"$\lambda$")
    ax[0].set_ylabel("neuron weights" + (" ($W_1$ first coordinate)" if ps.d > 1 else ""))
    ax[0].legend(fontsize=7)
    vals = [float(p.value) if p.exact else float(p.upper) for p in pts]
    ax[1].plot(lams, vals, "-", lw=1.6, label=f"width {fw.m} optimum")
    if convex is not None:
        grid = np.linspace(min(lams), max(lams), 400)
        ax[1].plot(grid, [convex(g) for g in grid], ":", lw=1.4,
                   label="convex optimum (every width)")
    ax[1].set_xlabel(r"$\lambda$")
    ax[1].set_ylabel("optimal objective")
    for j in fw.jumps:
        x = float(j.at) if j.at is not None else 0.5 * (float(j.lo) + float(j.hi))
        for a in ax:
            a.axvline(x, color="red", ls="--", lw=1)
        ax[1].annotate(f"jump at $\\lambda$={j.at if j.at is not None else '~%.4g' % x}",
                       (x, ax[1].get_ylim()[0]), xytext=(5, 10), textcoords="offset points",
                       color="red", fontsize=8)
    ax[1].legend(fontsize=8)
    fig.suptitle(title or f"width-{fw.m} regularization path"
                 + (f": {len(fw.jumps)} jump(s)" if fw.jumps else ": continuous"))
    fig.tight_layout()
    fig.savefig(file, dpi=120)
    plt.close(fig)
