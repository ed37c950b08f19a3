"""The maps between the two problems, exactly (docs/theory.md §1.6-1.7).

* C -> NC (:func:`convex_to_network`): every nonzero block ``u_b`` becomes the neuron
  ``(u_b / sqrt(||u_b||), s_b sqrt(||u_b||))``, in product form
  (:class:`ProductNetwork`) because the square roots are irrational in general.
* NC -> C (:func:`network_to_convex`): every neuron with ``W1_j != 0 != w2_j`` becomes
  the block ``|w2_j| W1_j`` of its pattern and sign; the fit is preserved and
  ``C <= B <= NC`` (:func:`compare_convex_nc` decides the sign of ``C - NC`` exactly).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Mapping, Sequence

from .algebraic import compare_sum_sqrt
from .arrangement import PatternSet, network_patterns
from .errors import DomainError, ExactReluError, ShapeError
from .networks import (Network, Terms, Vec, _check_bias, _check_width, _lam, _loss,
                       _relu_fit, _rows_of, fourth_root, in_cone)
from .numbers import dot, exact_sqrt, is_square, q_vector, sqnorm, sqrt_bounds, to_q
from .problem import Dataset

__all__ = ["ProductNetwork", "convex_to_network", "network_to_convex", "compare_convex_nc"]

_ZERO = Fraction(0)


# ------------------------------------------------------------------------ C -> NC

@dataclass(frozen=True)
class ProductNetwork:
    """The C -> NC image of convex blocks, exactly, in product form.

    ``blocks[j] = (bits, s, u)``: neuron ``j`` is ``W1_j = u / sqrt(||u||)`` and
    ``w2_j = s sqrt(||u||)`` (``u != 0``, ``s`` in {+1, -1}, ``bits`` the pattern or
    ``None``).  The products are exact and rational::

        W1_j |w2_j| = u,    w2_j^2 = ||W1_j||^2 = ||u||,    (X W1_j)_+ w2_j = s (X u)_+

    so the outputs are ``sum_j s_j (X u_j)_+`` and
    ``NC = 1/2 ||f - y||^2 + lam sum_j ||u_j||`` = the convex objective of the blocks
    (when each ``u_j`` lies in its cone, ``(X u)_+ = D X u``).
    """

    blocks: tuple[tuple[str | None, int, Vec], ...]
    d: int
    bias_column: bool = False
    output_bias: Fraction = _ZERO     # an unregularised output offset c, carried as it is

    @property
    def width(self) -> int:
        return len(self.blocks)

    def norm_squared(self, j: int) -> Fraction:
        """``||u_j||^2`` = ``w2_j^4`` = ``||W1_j||^4``."""
        return sqnorm(self.blocks[j][2])

    def is_exact(self) -> bool:
        """Every scale ``sqrt(||u_j||)`` is rational (``||u_j||^2`` a fourth power)."""
        for j in range(self.width):
            q = self.norm_squared(j)
            if not (is_square(q) and is_square(exact_sqrt(q))):
                return False
        return True

    def to_network(self) -> Network:
        """The mapped network exactly; :class:`DomainError` naming the first neuron whose
        scale ``sqrt(||u||)`` is irrational (use the product form or
        :meth:`to_network_approx`)."""
        W1, w2 = [], []
        for j, (bits, s, u) in enumerate(self.blocks):
            q = sqnorm(u)
            try:
                r = fourth_root(q)
            except DomainError:
                raise DomainError(
                    f"neuron {j}: sqrt(||u||) = ({q})^(1/4) is irrational; the network is "
                    "exact only in product form (ProductNetwork) or as an estimate "
                    "(to_network_approx)") from None
            W1.append(tuple(a / r for a in u))
            w2.append(s * r)
        return Network(tuple(W1), tuple(w2), self.bias_column, self.d, self.output_bias)

    def to_network_approx(self, bits: int = 64) -> Network:
        """A rational network that *estimates* the mapped one.

        Each scale ``r_j ~ sqrt(||u_j||)`` is a rational within about ``2^-bits``
        (relative) of the true one (exact when it is rational), and the neuron is
        ``(u_j / r_j, s_j r_j)``.  So ``W1_j |w2_j| = u_j`` still holds exactly: the
        outputs are *exactly* those of the blocks; only the balance ``||W1_j|| = |w2_j|``
        is approximate, so the NC objective exceeds the convex one by
        ``O(lam ||u|| 2^(-2 bits))`` (never less: AM-GM).
        """
        W1, w2 = [], []
        for bits_, s, u in self.blocks:
            q = sqnorm(u)
            if is_square(q) and is_square(exact_sqrt(q)):
                r = fourth_root(q)
            else:
                # a short dyadic scale (few digits keeps exact objectives small)
                lo, hi = sqrt_bounds(q, 2 * bits + 8)
                r, _ = sqrt_bounds((lo + hi) / 2, bits + 4)
                e = max(0, bits + 4 - (r.numerator.bit_length() - r.denominator.bit_length()))
                r = Fraction(math.floor(r * (1 << e)), 1 << e) or r
                if r <= 0:  # pragma: no cover - impossible for u != 0 at these precisions
                    raise ExactReluError("internal: zero scale for a nonzero block")
            W1.append(tuple(a / r for a in u))
            w2.append(s * r)
        return Network(tuple(W1), tuple(w2), self.bias_column, self.d, self.output_bias)

    def outputs(self, X: Dataset | Sequence[Sequence[object]]) -> Vec:
        """``sum_j s_j (X u_j)_+ + output_bias`` = the mapped network's outputs, exactly."""
        Xq = _rows_of(X)
        _check_width(Xq, self.d, "network")
        out = [self.output_bias] * len(Xq)
        for _, s, u in self.blocks:
            for k, v in enumerate(_relu_fit(Xq, u, Fraction(s))):
                out[k] += v
        return tuple(out)

    def penalty_terms(self, lam: object) -> Terms:
        """``[(lam, ||u_j||^2)]``: the NC penalty of the mapped network,
        ``lam/2 (||W1_j||^2 + w2_j^2) = lam ||u_j||``, as terms ``c * sqrt(q)``."""
        lq = _lam(lam)
        return [(lq, sqnorm(u)) for _, _, u in self.blocks]

    def nc_objective_terms(self, data: Dataset, lam: object) -> tuple[Fraction, Terms]:
        """``(loss, terms)``: ``NC = loss + sum c * sqrt(q)`` exactly."""
        _check_bias(self.bias_column, data)
        return _loss(self.outputs(data.X), data.y), self.penalty_terms(lam)

    def nc_objective_bounds(self, data: Dataset, lam: object, bits: int = 64
                            ) -> tuple[Fraction, Fraction]:
        """Rationals ``lo <= NC <= hi`` of the exactly mapped network."""
        from .algebraic import enclose_sum_sqrt

        return enclose_sum_sqrt(*self.nc_objective_terms(data, lam), bits)


