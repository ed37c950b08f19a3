from fractions import Fraction as F

import pytest
from hypothesis import given, strategies as st

from exactrelu.algebraic import compare_sum_sqrt, sign_sum_sqrt, sqrt_classes
from exactrelu.errors import DomainError, NotExactError
from exactrelu.numbers import (exact_sqrt, from_float, parse_rational, q_str, sqrt_bounds,
                               to_q)


@pytest.mark.parametrize("text,value", [
    ("3", F(3)), ("-0.125", F(-1, 8)), ("1e-3", F(1, 1000)), ("3/8", F(3, 8)),
    ("-3/8", F(-3, 8)), ("+2.5E+2", F(250)), (".5", F(1, 2)), ("5.", F(5)), (" 7 ", F(7)),
    ("0.1", F(1, 10)), ("-0", F(0)), ("6/4", F(3, 2)), ("1e400", F(10) ** 400),
])
def test_parse_exact(text, value):
    assert parse_rational(text) == value


@pytest.mark.parametrize("text,why", [
    ("", "empty"), ("nan", "finite"), ("inf", "finite"), ("-Infinity", "finite"),
    ("1/0", "zero"), ("abc", "not a number"), ("1e99999", "exponent"), ("0x10", "not a number"),
    ("1_000", "not a number"), ("1/2/3", "not a number"), ("1.5/2", "not a number"),
    ("--1", "not a number"), ("1 2", "not a number"),
])
def test_parse_rejects(text, why):
    with pytest.raises(ValueError, match=why):
        parse_rational(text)


def test_floats_only_explicitly():
    with pytest.raises(NotExactError, match="from_float"):
        to_q(0.1)
    assert to_q(0.1, allow_float=True) == F(3602879701896397, 36028797018963968)
    assert from_float(0.5) == F(1, 2)
    with pytest.raises(DomainError):
        from_float(float("nan"))
    import numpy as np
    assert to_q(np.int64(3)) == 3
    with pytest.raises(NotExactError):
        to_q(np.float64(0.5))
    with pytest.raises(NotExactError):
        to_q(True)


@given(st.fractions())
def test_q_str_roundtrip(q):
    s = q_str(q)
    assert F(s) == q and str(F(s)) == s and parse_rational(s) == q


@given(st.fractions(min_value=0, max_denominator=10**6), st.integers(8, 200))
def test_sqrt_bounds(q, bits):
    lo, hi = sqrt_bounds(q, bits)
    assert lo >= 0 and lo * lo <= q <= hi * hi
    assert hi - lo <= max(F(1), hi) * F(1, 2 ** (bits - 1))


def test_exact_sqrt():
    assert exact_sqrt(F(9, 4)) == F(3, 2)
    assert sqrt_bounds(F(9, 4)) == (F(3, 2), F(3, 2))
    with pytest.raises(DomainError):
        exact_sqrt(F(2))


def test_sum_sqrt_signs():
    assert sign_sum_sqrt([(1, 8), (-2, 2)]) == 0             # sqrt 8 = 2 sqrt 2
    assert sign_sum_sqrt([(1, F(50, 9)), (F(-5, 3), 2)]) == 0
    assert sign_sum_sqrt([(1, 2), (1, 3), (-1, F(31462643699419723, 10 ** 16))]) == 1
    near = F(31462643699419724, 10 ** 16)                    # sqrt2 + sqrt3 = 3.14626436994197234...
    assert sign_sum_sqrt([(1, 2), (1, 3), (-1, near * near)]) == -1
    assert compare_sum_sqrt([(1, 2)], [(1, F(2))]) == 0
    assert sqrt_classes([(F(1), F(12)), (F(-2), F(3))]) == []       # sqrt 12 = 2 sqrt 3
    assert sqrt_classes([(F(1), F(12)), (F(-1), F(3))]) == [(F(1, 2), 12)]   # = sqrt 3


@given(st.lists(st.tuples(st.integers(-5, 5), st.integers(0, 30)), max_size=6))
def test_sum_sqrt_sign_matches_high_precision(terms):
    import mpmath
    mpmath.mp.dps = 60
    approx = sum(c * mpmath.sqrt(q) for c, q in terms)
    s = sign_sum_sqrt(terms)
    if abs(approx) > mpmath.mpf(10) ** -40:
        assert s == (1 if approx > 0 else -1)
    else:
        assert s == 0


def test_enclose_sum_sqrt_both_signs():
    from exactrelu.algebraic import enclose_sum_sqrt

    lo, hi = enclose_sum_sqrt(F(1), [(2, 2), (-3, 3)], bits=40)
    v = 1 + 2 * 2 ** 0.5 - 3 * 3 ** 0.5
    assert lo <= hi and float(lo) <= v <= float(hi) and hi - lo < F(1, 2 ** 30)
    assert enclose_sum_sqrt(F(1, 2), [(3, F(9, 4)), (-1, 4)]) == (F(3), F(3))


def test_sign_sum_sqrt_exact_zero_with_unfactorable_radicands():
    """A sum that is exactly zero, with ~600-bit radicands (products of two ~300-bit
    primes would take flint's factor minutes): decided 0 by square-ratio classes; a
    perturbation by 2^-400 is decided nonzero with the right sign (negative control)."""
    from fractions import Fraction as F

    from exactrelu.algebraic import sign_sum_sqrt, sqrt_classes

    p = 2 ** 301 + 1   # not factored below: only isqrt of products is used
    q = 3 ** 190 + 2
    N = p * q
    # 3 sqrt(4N) - 6 sqrt(N) + sqrt(N/9) * 3 - sqrt(N) = 0
    terms = [(F(3), F(4 * N)), (F(-6), F(N)), (F(3), F(N, 9)), (F(-1), F(N))]
    assert sign_sum_sqrt(terms) == 0
    assert sqrt_classes(terms) == []
    assert sign_sum_sqrt(terms + [(F(1, 2 ** 400), F(2))]) == 1
    assert sign_sum_sqrt(terms + [(F(-1, 2 ** 400), F(2))]) == -1
    # two classes, independent: sqrt(2 N) and sqrt(N) never cancel
    assert len(sqrt_classes([(F(1), F(2 * N)), (F(1), F(N))])) == 2
