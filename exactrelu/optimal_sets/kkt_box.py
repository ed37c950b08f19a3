"""The KKT system of an irrational optimum, and a Krawczyk box around its solution.

Exact kernels shared by the producer (:mod:`exactrelu.optimal_sets.enclosure`) and the
library checker of check 11 (format minor version 1.5); the standalone checker has its
own copy in the standard library, by design.

For the blocks ``S' = (b_1, ..., b_m)`` (``b = (pattern i, sign s)``), their tight cone
rows ``T_b`` and ``a_k = (2 D_bk - 1) x_k``, the unknowns are ``z = (v_b, rho_b, alpha_b)``
per block (``d + |T_b| + 1`` each, in that order), ``r(z) = y - sum_c alpha_c s_c D_c X
v_c``, and the equations per block are::

    E1 (d rows)      v_b - s_b X^T D_b r(z) - A_bT^T rho_b = 0
    E2 (|T_b| rows)  a_k . v_b = 0                      (k in T_b)
    E3 (1 row)       (v_b . v_b - lam^2) / 2 = 0

**Krawczyk's test** (Krawczyk 1969, Moore 1977): for a box ``Z = z~ + [-delta, delta]^N``
and any matrix ``C``, if every row ``i`` has

    |C F(z~)|_i + delta sum_j |I - C J(z~)|_ij + delta^2 sum_j (|C| G)_ij < delta

then ``F`` has exactly one zero in ``Z`` and every ``J(z)``, ``z`` in ``Z``, is
nonsingular.  ``G`` bounds the Jacobian's variation: ``|J(z) - J(z~)| <= delta G`` on
``Z`` (``J`` is affine in ``z``: ``dE1_b/dv_c = I [b = c] + s_b s_c alpha_c M_bc``,
``dE1_b/dalpha_c = s_b s_c M_bc v_c`` with ``M_bc = X^T D_b D_c X``, ``dE3_b/dv_b =
v_b^T``), so ``G`` holds ``|M_bc|``, its row sums, and ones.  Every quantity here is an
exact rational; ``C`` is a float inverse rounded to a dyadic (any ``C`` is sound).
"""
from __future__ import annotations

from fractions import Fraction
from typing import Sequence

import flint

from ..linalg import fq, fr, int_matrix

__all__ = ["KKTSystem", "krawczyk_margin", "krawczyk_parts"]


