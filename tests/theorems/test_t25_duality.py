"""T25 -- weak and strong duality.

Claim (docs/theory.md §2.2 L4, §5.2 T25): the dual of the constrained group lasso is
``max_r r.y - ||r||^2/2`` s.t. ``||Π_{K_b}(Z_b^T r)|| <= lam`` for every block.  Weak
duality: every dual-feasible ``r`` bounds every feasible primal objective from below.
Strong duality: the optimal residual ``r̂`` is dual feasible and attains ``p*``.

Property: planted instances: ``r̂`` is dual feasible for every block of the complete
pattern list (exact projections) and its dual value equals the exact primal objective of
the planted blocks; random rational ``r`` scaled into feasibility stay below random
cone-feasible primal points (exact comparison with square roots).  Example B:
``u = (1, 1)`` gives 6 - 1 = 5 = p*.
Negative control: without feasibility the bound fails: ``r̂ + ŷ`` has dual value
``p* + ||ŷ||^2/2 > p*`` and the feasibility test rejects it.
"""
from __future__ import annotations

from fractions import Fraction as F

from hypothesis import given

from exactrelu.numbers import dot
from exactrelu.testing.strategies import planted_instances

from . import _examples as B
from ._claims import T


@given(planted_instances())
def test_weak_and_strong_duality(p):
    T.t25_check(p)


@given(planted_instances())
def test_negative_control_infeasible_dual_point(p):
    T.t25_control(p)


def test_example_b():
    r = B.R_HAT
    c = [dot(B.Z_COLS[i], r) for i in range(3)]
    assert all(max(a, F(0)) <= B.LAM for a in c)                       # dual feasible
    assert dot(r, B.Y) - dot(r, r) / 2 == B.VALUE == 5
    r_bad = (F(2), F(2))
    assert dot(r_bad, B.Y) - dot(r_bad, r_bad) / 2 > B.VALUE            # 8 > 5, infeasible
    assert max(dot(B.Z_COLS[i], r_bad) for i in range(3)) > B.LAM
