"""Completeness proofs (certificate check 2): exact, fast, and they fail on an incomplete list."""
import random
from fractions import Fraction as F

import pytest
from hypothesis import given, strategies as st

import exactrelu.certificate._gordan_float_guess as guess
from exactrelu.certificate.completeness import (CompletenessProof, GordanEntry,
                                                completeness_proof, proof_from_json,
                                                verify_completeness)
from exactrelu.errors import ExactReluError
from exactrelu.arrangement import enumerate_patterns, is_general_position

# ------------------------------------------------------------------------ data sets

GRID_BIAS = [[a, b, 1] for a in range(-2, 3) for b in range(-2, 3)]
DEGENERATE = {
    # parallel, antiparallel, duplicate and zero rows, rational entries
    "parallel": [[1, 2], [2, 4], [-1, -2], [1, 2], [0, 0], [1, 0], [0, 1], [1, 1]],
    "antiparallel_3d": [[1, 0, 1], [-2, 0, -2], [0, 1, 1], [0, -3, -3], [1, 1, 0],
                        [F(1, 2), F(1, 2), 0], [1, -1, 0], [0, 0, 0]],
    # rank 2 in R^4 (the regions' cones contain the 2-dimensional kernel)
    "rank_deficient": [[1, 2, 3, 4], [2, 4, 6, 8], [-1, -2, -3, -4], [1, 0, 1, 0],
                       ["1/2", 1, "3/2", 2], [2, 2, 4, 4], [0, 0, 0, 0], [3, 2, 5, 4]],
    "rank_one": [[1, -1, 2], [-2, 2, -4], [0, 0, 0], [3, -3, 6]],
    "all_zero": [[0, 0], [0, 0]],
    "one_column": [[1], [-2], [0], [F(3, 7)]],
    "grid_bias": GRID_BIAS,
    "grid_no_bias": [[a, b] for a in range(-2, 3) for b in range(-2, 3)],
    "three_concurrent_bias": [[a, 0, 1] for a in (-1, 0, 1, 2)] + [[0, b, 1] for b in (-1, 1)]
                             + [[1, 1, 0], [1, 1, 1]],
}


def _rand(n, d, lo, hi, seed):
    rng = random.Random(seed)
    return [[rng.randint(lo, hi) for _ in range(d)] for _ in range(n)]


def _proved(X, route="auto"):
    ps = enumerate_patterns(X)
    pr = completeness_proof(X, ps, route=route)
    verify_completeness(X, ps.bits, pr)
    return ps, pr


def _drop(ps, pr, j):
    """The list without pattern ``j`` and the full-list proof re-indexed to it."""
    bits = ps.bits[:j] + ps.bits[j + 1:]
    entries = [GordanEntry(e.pattern - (e.pattern > j), e.flip, e.y)
               for e in pr.gordan if e.pattern != j]
    return bits, CompletenessProof(False, entries)


# ------------------------------------------------------------------------- accepted

@pytest.mark.parametrize("name", sorted(DEGENERATE))
def test_gordan_proof_verifies_on_degenerate_data(name):
    X = DEGENERATE[name]
    ps, pr = _proved(X, route="gordan")
    assert not pr.general_position
    # every entry: flip is a whole parallel class, y >= 0 on nonzero rows only
    zero = {k for k, x in enumerate(X) if not any(F(v) for v in x)}
    for e in pr.gordan:
        assert list(e.flip) == sorted(e.flip)
        assert all(isinstance(v, F) and v >= 0 for v in e.y.values())
        assert not zero & set(e.y)
    # auto agrees (these are not in general position, except where stated)
    pa = completeness_proof(X, ps)
    verify_completeness(X, ps.bits, pa)


def test_random_degenerate_integer_data():
    for seed, (n, d) in enumerate([(20, 3), (15, 4), (12, 2), (10, 5)]):
        X = _rand(n, d, -3, 3, seed)
        ps, pr = _proved(X)
        if not is_general_position(X):
            assert not pr.general_position and (pr.gordan or len(ps) <= 2)