class KKTSystem:
    """The system of the module doc for data ``X`` (rows), ``y``, ``lam``, pattern bits
    ``bits`` and the blocks ``S`` with tight rows ``T`` (``{b: [k]}``)."""

    def __init__(self, X: Sequence[Sequence[Fraction]], y: Sequence[Fraction], lam: Fraction,
                 bits: Sequence[str], S: Sequence[tuple], T: dict):
        self.X, self.y, self.lam = [list(x) for x in X], list(y), Fraction(lam)
        self.n, self.d = len(self.X), len(self.X[0]) if self.X else 0
        self.S = list(S)
        self.T = {b: list(T[b]) for b in self.S}
        self.D = {b: [ch == "1" for ch in bits[b[0]]] for b in self.S}
        self._Z, self._L = int_matrix(self.X)          # X = Z / L
        self.off, pos = {}, 0
        for b in self.S:
            self.off[b] = pos
            pos += self.d + len(self.T[b]) + 1
        self.N = pos

    # ---------------------------------------------------------------- coordinates
    def parts(self, z: Sequence) -> dict:
        """``{b: (v_b, rho_b, alpha_b)}`` of a point ``z``."""
        out = {}
        for b in self.S:
            o, m = self.off[b], len(self.T[b])
            out[b] = (list(z[o:o + self.d]), list(z[o + self.d:o + self.d + m]),
                      z[o + self.d + m])
        return out

    def point(self, parts: dict) -> list:
        """The inverse of :meth:`parts`."""
        z = []
        for b in self.S:
            v, rho, a = parts[b]
            z.extend(v)
            z.extend(rho)
            z.append(a)
        return z

    def cone_row(self, b: tuple, k: int) -> list:
        """``a_k = (2 D_bk - 1) x_k``."""
        return self.X[k] if self.D[b][k] else [-x for x in self.X[k]]

    def residual(self, z: Sequence) -> list:
        """``r(z) = y - sum_c alpha_c s_c D_c X v_c``."""
        r = list(self.y)
        for b, (v, _, a) in self.parts(z).items():
            for k in range(self.n):
                if self.D[b][k]:
                    r[k] -= a * b[1] * sum(x * w for x, w in zip(self.X[k], v))
        return r

    # ---------------------------------------------------------------- F, J, G
    def F(self, z: Sequence) -> list:
        """The equations at ``z`` (exact)."""
        r, out = self.residual(z), []
        for b, (v, rho, _) in self.parts(z).items():
            s = b[1]
            g = [sum((r[k] * self.X[k][j] for k in range(self.n) if self.D[b][k]),
                     Fraction(0)) for j in range(self.d)]
            e1 = [v[j] - s * g[j] for j in range(self.d)]
            for t, k in enumerate(self.T[b]):
                a = self.cone_row(b, k)
                for j in range(self.d):
                    e1[j] -= rho[t] * a[j]
            out.extend(e1)
            out.extend(sum(x * w for x, w in zip(self.cone_row(b, k), v)) for k in self.T[b])
            out.append((sum(w * w for w in v) - self.lam ** 2) / 2)
        return out

    def M(self, b: tuple, c: tuple) -> list:
        """``X^T D_b D_c X`` (d x d), one integer product (python-flint)."""
        rows = [self._Z[k] for k in range(self.n) if self.D[b][k] and self.D[c][k]]
        if not rows:
            return [[Fraction(0)] * self.d for _ in range(self.d)]
        A = flint.fmpz_mat(rows)
        P = A.transpose() * A
        L2 = self._L * self._L
        return [[Fraction(int(P[j, l]), L2) for l in range(self.d)] for j in range(self.d)]

    def J_and_G(self, z: Sequence) -> tuple[list, list]:
        """The Jacobian at ``z`` and the variation bound ``G`` (module doc)."""
        N, d = self.N, self.d
        J = [[Fraction(0)] * N for _ in range(N)]
        G = [[Fraction(0)] * N for _ in range(N)]
        P = self.parts(z)
        Ms = {(b, c): self.M(b, c) for b in self.S for c in self.S}
        for b in self.S:
            o, m, s = self.off[b], len(self.T[b]), b[1]
            v = P[b][0]
            for c in self.S:
                oc, mc, sc = self.off[c], len(self.T[c]), c[1]
                vc, ac = P[c][0], P[c][2]
                Mbc = Ms[(b, c)]
                for j in range(d):
                    for l in range(d):
                        J[o + j][oc + l] += s * sc * ac * Mbc[j][l]
                        G[o + j][oc + l] += abs(Mbc[j][l])
                    J[o + j][oc + d + mc] = s * sc * sum(Mbc[j][l] * vc[l] for l in range(d))
                    G[o + j][oc + d + mc] = sum(abs(x) for x in Mbc[j])
            for j in range(d):
                J[o + j][o + j] += 1
            for t, k in enumerate(self.T[b]):
                a = self.cone_row(b, k)
                for j in range(d):
                    J[o + j][o + d + t] = -a[j]
                    J[o + d + t][o + j] = a[j]
            for j in range(d):
                J[o + d + m][o + j] = v[j]
                G[o + d + m][o + j] = Fraction(1)
        return J, G


def _qm(rows: Sequence[Sequence[Fraction]]) -> "flint.fmpq_mat":
    N = len(rows)
    return flint.fmpq_mat(N, len(rows[0]) if N else 0, [fq(x) for row in rows for x in row])


def krawczyk_parts(Fz: Sequence[Fraction], J: Sequence[Sequence[Fraction]],
                   G: Sequence[Sequence[Fraction]], C: Sequence[Sequence[Fraction]]
                   ) -> tuple[list[Fraction], list[Fraction], list[Fraction]]:
    """Per row ``i``: ``|C F(z~)|_i``, ``sum_j |I - C J(z~)|_ij`` and ``sum_j (|C| G)_ij``
    (module doc): Krawczyk's test holds for ``delta`` iff every row has
    ``cf + delta rs + delta^2 h < delta``.  Exact (python-flint)."""
    N = len(Fz)
    Cm = _qm(C)
    CF = Cm * flint.fmpq_mat(N, 1, [fq(x) for x in Fz])
    R = flint.fmpq_mat(N, N, [int(i == j) for i in range(N) for j in range(N)]) - Cm * _qm(J)
    absC = _qm([[abs(Fraction(x)) for x in row] for row in C])
    H = absC * flint.fmpq_mat(N, 1, [fq(sum(row, Fraction(0))) for row in G])
    cf = [abs(fr(CF[i, 0])) for i in range(N)]
    rs = [sum((abs(fr(R[i, j])) for j in range(N)), Fraction(0)) for i in range(N)]
    return cf, rs, [fr(H[i, 0]) for i in range(N)]


def krawczyk_margin(Fz: Sequence[Fraction], J: Sequence[Sequence[Fraction]],
                    G: Sequence[Sequence[Fraction]], C: Sequence[Sequence[Fraction]],
                    delta: Fraction) -> list[Fraction]:
    """Per row: ``delta - |C F|_i - delta sum_j |I - C J|_ij - delta^2 (|C| G 1)_i``.
    Krawczyk's test passes iff every entry is positive."""
    cf, rs, h = krawczyk_parts(Fz, J, G, C)
    return [delta - c - delta * r - delta * delta * x for c, r, x in zip(cf, rs, h)]
