r"""Pruning two-layer ReLU networks: Algorithm 1 ("Optimal Pruning") exactly, and the
least-squares heuristic that prunes past a minimal network (Mishkin & Pilanci 2023,
docs/theory.md §2.9-2.11).

A network ``(W1, w2)`` on data ``X`` has neuron outputs ``q_j = (X W1_j)_+ w2_j``; its
*balanced* objective ``B = 1/2 ||sum_j q_j - y||^2 + lam sum_j ||W1_j|| |w2_j|`` (the NC
objective after the best rescaling of every neuron) is what every routine here preserves
or tracks.  Modules:

* :mod:`.algorithm1` -- the step rule (:func:`step_factors`, with its sign convention and
  proof) and the Algorithm-1 loop on integer output columns (``window`` method, O(n^3)
  per step);
* :mod:`.network` -- :func:`prune_network`, Algorithm 1 directly on a network;
* :mod:`.convex` -- :func:`prune_convex` on convex blocks, :func:`crelu_fits`;
* :mod:`.least_squares` -- :func:`prune_ls`, pruning past minimal (``RULES``);
* :mod:`.display` -- :func:`decimal_string`, decimals of sums of square roots (display
  only);
* :func:`prune_ls_float` lives in :mod:`exactrelu.approx.pruning` (floating point, for
  experiments; it proves nothing) and is re-exported here.

Everything except :func:`prune_ls_float` is exact (``fractions.Fraction`` and
python-flint); square roots are never rounded in a decision.
"""
from __future__ import annotations

from ..algebraic import PenaltySign as _PenaltySign  # noqa: F401 (tests patch it here)
from ..approx.pruning import prune_ls_float
from .algorithm1 import Step, step_factors
from .convex import ConvexPruneResult, crelu_fits, prune_convex
from .display import decimal_string
from .least_squares import RULES, LSPruneResult, LSStep, prune_ls
from .network import PruneResult, prune_network

__all__ = ["Step", "step_factors", "PruneResult", "ConvexPruneResult", "LSPruneResult",
           "LSStep", "prune_network", "prune_convex", "prune_ls", "prune_ls_float",
           "crelu_fits", "decimal_string", "RULES"]
