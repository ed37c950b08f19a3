"""Tests of the standalone certificate checker (stdlib + pytest + hypothesis only).

Every check is made to fire on purpose, every fixture meets every corruption family
with the verdict it must get, and the parser is fuzzed for tracebacks and hangs.
"""
import ast
import json
import subprocess
import sys
import time
from fractions import Fraction as F
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import check_cert as cc  # noqa: E402
import fixtures_build as fb  # noqa: E402

NAMES = list(fb.FIXTURES)
VERDICTS = {"VERIFIED", "REJECTED", "MALFORMED", "UNDECIDED"}
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def outcome(res):
    """The verdict, with the failed check for REJECTED; also checks the Result's consistency."""
    assert res.verdict in VERDICTS and res.code == cc.CODES[res.verdict]
    assert (res.failed_check is not None) == (res.verdict == "REJECTED")
    assert "internal error" not in res.message, res.message
    return ("REJECTED", res.failed_check) if res.verdict == "REJECTED" else res.verdict


def add(s, delta):
    return fb.q(F(s) + delta)


# ---------------------------------------------------------------- the fixtures are valid

@pytest.mark.parametrize("name", NAMES)
def test_fixture_verifies(name):
    res = cc.check(fb.FIXTURES[name]())
    assert outcome(res) == "VERIFIED", res.message
    assert ("complete (global)" in res.message) and ("optimal set" in res.message) == (
        name == "1d_optimal_set")


def test_fixture_values_are_the_closed_form():
    cert = fb.example_1d()  # docs/theory.md §5.1: p* = 37/8 at lam = 2, fit (1, 1)
    assert cert["claim"] == {"lower": "37/8", "upper": "37/8"}
    assert fb.example_1d_optimal_set()["optimal_set"]["fit"] == ["1", "1"]
    assert len(fb.example_gp_2d()["patterns"]["bits"]) == 8
    assert len(fb.example_degenerate_2d()["patterns"]["gordan"]) == 6


def test_check_accepts_path_bytes_and_object(tmp_path):
    cert = fb.example_1d()
    path = tmp_path / "c.json"
    path.write_text(json.dumps(cert))
    for form in (cert, str(path), path, json.dumps(cert).encode()):
        assert outcome(cc.check(form)) == "VERIFIED"


# ---------------------------------------------------------------- corruption families

drop_pattern = fb.drop_pattern


def mutate_text(text: str, data) -> bytes:
    """1-4 random byte edits (replace, delete, insert) drawn from Hypothesis ``data``."""
    buf = bytearray(text.encode())
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(buf) - 1))
        op = data.draw(st.sampled_from(["replace", "delete", "insert"]))
        byte = data.draw(st.sampled_from(b'0123456789/-"{}[],:. e\\x'))
        if op == "replace":
            buf[i] = byte
        elif op == "delete":
            del buf[i]
        else:
            buf.insert(i, byte)
    return bytes(buf)


def flip_bit(cert):
    bits = cert["patterns"]["bits"]
    k = next(k for k, x in enumerate(cert["problem"]["X"]) if any(v != "0" for v in x))
    bits[0] = bits[0][:k] + "10"[int(bits[0][k])] + bits[0][k + 1:]
    return cert


def set_path(cert, path, value):
    node = cert
    for key in path[:-1]:
        node = node[key]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value(node[path[-1]]) if callable(value) else value
    return cert


DELETE = object()
R, MAL, VER = "REJECTED", "MALFORMED", "VERIFIED"
NA = None  # the corruption does not apply to this fixture

