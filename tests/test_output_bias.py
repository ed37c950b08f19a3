"""A free, unregularised output bias (issue 16 item 2; certificate minor version 1.2).

The certificate holds ``problem.y = y - c 1`` and ``"output_bias": {"y", "c"}``; check 8
(both checkers, the same verdicts) requires ``problem.y == y - c 1`` and ``sum r == 0``.
"""
import copy
import json
import subprocess
import sys
from fractions import Fraction as F
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings

from exactrelu.testing import strategies as strat

import exactrelu as er
from exactrelu.certificate import check as lib
from exactrelu.networks import Network

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "proofs_checks"))
import check_cert as cc  # noqa: E402

X1 = [[-2], [-1], [0], [1], [2]]
Y1 = [5, "17/4", 4, "9/2", 6]          # a bump on an offset of about 4


def both(doc):
    """Both checkers on a parsed certificate; they must agree -> (verdict, failed check)."""
    a = cc.check(copy.deepcopy(doc))
    b = lib.check_obj(copy.deepcopy(doc))
    assert (a.verdict, a.code, a.failed_check) == (b.verdict, b.code, b.failed_check), \
        (a.message, b.message)
    return a.verdict, a.failed_check


@pytest.fixture(scope="module")
def small():
    return er.certify(X1, Y1, "1/10", bias=True, output_bias=True)


def test_small_certificate_verified_by_both(small):
    doc = small.document()
    assert both(doc) == ("VERIFIED", None)
    assert "output bias (1.2)" in er.check(small).message
    ob = doc["output_bias"]
    c = F(ob["c"])
    assert [F(v) for v in ob["y"]] == [F(v) for v in Y1]
    assert [F(v) for v in doc["problem"]["y"]] == [F(v) - c for v in Y1]
    assert sum(F(v) for v in doc["dual"]["r"]) == 0
    assert small.network.output_bias == c and c != 0
    # the network with its c attains upper on the ORIGINAL targets
    data = er.Dataset.from_arrays(X1, Y1, bias=True)
    assert small.network.nc_objective(data, "1/10") <= small.upper
    assert small.lower <= small.upper and small.relative_gap < F(1, 10 ** 9)


def test_free_bias_is_not_above_the_fixed_zero_bias(small):
    """The free-c optimum is at most the c = 0 optimum (a relaxation): independent solve."""
    plain = er.certify(X1, Y1, "1/10", bias=True)
    assert small.lower <= plain.upper


def test_a_v1_checker_that_ignores_the_section_verifies_the_fixed_c_claim(small):
    doc = small.document()
    del doc["output_bias"]
    assert both(doc) == ("VERIFIED", None)


def _corrupt(doc, family):
    ob, r = doc["output_bias"], doc["dual"]["r"]
    if family == "c changed":
        ob["c"] = str(F(ob["c"]) + 1)
    elif family == "original y changed":
        ob["y"][2] = str(F(ob["y"][2]) + F(1, 3))
    elif family == "problem y changed":
        doc["problem"]["y"][0] = str(F(doc["problem"]["y"][0]) + F(1, 7))
    elif family == "sum r not 0":      # r/2 + delta e_0: still dual feasible, lower lowered
        half = [F(v) / 2 for v in r]
        half[0] += F(1, 10 ** 6)
        doc["dual"]["r"] = [str(v) for v in half]
        doc["dual"]["rho"] = [{**e, "values": {k: str(F(v) / 2) for k, v in e["values"].items()}}
                              for e in doc["dual"]["rho"]]
        doc["claim"]["lower"] = "-1000"
    elif family == "r shifted by a constant":   # sum r != 0 and L changes: rejected early
        doc["dual"]["r"] = [str(F(v) + F(1, 1000)) for v in r]
    return doc


@pytest.mark.parametrize("family,expected", [
    ("c changed", ("REJECTED", 8)), ("original y changed", ("REJECTED", 8)),
    ("problem y changed", "REJECTED"), ("sum r not 0", ("REJECTED", 8)),
    ("r shifted by a constant", "REJECTED")])
def test_corruptions_rejected_by_both(small, family, expected):
    verdict = both(_corrupt(small.document(), family))
    assert verdict == expected if isinstance(expected, tuple) else verdict[0] == expected


@pytest.mark.parametrize("section", [{"y": ["1"], "c": "0"}, {"c": "1"}, {"y": None, "c": "0"},
                                     "c", {"y": [], "c": 1}])
