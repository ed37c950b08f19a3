"""Checks 1-6 of certificate format v1 on a parsed certificate, and the VERIFIED statement.

Each check reads a :class:`~.reader._Cert` and raises ``REJECTED`` (with its number and
name) on the first failure, charging the budget before each heavy loop:

1. patterns: n characters 0/1, no repeats, zero rows active, witnesses ``g_i`` with
   ``(2 D_ik - 1) x_k . g_i > 0`` on every nonzero row;
2. completeness (complete lists): general position (``2 sum_{k<d} C(n-1, k)`` patterns,
   nonzero ``d x d`` minors) or a Gordan ``y`` for every wall flip that is not listed;
3. upper bound ``U``: the network objective and/or the block objective;
4. dual feasibility of ``r`` (with multipliers ``rho``) and the dual bound
   ``L = r.y - ||r||^2/2``;
5. the claim ``lower <= L``, ``upper >= U``;
6. the optimal set (vertices, blocks, clarification D11).

The proofs are in ``proofs_checks/SPEC.md`` and ``docs/spec/certificate-v1.md``; integer
linear algebra (witness signs, ``X^T D r``, minors, ranks) runs in python-flint, the rest
in :class:`fractions.Fraction`.
"""
from __future__ import annotations

import math
from fractions import Fraction
from itertools import combinations

import flint

from .budget import (GORDAN_ENTRY_OPS, _integer_form, _max_bits, _reject, _single_bits, _size,
                     _Stop)
from .cover import check_cover, check_quadratic_cover  # 1.1 (check 7), 1.6 (check 12)
from .simplex import check_simplex_cover               # 1.7 (check 13)
from .enclosure import check_enclosure, enclosure_statement  # minor version 1.5
from .output_bias import check_output_bias, output_bias_statement  # minor version 1.2
from .reader import _Cert


# ------------------------------------------------------------------------ small helpers

def _dot(a, b):
    return sum(x * y for x, y in zip(a, b))


def _loss(fit, y) -> Fraction:
    return sum(((f - t) ** 2 for f, t in zip(fit, y)), Fraction(0)) / 2


def _mask(p: str) -> int:
    """Bit k set iff character k of the pattern is 1."""
    return int(p[::-1], 2) if p else 0


def _short(x: Fraction) -> str:
    if x.numerator.bit_length() + x.denominator.bit_length() > 3000:
        return f"<a rational of about {x.numerator.bit_length() * 3 // 10} digits>"
    return str(x)


def _integer_rows_product(A: list, B: list) -> list:
    """A B^T for integer matrices given by rows (A: m x d, B: p x d), as int rows (m x p)."""
    if not A or not B:
        return [[0] * len(B) for _ in A]
    prod = flint.fmpz_mat(A) * flint.fmpz_mat(B).transpose()
    return [[int(v) for v in row] for row in prod.tolist()]


# ------------------------------------------------------------------------------- checks

def check_patterns(c: _Cert) -> None:
    """Check 1: n characters 0/1, no repeats, zero rows active; every witness g_i has
    (2 D_ik - 1) x_k . g_i > 0 on every nonzero row (required when complete)."""
    seen: dict[str, int] = {}
    for i, p in enumerate(c.bits):
        if len(p) != c.n or not set(p) <= {"0", "1"}:
            _reject(1, f"pattern {i} is not a string of {c.n} characters 0/1")
        if p in seen:
            _reject(1, f"pattern {i} repeats pattern {seen[p]}")
        seen[p] = i
        if any(p[k] != "1" for k in c.zero_rows):
            _reject(1, f"pattern {i}: a zero row must be active (1)")
    if c.witnesses is None:
        if c.complete:
            _reject(1, "a complete pattern list needs witnesses")
        return
    # Scale the witnesses and charge their cost in order; a stop (UNDECIDED) at pattern i
    # comes after the sign tests of patterns 0..i-1, which run below in one product.
    scaled, stop = [], None
    for g in c.witnesses:
        try:
            gi = _integer_form(g)[1]
            gb = _max_bits(gi)
            c.meter.charge(len(c.nonzero_rows) * c.d, (max(c.bits_X, gb), min(c.bits_X, gb)),
                           "witnesses")
        except _Stop as e:
            stop = e
            break
        scaled.append(gi)
    values = _integer_rows_product(scaled, c.Xi)   # values[i][k] = Dx Dg x_k . g_i
    for i, row in enumerate(values):
        signs = "".join("1" if v > 0 or k in c.zero_rows else "0" if v < 0 else "z"
                        for k, v in enumerate(row))
        if signs != c.bits[i]:
            k = next(k for k in range(c.n) if signs[k] != c.bits[i][k])
            _reject(1, f"pattern {i}, row {k}: the witness does not give (2D-1) x.g > 0")
    if stop is not None:
        raise stop