# family -> (mutation, {fixture: expected}); expectations are argued in the comments.
FAMILIES = {
    # L = lower exactly in every fixture, so raising lower breaks lower <= L
    "lower_up": (lambda c: set_path(c, ["claim", "lower"], lambda s: add(s, 1)),
                 dict.fromkeys(NAMES, (R, 5))),
    # lowering lower is legitimate, except that an optimal set needs lower == upper
    "lower_down": (lambda c: set_path(c, ["claim", "lower"], lambda s: add(s, -1)),
                   {**dict.fromkeys(NAMES, VER), "1d_optimal_set": (R, 6)}),
    "upper_down": (lambda c: set_path(c, ["claim", "upper"], lambda s: add(s, -1)),
                   dict.fromkeys(NAMES, (R, 5))),
    "upper_up": (lambda c: set_path(c, ["claim", "upper"], lambda s: add(s, 1)),
                 {**dict.fromkeys(NAMES, VER), "1d_optimal_set": (R, 6)}),
    # 1d: q = r_0 x_0 = 3 > lam = 2; gp: q = (1, 0) > 1/2; degenerate: pattern 5 gets
    # q = (0, 1) + rho (1, 0) = (1, 1), norm^2 2 > 1
    "bump_dual_r": (lambda c: set_path(c, ["dual", "r", 0], lambda s: add(s, 1)),
                    dict.fromkeys(NAMES, (R, 4))),
    # y_0 + 1: 1d, gp: U_net grows (residual at row 0 grows), degenerate: L drops by 1
    "bump_data_y": (lambda c: set_path(c, ["problem", "y", 0], lambda s: add(s, 1)),
                    dict.fromkeys(NAMES, (R, 5))),
    # x_0 doubled: 1d q = 4 > 2; gp: signs unchanged, U_net grows; degenerate: the Gordan
    # combination x_0 + x_5 - x_4 = 0 breaks
    "bump_data_X": (lambda c: set_path(c, ["problem", "X", 0, 0], lambda s: add(s, F(s))),
                    {"1d": (R, 4), "1d_optimal_set": (R, 4), "gp_2d": (R, 5),
                     "degenerate_2d": (R, 2)}),
    # a larger lam raises the penalty of the upper-bound model
    "lam_double": (lambda c: set_path(c, ["problem", "lam"], lambda s: add(s, F(s))),
                   dict.fromkeys(NAMES, (R, 5))),
    # a smaller lam breaks the tight dual constraints; gp has r = 0 (always feasible) and
    # its U only decreases, so it still verifies
    "lam_half": (lambda c: set_path(c, ["problem", "lam"], lambda s: add(s, -F(s) / 2)),
                 {**dict.fromkeys(NAMES, (R, 4)), "gp_2d": VER}),
    "drop_pattern": (drop_pattern, dict.fromkeys(NAMES, (R, 2))),
    "drop_first_pattern": (lambda c: drop_pattern(c, 0), dict.fromkeys(NAMES, (R, 2))),
    "drop_one_witness": (lambda c: set_path(c, ["patterns", "witnesses", -1], DELETE),
                         dict.fromkeys(NAMES, MAL)),
    "drop_all_witnesses": (lambda c: set_path(c, ["patterns", "witnesses"], DELETE),
                           dict.fromkeys(NAMES, (R, 1))),
    "drop_gordan_entry": (lambda c: set_path(c, ["patterns", "gordan", 0], DELETE),
                          {**dict.fromkeys(NAMES, NA), "degenerate_2d": (R, 2)}),
    # 1d: without its multiplier the block has ||q|| = lam: still feasible, but then tight,
    # and the optimal set does not list it; degenerate: every multiplier is needed
    "drop_multiplier": (lambda c: set_path(c, ["dual", "rho", 0], DELETE),
                        {"1d": VER, "1d_optimal_set": (R, 6), "gp_2d": NA,
                         "degenerate_2d": (R, 4)}),
    "negative_multiplier": (lambda c: set_path(c, ["dual", "rho", 0, "values"], lambda v: {
        k: add(x, -F(x) - 1) for k, x in v.items()}),
        {"1d": (R, 4), "1d_optimal_set": (R, 4), "gp_2d": NA, "degenerate_2d": (R, 4)}),
    "flip_pattern_bit": (flip_bit, dict.fromkeys(NAMES, (R, 1))),
    "wrong_witness": (lambda c: set_path(c, ["patterns", "witnesses", 0], lambda g: [
        add(x, -F(x)) for x in g]), dict.fromkeys(NAMES, (R, 1))),
    "norm_upper_too_small": (lambda c: set_path(c, ["blocks", 0, "norm_upper"], "0"),
                             {**dict.fromkeys(NAMES, (R, 3)), "gp_2d": NA}),
    "u_outside_cone": (lambda c: set_path(c, ["blocks", 0, "u"], lambda u: [add(x, -2 * F(x))
                                                                            for x in u]),
                       {**dict.fromkeys(NAMES, (R, 3)), "gp_2d": NA}),
    # 1d: the blocks still give U = 37/8, so the claim stands (the message then says the
    # network's objective is above upper); gp: the network alone gives U
    "bump_network_weight": (
        lambda c: set_path(c, ["network", "W1", 0, 0], lambda s: add(s, 1)),
        {"1d": VER, "1d_optimal_set": VER, "gp_2d": (R, 5), "degenerate_2d": NA}),
    "non_canonical_rational": (
        lambda c: set_path(c, ["claim", "upper"], lambda s: "{}/{}".format(
            2 * F(s).numerator, 2 * F(s).denominator)), dict.fromkeys(NAMES, MAL)),
    "missing_section": (lambda c: set_path(c, ["dual"], DELETE), dict.fromkeys(NAMES, MAL)),
    "json_number": (lambda c: set_path(c, ["problem", "lam"], lambda s: float(F(s))),
                    dict.fromkeys(NAMES, MAL)),
    "bool_as_index": (lambda c: set_path(c, ["dual", "rho"], [
        {"pattern": True, "sign": 1, "values": {}}]), dict.fromkeys(NAMES, MAL)),
    "bump_optimal_v": (lambda c: set_path(c, ["optimal_set", "blocks", 0, "v", 0],
                                          lambda s: add(s, 1)),
                       {**dict.fromkeys(NAMES, NA), "1d_optimal_set": (R, 6)}),
    "bump_alpha": (lambda c: set_path(c, ["optimal_set", "vertices", 0, "alpha", "0"],
                                      lambda s: add(s, 1)),
                   {**dict.fromkeys(NAMES, NA), "1d_optimal_set": (R, 6)}),
    "bump_fit": (lambda c: set_path(c, ["optimal_set", "fit", 0], lambda s: add(s, 1)),
                 {**dict.fromkeys(NAMES, NA), "1d_optimal_set": (R, 6)}),
    "bump_gordan_y": (lambda c: set_path(c, ["patterns", "gordan", 0, "y", "0"],
                                         lambda s: add(s, 1)),
                      {**dict.fromkeys(NAMES, NA), "degenerate_2d": (R, 2)}),
    # dropping the completeness claim leaves a true (weaker) statement
    "not_complete": (lambda c: set_path(c, ["patterns", "complete"], False),
                     dict.fromkeys(NAMES, VER)),
}


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("name", NAMES)
def test_corruption(name, family):
    mutate, expected = FAMILIES[family]
    if expected[name] is NA:
        pytest.skip(f"{family} does not apply to {name}")
    res = cc.check(mutate(fb.FIXTURES[name]()))
    assert outcome(res) == expected[name], res.message


