"""T20 -- lam_max: the zero network is optimal iff lam >= lam_max.

Claim (docs/theory.md §2.2 L5, §5.2 T20): ``w = 0`` is optimal iff
``lam >= lam_max = max_b ||Π_{K_b}(s X^T D_b y)||`` (the projection onto the cone matters).

Property: ``lam_max^2`` is computed here from exact cone projections over every block
of the complete pattern list (and compared with ``exactrelu.paths.lam_max``); at a
rational ``lam >= lam_max`` zero is proved optimal (``r = y`` dual feasible, dual value
``= C(0)``), at a ``lam < lam_max`` an exact descent ``C(t v_b) < C(0)`` is exhibited.
Example A: ``lam_max = max(|a.y|, |b.y|)``.  Example B: ``lam_max = 3``.
Negative control: below ``lam_max`` the zero-optimality proof fails; and where the
unprojected variant ``max_b ||s X^T D_b y||`` is larger, zero is still optimal between
the two values (that wrong variant is refuted; a fixed instance shows it happens).
"""
from __future__ import annotations

from fractions import Fraction as F

from hypothesis import assume, given

from exactrelu.arrangement import enumerate_patterns
from exactrelu.planted import one_dimensional_instance
from exactrelu.problem import Dataset
from exactrelu.testing.strategies import datasets, one_dimensional_instances

from . import _examples as B
from ._claims import T


@given(datasets(n=(1, 6), d=(1, 3)))
def test_zero_optimal_iff_lam_at_least_lam_max(data):
    assume(any(any(x) for x in data.X))
    T.t20_check(data)


@given(datasets(n=(1, 6), d=(1, 3)))
def test_negative_control_below_lam_max(data):
    assume(any(any(x) for x in data.X))
    T.t20_control(data)


@given(one_dimensional_instances(n=(1, 6)))
def test_example_a_closed_form(inst):
    lm2, _, _ = T.lam_max_sq(inst.data, inst.patterns)
    assert lm2 == inst.lam_max ** 2
    assert (inst.m_star == 0) == (inst.lam >= inst.lam_max)
    assert (not inst.blocks) == (inst.lam >= inst.lam_max)


def test_example_b_lam_max_is_3():
    c = [sum((z * y for z, y in zip(B.Z_COLS[i], B.Y)), F(0)) for i in range(3)]
    assert max(max(a, F(0)) for a in c) == 3                        # Π_{R+}(c_i) = (c_i)_+
    assert one_dimensional_instance([1, -4], [3, F(3, 2)], 1).lam_max == 6   # Example C


def test_projection_matters():
    """An instance where the unprojected maximum is strictly larger: X = [[1, 0], [1, 1]],
    y = (1, -2).  Between the two values zero is still optimal."""
    data = Dataset.from_arrays([[1, 0], [1, 1]], [1, -2])
    ps = enumerate_patterns(data.X)
    lm2, _, raw = T.lam_max_sq(data, ps)
    assert raw > lm2
    T.t20_check(data)
    T.t20_control(data)
