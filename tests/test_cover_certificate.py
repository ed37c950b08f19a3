"""Format minor version 1.1 (``cover``): both checkers on cover certificates.

The hand example of docs/spec/certificate-v1.md (section 1.1), certificates written by
``certify(route="cover")`` (VERIFIED by both checkers, lower bounds within the gap of
the regions route's), and corruption families for the tree -- each rejected by both
checkers with the same (verdict, exit code, failed check), and the same budget charges.
"""
import copy
import json
import random
import re
from fractions import Fraction as F
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import test_check_differential as tcd
from exactrelu.certificate.emit import dumps
from exactrelu.certificate.produce import certify
from exactrelu.networks import Network
from exactrelu.problem import Dataset

# sign-split trees (1.1 / 1.6): auto would pick a simplex cover (1.7) at d <= 3
pytestmark = pytest.mark.usefixtures("splits_covers")

R, MAL, VER, UND = "REJECTED", "MALFORMED", "VERIFIED", "UNDECIDED"
both = tcd.both
ROOT = Path(__file__).resolve().parents[1]
GAP = F(1, 10 ** 4)

HAND = {"format": "exactrelu-certificate", "version": 1,
        "problem": {"X": [["1", "0"], ["0", "1"], ["1", "1"]], "y": ["2", "-1", "1"],
                    "lam": "3/2"},
        "patterns": {"bits": [], "complete": False},
        "network": {"W1": [], "w2": []},
        "dual": {"r": ["1", "-1", "1/2"]},
        "claim": {"lower": "19/8", "upper": "3"},
        "cover": {"N": ["1", "1", "3/2"],
                  "trees": [{"sign": 1, "nodes": [{"split": 0}, {"split": 2},
                                                  {"leaf": {"mu": {"1": "1/2"}}},
                                                  {"leaf": {}}, {"leaf": {}}]},
                            {"sign": -1, "nodes": [{"leaf": {}}]}]}}


def edited(base, **edit):
    """A copy of base with each ``a__0__b=value`` set (a digit indexes a list only)."""
    cert = copy.deepcopy(base)
    for path, value in edit.items():
        *head, last = path.split("__")
        obj = cert
        for k in head:
            obj = obj[int(k) if isinstance(obj, list) else k]
        obj[int(last) if isinstance(obj, list) else last] = value
    return cert


def _hand(**edit):
    return edited(HAND, **edit)


def test_spec_example_is_this_certificate():
    text = (ROOT / "docs/spec/certificate-v1.md").read_text()
    sec = text[text.index("## Minor version 1.1"):]
    block = re.search(r"```json\n(.*?)```", sec, re.S).group(1)
    assert json.loads(block) == HAND


def test_hand_example_verified_global():
    assert both(HAND) == VER
    msg = tcd.lib.check_obj(copy.deepcopy(HAND)).message
    assert "complete (global, by a cover proof of 6 nodes, 4 leaves)" in msg
    assert msg == "VERIFIED: " + tcd.cc.check(copy.deepcopy(HAND)).message


def test_hand_example_without_cover_is_local_v1():
    cert = copy.deepcopy(HAND)
    del cert["cover"]
    assert both(cert) == VER
    assert "not complete" in tcd.lib.check_obj(cert).message


@pytest.mark.parametrize("edit", [
    {"dual__r": ["6/5", "-6/5", "3/5"]},                   # r scaled by 6/5: (F) fails
    {"dual__r": ["1", "-1", "3/5"]},                       # a cover for another r
    {"cover__trees__0__nodes__2": {"leaf": {}}},            # the row mu_1 missing
    {"cover__trees__0__nodes": [{"leaf": {}}]},             # tree cut to its root
    {"cover__N__2": "7/5"},                                 # 49/25 < ||x_2||^2 = 2
    {"cover__trees__0__nodes__1": {"split": 0}},            # split repeated on its path
    {"cover__trees__0__nodes__2": {"leaf": {"mu": {"1": "3/2"}}}},   # mu outside [0, 1]
    {"cover__trees__0__nodes__2": {"leaf": {"mu": {"0": "1/2"}}}},   # mu on a fixed row
    {"cover__trees__0__nodes__2": {"leaf": {"nu": {"1": "1"}}}},     # nu on a free row
    {"cover__trees__0__nodes__3": {"leaf": {"nu": {"2": "-1"}}}},    # nu negative
    {"cover__trees__0__sign": -1, "cover__trees__1__sign": 1},       # wrong sign set
])
def test_hand_corruptions_rejected(edit):
    assert both(_hand(**edit)) == (R, 7)