def test_network_above_upper_is_reported():
    cert = FAMILIES["bump_network_weight"][0](fb.example_1d())
    assert "network (2 neurons): objective > (not proved <=) upper" in cc.check(cert).message


# ---------------------------------------------------------------- each check, on purpose

def expect(cert, check, words=""):
    res = cc.check(cert)
    assert outcome(res) == ("REJECTED", check), res.message
    assert res.message.startswith(f"check {check} ({cc.NAMES[check]}):") and words in res.message
    return res


@pytest.mark.parametrize("bad", ["0", "011", "0a", "1 "])
def test_check1_pattern_strings(bad):
    cert = fb.example_1d()
    cert["patterns"]["bits"][0] = bad
    expect(cert, 1, "characters")


def test_check1_duplicate_and_zero_row():
    cert = fb.example_1d()
    cert["patterns"]["bits"][1] = cert["patterns"]["bits"][0]
    expect(cert, 1, "repeats")
    cert = fb.example_degenerate_2d()
    bits = cert["patterns"]["bits"]
    bits[0] = bits[0][:3] + "0" + bits[0][4:]  # row 3 is the zero row
    expect(cert, 1, "zero row")


def test_check1_witness_zero_on_a_row():
    cert = fb.example_gp_2d()
    cert["patterns"]["witnesses"][0] = ["0", "0"]
    expect(cert, 1, "witness")


