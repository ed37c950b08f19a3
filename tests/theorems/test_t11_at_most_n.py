"""T11 -- a minimal network has at most n neurons (so m* <= n).

Claim (docs/theory.md §2.9, §5.2 T11; poster: "m* <= n"): a support-minimal optimal solution
has ``|A(w)| <= rank(M) <= n`` active blocks, hence the narrowest optimal network has
``m* <= n`` neurons; Algorithm 1 brings any network down to linearly independent
outputs, at most ``n`` neurons.

Property: on planted instances every vertex has ``|A| <= rank(M) <= n``; a random wide
network (``m = n + 3``) on the same data is pruned (``exactrelu.pruning``) to ``<= n``
neurons with independent outputs and identical predictions.
Negative control: splitting the planted neurons until there are more than ``n`` gives an
*optimal* network (same fit, same penalty, exact) with more than ``n`` neurons: it is
caught as non-minimal (dependent outputs) -- the bound needs minimality.
"""
from __future__ import annotations

from hypothesis import given

from exactrelu.testing.strategies import planted_instances

from ._claims import T


@given(planted_instances())
def test_minimal_solutions_have_at_most_n_blocks(p):
    T.t11_check(p)


@given(planted_instances())
def test_negative_control_split_network(p):
    T.t11_control(p)