@pytest.mark.parametrize("edit", [
    {"cover__trees__0__nodes__0": {"split": "0"}},          # not a JSON integer
    {"cover__trees__0__nodes__0": {"split": 3}},            # out of range
    {"cover__trees__0__nodes__0": {"split": 0, "leaf": {}}},
    {"cover__trees__0__nodes__2": {"leaf": {"mu": {"01": "1/2"}}}},
    {"cover__trees__0__nodes__2": {"leaf": {"mu": {"1": 0.5}}}},
    {"cover__trees__0__nodes__2": {"leaf": {"rho": {}}}},
    {"cover__trees__0__nodes__2": {"leaf": {"bounds": {"1": {}}}}},
    {"cover__trees__0__nodes__2": {"leaf": {"bounds": {"2": {"hi_nu": {"0": "1"}}}}}},
    {"cover__trees__0__nodes__2": ["leaf"]},
    {"cover__trees__0__nodes": [{"split": 0}, {"split": 2}, {"leaf": {}}, {"leaf": {}}]},
    {"cover__trees__0__nodes": [{"leaf": {}}, {"leaf": {}}]},
    {"cover__trees__1__sign": 1},                           # two trees of sign 1
    {"cover__trees__1": {"sign": -1, "nodes": [], "extra": 1}},
    {"cover__trees": [{"sign": 1, "nodes": [{"leaf": {}}]}]},
    {"cover__N": ["1", "1"]},
    {"cover__version": "1.1"},
    {"cover": []},
])
def test_hand_malformed(edit):
    assert both(_hand(**edit)) == MAL


def test_hand_budget_and_work_estimate(monkeypatch):
    assert tcd._same_work_and_limits(HAND, monkeypatch) == VER
    assert both(HAND, budget_digits=28) == UND      # 24 characters before the cover, 32 in all
    assert both(HAND, budget_digits=32) == VER


# ================================================================ produced certificates

def _data(seed, n, d):
    rng = random.Random(seed)
    X = [[F(rng.randint(-9, 9), rng.randint(1, 4)) for _ in range(d)] for _ in range(n)]
    y = [F(rng.randint(-9, 9), rng.randint(1, 3)) for _ in range(n)]
    return Dataset.from_arrays(X, y, bias=True)


CASES = {"n10_d1": (1, 10, 1, F(1)), "n14_d2": (2, 14, 2, F(2)), "n16_d2": (3, 16, 2, F(5))}


@pytest.fixture(scope="module")
def runs():
    out = {}
    for name, (seed, n, d, lam) in CASES.items():
        data = _data(seed, n, d)
        # chord leaves: this file tests format 1.1 (1.6: tests/test_quadratic_cover.py)
        out[name] = {route: certify(data, lam, route=route, gap=GAP, progress=False,
                                    leaves="chord")
                     for route in ("regions", "cover")}
    data = _data(2, 14, 2)
    net = Network.from_values([[1, 0, 1], [-1, 1, 0]], [1, F(-1, 2)])
    out["given_network"] = {"cover": certify(data, F(2), route="cover", gap=GAP,
                                             network=net, progress=False, leaves="chord")}
    return out


COVER = list(CASES) + ["given_network"]


