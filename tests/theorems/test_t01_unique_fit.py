"""T1 -- the optimal fit is unique.

Claim (docs/theory.md §2.2 L1, test list §5.2 T1): ``ŷ = Z w`` is the same for every optimal
``w`` (the loss is strictly convex in the fit and the penalty convex), although the
weights need not be unique.

Property: on planted instances (unique and non-unique optimal sets) every optimal point
we can reach -- the planted one, every vertex of the optimal polytope (cdd), convex
combinations, and the optimum found independently by the float solver plus the exact
KKT proof -- is proved optimal by its exact objective equalling the certified optimum,
and all have the same fit.  Example B: (2, 2, 0) and (0, 0, 4) both fit (2, 2).
Negative control: a point with a different fit is detected as non-optimal, and on
non-unique instances optimal points with different weights exist (so "same fit" is not
the trivial consequence of "same weights").
"""
from __future__ import annotations

from fractions import Fraction as F

import pytest
from hypothesis import given

from exactrelu.testing.strategies import planted_instances

from . import _examples as B
from ._claims import ClaimFailure, T


@given(planted_instances())
def test_every_optimal_point_has_the_same_fit(p):
    T.t1_check(p)


@given(planted_instances())
def test_negative_control_other_fits_are_not_optimal(p):
    T.t1_control(p)


def test_example_b_two_vertices_one_fit():
    a, b = B.OPTIMAL[0], B.OPTIMAL[3]          # (2, 2, 0) and (0, 0, 4)
    assert a != b
    assert B.objective(a) == B.objective(b) == B.VALUE
    assert B.fit(a) == B.fit(b) == (F(2), F(2))
    for w in B.OPTIMAL:
        assert B.objective(w) == 5 and B.fit(w) == (2, 2)


def test_example_b_other_fit_is_worse():
    w = (F(3), F(3), F(0))                         # fit (3, 3): zero loss, penalty 6
    assert B.fit(w) != (2, 2) and B.objective(w) > B.VALUE


def test_control_catches_a_planted_bug(monkeypatch):
    """The check fails when an 'optimal point' with another fit is smuggled in."""
    p = T.make_planted(T.random.Random(3), unique=False)
    real = T.optimal_points

    def corrupted(os_, rng, **kw):
        pts = real(os_, rng, **kw)
        return pts + [("bogus", T.scale_blocks(os_.p.blocks, F(1, 2)))]

    monkeypatch.setattr(T, "optimal_points", corrupted)
    with pytest.raises(ClaimFailure):
        T.t1_check(p)