def test_huge_and_rational_entries():
    """Entries far beyond int64 / float range (exact object paths) and scaled rows."""
    rng = random.Random(11)
    big = [[rng.randint(-2 ** 70, 2 ** 70) for _ in range(3)] for _ in range(6)]
    big += [[-2 * v for v in big[0]], [F(v, 3 ** 40) for v in big[1]]]
    mid = _rand(7, 3, -2 ** 25, 2 ** 25, 5)          # int64 rows, Python-int adjugates
    huge = [[v * 10 ** 400 + 1 for v in row] for row in _rand(5, 3, -2, 2, 4)]
    for X in (big, mid, huge):
        ps, pr = _proved(X, route="gordan")
        assert pr.stats["lp_walls"] == 0
        _proved(X)


def test_entries_are_integers_for_integer_primitive_rows():
    ps, pr = _proved(GRID_BIAS, route="gordan")
    assert pr.gordan
    assert all(v.denominator == 1 for e in pr.gordan for v in e.y.values())
    assert pr.stats["nonwall_pairs"] == len(pr.gordan)


def test_general_position_route_chosen_when_it_applies():
    X = [[3, 1, -2], [1, 5, 1], [-2, 1, 4], [1, -3, 2], [4, 2, 7], [1, 1, -5]]
    assert is_general_position(X)
    ps, pr = _proved(X)
    assert pr.general_position and pr.gordan == []
    # forced Gordan route on the same data verifies too
    _, pg = _proved(X, route="gordan")
    assert not pg.general_position and pg.gordan
    # not in general position: auto falls back to Gordan; the forced route refuses
    Y = X + [[6, 2, -4]]                   # parallel to row 0
    ps2, pr2 = _proved(Y)
    assert not pr2.general_position
    with pytest.raises(ExactReluError, match="general-position route"):
        completeness_proof(Y, ps2, route="general_position")


def test_fallback_paths_are_exact(monkeypatch):
    """Force the NNLS guesses, then wrong float guesses (exact check + exact LP)."""
    X = _rand(12, 3, -2, 2, 7) + [[0, 0, 0], [2, 4, -2]]
    ps = enumerate_patterns(X)
    monkeypatch.setattr(guess, "_SUBSET_CAP", 0)
    pr = completeness_proof(X, ps, route="gordan")
    verify_completeness(X, ps.bits, pr)
    monkeypatch.setattr(guess, "_SUBSET_CAP", 600)
    monkeypatch.setattr(guess, "_TOL", 1e9)         # accepts wrong simplicial cones
    pr = completeness_proof(X, ps, route="gordan")
    assert pr.stats["guess_misses"] > 0 and pr.stats["lp_walls"] == pr.stats["guess_misses"]
    verify_completeness(X, ps.bits, pr)


def test_json_round_trip():
    X = DEGENERATE["antiparallel_3d"]
    ps, pr = _proved(X, route="gordan")
    back = proof_from_json(pr.to_json())
    verify_completeness(X, ps.bits, back)
    assert all(isinstance(v, str) for e in pr.to_json()["gordan"] for v in e["y"].values())


# ------------------------------------------------------------------------- rejected

@pytest.mark.parametrize("name", ["grid_bias", "antiparallel_3d", "rank_deficient"])
def test_dropping_a_pattern_is_caught(name):
    X = DEGENERATE[name]
    ps, pr = _proved(X, route="gordan")
    for j in range(len(ps)):
        bits, reduced = _drop(ps, pr, j)
        with pytest.raises(ExactReluError, match="not listed and has no gordan entry"):
            verify_completeness(X, bits, reduced)
        with pytest.raises(ExactReluError, match="incomplete"):
            completeness_proof(X, bits)
        if j >= 5 and len(ps) > 50:
            break


def test_dropped_pattern_general_position_count():
    X = [[3, 1, -2], [1, 5, 1], [-2, 1, 4], [1, -3, 2], [4, 2, 7]]
    ps, pr = _proved(X)
    assert pr.general_position
    with pytest.raises(ExactReluError, match="patterns listed"):
        verify_completeness(X, ps.bits[1:], pr)
    with pytest.raises(ExactReluError, match="incomplete"):
        completeness_proof(X, ps.bits[1:])          # auto: count wrong -> Gordan -> fails
    # a dependent triple is caught by the minor test
    Y = [[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1]]
    with pytest.raises(ExactReluError, match="linearly dependent"):
        verify_completeness(Y, _fake_bits(4, 14), CompletenessProof(True, []))


