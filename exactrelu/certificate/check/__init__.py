"""The library's certificate checker (format v1): the verdicts of ``proofs_checks``.

An independent implementation of checks 1-6 (and check 7, the ``cover`` section of minor
version 1.1, and check 12, its ``quadratic_cover`` of minor version 1.6, in :mod:`.cover`;
check 13, the ``simplex_cover`` of minor version 1.7, in :mod:`.simplex`)
of ``docs/spec/certificate-v1.md`` with the clarifications D1-D11 of
``docs/spec/certificate-v1.md``.  It imports nothing from ``proofs_checks`` and nothing
else from ``exactrelu``; integer linear algebra (witness signs, correlations ``X^T D r``,
the d x d minors, vertex independence) runs in python-flint, the rest in
:class:`fractions.Fraction`.

It reaches the same verdict, exit code and failed check as ``proofs_checks/check_cert.py``
on every input (``tests/test_check_differential.py``).  For that it follows the same
order -- sections are read in file-layout order, checks run 1 to 6, and the first
MALFORMED / UNDECIDED / REJECTED reason wins -- and the same deterministic size budget
(UNDECIDED, exit 3):

* the file has at most ``8 * budget_digits + 1 MiB`` bytes;
* one rational string has at most 10,000 characters, all of them together at most
  ``budget_digits`` (default 50,000,000);
* a common denominator (of X, y, r, each witness, multiplier, Gordan ``y``, the network,
  the blocks, the optimal set) has at most 2^18 bits, and an integer form at most 4 x the
  bits of its values plus 1 MiB (refused while the denominator is built, before it exists);
* the estimated time, charged before each heavy loop and before parsing with the cost
  model of ``SPEC.md`` (an int product of a b-bit and an s-bit number in a Python loop
  ~ ``300 + 15 (b/64)(s/64)^0.6`` ns, a Fraction operation ~ ``4000 + 10 (b/64)^2`` ns,
  100 ns per byte of JSON, 8 us per rational), stays below 6e10 ns.  The charges
  are made at the same points with the same operation counts and bit sizes.

:func:`check_file` reads a path, :func:`check_bytes` JSON text, :func:`check_obj` an
already parsed JSON tree.  Each returns a :class:`Result`; ``Result.message`` is the one
line to print, starting with the verdict (``VERIFIED: ...``).  Nothing raises.

The package: :mod:`.budget` (verdicts, constants, the budget meter), :mod:`.reader` (JSON
text -> a parsed :class:`~.reader._Cert`, every shape and rational checked), :mod:`.checks`
(checks 1-7 and the VERIFIED statement; checks 7 and 12 and the reading of ``cover`` and
``quadratic_cover`` live in :mod:`.cover`), :mod:`.output_bias` (minor version 1.2, check
8), :mod:`.gated` (minor version 1.3: the ``gated`` section and check 9), :mod:`.enclosure`
(minor version 1.5: the ``optimal_set_enclosure`` section, check 11, and
:func:`.enclosure.enclosure_facts`); this module runs them in order.
"""
from __future__ import annotations

import os
from typing import Any

from .budget import (CHECK_NAMES, DEFAULT_BUDGET_DIGITS, HUGE_JSON_INT_DIGITS,  # noqa: F401
                     MAX_DENOMINATOR_BITS, MAX_RATIONAL_CHARS, VERDICT_CODES, WORK_LIMIT_NS,
                     Result, _malformed, _Meter, _Stop)
from .checks import CHECKS, _statement
from .reader import _json_tree, _parse

__all__ = ["Result", "check_file", "check_bytes", "check_obj", "VERDICT_CODES",
           "CHECK_NAMES", "DEFAULT_BUDGET_DIGITS"]


def _run(load, budget_digits: int) -> Result:
    """Load, parse and check; every exception becomes a verdict (never VERIFIED)."""
    try:
        meter = _Meter(budget_digits)
        c = _parse(load(meter), meter)
        for check in CHECKS:
            check(c)
        return Result("VERIFIED", 0, "VERIFIED: " + _statement(c), None)
    except _Stop as e:
        return Result(e.verdict, VERDICT_CODES[e.verdict], f"{e.verdict}: {e}", e.check)
    except RecursionError:
        return Result("MALFORMED", 2, "MALFORMED: the JSON is nested too deeply", None)
    except MemoryError:
        return Result("UNDECIDED", 3, "UNDECIDED: out of memory", None)
    except Exception as e:  # a safety net: never a traceback, never VERIFIED
        return Result("MALFORMED", 2, f"MALFORMED: internal error ({type(e).__name__})", None)


def check_bytes(data: bytes, budget_digits: int = DEFAULT_BUDGET_DIGITS) -> Result:
    """Check a certificate given as JSON text (bytes, UTF-8)."""
    return _run(lambda meter: _json_tree(bytes(data), meter), budget_digits)


def check_file(path: str | os.PathLike, budget_digits: int = DEFAULT_BUDGET_DIGITS) -> Result:
    """Check the certificate in a file.  An unreadable file is MALFORMED; a file over
    ``8 * budget_digits + 1 MiB`` bytes is UNDECIDED."""
    def load(meter: _Meter) -> Any:
        limit = 8 * meter.budget_digits + (1 << 20)
        try:
            with open(path, "rb") as fh:
                data = fh.read(limit + 1)
        except (OSError, ValueError, TypeError) as e:  # ValueError: a NUL byte in the path
            _malformed("cannot read the file", type(e).__name__)
        return _json_tree(data, meter)
    return _run(load, budget_digits)


def check_obj(obj: Any, budget_digits: int = DEFAULT_BUDGET_DIGITS) -> Result:
    """Check an already parsed JSON tree (dicts, lists, str, int, bool, None)."""
    return _run(lambda meter: obj, budget_digits)
