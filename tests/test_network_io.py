"""Network files: JSON / npz / PyTorch state dicts, read exactly; every bad input is an
InputError naming the file and the place."""
from __future__ import annotations

import sys
import types
from collections import OrderedDict
from fractions import Fraction as F

import numpy as np
import pytest

from exactrelu.errors import InputError
from exactrelu.io.networks import (network_from_state_dict, network_json, read_network,
                                   write_network)
from exactrelu.networks import Network
from exactrelu.problem import Dataset

TENTH = F(3602879701896397, 36028797018963968)     # the IEEE double nearest 0.1


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# ===================================================================== JSON

def test_json_rational_strings(tmp_path):
    p = write(tmp_path, "net.json",
              '{"W1": [["1/2", "-3"], ["0.1", "1e-3"]], "w2": ["2", "-5/7"]}')
    net = read_network(p)
    assert net.W1 == ((F(1, 2), F(-3)), (F(1, 10), F(1, 1000)))
    assert net.w2 == (F(2), F(-5, 7))
    assert net.bias_column is False and net.width == 2 and net.d == 2


def test_json_numbers_are_exact_ieee(tmp_path):
    p = write(tmp_path, "net.json", '{"W1": [[0.1, 3, -0.0, 1e-3]], "w2": [2.5e2]}')
    net = read_network(p)
    assert net.W1[0][0] == TENTH == F(0.1)
    assert net.W1[0][0] != F(1, 10)
    assert net.W1[0][1:3] == (F(3), F(0))
    assert net.W1[0][3] == F(1e-3) != F(1, 1000)
    assert net.w2 == (F(250),)
    # an integer literal beyond 2^53 means its double, like any JSON number
    p = write(tmp_path, "big.json", '{"W1": [[9007199254740993]], "w2": ["9007199254740993"]}')
    net = read_network(p)
    assert net.W1[0][0] == 2 ** 53 and net.w2[0] == 2 ** 53 + 1


def test_json_round_trip(tmp_path):
    net = Network.from_values([["1/3", "-2/7", 0], [TENTH, 5, "-1/1000000007"]],
                              ["22/7", -1], bias_column=True)
    p = tmp_path / "out.json"
    write_network(net, p)
    text = p.read_text()
    assert '"1/3"' in text and '"-1/1000000007"' in text and '"bias_column": true' in text
    assert str(TENTH) in text
    back = read_network(p)
    assert back == net
    # canonical strings: writing again gives identical text
    write_network(back, p)
    assert p.read_text() == text
    assert not list(tmp_path.glob(".network-*"))          # no temporary file left behind


def test_write_width_zero_network(tmp_path):
    zero = Network.from_values([], [], dim=2)
    p = tmp_path / "z.json"
    write_network(zero, p)
    back = read_network(p)
    assert back.W1 == ((F(0), F(0)),) and back.w2 == (F(0),)
    data = Dataset.from_arrays([[1, 2]], [3])
    assert back.nc_objective(data, 1) == zero.nc_objective(data, 1)
    with pytest.raises(ValueError):
        network_json(Network.from_values([], []))
    with pytest.raises(InputError):
        write_network(zero, tmp_path / "z.npz")


