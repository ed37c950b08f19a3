"""T5 -- the optimal set is exactly a polytope.

Claim (docs/theory.md §2.4, §5.2 T5): with ``v_b = Π_{K_b}(Z_b^T r̂)`` and the equicorrelation
set ``E = {b : ||v_b|| = lam}``,
``W* = {w : w_b = alpha_b v_b, alpha_b >= 0 (b in E), w_b = 0 (b not in E),
sum_b alpha_b Z_b v_b = ŷ}``.

Property (both inclusions, exact): on planted instances, ``E`` recomputed from exact
cone projections equals the planted support; every vertex of the polytope (cdd) and
random convex combinations of them have objective exactly ``p*`` (so the polytope is
inside ``W*``); and every optimum found otherwise -- planted, the exact LP of
``exact_optimum_at``, the float solve plus exact KKT proof -- has the polytope's form
(``W*`` inside the polytope).  Example B: the whole segment is optimal.
Negative control: points off the description -- alpha off ``M alpha = ŷ``, mass on a
block outside ``E``, a negative alpha -- are not optimal.
"""
from __future__ import annotations

from fractions import Fraction as F

from hypothesis import given, strategies as st

from exactrelu.testing.strategies import planted_instances

from . import _examples as B
from ._claims import T


@given(planted_instances())
def test_polytope_is_the_optimal_set(p):
    T.t5_check(p)


@given(planted_instances())
def test_negative_control_points_off_the_polytope(p):
    T.t5_control(p)


@given(st.fractions(min_value=0, max_value=4, max_denominator=12))
def test_example_b_segment(t):
    s = 3 - B.LAM
    w = (s - t / 2, s - t / 2, t)
    assert B.objective(w) == B.VALUE
    verts = T.polytope_vertices(B.Z_COLS, B.fit(w))
    assert sorted(sorted(v.items()) for v in verts) == [[(0, 2), (1, 2)], [(2, 4)]]


@given(st.fractions(min_value=F(1, 10), max_value=2, max_denominator=12))
def test_example_b_control_off_the_fit(delta):
    assert B.objective((F(2) + delta, F(2), F(0))) > B.VALUE