def test_check2_gordan_on_zero_rows_only_is_rejected():
    """The spec flaw: y supported on the zero row satisfies y >= 0, y != 0 and
    sum y_k t_k x_k = 0 trivially, and proves nothing."""
    cert = fb.example_degenerate_2d()
    for entry in cert["patterns"]["gordan"]:
        entry["y"] = {"3": "1"}
    expect(cert, 2, "zero row")
    cert = fb.example_degenerate_2d()
    cert["patterns"]["gordan"][0]["y"]["3"] = "1"  # strict reading: any zero-row entry
    expect(cert, 2, "zero row")


def test_check2_gordan_signs_and_flip_set():
    cert = fb.example_degenerate_2d()
    cert["patterns"]["gordan"][0]["y"] = {k: "0" for k in cert["patterns"]["gordan"][0]["y"]}
    expect(cert, 2, "positive")
    cert = fb.example_degenerate_2d()
    cert["patterns"]["gordan"][0]["y"] = {"0": "-1", "4": "-1", "5": "-1"}
    expect(cert, 2, ">= 0")
    cert = fb.example_degenerate_2d()
    entry = next(e for e in cert["patterns"]["gordan"] if len(e["flip"]) == 3)
    entry["flip"] = entry["flip"][:2]  # not a whole parallel class: the entry is not used
    expect(cert, 2, "no gordan entry")


def test_check2_empty_complete_list():
    cert = fb.example_gp_2d()
    cert["patterns"].update(bits=[], witnesses=[], general_position=False)
    cert["dual"]["rho"] = []
    expect(cert, 2, "empty")


def test_check2_general_position_routes():
    cert = fb.example_degenerate_2d()
    cert["patterns"]["general_position"] = True
    expect(cert, 2, "zero row")
    cert = fb.example_gp_2d()
    cert["patterns"]["general_position"] = False  # a sector of 4 lines has 2 walls: the
    expect(cert, 2, "no gordan entry")  # other 2 flips need Gordan entries, absent here
    c = cc.Cert(fb.example_gp_2d(), cc.Budget(10 ** 6))
    c.Xg[3] = [2 * v for v in c.Xg[2]]  # dependent rows, as if the count had matched
    with pytest.raises(cc.Stop) as err:
        cc._general_position(c)
    assert err.value.check == 2 and "rows [2, 3]" in str(err.value)


