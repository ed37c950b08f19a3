r"""The whole path in closed form for one feature without bias (docs/theory.md §5.1).

Example A: with ``a = (x)_+``, ``b = (-x)_+`` the convex optimum is two soft-thresholds,
``s* = S_lam(a.y)/||a||^2``, ``t* = S_lam(b.y)/||b||^2``, with breakpoints ``|a.y|``,
``|b.y|`` and ``p*`` piecewise quadratic in ``lam``.  Example C: the width-1 network takes
the better of the two branches; they cross at a :class:`~exactrelu.algebraic.Surd` in
``sqrt(||a||^2 ||b||^2)`` (e.g. ``(3 - lam)^2 = (6 - lam)^2 / 16``, so ``lam = 2``), where
the width-1 optimum jumps.  Everything is exact rational (or surd) arithmetic.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ..algebraic import Surd
from ..arrangement import PatternSet, enumerate_patterns
from ..errors import ExactReluError
from ..numbers import dot, sqnorm, to_q
from ..problem import Block, Dataset
from ._shared import _ZERO, Vec


@dataclass(frozen=True)
class OneDimensionalPath:
    """Closed-form path for ``d = 1`` without bias (docs/theory.md §5.1 Example A): with
    ``a = (x)_+``, ``b = (-x)_+``, ``A = a.y``, ``B = b.y``::

        s*(lam) = S_lam(A) / ||a||^2,   t*(lam) = S_lam(B) / ||b||^2,   yhat = a s* + b t*,
        p*(lam) = 1/2||y||^2 - (|A| - lam)_+^2 / (2||a||^2) - (|B| - lam)_+^2 / (2||b||^2).

    Breakpoints ``|A|``, ``|B|`` (where a neuron enters/leaves, like LARS); between them
    ``s*``, ``t*`` are affine and ``p*`` quadratic in ``lam`` (:meth:`pieces`).  The
    width-1 network takes the better of the two branches ``V_P = 1/2||y||^2 - (|A| -
    lam)_+^2/(2||a||^2)`` and ``V_N``; they cross where ``(|A| - lam)||b|| = (|B| - lam)||a||``,
    ``crossing = (|A| ||b|| - |B| ||a||) / (||b|| - ||a||)`` -- a :class:`Surd` in
    ``sqrt(||a||^2 ||b||^2)``.  ``jump`` is that crossing when it lies in
    ``(0, min(|A|, |B|))`` (both branches active): the width-1 optimum jumps there."""

    data: Dataset
    patterns: PatternSet
    A: Fraction
    B: Fraction
    na2: Fraction
    nb2: Fraction
    P: int | None
    N: int | None
    crossing: Surd | None
    jump: Surd | None

    @property
    def lam_max(self) -> Fraction:
        return max(abs(self.A) if self.na2 else _ZERO, abs(self.B) if self.nb2 else _ZERO)

    @property
    def breakpoints(self) -> tuple[Fraction, ...]:
        bp = {abs(self.A)} if self.na2 and self.A else set()
        if self.nb2 and self.B:
            bp.add(abs(self.B))
        return tuple(sorted(bp))

    def s(self, lam: object) -> Fraction:
        lam = to_q(lam)
        return _soft(self.A, lam) / self.na2 if self.na2 else _ZERO

    def t(self, lam: object) -> Fraction:
        lam = to_q(lam)
        return _soft(self.B, lam) / self.nb2 if self.nb2 else _ZERO

    def gain(self, branch: str, lam: object) -> Fraction:
        """``(|A| - lam)_+^2 / (2||a||^2)`` (``branch="P"``) or the same with ``B, b``."""
        lam = to_q(lam)
        Z, n2 = (self.A, self.na2) if branch == "P" else (self.B, self.nb2)
        if not n2:
            return _ZERO
        g = max(abs(Z) - lam, _ZERO)
        return g * g / (2 * n2)

    def value(self, lam: object) -> Fraction:
        """The convex optimum ``p*(lam)`` (= the NC optimum for every width >= 2)."""
        return sqnorm(self.data.y) / 2 - self.gain("P", lam) - self.gain("N", lam)

    def blocks(self, lam: object) -> dict[Block, Vec]:
        """The unique optimal blocks ``{(i, s): (u,)}`` (docs/theory.md §5.1 Example A mapping)."""
        s, t = self.s(lam), self.t(lam)
        out: dict[Block, Vec] = {}
        if s:
            out[(self.P, 1 if s > 0 else -1)] = (abs(s),)
        if t:
            out[(self.N, 1 if t > 0 else -1)] = (-abs(t),)
        return out

    def width1(self, lam: object) -> tuple[Fraction, list[str]]:
        """``(value, winning branches)`` of the width-1 network (``[]`` = zero network)."""
        gp, gn = self.gain("P", lam), self.gain("N", lam)
        v = sqnorm(self.data.y) / 2 - max(gp, gn)
        if gp == gn == 0:
            return v, []
        return v, [b for b, g in (("P", gp), ("N", gn)) if g == max(gp, gn)]

    def width1_blocks(self, lam: object, branch: str) -> dict[Block, Vec]:
        full = self.blocks(lam)
        i = self.P if branch == "P" else self.N
        return {b: u for b, u in full.items() if b[0] == i}

    def pieces(self) -> list[dict]:
        """The convex path piece by piece: on ``[lo, hi)`` (``hi = None`` = infinity),
        ``s* = s0 + s1 lam``, ``t* = t0 + t1 lam``, ``p* = c0 + c1 lam + c2 lam^2``."""
        cuts = [_ZERO, *self.breakpoints, None]
        out = []
        half = sqnorm(self.data.y) / 2
        for lo, hi in zip(cuts, cuts[1:]):
            mid = (lo + hi) / 2 if hi is not None else lo + 1
            s0 = s1 = t0 = t1 = _ZERO
            c0, c1, c2 = half, _ZERO, _ZERO
            for Z, n2, which in ((self.A, self.na2, "s"), (self.B, self.nb2, "t")):
                if not n2 or abs(Z) <= mid:
                    continue
                sg = 1 if Z > 0 else -1
                # S_lam(Z)/n2 = (Z - sg lam)/n2 ; gain = (|Z| - lam)^2 / (2 n2)
                if which == "s":
                    s0, s1 = Z / n2, -sg / n2
                else:
                    t0, t1 = Z / n2, -sg / n2
                c0 -= Z * Z / (2 * n2)
                c1 += abs(Z) / n2
                c2 -= 1 / (2 * n2)
            out.append({"lo": lo, "hi": hi, "s": (s0, s1), "t": (t0, t1),
                        "value": (c0, c1, c2)})
        return out


def _soft(z: Fraction, lam: Fraction) -> Fraction:
    return z - lam if z > lam else z + lam if z < -lam else _ZERO


def one_dimensional_path(data: Dataset, patterns: PatternSet | None = None) -> OneDimensionalPath:
    """The exact piecewise path of a ``d = 1`` instance without bias (see
    :class:`OneDimensionalPath`); :class:`~exactrelu.errors.ExactReluError` otherwise."""
    if data.d != 1 or data.bias:
        raise ExactReluError("the closed-form path needs one feature and no bias column")
    ps = patterns if patterns is not None else enumerate_patterns(data.X, progress=False)
    x = [r[0] for r in data.X]
    y = data.y
    a = [max(v, _ZERO) for v in x]
    b = [max(-v, _ZERO) for v in x]
    A, B = dot(a, y), dot(b, y)
    na2, nb2 = sqnorm(a), sqnorm(b)
    P = ps.find("".join("1" if v >= 0 else "0" for v in x))
    N = ps.find("".join("1" if v <= 0 else "0" for v in x))
    crossing = jump = None
    if na2 and nb2 and na2 != nb2:
        aA, aB = abs(A), abs(B)
        crossing = Surd((aA * nb2 - aB * na2) / (nb2 - na2), (aA - aB) / (nb2 - na2), na2 * nb2)
        top = min(aA, aB)
        if crossing.sign_minus(_ZERO) > 0 and crossing.sign_minus(top) < 0:
            jump = crossing
    return OneDimensionalPath(data, ps, A, B, na2, nb2, P, N, crossing, jump)
