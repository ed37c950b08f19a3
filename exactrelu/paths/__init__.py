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
candidates (:mod:`exactrelu.paths._float_guess`, each guess verified exactly) and
pictures (:mod:`exactrelu.paths.plots`).  Square roots of irrational norms appear only
as proved rational enclosures (:func:`exactrelu.numbers.sqrt_bounds`) or as exact surds
(:class:`Surd`).

Submodules: :mod:`.lam_max`, :mod:`.certified` (the certified path),
:mod:`.monotonicity` (L6 checks), :mod:`.restricted` (programs on a set of blocks),
:mod:`.fixed_width` (width-``m`` optimum), :mod:`.jumps` (width-``m`` path and its
jumps), :mod:`.one_dimensional` (closed forms), :mod:`.grid`, :mod:`.plots`, and the
private :mod:`._shared`, :mod:`._float_guess`.
"""
from __future__ import annotations

from ..algebraic import Surd
from ._shared import PathBlock
from .certified import CertifiedPath, PathPoint, certified_path
from .certified import _optimal_set_info  # noqa: F401  (private, imported by tests)
from .fixed_width import FixedWidthPoint, fixed_width_optimum
from .grid import lam_grid
from .jumps import FixedWidthPath, Jump, fixed_width_path
from .jumps import _fits_apart  # noqa: F401  (private, imported by tests)
from .lam_max import lam_max
from .monotonicity import path_violations
from .one_dimensional import OneDimensionalPath, one_dimensional_path
from .plots import plot_certified_path, plot_fixed_width_path
from .restricted import RestrictedOptimum, restricted_optimum

__all__ = [
    "lam_max", "PathBlock", "PathPoint", "CertifiedPath", "certified_path",
    "path_violations", "RestrictedOptimum", "restricted_optimum",
    "FixedWidthPoint", "fixed_width_optimum", "Jump", "FixedWidthPath", "fixed_width_path",
    "Surd", "OneDimensionalPath", "one_dimensional_path", "lam_grid",
    "plot_certified_path", "plot_fixed_width_path",
]
