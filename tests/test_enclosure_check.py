"""Check 11 of the library checker (format minor version 1.5, ``optimal_set_enclosure``).

Hand-built sections on small problems whose optimum is known (docs/spec/certificate-v1.md,
"Minor version 1.5"); the v1 part of each file is made by ``exactrelu.certify``:

* ``one``: X = [[1]], y = [2], lam = 1: u = 1, r* = 1; the system (v, alpha) = (1, 1) with
  C = J^-1 = [[0, 1], [1, -2]] (by hand), so eps^2 = (17/64)^2 at delta = 1/8;
* ``twin``: X = [[1,0],[0,1],[1,1]], y = (3/2, -1, 3/2), lam = 1: r* = (1/2, -1, 1/2), the
  block (111, +) with v = (1, 0) on the wall of row 1 (multiplier 1/2) and its twin
  (101, +), which differs on row 1 only: two optimal vertices, not unique;
* ``irrational``: X = I, y = (1, 1), lam = 1/2: v = (sqrt2/4, sqrt2/4), alpha = 2 sqrt2 - 1,
  lower < upper; center from a 30-digit sqrt2, C a dyadic rounding of J^-1.

Every rule (a)-(e) has a negative control (REJECTED, check 11, the message naming the
rule), the listed shapes are MALFORMED, the statement and :func:`enclosure_facts` hold the
proved numbers, and the standalone checker agrees once it knows check 11.
"""
import copy
import functools
import glob
import json
import os
import random
import sys
from fractions import Fraction as F
from math import isqrt
from pathlib import Path

import flint
import pytest

import exactrelu as er
from exactrelu.certificate import check as lib
from exactrelu.certificate.check.enclosure import enclosure_facts
from exactrelu.optimal_sets.kkt_box import KKTSystem, krawczyk_margin

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "proofs_checks"))
import check_cert as cc  # noqa: E402

R, MAL, VER = "REJECTED", "MALFORMED", "VERIFIED"
SEC = "optimal_set_enclosure"


@functools.lru_cache(maxsize=None)
def _certified(X, y, lam):
    return er.certify([list(row) for row in X], list(y), lam).text


def base(X, y, lam):
    """The v1 certificate of exactrelu.certify (a fresh copy)."""
    return json.loads(_certified(tuple(map(tuple, X)), tuple(y), lam))


def _system(cert, blocks, center, delta, round_bits=None):
    """A system section with C = J(center)^-1 (the producer's KKTSystem builds J; exact
    inverse, or rounded to multiples of 2^-round_bits)."""
    pr = cert["problem"]
    X = [[F(v) for v in row] for row in pr["X"]]
    S = [(b["pattern"], b["sign"]) for b in blocks]
    T = {(b["pattern"], b["sign"]): b["tight"] for b in blocks}
    kkt = KKTSystem(X, [F(v) for v in pr["y"]], F(pr["lam"]), cert["patterns"]["bits"], S, T)
    J, _ = kkt.J_and_G(center)
    N = len(J)
    inv = flint.fmpq_mat(N, N, [flint.fmpq(x.numerator, x.denominator)
                                for row in J for x in row]).inv()
    C = [[F(int(inv[i, j].p), int(inv[i, j].q)) for j in range(N)] for i in range(N)]
    if round_bits is not None:
        C = [[F(round(x * 2 ** round_bits), 2 ** round_bits) for x in row] for row in C]
    return {"blocks": blocks, "center": [str(x) for x in center], "delta": str(delta),
            "C": [[str(x) for x in row] for row in C]}


def one():
    c = base([[1]], [2], 1)
    c[SEC] = {"candidates": [{"pattern": 0, "sign": 1}],
              "system": {"blocks": [{"pattern": 0, "sign": 1, "tight": []}],
                         "center": ["1", "1"], "delta": "1/8",
                         "C": [["0", "1"], ["1", "-2"]]}}
    return c


def twin(y=("3/2", "-1", "3/2"), delta=F(1, 64)):
    c = base([[1, 0], [0, 1], [1, 1]], list(y), 1)
    assert c["patterns"]["bits"][:2] == ["111", "101"]
    blocks = [{"pattern": 0, "sign": 1, "tight": [1]}]
    rho = -(F(y[1]) + F(y[2]) - 1)         # r = y - (1, 0, 1), rho = -(r_1 + r_2)
    c[SEC] = {"candidates": [{"pattern": 0, "sign": 1}, {"pattern": 1, "sign": 1}],
              "system": _system(c, blocks, [F(1), F(0), rho, F(1)], delta),
              "twins": [{"pattern": 1, "sign": 1, "of": 0}]}
    return c