def test_singular_bareiss():
    assert cc._singular([[1, 2], [2, 4]]) and not cc._singular([[0, 1], [1, 0]])
    assert cc._singular([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    assert not cc._singular([[2, 0, 1], [1, 3, 2], [1, 1, 2]])  # det = 6
    assert cc._singular([[2, 0, 1], [1, 3, 2], [1, 1, 1]])  # det = 0
    assert cc._singular([[0, 0], [0, 5]]) and not cc._singular([[7]])


def test_check3_network_pattern_not_listed():
    """Deviation D2: with a sub-sampled list, NC(W) bounds p* only if the network's
    patterns are listed.  Here the spec as written would accept the false claim p* = 37/8
    for the program over pattern "10" alone (its true optimum is 41/8)."""
    cert = drop_pattern(fb.example_1d(), 0)  # keep "10" only
    cert["patterns"]["complete"] = False
    del cert["blocks"]
    assert fb.nc_objective([[1], [-4]], [3, F(3, 2)], 2, [[1]], [1]) == F(41, 8)
    expect(cert, 3, "pattern is not listed")
    cert["network"] = {"W1": [["1"]], "w2": ["1"]}  # a network the list covers: 41/8
    cert["claim"]["upper"] = "41/8"
    assert outcome(cc.check(cert)) == "VERIFIED"


def test_check4_and_5_messages():
    cert = fb.example_1d()
    cert["dual"]["r"][0] = "3"
    expect(cert, 4, "||q||^2 > lam^2")
    cert = fb.example_gp_2d()
    cert["claim"]["lower"], cert["claim"]["upper"] = "8", "7"
    expect(cert, 5, "exceeds the dual bound")


def test_check6_needs_tight_blocks_listed_and_independent_vertices():
    cert = fb.example_1d_optimal_set()
    del cert["optimal_set"]["blocks"][1]
    cert["optimal_set"]["vertices"] = []
    expect(cert, 6, "not listed")
    cert = fb.example_1d_optimal_set()
    cert["optimal_set"]["vertices"].append({"alpha": {"0": "-1/2", "1": "1/8"}})
    expect(cert, 6, "negative")
    cert = fb.example_1d_optimal_set()  # pattern "10", sign +1 with rho_1 = 1: v = 2 + 4
    cert["optimal_set"]["blocks"][0].update(v=["6"], rho={"1": "1"})
    expect(cert, 6, "rho.(A v) is not 0")
    cert = fb.example_1d_optimal_set()  # pattern "10", sign -1: Proj_K(-2) = 0, not tight
    cert["optimal_set"]["blocks"].append({"pattern": 1, "sign": -1, "v": ["0"], "rho": {"0": "2"}})
    expect(cert, 6, "||v||^2 != lam^2")
    cert = fb.example_1d_optimal_set()
    del cert["optimal_set"]["vertices"][0]  # listing fewer vertices is allowed
    assert outcome(cc.check(cert)) == "VERIFIED"


def test_independent():
    assert cc._independent([[F(1), F(0)], [F(1), F(1)]])
    assert not cc._independent([[F(1), F(2)], [F(2), F(4)]])
    assert not cc._independent([[F(0), F(0)]])


# ---------------------------------------------------------------- encoding

@pytest.mark.parametrize("bad", ["2/4", "-0", "+1", "1.0", " 1", "1/1", "0/3", "01", "1/-2",
                                 "1e3", "", "1/0", "--1", "1//2", "\u0661"])
def test_non_canonical_rationals(bad):
    cert = fb.example_1d()
    cert["claim"]["lower"] = bad
    assert outcome(cc.check(cert)) == MAL


@pytest.mark.parametrize("text", [b"", b"{", b"[]", b"null", b'{"a": NaN}', b"\xff\xfe",
                                  b'{"format": 1, "format": 2}', b"[" * 100000])
def test_unreadable_json(text):
    assert outcome(cc.check(text)) == MAL


@pytest.mark.parametrize("path, value", [
    (["version"], True), (["version"], 2), (["format"], "other"), (["problem", "X"], []),
    (["problem", "X"], [[]]), (["problem", "lam"], "0"), (["problem", "lam"], "-1"),
    (["problem", "bias"], "no"), (["patterns", "complete"], 1), (["blocks", 0, "sign"], 2),
    (["blocks", 0, "sign"], True), (["blocks", 0, "pattern"], 2), (["network", "w2"], ["1"]),
    (["dual", "rho", 1], {"pattern": 1, "sign": -1, "values": {}}),
    (["dual", "rho", 0, "values"], {"01": "1"}), (["dual", "rho", 0, "values"], {"2": "1"}),
    (["network"], DELETE)])
def test_shapes_are_malformed(path, value):
    cert = fb.example_1d()
    if path == ["network"]:
        del cert["blocks"]
    set_path(cert, path, value)
    assert outcome(cc.check(cert)) == MAL


def test_missing_file_and_huge_json_integer(tmp_path):
    assert outcome(cc.check(str(tmp_path / "nope.json"))) == MAL
    assert outcome(cc.check("nul\x00byte")) == MAL and outcome(cc.check(str(tmp_path))) == MAL
    cert = json.dumps(fb.example_1d()).replace('"version": 1', '"version": 1' + "0" * 5000)
    assert outcome(cc.check(cert.encode())) == MAL


# ---------------------------------------------------------------- budget and hangs

def test_huge_rational_is_undecided_quickly():
    for digits in (10 ** 6, 20_000):
        cert = fb.example_1d()
        cert["problem"]["y"][0] = "1" + "0" * digits
        start = time.monotonic()
        res = cc.check(json.dumps(cert).encode())
        assert outcome(res) == "UNDECIDED" and time.monotonic() - start < 5


def test_many_big_denominators_stay_bounded():
    """9,999-digit denominators everywhere: each value is allowed, but common denominators
    outgrow the cap or the work estimate; the answer must come quickly either way."""
    big = ["1" + "0" * (9990 - len(str(m))) + str(m) for m in range(7, 9 * 40, 6)]  # odd,
    cert = fb.example_gp_2d()  # not divisible by 3 or 5, so coprime to the entries below
    def frac(a, b):
        return "0" if a == "0" else f"{a}/{b}"
    cert["patterns"]["witnesses"] = [[frac(a, b) for a in w]
                                     for w, b in zip(cert["patterns"]["witnesses"], big)]
    cert["dual"]["r"] = [f"1/{b}" for b in big[:4]]
    cert["problem"]["X"] = [[frac(a, b) for a in x] for x, b in zip(cert["problem"]["X"],
                                                                   big[10:])]
    start = time.monotonic()
    res = cc.check(cert)
    assert outcome(res) in ("UNDECIDED", ("REJECTED", 5), "VERIFIED")
    assert time.monotonic() - start < 10


def test_5000_digit_values_are_read_exactly():
    cert = fb.example_gp_2d()
    cert["network"]["W1"][0][1] = "1/" + "1" + "0" * 5000  # beyond int's 4300-digit limit
    res = cc.check(cert)
    assert outcome(res) == ("REJECTED", 5)  # a tiny change to U, above the claimed upper


def test_budget_flags():
    assert outcome(cc.check(fb.example_1d(), budget_digits=10)) == "UNDECIDED"
    old = cc.WORK_LIMIT_NS
    try:
        cc.WORK_LIMIT_NS = 1
        assert outcome(cc.check(fb.example_gp_2d())) == "UNDECIDED"
    finally:
        cc.WORK_LIMIT_NS = old


# ---------------------------------------------------------------- fuzzing the parser

JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 10) | st.floats(allow_nan=False)
    | st.sampled_from(["0", "1", "-1", "1/2", "2/4", "10", "01", "exactrelu-certificate"])
    | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["format", "version", "problem", "X", "y", "lam", "patterns", "bits",
                         "complete", "dual", "r", "rho", "claim", "lower", "upper", "blocks",
                         "network", "W1", "w2", "0", "1"]) | st.text(max_size=3),
        inner, max_size=5),
    max_leaves=30)


