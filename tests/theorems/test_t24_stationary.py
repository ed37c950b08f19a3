"""T24 -- stationary points are optima of sub-sampled convex programs.

Claim (docs/theory.md §2.6, §5.2 T24): a (Clarke) stationary network is an optimum of the convex
program restricted to its own neurons' patterns; it is a global optimum iff that
program's dual is feasible for every pattern.

Property: Example C (x = (1, -4), y = (3, 3/2)) with ``lam = 6 - 16 q^2`` for random
rational ``q``; the 1-neuron network ``(-q, q)`` has gradient exactly 0 (formula written
out in the claim, independent of the library), its NC value equals the exact optimum of
the program sub-sampled to its pattern ``01``, it is global iff ``lam >= 3`` (certify
proves lower == upper then, else names the block of point 1), and below ``lam = 2`` it
is worse than the other 1-neuron branch: a spurious local minimum.
Negative control: a perturbed network is not stationary, and a perturbed residual is
not accepted as the sub-sampled optimum.
"""
from __future__ import annotations

from fractions import Fraction as F

from hypothesis import given, strategies as st

from ._claims import T

qs = st.builds(F, st.integers(1, 60), st.integers(2, 100)).filter(lambda q: 16 * q * q < 6)


@given(qs)
def test_stationary_is_subsampled_optimum(q):
    T.t24_check(T.Stationary(q))


@given(qs)
def test_negative_control(q):
    T.t24_control(T.Stationary(q))


def test_theory_instance():
    """lam = 6/25, (W1, w2) = (-3/5, 3/5): value 22941/5000 > 9081/5000, the 1-neuron
    optimum (the other branch): a spurious local minimum (docs/theory.md §5.2 T24)."""
    inst = T.Stationary(F(3, 5))
    assert inst.lam == F(6, 25)
    T.t24_check(inst)
    from exactrelu.networks import Network
    from exactrelu.problem import Dataset

    data = Dataset.from_arrays(T.EXAMPLE_C_X, T.EXAMPLE_C_Y)
    assert Network.from_values([[F(-3, 5)]], [F(3, 5)]).nc_objective(data, inst.lam) == \
        F(22941, 5000)
    assert F(45, 8) - (3 - inst.lam) ** 2 / 2 == F(9081, 5000)     # the other branch
