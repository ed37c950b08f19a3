"""Network files: JSON (the project format), NumPy ``.npz``, ``.safetensors`` and PyTorch
state dicts.

Every weight is read exactly:

* **JSON** ``{"W1": [[v]*d]*m, "w2": [v]*m}`` (the CLI spec's network format).  A value is a
  rational string (``"3/8"``, ``"-0.125"``, ``"1e-3"``: its exact decimal value) or a JSON
  number, which means *the exact value of the IEEE double it parses to*: ``0.1`` is
  3602879701896397/36028797018963968, not 1/10 (and an integer literal beyond 2^53 is
  rounded to a double, like every JSON number).  Optional keys: ``"bias_column": true``
  (the last input is a bias) and ``"comment"``; any other key is an error.
* **npz** with arrays ``W1`` (m x d) and ``w2`` (m), or a PyTorch
  ``Linear(d, m) - ReLU - Linear(m, 1)`` state dict saved with ``numpy.savez``
  (``0.weight``, ``0.bias``, ``2.weight``, ``2.bias``).  Floating arrays are taken at
  their exact IEEE value.
* **pt / pth**: a PyTorch state dict, loaded with
  ``torch.load(path, map_location="cpu", weights_only=True)`` (torch is imported only
  here).  The two weight matrices are the first two 2-D ``*weight`` entries in order
  (``0.weight``/``2.weight``, ``fc1.weight``/``fc2.weight``,
  ``layers.0.weight``/``layers.2.weight``, ...); any other parameter is an error.
* **safetensors** (no pickle, no torch: read with ``safetensors.numpy.load_file``): the
  same keys as npz, e.g. ``safetensors.torch.save_file(model.state_dict(), path)``.  The
  format does not keep the order of the tensors, so the first layer is the one whose
  shapes chain (``(m, d)`` then ``(1, m)``), and where both orders chain (``m = d = 1``)
  the name with the smaller number (``0.`` < ``2.`` < ``10.``, ``fc1`` < ``fc2``).
  bfloat16 tensors are refused (NumPy has no such type): save ``model.float()``.
  Written by :func:`write_network` as float64 ``W1``/``w2`` (+ ``bias_column``) when
  every weight is exactly a double.

A first-layer bias ``b`` becomes an extra *last* column of ``W1`` and the network gets
``bias_column=True``: the data must then be read with ``--bias`` (column of ones last).
An output bias (``2.bias``, or ``output_bias`` next to ``W1``/``w2``) becomes
:attr:`Network.output_bias`; a nonzero one is certified with ``--output-bias`` (minor
version 1.2 of the certificate format) and refused without it.

Every problem is an :class:`~exactrelu.errors.InputError` naming the file and, for JSON,
the value's path (``W1[2][0]``) with its line and column.
"""
from __future__ import annotations

import json
import math
import os
import re
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from ..errors import InputError
from .files import write_atomic
from .network_json import parse_network_json
from ..networks import Network
from ..numbers import from_float

__all__ = ["read_network", "write_network", "parse_network_json", "network_from_state_dict",
           "read_safetensors", "write_safetensors"]



# ======================================================================== arrays (npz/pt)

def _exact_array(a: np.ndarray, label: str, name: str) -> np.ndarray:
    """Object array of Fractions with the exact values of ``a`` (integers or IEEE
    floats); ``InputError`` for NaN/inf and non-numeric dtypes."""
    kind = a.dtype.kind
    if kind not in "iuf":
        raise InputError(f"array {label!r} has dtype {a.dtype}; expected real numbers",
                         file=name)
    out = np.empty(a.shape, dtype=object)
    for idx, v in np.ndenumerate(a):
        if kind == "f":
            if not np.isfinite(v):
                where = label + "".join(f"[{i}]" for i in idx)
                raise InputError(f"{where}: {v} is not a finite number", file=name)
            if a.dtype.itemsize > 8:   # long double: float() would round
                out[idx] = Fraction(*v.as_integer_ratio())
            else:                      # float16/32/64 widen to float64 exactly
                out[idx] = from_float(float(v))
        else:
            out[idx] = Fraction(int(v))
    return out