def convex_to_network(blocks: Mapping[tuple[object, int], Sequence[object]], *,
                      patterns: PatternSet | None = None,
                      X: Dataset | Sequence[Sequence[object]] | None = None,
                      d: int | None = None, bias_column: bool = False,
                      output_bias: object = 0) -> ProductNetwork:
    """C -> NC: every nonzero block ``u`` with sign ``s`` becomes the neuron
    ``(u / sqrt(||u||), s sqrt(||u||))`` (zero blocks give zero neurons and are dropped).

    ``blocks`` maps ``(pattern, sign)`` to ``u``; the pattern is a bit string, or an index
    into ``patterns`` (the :data:`exactrelu.problem.Block` convention).  With ``X`` each
    ``u`` is checked to lie in its cone (:class:`DomainError` otherwise), which is what
    makes the network's fit equal the convex fit.  ``d`` is needed only when every block
    is zero.  ``output_bias``: the ``c`` of the problem with a free output bias (not a
    block: it is carried to the network as it is).  Returns the exact
    :class:`ProductNetwork`.
    """
    Xq = _rows_of(X) if X is not None else None
    out: list[tuple[str | None, int, Vec]] = []
    dim = d
    for key, u in blocks.items():
        try:
            pat, s = key
        except (TypeError, ValueError):
            raise ShapeError(f"block key {key!r} is not a (pattern, sign) pair") from None
        if s not in (1, -1):
            raise ValueError(f"block {key!r}: sign must be +1 or -1")
        if isinstance(pat, str):
            bits: str | None = pat
        elif isinstance(pat, int) and not isinstance(pat, bool):
            if patterns is None:
                raise ValueError(f"block {key!r}: a pattern index needs `patterns`")
            bits = patterns.bits[pat]
        else:
            raise ShapeError(f"block {key!r}: pattern must be a bit string or an index")
        uq = q_vector(u)
        if dim is None:
            dim = len(uq)
        elif len(uq) != dim:
            raise ShapeError(f"block {key!r} has {len(uq)} entries, expected {dim}")
        if Xq is not None:
            _check_width(Xq, dim, "block")
            if bits is not None:
                if len(bits) != len(Xq) or set(bits) - {"0", "1"}:
                    raise ShapeError(f"block {key!r}: pattern {bits!r} does not fit "
                                     f"{len(Xq)} rows")
                k = in_cone(Xq, bits, uq)
                if k is not None:
                    raise DomainError(f"block {key!r}: u is not in the cone of its pattern "
                                      f"(row {k})")
        if any(uq):
            out.append((bits, int(s), uq))
    if dim is None:
        raise ShapeError("no blocks: pass d to build the zero network")
    return ProductNetwork(tuple(out), dim, bias_column, to_q(output_bias))


