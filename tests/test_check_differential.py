"""The library checker (exactrelu.certificate.check) against the standalone one
(proofs_checks/check_cert.py): the same (verdict, exit code, failed check) on every input.

(a) every fixture of proofs_checks/fixtures_build.py under every corruption family of
    proofs_checks/test_check_cert.py, plus that file's encoding and budget cases;
(b) certificates made by exactrelu.certificate.produce.certify (1-D exact, random with bias, degenerate
    data on the Gordan route, a sampled list, given networks): VERIFIED by both, then ~14
    corruption families with the outcome each must get;
(c) hypothesis: random mutations of certificate text and subtrees.
Also the work estimate: both checkers charge the same amounts at the same points.
"""
import copy
import json
import random
import sys
import time
from fractions import Fraction as F
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from exactrelu.certificate import check as lib
from exactrelu.certificate.emit import dumps
from exactrelu.certificate.produce import certify
from exactrelu.networks import Network
from exactrelu.problem import Dataset

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "proofs_checks"))
import check_cert as cc  # noqa: E402
import fixtures_build as fb  # noqa: E402
import test_check_cert as tcc  # noqa: E402

R, MAL, VER, UND = "REJECTED", "MALFORMED", "VERIFIED", "UNDECIDED"
NA = None
FUZZ = settings(max_examples=300, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def key(res):
    """(verdict, code, failed_check), after checking that the Result is consistent."""
    assert res.verdict in lib.VERDICT_CODES and res.code == lib.VERDICT_CODES[res.verdict]
    assert (res.failed_check is not None) == (res.verdict == R)
    assert "internal error" not in res.message, res.message
    return res.verdict, res.code, res.failed_check


def outcome(k):
    return (R, k[2]) if k[0] == R else k[0]


def both(cert, **kw):
    """Both checkers on a parsed tree and on its JSON text; they must agree. -> outcome."""
    res = lib.check_obj(copy.deepcopy(cert), **kw)
    a, b = key(cc.check(copy.deepcopy(cert), **kw)), key(res)
    assert a == b, (a, b, res.message)
    try:
        text = json.dumps(cert).encode()
    except (TypeError, ValueError):
        return outcome(a)
    return both_text(text, **kw)


def both_text(text, **kw):
    res = lib.check_bytes(bytes(text), **kw)
    a, b = key(cc.check(bytes(text), **kw)), key(res)
    assert a == b, (a, b, res.message)
    assert "\n" not in res.message and res.message.startswith(res.verdict + ": ")
    return outcome(a)


# ================================================================ (a) the proofs_checks cases

NAMES = list(fb.FIXTURES)


@pytest.mark.parametrize("name", NAMES)
def test_fixtures_verified_by_both(name):
    assert both(fb.FIXTURES[name]()) == VER


@pytest.mark.parametrize("family", list(tcc.FAMILIES))
@pytest.mark.parametrize("name", NAMES)
def test_fixture_corruptions_agree(name, family):
    mutate, expected = tcc.FAMILIES[family]
    try:
        cert = mutate(fb.FIXTURES[name]())
    except (KeyError, IndexError, TypeError, StopIteration):
        assert expected[name] is NA
        return
    got = both(cert)
    if expected[name] is not NA:
        assert got == expected[name]


def _params(test):
    """The parameter values of a test of test_check_cert.py (its parametrize mark)."""
    return test.pytestmark[0].args[1]


@pytest.mark.parametrize("bad", _params(tcc.test_non_canonical_rationals))
def test_non_canonical_rationals_agree(bad):
    cert = fb.example_1d()
    cert["claim"]["lower"] = bad
    assert both(cert) == MAL


@pytest.mark.parametrize("text", _params(tcc.test_unreadable_json))
def test_unreadable_json_agrees(text):
    assert both_text(text) == MAL


@pytest.mark.parametrize("path, value", _params(tcc.test_shapes_are_malformed))
def test_shapes_agree(path, value):
    cert = fb.example_1d()
    if path == ["network"]:
        del cert["blocks"]
    tcc.set_path(cert, path, value)
    assert both(cert) == MAL


def test_files_agree(tmp_path):
    for path in (tmp_path / "nope.json", tmp_path, "nul\x00byte"):
        a, b = key(cc.check(str(path))), key(lib.check_file(str(path)))
        assert a == b and a[0] == MAL
    good = tmp_path / "good.json"
    good.write_text(json.dumps(fb.example_gp_2d()))
    assert key(cc.check(good)) == key(lib.check_file(good)) == (VER, 0, None)
    assert key(cc.check(good, 5)) == key(lib.check_file(good, 5)) == (UND, 3, None)
    huge = json.dumps(fb.example_1d()).replace('"version": 1', '"version": 1' + "0" * 5000)
    assert both_text(huge.encode()) == MAL


def test_budget_cases_agree():
    for digits in (10 ** 6, 20_000, 10_001, 10_000):
        cert = fb.example_1d()
        cert["problem"]["y"][0] = "1" + "0" * (digits - 1)
        assert both(cert) == (UND if digits > 10_000 else (R, 5))
    assert both(fb.example_1d(), budget_digits=10) == UND
    assert both(fb.example_1d(), budget_digits=10 ** 6) == VER
    cert = fb.example_gp_2d()
    cert["network"]["W1"][0][1] = "1/" + "1" + "0" * 5000
    assert both(cert) == (R, 5)
    # a malformed value before a too-long one is MALFORMED, after it UNDECIDED
    cert = fb.example_1d()
    cert["problem"]["y"] = ["1" * 10_001, 2]
    assert both(cert) == UND
    cert["problem"]["y"] = [2, "1" * 10_001]
    assert both(cert) == MAL
    # the file-size limit: 8 * budget + 1 MiB bytes
    text = json.dumps(fb.example_1d()).encode()
    pad = b" " * (8 * 1000 + (1 << 20) - len(text))
    assert both_text(text + pad, budget_digits=1000) == VER
    assert both_text(text + pad + b" ", budget_digits=1000) == UND


def test_many_big_denominators_agree():
    """Inputs of test_many_big_denominators_stay_bounded: common denominators and the work
    estimate outgrow the budget in different places; both stop with the same verdict."""
    big = ["1" + "0" * (9990 - len(str(m))) + str(m) for m in range(7, 9 * 40, 6)]

    def frac(a, b):
        return "0" if a == "0" else f"{a}/{b}"
    expected = [VER, VER, VER, (R, 1), UND, UND, (R, 1), (R, 2)]
    for variant, want in enumerate(expected):
        cert = fb.example_gp_2d()
        cert["patterns"]["witnesses"] = [[frac(a, b) for a in w] for w, b in
                                         zip(cert["patterns"]["witnesses"], big)]
        if variant in (1, 2, 3):
            cert["dual"]["r"] = [f"1/{b}" for b in big[:4]]
        if variant in (2, 3):
            cert["problem"]["X"] = [[frac(a, b) for a in x] for x, b in
                                    zip(cert["problem"]["X"], big[10:])]
        if variant == 3:
            cert["patterns"]["bits"][0] = cert["patterns"]["bits"][1]  # R1 before any U
        if variant == 4:  # 8 distinct 33,000-bit denominators in X: over 2^18 bits
            cert["problem"]["X"] = [[f"{a}/{big[20 + 2 * k + j]}" if a != "0" else "1/" + big[
                20 + 2 * k + j] for j, a in enumerate(x)] for k, x in
                enumerate(cert["problem"]["X"])]
        if variant >= 5:  # 12 neurons with distinct denominators: U in check 3 ...
            cert["network"] = {"W1": [["0", f"1/{b}"] for b in big[:12]], "w2": ["0"] * 12}
        if variant == 6:  # ... unless check 1 fails first
            cert["patterns"]["witnesses"][2] = ["0", "0"]
        if variant == 7:  # ... or check 2
            cert["patterns"]["bits"].pop()
            cert["patterns"]["witnesses"].pop()
        start = time.monotonic()
        assert both(cert) == want, variant
        assert time.monotonic() - start < 20


def _edge_cases():
    """Corner cases of shapes and semantics, built from the fixtures."""
    cases = {}

    def case(name, base, edit):
        cert = base()
        edit(cert)
        cases[name] = cert

    def set_(*path_value):
        *path, value = path_value
        return lambda c: tcc.set_path(c, list(path), copy.deepcopy(value))
    empty_net = {"W1": [], "w2": []}
    case("empty network", fb.example_1d, set_("network", empty_net))
    case("empty blocks", fb.example_1d, set_("blocks", []))
    case("empty network only", fb.example_1d, lambda c: (
        c.pop("blocks"), c.update(network=dict(empty_net)), c["claim"].update(upper="100")))
    case("no patterns", fb.example_1d, lambda c: (
        c["patterns"].update(bits=[], witnesses=[], complete=False), c.pop("blocks"),
        c["dual"].update(rho=[])))
    case("all rows zero", fb.example_1d, lambda c: c.update(
        problem={"X": [["0"], ["0"]], "y": ["1", "2"], "lam": "1"},
        patterns={"bits": ["11"], "witnesses": [["1"]], "complete": True},
        network=dict(empty_net), dual={"r": ["0", "0"]}, claim={"lower": "0", "upper": "5"})
        or c.pop("blocks"))
    case("rho on a zero row", fb.example_degenerate_2d,
         lambda c: c["dual"]["rho"][0]["values"].update({"3": "5"}))
    case("gordan flip repeated", fb.example_degenerate_2d, lambda c: c["patterns"]["gordan"][
        0].update(flip=c["patterns"]["gordan"][0]["flip"] * 2))
    case("unused gordan entry", fb.example_degenerate_2d, lambda c: c["patterns"][
        "gordan"].append({"pattern": 0, "flip": [3], "y": {"3": "1"}}))
    case("vertex with empty alpha", fb.example_1d_optimal_set,
         lambda c: c["optimal_set"]["vertices"].append({"alpha": {}}))
    case("vertex with zero alpha", fb.example_1d_optimal_set,
         lambda c: c["optimal_set"]["vertices"].append({"alpha": {"0": "0", "1": "0"}}))
    case("no optimal blocks", fb.example_1d_optimal_set,
         set_("optimal_set", "blocks", []))
    case("optimal rho missing", fb.example_1d_optimal_set,
         lambda c: c["optimal_set"]["blocks"][0].pop("rho"))
    case("zero neuron, sampled list", fb.example_1d, lambda c: (
        tcc.set_path(c, ["network", "W1", 0], ["0"]), c["patterns"].update(complete=False)))
    case("neuron without listed pattern", fb.example_1d, lambda c: (
        tcc.drop_pattern(c, 1), c["patterns"].update(complete=False)))
    case("no witnesses, sampled list", fb.example_1d, lambda c: (
        c["patterns"].pop("witnesses"), c["patterns"].update(complete=False)))
    case("general position with a zero row", fb.example_degenerate_2d,
         set_("patterns", "general_position", True))
    case("general position, n < d", fb.example_gp_2d, lambda c: c.update(
        problem={"X": [["1", "0"]], "y": ["1"], "lam": "1"},
        patterns={"bits": ["1", "0"], "witnesses": [["1", "0"], ["-1", "0"]],
                  "complete": True, "general_position": True},
        dual={"r": ["0"]}, network=dict(empty_net), claim={"lower": "0", "upper": "1"}))
    for name, value in [("bias null", None), ("bias string", "no")]:
        case(name, fb.example_1d, set_("problem", "bias", value))
    for section in ("witnesses", "gordan", "general_position"):
        case(f"{section} null", fb.example_1d, set_("patterns", section, None))
    case("rho null", fb.example_1d, set_("dual", "rho", None))
    case("network null", fb.example_1d, set_("network", None))
    case("optimal_set null", fb.example_1d, set_("optimal_set", None))
    case("version float", fb.example_1d, set_("version", 1.0))
    case("row 0 not a list", fb.example_1d, set_("problem", "X", ["x", ["1"]]))
    case("non-ASCII digits", fb.example_1d, set_("claim", "lower", "\u0661"))
    case("non-ASCII pattern", fb.example_1d, set_("patterns", "bits", 0, "\u0661\u0660"))
    case("row key with newline", fb.example_1d, set_("dual", "rho", 0, "values", {"0\n": "1"}))
    case("huge JSON int as index", fb.example_1d, set_("blocks", 0, "pattern", 10 ** 5000))
    return cases


EDGE = _edge_cases()


@pytest.mark.parametrize("name", list(EDGE))
def test_edge_cases_agree(name):
    both(EDGE[name])


def _record(monkeypatch):
    """Record the running work estimate of both checkers after each charge."""
    logs = {"cc": [], "lib": []}
    spend, charge = cc.Budget.spend, lib._Meter.charge

    def spend_rec(self, *a, **kw):
        try:
            spend(self, *a, **kw)
        finally:
            logs["cc"].append(self.work)

    def charge_rec(self, *a, **kw):
        try:
            charge(self, *a, **kw)
        finally:
            logs["lib"].append(self.work_ns)
    monkeypatch.setattr(cc.Budget, "spend", spend_rec)
    monkeypatch.setattr(lib._Meter, "charge", charge_rec)
    return logs


def _same_work_and_limits(cert, monkeypatch):
    """Identical charge sequences (float for float), then the verdicts agree when the work
    limit sits exactly at, or just below, each running total."""
    logs = _record(monkeypatch)
    expected = both(cert)
    assert logs["cc"] == logs["lib"] and logs["cc"]
    totals = sorted(set(logs["cc"]))
    monkeypatch.undo()
    for limit in totals[:6] + totals[-3:]:
        for lim in (limit, limit * (1 - 1e-12)):
            monkeypatch.setattr(cc, "WORK_LIMIT_NS", lim)
            monkeypatch.setattr(lib.budget, "WORK_LIMIT_NS", lim)   # read by _Meter.charge
            both(cert)
    monkeypatch.undo()
    return expected


@pytest.mark.parametrize("name", NAMES)
def test_work_estimate_is_the_same(name, monkeypatch):
    assert _same_work_and_limits(fb.FIXTURES[name](), monkeypatch) == VER
    for family in ("bump_dual_r", "lower_up", "bump_optimal_v", "bump_gordan_y"):
        try:
            cert = tcc.FAMILIES[family][0](fb.FIXTURES[name]())
        except (KeyError, IndexError):
            continue
        _same_work_and_limits(cert, monkeypatch)


# ================================================================ (b) produced certificates

def _random_data(seed, n):
    rng = random.Random(seed)
    X = [[F(rng.randint(-9, 9), rng.randint(1, 4))] for _ in range(n)]
    y = [F(rng.randint(-9, 9), rng.randint(1, 3)) for _ in range(n)]
    return Dataset.from_arrays(X, y, bias=True)           # d = 2 with the bias column


# integer grid rows: parallel (1,0),(2,0), antiparallel (-1,0), zero, (1,1) with (-2,-2),
# (0,1) with (0,-3)
GRID_X = [[1, 0], [2, 0], [-1, 0], [0, 0], [1, 1], [-2, -2], [0, 1], [0, -3]]
GRID_Y = [1, 2, -1, 0, 3, -1, 2, 1]


@pytest.fixture(scope="module")
def produced():
    one_d = Dataset.from_arrays([[1], [-4]], [3, F(3, 2)])
    rand = _random_data(1, 8)
    grid = Dataset.from_arrays(GRID_X, GRID_Y)
    net = Network.from_values([[1, 0], [-1, 1]], [1, F(1, 2)])
    runs = {
        "1d_exact": certify(one_d, F(2), progress=False),
        "random_bias": certify(rand, F(1, 10), progress=False),
        "degenerate_gordan": certify(grid, F(1, 2), progress=False),
        "sampled": certify(rand, F(1, 10), sample=20, progress=False),
        "given_network": certify(rand, F(1, 10), network=net, progress=False),
        "sampled_network": certify(rand, F(1, 10), network=net, sample=20, progress=False),
        "1d_network": certify(one_d, F(2), progress=False, network=Network.from_values(
            [[1], [F(-1, 2)]], [1, F(1, 2)])),
    }
    assert runs["1d_exact"].lower == runs["1d_exact"].upper == F(37, 8)
    assert runs["1d_network"].upper == F(37, 8)
    assert runs["random_bias"].certificate["problem"]["bias"] is True
    assert len(runs["random_bias"].certificate["problem"]["X"][0]) == 2
    deg = runs["degenerate_gordan"].certificate["patterns"]
    assert deg["complete"] and not deg["general_position"] and deg["gordan"]
    assert not runs["sampled"].certificate["patterns"]["complete"]
    assert "network" in runs["given_network"].certificate
    return {name: res.certificate for name, res in runs.items()}


PRODUCED = ["1d_exact", "random_bias", "degenerate_gordan", "sampled", "given_network",
            "sampled_network", "1d_network"]


@pytest.mark.parametrize("name", PRODUCED)
def test_produced_verified_by_both(produced, name, tmp_path):
    cert = produced[name]
    assert both(cert) == VER
    path = tmp_path / "cert.json"
    path.write_text(dumps(cert))
    assert key(cc.check(str(path))) == key(lib.check_file(path)) == (VER, 0, None)
    res = lib.check_file(path)
    assert res.message.startswith("VERIFIED: ")
    assert ("complete (global)" in res.message) == cert["patterns"]["complete"]


@pytest.mark.parametrize("name", PRODUCED)
def test_produced_work_estimate_is_the_same(produced, name, monkeypatch):
    assert _same_work_and_limits(produced[name], monkeypatch) == VER


# ---- helpers for the families (plain Fraction arithmetic, written for the tests)

def _fr(s):
    return F(s)


def _X(cert):
    return [[_fr(v) for v in row] for row in cert["problem"]["X"]]


def _correlation(cert, i, s):
    """s X^T D_i r."""
    X, r, p = _X(cert), [_fr(v) for v in cert["dual"]["r"]], cert["patterns"]["bits"][i]
    return [s * sum((r[k] * X[k][j] for k in range(len(X)) if p[k] == "1"), F(0))
            for j in range(len(X[0]))]


def _neuron_compatible(cert, bits):
    """Does a network neuron with a nonzero output allow pattern bits (D2 matching)?"""
    X = _X(cert)
    for w, a in zip(cert["network"]["W1"], cert["network"]["w2"]):
        pre = [sum((x * _fr(v) for x, v in zip(row, w)), F(0)) for row in X]
        if _fr(a) and any(z > 0 for z in pre) and all(
                (z == 0 and (any(row) or ch == "1")) or (z > 0 and ch == "1")
                or (z < 0 and ch == "0") for z, ch, row in zip(pre, bits, X)):
            return True
    return False


def f_lower_up(cert):
    cert["claim"]["lower"] = fb.q(_fr(cert["claim"]["lower"]) + 1)
    return (R, 5)


def f_upper_down(cert):
    cert["claim"]["upper"] = fb.q(_fr(cert["claim"]["upper"]) - 1)
    return (R, 5)


def f_bump_r(cert):
    # q moves by s * 1000 x_0 on every pattern with row 0 active: far outside the lam-ball
    cert["dual"]["r"][0] = fb.q(_fr(cert["dual"]["r"][0]) + 1000)
    return (R, 4)


def f_bump_y(cert):
    # y_0 + 1000: either L drops (r_0 < 0) or U grows by ~500000 (r_0 >= 0)
    cert["problem"]["y"][0] = fb.q(_fr(cert["problem"]["y"][0]) + 1000)
    return (R, 5)


def f_double_lam(cert):
    # dual constraints get looser, the penalty of the upper-bound model doubles
    cert["problem"]["lam"] = fb.q(2 * _fr(cert["problem"]["lam"]))
    return (R, 5)


def f_drop_pattern(cert):
    pa = cert["patterns"]
    if pa["complete"]:  # a region is missing: a wall flip is neither listed nor excluded
        tcc.drop_pattern(cert, -1)
        return (R, 2)
    enc = cert.get("optimal_set_enclosure", {})
    used = {e["pattern"] for e in cert["dual"]["rho"]} | {
        b["pattern"] for b in cert.get("blocks", [])} | {
        e["pattern"] for key in ("candidates", "rho", "twins", "mirrors")
        for e in enc.get(key, [])} | {
        e["pattern"] for e in enc.get("system", {}).get("blocks", [])}
    free = [i for i, p in enumerate(pa["bits"]) if i not in used and not (
        "network" in cert and _neuron_compatible(cert, p))]
    if not free:
        return NA
    tcc.drop_pattern(cert, free[0])  # an unused pattern of a sampled list: still true
    return VER


def f_drop_witness(cert):
    del cert["patterns"]["witnesses"][-1]  # one per pattern is a shape rule (D8)
    return MAL


def f_drop_all_witnesses(cert):
    del cert["patterns"]["witnesses"]
    return (R, 1) if cert["patterns"]["complete"] else VER


def f_drop_gordan(cert):
    pa = cert["patterns"]
    if not pa["complete"] or pa["general_position"] or not pa["gordan"]:
        return NA
    del pa["gordan"][0]  # the producer writes entries only for flips that are not listed
    return (R, 2)


def f_drop_rho(cert):
    lam2 = _fr(cert["problem"]["lam"]) ** 2
    for e, entry in enumerate(cert["dual"]["rho"]):
        c = _correlation(cert, entry["pattern"], entry["sign"])
        if sum(x * x for x in c) > lam2:  # the multiplier is needed
            del cert["dual"]["rho"][e]
            return (R, 4)
    return NA


def f_flip_bit(cert):
    tcc.flip_bit(cert)  # the witness of pattern 0 now has the wrong sign on that row
    return (R, 1)


def f_norm_upper(cert):
    if "blocks" not in cert:
        return NA
    blk = cert["blocks"][0]
    sq = sum(_fr(v) ** 2 for v in blk["u"])
    assert sq > 0
    blk["norm_upper"] = fb.q(sq / _fr(blk["norm_upper"]) * F(999, 1000))  # below ||u||
    return (R, 3)


def f_non_canonical(cert):
    x = _fr(cert["problem"]["lam"])
    cert["problem"]["lam"] = f"{2 * x.numerator}/{2 * x.denominator}"
    return MAL


def f_missing_dual(cert):
    del cert["dual"]
    return MAL


def f_missing_claim(cert):
    del cert["claim"]
    return MAL


def f_json_number(cert):
    cert["problem"]["lam"] = float(_fr(cert["problem"]["lam"]))
    return MAL


def f_json_int_in_vector(cert):
    cert["dual"]["r"][0] = 0
    return MAL


def f_not_complete(cert):
    cert["patterns"]["complete"] = False  # a weaker statement, still true
    return VER


PRODUCED_FAMILIES = {f.__name__[2:]: f for f in (
    f_lower_up, f_upper_down, f_bump_r, f_bump_y, f_double_lam, f_drop_pattern,
    f_drop_witness, f_drop_all_witnesses, f_drop_gordan, f_drop_rho, f_flip_bit,
    f_norm_upper, f_non_canonical, f_missing_dual, f_missing_claim, f_json_number,
    f_json_int_in_vector, f_not_complete)}


@pytest.mark.parametrize("family", list(PRODUCED_FAMILIES))
@pytest.mark.parametrize("name", PRODUCED)
def test_produced_corruptions(produced, name, family):
    cert = copy.deepcopy(produced[name])
    expected = PRODUCED_FAMILIES[family](cert)
    if expected is NA:
        pytest.skip(f"{family} does not apply to {name}")
    assert both(cert) == expected


def test_families_cover_the_interesting_cases(produced):
    """drop_gordan, drop_rho and norm_upper apply to at least one produced certificate."""
    for family in ("drop_gordan", "drop_rho", "norm_upper", "drop_pattern"):
        assert any(PRODUCED_FAMILIES[family](copy.deepcopy(produced[name])) is not NA
                   for name in PRODUCED), family


def test_sampled_network_outside_the_listed_cones():
    """Regression (found with these tests): with a sampled list, a rounded block could leave
    its cone, so its neuron's pattern was not listed and D2 rejected the file (check 3).
    The producer now projects rounded blocks back into their cones."""
    data = Dataset.from_arrays([[0], [1], [-2], [-2]], [-6, F(8, 3), -8, F(-7, 3)], bias=True)
    got = both(certify(data, F(1, 10), sample=1, progress=False).certificate)
    assert got == VER


# ================================================================ (c) hypothesis

@FUZZ
@given(st.sampled_from(PRODUCED), st.data())
def test_fuzz_mutated_text(produced, name, data):
    both_text(tcc.mutate_text(dumps(produced[name]), data))


@FUZZ
@given(st.sampled_from(PRODUCED), st.data(), tcc.JSONISH)
def test_fuzz_replaced_subtree(produced, name, data, value):
    cert = copy.deepcopy(produced[name])
    path = data.draw(st.sampled_from([p for p in tcc._paths(cert) if p]))
    tcc.set_path(cert, list(path), value)
    both(cert)


@FUZZ
@given(st.sampled_from(NAMES + ["produced"]), st.data())
def test_fuzz_rational_edits(produced, name, data):
    """Edit one rational string: nudge it, or replace it by a non-canonical spelling."""
    cert = fb.FIXTURES[name]() if name != "produced" else copy.deepcopy(
        produced[data.draw(st.sampled_from(PRODUCED))])
    paths = [p for p in tcc._paths(cert) if p and p[0] != "provenance"]
    leaves = []
    for p in paths:
        node = cert
        for k in p:
            node = node[k]
        if isinstance(node, str) and p[-1] not in ("format",) and p[:2] != ("patterns", "bits"):
            leaves.append(p)
    path = data.draw(st.sampled_from(leaves))
    edit = data.draw(st.sampled_from(["+1", "-1", "*-1", "0", "half", "2/4", "-0", "1.0"]))

    def change(s):
        try:
            x = F(s)
        except (ValueError, ZeroDivisionError):
            return s
        return {"+1": fb.q(x + 1), "-1": fb.q(x - 1), "*-1": fb.q(-x), "0": "0",
                "half": fb.q(x / 2)}.get(edit, edit)
    tcc.set_path(cert, list(path), change)
    both(cert)


# ================================================================ (d) independence

def test_library_checker_imports_nothing_else_from_exactrelu():
    """The checker's modules import only each other (relative, same package), never the
    rest of exactrelu: it must not share code with what it checks."""
    import ast

    package = ROOT / "exactrelu" / "certificate" / "check"
    files = sorted(package.glob("*.py"))
    assert {f.name for f in files} >= {"__init__.py", "budget.py", "reader.py", "checks.py"}
    for f in files:
        for node in ast.walk(ast.parse(f.read_text(), str(f))):
            if isinstance(node, ast.ImportFrom):
                assert node.level in (0, 1), (f.name, node.module, node.level)
                assert node.level == 1 or not (node.module or "").startswith("exactrelu"), \
                    (f.name, node.module)
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("exactrelu") for a in node.names), f.name
