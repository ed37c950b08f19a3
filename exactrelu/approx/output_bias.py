"""The output bias that minimises the convex program, in floating point (a guess).

With a free, unregularised output bias ``c`` the program is
``min_c p(c)``, ``p(c)`` = C-ReLU with targets ``y - c 1``.  Its dual optimum is the
projection of ``y - c 1`` onto the (convex) dual feasible set, so
``h(c) = sum_k r_k(c) = -p'(c)`` is continuous and non-increasing, and the best ``c``
is its root (stationarity in ``c``).  We bracket the root from ``mean(y)`` outwards (first step
``h(mean y) / n``: ``h'`` lies in ``[-n, 0]``) and refine it with Brent's method (``scipy.optimize.brentq``), one float solve per
evaluation.  Nothing here is trusted: the exact layer projects the residual onto
``sum r = 0`` and proves the bound (:mod:`exactrelu.certificate.output_bias`).
"""
from __future__ import annotations

import numpy as np

from .solver import solve_crelu

__all__ = ["best_output_bias"]


def best_output_bias(X: np.ndarray, y: np.ndarray, lam: float, patterns: np.ndarray, *,
                     tol: float = 1e-11, max_steps: int = 60):
    """``(c, sol)``: a float guess of the optimal output bias and the solve at it."""
    from scipy.optimize import brentq

    cache: dict[float, object] = {}

    def solve(c: float):
        if c not in cache:
            cache[c] = solve_crelu(X, y - c, lam, patterns, tol=tol, strict=False)
        return cache[c]

    noise = 1e-13 * len(y) * max(1.0, float(np.max(np.abs(y))))

    def h(c: float) -> float:                   # |h| at the float noise level counts as 0
        v = float(np.sum(solve(c).residual))
        return 0.0 if abs(v) <= noise else v

    c0 = float(np.mean(y))
    h0 = h(c0)
    if h0 == 0.0:
        return c0, solve(c0)
    step = h0 / len(y)          # h' lies in [-n, 0]: the root is at least this far away
    other = c0
    for _ in range(max_steps):
        other = c0 + step
        h1 = h(other)
        if h1 == 0.0:
            return other, solve(other)
        if (h1 > 0) != (h0 > 0):
            break
        step *= 4.0
    else:
        return c0, solve(c0)                    # no bracket: the exact layer still proves
    lo, hi = sorted((c0, other))
    c = brentq(h, lo, hi, xtol=1e-14 * max(1.0, abs(c0)), rtol=4 * np.finfo(float).eps,
               maxiter=200)
    return c, solve(c)
