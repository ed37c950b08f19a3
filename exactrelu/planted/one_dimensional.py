"""The closed-form optimum of C-ReLU in one dimension (docs/theory.md §5.1 Example A).

With ``d = 1`` and no bias, ``X u`` over the two cones is ``a s + b t`` with
``a = (x)_+``, ``b = (-x)_+`` of disjoint supports, so the program separates into two
scalar lasso problems solved by soft thresholding: ``s* = S_lam(a.y)/||a||^2``,
``t* = S_lam(b.y)/||b||^2``, all in exact rationals.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

from ..arrangement import PatternSet, enumerate_patterns
from ..errors import ShapeError
from ..numbers import dot, q_vector, sqnorm, to_q
from ..problem import Block, ConvexProgram, Dataset
from .directions import Vec


@dataclass(frozen=True)
class OneDimensional:
    """Closed-form optimum of C-ReLU with ``d = 1``, no bias (docs/theory.md §5.1 Example A).

    ``ŷ = a s + b t`` with ``a = (x)_+``, ``b = (-x)_+``; ``blocks`` is the unique optimal
    solution keyed by the blocks of ``patterns`` (complete pattern set of ``x``).
    """

    data: Dataset
    lam: Fraction
    patterns: PatternSet
    value: Fraction
    s: Fraction
    t: Fraction
    blocks: dict[Block, Vec]
    y_hat: Vec
    r_hat: Vec
    lam_max: Fraction
    m_star: int

    @property
    def program(self) -> ConvexProgram:
        return ConvexProgram(self.data, self.lam, self.patterns)


def _soft(z: Fraction, lam: Fraction) -> Fraction:
    return (z - lam if z > lam else z + lam if z < -lam else Fraction(0))


def one_dimensional_instance(x: Sequence[object], y: Sequence[object],
                             lam: object) -> OneDimensional:
    """Exact optimum of ``1/2 ||a s + b t - y||^2 + lam (|s| + |t|)`` (= C-ReLU for d = 1):

    ``s* = S_lam(a.y)/||a||^2``, ``t* = S_lam(b.y)/||b||^2`` (``S`` soft thresholding,
    ``0`` if the norm is 0) and ``p* = 1/2||y||^2 - (|a.y|-lam)_+^2/(2||a||^2) -
    (|b.y|-lam)_+^2/(2||b||^2)``, since ``a`` and ``b`` have disjoint supports.
    Blocks: ``s* > 0`` -> ``(P, +1)`` with ``u = s*``; ``s* < 0`` -> ``(P, -1)`` with
    ``u = -s*``; ``t* > 0`` -> ``(N, +1)`` with ``u = -t*``; ``t* < 0`` -> ``(N, -1)`` with
    ``u = t*`` (``K_N = {u <= 0}``), where ``P``/``N`` are the patterns of ``g > 0``/``g < 0``.
    """
    xq = q_vector(x)
    yq = q_vector(y)
    lamq = to_q(lam)
    if lamq <= 0:
        raise ValueError(f"lam must be positive, got {lamq}")
    if len(xq) != len(yq) or not xq:
        raise ShapeError("x and y must be non-empty and of equal length")
    data = Dataset.from_arrays([[a] for a in xq], yq)
    pats = enumerate_patterns(data.X)
    a = [max(v, Fraction(0)) for v in xq]
    b = [max(-v, Fraction(0)) for v in xq]
    ay, by = dot(a, yq), dot(b, yq)
    aa, bb = sqnorm(a), sqnorm(b)
    s = _soft(ay, lamq) / aa if aa else Fraction(0)
    t = _soft(by, lamq) / bb if bb else Fraction(0)
    value = sqnorm(yq) / 2
    if aa:
        value -= max(abs(ay) - lamq, Fraction(0)) ** 2 / (2 * aa)
    if bb:
        value -= max(abs(by) - lamq, Fraction(0)) ** 2 / (2 * bb)
    P = pats.find("".join("1" if v >= 0 else "0" for v in xq))
    N = pats.find("".join("1" if v <= 0 else "0" for v in xq))
    blocks: dict[Block, Vec] = {}
    if s:
        blocks[(P, 1 if s > 0 else -1)] = (abs(s),)
    if t:
        blocks[(N, 1 if t > 0 else -1)] = (-abs(t),)
    y_hat = tuple(ai * s + bi * t for ai, bi in zip(a, b))
    r_hat = tuple(yi - fi for yi, fi in zip(yq, y_hat))
    return OneDimensional(data, lamq, pats, value, s, t, blocks, y_hat, r_hat,
                          max(abs(ay), abs(by)), int(abs(ay) > lamq) + int(abs(by) > lamq))