@FUZZ
@given(JSONISH)
def test_fuzz_random_json(doc):
    if not isinstance(doc, str):  # a str means a path
        outcome(cc.check(doc))
    outcome(cc.check(json.dumps(doc).encode()))


def _paths(node, prefix=()):
    yield prefix
    children = node.items() if isinstance(node, dict) else enumerate(node) \
        if isinstance(node, list) else ()
    for key, child in children:
        yield from _paths(child, prefix + (key,))


@FUZZ
@given(st.sampled_from(NAMES), st.data(), JSONISH)
def test_fuzz_replace_a_subtree(name, data, value):
    cert = fb.FIXTURES[name]()
    path = data.draw(st.sampled_from([p for p in _paths(cert) if p]))
    set_path(cert, list(path), value)
    outcome(cc.check(cert))


@FUZZ
@given(st.sampled_from(NAMES), st.data())
def test_fuzz_mutate_the_text(name, data):
    text = mutate_text(json.dumps(fb.FIXTURES[name]()), data)
    outcome(cc.check(text))


# ---------------------------------------------------------------- standalone, and the CLI

STDLIB = {"base64", "json", "math", "os", "re", "sys", "fractions", "itertools", "operator", "typing",
          "functools", "collections", "argparse"}


def test_imports_are_stdlib_only():
    tree = ast.parse((HERE / "check_cert.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add((node.module or "").split(".")[0])
            assert node.level == 0
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__":
            raise AssertionError("dynamic import")
    assert names <= STDLIB and not any("exactrelu" in n for n in names), names


def test_cli_exit_codes(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(fb.example_gp_2d()))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(FAMILIES["upper_down"][0](fb.example_gp_2d())))
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    script = str(HERE / "check_cert.py")
    for args, code, word in [([good], 0, "VERIFIED: "), ([bad], 1, "REJECTED: check 5"),
                             ([junk], 2, "MALFORMED: "), ([good, "--budget-digits", "5"], 3,
                                                          "UNDECIDED: "),
                             ([], 2, "MALFORMED: usage"), ([good, "--budget-digits", "x"], 2,
                                                           "MALFORMED: usage")]:
        run = subprocess.run([sys.executable, script, *map(str, args)], capture_output=True,
                             text=True, timeout=60)
        assert run.returncode == code and run.stdout.startswith(word), run.stdout
        assert run.stderr == "" and len(run.stdout.splitlines()) == 1
