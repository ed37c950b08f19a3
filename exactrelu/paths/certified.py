r"""The certified regularization path: the convex program on a whole ``lam`` grid.

docs/theory.md §2.2 (L5, L6) and §2.12.  The convex program is ReLU training over every
width; along a grid of ``lam`` this computes ONE pattern enumeration, ONE completeness
proof, warm-started float solves (the previous active blocks start the next working
set, from large ``lam`` down) and per point exact bounds ``lower <= p*(lam) <= upper``
(the exact dual bound of weak duality, the exact objective of the rounded solution, the
exact optimum when rational).  Points at ``lam >= lam_max`` are the zero network (L5).
Exact points also carry the uniqueness verdict (docs/theory.md §2.4, §2.7: unique iff
the fits of the support are linearly independent, exact rank) and the minimum-norm
optimal solution (the polytope of optimal ``alpha``).
"""
from __future__ import annotations

import sys
import time
import warnings
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Iterable

from ..arrangement import PatternSet, enumerate_patterns
from ..errors import ExactReluError
from ..linalg import rank as _rank
from ..numbers import exact_sqrt, is_square, q_str, sqnorm
from ..optimal_sets import Polytope
from ..problem import Block, ConvexProgram, Dataset
from ._float_guess import _float_loss_penalty, _simple_residual_guess, _solve
from ._shared import _ZERO, PathBlock, Vec, _blocks_of, _check_lams, _Ctx, _round_out
from .lam_max import _lam_max


@dataclass(frozen=True)
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
    """The point at ``lam`` (zero network, exact optimum, or proved bounds) and the
    active blocks of its float solve (the next warm start)."""
    t0 = time.perf_counter()
    program = ConvexProgram(ctx.data, lam, ctx.ps)
    if lam * lam >= ctx.lmax_sq:
        return _zero_point(program, t0), []
    timings: dict[str, float] = {}
    t = time.perf_counter()
    sol = _solve(ctx, lam, initial, tol)
    timings["solve"] = time.perf_counter() - t
    fl_loss, fl_pen = _float_loss_penalty(sol)
    opt = _exact_attempt(program, sol, exact, timings) if exact else None
    if opt is not None:
        fields = _exact_fields(program, opt, details, timings)
    else:
        fields = _bound_fields(ctx, program, sol, bits, timings)
    pt = PathPoint(lam, **fields, float_loss=fl_loss, float_penalty=fl_pen,
                   warm=bool(initial), seconds=time.perf_counter() - t0, timings=timings)
    return pt, list(sol.active)


def _zero_point(program: ConvexProgram, t0: float) -> PathPoint:
    """L5: ``lam >= lam_max``, the zero network is optimal (proved by ``lam_max`` itself);
    :func:`~exactrelu.rational_optimum.exact_optimum_at` re-proves it (dual feasibility of
    ``r = y``) for the record."""
    from ..rational_optimum import exact_optimum_at

    y = program.data.y
    opt = exact_optimum_at(program, y, candidates=[])
    if opt is None:  # pragma: no cover - contradicts the exact lam_max
        raise ExactReluError("internal: zero network not optimal above lam_max")
    v = sqnorm(y) / 2
    return PathPoint(program.lam, v, v, True, 0, (), value=v, loss=v, penalty=_ZERO,
                     residual=tuple(y), unique=True, support=(),
                     equicorrelated=tuple(opt.equicorrelated), min_norm=(),
                     min_norm_sq=_ZERO, zero=True, float_loss=float(v), float_penalty=0.0,
                     seconds=time.perf_counter() - t0, optimum=opt)


def _exact_attempt(program: ConvexProgram, sol, mode: bool | str, timings: dict):
    """The exact optimum from the float solve (``mode`` ``"cheap"`` or the full search),
    or ``None``; records ``timings["exact"]``."""
    from ..rational_optimum import exact_optimum

    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # scipy LinAlgWarning inside the guess
        if mode == "cheap":
            opt = _cheap_exact(program, sol)
        else:
            opt = exact_optimum(program, sol)
    timings["exact"] = time.perf_counter() - t
    return opt


def _exact_fields(program: ConvexProgram, opt, details: bool, timings: dict) -> dict:
    """The :class:`PathPoint` fields of an exact optimum (with ``details``: uniqueness,
    support and the min-norm solution, timed as ``timings["optimal_set"]``)."""
    ps, lam = program.patterns, program.lam
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
    return dict(lower=opt.value, upper=opt.value, exact=True, neurons=len(opt.blocks),
                blocks=_blocks_of(ps, opt.blocks), value=opt.value, loss=loss, penalty=pen,
                residual=tuple(opt.r), unique=unique, support=support,
                equicorrelated=tuple(opt.equicorrelated), min_norm=mnb,
                min_norm_sq=mn_sq, optimum=opt)


def _bound_fields(ctx: _Ctx, program: ConvexProgram, sol, bits: int, timings: dict) -> dict:
    """The :class:`PathPoint` fields of proved bounds: the exact dual bound below, the
    exact objective of the float solution rounded to dyadics and projected into its
    cones above (timed as ``timings["dual"]``, ``timings["upper"]``)."""
    from ..certificate.dual_bound import dyadic, exact_dual_bound
    from ..cones import project

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
    return dict(lower=_round_out(dual.lower, up=False), upper=_round_out(hi, up=True),
                exact=False, neurons=len(qb), blocks=_blocks_of(program.patterns, qb))


def _cheap_exact(program: ConvexProgram, sol):
    """The cheap exact attempt: the float residual rounded to simple rationals, proved
    optimal exactly (:func:`exactrelu.rational_optimum.exact_optimum_at`) -- no KKT refinement."""
    from ..rational_optimum import exact_optimum_at

    if not sol.active:
        return exact_optimum_at(program, program.data.y, candidates=[])
    r = _simple_residual_guess(sol)
    if r is None:
        return None
    return exact_optimum_at(program, r, rho_guess=sol.rho)


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
        from ..certificate.completeness import completeness_proof

        proof = completeness_proof(data.X, ps)
    timings["completeness"] = time.perf_counter() - t
    t = time.perf_counter()
    lmax_sq, lmax_block = _lam_max(data, ps)
    timings["lam_max"] = time.perf_counter() - t
    ctx = _Ctx(data, ps, lmax_sq, lmax_block)
    if exact not in (True, False, "auto", "cheap"):
        raise ValueError("exact must be True, False, 'auto' or 'cheap'")
    t = time.perf_counter()
    out = _solve_grid(ctx, lq, exact=exact, warm=warm, details=details, bits=bits, tol=tol,
                      auto_misses=auto_misses, progress=progress)
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


def _solve_grid(ctx: _Ctx, lq: list[Fraction], *, exact: bool | str, warm: bool,
                details: bool, bits: int, tol: float, auto_misses: int,
                progress: bool | Callable[[int, int, PathPoint], None] | None
                ) -> list[PathPoint]:
    """The points of :func:`certified_path` in input order, solved from the largest
    ``lam`` down (repeated ``lam`` solved once)."""
    order = sorted(range(len(lq)), key=lambda k: lq[k], reverse=True)
    out: list[PathPoint | None] = [None] * len(lq)
    done: dict[Fraction, PathPoint] = {}
    prev: list = []
    misses = 0
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
    return out