@pytest.mark.parametrize("name", COVER)
def test_cover_certificates_verified_by_both(runs, name, monkeypatch):
    res = runs[name]["cover"]
    cert = res.certificate
    assert res.route == "cover" and res.complete and not cert["patterns"]["complete"]
    assert res.tree_nodes == sum(len(t["nodes"]) for t in cert["cover"]["trees"]) > 0
    assert set(cert["cover"]) == {"N", "trees"} and "optimal_set" not in cert
    assert tcd._same_work_and_limits(cert, monkeypatch) == VER
    assert "complete (global, by a cover proof of %d nodes" % res.tree_nodes in \
        tcd.lib.check_obj(cert).message
    local = copy.deepcopy(cert)
    del local["cover"]
    assert both(local) == VER             # a v1 checker: the true local statement


@pytest.mark.parametrize("name", list(CASES))
def test_routes_agree_within_the_gap(runs, name):
    reg, cov = runs[name]["regions"], runs[name]["cover"]
    assert reg.route == "regions" and reg.tree_nodes is None
    assert both(reg.certificate) == VER
    assert cov.lower <= reg.upper and reg.lower <= cov.upper          # both sound
    assert reg.lower - cov.lower <= 2 * GAP * max(1, abs(reg.lower))
    assert cov.lower < reg.lower           # t < 1: the cover's bound is the looser one


def test_cover_certificate_is_smaller(runs):
    sizes = {name: (len(dumps(runs[name]["regions"].certificate)),
                    len(dumps(runs[name]["cover"].certificate))) for name in CASES}
    assert sizes["n16_d2"][1] * 3 < sizes["n16_d2"][0], sizes


# -------------------------------------------------------------- corruption families

def _trees(cert):
    return cert["cover"]["trees"]


def _end(nodes, i):
    """Index after the subtree that starts at node i."""
    need = 1
    while need:
        need += 1 if "split" in nodes[i] else -1
        i += 1
    return i


def _first_split(cert):
    for t in _trees(cert):
        for i, nd in enumerate(t["nodes"]):
            if "split" in nd:
                return t["nodes"], i
    raise StopIteration


def _leaves(cert, key):
    return [nd["leaf"] for t in _trees(cert) for nd in t["nodes"]
            if "leaf" in nd and nd["leaf"].get(key)]


def f_drop_subtree(cert):
    nodes, i = _first_split(cert)
    del nodes[i + 1:_end(nodes, i + 1)]
    return cert


def f_collapse_subtree(cert):
    nodes, i = _first_split(cert)
    nodes[i:_end(nodes, i)] = [{"leaf": {}}]
    return cert


def f_swap_split_index(cert):
    nodes, i = _first_split(cert)
    n = len(cert["problem"]["X"])
    nodes[i]["split"] = (nodes[i]["split"] + 1) % n
    return cert


def _largest(cert, key):
    leaf = max(_leaves(cert, key), key=lambda p: max(F(v) for v in p[key].values()))
    k = max(leaf[key], key=lambda j: F(leaf[key][j]))
    return leaf[key], k


def f_perturb_multiplier(cert):
    m, k = _largest(cert, "nu")
    m[k] = str(F(m[k]) * 1000 + 1000)
    return cert


def f_negative_multiplier(cert):
    m, k = _largest(cert, "nu")
    m[k] = str(-F(m[k]))
    return cert


def f_leaf_missing_row(cert):
    m, k = _largest(cert, "nu")
    del m[k]
    return cert


def f_wrong_sign_set(cert):
    a, b = _trees(cert)
    a["sign"], b["sign"] = b["sign"], a["sign"]
    return cert


def f_r_differs(cert):
    r = [F(v) for v in cert["dual"]["r"]]
    k = max(range(len(r)), key=lambda j: abs(r[j]))
    cert["dual"]["r"][k] = str(r[k] * F(9, 8))
    cert["claim"]["lower"] = "-1000000"
    return cert


