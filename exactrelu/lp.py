"""Exact linear programs and vertex enumeration over Q: the one place that calls
pycddlib's exact arithmetic (``cdd.gmp``).

* :func:`solve` -- ``max`` or ``min`` of ``offset + c.x`` subject to ``A_eq x = b_eq``,
  ``A_ge x >= b_ge`` and optionally ``x >= 0``;
* :func:`nonneg_combination` -- ``alpha >= 0`` with ``sum_j alpha_j cols_j = target``
  (optionally optimising a linear objective);
* :func:`vertices` -- all vertices of a bounded ``{x >= 0 : A_eq x = b_eq}`` (double
  description); with ``isolate=True`` in a child process that Ctrl-C, a deadline and a
  memory budget can stop (cdd's C code cannot be interrupted in-process).

Every answer is a list of :class:`fractions.Fraction` and is re-checked exactly against
the constraints before it is returned (a solver status alone is never trusted).
"""
from __future__ import annotations

import sys
from contextlib import contextmanager
from fractions import Fraction
from typing import Iterator, Sequence

from .errors import ExactReluError

__all__ = ["solve", "nonneg_combination", "vertices", "EnumerationStopped"]

_ZERO = Fraction(0)
_ONE = Fraction(1)


@contextmanager
def _big_ints() -> Iterator[None]:
    """Lift CPython's int/str digit limit while cdd converts huge rationals (restored)."""
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        yield
    finally:
        sys.set_int_max_str_digits(old)


def _cdd_rows(A_eq: Sequence[Sequence[Fraction]], b_eq: Sequence[Fraction],
              A_ge: Sequence[Sequence[Fraction]], b_ge: Sequence[Fraction],
              nonneg: bool, nvars: int) -> tuple[list[list[Fraction]], range]:
    """cdd's H-representation ``[b | A]`` meaning ``b + A x >= 0`` (``= 0`` on lin_set)."""
    rows = [[-Fraction(t)] + [Fraction(a) for a in r] for r, t in zip(A_eq, b_eq)]
    rows += [[-Fraction(t)] + [Fraction(a) for a in r] for r, t in zip(A_ge, b_ge)]
    if nonneg:
        rows += [[_ZERO] + [Fraction(int(i == j)) for i in range(nvars)] for j in range(nvars)]
    return rows, range(len(A_eq))


def _dot(a: Sequence[Fraction], x: Sequence[Fraction]) -> Fraction:
    return sum((u * v for u, v in zip(a, x) if u), _ZERO)


def solve(objective: Sequence[Fraction], *, A_eq: Sequence[Sequence[Fraction]] = (),
          b_eq: Sequence[Fraction] = (), A_ge: Sequence[Sequence[Fraction]] = (),
          b_ge: Sequence[Fraction] = (), nonneg: bool = False, maximize: bool = False,
          offset: Fraction = _ZERO) -> tuple[Fraction, list[Fraction]] | None:
    """``(value, x)`` at an optimum of ``max`` (or ``min``) ``offset + objective . x``
    subject to ``A_eq x = b_eq``, ``A_ge x >= b_ge`` and (``nonneg``) ``x >= 0``, exactly;
    ``None`` if the LP is infeasible or unbounded.

    >>> from fractions import Fraction as F
    >>> solve([F(1), F(1)], A_ge=[[F(-1), F(0)], [F(0), F(-1)]], b_ge=[F(-1), F(-2)],
    ...       nonneg=True, maximize=True)
    (Fraction(3, 1), [Fraction(1, 1), Fraction(2, 1)])
    """
    import cdd
    import cdd.gmp

    nvars = len(objective)
    rows, lin = _cdd_rows(A_eq, b_eq, A_ge, b_ge, nonneg, nvars)
    with _big_ints():
        mat = cdd.gmp.matrix_from_array(
            rows, lin_set=lin, rep_type=cdd.RepType.INEQUALITY,
            obj_type=cdd.LPObjType.MAX if maximize else cdd.LPObjType.MIN,
            obj_func=[Fraction(offset)] + [Fraction(c) for c in objective])
        lp = cdd.gmp.linprog_from_matrix(mat)
        cdd.gmp.linprog_solve(lp)
        if lp.status != cdd.LPStatusType.OPTIMAL:
            return None
        x = [Fraction(a) for a in lp.primal_solution]
        value = Fraction(lp.obj_value)
    # exact re-check of what cdd returned
    if (nonneg and any(a < 0 for a in x)) \
            or any(_dot(r, x) != t for r, t in zip(A_eq, b_eq)) \
            or any(_dot(r, x) < t for r, t in zip(A_ge, b_ge)):      # pragma: no cover
        raise ExactReluError("internal: cdd returned an infeasible point")
    return value, x


