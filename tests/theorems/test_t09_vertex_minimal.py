"""T9/T10 -- vertices, independent active fits and support-minimal solutions coincide.

Claim (docs/theory.md §2.9, §5.2 T9-T10): for an optimal ``alpha`` (polytope coordinates),
(i) the active fits ``{Z_b v_b : alpha_b > 0}`` are linearly independent
<=> (ii) ``alpha`` is a vertex of the optimal polytope
<=> (iii) ``alpha`` is support-minimal (no optimal point has a strictly smaller support).
Support-minimal is NOT cardinality-minimal (T10).

Property: the three predicates are computed independently -- (i) exact rank (flint),
(ii) membership in cdd's vertex list, (iii) one exact LP per dropped block -- on every
vertex, every midpoint of two vertices and the planted point of non-unique planted
instances.  Example B: (2, 2, 0) and (0, 0, 4) are vertices, (4/3, 4/3, 4/3) is not.
Negative control: a duplicated support column makes a split point that all three
predicates must reject; and on Example B the wrong variant "support-minimal <=>
cardinality-minimal" is refuted ((2, 2, 0) is support-minimal with 2 blocks, (0, 0, 4)
has 1).
"""
from __future__ import annotations

from fractions import Fraction as F

from hypothesis import given

from exactrelu.testing.strategies import planted_instances

from . import _examples as B
from ._claims import T


@given(planted_instances(unique=False))
def test_three_notions_agree(p):
    T.t9_check(p)


@given(planted_instances())
def test_negative_control_split_column(p):
    T.t9_control(p)


def test_example_b():
    pts = [B.alpha(w) for w in B.OPTIMAL]
    T.t9_equivalence(B.Z_COLS, B.fit(B.OPTIMAL[0]), pts)
    target = B.fit(B.OPTIMAL[0])
    verdict = [(T.independent_support(B.Z_COLS, a), T.support_minimal(B.Z_COLS, target, a))
               for a in pts]
    assert verdict == [(True, True), (False, False), (False, False), (True, True)]


def test_example_b_support_minimal_is_not_cardinality_minimal():
    target = B.fit(B.OPTIMAL[0])
    verts = T.polytope_vertices(B.Z_COLS, target)
    assert sorted(len(v) for v in verts) == [1, 2]                     # T10
    fewest = min(len(v) for v in verts)
    two = {0: F(2), 1: F(2)}
    assert T.support_minimal(B.Z_COLS, target, two) and len(two) > fewest
