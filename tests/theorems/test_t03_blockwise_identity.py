"""T2/T3 -- blockwise energy identity and the value identity.

Claim (docs/theory.md §2.2 L3, §5.2 T2-T3): for every optimal ``w`` and every block ``b``,
``<Z_b w_b, r̂> = lam ||w_b||``; summed, ``<ŷ, r̂> = lam sum_b ||w_b||`` and
``p* = ||r̂||^2 / 2 + <ŷ, r̂>``.  Norms are irrational in general, so the identity is
checked in squared form ``<Z_b w_b, r̂>^2 = lam^2 ||w_b||^2`` plus the sign
``<Z_b w_b, r̂> >= 0``, and the sum by exact comparison of sums of square roots.

Property: planted instances, every reachable optimal point.  Example B at lam = 1.
Negative control: the non-optimal point ``2w`` (with its own residual) violates the
identity on some block, and a block moved to the opposite sign passes the squared form
but is caught by the sign test.
"""
from __future__ import annotations

from fractions import Fraction as F

from hypothesis import given

from exactrelu.numbers import dot
from exactrelu.testing.strategies import planted_instances

from . import _examples as B
from ._claims import T


@given(planted_instances())
def test_blockwise_and_value_identities(p):
    T.t3_check(p)


@given(planted_instances())
def test_negative_control_non_optimal_and_sign_flipped(p):
    T.t3_control(p)


def test_example_b():
    r = B.R_HAT
    for w in B.OPTIMAL:
        for i, a in enumerate(w):                        # ||w_i|| = w_i (w_i >= 0)
            assert dot([a * z for z in B.Z_COLS[i]], r) == B.LAM * a
        y_hat = B.fit(w)
        assert dot(y_hat, r) == B.LAM * sum(w) == 4
        assert B.VALUE == dot(r, r) / 2 + dot(y_hat, r) == 1 + 4


def test_example_b_control():
    w = (F(4), F(4), F(0))                               # 2 x the vertex (2, 2, 0)
    r = tuple(a - b for a, b in zip(B.Y, B.fit(w)))       # (-1, -1)
    assert any(dot([a * z for z in B.Z_COLS[i]], r) != B.LAM * a for i, a in enumerate(w) if a)