BAD_JSON = [
    # (text, message fragment, line, column)
    ('{"W1": [[1, 2],\n [3]], "w2": [1, 2]}', "W1[1]: ragged", 2, 2),
    ('{"W1": [[1, 2], [3, 4]],\n "w2": [1]}', "w2: length mismatch", 2, 8),
    ('{"W1": [[1, 2], [3, "x"]], "w2": [1, 2]}', "W1[1][1]: 'x' is not a number", 1, 21),
    ('{"W1": [[1, 2], [3, "nan"]], "w2": [1, 2]}', "W1[1][1]: 'nan' is not a finite", 1, 21),
    ('{"W1": [[1, 2], [3, "inf"]], "w2": [1, 2]}', "W1[1][1]: 'inf' is not a finite", 1, 21),
    ('{"W1": [[1, NaN]], "w2": [1]}', "W1[0][1]: NaN is not a finite", 1, 13),
    ('{"W1": [[1, -Infinity]], "w2": [1]}', "W1[0][1]: -Infinity", 1, 13),
    ('{"W1": [[1e999]], "w2": [1]}', "W1[0][0]: 1e999 is not a finite double", 1, 10),
    ('{"W1": [[true]], "w2": [1]}', "W1[0][0]: expected a number", 1, 10),
    ('{"W1": [[null]], "w2": [1]}', "got null", 1, 10),
    ('{"W1": [[1]], "w2": [[1]]}', "w2[0]: expected a number", 1, 22),
    ('{"W1": [[1]], "w2": ["1/0"]}', "w2[0]: '1/0' divides by zero", 1, 22),
    ('{"W1": [1, 2], "w2": [1, 2]}', "W1[0]: expected a row", 1, 9),
    ('{"W1": "1", "w2": [1]}', "W1: expected a list of rows", 1, 8),
    ('{"W1": [], "w2": []}', "W1: empty", 1, 8),
    ('{"W1": [[]], "w2": [1]}', "W1[0]: empty row", 1, 9),
    ('{"W1": [[1]], "w2": 1}', "w2: expected a list", 1, 21),
    ('{"W1": [[1]], "w2": [1], "b1": [0]}', "unknown key 'b1'", 1, 32),
    ('{"W1": [[1]], "w2": [1], "bias_column": 1}', "bias_column: must be true or false",
     1, 41),
    ('[[1]]', "expected a JSON object", 1, 1),
    ('{"W1": [[1]]}', "missing key 'w2'", None, None),
    ('{"W1": [[1]], "W1": [[2]], "w2": [1]}', "duplicate key 'W1'", None, None),
    ('{"W1": [[1]] "w2": [1]}', "not valid JSON", 1, 14),
    ('{"W1": [[1,]], "w2": [1]}', "not valid JSON", 1, 12),
    ('', "empty", 1, 1),
    ('  \n ', "empty", 1, 1),
]


@pytest.mark.parametrize("text,fragment,line,column", BAD_JSON)
def test_json_bad_inputs(tmp_path, text, fragment, line, column):
    p = write(tmp_path, "bad.json", text)
    with pytest.raises(InputError) as ei:
        read_network(p)
    err = ei.value
    assert err.file == str(p)
    assert fragment in err.message, err.message
    assert (err.line, err.column) == (line, column), str(err)
    assert str(p) in str(err)


