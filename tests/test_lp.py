"""The exact LP / vertex module (exactrelu.lp) and the linalg kernels it sits next to."""
from __future__ import annotations

from fractions import Fraction as F

import pytest

from exactrelu.errors import ExactReluError
from exactrelu.linalg import (column_solve, kernel, least_norm_solution, null_basis, primitive,
                              primitive_scaled)
from exactrelu.lp import nonneg_combination, solve, vertices


def test_solve_max_min_and_offset():
    # max x + 2y s.t. x + y <= 3, y <= 2, x, y >= 0  ->  (1, 2), value 5 (+ offset 1/2)
    A = [[F(-1), F(-1)], [F(0), F(-1)]]
    b = [F(-3), F(-2)]
    assert solve([F(1), F(2)], A_ge=A, b_ge=b, nonneg=True, maximize=True,
                 offset=F(1, 2)) == (F(11, 2), [F(1), F(2)])
    assert solve([F(1), F(2)], A_ge=A, b_ge=b, nonneg=True) == (F(0), [F(0), F(0)])
    # unbounded (free variable, no bound) and infeasible
    assert solve([F(1)], A_ge=[[F(1)]], b_ge=[F(0)], maximize=True) is None
    assert solve([F(1)], A_eq=[[F(1)]], b_eq=[F(-1)], nonneg=True) is None


def test_nonneg_combination_example_b():
    cols = [(F(1), F(0)), (F(0), F(1)), (F(1, 2), F(1, 2))]
    al = nonneg_combination(cols, (F(2), F(2)))                 # min sum alpha: the 3rd alone
    assert al == [F(0), F(0), F(4)]
    assert nonneg_combination(cols, (F(2), F(2)), [F(0), F(0), F(1)], maximize=False) == \
        [F(2), F(2), F(0)]
    assert nonneg_combination(cols, (F(-1), F(0))) is None
    assert nonneg_combination([], (F(0),)) == [] and nonneg_combination([], (F(1),)) is None


def test_vertices_and_unbounded():
    # {x >= 0 : x1 + x2 + 2 x3 = 2}: vertices (2,0,0), (0,2,0), (0,0,1)
    V = vertices([[F(1), F(1), F(2)]], [F(2)], 3)
    assert sorted(V) == [(F(0), F(0), F(1)), (F(0), F(2), F(0)), (F(2), F(0), F(0))]
    with pytest.raises(ExactReluError, match="unbounded"):
        vertices([[F(1), F(-1)]], [F(0)], 2)


def test_primitive_vectors():
    assert primitive([4, -6, 0]) == (2, -3, 0)
    assert primitive([-4, 6], orient=True) == (2, -3)
    assert primitive([0, 0]) == (0, 0)
    assert primitive_scaled([F(-1, 2), F(3, 4)]) == ((-2, 3), F(1, 4))
    assert primitive_scaled([F(0)]) is None


def test_kernel_least_norm_column_solve():
    rows = [[F(1), F(1), F(0)]]
    K = kernel(rows, 3)
    assert len(K) == 2 and all(sum(a * b for a, b in zip(rows[0], k)) == 0 for k in K)
    assert kernel([], 2) == [(1, 0), (0, 1)]
    assert null_basis([(F(1), F(0)), (F(0), F(1)), (F(2), F(2))]) == [(2, 2, -1)]
    assert least_norm_solution(rows, [F(2)], 3) == [F(1), F(1), F(0)]
    assert least_norm_solution([[F(1)], [F(1)]], [F(1), F(2)], 1) is None   # inconsistent
    assert column_solve([(F(1), F(1)), (F(0), F(1))], (F(2), F(5))) == [F(2), F(3)]
    assert column_solve([(F(1), F(0))], (F(0), F(1))) is None                 # outside span
    assert column_solve([(F(1), F(0)), (F(2), F(0))], (F(1), F(0))) is None  # dependent
