"""Network JSON files, read exactly: ``{"W1": [[v]*d]*m, "w2": [v]*m}`` (optionally
``"bias_column": true`` and ``"output_bias": v``, certified with ``--output-bias``), each value a rational string or a JSON number (the exact value
of the IEEE double it parses to).  Errors name the file, line and column of the value
(:class:`~exactrelu.errors.InputError`); duplicate keys, NaN/Infinity and a byte-order
mark are handled as :mod:`exactrelu.io.networks` documents."""
from __future__ import annotations

import json
import math
import re
from fractions import Fraction
from json.decoder import scanstring
from typing import Any, Sequence

from ..errors import InputError
from ..networks import Network
from ..numbers import from_float, parse_rational

__all__ = ["parse_network_json"]

_JSON_KEYS = ("W1", "w2", "bias_column", "output_bias", "comment")


# ================================================================================ JSON

class _JNum(str):
    """A JSON number literal, kept as text until we know where it is."""


class _JConst(str):
    """``NaN`` / ``Infinity`` / ``-Infinity`` (accepted by Python's json, refused here)."""


class _Duplicate(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _Duplicate(k)
        out[k] = v
    return out


_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_LITERALS = ("true", "false", "null", "NaN", "Infinity", "-Infinity")


def _skip_ws(text: str, pos: int) -> int:
    return _WS.match(text, pos).end()  # type: ignore[union-attr]


def _skip_value(text: str, pos: int) -> int:
    """End of the (valid) JSON value starting at ``pos``."""
    c = text[pos]
    if c == '"':
        return scanstring(text, pos + 1)[1]
    if c in "{[":
        depth = 0
        while True:
            c = text[pos]
            if c == '"':
                pos = scanstring(text, pos + 1)[1]
                continue
            if c in "{[":
                depth += 1
            elif c in "}]":
                depth -= 1
                if depth == 0:
                    return pos + 1
            pos += 1
    for lit in _LITERALS:
        if text.startswith(lit, pos):
            return pos + len(lit)
    m = _NUMBER.match(text, pos)
    if m is None or m.end() == pos:
        raise ValueError("not a JSON value")
    return m.end()


def _offset(text: str, path: Sequence[str | int]) -> int | None:
    """Character offset of the value at ``path`` in valid JSON ``text`` (or None)."""
    try:
        pos = _skip_ws(text, 0)
        for step in path:
            c = text[pos]
            if isinstance(step, str):
                if c != "{":
                    return None
                pos = _skip_ws(text, pos + 1)
                while text[pos] != "}":
                    key, pos = scanstring(text, pos + 1)
                    pos = _skip_ws(text, pos)
                    pos = _skip_ws(text, pos + 1)          # ':'
                    if key == step:
                        break
                    pos = _skip_ws(text, _skip_value(text, pos))
                    if text[pos] == ",":
                        pos = _skip_ws(text, pos + 1)
                else:
                    return None
            else:
                if c != "[":
                    return None
                pos = _skip_ws(text, pos + 1)
                idx = 0
                while True:
                    if text[pos] == "]":
                        return None
                    if idx == step:
                        break
                    pos = _skip_ws(text, _skip_value(text, pos))
                    if text[pos] == ",":
                        pos = _skip_ws(text, pos + 1)
                    idx += 1
        return pos
    except (IndexError, ValueError):
        return None


def _path_str(path: Sequence[str | int]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (("." if out else "") + step)
    return out


def _describe(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "an object"
    return repr(v)


class _JsonReader:
    def __init__(self, text: str, name: str) -> None:
        self.text = text
        self.name = name

    def error(self, path: Sequence[str | int], message: str) -> InputError:
        line = column = None
        off = _offset(self.text, path)
        if off is not None:
            line = self.text.count("\n", 0, off) + 1
            column = off - (self.text.rfind("\n", 0, off) + 1) + 1
        where = _path_str(path)
        if not where.isprintable():         # a key with a control or line-break character
            where = ascii(where)
        return InputError(f"{where}: {message}" if where else message,
                          file=self.name, line=line, column=column)

    def value(self, v: Any, path: tuple[str | int, ...]) -> Fraction:
        if isinstance(v, _JConst):
            raise self.error(path, f"{v} is not a finite number")
        if isinstance(v, _JNum):
            f = float(v)
            if not math.isfinite(f):
                raise self.error(path, f"{v} is not a finite double (it overflows)")
            return from_float(f)
        if isinstance(v, str):
            try:
                return parse_rational(v)
            except ValueError as e:
                raise self.error(path, str(e)) from None
        raise self.error(path, f"expected a number or a rational string, got {_describe(v)}")

    def parse(self) -> Network:
        text = self.text
        if not text.strip():
            raise InputError("the file is empty (expected a JSON object with W1 and w2)",
                             file=self.name, line=1, column=1)
        try:
            obj = json.loads(text, parse_float=_JNum, parse_int=_JNum,
                             parse_constant=_JConst, object_pairs_hook=_pairs)
        except json.JSONDecodeError as e:
            raise InputError(f"not valid JSON: {e.msg}", file=self.name, line=e.lineno,
                             column=e.colno) from None
        except _Duplicate as e:
            raise InputError(f"duplicate key {e.key!r}", file=self.name) from None
        except RecursionError:
            raise InputError("JSON nested too deeply", file=self.name) from None
        if not isinstance(obj, dict):
            raise self.error((), f"expected a JSON object {{\"W1\": ..., \"w2\": ...}}, got "
                                 f"{_describe(obj)}")
        for key in obj:
            if key not in _JSON_KEYS:
                hint = (" (a first-layer bias goes into the last column of W1, with "
                        "\"bias_column\": true)" if "b" in key.lower() else "")
                raise self.error((key,), f"unknown key {key!r}; a network has the keys "
                                         f"{', '.join(_JSON_KEYS)}{hint}")
        for key in ("W1", "w2"):
            if key not in obj:
                raise InputError(f"missing key {key!r} (a network is "
                                 "{\"W1\": [[v]*d]*m, \"w2\": [v]*m})", file=self.name)
        bias = obj.get("bias_column", False)
        if not isinstance(bias, bool):
            raise self.error(("bias_column",), f"must be true or false, got {_describe(bias)}")
        W1raw, w2raw = obj["W1"], obj["w2"]
        if not isinstance(W1raw, list):
            raise self.error(("W1",), f"expected a list of rows, got {_describe(W1raw)}")
        if not W1raw:
            raise self.error(("W1",), "empty: the network has no neurons")
        if not isinstance(w2raw, list):
            raise self.error(("w2",), f"expected a list of numbers, got {_describe(w2raw)}")
        d = None
        W1: list[tuple[Fraction, ...]] = []
        for j, row in enumerate(W1raw):
            if not isinstance(row, list):
                raise self.error(("W1", j), f"expected a row (a list of numbers), got "
                                            f"{_describe(row)}")
            if d is None:
                d = len(row)
                if d == 0:
                    raise self.error(("W1", 0), "empty row: the network has no inputs")
            elif len(row) != d:
                raise self.error(("W1", j), f"ragged W1: this row has {len(row)} entries, "
                                            f"W1[0] has {d}")
            W1.append(tuple(self.value(v, ("W1", j, t)) for t, v in enumerate(row)))
        if len(w2raw) != len(W1):
            raise self.error(("w2",), f"length mismatch: {len(w2raw)} entries, but W1 has "
                                      f"{len(W1)} rows (one output weight per neuron)")
        w2 = tuple(self.value(v, ("w2", j)) for j, v in enumerate(w2raw))
        c = self.value(obj["output_bias"], ("output_bias",)) if "output_bias" in obj \
            else Fraction(0)
        return Network(tuple(W1), w2, bias, d, c)


def parse_network_json(text: str, *, name: str = "<network>") -> Network:
    """Parse the JSON network format (see the module docstring)."""
    return _JsonReader(text, name).parse()