def test_file_level_errors(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_network(tmp_path / "missing.json")
    with pytest.raises(InputError, match="no such file"):
        read_network(tmp_path / "missing.npz")
    with pytest.raises(InputError, match="unknown network format"):
        read_network(write(tmp_path, "net.txt", "{}"))
    p = tmp_path / "latin1.json"
    p.write_bytes(b'{"W1": [["\xe9"]], "w2": [1]}')
    with pytest.raises(InputError, match="not UTF-8"):
        read_network(p)
    (tmp_path / "dir.json").mkdir()
    with pytest.raises(InputError):
        read_network(tmp_path / "dir.json")
    # a UTF-8 byte order mark is tolerated
    p = tmp_path / "bom.json"
    p.write_bytes(b'\xef\xbb\xbf{"W1": [[1]], "w2": [1]}')
    assert read_network(p).w2 == (F(1),)


# ====================================================================== npz

def test_npz_round_trip_exact(tmp_path):
    rng = np.random.default_rng(0)
    W1 = rng.standard_normal((3, 2))
    w2 = rng.standard_normal(3).astype(np.float32)
    p = tmp_path / "net.npz"
    np.savez(p, W1=W1, w2=w2)
    net = read_network(p)
    assert net.W1 == tuple(tuple(F(float(a)) for a in r) for r in W1)
    assert net.w2 == tuple(F(float(a)) for a in w2)
    # back to floats: the exact values are the IEEE values, bit for bit
    assert np.array_equal(np.array([[float(a) for a in r] for r in net.W1]), W1)
    # dyadic exact network -> npz -> same network
    exact = Network.from_values([["1/2", -3], ["3/4", "1/8"]], [1, "-5/16"])
    np.savez(p, W1=np.array([[float(a) for a in r] for r in exact.W1]),
             w2=np.array([float(a) for a in exact.w2]), bias_column=np.bool_(True))
    back = read_network(p)
    assert back.W1 == exact.W1 and back.w2 == exact.w2 and back.bias_column
    # integer arrays and a column-vector w2
    np.savez(p, W1=np.array([[1, 2]]), w2=np.array([[3]]))
    assert read_network(p) == Network.from_values([[1, 2]], [3])


def test_npz_state_dict_with_biases(tmp_path):
    W = np.array([[0.5, -1.0], [0.125, 2.0], [-1.5, 0.25]])
    b = np.array([0.5, -0.75, 1.0])
    V = np.array([[1.0, -2.0, 0.5]])
    p = tmp_path / "sd.npz"
    np.savez(p, **{"0.weight": W, "0.bias": b, "2.weight": V, "2.bias": np.array([0.0])})
    net = read_network(p)
    assert net.bias_column and net.d == 3 and net.width == 3
    assert net.W1[1] == (F(1, 8), F(2), F(-3, 4))
    assert net.w2 == (F(1), F(-2), F(1, 2))
    X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.25, -3.0], [4.0, 1.0]])
    data = Dataset.from_arrays(X, [0] * 4, bias=True, allow_float=True)
    # the model's own forward pass: every value is a dyadic rational with few bits, so
    # the float computation is exact and must agree with the exact outputs
    forward = np.maximum(X @ W.T + b, 0) @ V.T
    assert net.outputs(data) == tuple(F(float(v)) for v in forward[:, 0])
    assert any(forward[:, 0])
    # without the output bias entry, also fine; without the first bias, no bias column
    np.savez(p, **{"0.weight": np.array([[0.1]]), "2.weight": np.array([[3.0]])})
    net = read_network(p)
    assert not net.bias_column and net.d == 1 and net.W1 == ((TENTH,),)


def test_npz_rejections(tmp_path):
    p = tmp_path / "bad.npz"
    W, V = np.ones((2, 3)), np.ones((1, 2))
    np.savez(p, **{"0.weight": W, "2.weight": V, "2.bias": np.array([0.5])})
    assert read_network(p).output_bias == F(1, 2)     # issue 16: read, then certified
    np.savez(p, **{"0.weight": W, "2.weight": V, "2.bias": np.array([0.5, 1])})
    with pytest.raises(InputError, match=r"2.bias has shape \(2,\)") as ei:
        read_network(p)
    assert ei.value.file == str(p)
    np.savez(p, **{"0.weight": W, "2.weight": np.ones((2, 2))})
    with pytest.raises(InputError, match="one output"):
        read_network(p)
    np.savez(p, **{"0.weight": W, "2.weight": np.ones((1, 3))})
    with pytest.raises(InputError, match="2 neurons"):
        read_network(p)
    np.savez(p, **{"0.weight": W, "2.weight": V, "4.weight": V})
    with pytest.raises(InputError, match="only two-layer"):
        read_network(p)
    np.savez(p, **{"0.weight": W, "1.running_mean": np.zeros(2), "2.weight": V})
    with pytest.raises(InputError, match="unexpected parameter '1.running_mean'"):
        read_network(p)
    np.savez(p, **{"0.weight": W, "0.bias": np.zeros(3), "2.weight": V})
    with pytest.raises(InputError, match=r"0.bias has shape \(3,\)"):
        read_network(p)
    bad = np.ones((3, 2))
    bad[1, 0] = np.nan
    np.savez(p, W1=bad, w2=np.ones(3))
    with pytest.raises(InputError, match=r"W1\[1\]\[0\]: nan is not a finite"):
        read_network(p)
    np.savez(p, W1=np.ones((3, 2)), w2=np.array([1.0, np.inf, 1.0]))
    with pytest.raises(InputError, match=r"w2\[1\]: inf"):
        read_network(p)
    np.savez(p, W1=np.ones((3, 2)), w2=np.ones(2))
    with pytest.raises(InputError, match=r"w2 must have shape \(3,\)"):
        read_network(p)
    np.savez(p, W1=np.ones((3, 2)), w2=np.ones(3), b1=np.ones(3))
    with pytest.raises(InputError, match="unexpected array 'b1'"):
        read_network(p)
    np.savez(p, W1=np.ones((0, 2)), w2=np.ones(0))
    with pytest.raises(InputError, match="non-empty"):
        read_network(p)
    np.savez(p, W1=np.array([["a"]]), w2=np.ones(1))
    with pytest.raises(InputError, match="dtype"):
        read_network(p)
    np.savez(p, W1=np.ones((1, 1), dtype=complex), w2=np.ones(1))
    with pytest.raises(InputError, match="dtype"):
        read_network(p)
    np.savez(p, something=np.ones(3))
    with pytest.raises(InputError, match="found something"):
        read_network(p)
    p.write_bytes(b"not a zip file at all")
    with pytest.raises(InputError, match="npz"):
        read_network(p)
    np.save(tmp_path / "single.npy", np.ones(3))
    (tmp_path / "single.npy").rename(tmp_path / "single.npz")
    with pytest.raises(InputError, match="npz"):
        read_network(tmp_path / "single.npz")


