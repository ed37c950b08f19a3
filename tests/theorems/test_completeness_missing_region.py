"""The completeness proof rejects any pattern list missing a region.

Claim (certificate format v1, check 2; ``exactrelu.certificate.completeness``): a
completeness proof exists only for a list holding every region, so for the list of all
patterns minus any one region ``completeness_proof`` raises, and the full list's proof
(re-indexed, Gordan or general-position route) fails ``verify_completeness``.

Property: degenerate and general-position random matrices, every dropped region (up to
10 per matrix).
Negative control: the rejections are not indiscriminate -- the complete list, shuffled,
with a freshly built proof on either route, verifies.
"""
from __future__ import annotations

from hypothesis import given, strategies as st

from exactrelu.testing.strategies import general_position_matrices, rational_matrices

from ._claims import T

matrices = st.one_of(rational_matrices(n=(1, 6), d=(1, 3)),
                     general_position_matrices(n=(1, 6), d=(1, 3)))


@given(matrices)
def test_missing_region_is_rejected(X):
    T.completeness_check(X)


@given(matrices)
def test_negative_control_complete_list_accepted(X):
    T.completeness_control(X)
