r"""Exact samples of ``P = {alpha >= 0 : M alpha = b}`` (docs/theory.md §3, the "10,000
samples" experiment).

Two samplers, both exact: every sample is a rational point of ``P`` with one bounded
denominator, stored as integer numerators over it (:class:`Samples`).

* :func:`mix_vertices` -- random convex combinations of given vertices (points of ``P`` by
  convexity), one integer matrix product; with :func:`lp_vertices` (vertices as exact LP
  optima of random integer objectives) it reaches far into long, thin directions of ``P``.
* :func:`hit_and_run` -- hit-and-run in integer arithmetic: directions are integer
  combinations of an integer basis of ``ker M`` (``M d = 0`` checked exactly), steps are
  uniform integers on the chord ``{m : B + m d >= 0}`` of a fixed dyadic grid.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Sequence

import flint

from ..errors import ExactReluError
from ..linalg import int_rows, lcm_den, primitive
from ..numbers import q_vector

if TYPE_CHECKING:
    from .polytope import Polytope

__all__ = ["Samples", "mix_vertices", "lp_vertices", "hit_and_run"]

Vec = tuple[Fraction, ...]


@dataclass
class Samples:
    """Exact samples ``beta_i = B_i / Q_i`` (integer numerators ``B``; ``Q`` one common
    denominator, or one per sample)."""

    B: list[list[int]]
    Q: int | list[int]

    def __len__(self) -> int:
        return len(self.B)

    def den(self, i: int) -> int:
        return self.Q if isinstance(self.Q, int) else self.Q[i]

    def exact(self, i: int) -> Vec:
        q = self.den(i)
        return tuple(Fraction(b, q) for b in self.B[i])

    def as_float(self) -> Any:
        """The samples rounded to float64 (for evaluation only, e.g. test accuracy)."""
        import numpy as np

        return np.array([[b / self.den(i) for b in row] for i, row in enumerate(self.B)],
                        dtype=float)


def mix_vertices(V: Sequence[Sequence[Fraction]], count: int, *, seed: int = 0,
                 grid: int = 1 << 16) -> Samples:
    """``count`` random convex combinations of the points ``V``, exactly.

    Target weights ``c / grid`` (integer ``c >= 0``, ``sum c = grid``: the gaps between
    ``len(V) - 1`` sorted uniform cuts of ``{0..grid}``, a discretised uniform law on the
    simplex).  With ``V_i = N_i / d_i`` (integer ``N_i``, ``d_i`` the lcm of its
    denominators) the sample is ``sum_i k_i N_i / sum_i k_i d_i``, ``k_i = floor(c_i 2^s /
    d_i)``, ``2^s >= 2^16 max d_i``: exactly a convex combination (weights ``k_i d_i / sum k d
    >= 0`` summing to 1), each within ``(len(V) + 1) 2^-16 / grid`` of its target.  One
    denominator per sample, about the size of one vertex's (a common denominator for all
    vertices would be their lcm: tens of thousands of bits for LP vertices of float data).
    Returns :class:`Samples` with numerators ``B`` (``count x L``) and denominators ``Q``
    (one per sample), from one integer matrix product (flint)."""
    if not V:
        raise ExactReluError("no vertices to combine (the polytope is empty)")
    V = [q_vector(v) for v in V]
    dens = [lcm_den(v) for v in V]
    L = len(V[0])
    if count <= 0:
        return Samples([], [])
    s = max(d.bit_length() for d in dens) + 16
    Nd = flint.fmpz_mat(len(V), L + 1, [x for v, d in zip(V, dens)
                                        for x in [int(a * d) for a in v] + [d]])
    rng = random.Random(seed)
    K = []
    for _ in range(count):
        cuts = sorted(rng.randint(0, grid) for _ in range(len(V) - 1))
        K.extend(((b - a) << s) // d for a, b, d in zip([0] + cuts, cuts + [grid], dens))
    flat = [int(x) for x in (flint.fmpz_mat(count, len(V), K) * Nd).entries()]
    rows = [flat[i * (L + 1):(i + 1) * (L + 1)] for i in range(count)]
    return Samples([r[:L] for r in rows], [r[L] for r in rows])


def lp_vertices(P: Polytope, k: int, *, seed: int = 0, scale: int = 1 << 8) -> list[Vec]:
    """Up to ``k`` distinct vertices of ``P``: exact LP optima (:meth:`lp`) for random
    integer objectives ``c`` in ``[-scale, scale]^L`` (duplicates dropped)."""
    rng = random.Random(seed)
    out: dict[Vec, None] = {}
    for _ in range(k):
        c = [rng.randint(-scale, scale) for _ in range(P.L)]
        out.setdefault(tuple(P.lp(c)[1]), None)
    return list(out)


def hit_and_run(P: Polytope, count: int = 10000, *, seed: int = 0, grid_bits: int = 40,
                pool: int = 256, burn_in: int = 0, thin: int = 1,
                start: Sequence[Fraction] | None = None) -> Samples:
    """Hit-and-run on ``P = {alpha >= 0 : M alpha = b}`` in exact integer arithmetic.

    Points are ``alpha = B / Q`` with a fixed ``Q = den(start) 2^(grid_bits + b)``, ``b``
    the bit size of the largest direction entry.  Directions: a pool of ``pool`` random
    integer combinations ``d = N c`` of the integer null basis ``N`` (each basis vector
    weighted to the same magnitude; ``M d = 0`` is verified exactly once for the whole
    pool, so ``M alpha = b`` holds for every sample).  A step picks a direction at random
    and an integer ``m`` uniformly in the chord ``{m : B + m d >= 0}`` (exact floor/ceil),
    ``B <- B + m d``.  Every sample is thus an exact rational point of ``P`` (``B >= 0``
    is re-asserted).  The grid makes the uniform chord law discrete (spacing
    ``2^-grid_bits`` relative to the direction)."""
    import numpy as np

    start = tuple(P.point if start is None else q_vector(start))
    if not P.contains(start):
        raise ExactReluError("the start point is not in the polytope")
    L = P.L
    den = lcm_den(start)
    N = P.null_basis
    rng = random.Random(seed)
    out: list[list[int]] = []
    if not N or count <= 0:
        Q = den
        B = [int(a * Q) for a in start]
        return Samples([list(B) for _ in range(max(count, 0))], Q)
    k = len(N)
    Nm = flint.fmpz_mat(L, k, [N[j][i] for i in range(L) for j in range(k)])
    # random combinations, each basis vector brought to the same magnitude
    nb = [max(abs(a).bit_length() for a in v) for v in N]
    top = max(nb)
    C = flint.fmpz_mat(k, pool, [rng.randint(-(1 << 8), 1 << 8) << (top - nb[t])
                                 for t in range(k) for _ in range(pool)])
    D = Nm * C                                                  # L x pool
    # exact check: M d = 0 for every pooled direction
    if P._eq_rows and any(x != 0 for x in (int_rows(P._eq_rows) * D).entries()):
        raise ExactReluError("internal: a direction is not in ker M")   # pragma: no cover
    # grid: spacing 2^-grid_bits relative to the largest direction entry
    dbits = max(int(abs(x)).bit_length() for x in D.entries())
    Q = den << (grid_bits + dbits)
    B = [int(a * Q) for a in start]
    dirs = []
    for c in range(pool):
        d = [int(D[i, c]) for i in range(L)]
        if any(d):
            d = np.array(primitive(d), dtype=object)
            pos = np.nonzero(d > 0)[0]
            neg = np.nonzero(d < 0)[0]
            dirs.append((d, pos, d[pos], neg, -d[neg]))
    Bv = np.array(B, dtype=object)
    total = burn_in + count * thin
    for step in range(total):
        d, pos, dpos, neg, dneg = dirs[rng.randrange(len(dirs))]
        if not len(pos) or not len(neg):                        # pragma: no cover
            raise ExactReluError("the polytope is unbounded along a direction")
        lo = int((-(Bv[pos] // dpos)).max())      # ceil(-B_i / d_i) over d_i > 0
        hi = int((Bv[neg] // dneg).min())         # floor(B_i / -d_i) over d_i < 0
        m = rng.randint(lo, hi)
        if m:
            Bv = Bv + m * d
        if step >= burn_in and (step - burn_in) % thin == thin - 1:
            out.append(Bv)
    out = [[int(b) for b in row] for row in out]
    if any(b < 0 for row in out for b in row):                  # pragma: no cover
        raise ExactReluError("internal: a sample left the orthant")
    return Samples(out, Q)