def nonneg_combination(cols: Sequence[Sequence[Fraction]], target: Sequence[Fraction],
                       objective: Sequence[Fraction] | None = None, *,
                       maximize: bool = False) -> list[Fraction] | None:
    """``alpha >= 0`` with ``sum_j alpha_j cols_j = target`` (exact), optimising
    ``objective . alpha`` (default: minimise ``sum alpha``), or ``None`` if there is none
    (or the objective is unbounded).

    >>> from fractions import Fraction as F
    >>> nonneg_combination([(F(1), F(0)), (F(1), F(1))], (F(3), F(2)))
    [Fraction(1, 1), Fraction(2, 1)]
    >>> nonneg_combination([(F(1), F(0))], (F(-1), F(0))) is None
    True
    """
    L = len(cols)
    if L == 0:
        return [] if not any(target) else None
    rows = [[c[k] for c in cols] for k in range(len(target))]
    res = solve([_ONE] * L if objective is None else objective, A_eq=rows, b_eq=target,
                nonneg=True, maximize=maximize)
    return None if res is None else res[1]


class EnumerationStopped(ExactReluError):
    """The isolated enumeration was stopped: ``reason`` is ``"time"`` or ``"memory"``."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def _child(conn, fn, args) -> None:                          # pragma: no cover (child)
    try:
        conn.send(("ok", fn(*args)))
    except BaseException as e:          # noqa: BLE001 -- reported to the parent, re-raised
        conn.send(("err", e))
    finally:
        conn.close()


def _rss_bytes(pid: int) -> int:
    """Resident memory of a process (Linux ``/proc``; 0 where unavailable)."""
    import os

    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _isolated(fn, args: tuple, deadline_ns: int | None, memory_bytes: int | None):
    """``fn(*args)`` in a forked child process, waited for in short polls so that
    Ctrl-C (KeyboardInterrupt), ``time.monotonic_ns() > deadline_ns`` and a resident
    memory above ``memory_bytes`` stop it (the child is killed; EnumerationStopped or
    KeyboardInterrupt is raised).  Exceptions of ``fn`` are re-raised here."""
    import multiprocessing as mp
    import time

    ctx = mp.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, fn, args), daemon=True)
    proc.start()
    send.close()
    try:
        while not recv.poll(0.05):
            if not proc.is_alive() and not recv.poll():
                raise ExactReluError("internal: the enumeration process died "
                                     f"(exit code {proc.exitcode})")
            if deadline_ns is not None and time.monotonic_ns() > deadline_ns:
                raise EnumerationStopped("time limit reached", "time")
            if memory_bytes is not None and _rss_bytes(proc.pid) > memory_bytes:
                raise EnumerationStopped(f"memory budget of {memory_bytes >> 20} MiB "
                                         "reached", "memory")
        status, value = recv.recv()
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        recv.close()
    if status != "ok":
        raise value
    return value


def vertices(A_eq: Sequence[Sequence[Fraction]], b_eq: Sequence[Fraction],
             nvars: int, *, isolate: bool = False, deadline_ns: int | None = None,
             memory_bytes: int | None = None) -> list[tuple[Fraction, ...]]:
    """All vertices of ``{x in Q^nvars : x >= 0, A_eq x = b_eq}`` by cdd's exact double
    description (the caller verifies them); raises if the polyhedron is unbounded.
    ``isolate``: run cdd in a child process (:func:`_isolated`) stopped by Ctrl-C,
    ``deadline_ns`` (``time.monotonic_ns()``) or ``memory_bytes`` (resident)."""
    if isolate:
        return _isolated(_vertices, (A_eq, b_eq, nvars), deadline_ns, memory_bytes)
    return _vertices(A_eq, b_eq, nvars)


def _vertices(A_eq: Sequence[Sequence[Fraction]], b_eq: Sequence[Fraction],
              nvars: int) -> list[tuple[Fraction, ...]]:
    import cdd
    import cdd.gmp

    rows, lin = _cdd_rows(A_eq, b_eq, (), (), True, nvars)
    mat = cdd.gmp.matrix_from_array(rows, lin_set=lin, rep_type=cdd.RepType.INEQUALITY)
    poly = cdd.gmp.polyhedron_from_matrix(mat)
    gen = cdd.gmp.copy_generators(poly)
    if gen.lin_set or any(r[0] == 0 for r in gen.array):
        raise ExactReluError("the polyhedron is unbounded (it has rays or lines)")
    return [tuple(Fraction(a) for a in r[1:]) for r in gen.array if r[0] == 1]
