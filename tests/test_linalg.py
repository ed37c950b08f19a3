"""The Fraction <-> flint boundary and the modular full-rank shortcut (exactrelu.linalg)."""
from __future__ import annotations

from fractions import Fraction as F

import flint
from hypothesis import given, strategies as st

from exactrelu.linalg import _PRIME, full_rank_mod_p, independent_rows, int_rows, null_basis, rank


def test_int_rows_scales_each_row():
    M = int_rows([[F(1, 2), F(1, 3)], [F(2), F(-5, 4)]])
    assert M.tolist() == [[3, 2], [8, -5]]


def test_full_rank_mod_p_cases():
    assert full_rank_mod_p(flint.fmpz_mat([[1, 2], [3, 4]])) == [0, 1]
    assert full_rank_mod_p(flint.fmpz_mat([[1, 2, 3], [2, 4, 7]])) == [0, 2]
    assert full_rank_mod_p(flint.fmpz_mat([[1, 2], [2, 4]])) is None          # singular
    # full rank over Q, singular modulo p: the shortcut declines, exact code decides
    M = flint.fmpz_mat([[_PRIME, 0], [0, 1]])
    assert full_rank_mod_p(M) is None and M.rank() == 2
    assert rank([(F(_PRIME), F(0)), (F(0), F(1))]) == 2
    assert independent_rows([[F(_PRIME), F(0)], [F(0), F(1)]], 2) == [0, 1]


small = st.integers(-3, 3)


@given(st.integers(1, 5).flatmap(lambda n: st.integers(1, 5).flatmap(
    lambda d: st.lists(st.lists(small, min_size=d, max_size=d), min_size=n, max_size=n))),
    st.integers(0, 80))
def test_rank_and_kernel_agree_with_exact(rows, shift):
    """Against flint's exact rank on rows scaled by 2^shift / 3 (big, non-integral)."""
    q = [[F(a << shift, 3) for a in r] for r in rows]
    exact = flint.fmpz_mat(rows).rank()
    cols = [tuple(r[j] for r in q) for j in range(len(q[0]))]
    assert rank(cols, len(q)) == exact
    piv = independent_rows(q, len(q[0]))
    assert len(piv) == exact and flint.fmpz_mat([rows[i] for i in piv]).rank() == exact
    assert len(null_basis(cols, len(q))) == len(cols) - exact
    fast = full_rank_mod_p(flint.fmpz_mat(rows))
    assert (fast is not None) == (exact == min(len(rows), len(rows[0])))
