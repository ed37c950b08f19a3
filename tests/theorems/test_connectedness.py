"""Connectedness -- segments between optimal solutions stay optimal.

Claim (docs/theory.md §2.8): the optimal set of the convex program is convex, hence connected,
and so is its image under the C -> NC map (up to permutations and splits).

Property: on non-unique planted instances, points ``(1 - t) w0 + t w1`` between optimal
solutions (planted, vertices) have objective exactly ``p*`` and so do the NC networks
they map to (product form, exact surds).
Negative control: a segment from an optimal point to a non-optimal one leaves the
optimal set for every ``t > 0``; and in NC *weight space* the segment between an optimal
network and the same network with its two neurons swapped is not optimal (docs/theory.md
§5.1 Example C at lam = 2: neurons (1, 1) and (-1/2, 1/2)) -- connectedness is a property of
the convex parametrisation.
"""
from __future__ import annotations

from fractions import Fraction as F

from hypothesis import given, strategies as st

from exactrelu.networks import Network
from exactrelu.planted import one_dimensional_instance
from exactrelu.testing.strategies import planted_instances

from ._claims import T


@given(planted_instances(unique=False))
def test_segments_between_optima_are_optimal(p):
    T.connected_check(p)


@given(planted_instances())
def test_negative_control_segment_to_a_non_optimal_point(p):
    T.connected_control(p)


@given(st.fractions(min_value=F(1, 20), max_value=F(19, 20), max_denominator=40))
def test_nc_weight_space_segment_is_not_optimal(t):
    inst = one_dimensional_instance([1, -4], [3, F(3, 2)], 2)       # p* = 37/8
    a = Network.from_values([[1], [F(-1, 2)]], [1, F(1, 2)])
    b = Network.from_values([[F(-1, 2)], [1]], [F(1, 2), 1])        # neurons swapped
    assert a.nc_objective(inst.data, 2) == b.nc_objective(inst.data, 2) == inst.value
    mid = Network(tuple(tuple((1 - t) * x + t * z for x, z in zip(u, v))
                        for u, v in zip(a.W1, b.W1)),
                  tuple((1 - t) * x + t * z for x, z in zip(a.w2, b.w2)))
    assert mid.nc_objective(inst.data, 2) > inst.value