def _fake_bits(n, count):
    return [format(v, f"0{n}b") for v in range(count)]


def _one_entry(pr):
    return max(range(len(pr.gordan)), key=lambda e: len(pr.gordan[e].y))


def _replace(pr, e, y):
    entries = list(pr.gordan)
    entries[e] = GordanEntry(entries[e].pattern, entries[e].flip, y)
    return CompletenessProof(False, entries)


def test_corrupted_y_is_rejected():
    X = GRID_BIAS
    ps, pr = _proved(X, route="gordan")
    e = _one_entry(pr)
    y = dict(pr.gordan[e].y)
    k0, k1 = sorted(y)[:2]
    # negative entry
    with pytest.raises(ExactReluError, match="negative"):
        verify_completeness(X, ps.bits, _replace(pr, e, {**y, k0: -y[k0]}))
    # wrong value
    with pytest.raises(ExactReluError, match="is not 0"):
        verify_completeness(X, ps.bits, _replace(pr, e, {**y, k1: y[k1] + F(1, 3)}))
    # all zero
    with pytest.raises(ExactReluError, match="is zero"):
        verify_completeness(X, ps.bits, _replace(pr, e, {k: F(0) for k in y}))
    # uses a row outside the class structure (a zero row)
    Z = X + [[0, 0, 0]]
    psz, prz = _proved(Z, route="gordan")
    ez = _one_entry(prz)
    with pytest.raises(ExactReluError, match="zero row"):
        verify_completeness(Z, psz.bits, _replace(prz, ez, {**prz.gordan[ez].y, 25: F(1)}))
    # missing entry, duplicate entry
    with pytest.raises(ExactReluError, match="no gordan entry"):
        verify_completeness(X, ps.bits, CompletenessProof(False, pr.gordan[1:]))
    with pytest.raises(ExactReluError, match="second entry"):
        verify_completeness(X, ps.bits, CompletenessProof(False, pr.gordan + pr.gordan[:1]))
    # the original still verifies
    verify_completeness(X, ps.bits, pr)


def test_malformed_lists_are_refused():
    X = [[1, 0], [0, 1]]
    with pytest.raises(ExactReluError, match="empty"):
        completeness_proof(X, [])
    with pytest.raises(ExactReluError, match="equal"):
        completeness_proof(X, ["11", "11", "10", "01"], route="gordan")
    with pytest.raises(ExactReluError, match="zero and must be active"):
        completeness_proof([[0, 0], [1, 1]], ["01", "00"])
    # parallel rows with disagreeing bits: not a region
    with pytest.raises(ExactReluError, match="not a region"):
        completeness_proof([[1, 1], [2, 2], [1, 0]], ["101", "011", "000", "110"])
    with pytest.raises(ValueError):
        completeness_proof(X, ["11"], route="fast")


# ----------------------------------------------------------------------- properties

_rows = st.integers(1, 3).flatmap(
    lambda d: st.lists(st.lists(st.integers(-2, 2), min_size=d, max_size=d),
                       min_size=1, max_size=7))


@given(_rows)
def test_property_full_list_always_verifies(X):
    ps = enumerate_patterns(X)
    for route in ("auto", "gordan"):
        pr = completeness_proof(X, ps, route=route)
        verify_completeness(X, ps.bits, pr)


@given(_rows, st.data())
def test_property_dropping_any_pattern_fails(X, data):
    ps = enumerate_patterns(X)
    if len(ps) < 2:
        return
    j = data.draw(st.integers(0, len(ps) - 1))
    pr = completeness_proof(X, ps, route="gordan")
    bits, reduced = _drop(ps, pr, j)
    with pytest.raises(ExactReluError):
        verify_completeness(X, bits, reduced)
    with pytest.raises(ExactReluError, match="incomplete"):
        completeness_proof(X, bits)
