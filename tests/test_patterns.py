"""Activation patterns: exact, complete, and correct on degenerate data."""
import random
from fractions import Fraction as F

import pytest
from hypothesis import given, strategies as st

from exactrelu.errors import ShapeError
from exactrelu.arrangement import (enumerate_patterns, is_general_position, network_patterns,
                                neuron_region, region_count_general_position, sample_patterns)
from exactrelu.testing.oracles import region_count_zaslavsky, regions_by_lp


def _check_witnesses(X, ps):
    for b, g in zip(ps.bits, ps.witnesses):
        for k, x in enumerate(X):
            v = sum(F(a) * c for a, c in zip(x, g))
            if not any(x):
                assert b[k] == "1"
            else:
                assert v != 0 and (b[k] == "1") == (v > 0)


def test_small_by_hand():
    # two independent rows in the plane: four quadrants
    ps = enumerate_patterns([[1, 0], [0, 1]])
    assert set(ps.bits) == {"11", "10", "01", "00"}
    # antiparallel and duplicate rows share a hyperplane
    ps = enumerate_patterns([[1, 2], [-2, -4], [1, 2]])
    assert set(ps.bits) == {"101", "010"}
    # zero row is always active
    ps = enumerate_patterns([[0, 0], [1, 1]])
    assert set(ps.bits) == {"11", "10"}
    # all rows zero: one region (the whole space)
    ps = enumerate_patterns([[0, 0], [0, 0]])
    assert ps.bits == ("11",)


def test_one_dimensional():
    ps = enumerate_patterns([[F(1)], [F(-4)], [F(0)], [F(3, 2)]])
    assert set(ps.bits) == {"1011", "0110"}


degenerate = [
    [[1, 0, 1], [0, 1, 1], [1, 1, 2], [2, 0, 2], [-1, -1, -2], [0, 0, 0], [1, -1, 0]],  # rank 2
    [[a, b, 1] for a in range(-1, 2) for b in range(-1, 2)],                              # 3x3 grid + bias
    [[a, b] for a in range(-2, 3) for b in range(-2, 3)],                                 # grid incl. 0
    [[1, 2, 3, 4]] * 4 + [[0, 1, 0, 1]],                                                  # repeated rows
    [[F(1, 3), F(-2, 7)], [F(2, 3), F(-4, 7)], [F(-1, 3), F(2, 7)]],                     # fractions, parallel
]


@pytest.mark.parametrize("X", degenerate)
def test_degenerate_against_lp_oracle(X):
    ps = enumerate_patterns(X)
    assert set(ps.bits) == regions_by_lp(X)
    assert len(set(ps.bits)) == len(ps.bits)
    _check_witnesses(X, ps)


small_int = st.integers(-2, 2)


@given(st.integers(1, 7).flatmap(lambda n: st.integers(1, 3).flatmap(
    lambda d: st.lists(st.lists(small_int, min_size=d, max_size=d), min_size=n, max_size=n))))
def test_random_small_against_lp_oracle(X):
    ps = enumerate_patterns(X)
    assert set(ps.bits) == regions_by_lp(X)
    _check_witnesses(X, ps)


@given(st.integers(6, 14).flatmap(lambda n: st.integers(2, 4).flatmap(
    lambda d: st.lists(st.lists(small_int, min_size=d, max_size=d), min_size=n, max_size=n))))
def test_count_against_zaslavsky(X):
    """A third, enumeration-free oracle: the region count from the intersection lattice
    (Zaslavsky), on degenerate grid data too large for the LP oracle to be quick."""
    assert len(enumerate_patterns(X)) == region_count_zaslavsky(X)


def test_zaslavsky_oracle_known_counts():
    assert region_count_zaslavsky([[1, 0], [0, 1], [1, 1]]) == 6
    assert region_count_zaslavsky([[1, 0, 0], [0, 1, 0], [0, 0, 1]]) == 8      # octants
    assert region_count_zaslavsky([[1, 0], [2, 0], [-3, 0], [0, 0]]) == 2      # one line
    assert region_count_zaslavsky([[0, 0]]) == 1
    # 4 general planes in R^3: 2 + 4 * 3 = 14; three of them through one line: 12
    assert region_count_zaslavsky([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]]) == 14
    assert region_count_zaslavsky([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1]]) == 12


@pytest.mark.parametrize("n,d,seed", [(8, 2, 1), (12, 3, 2), (15, 4, 3), (9, 5, 4), (20, 3, 5)])
def test_general_position_count(n, d, seed):
    rng = random.Random(seed)
    while True:
        X = [[F(rng.randint(-50, 50), rng.randint(1, 9)) for _ in range(d)] for _ in range(n)]
        if is_general_position(X):
            break
    ps = enumerate_patterns(X)
    assert len(ps) == region_count_general_position(n, d)
    _check_witnesses(X, ps)


def test_general_position_test_is_exact():
    assert not is_general_position([[1, 2], [2, 4], [1, 0]])
    assert not is_general_position([[1, 2], [0, 0], [1, 0]])
    assert is_general_position([[1, 2], [3, 4], [1, 0]])
    assert not is_general_position([[1, 2, 3]])          # n < d


def test_count_formula():
    assert region_count_general_position(30, 4) == 8180
    assert region_count_general_position(30, 5) == 55682
    assert region_count_general_position(1, 3) == 2


def test_shapes():
    with pytest.raises(ShapeError):
        enumerate_patterns([])
    with pytest.raises(ShapeError):
        enumerate_patterns([[1, 2], [3]])


def test_sampled_patterns_are_regions():
    rng = random.Random(7)
    X = [[F(rng.randint(-9, 9)) for _ in range(3)] for _ in range(15)]
    full = set(enumerate_patterns(X).bits)
    s1 = sample_patterns(X, 200, seed=3)
    s2 = sample_patterns(X, 200, seed=3)
    assert s1.bits == s2.bits and not s1.complete
    assert set(s1.bits) <= full and len(set(s1.bits)) == len(s1.bits)
    _check_witnesses(X, s1)


def test_neuron_region_ties():
    X = [[1, 0], [0, 1], [1, -1], [-1, 1]]
    # w = (1, 1) is orthogonal to rows 2 and 3 (a tie on an antiparallel pair)
    bits, g = neuron_region(X, [1, 1])
    assert bits[:2] == "11" and bits[2] != bits[3]
    assert bits in set(enumerate_patterns(X).bits)
    ps, owner = network_patterns(X, [[1, 1], [2, 2], [-1, 0]])
    assert owner[0] == owner[1] and len(ps) == 2


def test_as_array():
    ps = enumerate_patterns([[1, 0], [0, 1]])
    A = ps.as_array()
    assert A.shape == (4, 2)
    assert ["".join("1" if v else "0" for v in row) for row in A] == list(ps.bits)


def test_sample_progress_is_off_in_the_library_and_on_in_the_cli(capsys, monkeypatch):
    """--sample draws up to 100,000 gates: the CLI shows a bar (tqdm, after its delay),
    the library and --json never do."""
    import tqdm

    from exactrelu.arrangement import sample_patterns

    seen = []
    real = tqdm.tqdm

    def spy(*a, **k):
        seen.append(k.get("disable"))
        k["delay"] = 0
        return real(*a, **k)

    monkeypatch.setattr(tqdm, "tqdm", spy)
    X = [[1, 2], [3, -1], [-2, 5], [4, 4]]
    sample_patterns(X, 50, seed=1)
    assert seen == [True] and capsys.readouterr().err == ""
    sample_patterns(X, 50, seed=1, progress=None)
    assert seen[-1] is False and "sample" in capsys.readouterr().err
