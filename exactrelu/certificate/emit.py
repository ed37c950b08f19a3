"""Write certificates in format v1 (``docs/spec/certificate-v1.md``), to the letter:
every rational is a canonical string ``p`` or ``p/q``; indices are JSON integers."""
from __future__ import annotations

import json
from fractions import Fraction
from typing import Any, Mapping, Sequence

from ..numbers import q_str
from ..arrangement import PatternSet
from ..problem import Block, Dataset

__all__ = ["certificate_dict", "dumps"]


def _s(x: Fraction | int) -> str:
    """Canonical rational text (``Fraction`` is always reduced with a positive
    denominator, so this is the format's ``p`` or ``p/q``)."""
    if isinstance(x, int):
        return str(x)
    if not isinstance(x, Fraction):
        return q_str(x)
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def _v(xs: Sequence[Fraction | int]) -> list[str]:
    return [_s(x) for x in xs]


def _sparse(m: Mapping[int, Fraction]) -> dict[str, str]:
    return {str(k): _s(v) for k, v in sorted(m.items()) if v != 0}


def certificate_dict(data: Dataset, lam: Fraction, patterns: PatternSet, *,
                     complete: bool, general_position: bool = False,
                     gordan: Sequence[Any] = (), gordan_bases: Mapping | None = None,
                     network: tuple[Sequence[Sequence[Fraction]], Sequence[Fraction]] | None = None,
                     blocks: Mapping[Block, tuple[Sequence[Fraction], Fraction]] | None = None,
                     r: Sequence[Fraction], rho: Mapping[Block, Mapping[int, Fraction]],
                     lower: Fraction, upper: Fraction,
                     optimal_set: dict | None = None,
                     provenance: dict | None = None) -> dict:
    """Assemble a certificate.  ``gordan`` items need ``pattern``, ``flip``, ``y``;
    ``blocks`` maps ``(i, s)`` to ``(u, norm_upper)``.  ``gordan_bases`` (format 1.4,
    ``{pattern: [basis, ...]}``) proves completeness in place of ``gordan``: the v1 part
    then says ``complete: false`` (true of the listed patterns) and the section, checked
    by a 1.4 checker, makes the list complete."""
    if network is None and not blocks:
        raise ValueError("a certificate needs a network or blocks")
    cert: dict[str, Any] = {
        "format": "exactrelu-certificate",
        "version": 1,
        "problem": {"X": [_v(row) for row in data.X], "y": _v(data.y), "lam": q_str(lam),
                    "bias": bool(data.bias)},
        "patterns": {
            "bits": list(patterns.bits),
            "complete": bool(complete),
            "general_position": bool(general_position),
            "witnesses": [_v(g) for g in patterns.witnesses],
            "gordan": [{"pattern": int(e.pattern), "flip": [int(k) for k in e.flip],
                        "y": _sparse(e.y)} for e in gordan],
        },
    }
    if gordan_bases is not None and complete and not general_position:
        from .completeness_results import bases_json

        cert["patterns"]["complete"] = False
        cert["patterns"]["gordan_bases"] = bases_json(gordan_bases)
    if network is not None:
        W1, w2 = network
        cert["network"] = {"W1": [_v(w) for w in W1], "w2": _v(w2)}
    if blocks:
        cert["blocks"] = [{"pattern": int(i), "sign": int(s), "u": _v(u),
                           "norm_upper": q_str(nu)}
                          for (i, s), (u, nu) in sorted(blocks.items())]
    cert["dual"] = {"r": _v(r),
                    "rho": [{"pattern": int(i), "sign": int(s), "values": _sparse(vals)}
                            for (i, s), vals in sorted(rho.items()) if any(vals.values())]}
    cert["claim"] = {"lower": q_str(lower), "upper": q_str(upper)}
    if optimal_set is not None:
        cert["optimal_set"] = optimal_set
    cert["provenance"] = dict(provenance or {})
    return cert


def dumps(cert: dict) -> str:
    """Compact JSON with one section per line (readable diffs, fast to parse)."""
    parts = [f"{json.dumps(k)}: {json.dumps(v, separators=(',', ':'), allow_nan=False)}"
             for k, v in cert.items()]
    return "{\n" + ",\n".join(parts) + "\n}\n"