# ===================================================================== PyTorch

def test_torch_missing_is_a_clear_error(tmp_path, monkeypatch):
    p = tmp_path / "model.pt"
    p.write_bytes(b"\x80\x02")
    monkeypatch.setitem(sys.modules, "torch", None)          # import torch -> ImportError
    with pytest.raises(InputError, match="pip install torch") as ei:
        read_network(p)
    assert ei.value.file == str(p)


class FakeTensor:
    """Just enough of torch.Tensor for the reader: detach / cpu / double / numpy."""

    def __init__(self, a):
        self.a = np.asarray(a)

    def detach(self):
        return self

    def cpu(self):
        return self

    def is_floating_point(self):
        return self.a.dtype.kind == "f"

    def double(self):
        return FakeTensor(self.a.astype(np.float64))

    def numpy(self):
        return self.a


def fake_torch(monkeypatch, payload, calls):
    mod = types.ModuleType("torch")

    def load(path, **kw):
        calls.append(kw)
        return payload

    mod.load = load
    monkeypatch.setitem(sys.modules, "torch", mod)


@pytest.mark.parametrize("prefixes", [("0.", "2."), ("fc1.", "fc2."),
                                      ("layers.0.", "layers.2."), ("net.0.", "net.2.")])
def test_torch_state_dict_naming(tmp_path, monkeypatch, prefixes):
    p1, p2 = prefixes
    sd = OrderedDict([(p1 + "weight", FakeTensor(np.array([[0.1, 2], [3, -4]], np.float32))),
                      (p1 + "bias", FakeTensor(np.array([1.0, -0.5], np.float32))),
                      (p2 + "weight", FakeTensor(np.array([[0.5, -1.0]], np.float32))),
                      (p2 + "bias", FakeTensor(np.array([0.0], np.float32)))])
    calls: list = []
    fake_torch(monkeypatch, sd, calls)
    path = tmp_path / "m.pth"
    path.write_bytes(b"")
    net = read_network(path)
    assert calls == [{"map_location": "cpu", "weights_only": True}]
    assert net.W1[0] == (F(float(np.float32(0.1))), F(2), F(1))
    assert net.W1[0][0] != TENTH                          # float32 0.1, exactly
    assert net.W1[1] == (F(3), F(-4), F(-1, 2)) and net.w2 == (F(1, 2), F(-1))
    assert net.bias_column