def f_small_N(cert):
    X = cert["problem"]["X"]
    k = next(j for j, row in enumerate(X) if any(v != "0" for v in row))
    cert["cover"]["N"][k] = "0"
    return cert


def f_unproved_bound(cert):
    """The first nonzero declared bound halved: its multipliers no longer prove it."""
    for t in _trees(cert):
        for nd in t["nodes"]:
            bounds = nd.get("bounds") or nd.get("leaf", {}).get("bounds") or {}
            for b in bounds.values():
                if F(b.get("hi", "0")):
                    b["hi"] = str(F(b["hi"]) / 2)
                    return cert
    raise StopIteration


def f_extra_node(cert):
    _trees(cert)[0]["nodes"].append({"leaf": {}})
    return cert


def f_malformed_node(cert):
    nodes, i = _first_split(cert)
    nodes[i] = {"split": str(nodes[i]["split"])}
    return cert


FAMILIES = {f.__name__[2:]: f for f in (
    f_drop_subtree, f_collapse_subtree, f_swap_split_index, f_perturb_multiplier,
    f_negative_multiplier, f_leaf_missing_row, f_wrong_sign_set, f_r_differs, f_small_N,
    f_unproved_bound, f_extra_node, f_malformed_node)}
EXPECTED = {"drop_subtree": MAL, "extra_node": MAL, "malformed_node": MAL,
            "negative_multiplier": (R, 7), "small_N": (R, 7)}


@pytest.mark.parametrize("family", list(FAMILIES))
@pytest.mark.parametrize("name", COVER)
def test_cover_corruptions_rejected_by_both(runs, name, family):
    cert = copy.deepcopy(runs[name]["cover"].certificate)
    try:
        cert = FAMILIES[family](cert)
    except (StopIteration, ValueError):
        pytest.skip("the cover has nothing this family can change")
    got = both(cert)
    assert got != VER
    if family in EXPECTED:
        assert got == EXPECTED[family]
    elif family == "r_differs":
        assert got in ((R, 4), (R, 7))
    else:
        assert got == (R, 7)


# ------------------------------------------------------------------ the command line

CSV = "-2,1\n-1,1/4\n0,0\n1,1/2\n2,2\n3,1\n-3,2\n"


def test_cli_route_cover(tmp_path, capsys):
    from exactrelu.cli import main

    data, out = tmp_path / "d.csv", tmp_path / "c.json"
    data.write_text(CSV)
    args = ["certify", str(data), "--bias", "--lam", "1/2", "-o", str(out)]
    assert main(args + ["--route", "cover", "--gap", "1e-4"]) == 0
    text = capsys.readouterr().out
    nodes = sum(len(t["nodes"]) for t in json.loads(out.read_text())["cover"]["trees"])
    assert f"route: cover (no region listed; cover tree of {nodes} nodes" in text
    assert "stages: solve " in text and "search" in text and "global optimum" in text
    assert tcd.key(tcd.cc.check(str(out))) == tcd.key(tcd.lib.check_file(out)) == (VER, 0, None)
    assert main(args + ["--json"]) == 0            # auto: 7 rows, few regions -> regions
    js = json.loads(capsys.readouterr().out)
    assert js["route"] == "regions" and js["tree_nodes"] is None and js["complete"]
    # an irrational optimum also gets the format 1.5 section (its own stage)
    extra = {"enclosure"} if "optimal_set_enclosure" in json.loads(out.read_text()) else set()
    assert not js["exact"] and extra == {"enclosure"}
    assert set(js["stages"]) == {"patterns", "solve", "upper", "completeness", "emit"} | extra
    out.unlink()
    for bad in (["--gap", "x"], ["--gap=-1/2"], ["--gap", "1"],
                ["--route", "cover", "--sample", "5"]):
        with _exit2(capsys):
            assert main(args + bad) == 2
        assert not out.exists()


