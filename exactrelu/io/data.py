"""Data files: CSV, one sample per line, features first and the target last.

Every value is read exactly (:func:`exactrelu.numbers.parse_rational`): integers,
decimals (their exact decimal value) and fractions ``p/q``, in ASCII, at most
4000 characters each.  A byte-order mark at the start of the file is ignored.  Anything else -- an empty
cell, ``nan``, ``inf``, text, ``1/0``, a ragged row, an empty file -- raises
:class:`~exactrelu.errors.InputError` naming the file, line and column.
"""
from __future__ import annotations

import csv
import io
import os
from fractions import Fraction
from typing import Callable

from ..errors import InputError
from ..numbers import MAX_VALUE_CHARS, parse_rational, show_value
from ..problem import Dataset

__all__ = ["read_csv", "parse_csv_text", "parse_lam", "rational_arg", "solver_range", "SOLVER_MAX",
           "SOLVER_MIN"]

#: The numeric solver's range: it works in doubles and squares what it is given.
SOLVER_MAX = Fraction(10) ** 150
SOLVER_MIN = Fraction(10) ** -150

_MAX_CELL = csv.field_size_limit()       # 131,072: the csv module refuses longer fields


def solver_range(v: Fraction, text: str, what: str = "value", *,
                 small: bool = False, large: bool = True) -> str | None:
    """Why the numeric solver cannot take ``v`` (written ``text``), or None: it works in
    doubles and squares values, so ``|v| <= 1e150`` (unless not ``large``); with
    ``small`` (``lam``, which it divides by) also ``|v| >= 1e-150``.  The exact code has
    no such limit."""
    if large and abs(v) > SOLVER_MAX:
        return (f"{what} {show_value(text.strip(), 24)} is too large for the numeric solver "
                f"(|x| <= 1e150, so that its square is a double)")
    if small and abs(v) < SOLVER_MIN:
        return (f"{what} {show_value(text.strip(), 24)} is too small for the numeric solver "
                f"(|x| >= 1e-150, so that its square is a nonzero double)")
    return None


def parse_csv_text(text: str, *, name: str = "<data>", header: bool = False,
                   bias: bool = False, for_solver: bool = False) -> Dataset:
    """Parse CSV text into an exact :class:`Dataset` (see the module docstring).  With
    ``for_solver`` a value outside the numeric solver's range (:func:`solver_range`) is
    an :class:`InputError` with its place."""
    rows: list[list[Fraction]] = []
    width = None
    text = text[1:] if text.startswith("\ufeff") else text     # a byte-order mark
    reader = csv.reader(io.StringIO(text))
    seen_header = not header
    first_line = None
    for fields in _records(reader, text, name):
        line = reader.line_num
        if not fields or all(not f.strip() for f in fields):
            if len(fields) <= 1:
                continue  # blank line
        if not seen_header:
            seen_header = True
            continue
        if width is None:
            width = len(fields)
            first_line = line
            if width < 2:
                raise InputError(f"a row needs at least one feature and the target, found "
                                 f"{width} value", file=name, line=line, column=1)
        elif len(fields) != width:
            raise InputError(f"ragged row: {len(fields)} values, but line {first_line} has "
                             f"{width}", file=name, line=line, column=min(len(fields), width) + 1)
        rows.append(parse_cells(fields, name, line, for_solver=for_solver))
    if not rows:
        raise InputError("no data rows (the file is empty)", file=name, line=1)
    X = [r[:-1] for r in rows]
    y = [r[-1] for r in rows]
    return Dataset.from_arrays(X, y, bias=bias, source=name)


def parse_cells(fields, name: str, line: int, *, for_solver: bool = False,
                what: str = "value") -> list[Fraction]:
    """The exact values of one CSV record; a bad value (or, with ``for_solver``, one
    outside the numeric solver's range) is an :class:`InputError` with its column."""
    vals = []
    for c, f in enumerate(fields, start=1):
        try:
            vals.append(parse_rational(f))
        except ValueError as e:
            raise InputError(str(e), file=name, line=line, column=c) from None
        why = solver_range(vals[-1], f, what) if for_solver else None
        if why:
            raise InputError(why, file=name, line=line, column=c)
    return vals


def _records(reader, text: str, name: str):
    """The records of ``reader``; a :class:`csv.Error` (a value over the csv module's
    field limit of 131,072 characters, a NUL byte) is an :class:`InputError` with its
    line and, for an overlong value, its column."""
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            line = max(reader.line_num, 1)
            cells = (text.splitlines()[line - 1:line] or [""])[0].split(",")
            long = [c for c, f in enumerate(cells, start=1) if len(f) > _MAX_CELL]
            if long:
                raise InputError(f"value has {len(cells[long[0] - 1])} characters (limit "
                                 f"{MAX_VALUE_CHARS})", file=name, line=line,
                                 column=long[0]) from None
            raise InputError(f"not valid CSV: {e}", file=name, line=line) from None
        yield fields


def read_csv(path: str | os.PathLike, *, header: bool = False, bias: bool = False,
             for_solver: bool = False) -> Dataset:
    """Read a data file exactly (see the module docstring and :func:`parse_csv_text`)."""
    from .files import read_text

    name = os.fspath(path)
    text = read_text(name, "CSV file")
    return parse_csv_text(text, name=name, header=header, bias=bias, for_solver=for_solver)


def rational_arg(text: str, flag: str, ok: Callable[[Fraction], bool], what: str
                 ) -> Fraction:
    """A command-line rational in the data syntax (``1e-4``, ``3/8``) that ``ok`` accepts;
    else :class:`InputError` ``"FLAG: why"`` or ``"FLAG must be WHAT, got 'text'"``."""
    try:
        v = parse_rational(text)
    except ValueError as e:
        raise InputError(f"{flag}: {e}") from None
    if not ok(v):
        raise InputError(f"{flag} must be {what}, got {show_value(text)}")
    return v


def parse_lam(text: str, *, for_solver: bool = False) -> Fraction:
    """``--lam``: a positive rational in the data syntax; with ``for_solver`` also within
    the numeric solver's range (:func:`solver_range`)."""
    v = rational_arg(text, "--lam", lambda q: q > 0, "a positive rational")
    why = solver_range(v, text, "--lam", small=True) if for_solver else None
    if why:
        raise InputError(why)
    return v