SQRT2 = F(isqrt(2 * 10 ** 60), 10 ** 30)


def irrational():
    c = base([[1, 0], [0, 1]], [1, 1], "1/2")
    assert c["patterns"]["bits"][0] == "11" and F(c["claim"]["lower"]) < F(c["claim"]["upper"])
    v = SQRT2 / 4
    c[SEC] = {"candidates": [{"pattern": 0, "sign": 1}],
              "system": _system(c, [{"pattern": 0, "sign": 1, "tight": []}],
                                [v, v, 2 * SQRT2 - 1], F(1, 2 ** 40), round_bits=60)}
    return c


def verdict(cert):
    res = lib.check_obj(copy.deepcopy(cert))
    return res


def rejected(cert, rule):
    res = verdict(cert)
    assert (res.verdict, res.failed_check) == (R, 11), res.message
    assert "check 11 (optimal set enclosure)" in res.message and f"({rule})" in res.message, \
        res.message
    return res.message


def malformed(cert, where):
    res = verdict(cert)
    assert res.verdict == MAL, res.message
    assert where in res.message, res.message


def zero():
    """y = 1/2 < lam: the optimum is u = 0; an empty system proves r* = y, E_lam empty."""
    c = base([[1]], ["1/2"], 1)
    c[SEC] = {"candidates": [], "system": {"blocks": [], "center": [], "delta": "1", "C": []}}
    return c


CASES = {"one": one, "twin": twin, "irrational": irrational, "zero": zero}


# ------------------------------------------------------------------------ verified

@pytest.mark.parametrize("name", list(CASES))
def test_cases_verify(name):
    res = verdict(CASES[name]())
    assert res.verdict == VER, res.message
    assert "optimal set enclosure (1.5)" in res.message


def test_one_by_hand():
    """delta = 1/8: e = 1/8 |1| + (1 + 1/8) 1/8 = 17/64, r~ = dual.r = 1, so eps^2 =
    (17/64)^2 > 2 (U - L) = 0; alpha* in [7/8, 9/8]."""
    f = enclosure_facts(one())
    assert f["radius_sq"] == F(289, 4096) and f["r_center"] == [1]
    assert f["candidates"] == [(0, 1)] and f["system"] == [(0, 1)]
    assert f["alpha"] == {(0, 1): (F(7, 8), F(9, 8))}
    assert f["v"] == {(0, 1): [(F(7, 8), F(9, 8))]}
    assert f["r_box"] == [(F(47, 64), F(81, 64))]
    assert f["twins"] == {(0, 1): []} and f["vertices"] == 1 and f["unique"] is True
    assert f["delta"] == F(1, 8)
    msg = verdict(one()).message
    assert "eps^2 = 289/4096" in msg and "delta = 1/8" in msg and ": unique" in msg


def test_twin_facts():
    f = enclosure_facts(twin())
    assert f["twins"] == {(0, 1): [(1, 1)]} and f["vertices"] == 2 and f["unique"] is False
    assert f["candidates"] == [(0, 1), (1, 1)]
    lo, hi = f["alpha"][(0, 1)]
    assert lo < 1 < hi and hi - lo == F(1, 32)
    assert "2 vertices" in verdict(twin()).message and "not unique (1 twins)" in \
        verdict(twin()).message


def test_irrational_facts_enclose_the_optimum():
    """sqrt2 is irrational, yet the boxes hold it: alpha* = 2 sqrt2 - 1, v = sqrt2/4,
    r* = (sqrt2/4, sqrt2/4); checked by squaring the rational bounds."""
    f = enclosure_facts(irrational())
    (lo, hi), = f["alpha"].values()
    assert 0 < lo + 1 and (lo + 1) ** 2 < 8 < (hi + 1) ** 2          # (alpha + 1)^2 = 8
    for lo, hi in f["v"][(0, 1)] + f["r_box"]:
        assert 0 < lo and (4 * lo) ** 2 < 2 < (4 * hi) ** 2
    r = [F(x) for x in irrational()["dual"]["r"]]
    assert f["radius_sq"] > 0 and all((x - SQRT2 / 4) ** 2 < f["radius_sq"] for x in r)
    assert f["unique"] is True and f["vertices"] == 1