class _exit2:
    """The command returns 2 (or argparse exits 2); one line on stderr."""

    def __init__(self, capsys):
        self.capsys = capsys

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if kind is SystemExit:
            assert exc.code == 2
        err = self.capsys.readouterr().err
        assert err.count("\n") == 1 and "error" in err, err
        return kind is SystemExit


def test_api_route_and_load(tmp_path):
    import exactrelu as er

    X = [[-2], [-1], [0], [1], [2], [3], [-3]]
    y = ["1", "1/4", "0", "1/2", "2", "1", "2"]
    c = er.certify(X, y, "1/2", bias=True, route="cover", gap="1/10000")
    assert c.route == "cover" and c.tree_nodes > 0 and c.complete and not c.exact
    assert c.check() and c.document()["patterns"]["complete"] is False
    c.save(tmp_path / "c.json")
    d = er.Certificate.load(tmp_path / "c.json")
    assert (d.route, d.tree_nodes, d.complete, d.lower) == ("cover", c.tree_nodes, True, c.lower)
    r = er.certify(X, y, "1/2", bias=True)
    assert r.route == "regions" and r.tree_nodes is None
    assert r.lower - c.lower <= 2 * F(1, 10 ** 4) * max(1, abs(r.lower)) and c.lower <= r.upper


# ------------------------------------------------------------------------------ fuzz

FUZZ = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _cover_paths(cert):
    return [p for p in tcd.tcc._paths(cert) if p and p[0] == "cover"]


@FUZZ
@given(st.data(), tcd.tcc.JSONISH)
def test_fuzz_cover_subtrees(data, value):
    """Any subtree of the cover replaced by junk: both checkers agree."""
    cert = copy.deepcopy(HAND)
    tcd.tcc.set_path(cert, list(data.draw(st.sampled_from(_cover_paths(cert)))), value)
    both(cert)


@FUZZ
@given(st.data())
def test_fuzz_cover_rationals_and_indices(runs, data):
    """A rational of the cover nudged, or a split index moved: both checkers agree."""
    cert = copy.deepcopy(runs[data.draw(st.sampled_from(COVER))]["cover"].certificate)
    path = list(data.draw(st.sampled_from(_cover_paths(cert))))
    change = data.draw(st.sampled_from([
        lambda v: str(F(v) * F(3, 2)) if isinstance(v, str) else v,
        lambda v: str(-F(v)) if isinstance(v, str) else v,
        lambda v: v + 1 if type(v) is int else v,
        lambda v: "2/4" if isinstance(v, str) else v]))
    tcd.tcc.set_path(cert, path, change)
    both(cert)


def test_auto_falls_back_to_regions_when_the_cover_search_does_not_close(monkeypatch, capsys):
    """route auto picks cover above AUTO_REGIONS; a cover search that does not close
    (CoverNotProved) then falls back to the regions route (within max_regions) and says
    so, while an explicit route="cover" reports the failure (exit 2 on the CLI)."""
    import exactrelu.certificate.cover_certify as cc
    from exactrelu.certificate.produce import certify as produce_certify
    from exactrelu.errors import InputError
    from exactrelu.problem import Dataset

    data = Dataset.from_arrays([[1, 0], [0, 1], [1, 1], [-1, 2], [2, -1]], [1, 2, 0, 1, 3])

    def fails(*a, **k):
        raise cc.CoverNotProved("the cover route did not prove a lower bound (test)")

    monkeypatch.setattr(cc, "certify_cover", fails)
    monkeypatch.setattr(cc, "AUTO_REGIONS", 0)            # auto would pick cover here
    monkeypatch.setattr(cc, "AUTO_REGIONS_LOW_D", 0)      # (d = 2)
    res = produce_certify(data, F(1, 2), route="auto", progress=False)
    assert res.route == "regions" and res.complete and "cover_attempt" in res.timings
    assert any("route auto" in n for n in res.certificate["provenance"]["notes"])
    with pytest.raises(InputError):
        produce_certify(data, F(1, 2), route="cover", progress=False)