def test_torch_wrapped_and_rejected(tmp_path, monkeypatch):
    path = tmp_path / "m.pt"
    path.write_bytes(b"")
    calls: list = []
    fake_torch(monkeypatch, {"state_dict": {"0.weight": np.ones((2, 1)),
                                            "2.weight": np.ones((1, 2))}}, calls)
    assert read_network(path) == Network.from_values([[1], [1]], [1, 1])
    fake_torch(monkeypatch, {"0.weight": np.ones((2, 1)), "2.weight": np.ones((1, 2)),
                             "2.bias": np.array([-0.25])}, calls)
    assert read_network(path).output_bias == F(-1, 4)  # issue 16: read, then certified
    fake_torch(monkeypatch, [1, 2, 3], calls)
    with pytest.raises(InputError, match="state dict"):
        read_network(path)
    mod = types.ModuleType("torch")

    def broken(path, **kw):
        raise RuntimeError("unpickling refused")

    mod.load = broken
    monkeypatch.setitem(sys.modules, "torch", mod)
    with pytest.raises(InputError, match="unpickling refused"):
        read_network(path)


def test_state_dict_function_directly():
    net = network_from_state_dict([("W1", np.array([[1.5, -2.0]])), ("w2", np.array([0.1]))])
    assert net.W1 == ((F(3, 2), F(-2)),) and net.w2 == (TENTH,)
    ld = np.array([[1]], dtype=np.longdouble) / np.longdouble(3)
    net = network_from_state_dict([("W1", ld), ("w2", np.array([1]))])
    assert net.W1[0][0] == F(*ld[0, 0].as_integer_ratio())


def test_real_torch_state_dict_end_to_end(tmp_path):
    """With the real torch (optional extra; skipped without it): a Linear-ReLU-Linear
    model trained a few steps, saved with torch.save, is read with weights_only=True at
    the exact float32 values of its parameters and certified from the command line."""
    torch = pytest.importorskip("torch")
    import json
    import subprocess

    from exactrelu.io.networks import read_network

    torch.manual_seed(0)
    X = torch.tensor([[-2.0], [-1.0], [0.0], [1.0], [2.0]])
    y = torch.tensor([[1.0], [0.25], [0.0], [0.5], [2.0]])
    model = torch.nn.Sequential(torch.nn.Linear(1, 4), torch.nn.ReLU(),
                                torch.nn.Linear(4, 1, bias=False))
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    for _ in range(50):
        opt.zero_grad()
        ((model(X) - y) ** 2).sum().backward()
        opt.step()
    p = tmp_path / "model.pt"
    torch.save(model.state_dict(), p)
    net = read_network(p)
    assert net.bias_column and net.width == 4 and net.d == 2
    W, b, a = model[0].weight.detach(), model[0].bias.detach(), model[2].weight.detach()
    for j in range(4):      # exact float32 values, weight then bias (the last column)
        assert net.W1[j] == (F(float(W[j, 0])), F(float(b[j])))
        assert net.w2[j] == F(float(a[0, j]))
        assert F(float(W[j, 0])).denominator & (F(float(W[j, 0])).denominator - 1) == 0
    data = tmp_path / "data.csv"
    data.write_text("-2,1\n-1,1/4\n0,0\n1,1/2\n2,2\n")
    out = subprocess.run([sys.executable, "-m", "exactrelu.cli", "certify", str(data), "--bias",
                          "--lam", "1/10", "--network", str(p), "-o", str(tmp_path / "c.json"),
                          "--json"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    rep = json.loads(out.stdout)
    assert F(rep["lower"]) <= F(rep["upper"])
    from exactrelu.problem import Dataset

    ds = Dataset.from_arrays([[-2], [-1], [0], [1], [2]], [1, F(1, 4), 0, F(1, 2), 2], bias=True)
    assert F(rep["upper"]) >= net.nc_objective(ds, F(1, 10))
