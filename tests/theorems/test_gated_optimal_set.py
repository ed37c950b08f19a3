"""The optimal set of C-GReLU is a polytope, and Algorithm 1 prunes gated networks.

Claim (docs/theory.md §1.5, "The optimal set of C-GReLU"; §2.4 with no cones): with the
optimal residual ``r``, every optimum is ``v_i = alpha_i X^T D_i r`` on the patterns with
``||X^T D_i r|| = lam``, ``alpha >= 0``, ``sum_i alpha_i D_i X X^T D_i r = y - r`` (one fit
for all optima), and every such ``alpha`` is optimal; the vertices have linearly
independent active fits.  Algorithm 1 on a gated network keeps its outputs, does not
increase its objective, and ends with independent fits.

Property: planted instances (``planted_gated``: the correlations of chosen patterns
prescribed with norm ``lam = 5``, so every norm in the objective is rational and the
objective is compared EXACTLY): the planted ``alpha`` is in the polytope; every vertex
and the midpoint of the planted point and a vertex have objective exactly ``p*``
(computed independently from the blocks, not from the polytope); vertex fits are
independent and sum to ``y - r``; a gated certificate brackets ``p*``; the planted
network, with every neuron split in two, is pruned to independent fits with the same
outputs and a smaller-or-equal exact NC objective, never below ``p*``.
Negative control: scaling the planted ``alpha`` by 11/10 gives an objective strictly
above ``p*`` (so the equality tests can fail), and a non-optimal residual is refused.
"""
from __future__ import annotations

from fractions import Fraction as F

import pytest
from hypothesis import assume, given, settings, strategies as st

from exactrelu.certificate.gated import certify_gated
from exactrelu.errors import ExactReluError
from exactrelu.gated import GatedNetwork
from exactrelu.linalg import independent
from exactrelu.optimal_sets.gated import gated_optimal_set, planted_gated
from exactrelu.pruning.gated import prune_gated

LAM = F(5)
NORM5 = [(3, 4), (4, 3), (5, 0), (0, 5), (-3, 4), (4, -3), (-5, 0), (0, -5), (-4, -3),
         (3, -4)]
ints = st.integers(-3, 3)


@st.composite
def planted(draw):
    n = draw(st.integers(3, 7))
    X = [[draw(ints), draw(ints)] for _ in range(n)]
    gates = draw(st.lists(st.tuples(ints, ints), min_size=1, max_size=5))
    from exactrelu.gated import GatedProgram
    from exactrelu.problem import Dataset
    p = len(GatedProgram(Dataset.from_arrays(X, [0] * n), 1, tuple(gates)).patterns)
    act = draw(st.lists(st.integers(0, p - 1), min_size=1, max_size=min(p, 3), unique=True))
    c = {i: draw(st.sampled_from(NORM5)) for i in act}
    alpha = {i: F(draw(st.integers(0, 6)), draw(st.integers(1, 3))) for i in act}
    out = planted_gated(X, gates, c, alpha, LAM)
    assume(out is not None)
    prog, r = out
    return prog, r, {prog.patterns[i]: a for i, a in alpha.items() if a}


def objective(prog, os_, alpha):
    """C-GReLU at v_i = alpha_i v_i (||v_i|| = lam, so the norms are alpha_i lam), from
    the blocks themselves."""
    idx = {p: i for i, p in enumerate(prog.patterns)}
    blocks = {idx[b]: tuple(a * x for x in os_.v[b]) for b, a in alpha.items() if a}
    assert all(os_.v[b] and sum(x * x for x in os_.v[b]) == LAM ** 2 for b in alpha)
    return prog.loss(blocks) + LAM * sum(a * LAM for a in alpha.values())


@settings(max_examples=30, deadline=None)
@given(planted())
def test_optimal_set_is_the_polytope(inst):
    prog, r, alpha = inst
    os_ = gated_optimal_set(prog, r)
    p_star = sum(a * b for a, b in zip(r, prog.data.y)) - sum(a * a for a in r) / 2
    assert os_.value == p_star and os_.fit == tuple(a - b for a, b in zip(prog.data.y, r))
    assert os_.contains(alpha) and objective(prog, os_, alpha) == p_star
    for vert in os_.vertices:
        assert objective(prog, os_, vert) == p_star
        fits = [tuple(a * f for f in os_.fits[b]) for b, a in vert.items()]
        assert independent(fits, len(r))
        assert tuple(map(sum, zip(*fits))) == os_.fit if fits else not any(os_.fit)
        mid = {b: (alpha.get(b, 0) + vert.get(b, 0)) / 2 for b in set(alpha) | set(vert)}
        assert objective(prog, os_, mid) == p_star                       # convex
    if alpha:                                                            # negative control
        assert objective(prog, os_, {b: a * F(11, 10) for b, a in alpha.items()}) > p_star
    cert = certify_gated(prog.data, LAM, gates=prog.gates)
    assert cert.lower <= p_star <= cert.upper