def test_kkt_box_margins_agree():
    """The producer's Krawczyk margins (an independent implementation of the same test)
    are positive on the verified systems and not on a failing delta."""
    for cert in (one(), twin(), irrational()):
        sy = cert[SEC]["system"]
        pr = cert["problem"]
        S = [(b["pattern"], b["sign"]) for b in sy["blocks"]]
        kkt = KKTSystem([[F(v) for v in row] for row in pr["X"]], [F(v) for v in pr["y"]],
                        F(pr["lam"]), cert["patterns"]["bits"], S,
                        {(b["pattern"], b["sign"]): b["tight"] for b in sy["blocks"]})
        z = [F(x) for x in sy["center"]]
        J, G = kkt.J_and_G(z)
        C = [[F(x) for x in row] for row in sy["C"]]
        assert min(krawczyk_margin(kkt.F(z), J, G, C, F(sy["delta"]))) > 0
        assert min(krawczyk_margin(kkt.F(z), J, G, C, F(1, 2))) <= 0
        bad = copy.deepcopy(cert)
        bad[SEC]["system"]["delta"] = "1/2"
        rejected(bad, "a")


def test_zero_facts():
    f = enclosure_facts(zero())
    assert f["radius_sq"] == 0 and f["r_box"] == [(F(1, 2), F(1, 2))]
    assert f["system"] == [] and f["vertices"] == 1 and f["unique"] is True
    c = zero()
    c[SEC]["system"]["delta"] = "0"
    rejected(c, "a")


def test_no_system():
    """Without a system: eps^2 = 2 (U - L) and (c) only; a superset of candidates is fine."""
    c = one()
    del c[SEC]["system"]
    f = enclosure_facts(c)
    assert f["radius_sq"] == 0 and f["system"] is None and f["unique"] is None
    assert f["r_box"] is None and f["alpha"] == {}
    c[SEC]["candidates"].append({"pattern": 1, "sign": -1})
    assert verdict(c).verdict == VER
    c = irrational()
    del c[SEC]["system"]
    r = [F(x) for x in c["dual"]["r"]]
    L = sum(x * (1 - x / 2) for x in r)                  # r.y - ||r||^2 / 2, y = (1, 1)
    U = F(c["claim"]["upper"])
    f = enclosure_facts(c)
    assert 0 < f["radius_sq"] == 2 * (U - L) <= 2 * (U - F(c["claim"]["lower"]))


def test_radius_from_the_gap():
    """(b): with a system the radius is eps_Z^2 whatever the gap (r(z*) is r*); without
    one it is 2 (U - L), and too large a gap leaves a block without its margin: (c)."""
    c = one()
    del c["optimal_set"]                     # check 6 needs lower == upper
    c["claim"]["upper"] = "8/5"              # 2 (U - L) = 1/5 > 289/4096 = eps_Z^2
    assert enclosure_facts(c)["radius_sq"] == F(289, 4096)
    c["claim"]["upper"] = "100"
    assert verdict(c).verdict == VER
    del c[SEC]["system"]
    c["claim"]["upper"] = "8/5"
    assert enclosure_facts(c)["radius_sq"] == F(1, 5)
    c["claim"]["upper"] = "100"
    assert "(pattern 0, sign -1)" in rejected(c, "c")


def test_facts_refuse_unverified():
    c = one()
    c[SEC]["system"]["delta"] = "1/4"
    with pytest.raises(ValueError, match="REJECTED: check 11"):
        enclosure_facts(c)
    assert enclosure_facts(base([[1]], [2], 1)) is None
    assert enclosure_facts(json.dumps(one()))["radius_sq"] == F(289, 4096)


def test_without_the_section_v1_verifies():
    """What a checker that ignores the section proves: the v1 part alone verifies."""
    for make in CASES.values():
        c = make()
        del c[SEC]
        assert verdict(c).verdict == VER


# --------------------------------------------------------- negative controls (a)-(e)

