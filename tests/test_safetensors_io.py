"""``.safetensors`` network files (issue 16, item 3): written the way a PyTorch user would
(``safetensors.torch.save_file(model.state_dict(), path)`` stores the same bytes as
``safetensors.numpy.save_file`` of the float32 arrays), read exactly without torch or
pickle, certified from the command line; every bad file is exit 2 with one line naming it."""
from __future__ import annotations

import json
import struct
from fractions import Fraction as F

import numpy as np
import pytest

safetensors_numpy = pytest.importorskip("safetensors.numpy")
save_file = safetensors_numpy.save_file

import exactrelu as er  # noqa: E402
from exactrelu.cli import main  # noqa: E402
from exactrelu.errors import InputError  # noqa: E402
from exactrelu.io.networks import read_network, write_network  # noqa: E402
from exactrelu.networks import Network  # noqa: E402
from exactrelu.problem import Dataset  # noqa: E402

W = np.array([[1.5], [-0.7], [0.3]], np.float32)        # Linear(1, 3).weight
B = np.array([0.1, -0.2, 0.05], np.float32)             # Linear(1, 3).bias
V = np.array([[0.9, -0.4, 0.6]], np.float32)            # Linear(3, 1).weight
DATA = "-2,1\n-1,1/4\n0,0\n1,1/2\n2,2\n"


def f32(v) -> F:
    """The exact value of the float32 nearest ``v``, independently of the reader."""
    p, q = np.float32(v).item().as_integer_ratio()
    return F(p, q)


def expected() -> Network:
    W1 = [(f32(W[j, 0]), f32(B[j])) for j in range(3)]
    return Network.from_values(W1, [f32(a) for a in V[0]], bias_column=True)


def torch_like(p1: str, p2: str, out_bias: float | None = 0.0) -> dict:
    sd = {p1 + "weight": W, p1 + "bias": B, p2 + "weight": V}
    if out_bias is not None:
        sd[p2 + "bias"] = np.array([out_bias], np.float32)
    return sd


@pytest.mark.parametrize("prefixes", [("0.", "2."), ("net.0.", "net.2."),
                                      ("layers.0.", "layers.2."), ("model.layers.0.",
                                                                   "model.layers.2."),
                                      ("fc1.", "fc2."), ("hidden.", "output."),
                                      ("encoder.", "decoder.")])
def test_state_dict_variants_read_exactly(tmp_path, prefixes):
    p = tmp_path / "net.safetensors"
    save_file(torch_like(*prefixes), str(p))
    net = read_network(p)
    assert net == expected()
    assert net.W1[0][1] == f32(0.1) != F(1, 10) and net.W1[0][1] != F(0.1)  # float32 0.1
    assert net.bias_column and net.d == 2 and net.width == 3
    assert Network.from_safetensors(p) == net
    # without any bias, and without the (zero) output bias
    save_file({prefixes[0] + "weight": W, prefixes[1] + "weight": V}, str(p))
    assert read_network(p) == Network.from_values([[f32(w)] for w in W[:, 0]],
                                                  [f32(a) for a in V[0]])
    save_file(torch_like(*prefixes, out_bias=None), str(p))
    assert read_network(p) == expected()


def test_layer_order_when_shapes_do_not_decide(tmp_path):
    """m = d = 1: both orders chain, so the numbers in the names decide, as numbers
    (safetensors itself lists net.10 before net.8)."""
    p = tmp_path / "n.safetensors"
    save_file({"net.8.weight": np.array([[2.0]], np.float32),
               "net.10.weight": np.array([[-3.0]], np.float32)}, str(p))
    assert read_network(p) == Network.from_values([[2]], [-3])
    save_file({"fc1.weight": np.array([[-3.0]], np.float16),
               "fc2.weight": np.array([[2.0]], np.float64)}, str(p))
    assert read_network(p) == Network.from_values([["-3"]], [2])


