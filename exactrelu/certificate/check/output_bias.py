"""Minor version 1.2 of the certificate format: a free, unregularised output bias.

The section ``"output_bias": {"y": [R]*n, "c": R}`` holds the original targets ``y`` and
the network's output bias ``c``; ``problem.y`` holds the shifted targets ``y - c 1``, so
checks 1-6 are those of the problem with the output bias fixed at ``c`` (what a checker
that ignores the section verifies).  Check 8 adds ``problem.y == y - c 1`` and
``sum_k r_k == 0``: then the dual bound ``L = r.(y - c' 1) - ||r||^2/2`` is the same
number for every ``c'``, hence a lower bound for the problem with a free output bias
(``docs/spec/certificate-v1.md``, "Minor version 1.2").  Same verdicts, messages and
budget charges as ``proofs_checks/check_cert.py``.
"""
from __future__ import annotations

from typing import Any

from .budget import _reject, _size
from .reader import _Cert, _Reader, _typed


def read_output_bias(c: _Cert, doc: dict, rd: _Reader) -> None:
    """Read the optional section into ``c.output_bias = (y, c)`` (MALFORMED on bad shapes)."""
    if "output_bias" not in doc:
        return
    ob: Any = _typed(doc["output_bias"], dict, "output_bias", "y", "c")
    c.output_bias = (rd.vector(ob["y"], c.n, "output_bias.y"),
                     rd.rational(ob["c"], "output_bias.c"))


def check_output_bias(c: _Cert) -> None:
    """Check 8 (only with ``output_bias``): problem.y == y - c 1, then sum r == 0."""
    if c.output_bias is None:
        return
    y, b = c.output_bias
    c.meter.charge(2 * c.n, 2 * (_size([*y, b]) + _size(c.y) + _size(c.r)),
                   "the output bias", fraction=True)
    for k in range(c.n):
        if c.y[k] != y[k] - b:
            _reject(8, f"row {k}: problem.y differs from output_bias.y - c")
    if sum(c.r):
        _reject(8, "sum_k dual.r_k is not 0, so L depends on the output bias")


def output_bias_statement(c: _Cert, short) -> str:
    """The part of the VERIFIED statement that the section adds."""
    model = "the network" if c.network is not None else "the blocks"
    scope = ("no network of any width with any output bias has objective below lower"
             if c.complete else "the program with a free output bias over the listed "
             "patterns has optimal value >= lower")
    return (f"output bias (1.2): problem.y = y - c with c = {short(c.output_bias[1])} and "
            f"sum r = 0, so for the original targets y and a free, unregularised output "
            f"bias: {scope}, and {model} with output bias c has objective as above "
            "(the optimal set, if any, is that of output bias c)")