def test_a_krawczyk_and_delta():
    c = one()
    c[SEC]["system"]["delta"] = "1/4"        # delta^2 (|C| G 1)_E3 = 4 delta^2 = delta
    assert "E3" in rejected(c, "a")
    for bad in ("0", "-1/8"):
        c[SEC]["system"]["delta"] = bad
        assert "delta is not > 0" in rejected(c, "a")
    c = one()
    c[SEC]["system"]["center"] = ["1", "5/4"]  # F(z~) = (1/4, 0): |C F| too large
    rejected(c, "a")
    c = irrational()
    c[SEC]["system"]["C"][0][0] = "1"        # R_00 = 1 - 2 sqrt2 - ...: not small
    rejected(c, "a")


def test_a_margins():
    """KKT solutions that are not optima: Krawczyk passes, a margin fails."""
    c = base([[1, 0], [0, 1]], [1, 1], "1/2")      # row 1 declared tight: rho = -1 < 0
    c[SEC] = {"candidates": [{"pattern": 0, "sign": 1}],
              "system": _system(c, [{"pattern": 0, "sign": 1, "tight": [1]}],
                                [F(1, 2), F(0), F(-1), F(1)], F(1, 64))}
    assert "tight row 1: rho - delta" in rejected(c, "a")
    c = base([[1, 0], [0, 1]], [3, -4], 1)         # v = (3/5, -4/5): a_1 . v < 0
    c[SEC] = {"candidates": [{"pattern": 0, "sign": 1}],
              "system": _system(c, [{"pattern": 0, "sign": 1, "tight": []}],
                                [F(3, 5), F(-4, 5), F(4)], F(1, 64))}
    assert "row 1: a_k . v" in rejected(c, "a")
    c = base([[1, 0], [0, 1]], ["3/10", "2/5"], 1)  # ||y|| = 1/2 < lam: alpha = -1/2
    c[SEC] = {"candidates": [{"pattern": 0, "sign": 1}],
              "system": _system(c, [{"pattern": 0, "sign": 1, "tight": []}],
                                [F(3, 5), F(4, 5), F(-1, 2)], F(1, 64))}
    assert "alpha - delta" in rejected(c, "a")


def test_c_inactivity():
    c = one()
    del c[SEC]["system"]
    c[SEC]["candidates"] = []                # the optimal block (0, +1) has ||q|| = lam
    assert "(pattern 0, sign 1), not a candidate" in rejected(c, "c")
    c = one()
    c[SEC]["rho"] = [{"pattern": 0, "sign": -1, "values": {}}]   # overrides dual.rho
    assert "(pattern 0, sign -1)" in rejected(c, "c")           # q = -1: ||q|| = lam
    c[SEC]["rho"] = [{"pattern": 0, "sign": -1, "values": {"0": "-1"}}]
    assert "negative" in rejected(c, "c")
    c = twin()                               # (010, -1) needs its multiplier 1/2 on row 2
    c[SEC]["rho"] = [{"pattern": 4, "sign": -1, "values": {"2": "1/4"}}]
    assert verdict(c).verdict == VER         # sqrt(5/8) + sqrt(B) < 1 still
    c[SEC]["rho"] = [{"pattern": 4, "sign": -1, "values": {}}]
    rejected(c, "c")


def test_c_section_rho_rescues():
    """dual.rho without the multiplier of (0, -1): tight in check 4 (so no optimal_set,
    D11), not strictly inactive in (c) -- until the section gives the multiplier."""
    c = one()
    del c["optimal_set"]
    c["dual"]["rho"] = []
    assert "(pattern 0, sign -1)" in rejected(c, "c")
    c[SEC]["rho"] = [{"pattern": 0, "sign": -1, "values": {"0": "1"}}]
    assert verdict(c).verdict == VER


def test_d_twins():
    c = twin()
    c[SEC]["twins"][0]["sign"] = -1          # (101, -1): another sign than its block
    c[SEC]["candidates"].append({"pattern": 1, "sign": -1})
    assert "sign of its block" in rejected(c, "d")
    c = twin()
    c[SEC]["twins"] = [{"pattern": 0, "sign": 1, "of": 0}]          # a system block
    rejected(c, "d")
    c = twin()
    c[SEC]["twins"].append({"pattern": 3, "sign": 1, "of": 0})      # 011: row 0, not tight
    c[SEC]["candidates"].append({"pattern": 3, "sign": 1})
    assert "non-empty set of tight rows" in rejected(c, "d")
    c = twin()
    c[SEC]["candidates"].pop()               # not a candidate: (c) finds it tight first
    rejected(c, "c")
    # r* = (1, -1/2, 0): the twin (101, +) is tight with a zero multiplier, no margin
    c = twin(y=("2", "-1/2", "1"))
    assert verdict({k: v for k, v in c.items() if k != SEC}).verdict == VER
    assert "row 1: rho + delta + s r~_k + e_k" in rejected(c, "d")