def _as_numpy(v: Any, key: str, name: str) -> np.ndarray:
    if isinstance(v, np.ndarray):
        return v
    if hasattr(v, "detach"):                       # a torch tensor
        t = v.detach()
        if hasattr(t, "cpu"):
            t = t.cpu()
        if getattr(t, "is_floating_point", lambda: False)():
            t = t.double()                         # exact widening (fp16/bf16/fp32)
        return np.asarray(t.numpy())
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return np.asarray(v)
    raise InputError(f"entry {key!r} is not an array ({type(v).__name__})", file=name)


def _matrix(a: np.ndarray, label: str, name: str) -> list[tuple[Fraction, ...]]:
    ex = _exact_array(a, label, name)
    return [tuple(r) for r in ex.tolist()] if ex.ndim == 2 else []


# long: one validation per accepted key layout, each naming the file and the key
def network_from_state_dict(items: Sequence[tuple[str, Any]], *, name: str = "<network>"
                            ) -> Network:
    """A network from ``(key, array)`` pairs: either ``W1``/``w2`` (+ optional
    ``bias_column``), or a Linear-ReLU-Linear state dict (see the module docstring)."""
    arrs = [(str(k), _as_numpy(v, str(k), name)) for k, v in items]
    keys = [k for k, _ in arrs]
    table = dict(arrs)
    if "W1" in table or "w2" in table:
        extra = [k for k in keys if k not in ("W1", "w2", "bias_column", "output_bias")]
        if extra:
            raise InputError(f"unexpected array {extra[0]!r} next to W1/w2 (accepted: W1, w2, "
                             "bias_column; a first-layer bias goes into the last column of "
                             "W1)", file=name)
        for k in ("W1", "w2"):
            if k not in table:
                raise InputError(f"missing array {k!r}", file=name)
        A, b = table["W1"], table["w2"]
        if A.ndim != 2 or A.shape[0] == 0 or A.shape[1] == 0:
            raise InputError(f"W1 must be a non-empty m x d matrix, got shape {A.shape}",
                             file=name)
        m = A.shape[0]
        if b.ndim == 2 and 1 in b.shape:
            b = b.reshape(-1)
        if b.ndim != 1 or b.shape[0] != m:
            raise InputError(f"w2 must have shape ({m},) to match W1 {A.shape}, got {b.shape}",
                             file=name)
        bias = False
        if "bias_column" in table:
            bc = table["bias_column"]
            if bc.shape != () or bc.dtype.kind not in "bi":
                raise InputError("bias_column must be a boolean scalar", file=name)
            bias = bool(bc)
        W1 = _matrix(A, "W1", name)
        w2 = tuple(_exact_array(b, "w2", name).tolist())
        c = Fraction(0)
        if "output_bias" in table:
            ob = table["output_bias"]
            if ob.size != 1:
                raise InputError(f"output_bias has shape {ob.shape}, expected a scalar",
                                 file=name)
            c = _exact_array(ob.reshape(()), "output_bias", name).item()
        return Network(tuple(W1), w2, bias, A.shape[1], c)
    weights = [k for k, a in arrs if k.endswith("weight") and a.ndim == 2]
    if len(weights) != 2:
        found = ", ".join(keys) or "nothing"
        if len(weights) > 2:
            msg = (f"{len(weights)} weight matrices ({', '.join(weights)}): only two-layer "
                   "Linear-ReLU-Linear networks are supported")
        else:
            msg = (f"expected W1/w2 or the two weight matrices of a Linear-ReLU-Linear "
                   f"state dict (e.g. 0.weight, 2.weight); found {found}")
        raise InputError(msg, file=name)
    k1, k2 = weights
    b1key = k1[: -len("weight")] + "bias"
    b2key = k2[: -len("weight")] + "bias"
    for k in keys:
        if k not in (k1, k2, b1key, b2key):
            raise InputError(f"unexpected parameter {k!r}: only Linear-ReLU-Linear networks "
                             f"({k1}, {b1key}, {k2}, {b2key}) are supported", file=name)
    A, B = table[k1], table[k2]
    m, d0 = A.shape
    if m == 0 or d0 == 0:
        raise InputError(f"{k1} has shape {A.shape}: empty layer", file=name)
    if B.shape[0] != 1:
        raise InputError(f"{k2} has shape {B.shape}: the network must have one output "
                         "(vector outputs are not supported)", file=name)
    if B.shape[1] != m:
        raise InputError(f"{k2} has shape {B.shape} but {k1} has {m} neurons", file=name)
    W1 = _matrix(A, k1, name)
    w2 = tuple(_exact_array(B, k2, name)[0].tolist())
    c = Fraction(0)                     # the output bias (certified with --output-bias)
    has_bias = b1key in table
    if has_bias:
        b1 = table[b1key]
        if b1.shape != (m,):
            raise InputError(f"{b1key} has shape {b1.shape}, expected ({m},)", file=name)
        bq = _exact_array(b1, b1key, name).tolist()
        W1 = [row + (c,) for row, c in zip(W1, bq)]
    if b2key in table:
        b2 = table[b2key]
        if b2.size != 1:
            raise InputError(f"{b2key} has shape {b2.shape}, expected (1,)", file=name)
        c = _exact_array(b2.reshape(()), b2key, name).item()
    return Network(tuple(W1), w2, has_bias, d0 + (1 if has_bias else 0), c)


