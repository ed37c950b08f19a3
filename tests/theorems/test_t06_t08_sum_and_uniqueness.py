"""T6 -- the total mass is constant on the optimal set; T8 -- uniqueness iff independence.

Claims (docs/theory.md §2.4, §2.7, §5.2 T6, T8): every optimum ``w_b = alpha_b v_b`` has
``sum_b alpha_b = <yhat, rhat> / lam^2``; the convex optimum is unique iff the fits
``s_b D_b X v_b`` of the support set ``S`` are linearly independent.

Property: planted instances (unique and tied); T6 at every reachable optimal point
(planted, vertices, convex combinations, the float solve refined exactly); T8 with ``S``
the union of the vertices' supports (cdd, exact), compared with the vertex count and
with the planted ties.
Negative controls: a block scaled by 3/2 leaves the constant sum (and is not optimal);
a duplicated active fit makes the fits dependent and the optimum non-unique.
"""
from __future__ import annotations

from hypothesis import given

from exactrelu.optimal_sets import cgl_optimal_set, example_b
from exactrelu.testing.strategies import planted_instances

from ._claims import T


@given(planted_instances())
def test_sum_alpha_constant(p):
    T.t6_check(p)


@given(planted_instances())
def test_sum_alpha_control(p):
    T.t6_control(p)


@given(planted_instances())
def test_unique_iff_independent(p):
    T.t8_check(p)


@given(planted_instances())
def test_unique_iff_independent_control(p):
    T.t8_control(p)


def test_example_b():
    """docs/theory.md §5.1 Example B at lam = 1: sum alpha = 4 on both vertices, not unique."""
    o = cgl_optimal_set(*example_b(1))
    assert {sum(a.values()) for a in o.vertices} == {4} and o.unique is False
