"""Exact verification of a completeness proof (certificate v1, check 2).

Mirrors the spec check on an integer form of ``X`` (one common positive multiple, so each
``y`` keeps its meaning): the general-position route needs no zero row, ``n >= d``,
``2 * sum_{k<d} C(n-1, k)`` patterns and every ``d x d`` minor nonzero (``C(n, d)``
python-flint determinants); the Gordan route groups the nonzero rows into parallel
classes and, for every listed pattern and class whose flip is not listed, checks that the
entry's ``y`` is ``>= 0``, nonzero, off the zero rows, and that ``sum_k y_k t_k x_k = 0``
exactly in integers.  Independent of how the proof was built (:mod:`.gordan_prover`).
"""
from __future__ import annotations

import itertools
import math
from typing import Any, Mapping, Sequence

from ..arrangement import _primitive, check_matrix_shape, region_count_general_position
from ..errors import ExactReluError
from ..linalg import int_matrix
from ..numbers import to_q
from .completeness_results import CompletenessProof, _bits_of, _check_bits, _gc_paused

__all__ = ["verify_completeness"]

IntVec = tuple[int, ...]


def _minors_nonzero(rows: Sequence[IntVec], d: int) -> tuple[int, ...] | None:
    """First ``d``-subset of rows with a zero minor, or ``None``."""
    import flint

    for idx in itertools.combinations(range(len(rows)), d):
        if flint.fmpz_mat([list(rows[i]) for i in idx]).det() == 0:
            return idx
    return None


def verify_completeness(X: Sequence[Sequence[object]], bits: Any,
                        proof: CompletenessProof) -> None:
    """Exact check of ``proof`` for the pattern list ``bits`` (spec check 2, plus the
    structural parts of check 1 that check 2 relies on).  Returns ``None`` or raises
    :class:`~exactrelu.errors.ExactReluError` naming the pattern, class and reason."""
    n, d = check_matrix_shape(X)
    bits = _bits_of(bits)
    Xq = [[to_q(a) for a in row] for row in X]
    # integer form: one common positive multiple of X (so y keeps its meaning)
    Xi, den = int_matrix(Xq)
    zero = [k for k in range(n) if not any(Xi[k])]
    zset = set(zero)
    _check_bits(bits, n, zero)
    if proof.general_position:
        if zero:
            raise ExactReluError(f"general position: row {zero[0]} is zero")
        if n < d:
            raise ExactReluError(f"general position: n = {n} < d = {d}")
        want = region_count_general_position(n, d)
        if len(bits) != want:
            raise ExactReluError(f"general position: {len(bits)} patterns listed, "
                                 f"2 * sum_(k<{d}) C({n - 1}, k) = {want}")
        bad = _minors_nonzero(Xi, d)
        if bad is not None:
            raise ExactReluError(f"general position: rows {list(bad)} are linearly dependent")
        return
    with _gc_paused():
        _verify_gordan(Xi, n, d, zset, bits, proof)


def _verify_gordan(Xi: Sequence[Sequence[int]], n: int, d: int, zset: set[int],
                   bits: Sequence[str], proof: CompletenessProof) -> None:
    entries: dict[tuple[int, frozenset[int]], Mapping[int, Any]] = {}
    for e, ent in enumerate(proof.gordan):
        if not (isinstance(ent.pattern, int) and 0 <= ent.pattern < len(bits)):
            raise ExactReluError(f"gordan entry {e}: pattern index {ent.pattern!r} out of range")
        flip = frozenset(ent.flip)
        if any(not isinstance(k, int) or not 0 <= k < n for k in flip):
            raise ExactReluError(f"gordan entry {e}: flip {list(ent.flip)} has a bad row index")
        key = (ent.pattern, flip)
        if key in entries:
            raise ExactReluError(f"gordan entry {e}: a second entry for pattern {ent.pattern}"
                                 f" and flip {sorted(flip)}")
        entries[key] = ent.y
    classes: dict[IntVec, list[int]] = {}
    for k in range(n):
        if k in zset:
            continue
        prim, _s = _primitive(Xi[k])
        classes.setdefault(prim, []).append(k)
    listed = {b.encode("ascii") for b in bits}
    for i, p in enumerate(bits):
        pb = p.encode("ascii")
        for C in classes.values():
            b = bytearray(pb)
            for k in C:
                b[k] ^= 1
            if bytes(b) in listed:
                continue
            where = f"pattern {i}, class of rows {C}"
            y = entries.get((i, frozenset(C)))
            if y is None:
                raise ExactReluError(f"{where}: the flipped pattern is not listed and has no "
                                     "gordan entry")
            nums: list[int] = []
            dens: list[int] = []
            ks: list[int] = []
            for k, v in y.items():
                if not isinstance(k, int) or not 0 <= k < n:
                    raise ExactReluError(f"{where}: gordan y has a bad row index {k!r}")
                if k in zset:
                    raise ExactReluError(f"{where}: gordan y uses the zero row {k}")
                q = to_q(v)
                p_, d_ = q.numerator, q.denominator          # d_ > 0
                if p_ < 0:
                    raise ExactReluError(f"{where}: gordan y_{k} = {q} is negative")
                ks.append(k)
                nums.append(p_)
                dens.append(d_)
            if not any(nums):
                raise ExactReluError(f"{where}: gordan y is zero")
            yd = 1
            for d_ in dens:
                if d_ != 1:
                    yd = math.lcm(yd, d_)
            acc = [0] * d
            for k, p_, d_ in zip(ks, nums, dens):
                if not p_:
                    continue
                w = p_ * (yd // d_) if yd != 1 else p_
                if b[k] != 49:              # t_k = -1 (inactive after the flip)
                    w = -w
                acc = [a + w * x for a, x in zip(acc, Xi[k])]
            for j, a in enumerate(acc):
                if a:
                    raise ExactReluError(f"{where}: sum_k y_k t_k x_k is not 0 "
                                         f"(coordinate {j})")
