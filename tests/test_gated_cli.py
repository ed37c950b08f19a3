"""``certify --model gated`` on the command line and ``certify(model="gated")`` in Python:
the documented surface (docs/spec/cli.md, "Gated ReLU"), exact gate files, bad input
(exit 2, one line, nothing written), and the round trip of a gated certificate."""
import json
import subprocess
import sys
from fractions import Fraction as F
from pathlib import Path

import pytest

import exactrelu as er
from exactrelu.errors import InputError
from exactrelu.gated import GatedNetwork
from exactrelu.io.gates import parse_gates_text
from test_cli import run  # noqa: E402 (the CLI runner of tests/test_cli.py)

ROOT = Path(__file__).resolve().parents[1]
X = [[-2], [-1], [0], [1], [2]]
Y = ["1", "1/4", "0", "1/2", "2"]


@pytest.fixture
def files(tmp_path):
    d = tmp_path / "d.csv"
    d.write_text("-2,1\n-1,1/4\n0,0\n1,1/2\n2,2\n")
    g = tmp_path / "g.csv"
    g.write_text("1,0\n\n0,1\n1,1\n-1,1/2\n")
    return d, g, tmp_path / "c.json"


@pytest.mark.parametrize("extra", [[], ["--gates", "G"], ["--sample", "4", "--seed", "3"]])
def test_certify_gated_json_and_standalone_check(files, capsys, extra):
    d, g, out = files
    extra = [g if a == "G" else a for a in extra]
    code, text, err = run(["certify", d, "--bias", "--lam", "1/10", "--model", "gated",
                           *extra, "-o", out, "--json"], capsys)
    assert code == 0 and not err
    js = json.loads(text)
    assert js["model"] == "gated" and F(js["lower"]) <= F(js["upper"])
    assert js["complete"] == (extra == [])
    assert js["gates"] == {0: 10, 2: 4, 4: 4}[len(extra)] or extra[:1] == ["--sample"]
    cert = json.loads(out.read_text())
    assert (cert["gated"]["claim"]["lower"], cert["gated"]["claim"]["upper"]) == \
        (js["lower"], js["upper"])
    std = subprocess.run([sys.executable, "-I", "-S", str(ROOT / "proofs_checks" /
                                                           "check_cert.py"), str(out)],
                         capture_output=True, text=True)
    assert std.returncode == 0 and "gated ReLU (1.3)" in std.stdout
    code, text, _ = run(["check", out], capsys)
    assert code == 0 and "gated ReLU (1.3)" in text


def test_certify_gated_refuses_a_certificate_its_checkers_would_not_decide(files, capsys,
                                                                           monkeypatch):
    """Like ReLU certificates (tests/test_check_resources.py): the gated certificate is
    checked at the default budget before it is written; over it (the budget lowered
    here): one line, exit 3, nothing written."""
    from exactrelu.certificate.check import budget

    d, g, out = files
    argv = ["certify", d, "--bias", "--lam", "1/10", "--model", "gated", "--gates", g,
            "-o", out]
    code, _, _ = run(argv, capsys)
    assert code == 0 and out.exists()
    out.unlink()
    monkeypatch.setattr(budget, "WORK_LIMIT_NS", 1e4)
    code, _, err = run(argv, capsys)
    assert code == 3 and not out.exists()
    assert len(err.strip().splitlines()) == 1
    assert "too large for the checkers' default budget" in err


def test_certify_gated_text(files, capsys):
    d, g, out = files
    code, text, err = run(["certify", d, "--bias", "--lam", "1/10", "--model", "gated",
                           "--gates", g, "-o", out], capsys)
    assert code == 0 and "model: gated ReLU; gates: 4" in text and "lower bound:" in text


@pytest.mark.parametrize("content,where", [
    ("1,0,2\n", "line 1, column 3"), ("1\n", "line 1, column 2"), ("1,x\n", "line 1, column 2"),
    ("1,0\n1/0,1\n", "line 2, column 1"), ("\n\n", "line 1")])
