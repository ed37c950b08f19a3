"""Format 1.4: completeness by wall bases (``patterns.gordan_bases``) and short multipliers.

Issue 14 item 3: on data not in general position the v1 Gordan entries were most of the
certificate (n = 40 rational rows with a bias column: 68 MB, 59 MB of Gordan entries).
The producer now writes one basis per (region, group of non-wall classes) instead, and the
checkers rebuild every Gordan vector from it.  Both checkers give the same verdicts
(``both`` of test_check_differential); a v1 reading (the key ignored) is a true, weaker
statement; every corruption is caught.
"""
import copy
import json
import random
from fractions import Fraction as F

import pytest

import exactrelu.certificate.completeness as completeness
from exactrelu.certificate.produce import certify
from exactrelu.problem import Dataset
from test_check_differential import MAL, R, VER, both, cc, lib


def _degenerate(seed=5, n=12):
    """Small rationals (numerators |p| <= 6, denominators <= 4): many coplanar triples."""
    rng = random.Random(seed)
    q = lambda: F(rng.randint(-6, 6), rng.randint(1, 4))  # noqa: E731
    return Dataset.from_arrays([[q(), q()] for _ in range(n)], [q() for _ in range(n)],
                               bias=True)


@pytest.fixture(scope="module")
def pair():
    """The same data certified with v1 Gordan entries and with wall bases."""
    data = _degenerate()
    v1 = certify(data, F(1, 2), progress=False)
    old = completeness.COMPACT_MIN_PAIRS
    completeness.COMPACT_MIN_PAIRS = 0
    try:
        compact = certify(data, F(1, 2), progress=False)
    finally:
        completeness.COMPACT_MIN_PAIRS = old
    return v1, compact


def test_bases_replace_the_gordan_entries(pair):
    v1, compact = pair
    pa, pb = v1.certificate["patterns"], compact.certificate["patterns"]
    assert pa["complete"] and pa["gordan"] and "gordan_bases" not in pa
    assert not pb["complete"] and pb["gordan"] == [] and pb["gordan_bases"]
    assert pb["bits"] == pa["bits"] and compact.complete and v1.complete
    assert compact.lower == v1.lower and compact.upper == v1.upper
    # every basis has rank X = 3 rows of X
    assert all(len(b) == 3 for bs in pb["gordan_bases"].values() for b in bs)
    # (the format 1.5 section of an irrational optimum is the same in both: left out)
    size = lambda c: len(json.dumps({k: v for k, v in c.items()   # noqa: E731
                                     if k != "optimal_set_enclosure"}))
    assert size(compact.certificate) < size(v1.certificate) / 2


def test_both_checkers_verify_and_state_completeness(pair):
    cert = pair[1].certificate
    assert both(cert) == VER
    for res in (lib.check_obj(copy.deepcopy(cert)), cc.check(copy.deepcopy(cert))):
        assert "complete (global, by gordan_bases)" in res.message
    # a v1 checker ignores the key: a true statement about the listed patterns only
    v1_view = copy.deepcopy(cert)
    del v1_view["patterns"]["gordan_bases"]
    assert both(v1_view) == VER
    assert "not complete" in lib.check_obj(v1_view).message


def _mutants(cert):
    """(name, mutated certificate, expected outcome)."""
    bases = cert["patterns"]["gordan_bases"]
    key = next(iter(bases))
    out = []

    def mutant(name, want, edit):
        c = copy.deepcopy(cert)
        edit(c["patterns"])
        out.append((name, c, want))
    mutant("drop a key", (R, 2), lambda p: p["gordan_bases"].pop(key))
    mutant("wrong basis", (R, 2), lambda p: p["gordan_bases"].__setitem__(key, [[0, 1, 2]]))
    mutant("short basis", (R, 2), lambda p: p["gordan_bases"].__setitem__(key, [[0, 1]]))
    mutant("repeated row", MAL, lambda p: p["gordan_bases"].__setitem__(key, [[0, 1, 1]]))
    mutant("bad key", MAL, lambda p: p["gordan_bases"].__setitem__("01", []))
    mutant("key too large", MAL, lambda p: p["gordan_bases"].__setitem__(
        str(len(p["bits"])), []))
    mutant("row too large", MAL, lambda p: p["gordan_bases"].__setitem__(key, [[0, 1, 99]]))
    mutant("not an object", MAL, lambda p: p.__setitem__("gordan_bases", []))
    mutant("no witnesses", (R, 2), lambda p: p.pop("witnesses"))

    def drop_last(p):               # an incomplete list: a region is missing
        last = len(p["bits"]) - 1
        p["bits"].pop()
        p["witnesses"].pop()
        p["gordan_bases"].pop(str(last), None)
    mutant("a region missing", (R, 2), drop_last)
    return out


def test_corruptions_are_caught_by_both(pair):
    for name, cert, want in _mutants(pair[1].certificate):
        assert both(cert) == want, name


def test_complete_true_ignores_the_section(pair):
    """With complete: true the v1 routes apply (the section is not read)."""
    cert = copy.deepcopy(pair[0].certificate)
    cert["patterns"]["gordan_bases"] = {"0": "junk"}
    assert both(cert) == VER


def test_multipliers_are_short(pair):
    """rho is rounded to the coarsest dyadic that keeps each block feasible (was ~66
    characters per value after the dual scaling).  The tight blocks of the refined
    (irrational) optimum keep ~100-bit multipliers: that precision is what makes the gap
    ~1e-32 instead of ~1e-12 (a multiplier off by delta costs ~delta of the gap)."""
    for res in pair:
        values = [v for e in res.certificate["dual"]["rho"] for v in e["values"].values()]
        assert values and max(map(len, values)) <= 64
        assert sum(map(len, values)) / len(values) < 12
        assert res.upper - res.lower < F(1, 10 ** 25)
