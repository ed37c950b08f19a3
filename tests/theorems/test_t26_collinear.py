"""T26 -- optimal neurons of a block point in one direction.

Claim (docs/theory.md §2.3, §5.2 T26): for a block in the support, every optimal ``w`` with
``w_b != 0`` has ``w_b = c v_b`` with ``c > 0`` and ``v_b = Π_{K_b}(Z_b^T r̂)``,
``||v_b|| = lam``: all optimal nonzero weights of a block are positively collinear.

Property: planted instances; ``v_b`` recomputed by exact cone projection (not the
planted value); every reachable optimal point, including the independently solved one.
Negative control: a block turned away from ``v_b`` (inside its cone; negated in
``d = 1``) is rejected by the collinearity test and the point is indeed not optimal.
"""
from __future__ import annotations

from fractions import Fraction as F

from hypothesis import given

from exactrelu.testing.strategies import planted_instances

from ._claims import T


@given(planted_instances())
def test_optimal_blocks_are_positive_multiples_of_v(p):
    T.t26_check(p)


@given(planted_instances())
def test_negative_control_rotated_block(p):
    T.t26_control(p)


def test_collinearity_predicate():
    v = (F(3, 5), F(4, 5))
    assert T.positively_collinear((F(3), F(4)), v)
    assert not T.positively_collinear((F(-3), F(-4)), v)        # negative multiple
    assert not T.positively_collinear((F(4), F(3)), v)          # another direction