def test_e_explained():
    c = twin()
    c[SEC]["candidates"].append({"pattern": 5, "sign": 1})           # 000: inactive, unexplained
    assert "(pattern 5, sign 1) is neither" in rejected(c, "e")
    c = twin()
    del c[SEC]["twins"]                      # the twin stays a candidate, unexplained
    assert "(pattern 1, sign 1)" in rejected(c, "e")


# ------------------------------------------------------------------------- malformed

def _set(path, value):
    def edit(c):
        node = c[SEC]
        for key in path[:-1]:
            node = node[key]
        if value is KeyError:
            del node[path[-1]]
        else:
            node[path[-1]] = value
        return c
    return edit


MALFORMED = {
    "not an object": (lambda c: {**c, SEC: []}, SEC),
    "no candidates": (_set(["candidates"], KeyError), "candidates"),
    "candidate twice": (_set(["candidates", 1], {"pattern": 0, "sign": 1}), "twice"),
    "pattern out of range": (_set(["candidates", 0, "pattern"], 6), "candidates[0].pattern"),
    "sign 0": (_set(["candidates", 0, "sign"], 0), "sign"),
    "sign true": (_set(["candidates", 0, "sign"], True), "sign"),
    "rho twice": (_set(["rho"], [{"pattern": 2, "sign": 1, "values": {}}] * 2), "twice"),
    "rho number": (_set(["rho"], [{"pattern": 2, "sign": 1, "values": {"0": 1}}]), "rho[0]"),
    "center short": (_set(["system", "center"], ["1"] * 3), "system.center"),
    "C rows": (_set(["system", "C"], [["0"] * 4] * 3), "system.C"),
    "C row short": (_set(["system", "C", 2], ["0"] * 3), "system.C[2]"),
    "delta number": (_set(["system", "delta"], 0.5), "system.delta"),
    "tight twice": (_set(["system", "blocks", 0, "tight"], [1, 1]), "tight"),
    "tight out of range": (_set(["system", "blocks", 0, "tight"], [3]), "tight"),
    "no tight": (_set(["system", "blocks", 0, "tight"], KeyError), "tight"),
    "system block twice": (_set(["system", "blocks"], [{"pattern": 0, "sign": 1, "tight": [1]}]
                                * 2), "twice"),
    "twin of out of range": (_set(["twins", 0, "of"], 1), "twins[0].of"),
    "twin twice": (_set(["twins"], [{"pattern": 1, "sign": 1, "of": 0}] * 2), "twice"),
    "twins without system": (_set(["system"], KeyError), "twins need a system"),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed(name):
    edit, where = MALFORMED[name]
    malformed(edit(twin()), where)


def _leaves(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield path + (k,)
            yield from _leaves(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield path + (i,)
            yield from _leaves(v, path + (i,))


def _mutations(seed, count):
    """Random edits of the section: a value or subtree replaced, or a key deleted."""
    rng = random.Random(seed)
    values = ["0", "-1", "1/3", "7", 0, 1, 2, -1, True, None, [], {}, "x", 10 ** 6, 0.5]
    for _ in range(count):
        cert = rng.choice(list(CASES.values()))()
        paths = list(_leaves(cert[SEC]))
        path = rng.choice(paths)
        node = cert[SEC]
        for key in path[:-1]:
            node = node[key]
        if isinstance(node, dict) and rng.random() < 0.2:
            del node[path[-1]]
        else:
            node[path[-1]] = rng.choice(values)
        yield cert


def test_random_mutations_never_crash():
    """Never an internal error; a mutation that verifies still gives consistent facts."""
    seen = set()
    for cert in _mutations(11, 300):
        res = verdict(cert)
        assert "internal error" not in res.message, res.message
        seen.add((res.verdict, res.failed_check))
        if res.verdict == VER:
            assert enclosure_facts(cert)["radius_sq"] >= 0
    assert {(MAL, None), (R, 11)} <= seen


# ------------------------------------------------------------ the standalone checker

def _all_cases():
    out = {name: make() for name, make in CASES.items()}
    out.update((f"mutation {i}", c) for i, c in enumerate(_mutations(5, 40)))
    for name, (edit, _) in MALFORMED.items():
        out["malformed: " + name] = edit(twin())
    c = one()
    c[SEC]["system"]["delta"] = "1/4"
    out["krawczyk"] = c
    out["twin margin"] = twin(y=("2", "-1/2", "1"))
    c = twin()
    c[SEC]["candidates"].append({"pattern": 5, "sign": 1})
    out["unexplained"] = c
    c = one()
    c[SEC]["rho"] = [{"pattern": 0, "sign": -1, "values": {}}]
    out["inactivity"] = c
    return out


@pytest.mark.skipif(11 not in cc.NAMES, reason="the standalone checker has no check 11 yet")
@pytest.mark.parametrize("name", list(_all_cases()))
def test_standalone_agrees(name):
    cert = _all_cases()[name]
    a, b = cc.check(copy.deepcopy(cert)), verdict(cert)
    assert (a.verdict, a.failed_check) == (b.verdict, b.failed_check), (a, b.message)


def _charges(cert, monkeypatch):
    """The running work estimate of each checker after each of its charges."""
    from test_check_differential import _record     # the same recorder as for v1

    logs = _record(monkeypatch)
    a, b = cc.check(copy.deepcopy(cert)), verdict(cert)
    monkeypatch.undo()
    assert (a.verdict, a.failed_check) == (b.verdict, b.failed_check)
    return logs


@pytest.mark.skipif(11 not in cc.NAMES, reason="the standalone checker has no check 11 yet")
@pytest.mark.parametrize("name", list(CASES) + ["produced"])
def test_work_estimate_is_the_same(name, monkeypatch):
    """Both checkers charge check 11 alike (float for float), so they stop (UNDECIDED) at
    the same budget."""
    certs = ([json.loads(Path(p).read_text()) for p in PRODUCED] if name == "produced"
             else [CASES[name]()])
    assert certs, "no certificates to compare"
    for cert in certs:
        logs = _charges(cert, monkeypatch)
        assert logs["cc"] == logs["lib"] and logs["cc"]
        for limit in sorted(set(logs["cc"]))[-4:]:        # the last ones are check 11's
            for lim in (limit, limit * (1 - 1e-12)):
                monkeypatch.setattr(cc, "WORK_LIMIT_NS", lim)
                monkeypatch.setattr(lib.budget, "WORK_LIMIT_NS", lim)
                a, b = cc.check(copy.deepcopy(cert)), verdict(cert)
                assert (a.verdict, a.failed_check) == (b.verdict, b.failed_check)
            monkeypatch.undo()


# ------------------------------------------------------------- produced certificates

# optimal-set certificates made by `exactrelu optimal-set` (1-d and 2-d planted instances,
# a unique optimum); the checkers must verify them and reject their mutations
PRODUCED_DIR = os.environ.get("EXACTRELU_ENC_CERTS",
                              str(Path(__file__).parent / "data" / "enclosure"))
PRODUCED = sorted(glob.glob(os.path.join(PRODUCED_DIR, "*.json")))


@pytest.mark.skipif(not PRODUCED, reason=f"no produced certificates in {PRODUCED_DIR}")
@pytest.mark.parametrize("path", PRODUCED)
def test_produced_verify(path):
    res = lib.check_file(path)
    assert res.verdict == VER, res.message
    f = enclosure_facts(Path(path))
    assert f is not None and f["radius_sq"] >= 0
    if f["system"] is not None:
        assert f["unique"] == (f["vertices"] == 1 and not f["mirrors"])
        cert = json.loads(Path(path).read_text())
        moved = copy.deepcopy(cert)                 # the center off the solution: (a)
        x = F(moved[SEC]["system"]["center"][0]) + F(1, 1000)
        moved[SEC]["system"]["center"][0] = str(x)
        rejected(moved, "a")
        if cert[SEC].get("twins"):                  # a twin left unexplained: (e)
            cert[SEC]["twins"].pop()
            rejected(cert, "e")
        assert set(f["candidates"]) == set(f["system"]) | {t for g in f["twins"].values()
                                                           for t in g} | set(f["mirrors"])
