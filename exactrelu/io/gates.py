"""Gate files for gated ReLU (``exactrelu certify --model gated --gates FILE``).

CSV, one gate per line, one value per column of ``X`` as the model sees it: with
``--bias`` the last value multiplies the column of ones (the gate's bias).  Values are
read exactly with the data's grammar (:func:`exactrelu.numbers.parse_rational`); blank
lines are skipped.  A wrong count, a bad value or an empty file is an
:class:`~exactrelu.errors.InputError` naming the file, line and column.
"""
from __future__ import annotations

import csv
import io
import os
from fractions import Fraction

from ..errors import InputError
from .data import _records, parse_cells

__all__ = ["read_gates", "parse_gates_text"]


def parse_gates_text(text: str, d: int, *, name: str = "<gates>", bias: bool = False
                     ) -> tuple[tuple[Fraction, ...], ...]:
    """The gates in CSV ``text``, each with ``d`` exact values (see the module doc)."""
    text = text[1:] if text.startswith("\ufeff") else text
    reader = csv.reader(io.StringIO(text))
    gates = []
    for fields in _records(reader, text, name):
        if all(not f.strip() for f in fields):
            continue
        line = reader.line_num
        if len(fields) != d:
            what = f"{d} values (the features, then the bias)" if bias else f"{d} values"
            raise InputError(f"a gate needs {what}, found {len(fields)}", file=name,
                             line=line, column=min(len(fields), d) + 1)
        gates.append(tuple(parse_cells(fields, name, line, for_solver=True,
                                       what="gate value")))
    if not gates:
        raise InputError("no gates (the file is empty)", file=name, line=1)
    return tuple(gates)


def read_gates(path: str | os.PathLike, d: int, *, bias: bool = False
               ) -> tuple[tuple[Fraction, ...], ...]:
    """Read a gate file exactly (:func:`parse_gates_text`)."""
    from .files import read_text

    name = os.fspath(path)
    return parse_gates_text(read_text(name, "gate file"), d, name=name, bias=bias)
