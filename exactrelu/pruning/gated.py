"""Algorithm 1 for gated ReLU networks (docs/theory.md §1.5, "The optimal set of
C-GReLU"), exactly.

Neuron ``j`` of a gated network is the free block ``v_j = W1_j w2_j`` with fit
``D_j X v_j`` (``D_j`` its gate pattern) and balanced penalty ``||W1_j|| |w2_j| = ||v_j||``.
So Algorithm 1 in convex form (:func:`exactrelu.pruning.convex.prune_convex`) applies as
it is: a null vector of the fits scales the blocks by factors ``c_j >= 0``, the fit is
unchanged and the penalty does not increase (exact sign of a sum of square roots).  The
factor is applied as ``W1_j <- c_j W1_j`` (the gate is kept), and the result is
rebalanced until its exact NC objective is not larger than the input's
(:func:`exactrelu.pruning.network.balanced_network`).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ..gated import GatedNetwork, _gated_fit
from ..problem import Dataset
from .convex import prune_convex
from .network import balanced_network

__all__ = ["GatedPruneResult", "prune_gated"]


@dataclass(frozen=True)
class GatedPruneResult:
    """``network``: Algorithm 1's output (kept neurons, ``W1_j`` scaled); ``balanced_network``
    the one to use (rebalanced; exact NC objective ``nc_objective_after <=
    nc_objective_before``); ``kept`` / ``removed`` original indices; ``penalty_sign`` the
    exact sign of the change of ``sum ||v_j||`` (``<= 0``); ``predictions_equal`` (exact)."""

    network: GatedNetwork
    balanced_network: GatedNetwork
    kept: tuple[int, ...]
    removed: tuple[int, ...]
    steps: int
    penalty_sign: int
    predictions_equal: bool
    nc_objective_before: Fraction
    nc_objective_after: Fraction

    @property
    def neurons_before(self) -> int:
        return len(self.kept) + len(self.removed)

    @property
    def neurons_after(self) -> int:
        return len(self.kept)


def prune_gated(net: GatedNetwork, data: Dataset, lam: object) -> GatedPruneResult:
    """Algorithm 1 on a gated network (see the module doc): linearly independent neuron
    fits at the end (at most ``n`` neurons), the same outputs on ``data``."""
    lam = Fraction(lam)
    blocks = {j: tuple(a * w2 for a in w) for j, (w, w2) in enumerate(zip(net.W1, net.w2))}
    fits = {j: tuple(_gated_fit(data.X, (g,), (w,), (a,)))           # D_j X W1_j w2_j
            for j, (g, w, a) in enumerate(zip(net.G, net.W1, net.w2))}
    res = prune_convex(blocks, fits)
    kept = tuple(sorted(res.scales))
    pruned = GatedNetwork(tuple(net.G[j] for j in kept),
                          tuple(tuple(res.scales[j] * a for a in net.W1[j]) for j in kept),
                          tuple(net.w2[j] for j in kept), net.bias_column, net.dim)
    equal = pruned.outputs(data) == net.outputs(data)
    balanced, after, before = balanced_network(pruned, net, data, lam)
    return GatedPruneResult(pruned, balanced, kept,
                            tuple(j for j in range(net.width) if j not in res.scales),
                            res.steps, res.penalty_sign, equal, before, after)