#: An .npz member may unpack to at most this many times the archive's size (and never
#: over NPZ_MAX_BYTES): more is a decompression bomb, not a network.
NPZ_MAX_RATIO = 64
NPZ_MAX_BYTES = 100 * 2 ** 20


def _npz_bounds(name: str) -> None:
    """Check an ``.npz`` archive from its headers before anything is unpacked: every
    member's uncompressed size (zip header) at most ``NPZ_MAX_RATIO`` x the file size
    (but at least 1 MiB is allowed) and at most ``NPZ_MAX_BYTES``, and its ``.npy`` header
    a plain (non-object) dtype whose shape needs no more bytes than the member holds --
    so that :func:`numpy.load` never allocates more than a bounded multiple of the file."""
    import zipfile

    if not os.path.isfile(name):
        return                                   # np.load reports it
    size = os.path.getsize(name)
    limit = min(NPZ_MAX_BYTES, max(NPZ_MAX_RATIO * size, 2 ** 20))
    try:
        zf = zipfile.ZipFile(name)
    except (zipfile.BadZipFile, OSError, ValueError):
        return                                   # not a zip: np.load reports it
    with zf:
        infos = zf.infolist()
        if sum(i.file_size for i in infos) > limit:
            big = max(infos, key=lambda i: i.file_size)
            raise InputError(f"member {big.filename!r} unpacks to {big.file_size} bytes "
                             f"({sum(i.file_size for i in infos)} in all), over the limit of "
                             f"{limit} bytes for a {size}-byte archive (a decompression "
                             "bomb?)", file=name)
        for info in infos:
            if not info.filename.endswith(".npy"):
                continue
            try:
                with zf.open(info) as fh:
                    fmt = np.lib.format
                    version = fmt.read_magic(fh)
                    read = {(1, 0): fmt.read_array_header_1_0,
                            (2, 0): fmt.read_array_header_2_0}[version]
                    shape, _, dtype = read(fh)
            except Exception as e:     # a bad header: zipfile/numpy raise many types
                raise InputError(f"member {info.filename!r}: not a readable .npy header "
                                 f"({e})", file=name) from None
            if dtype.hasobject:
                raise InputError(f"member {info.filename!r} holds Python objects (pickled); "
                                 "only numeric arrays are read", file=name)
            need = math.prod(shape) * dtype.itemsize
            if need > info.file_size:
                raise InputError(f"member {info.filename!r} declares shape {shape} "
                                 f"({need} bytes) but holds {info.file_size} bytes",
                                 file=name)