@settings(max_examples=20, deadline=None)
@given(planted())
def test_algorithm1_prunes_gated_networks(inst):
    prog, r, alpha = inst
    assume(alpha)
    os_ = gated_optimal_set(prog, r)
    idx = {p: i for i, p in enumerate(prog.patterns)}
    G, W1, w2 = [], [], []
    for b, a in alpha.items():                      # every neuron split in two halves
        for _ in range(2):
            G.append(prog.gates[prog.gate_of[idx[b]]])
            W1.append(tuple(a / 2 * x for x in os_.v[b]))
            w2.append(F(1))
    net = GatedNetwork(tuple(G), tuple(W1), tuple(w2), False, 2)
    res = prune_gated(net, prog.data, LAM)
    assert res.predictions_equal and res.penalty_sign <= 0
    assert res.balanced_network.outputs(prog.data) == net.outputs(prog.data)
    assert res.neurons_after <= len(alpha) < res.neurons_before
    assert os_.value <= res.nc_objective_after <= res.nc_objective_before
    fits = [GatedNetwork((g,), (w,), (a,), False, 2).outputs(prog.data)   # one neuron each
            for g, w, a in zip(res.network.G, res.network.W1, res.network.w2)]
    assert independent(fits, len(r))


def test_non_optimal_residual_is_refused():
    out = planted_gated([[1, 0], [0, 1], [1, 1]], [[1, 1]], {0: (3, 4)}, {0: 1}, LAM)
    assert out is not None
    prog, r = out
    with pytest.raises(ExactReluError):
        gated_optimal_set(prog, tuple(2 * a for a in r))       # ||X^T D r|| = 2 lam


@settings(max_examples=10, deadline=None)
@given(planted())
def test_exact_gated_certificates_and_their_optimal_set(inst):
    """The certificate brackets p* and is verified by the standalone checker; away from
    the boundary lam = lam_max (where the interior-point residual is only ~1e-6 accurate,
    so the rational reconstruction of the residual -- a guess -- can miss) it is exact
    (lower == upper == p*), and Certificate.optimal_set() is the polytope."""
    import sys
    from pathlib import Path

    import exactrelu as er
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "proofs_checks"))
    import check_cert as cc

    prog, r, alpha = inst
    c = er.certify(prog.data.X, prog.data.y, LAM, model="gated", gates=prog.gates)
    p_star = sum(a * b for a, b in zip(r, prog.data.y)) - sum(a * a for a in r) / 2
    assert c.lower <= p_star <= c.upper and cc.check(c.document()).verdict == "VERIFIED"
    if not alpha:                     # y = r: the zero model at lam = lam_max (degenerate)
        return
    assert c.exact and c.lower == c.upper == p_star
    os_ = c.optimal_set()
    assert os_.value == p_star and (not alpha or os_.contains(alpha))


def test_two_blocks_with_the_same_fit_are_still_exact():
    """Found by Hypothesis: gates (0, -1) and (0, 0) give blocks 1110 and 1111 whose fits
    coincide at the optimum (row 3 has r_3 = 0 and x_3 . v = 0), so the optimal set is a
    segment, Newton on both active blocks is singular, and the certificate was left with a
    3e-12 gap.  Newton on a vertex's blocks (independent fits) gives the exact optimum
    p* = r . y - ||r||^2 / 2 = 3150/121 at r = (135, -45, 100, 0)/121."""
    import exactrelu as er

    X = [[3, -1], [0, -3], [2, 0], [0, 1]]
    y = [F(1950, 121), F(-45, 121), F(1310, 121), 0]
    c = er.certify(X, y, 5, model="gated", gates=[[0, -1], [0, 0]])
    assert c.exact and c.lower == c.upper == F(3150, 121)
    assert not c.optimal_set().unique
