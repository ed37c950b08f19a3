r"""The exact optimum of the width-``m`` network at one ``lam``.

The minimum over block sets ``B``, ``|B| = min(m, #blocks)``, of the convex program
restricted to ``B`` (:mod:`exactrelu.paths.restricted`; docs/theory.md §2.12: a width-``m``
network maps to at most ``m`` blocks and back with the same objective).  Shortcut: when
the convex optimum has at most ``m`` neurons it is the answer (``p*_NC(m) = p*_C`` iff
``m >= m*``).  Exact when every candidate subset is exact, else proved bounds.
"""
from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass
from fractions import Fraction

from ..arrangement import PatternSet, enumerate_patterns
from ..errors import ExactReluError
from ..numbers import to_q
from ..problem import Block, ConvexProgram, Dataset
from ._shared import PathBlock, _blocks_of, _cone_getter, _Ctx
from .certified import _point
from .lam_max import _lam_max
from .restricted import RestrictedOptimum, restricted_optimum


@dataclass(frozen=True)
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
        from ..conversions import convex_to_network

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
    cone = _cone_getter(data, ps)
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