def test_malformed_sections(small, section):
    doc = small.document()
    if isinstance(section, dict) and section.get("y") == []:
        section = {"y": doc["output_bias"]["y"], "c": 1}   # a JSON number is never a value
    doc["output_bias"] = section
    assert both(doc) == ("MALFORMED", None)


def test_a_network_with_an_output_bias_needs_the_flag():
    net = Network.from_numpy([[1.0, 0.5]], [2.0], b2=0.25)
    assert net.output_bias == F(1, 4)
    assert net.predict([[1, 0]])[0] == 2.25
    assert net.rebalanced().output_bias == net.without_zero_neurons().output_bias == F(1, 4)
    with pytest.raises(er.ExactReluError, match="output_bias=True"):
        er.certify([[1, 0], [0, 1]], [1, 2], 1, network=net)
    c = er.certify([[1, 0], [0, 1], [1, 1]], [1, 2, 4], 1, network=net, output_bias=True)
    assert er.check(c) and c.network.output_bias == F(1, 4)
    data = er.Dataset.from_arrays([[1, 0], [0, 1], [1, 1]], [1, 2, 4])
    assert c.upper == net.nc_objective(data, 1)      # exact: the given network's objective


def _diabetes():
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    X, y = X[:20, :3], y[:20]
    return (X - X.mean(0)) / X.std(0), (y - y.mean()) / y.std() + 1.5


@pytest.fixture(scope="module")
def diabetes_files(tmp_path_factory):
    """Done-when of issue 16 item 2, first half: exactrelu trains (solves) a network with
    an output bias on diabetes (n = 20, 3 features, standardised; targets offset by 3/2),
    certified with relative gap <= 1e-9; it is written as a PyTorch-style float64 state
    dict (0.weight, 0.bias, 2.weight, 2.bias) next to the data."""
    from safetensors.numpy import save_file

    X, y = _diabetes()
    c = er.certify(X, y, "1/10", bias=True, output_bias=True)
    W1, w2 = c.network.to_numpy()
    sd = {"0.weight": np.ascontiguousarray(W1[:, :-1]), "0.bias": W1[:, -1].copy(),
          "2.weight": w2[None, :].copy(), "2.bias": np.array([float(c.network.output_bias)])}
    d = tmp_path_factory.mktemp("diabetes")
    save_file(sd, str(d / "net.safetensors"))
    np.savetxt(d / "data.csv", np.column_stack([X, y]), delimiter=",", fmt="%.17g")
    return c, d


def test_diabetes_network_with_output_bias(diabetes_files):
    """The certificate's gap, and the float64 network read back from the file: its exact
    objective (with its c) is within 1e-9 (relative) of the proved global lower bound."""
    from exactrelu.io.networks import read_network

    c, d = diabetes_files
    assert c.complete and c.relative_gap <= F(1, 10 ** 9), float(c.relative_gap)
    assert abs(float(c.network.output_bias) - 1.5) < 0.5 and c.check()
    net = read_network(d / "net.safetensors")
    assert net.output_bias == F(float(c.network.output_bias)) and net.bias_column
    data = er.Dataset.from_arrays(*_diabetes(), bias=True)
    nc = net.nc_objective(data, "1/10")
    assert c.lower <= nc and (nc - c.lower) / nc <= F(1, 10 ** 9)
    refused = subprocess.run(_cli(d), capture_output=True, text=True)
    assert refused.returncode == 2 and "--output-bias" in refused.stderr


def _cli(d):
    return [sys.executable, "-m", "exactrelu", "certify", str(d / "data.csv"), "--bias",
            "--lam", "1/10", "--network", str(d / "net.safetensors"), "-o",
            str(d / "cert.json"), "--json"]


@pytest.mark.slow    # ~1 min: the improvement hint projects ~3,700 blocks exactly
def test_diabetes_file_certified_by_the_command_line(diabetes_files):
    """Second half: the file certified by `certify --network --output-bias`."""
    c, d = diabetes_files
    out = subprocess.run(_cli(d) + ["--output-bias"], capture_output=True, text=True,
                         check=True)
    summary = json.loads(out.stdout)
    lower, upper = F(summary["lower"]), F(summary["upper"])
    assert (upper - lower) / upper <= F(1, 10 ** 9)
    assert F(summary["output_bias"]) == F(float(c.network.output_bias))   # as a double
    assert cc.check(str(d / "cert.json")).verdict == "VERIFIED"


