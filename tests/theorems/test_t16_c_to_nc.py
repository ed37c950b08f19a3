"""T16 -- the C -> NC mapping preserves the objective.

Claim (docs/theory.md §1.6, §5.2 T16): a nonzero convex block ``u`` with sign ``s`` becomes the
neuron ``W1 = u / sqrt(||u||)``, ``w2 = s sqrt(||u||)``; then ``W1 |w2| = u``,
``w2^2 = ||W1||^2 = ||u||``, the network's outputs equal the convex fit and its NC
objective (with ``lam/2`` weight decay) equals the convex objective.

Property: planted optima mapped in product form (exact surds: NC = p*), and blocks with
rational scales (``||u||`` a rational square) mapped to explicit rational networks, where
NC(net) = C(blocks) holds as an equality of rationals.  Example A (docs/theory.md §5.1).
Negative control: rescaling a mapped neuron to ``(2 W1, w2 / 2)`` keeps the outputs but
its NC objective is strictly above C (the balance is what makes them equal).
"""
from __future__ import annotations

from fractions import Fraction as F

from hypothesis import given, strategies as st

from exactrelu.conversions import convex_to_network
from exactrelu.planted import one_dimensional_instance
from exactrelu.testing.strategies import planted_instances

from ._claims import T


@given(planted_instances())
def test_mapping_preserves_the_objective(p):
    T.t16_check(p)


@given(planted_instances())
def test_negative_control_unbalanced_neuron(p):
    T.t16_control(p)


def test_example_a_lam_2():
    """x = (1, -4), y = (3, 3/2), lam = 2: s* = 1, t* = 1/4, p* = 37/8; the network is
    (1, 1) and (-1/2, 1/2) (docs/theory.md §5.1 Example C with m >= 2)."""
    inst = one_dimensional_instance([1, -4], [3, F(3, 2)], 2)
    assert (inst.s, inst.t, inst.value) == (1, F(1, 4), F(37, 8))
    net = convex_to_network(inst.blocks, patterns=inst.patterns, X=inst.data.X).to_network()
    assert sorted(zip((w[0] for w in net.W1), net.w2)) == [(F(-1, 2), F(1, 2)), (1, 1)]
    assert net.nc_objective(inst.data, inst.lam) == inst.value


@given(st.integers(1, 5), st.integers(1, 3))
def test_example_a_control(a, b):
    inst = one_dimensional_instance([1, -4], [3, F(3, 2)], 2)
    net = convex_to_network(inst.blocks, patterns=inst.patterns, X=inst.data.X).to_network()
    c = F(a, b)
    bad = net.rescale_neuron(0, c)
    assert bad.outputs(inst.data) == net.outputs(inst.data)
    assert (bad.nc_objective(inst.data, inst.lam) > inst.value) == (c != 1)
