"""The command line: stable surface (docs/spec/cli.md), clear errors, nothing half-written."""
import json
import subprocess
import sys
from fractions import Fraction as F
from pathlib import Path

import pytest

from exactrelu.cli import main

ROOT = Path(__file__).resolve().parents[1]


def run(args, capsys):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("-2,1\n-1,1/4\n0,0\n1,1/2\n2,2\n")
    return p


def test_patterns_json(data, capsys):
    code, out, err = run(["patterns", data, "--bias", "--json"], capsys)
    assert code == 0 and not err
    obj = json.loads(out)
    assert obj["n"] == 5 and obj["d"] == 2 and obj["count"] == len(obj["patterns"])
    # regions of 5 lines through the origin of the plane, x_k = (t, 1): all distinct -> 10
    assert obj["count"] == 10
    assert all(len(b) == 5 and set(b) <= {"0", "1"} for b in obj["patterns"])


def test_patterns_degenerate_json(tmp_path, capsys):
    p = tmp_path / "g.csv"
    p.write_text("".join(f"{a},{b},0\n" for a in (-1, 0, 1) for b in (-1, 0, 1)))
    code, out, _ = run(["patterns", p, "--json"], capsys)
    obj = json.loads(out)
    # grid {-1,0,1}^2 without bias: 4 distinct lines (+ a zero row) -> 8 regions
    assert code == 0 and obj["count"] == 8
    assert all(b[4] == "1" for b in obj["patterns"])      # the zero row is always active


def test_patterns_text(data, capsys):
    code, out, _ = run(["patterns", data, "--bias"], capsys)
    assert code == 0 and "10 activation patterns" in out


@pytest.mark.parametrize("content,needle", [
    ("1,2\n3\n", "line 2"), ("1,nan\n", "line 1, column 2"), ("", "empty"),
    ("1,x\n", "column 2"), ("1,1/0\n", "column 2"), ("1,inf\n", "column 2"),
])
def test_bad_data_exit_2(tmp_path, capsys, content, needle):
    p = tmp_path / "bad.csv"
    p.write_text(content)
    out_path = tmp_path / "cert.json"
    for cmd in (["patterns", p], ["certify", p, "--lam", "1", "-o", out_path]):
        code, out, err = run(cmd, capsys)
        assert code == 2 and needle in err and "Traceback" not in err
        assert err.count("\n") == 1 and str(p) in err
        assert not out_path.exists()


@pytest.mark.parametrize("lam", ["0", "-1", "abc", "nan", "1/0"])
def test_bad_lam(data, tmp_path, capsys, lam):
    out_path = tmp_path / "c.json"
    code, _, err = run(["certify", data, "--lam", lam, "-o", out_path], capsys)
    assert code == 2 and "lam" in err and not out_path.exists()


def test_missing_file_and_usage(tmp_path, capsys):
    code, _, err = run(["patterns", tmp_path / "nope.csv"], capsys)
    assert code == 2 and "no such file" in err
    with pytest.raises(SystemExit) as e:
        main(["frobnicate"])
    assert e.value.code == 2


def test_help_everywhere():
    for cmd in ([], ["patterns"], ["certify"], ["check"], ["demo"]):
        p = subprocess.run([sys.executable, "-m", "exactrelu.cli", *cmd, "--help"],
                           capture_output=True, text=True, cwd=ROOT)
        assert p.returncode == 0 and "usage" in p.stdout


def test_certify_exact_json_and_check(tmp_path, capsys):
    p = tmp_path / "e.csv"
    p.write_text("1,3\n-4,3/2\n")
    cert = tmp_path / "c.json"
    code, out, err = run(["certify", p, "--lam", "2", "-o", cert, "--json"], capsys)
    assert code == 0, err
    obj = json.loads(out)
    assert obj["lower"] == obj["upper"] == "37/8" and obj["exact"] and obj["complete"]
    assert obj["patterns"] == 2 and obj["active_neurons"] == 2
    std = subprocess.run([sys.executable, str(ROOT / "proofs_checks" / "check_cert.py"), str(cert)],
                         capture_output=True, text=True)
    assert std.returncode == 0 and std.stdout.startswith("VERIFIED")


def test_certify_network_not_optimal(tmp_path, capsys):
    p = tmp_path / "e.csv"
    p.write_text("1,3\n-4,3/2\n")
    net = tmp_path / "net.json"
    net.write_text(json.dumps({"W1": [["1"]], "w2": ["1"]}))   # the best 1-neuron net at lam=2
    cert = tmp_path / "c.json"
    code, out, err = run(["certify", p, "--lam", "2", "--network", net, "-o", cert], capsys)
    assert code == 0, err
    assert "not optimal" in out and "lowers the objective by" in out
    obj = json.loads(cert.read_text())
    assert F(obj["claim"]["upper"]) == F(41, 8) and F(obj["claim"]["lower"]) == F(37, 8)


def test_certify_network_wrong_width(tmp_path, capsys):
    p = tmp_path / "e.csv"
    p.write_text("1,3\n-4,3/2\n")
    net = tmp_path / "net.json"
    net.write_text(json.dumps({"W1": [["1", "2"]], "w2": ["1"]}))
    code, _, err = run(["certify", p, "--lam", "2", "--network", net, "-o", tmp_path / "c.json"],
                       capsys)
    assert code == 2 and "inputs" in err


def test_demo_runs(tmp_path, capsys):
    code, out, _ = run(["demo", "--out", tmp_path], capsys)
    assert code == 0 and "37/8" in out and "VERIFIED" in out
    assert "2 vertices = minimal optimal networks" in out and "NOT unique" in out
    assert "1000 exact samples of the optimal set" in out and "all optimal" in out
    assert (tmp_path / "tied-certificate.json").exists()
