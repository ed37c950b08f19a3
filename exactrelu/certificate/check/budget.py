"""Verdicts and the size budget of the library's certificate checker.

The four verdicts (``VERIFIED``, ``REJECTED``, ``MALFORMED``, ``UNDECIDED``) with their
exit codes, the check names, and the deterministic size budget of
``proofs_checks/SPEC.md`` that makes the checker stop with UNDECIDED (exit 3) rather
than run for ever: at most ``MAX_RATIONAL_CHARS`` characters per rational string and
``budget_digits`` in all, at most ``MAX_DENOMINATOR_BITS`` bits per common denominator
(:func:`_integer_form`), and an estimated arithmetic time below ``WORK_LIMIT_NS``,
charged by :class:`_Meter` before each heavy loop with the cost model of ``SPEC.md``
(an int product of a b-bit and an s-bit number in a Python loop ~ ``300 + 15 (b/64)
(s/64)^0.6`` ns, a Fraction operation ~ ``4000 + 10 (b/64)^2`` ns), and parsing before it
runs (``JSON_NS_PER_BYTE`` per byte, ``RATIONAL_NS`` per rational).  An integer form
(``_integer_form``) is refused before it is made when it would exceed ``SCALE_FACTOR``
times the bits of its values plus ``SCALE_SLACK_BITS``.  A stop is the exception
:class:`_Stop`; the entry points of the package turn it into a :class:`Result`.
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, NamedTuple, Optional

VERDICT_CODES = {"VERIFIED": 0, "REJECTED": 1, "MALFORMED": 2, "UNDECIDED": 3}
CHECK_NAMES = {1: "patterns", 2: "completeness", 3: "upper bound", 4: "dual feasibility",
               5: "claim", 6: "optimal set", 7: "cover", 8: "output bias", 9: "gated ReLU",
               11: "optimal set enclosure", 12: "quadratic cover", 13: "simplex cover"}
DEFAULT_BUDGET_DIGITS = 50_000_000  # characters of all rational strings of one file
MAX_RATIONAL_CHARS = 10_000         # characters of one rational string
MAX_DENOMINATOR_BITS = 1 << 18      # bits of one common denominator
WORK_LIMIT_NS = 6e10                # estimated time, parsing and arithmetic (ns)
SCALE_FACTOR = 4                    # an integer form may take 4 x the bits of its values ...
SCALE_SLACK_BITS = 1 << 23          # ... plus 1 MiB
GORDAN_ENTRY_OPS = 60               # the bookkeeping of one gordan entry, in int operations
JSON_NS_PER_BYTE = 100              # estimated cost of json.loads, charged before it runs
RATIONAL_NS = 8000                  # estimated cost of reading one rational string ...
RATIONAL_NS_PER_CHAR2 = 1e-3        # ... plus this times its length squared
HUGE_JSON_INT_DIGITS = 4000         # a JSON integer this long is never read as an int


class Result(NamedTuple):
    verdict: str                 # VERIFIED, REJECTED, MALFORMED or UNDECIDED
    code: int                    # exit code 0, 1, 2 or 3
    message: str                 # one line: "<VERDICT>: <statement or reason>"
    failed_check: Optional[int]  # 1..6 for REJECTED, else None


class _Stop(Exception):
    """Ends checking with a verdict other than VERIFIED."""

    def __init__(self, verdict: str, message: str, check: int | None = None) -> None:
        super().__init__(message)
        self.verdict, self.check = verdict, check


def _malformed(where: str, what: str):
    raise _Stop("MALFORMED", f"{where}: {what}")


def _require(ok: Any, where: str, what: str) -> None:
    if not ok:
        _malformed(where, what)


def _reject(check: int, what: str):
    raise _Stop("REJECTED", f"check {check} ({CHECK_NAMES[check]}): {what}", check)


def _undecided(what: str):
    raise _Stop("UNDECIDED", what)


# ------------------------------------------------------------------ integers and budget

def _common_denominator(values: list[Fraction], limit: tuple[int, int] | None = None) -> int:
    """The least common denominator; UNDECIDED beyond ``MAX_DENOMINATOR_BITS`` bits, or
    beyond ``limit[0]`` bits (the integer form would exceed ``limit[1]`` bits)."""
    D = 1
    for v in values:
        q = v.denominator
        if D % q:
            D = D // math.gcd(D, q) * q
            if D.bit_length() > MAX_DENOMINATOR_BITS:
                _undecided(f"a common denominator exceeds {MAX_DENOMINATOR_BITS} bits")
            if limit is not None and D.bit_length() > limit[0]:
                _undecided(f"the integer form of {len(values)} rationals would exceed "
                           f"{limit[1] // 8} bytes (limit {SCALE_FACTOR} x their size + "
                           f"{SCALE_SLACK_BITS // 8} bytes)")
    return D


def _integer_form(values: list[Fraction]) -> tuple[int, list[int]]:
    """(D, [D v]) with D the least common denominator.  The integer form takes
    ``sum_v (bits(p_v) - bits(q_v) + 1) + len(values) bits(D)`` bits; it is refused
    (UNDECIDED) as soon as D grows past what keeps that below ``SCALE_FACTOR`` times the
    bits of the values plus ``SCALE_SLACK_BITS`` (memory a small multiple of the file)."""
    have = sum(v.numerator.bit_length() + v.denominator.bit_length() for v in values)
    rest = sum(v.numerator.bit_length() - v.denominator.bit_length() + 1 for v in values)
    cap = SCALE_FACTOR * have + SCALE_SLACK_BITS
    D = _common_denominator(values, ((cap - rest) // max(len(values), 1), cap))
    return D, [v.numerator * (D // v.denominator) for v in values]


def _max_bits(ints) -> int:
    return max((abs(int(v)).bit_length() for v in ints), default=1)


def _size(values: list[Fraction]) -> int:
    """Bits of the common denominator plus bits of the largest scaled value (not made)."""
    D = _common_denominator(values)
    return D.bit_length() + max((v.numerator.bit_length() - v.denominator.bit_length() + 1
                                 for v in values), default=1)


class _Meter:
    """The budget: characters of rationals, and estimated arithmetic time."""

    def __init__(self, budget_digits: int) -> None:
        self.budget_digits = budget_digits
        self.chars_left = budget_digits
        self.work_ns = 0.0

    def charge(self, ops: int, bits, what: str, fraction: bool = False) -> None:
        """Add ops operations on numbers of the given bits (b, or (b, s) with s <= b)."""
        big, small = (bits, bits) if isinstance(bits, int) else bits
        b, s = max(big, 1) / 64, max(small, 1) / 64
        ops = min(ops, 10 ** 30)
        self.add_ns(ops * (4000 + 10 * b * b if fraction else 300 + 15 * b * s ** 0.6),
                    f"the estimated arithmetic for {what} exceeds the budget")

    def add_ns(self, ns: float, message: str) -> None:
        """Charge ``ns`` estimated nanoseconds; over the limit: UNDECIDED with ``message``."""
        self.work_ns += ns
        if self.work_ns > WORK_LIMIT_NS:
            _undecided(message)


def _single_bits(values) -> int:
    """Bits of the largest single value (numerator plus denominator)."""
    return max((v.numerator.bit_length() + v.denominator.bit_length() for v in values),
               default=1)
