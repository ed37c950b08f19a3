r"""Minimality of models and networks, and the optimal networks of the optimal set.

Two meanings of "minimal" (docs/theory.md §2.9): a model is **support-minimal** when no
optimal model has a support strictly contained in its own (equivalently: a vertex of the
optimal polytope ``P``; equivalently: its active fits are linearly independent), and
**cardinality-minimal** when no optimal model has fewer nonzero blocks (the minimum over
the vertices, :attr:`OptimalSet.min_neurons`).  Cardinality-minimal implies
support-minimal, not conversely (Example B: vertices with 2 and with 1 blocks).
:func:`minimality` and :func:`network_minimality` decide the first by an exact rank of the
active fits, with a dependency as witness.  The rest maps ``alpha`` in ``P`` to networks
and checks them exactly: Corollary 4.1 (:func:`corollary41_network`), the objective at a
point (:func:`objective_at`), convexity along a segment (:func:`check_segment`) and the
collinearity of every optimal neuron with some ``v_b`` (:func:`check_collinear`,
docs/theory.md §2.3).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Iterable, Mapping, Sequence

from ..errors import ExactReluError
from ..linalg import null_vector, rank
from ..numbers import dot, q_vector, sqnorm, to_q
from .analysis import OptimalSet

__all__ = ["Minimality", "minimality", "network_minimality", "corollary41_network",
           "check_collinear", "check_segment", "objective_at"]

Vec = tuple[Fraction, ...]
_ZERO = Fraction(0)


@dataclass(frozen=True)
class Minimality:
    """Exact minimality verdict of a model: ``minimal`` iff its active fits are linearly
    independent (for an OPTIMAL model: support-minimal, docs/theory.md §2.9); ``witness`` a nonzero
    dependency ``sum_j witness_j fit_j = 0`` (keys = the model's blocks / neuron indices)
    otherwise; ``rank`` of the active fits; ``active`` their number."""

    minimal: bool
    witness: dict | None
    rank: int
    active: int


def _minimality(keys: Sequence[Any], cols: Sequence[Vec], n: int) -> Minimality:
    beta = null_vector(cols, n) if cols else None
    rk = rank(cols, n) if cols else 0
    if beta is None:
        return Minimality(True, None, rk, len(cols))
    w = {k: Fraction(b) for k, b in zip(keys, beta) if b}
    fit = [sum((w.get(k, _ZERO) * c[t] for k, c in zip(keys, cols)), _ZERO) for t in range(n)]
    if any(fit):                                                # pragma: no cover
        raise ExactReluError("internal: witness is not a dependency")
    return Minimality(False, w, rk, len(cols))


def minimality(program, blocks: Mapping[Any, Sequence[object]]) -> Minimality:
    """Minimality of ANY convex model ``{(i, s): u}`` by exact rank of its nonzero fits
    ``s D_i X u``.  For an optimal model: minimal = support-minimal = a vertex."""
    keys = [b for b, u in blocks.items() if any(q_vector(u))]
    cols = [program.block_fit(b, q_vector(blocks[b])) for b in keys]
    return _minimality(keys, cols, program.data.n)


def network_minimality(net, X) -> Minimality:
    """Minimality of a network (:class:`exactrelu.networks.Network`) on data ``X``: are the
    outputs ``(X W1_j)_+ w2_j`` of its nonzero neurons linearly independent?  Witness keys
    are neuron indices."""
    keep = [j for j in net.nonzero_neurons()]
    cols = [net.neuron_outputs(X, j) for j in keep]
    keep2 = [j for j, c in zip(keep, cols) if any(c)]
    cols = [c for c in cols if any(c)]
    n = len(X.X) if hasattr(X, "X") else len(X)
    return _minimality(keep2, cols, n)


def corollary41_network(program, os_: OptimalSet, alpha: Mapping[Any, Fraction]):
    """Corollary 4.1: the optimal network of ``alpha in P``, neuron ``b`` being
    ``W1_b = (alpha_b/lam)^(1/2) v_b``, ``w2_b = s_b (alpha_b lam)^(1/2)`` -- exact in
    product form (:class:`exactrelu.conversions.ProductNetwork` of the blocks
    ``u_b = alpha_b v_b``: ``W1_b |w2_b| = alpha_b v_b``, ``w2_b^2 = ||W1_b||^2 =
    alpha_b lam``).  The identities are checked exactly before returning."""
    from ..conversions import convex_to_network

    if not os_.contains(alpha):
        raise ExactReluError("alpha is not in the optimal polytope")
    w = os_.weights(alpha)
    pn = convex_to_network(w, patterns=program.patterns, X=program.data, d=program.data.d)
    lam = program.lam
    by_u = {(bits, s, u) for bits, s, u in pn.blocks}
    for b, u in w.items():
        a = alpha[b]
        if (program.patterns.bits[b[0]], b[1], u) not in by_u:  # pragma: no cover
            raise ExactReluError("internal: a block is missing from the network")
        if sqnorm(u) != (a * lam) ** 2:                         # ||u|| = alpha lam
            raise ExactReluError(f"block {b}: ||alpha v||^2 != (alpha lam)^2")
    if pn.outputs(program.data) != os_.fit:
        raise ExactReluError("the network's outputs differ from the optimal fit")
    return pn


def objective_at(program, os_: OptimalSet, alpha: Mapping[Any, Fraction]) -> Fraction:
    """The exact convex objective of ``w_b = alpha_b v_b`` (any ``alpha >= 0`` on ``E``):
    ``1/2||fit - y||^2 + lam sum ||w_b||`` with ``||w_b|| = alpha_b lam`` (``||v_b|| = lam``).
    Equals ``p*`` iff ``alpha`` is in ``P``."""
    vec = os_.alpha_vector(alpha)
    if any(a < 0 for a in vec):
        raise ExactReluError("alpha must be non-negative")
    f = os_.polytope.fit_of(vec)
    return sqnorm([a - t for a, t in zip(f, program.data.y)]) / 2 + \
        program.lam ** 2 * sum(vec, _ZERO)


def check_segment(program, os_: OptimalSet, alpha1: Mapping[Any, Fraction],
                  alpha2: Mapping[Any, Fraction], ts: Iterable[object] = (0, Fraction(1, 3),
                                                                            Fraction(1, 2), 1)
                  ) -> bool:
    """Every point ``(1-t) alpha1 + t alpha2`` (``t`` in ``ts``, in [0, 1]) of the segment
    between two optimal models is optimal: objective exactly ``p*`` and fit ``yhat``."""
    a1, a2 = os_.alpha_vector(alpha1), os_.alpha_vector(alpha2)
    for t in ts:
        tq = to_q(t)
        if not 0 <= tq <= 1:
            raise ValueError("t must lie in [0, 1]")
        a = {b: (1 - tq) * x + tq * y for b, x, y in zip(os_.blocks, a1, a2)}
        if not os_.contains(a) or objective_at(program, os_, a) != os_.value:
            return False
    return True


def check_collinear(program, os_: OptimalSet, net) -> bool:
    """Every nonzero neuron of an optimal network is positively collinear with ``v_b`` of
    an equicorrelated block ``b`` of its sign whose cone contains it (docs/theory.md §2.3: all
    optimal weights of a block point along ``v_b``).  Exact: ``u = |w2| W1``,
    ``u.v > 0``, ``(u.v)^2 = ||u||^2 ||v||^2`` and ``A_b u >= 0``."""
    for j in net.nonzero_neurons():
        s = 1 if net.w2[j] > 0 else -1
        u = tuple(abs(net.w2[j]) * a for a in net.W1[j])
        ok = False
        for b in os_.blocks:
            if b[1] != s:
                continue
            vb = os_.v[b]
            uv = dot(u, vb)
            if uv > 0 and uv * uv == sqnorm(u) * sqnorm(vb) and \
                    program.cone_violation(b[0], u) is None:
                ok = True
                break
        if not ok:
            return False
    return True
