"""T17 -- the NC -> C mapping never increases the objective.

Claim (docs/theory.md §1.6, §5.2 T17): mapping each neuron with ``W1_j != 0 != w2_j`` to
``u_j = |w2_j| W1_j`` on (its pattern, sign(w2_j)) and summing neurons that share a block
preserves the fit and gives ``C <= NC``, with equality iff every neuron is balanced
(``||W1_j|| = |w2_j|``) and the neurons merged into one block are positively collinear.

Property: random rational networks (balanced, copied, free and zero neurons) on
degenerate random data: the fit is recomputed from the blocks, ``C - NC`` is decided
exactly (sums of square roots), the equality case is compared with an independent
balanced/collinear predicate, and ``compare_convex_nc`` must agree.
Negative control: appending an unbalanced neuron makes ``C < NC`` strictly, and the
predicate says so.
"""
from __future__ import annotations

from fractions import Fraction as F

from hypothesis import given, strategies as st

from exactrelu.networks import Network
from exactrelu.problem import Dataset
from exactrelu.testing.strategies import datasets, networks

from ._claims import T

data_and_networks = datasets(n=(1, 6), d=(1, 3)).flatmap(
    lambda data: st.tuples(st.just(data), networks(data.d, m=(1, 5))))


@given(data_and_networks)
def test_nc_to_c_never_increases(inst):
    T.t17_check(inst)


@given(data_and_networks)
def test_negative_control_unbalanced(inst):
    T.t17_control(inst)


def test_split_and_merge_is_an_equality():
    """A balanced neuron split into (3/5, 4/5)-scaled copies (gamma = (9/25, 16/25)) is
    merged back into one block: C == NC."""
    data = Dataset.from_arrays([[1, 0], [0, 1], [1, 1]], [1, 2, 3])
    net = Network.from_values([[F(3, 5), F(4, 5)]], [1]).split_neuron(0, [F(9, 25), F(16, 25)])
    assert net.width == 2
    T.t17_check((data, net))
    assert T._t17_equality_predicted(net, data.X)