def _read_npz(name: str) -> Network:
    _npz_bounds(name)
    try:
        with np.load(name, allow_pickle=False) as z:
            if not hasattr(z, "files"):
                raise InputError("not an .npz archive (a single .npy array?)", file=name)
            items = [(k, z[k]) for k in z.files]
    except InputError:
        raise
    except FileNotFoundError:
        raise InputError("no such file", file=name) from None
    except Exception as e:  # zipfile.BadZipFile, pickled/object arrays, truncated data
        raise InputError(f"not a readable NumPy .npz archive: {e}", file=name) from None
    return network_from_state_dict(items, name=name)


def _read_torch(name: str) -> Network:
    try:
        import torch  # noqa: PLC0415 - optional dependency, imported lazily
    except ImportError:
        raise InputError("reading a PyTorch file needs torch: pip install torch (or save "
                         "the weights as .npz or .json)", file=name) from None
    if not os.path.exists(name):
        raise InputError("no such file", file=name)
    try:
        obj = torch.load(name, map_location="cpu", weights_only=True)
    except Exception as e:
        raise InputError(f"torch.load(weights_only=True) failed: {e}", file=name) from None
    if hasattr(obj, "state_dict") and callable(obj.state_dict):
        obj = obj.state_dict()
    if isinstance(obj, dict):
        for wrapper in ("state_dict", "model_state_dict", "model"):
            inner = obj.get(wrapper)
            if isinstance(inner, dict):
                obj = inner
                break
    if not isinstance(obj, dict):
        raise InputError(f"expected a state dict, got {type(obj).__name__}", file=name)
    return network_from_state_dict(list(obj.items()), name=name)


# ======================================================================== safetensors