def test_w1_w2_files_and_round_trip(tmp_path):
    p = tmp_path / "n.safetensors"
    save_file({"W1": np.array([[0.1, -2.5], [3, 2.0 ** -60]]), "w2": np.array([1e-300, -1])},
              str(p))
    net = read_network(p)
    assert net.W1 == ((F(0.1), F(-5, 2)), (F(3), F(1, 2 ** 60))) and not net.bias_column
    assert net.w2 == (F(1e-300), F(-1))
    q = tmp_path / "out.safetensors"
    for n in (net, expected(), Network.from_values([["-3/8", 0, 7]], [2 ** 70],
                                                   bias_column=True)):
        write_network(n, q)
        assert read_network(q) == n
        raw = safetensors_numpy.load_file(str(q))
        assert raw["W1"].dtype == raw["w2"].dtype == np.float64
        assert ("bias_column" in raw) == n.bias_column
    zero = Network.from_values([], [], dim=2)
    write_network(zero, q)
    assert read_network(q) == Network.from_values([[0, 0]], [0])
    assert not [f for f in tmp_path.iterdir() if f.name.startswith(".exactrelu-")]


@pytest.mark.parametrize("W1, w2, where", [([["1/3"]], [1], r"W1\[0\]\[0\] = 1/3"),
                                           ([[1, 2]], ["1/10"], r"w2\[0\] = 1/10"),
                                           ([[2 ** 2000]], [1], r"W1\[0\]\[0\]"),
                                           ([[1]], [F(1, 2 ** 1100)], r"w2\[0\]")])
def test_write_refuses_what_a_double_cannot_hold(tmp_path, W1, w2, where):
    q = tmp_path / "x.safetensors"
    with pytest.raises(InputError, match=where + " .*not exactly a double") as ei:
        write_network(Network.from_values(W1, w2), q)
    assert ei.value.file == str(q) and "exact rationals" in str(ei.value)
    assert list(tmp_path.iterdir()) == []                    # nothing written


def test_certify_from_the_command_line(tmp_path, capsys):
    data = tmp_path / "data.csv"
    data.write_text(DATA)
    net_file = tmp_path / "net.safetensors"
    save_file(torch_like("net.0.", "net.2."), str(net_file))
    cert = tmp_path / "cert.json"
    code = main(["certify", str(data), "--bias", "--lam", "1/10", "--network", str(net_file),
                 "-o", str(cert), "--json"])
    assert code == 0, capsys.readouterr().err
    rep = json.loads(capsys.readouterr().out)
    v = er.check(str(cert))
    assert v and v.verdict == "VERIFIED"
    c = json.loads(cert.read_text())
    net = expected()
    assert [[F(a) for a in r] for r in c["network"]["W1"]] == [list(r) for r in net.W1]
    assert [F(a) for a in c["network"]["w2"]] == list(net.w2)
    ds = Dataset.from_arrays([[-2], [-1], [0], [1], [2]], [1, F(1, 4), 0, F(1, 2), 2],
                             bias=True)
    assert F(rep["lower"]) <= net.nc_objective(ds, F(1, 10)) <= F(rep["upper"])


def _header_file(path, header: dict, payload: bytes) -> None:
    h = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(h)) + h + payload)