def _parallel_classes(c: _Cert) -> list[tuple[int, ...]]:
    """Nonzero rows grouped by their line through 0 (primitive direction, up to sign)."""
    classes: dict[tuple, list[int]] = {}
    for k in c.nonzero_rows:
        row = c.Xi[k]
        g = math.gcd(*row)
        if next(v for v in row if v) < 0:
            g = -g
        classes.setdefault(tuple(v // g for v in row), []).append(k)
    return [tuple(C) for C in classes.values()]


def _gordan_route(c: _Cert) -> None:
    classes = _parallel_classes(c)
    class_masks = [sum(1 << k for k in C) for C in classes]
    masks = [_mask(p) for p in c.bits]
    listed = set(masks)
    c.meter.charge(c.P * len(classes) * (c.n // 8 + 2), 1, "the wall flips")
    for i, m in enumerate(masks):
        for C, cm in zip(classes, class_masks):
            flipped = m ^ cm
            if flipped in listed:
                continue
            where = f"pattern {i}, class of rows {list(C)}"
            y = c.gordan.get((i, frozenset(C)))
            if y is None:
                _reject(2, f"{where}: the flipped pattern is not listed and has no gordan entry")
            if any(k in c.zero_rows for k in y):
                _reject(2, f"{where}: gordan y uses a zero row, which proves nothing (D1)")
            if any(v < 0 for v in y.values()) or not any(v > 0 for v in y.values()):
                _reject(2, f"{where}: gordan y must be >= 0 and positive on some row")
            yi = _integer_form(list(y.values()))[1]
            yb = _max_bits(yi)
            c.meter.charge(len(y) * c.d + GORDAN_ENTRY_OPS, (c.bits_X + yb, min(c.bits_X, yb)), "gordan y")
            total = [0] * c.d
            for k, w in zip(y, yi):
                tw = w if flipped >> k & 1 else -w
                total = [a + tw * x for a, x in zip(total, c.Xi[k])]
            if any(total):
                _reject(2, f"{where}: sum_k y_k t_k x_k is not 0")


def _general_position_route(c: _Cert) -> None:
    if c.zero_rows or c.n < c.d:
        _reject(2, "general position needs n >= d and no zero row")
    regions = 2 * sum(math.comb(c.n - 1, k) for k in range(c.d))
    if c.P != regions:
        _reject(2, f"general position: {c.P} patterns listed, but there are {regions} regions")
    c.meter.charge(math.comb(c.n, c.d) * c.d ** 3, c.d * (c.bits_X + c.d), "the d x d minors")
    for rows in combinations(range(c.n), c.d):
        if flint.fmpz_mat([c.Xi[k] for k in rows]).det() == 0:
            _reject(2, f"general position: rows {list(rows)} are linearly dependent")


def check_completeness(c: _Cert) -> None:
    """Check 2 (complete only): a non-empty list (D3), then the general-position count
    with nonzero d x d minors, or every wall flip listed or excluded by Gordan's y."""
    if not c.complete:
        if c.bases is not None:
            from .bases import bases_route
            bases_route(c, _parallel_classes(c))
        return
    if not c.bits:
        _reject(2, "the list is empty, so it cannot hold every region (D3)")
    if c.general_position:
        _general_position_route(c)
    else:
        _gordan_route(c)


def _network_parts(c: _Cert, W1: list, w2: list) -> tuple[list, list]:
    """``v_j = |w2_j| W1_j`` (so ``(X W1_j)_+ w2_j = sign(w2_j) (X v_j)_+``) and each
    neuron's penalty ``||W1_j||^2 + w2_j^2``: m (2 d + 1) Fraction operations on single
    values.  Then the fits (m n d operations on single values, m n / 2 additions at the
    size of X, y and the v_j: their denominators grow to that common one) and the sum of
    the penalties (m additions at their common size) are charged.  Summing ``(x_k . v_j)_+``
    instead of ``w2_j (x_k . W1_j)_+`` is the same number; it keeps the fits as short as
    the products ``v_j`` are (a network whose ``v_j`` share a denominator costs no more
    than one neuron), however the balance ``||W1_j|| = |w2_j|`` is written."""
    single = 2 * (_single_bits([v for x in c.X for v in x])
                  + _single_bits([v for w in W1 for v in w] + list(w2)))
    c.meter.charge(len(W1) * (2 * c.d + 1), single, "the network objective", fraction=True)
    V = [[abs(a) * v for v in w] for w, a in zip(W1, w2)]
    pens = [_dot(w, w) + a * a for w, a in zip(W1, w2)]
    vals = [v for w in V for v in w] or [Fraction(0)]
    single = 2 * (_single_bits([v for x in c.X for v in x]) + _single_bits(vals))
    c.meter.charge(len(W1) * c.n * c.d, single, "the network objective", fraction=True)
    c.meter.charge(len(W1) * c.n // 2 + 1, c.size_X + _size(c.y) + _size(vals),
                   "the network objective", fraction=True)
    c.meter.charge(len(W1) + 1, _size(pens or [Fraction(0)]), "the network objective",
                   fraction=True)
    return V, pens


def _pattern_is_listed(c: _Cert, pre: list, masks: list[int]) -> bool:
    """Does a listed pattern agree with the neuron's signs (ties free, zero rows 1)?"""
    fixed = value = 0
    for k, z in enumerate(pre):
        if z > 0 or k in c.zero_rows:
            fixed |= 1 << k
            value |= 1 << k
        elif z < 0:
            fixed |= 1 << k
    return any(m & fixed == value for m in masks)


def check_upper(c: _Cert) -> None:
    """Check 3: U_net = NC(W1, w2) (with a sub-sampled list every neuron with a nonzero
    output must have a listed pattern, D2); blocks in their cones with norm_upper >= ||u||,
    U_blk the C-objective with norm_upper; U = the smaller."""
    size_y = _size(c.y)
    if c.network is not None:
        W1, w2 = c.network
        V, pens = _network_parts(c, W1, w2)
        masks = None
        fit = [Fraction(0)] * c.n
        for j, (v, a) in enumerate(zip(V, w2)):
            if a == 0:
                continue                    # no output: only its penalty counts
            pre = [_dot(x, v) for x in c.X]  # the signs of X W1_j (|a| > 0)
            if any(z > 0 for z in pre) and not (c.complete or c.bases is not None):
                c.meter.charge(c.P * (c.n // 4 + 4), 1, "the network's patterns")
                masks = masks if masks is not None else [_mask(p) for p in c.bits]
                if not _pattern_is_listed(c, pre, masks):
                    _reject(3, f"network neuron {j}: its pattern is not listed, so NC(W) does "
                            "not bound the program over the listed patterns (D2)")
            fit = [(f + z if a > 0 else f - z) if z > 0 else f for f, z in zip(fit, pre)]
        c.bounds["network"] = _loss(fit, c.y) + c.lam * sum(pens, Fraction(0)) / 2
    if c.blocks is not None:
        size_b = _size([v for _, _, u, nu in c.blocks for v in [*u, nu]])
        c.meter.charge(len(c.blocks) * c.n * c.d, 2 * (c.size_X + size_y + size_b),
                       "the block objective", fraction=True)
        fit, norms = [Fraction(0)] * c.n, Fraction(0)
        for b, (i, s, u, nu) in enumerate(c.blocks):
            p = c.bits[i]
            pre = [_dot(x, u) for x in c.X]
            if any(z < 0 if ch == "1" else z > 0 for z, ch in zip(pre, p)):
                _reject(3, f"block {b}: u is not in the cone K of pattern {i}")
            if nu < 0 or nu * nu < _dot(u, u):
                _reject(3, f"block {b}: norm_upper is negative or its square is < ||u||^2")
            fit = [f + s * z if ch == "1" else f for f, z, ch in zip(fit, pre, p)]
            norms += nu
        c.bounds["blocks"] = _loss(fit, c.y) + c.lam * norms
    c.U = min(c.bounds.values())


def check_dual(c: _Cert) -> None:
    """Check 4: rho >= 0 and ||s X^T D_i r + A_i^T rho_(i,s)||^2 <= lam^2 for every listed
    pattern and sign; then L = r.y - ||r||^2/2.  In integers, with Dr, Dp the common
    denominators of r and rho: q Dx Dr Dp = s Dp S_i + Dr T, S_i = sum_{k in D_i} (Dr r_k)
    (Dx x_k), T = sum_k (Dp rho_k) t_k (Dx x_k)."""
    Dr, ri = _integer_form(c.r)
    bv = _max_bits(ri) + c.bits_X + c.n.bit_length()
    c.meter.charge(c.P * c.n * c.d, (bv, 1), "the dual sums")
    c.meter.charge(2 * c.P * c.d + c.n * c.d, bv, "the dual norms")
    V = [[ri[k] * x for x in c.Xi[k]] for k in range(c.n)]      # n x d
    active = [[1 if ch == "1" else 0 for ch in p] for p in c.bits]
    S = (flint.fmpz_mat(active) * flint.fmpz_mat(V)).tolist() if c.bits else []
    den2 = c.lam.denominator ** 2
    base = (c.lam.numerator * c.Dx * Dr) ** 2
    for i, p in enumerate(c.bits):
        Si = [int(v) for v in S[i]]
        plain = _dot(Si, Si) * den2
        for s in (1, -1):
            lhs, rhs = plain, base
            rho = c.rho.get((i, s))
            if rho is not None:
                if any(v < 0 for v in rho.values()):
                    _reject(4, f"multiplier (pattern {i}, sign {s}) has a negative entry")
                Dp, pi = _integer_form(list(rho.values()))
                c.meter.charge((len(pi) + 4) * c.d, 2 * bv + _max_bits(pi) + Dp.bit_length(),
                               "rho")
                T = [0] * c.d
                for k, w in zip(rho, pi):
                    tw = w if p[k] == "1" else -w
                    T = [a + tw * x for a, x in zip(T, c.Xi[k])]
                Q = [s * Dp * a + Dr * t for a, t in zip(Si, T)]
                lhs, rhs = _dot(Q, Q) * den2, base * Dp * Dp
            if lhs > rhs:
                _reject(4, f"pattern {i}, sign {s}: ||q||^2 > lam^2")
            if lhs == rhs:
                c.tight.add((i, s))
            c.q_ratio[(i, s)] = (lhs, rhs)            # for check 11 (c)
    c.L = _dot(c.r, c.y) - _dot(c.r, c.r) / 2


def check_claim(c: _Cert) -> None:
    """Check 5: claim.lower <= L, claim.upper >= U, claim.lower <= claim.upper."""
    if c.lower > c.L:
        _reject(5, f"claim.lower = {_short(c.lower)} exceeds the dual bound L = {_short(c.L)}")
    if c.upper < c.U:
        _reject(5, f"claim.upper = {_short(c.upper)} is below the upper bound U = {_short(c.U)}")
    if c.lower > c.upper:
        _reject(5, "claim.lower exceeds claim.upper")


def _linearly_independent(vectors: list[list[Fraction]]) -> bool:
    if not vectors:
        return True
    rows = []
    for v in vectors:  # scale each vector to integers (no cap: the rank is exact anyway)
        D = math.lcm(*(x.denominator for x in v))
        rows.append([x.numerator * (D // x.denominator) for x in v])
    return flint.fmpz_mat(rows).rank() == len(rows)


def check_optimal_set(c: _Cert) -> None:
    """Check 6: lower == upper; fit == y - r; each listed block has rho >= 0, A v >= 0,
    rho.(A v) = 0, v = s X^T D r + A^T rho, ||v||^2 = lam^2; every block tight in check 4
    is listed (D11); each vertex has alpha >= 0, sum_b alpha_b s_b D_b X v_b = fit and
    linearly independent fits on its support."""
    if c.optimal is None:
        return
    fit, blocks, vertices = c.optimal
    if c.lower != c.upper:
        _reject(6, "an optimal set needs claim.lower == claim.upper")
    if fit != [a - b for a, b in zip(c.y, c.r)]:
        _reject(6, "fit differs from y - r")
    values = [x for _, (v, rho) in blocks for x in [*v, *rho.values()]]
    c.meter.charge(3 * len(blocks) * c.n * c.d
                   + sum(len(a) * c.n * (1 + len(a)) for a in vertices),
                   2 * (c.size_X + _size(c.r) + _size(fit) + _size(values)),
                   "the optimal set", fraction=True)
    fits = []
    for b, ((i, s), (v, rho)) in enumerate(blocks):
        p, where = c.bits[i], f"optimal_set block {b} (pattern {i}, sign {s})"
        t = [1 if ch == "1" else -1 for ch in p]
        Av = [tk * _dot(x, v) for tk, x in zip(t, c.X)]
        if any(x < 0 for x in rho.values()) or any(a < 0 for a in Av):
            _reject(6, f"{where}: rho >= 0 and A v >= 0 must hold")
        if sum(x * Av[k] for k, x in rho.items()):
            _reject(6, f"{where}: rho.(A v) is not 0")
        q = [s * sum((c.r[k] * c.X[k][j] for k in range(c.n) if p[k] == "1"), Fraction(0))
             + sum((x * t[k] * c.X[k][j] for k, x in rho.items()), Fraction(0))
             for j in range(c.d)]
        if q != v:
            _reject(6, f"{where}: v is not s X^T D r + A^T rho")
        if _dot(v, v) != c.lam ** 2:
            _reject(6, f"{where}: ||v||^2 != lam^2")
        fits.append([s * _dot(x, v) if ch == "1" else Fraction(0) for x, ch in zip(c.X, p)])
    missing = sorted(c.tight - {key for key, _ in blocks})
    if missing:
        _reject(6, f"block (pattern {missing[0][0]}, sign {missing[0][1]}) has ||q|| = lam in "
                "check 4 but is not listed (D11)")
    for j, alpha in enumerate(vertices):
        if any(a < 0 for a in alpha.values()):
            _reject(6, f"vertex {j}: alpha has a negative entry")
        total = [sum((a * fits[b][k] for b, a in alpha.items()), Fraction(0))
                 for k in range(c.n)]
        if total != fit:
            _reject(6, f"vertex {j}: sum_b alpha_b s_b D_b X v_b is not the fit")
        if not _linearly_independent([fits[b] for b, a in alpha.items() if a]):
            _reject(6, f"vertex {j}: the fits of its support are linearly dependent")


def check_gated(c: _Cert) -> None:
    """Check 9 (minor version 1.3, only with a ``gated`` section): :mod:`.gated`, imported
    here when called because it imports this module's helpers."""
    from .gated import check_gated as check

    check(c)


CHECKS = (check_patterns, check_completeness, check_upper, check_dual, check_claim,
          check_optimal_set, check_cover, check_output_bias, check_gated, check_enclosure,
          check_quadratic_cover, check_simplex_cover)


def _statement(c: _Cert) -> str:
    parts = [f"over the {c.P} listed patterns ({2 * c.P} blocks) the convex program's "
             f"optimal value p* satisfies lower <= p* <= upper, lower = {c.lower_text}, "
             f"upper = {c.upper_text}"]
    for name, value in c.bounds.items():
        model = (f"the network ({len(c.network[0])} neurons)" if name == "network"
                 else f"the {len(c.blocks)} blocks (C-objective)")
        parts.append(f"{model}: objective "
                     f"{'<=' if value <= c.upper else '> (not proved <=)'} upper")
    if c.cover is not None:
        kind = {7: "cover", 12: "quadratic cover", 13: "simplex cover"}[c.cover_check]
        parts.append("complete (global, by a %s proof of %d nodes, %d leaves): no network "
                     "of any width has objective below lower, so a model with objective <= "
                     "upper is within upper - lower of the global optimum"
                     % (kind, *c.cover_size)
                     + (" (lower == upper: globally optimal)" if c.lower == c.upper else ""))
    elif c.complete or c.bases is not None:  # check 2 passed: the list is complete
        parts.append("complete (global" + (", by gordan_bases" if c.bases is not None else "")
                 + "): no network of any width has objective below lower, "
                     "so a model with objective <= upper is within upper - lower of the "
                     "global optimum" + (" (lower == upper: globally optimal)"
                                         if c.lower == c.upper else ""))
    else:
        parts.append("not complete: the bounds concern the listed patterns only, not global")
    if c.optimal is not None:
        parts.append(f"optimal set: every optimum of this program is u_b = alpha_b v_b on the "
                     f"{len(c.optimal[1])} listed blocks with sum_b alpha_b s_b D_b X v_b = "
                     f"fit; the {len(c.optimal[2])} listed vertices are minimal optimal models")
    if c.output_bias is not None:
        parts.append(output_bias_statement(c, _short))
    if c.gated is not None:
        from .gated import gated_statement   # (see check_gated)

        parts.append(gated_statement(c))
    if c.enclosure is not None:
        parts.append(enclosure_statement(c, _short))
    return "; ".join(parts)