def _numbered(key: str) -> list:
    """Sort key comparing the numbers in a name as numbers (``net.2`` < ``net.10``)."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", key)]


def _layer_order(table: dict[str, np.ndarray]) -> list[str]:
    """The keys of a safetensors file in layer order (the format keeps no order): by
    name with numbers compared as numbers, the two 2-D ``*weight`` matrices swapped when
    only the swapped order chains as ``Linear(d, m) - ReLU - Linear(m, 1)``."""
    keys = sorted(table, key=_numbered)
    weights = [k for k in keys if k.endswith("weight") and table[k].ndim == 2]
    if len(weights) == 2:
        (k1, A), (k2, B) = ((k, table[k].shape) for k in weights)
        if B != (1, A[0]) and A == (1, B[0]):
            i, j = keys.index(k1), keys.index(k2)
            keys[i], keys[j] = k2, k1
    return keys


def read_safetensors(path: str | os.PathLike) -> Network:
    """A network from a ``.safetensors`` file (whatever its extension), read with
    ``safetensors.numpy.load_file`` (no pickle, no torch) and checked like an npz file
    (see the module docstring).  ``InputError`` naming the file on any problem."""
    name = os.fspath(path)
    if not os.path.exists(name):
        raise InputError("no such file", file=name)
    if os.path.isdir(name):
        raise InputError("is a directory, not a network file", file=name)
    try:
        from safetensors.numpy import load_file  # noqa: PLC0415 - only for this format
    except ImportError:
        raise InputError("reading .safetensors needs the safetensors package: pip install "
                         "safetensors", file=name) from None
    try:
        table = load_file(name)
    except Exception as e:  # SafetensorError (truncated, garbage), TypeError (bfloat16)
        msg = " ".join(str(e).split()) or type(e).__name__
        if "bfloat16" in msg:
            msg += " (NumPy has no bfloat16: save model.float().state_dict())"
        raise InputError(f"not a readable .safetensors file: {msg}", file=name) from None
    return network_from_state_dict([(k, table[k]) for k in _layer_order(table)], name=name)


def _exact_double(v: Fraction, where: str, name: str) -> float:
    """``v`` as a float, only when that float is exactly ``v``."""
    try:
        f = float(v)
    except OverflowError:
        f = math.inf
    if not math.isfinite(f) or from_float(f) != v:
        raise InputError(f"{where} = {v} is not exactly a double, and .safetensors stores "
                         "float64: write .json, which keeps exact rationals", file=name)
    return f


def write_safetensors(net: Network, path: str | os.PathLike) -> None:
    """Write ``net`` to ``path`` in the safetensors format, atomically: float64 ``W1``
    (m x d) and ``w2`` (m), ``bias_column`` (a boolean scalar) when set, and
    ``output_bias`` (a float64 scalar) when nonzero.  Refused
    (``InputError``) unless every weight is exactly a double, since the file would
    otherwise not hold the network.  A width-0 network is written as one zero neuron, as
    in :func:`network_json`."""
    from safetensors.numpy import save_file  # noqa: PLC0415 - only for this format

    from .files import save_atomic

    name = os.fspath(path)
    W1, w2 = net.W1, net.w2
    if not W1:
        if net.dim is None:
            raise ValueError("cannot write a width-0 network of unknown input dimension")
        W1, w2 = (tuple(Fraction(0) for _ in range(net.dim)),), (Fraction(0),)
    A = np.array([[_exact_double(v, f"W1[{j}][{t}]", name) for t, v in enumerate(row)]
                  for j, row in enumerate(W1)], dtype=np.float64)
    b = np.array([_exact_double(v, f"w2[{j}]", name) for j, v in enumerate(w2)],
                 dtype=np.float64)
    tensors = {"W1": A, "w2": b}
    if net.bias_column:
        tensors["bias_column"] = np.array(True)
    if net.output_bias:
        tensors["output_bias"] = np.array(_exact_double(net.output_bias, "output_bias", name))
    save_atomic(name, lambda tmp: save_file(tensors, tmp))


# ======================================================================== entry points

def read_network(path: str | os.PathLike) -> Network:
    """Read a network exactly from ``.json``, ``.npz``, ``.safetensors``, ``.pt`` or
    ``.pth`` (by extension; see the module docstring).  ``InputError`` on any problem."""
    name = os.fspath(path)
    ext = os.path.splitext(name)[1].lower()
    if ext == ".json":
        from .files import read_bytes

        raw = read_bytes(name, "network file")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise InputError(f"not UTF-8 text (byte {e.start})", file=name) from None
        return parse_network_json(text, name=name)
    if ext == ".npz":
        return _read_npz(name)
    if ext in (".pt", ".pth"):
        return _read_torch(name)
    if ext == ".safetensors":
        return read_safetensors(name)
    raise InputError(f"unknown network format {ext or '(no extension)'!r}: use .json, "
                     ".npz, .safetensors, .pt or .pth", file=name)


def network_json(net: Network) -> str:
    """The JSON text of ``net``: canonical rational strings (``str(Fraction)``), one row
    per line.  A width-0 network is written as one zero neuron (same function and
    objective), since a file with no neurons is refused on reading."""
    W1, w2 = net.W1, net.w2
    if not W1:
        if net.dim is None:
            raise ValueError("cannot write a width-0 network of unknown input dimension")
        W1 = (tuple(Fraction(0) for _ in range(net.dim)),)
        w2 = (Fraction(0),)
    rows = ",\n    ".join(json.dumps([str(a) for a in r]) for r in W1)
    parts = [f'  "W1": [\n    {rows}\n  ]', f'  "w2": {json.dumps([str(a) for a in w2])}']
    if net.bias_column:
        parts.append('  "bias_column": true')
    if net.output_bias:
        parts.append(f'  "output_bias": {json.dumps(str(net.output_bias))}')
    return "{\n" + ",\n".join(parts) + "\n}\n"


def write_network(net: Network, path: str | os.PathLike) -> None:
    """Write ``net`` as JSON (see :func:`network_json`), or as ``.safetensors`` by
    extension (see :func:`write_safetensors`), atomically (temporary file in the same
    directory, then rename)."""
    name = os.fspath(path)
    ext = os.path.splitext(name)[1].lower()
    if ext == ".safetensors":
        return write_safetensors(net, name)
    if ext in (".npz", ".pt", ".pth"):
        raise InputError(f"networks are written as JSON, not {ext}", file=name)
    write_atomic(name, network_json(net))