def test_safetensors_state_dict_output_bias_is_read(tmp_path):
    """A PyTorch-style file with a nonzero 2.bias: read exactly (float32 0.5 is 1/2)."""
    from safetensors.numpy import save_file

    from exactrelu.io.networks import network_json, parse_network_json, read_network

    p = tmp_path / "net.safetensors"
    save_file({"0.weight": np.ones((2, 1), np.float32), "0.bias": np.zeros(2, np.float32),
               "2.weight": np.ones((1, 2), np.float32), "2.bias": np.array([0.5], np.float32)},
              str(p))
    net = read_network(p)
    assert net.output_bias == F(1, 2) and net.bias_column
    assert parse_network_json(network_json(net)) == net          # JSON round trip keeps c


def test_prune_keeps_the_output_bias():
    """Two parallel neurons plus c: one neuron left, c unchanged, same predictions, and the
    NC objective (computed independently with c) not larger."""
    net = Network(
        ((F(1),), (F(2),)), (F(1), F(1)), output_bias=F(-1, 2))
    X, y = [[1], [2], [3]], [3, 5, 9]
    p = er.prune(net, X, y, "1/10")
    assert p.neurons_after == 1 and p.network.output_bias == F(-1, 2)
    assert p.balanced_network.output_bias == F(-1, 2)
    assert p.network.outputs(X) == net.outputs(X)
    data = er.Dataset.from_arrays(X, y)
    f = [3 * x - F(1, 2) for x in (1, 2, 3)]          # by hand: (x)_+ + (2x)_+ - 1/2
    assert net.outputs(X) == tuple(f)
    assert p.nc_objective_before == net.nc_objective(data, "1/10")
    assert p.nc_objective_after == p.balanced_network.nc_objective(data, "1/10")
    assert p.nc_objective_after <= p.nc_objective_before


def test_prune_command_keeps_the_output_bias(tmp_path):
    from exactrelu.cli import main
    from exactrelu.io.networks import read_network

    (tmp_path / "d.csv").write_text("1,3\n2,5\n3,9\n")
    (tmp_path / "n.json").write_text('{"W1": [["1"], ["2"]], "w2": ["1", "1"], '
                                     '"output_bias": "-1/2"}')
    args = ["prune", str(tmp_path / "d.csv"), "--lam", "1/10", "--network",
            str(tmp_path / "n.json"), "-o", str(tmp_path / "out.json")]
    assert main(args) == 2                          # a nonzero c needs the flag
    assert main(args + ["--output-bias"]) == 0
    out = read_network(tmp_path / "out.json")
    assert out.width == 1 and out.output_bias == F(-1, 2)


def test_loaded_certificate_network_carries_c(small, tmp_path):
    small.save(tmp_path / "c.json")
    loaded = er.Certificate.load(tmp_path / "c.json")
    assert loaded.network.output_bias == small.network.output_bias
    assert loaded.lower == small.lower and er.check(tmp_path / "c.json")


def test_conversions_carry_the_output_bias():
    """NC -> C -> NC with c: blocks give the fit without c, c is carried; C <= NC."""
    from exactrelu.conversions import compare_convex_nc, convex_to_network, network_to_convex

    net = Network(((F(1), F(1)), (F(-2), F(1))), (F(3), F(-1)), output_bias=F(5, 2))
    X = [[1, 0], [0, 1], [-1, 1], [2, -1]]
    pats, blocks = network_to_convex(net, X)
    back = convex_to_network(blocks, patterns=pats, d=2, output_bias=net.output_bias)
    assert back.outputs(X) == net.outputs(X)
    assert [f - F(5, 2) for f in net.outputs(X)] == list(
        Network(net.W1, net.w2).outputs(X))
    data = er.Dataset.from_arrays(X, [1, 2, 3, 4])
    assert compare_convex_nc(net, data, "1/3") <= 0
    assert back.to_network_approx().output_bias == F(5, 2)


