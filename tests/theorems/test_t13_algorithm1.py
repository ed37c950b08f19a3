"""T12/T13 -- Algorithm 1 ("Optimal Pruning") returns an optimal minimal solution.

Claim (docs/theory.md §2.10, §5.2 T12-T13): from an optimal ``w0``, repeatedly taking a null
vector ``beta`` of the active fits, orienting it so that its largest ``|beta_i|`` is
positive and scaling block ``i`` by ``1 - t beta_i`` with ``t = 1 / max beta`` keeps the
fit and the objective, zeroes at least one block per step, and ends after at most
``|A(w0)| - 1`` steps at an optimal point with linearly independent active fits.
Example B (T12): from (4/3, 4/3, 4/3) one step gives (2, 2, 0).

Property: ``exactrelu.pruning.prune_convex`` from a relative-interior optimal point of
planted instances; the result is re-checked independently (exact fit, exact objective
``= p*``, exact rank, each block a positive multiple of its start).
Negative control: the literal step ``t = 1/|beta_i*|`` without the sign flip prunes
nothing (Example B: (2/3, 2/3, 8/3)) and ``t = 2 / max|beta|`` leaves the cone; on unique
instances a direction that is not a null vector changes the fit.
"""
from __future__ import annotations

from fractions import Fraction as F

import pytest
from hypothesis import given

from exactrelu.testing.strategies import planted_instances

from . import _examples as B
from ._claims import T

pruning = pytest.importorskip("exactrelu.pruning")


@given(planted_instances())
def test_algorithm1_output_is_optimal_and_minimal(p):
    T.t13_check(p)


@given(planted_instances())
def test_negative_control_wrong_steps(p):
    T.t13_control(p)


def test_example_b_one_step():
    w0 = [(F(4, 3),)] * 3
    fits = [tuple(F(4, 3) * z for z in B.Z_COLS[i]) for i in range(3)]
    res = pruning.prune_convex(w0, fits)
    assert res.steps == 1 and res.removed == (2,)
    assert res.blocks == [(F(2),), (F(2),)]
    w = (F(2), F(2), F(0))
    assert B.objective(w) == B.VALUE and B.fit(w) == B.fit((F(4, 3),) * 3)
    assert pruning.step_factors([1, 1, -2]).factors == (F(3, 2), F(3, 2), F(0))
    assert pruning.step_factors([-1, -1, 2]).factors == (F(3, 2), F(3, 2), F(0))


def test_example_b_control_unflipped_step():
    beta = [F(1), F(1), F(-2)]                            # null vector of the active fits
    t = 1 / abs(beta[2])                                  # literal t = 1/|beta_i*|, no flip
    w = tuple(F(4, 3) * (1 - t * b) for b in beta)
    assert w == (F(2, 3), F(2, 3), F(8, 3))               # optimal, but nothing pruned
    assert B.objective(w) == B.VALUE and all(w)
