"""The completeness proof objects (certificate v1, check 2) and their JSON form.

A :class:`CompletenessProof` says that a list of activation patterns holds every region of
the central arrangement ``{g : x_k . g = 0}``: by general position (no entries) or by
:class:`GordanEntry` items, one per listed pattern ``i`` and parallel class ``C`` whose
flip is not listed -- ``y >= 0``, ``y != 0`` with ``sum_k y_k t_k x_k = 0`` (``t`` the
flipped signs), which by Gordan's alternative shows the flipped sign vector is not a
region (``docs/spec/certificate-v1.md``, check 2).  Also the structural checks of a
pattern list shared by the prover and the verifier, and the collector pause both use.
"""
from __future__ import annotations

import contextlib
import gc
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Mapping, Sequence

from ..errors import ExactReluError
from ..numbers import q_str, to_q

__all__ = ["GordanEntry", "CompletenessProof", "proof_from_json"]


@dataclass(frozen=True)
class GordanEntry:
    """Flipping the rows ``flip`` (one parallel class, sorted) of pattern ``pattern`` is
    infeasible: ``y >= 0``, ``y != 0`` and ``sum_k y_k t_k x_k = 0``."""

    pattern: int
    flip: tuple[int, ...]
    y: dict[int, Fraction]

    def to_json(self) -> dict[str, Any]:
        return {"pattern": int(self.pattern), "flip": [int(k) for k in self.flip],
                "y": {str(k): q_str(v) for k, v in sorted(self.y.items()) if v != 0}}


@dataclass
class CompletenessProof:
    """Proof that a pattern list holds every region (certificate v1, check 2)."""

    general_position: bool
    gordan: list[GordanEntry] = field(default_factory=list)
    seconds: float = 0.0
    #: Informative counters: regions, classes, rank, non-wall pairs, simplicial regions,
    #: float-guess misses, LP fallbacks.
    stats: dict[str, int] = field(default_factory=dict)
    #: Format 1.4: ``{pattern: [basis of row indices, ...]}`` in place of ``gordan``
    #: (:mod:`.gordan_bases`); the file then says ``complete: false`` in its v1 part.
    bases: dict[int, list[tuple[int, ...]]] | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``general_position`` and ``gordan`` (or ``gordan_bases``) fields of the
        ``patterns`` section."""
        out: dict[str, Any] = {"general_position": bool(self.general_position),
                               "gordan": [e.to_json() for e in self.gordan]}
        if self.bases is not None:
            out["gordan_bases"] = bases_json(self.bases)
        return out


def bases_json(bases: Mapping[int, Sequence[Sequence[int]]]) -> dict[str, list[list[int]]]:
    """The ``patterns.gordan_bases`` object (format 1.4)."""
    return {str(i): [[int(k) for k in b] for b in bs] for i, bs in sorted(bases.items())}



def proof_from_json(section: Mapping[str, Any]) -> CompletenessProof:
    """Inverse of :meth:`CompletenessProof.to_json` (values parsed exactly)."""
    entries = [GordanEntry(int(e["pattern"]), tuple(sorted(int(k) for k in e["flip"])),
                           {int(k): to_q(v) for k, v in e["y"].items()})
               for e in section.get("gordan", [])]
    bases = section.get("gordan_bases")
    return CompletenessProof(bool(section.get("general_position", False)), entries, bases=None
                             if bases is None else {int(i): [tuple(int(k) for k in b) for b in bs]
                                                    for i, bs in bases.items()})



# ----------------------------------------------------------------------------- helpers

@contextlib.contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector.  A proof holds about ``r + 2`` acyclic objects
    per entry (up to millions); the collector would rescan that growing live set again and
    again (measured: 40-60 % of the run time of a large proof or its verification)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _bits_of(patterns: Any) -> list[str]:
    bits = getattr(patterns, "bits", patterns)
    if isinstance(bits, str):
        raise ExactReluError("patterns must be a list of bit strings, not one string")
    return list(bits)


def _check_bits(bits: Sequence[str], n: int, zero: Sequence[int]) -> None:
    if not bits:
        raise ExactReluError("the pattern list is empty, so it cannot hold every region")
    seen: dict[str, int] = {}
    for i, b in enumerate(bits):
        if not isinstance(b, str) or len(b) != n or set(b) - {"0", "1"}:
            raise ExactReluError(f"pattern {i} is not a string of {n} characters 0/1")
        for k in zero:
            if b[k] != "1":
                raise ExactReluError(f"pattern {i}: row {k} is zero and must be active ('1')")
        j = seen.setdefault(b, i)
        if j != i:
            raise ExactReluError(f"patterns {j} and {i} are equal")