def test_path_with_output_bias(tmp_path, capsys):
    """path --output-bias: proved bounds per lam; each point agrees with certify(...,
    output_bias=True) at that lam, and above lam_max of the centred targets the optimum
    is the constant c = mean(y) with value ||y - mean y||^2 / 2."""
    from exactrelu.cli import main
    from exactrelu.paths.output_bias import output_bias_path

    data = er.Dataset.from_arrays(X1, Y1, bias=True)
    pts = output_bias_path(data, ["1/10", "100"])
    one = er.certify(X1, Y1, "1/10", bias=True, output_bias=True)
    assert pts[0].lower <= one.upper and one.lower <= pts[0].upper
    ybar = sum(F(v) for v in Y1) / 5
    value = sum((F(v) - ybar) ** 2 for v in Y1) / 2
    assert pts[1].neurons == 0 and pts[1].output_bias == ybar
    assert pts[1].lower <= value == pts[1].upper
    (tmp_path / "d.csv").write_text("".join(f"{x[0]},{v}\n" for x, v in zip(X1, Y1)))
    assert main(["path", str(tmp_path / "d.csv"), "--bias", "--lams", "1/10,100",
                 "--output-bias", "--json"]) == 0
    lines = [json.loads(s) for s in capsys.readouterr().out.splitlines()]
    assert [F(d["output_bias"]) for d in lines][1] == ybar
    assert main(["path", str(tmp_path / "d.csv"), "--lams", "1", "--output-bias",
                 "--width", "1"]) == 2


def test_work_estimate_of_check_8_is_the_same(small, monkeypatch):
    """Both checkers charge the same amounts, check 8 included (the last charge), and
    reach the same verdict with the work limit just below the final total."""
    sys.path.insert(0, str(ROOT / "tests"))
    from test_check_differential import _record

    logs = _record(monkeypatch)
    assert both(small.document()) == ("VERIFIED", None)
    assert logs["cc"] == logs["lib"] and len(logs["cc"]) >= 2
    final, before = logs["cc"][-1], logs["cc"][-2]
    monkeypatch.undo()
    monkeypatch.setattr(cc, "WORK_LIMIT_NS", (final + before) / 2)   # only check 8 is over
    monkeypatch.setattr(lib.budget, "WORK_LIMIT_NS", (final + before) / 2)
    a = cc.check(small.document())
    assert a.verdict == "UNDECIDED" and "output bias" in a.message
    assert both(small.document()) == ("UNDECIDED", None)


@settings(max_examples=12, deadline=None, derandomize=True)
@given(strat.datasets(n=(2, 6), d=(1, 2), bias=None), strat.lams())
def test_property_free_bias_certificates(data, lam):
    """On random data: VERIFIED by both checkers with sum r = 0 and problem.y = y - c;
    the free-c lower bound is at most the certified optimum of the c = 0 problem and of
    the c = mean(y) problem (independent certificates; a free c can only do better)."""
    c = er.certify(data.X, data.y, lam, output_bias=True)
    doc = c.document()
    assert both(doc) == ("VERIFIED", None)
    assert sum(F(v) for v in doc["dual"]["r"]) == 0
    zero = er.certify(data.X, data.y, lam)
    ybar = sum(data.y) / len(data.y)
    centred = er.certify(data.X, [v - ybar for v in data.y], lam)
    assert c.lower <= zero.upper and c.lower <= centred.upper
    assert c.upper >= c.lower


@pytest.mark.parametrize("X,y,lam,value,c", [
    ([[3], [-2], [-3], [0], [-3]], [2, 2, 5, -4, 3], "5/2", F(9343, 864), F(-161, 72)),
    ([[0], [2], [-2], [-1], [1]], [6, 1, -3, 3, 6], "1",
     F(327, 35), F(44, 7))])
def test_exact_free_bias_optimum(X, y, lam, value, c):
    """A rational optimum with a free output bias: lower == upper, the exact blocks and
    the optimal set verified by both checkers, and an INDEPENDENT confirmation: the
    ordinary certificate of the targets y - c (output bias fixed at c) has the same
    exact value, and fixing c elsewhere gives no smaller value."""
    cert = er.certify(X, y, lam, output_bias=True)
    assert cert.exact and cert.lower == cert.upper == value
    assert cert.network.output_bias == c
    doc = cert.document()
    assert "optimal_set" in doc and "blocks" in doc
    assert both(doc) == ("VERIFIED", None)
    fixed = er.certify(X, [F(v) - c for v in y], lam)
    assert fixed.exact and fixed.lower == value
    for other in (c - F(1, 7), c + F(1, 3)):
        assert er.certify(X, [F(v) - other for v in y], lam).upper > value
