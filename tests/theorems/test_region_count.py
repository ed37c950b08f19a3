"""General-position region count.

Claim (docs/theory.md §1.3; general-position route of check 2 in
``docs/spec/certificate-v1.md``; Cover 1965, Winder 1966): ``n`` central
hyperplanes in general position in ``R^d`` (every ``d`` normals independent) cut it into
``2 * sum_{k<d} C(n-1, k)`` regions, i.e. that many activation patterns; for any ``h``
distinct hyperplanes that number (with ``n = h``) is an upper bound.

Property: general-position matrices give exactly the formula; degenerate matrices give
exactly the regions of an independent exact-LP enumerator
(``exactrelu.testing.oracles.regions_by_lp``), at most the bound for their distinct
hyperplanes; the exact minor test here agrees with ``is_general_position``.
Negative control: adding a row antiparallel to an existing one (or a zero row) keeps the
regions, fails the general-position test, and the formula for ``n + 1`` rows over-counts
(``d >= 2``): the formula is wrong without the test.
"""
from __future__ import annotations

from hypothesis import given

from exactrelu.testing.strategies import general_position_matrices, rational_matrices

from ._claims import T


@given(general_position_matrices(n=(1, 7), d=(1, 3)))
def test_general_position_count(X):
    T.regions_check(X)


@given(rational_matrices(n=(1, 6), d=(1, 3)))
def test_degenerate_counts_match_the_oracle(X):
    T.regions_check(X)


@given(general_position_matrices(n=(2, 7), d=(2, 3)))
def test_negative_control_parallel_row(X):
    T.regions_control(X)


@given(rational_matrices(n=(1, 6), d=(1, 3)))
def test_negative_control_degenerate(X):
    T.regions_control(X)
