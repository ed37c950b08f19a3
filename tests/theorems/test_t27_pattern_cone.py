"""T27 -- the pattern/cone identity D X u = (X u)_+.

Claim (docs/theory.md §1.3, §5.2 T27): for every activation pattern ``D_i`` and every ``u`` in
its cone ``K_i = {u : (2 D_i - I) X u >= 0}``, ``D_i X u = (X u)_+``; this is what makes
a convex block a ReLU neuron.

Property: degenerate random rational matrices (duplicate, parallel, antiparallel, zero
rows, rank-deficient, integer grids): for every pattern at its exact witness and at
interior perturbations, and at random neurons on region boundaries (ties
``x_k . u = 0``, pattern from ``neuron_region``).
Negative control: ``u = -g_i`` (outside ``K_i``) breaks the identity for every pattern
whenever ``X`` has a nonzero row.
"""
from __future__ import annotations

from fractions import Fraction as F

from hypothesis import given

from exactrelu.testing.strategies import rational_matrices

from ._claims import T


@given(rational_matrices(n=(1, 7), d=(1, 3)))
def test_identity_on_the_cone(X):
    T.t27_check(X)


@given(rational_matrices(n=(1, 7), d=(1, 3)))
def test_negative_control_outside_the_cone(X):
    T.t27_control(X)


def test_tie_rows():
    X = [[F(1), F(0)], [F(0), F(1)], [F(1), F(-1)], [F(0), F(0)]]
    u = (F(1), F(1))                                    # x_2 . u = 0: a tie
    for bits in ("1101", "1111"):                       # both closures contain u
        assert T.in_cone(X, bits, u) and T.relu_identity(X, bits, u)
    assert not T.relu_identity(X, "1101", (F(2), F(1)))   # x_2 . (2, 1) > 0: outside K_1101