# ------------------------------------------------------------------------ NC -> C

def network_to_convex(net: Network, X: Dataset | Sequence[Sequence[object]]
                      ) -> tuple[PatternSet, dict[tuple[int, int], Vec]]:
    """NC -> C: ``(patterns, {(pattern index, sign): u})``.

    For each neuron with ``W1_j != 0 != w2_j``: its pattern is that of a region whose
    closure contains ``W1_j`` (:func:`exactrelu.arrangement.neuron_region`: ``1[X W1_j > 0]``
    off ties, a generic perturbation on tied rows), the sign is ``sign(w2_j)`` and
    ``u_j = |w2_j| W1_j``; neurons with the same (pattern, sign) are summed.  Blocks that
    sum to zero are dropped.  Verified exactly before returning: every ``u`` is in its
    cone and ``sum s D X u`` equals the network's outputs (``ExactReluError`` otherwise --
    that would be a bug).  An output bias ``c`` is not a block: the blocks give the fit
    without it (the C image of ``(W1, w2, c)`` is ``(u, c)``).
    """
    Xq = _rows_of(X)
    if isinstance(X, Dataset):
        _check_bias(net.bias_column, X)
    _check_width(Xq, net.dim, "network")
    keep = net.nonzero_neurons()
    pats, owner = network_patterns(Xq, [net.W1[j] for j in keep])
    merged: dict[tuple[int, int], list[Fraction]] = {}
    for j, i in zip(keep, owner):
        a = net.w2[j]
        s = 1 if a > 0 else -1
        u = [abs(a) * c for c in net.W1[j]]
        acc = merged.get((i, s))
        if acc is None:
            merged[(i, s)] = u
        else:
            for t, c in enumerate(u):
                acc[t] += c
    blocks = {b: tuple(u) for b, u in merged.items() if any(u)}
    # exact verification: cone membership and fit
    fit = [_ZERO] * len(Xq)
    for (i, s), u in blocks.items():
        bits = pats.bits[i]
        k = in_cone(Xq, bits, u)
        if k is not None:
            raise ExactReluError(f"internal: merged block ({bits}, {s}) leaves its cone at row {k}")
        for r, (x, b) in enumerate(zip(Xq, bits)):
            if b == "1":
                fit[r] += s * dot(x, u)
    if tuple(f + net.output_bias for f in fit) != net.outputs(Xq):
        raise ExactReluError("internal: NC -> C changed the fit")
    return pats, blocks


def compare_convex_nc(net: Network, data: Dataset, lam: object) -> int:
    """Exact sign of ``C(network_to_convex(net)) - NC(net)``: always ``<= 0``, and ``0``
    iff every neuron is balanced (``||W1_j|| = |w2_j|``) and the neurons merged into one
    block are positively collinear.

    ``C = 1/2 ||fit - y||^2 + lam sum_b sqrt(||u_b||^2)`` is compared with the rational
    ``NC`` by :func:`exactrelu.algebraic.compare_sum_sqrt` (no square root is rounded).
    """
    lq = _lam(lam)
    pats, blocks = network_to_convex(net, data)
    fit = [net.output_bias] * data.n          # C with the same output bias c
    for (i, s), u in blocks.items():
        for r, (x, b) in enumerate(zip(data.X, pats.bits[i])):
            if b == "1":
                fit[r] += s * dot(x, u)
    c_terms: Terms = [(_loss(fit, data.y), Fraction(1))]
    c_terms += [(lq, sqnorm(u)) for u in blocks.values()]
    return compare_sum_sqrt(c_terms, [(net.nc_objective(data, lq), Fraction(1))])