def test_bad_gate_files_exit_2(files, capsys, content, where):
    d, g, out = files
    g.write_text(content)
    code, _, err = run(["certify", d, "--bias", "--lam", "1/10", "--model", "gated",
                        "--gates", g, "-o", out], capsys)
    assert code == 2 and where in err and err.count("\n") == 1 and not out.exists()


@pytest.mark.parametrize("args", [["--gates", "G"], ["--model", "gated", "--network", "G"],
                                  ["--model", "gated", "--gates", "G", "--sample", "3"],
                                  ["--model", "gated", "--gates", "G", "-o", "G"]])
def test_bad_combinations_exit_2(files, capsys, args):
    d, g, out = files
    before = g.read_text()
    args = [g if a == "G" else a for a in args]
    args = args if "-o" in args else args + ["-o", out]
    code, _, err = run(["certify", d, "--bias", "--lam", "1/10", *args], capsys)
    assert code == 2 and err.count("\n") == 1 and not out.exists()
    assert g.read_text() == before           # an input is never overwritten


def test_gate_file_values_are_exact():
    assert parse_gates_text("0.1,1/3\n", 2) == ((F(1, 10), F(1, 3)),)
    with pytest.raises(InputError):
        parse_gates_text("1e200,1\n", 2)          # beyond the numeric solver's range


def test_python_api_gated_round_trip(tmp_path):
    c = er.certify(X, Y, "1/10", bias=True, model="gated", gates=[[1, 0], [0, 1], [1, 1]])
    assert c.model == "gated" and isinstance(c.network, GatedNetwork) and er.check(c)
    data = er.Dataset.from_arrays(X, Y, bias=True)
    assert c.lower <= c.network.nc_objective(data, "1/10") <= c.upper
    c.save(tmp_path / "c.json")
    back = er.Certificate.load(tmp_path / "c.json")
    assert (back.lower, back.upper, back.model, back.network) == \
        (c.lower, c.upper, "gated", c.network)
    # a given gated network: its exact objective is the upper bound (rounded up)
    given = er.certify(X, Y, "1/10", bias=True, model="gated", network=c.network)
    obj = c.network.nc_objective(data, "1/10")
    assert given.lower <= obj <= given.upper and given.upper - obj < F(1, 2 ** 150)


def test_python_api_refuses_mixups():
    with pytest.raises(InputError):
        er.certify(X, Y, "1/10", gates=[[1]])
    with pytest.raises(InputError):
        er.certify(X, Y, "1/10", model="tanh")
    with pytest.raises(InputError):
        er.certify(X, Y, "1/10", model="gated", network=er.Network.from_values([[1]], [1]))


def test_optimal_set_of_an_inexact_gated_certificate_is_refused():
    c = er.certify(X, Y, "1/10", bias=True, model="gated")      # irrational optimum
    assert not c.exact
    with pytest.raises(InputError, match="exact optimal residual"):
        c.optimal_set()
    p = er.prune(c.network, X, Y, "1/10", bias=True)             # Algorithm 1, gated
    assert p.predictions_equal and p.nc_objective_after <= p.nc_objective_before
    assert c.lower <= p.nc_objective_after


def test_optimal_set_command_on_gated_certificates(tmp_path, capsys):
    from fractions import Fraction

    from exactrelu.optimal_sets.gated import planted_gated

    prog, r = planted_gated([[1, 2], [2, -1], [-1, 1], [3, 1], [0, 1], [1, 1]],
                            [[1, 0], [0, 1], [-1, 1]], {1: (3, 4)}, {1: Fraction(1, 2)}, 5)
    exact = er.certify(prog.data.X, prog.data.y, 5, model="gated", gates=prog.gates)
    assert exact.exact
    exact.save(tmp_path / "e.json")
    code, out, err = run(["optimal-set", tmp_path / "e.json", "--json"], capsys)
    js = json.loads(out)
    assert code == 0 and js["model"] == "gated" and Fraction(js["value"]) == exact.lower
    assert js["unique"] and js["min_neurons"] == 1
    er.certify(X, Y, "1/10", bias=True, model="gated").save(tmp_path / "i.json")
    code, out, err = run(["optimal-set", tmp_path / "i.json"], capsys)
    assert code == 2 and "exact optimal residual" in err and err.count("\n") == 1