def _bad_files(tmp_path):
    """(file, fragment of the message) for every negative control."""
    good = tmp_path / "good.safetensors"
    save_file(torch_like("0.", "2."), str(good))
    raw = good.read_bytes()
    cases = []

    def add(name, fragment, tensors=None, data=None):
        p = tmp_path / name
        if tensors is not None:
            save_file(tensors, str(p))
        else:
            p.write_bytes(data)
        cases.append((p, fragment))

    add("shape1.safetensors", "2.weight has shape (1, 2) but 0.weight has 3 neurons",
        {"0.weight": W, "2.weight": V[:, :2]})
    add("shape2.safetensors", "one output", {"0.weight": W, "2.weight": np.ones((2, 3))})
    add("shape3.safetensors", r"0.bias has shape (2,), expected (3,)",
        {"0.weight": W, "0.bias": B[:2], "2.weight": V})
    add("shape4.safetensors", "w2 must have shape (3,)", {"W1": W, "w2": np.ones(2)})
    add("outbias.safetensors", "2.bias has shape (2,), expected (1,)",
        {**torch_like("0.", "2."), "2.bias": np.array([0.5, 0.5])})
    nan = W.copy()
    nan[1, 0] = np.nan
    add("nan.safetensors", "0.weight[1][0]: nan is not a finite number",
        {"0.weight": nan, "2.weight": V})
    add("inf.safetensors", "w2[2]: inf", {"W1": W, "w2": np.array([1, 2, np.inf])})
    add("three.safetensors", "only two-layer",
        {"0.weight": W, "2.weight": np.ones((3, 3)), "4.weight": V})
    add("truncated.safetensors", "not a readable .safetensors file", data=raw[:-5])
    add("short.safetensors", "not a readable .safetensors file", data=raw[:12])
    add("garbage.safetensors", "not a readable .safetensors file",
        data=b"\x00\x01garbage, not safetensors\xff" * 3)
    add("empty.safetensors", "not a readable .safetensors file", data=b"")
    bf16 = tmp_path / "bf16.safetensors"
    _header_file(bf16, {"0.weight": {"dtype": "BF16", "shape": [1, 1], "data_offsets": [0, 2]}},
                 b"\x80\x3f")
    cases.append((bf16, "model.float()"))
    cases.append((tmp_path / "missing.safetensors", "no such file"))
    return cases


def test_bad_files_are_input_errors(tmp_path):
    for p, fragment in _bad_files(tmp_path):
        with pytest.raises(InputError) as ei:
            read_network(p)
        assert ei.value.file == str(p), p
        assert fragment in str(ei.value), (p, str(ei.value))
        with pytest.raises(InputError):
            Network.from_safetensors(p)


def test_bad_files_exit_2_with_one_line(tmp_path, capsys):
    data = tmp_path / "data.csv"
    data.write_text(DATA)
    cert = tmp_path / "cert.json"
    for p, fragment in _bad_files(tmp_path):
        code = main(["certify", str(data), "--bias", "--lam", "1/10", "--network", str(p),
                     "-o", str(cert)])
        out, err = capsys.readouterr()
        assert code == 2, (p, err)
        lines = err.strip().splitlines()
        assert len(lines) == 1 and str(p) in lines[0] and fragment in lines[0], (p, err)
        assert not cert.exists()


def _readme_pytorch_lines() -> tuple[str, str]:
    """The README's two lines: save from PyTorch, certify from the shell."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    i = text.index("safetensors.torch.save_file(")
    j = text.index("exactrelu certify data.csv --bias --lam 1/10 --network net.safetensors")
    return text[i:text.index("\n", i)], text[j:text.index("\n", j)]


def test_readme_pytorch_two_lines_run_as_written(tmp_path, monkeypatch, capsys):
    """With torch installed, a real trained nn.Sequential; without it, the same line with
    ``safetensors.torch.save_file`` standing in as ``safetensors.numpy.save_file`` of the
    state dict's float32 arrays (the bytes safetensors.torch writes for them)."""
    import shlex
    import types

    py, sh = _readme_pytorch_lines()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data.csv").write_text(DATA)
    try:
        import safetensors
        import safetensors.torch  # noqa: F401
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Linear(1, 3), torch.nn.ReLU(),
                                    torch.nn.Linear(3, 1, bias=False))
        ns = {"safetensors": safetensors, "model": model}
    else:
        stand_in = types.SimpleNamespace(torch=types.SimpleNamespace(save_file=save_file))
        model = types.SimpleNamespace(state_dict=lambda: torch_like("0.", "2."))
        ns = {"safetensors": stand_in, "model": model}
    exec(compile(py, "README.md", "exec"), ns)
    args = shlex.split(sh)
    assert args[0] == "exactrelu"
    assert main(args[1:]) == 0, capsys.readouterr().err
    assert er.check("cert.json")
    if torch is None:
        c = json.loads((tmp_path / "cert.json").read_text())
        assert [F(a) for a in c["network"]["w2"]] == list(expected().w2)
