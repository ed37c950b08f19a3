"""Minor version 1.3 of the certificate format: the ``gated`` section (gated ReLU).

Reading (:func:`read_gated`, MALFORMED on a bad shape) and check 9 (:func:`check_gated`)
of ``docs/spec/certificate-v1.md``, section "Minor version 1.3: gated ReLU", with the
same order of reads, budget charges and rejections as ``proofs_checks/check_cert.py``
(``tests/test_check_differential.py``, ``tests/test_gated.py``):

(a) the pattern ``1[X g >= 0]`` of every gate (zero rows 1) is listed in ``patterns.bits``;
(b) ``||X^T D r||^2 <= lam^2`` for every gate pattern ``D``, with no cone multipliers;
(c) ``U_net``, the exact gated NC objective of ``gated.network``, and ``U_blk``, the
    C-GReLU objective of ``gated.blocks`` with ``||v||`` replaced by ``norm_upper``
    (``norm_upper >= 0``, ``norm_upper^2 >= ||v||^2``); ``U_G`` the smaller;
(d) ``gated.claim.lower <= L`` (the dual bound of check 4), ``gated.claim.upper >= U_G``
    and ``lower <= upper``.

It imports nothing else from exactrelu (the checker's rule).
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any

import flint

from .budget import _integer_form, _max_bits, _reject, _require, _size
from .checks import _dot, _loss, _short       # checks runs this module's check at call time
from .reader import _Cert, _index, _Reader, _typed

__all__ = ["read_gated", "check_gated", "gated_statement"]


def _read_network(gs: dict, rd: _Reader, m: int, d: int) -> tuple:
    nt = _typed(gs["network"], dict, "gated.network", "gate", "W1", "w2")
    W1, idx = _typed(nt["W1"], list, "gated.network.W1"), nt["gate"]
    _require(type(idx) is list and len(idx) == len(W1), "gated.network.gate",
             f"expected a list of {len(W1)} gate indices")
    idx = [_index(j, m, f"gated.network.gate[{t}]") for t, j in enumerate(idx)]
    rows = [rd.vector(w, d, f"gated.network.W1[{t}]") for t, w in enumerate(W1)]
    return idx, rows, rd.vector(nt["w2"], len(W1), "gated.network.w2")


def _read_blocks(gs: dict, rd: _Reader, m: int, d: int) -> dict:
    blocks: dict[int, tuple] = {}
    for b, blk in enumerate(_typed(gs["blocks"], list, "gated.blocks")):
        here = f"gated.blocks[{b}]"
        j = _index(_typed(blk, dict, here, "gate", "v", "norm_upper")["gate"], m,
                   here + ".gate")
        _require(j not in blocks, here, f"gate {j} has a second block")
        blocks[j] = (rd.vector(blk["v"], d, here + ".v"),
                     rd.rational(blk["norm_upper"], here + ".norm_upper"))
    return blocks


def read_gated(c: _Cert, doc: dict, rd: _Reader) -> None:
    """Read the section into ``c.gated`` (None without it): gates, network, blocks, claim."""
    if "gated" not in doc:
        return
    gs = _typed(doc["gated"], dict, "gated", "gates", "claim")
    gates = _typed(gs["gates"], list, "gated.gates")
    _require(gates, "gated.gates", "expected at least one gate")
    G = [rd.vector(g, c.d, f"gated.gates[{j}]") for j, g in enumerate(gates)]
    net = _read_network(gs, rd, len(G), c.d) if "network" in gs else None
    blocks = _read_blocks(gs, rd, len(G), c.d) if "blocks" in gs else None
    _require(net is not None or blocks is not None, "gated",
             "at least one of 'network' and 'blocks' is required")
    cl = _typed(gs["claim"], dict, "gated.claim", "lower", "upper")
    c.gated = {"G": G, "network": net, "blocks": blocks, "text": (cl["lower"], cl["upper"]),
               "claim": (rd.rational(cl["lower"], "gated.claim.lower"),
                         rd.rational(cl["upper"], "gated.claim.upper"))}


def _gate_patterns(c: _Cert, G: list) -> list[str]:
    listed, pats = set(c.bits), []
    for j, g in enumerate(G):
        gi = _integer_form(g)[1]
        gb = _max_bits(gi)
        c.meter.charge(c.n * c.d, (max(c.bits_X, gb), min(c.bits_X, gb)), "the gates")
        p = "".join("1" if _dot(x, gi) >= 0 else "0" for x in c.Xi)
        if p not in listed:
            _reject(9, f"gate {j}: its pattern 1[X g >= 0] is not listed in patterns.bits")
        pats.append(p)
    return pats


def _gated_dual(c: _Cert, pats: list[str]) -> None:
    """(b) in integers, one python-flint product: ``S = P V`` with ``V_k = (Dr r_k)(Dx x_k)``
    and ``P`` the 0/1 gate patterns, so ``X^T D r Dx Dr = S``; compare squares."""
    distinct = sorted(set(pats))
    Dr, ri = _integer_form(c.r)
    cost_bits = _max_bits(ri) + c.bits_X + c.n.bit_length()
    c.meter.charge(len(distinct) * c.n * c.d, (cost_bits, 1), "the gated dual sums")
    V = flint.fmpz_mat([[ri[k] * x for x in c.Xi[k]] for k in range(c.n)])
    P = flint.fmpz_mat([[int(ch) for ch in p] for p in distinct])
    lam_sq = (c.lam.numerator * c.Dx * Dr) ** 2
    for p, S in zip(distinct, (P * V).tolist()):
        if sum(int(v) ** 2 for v in S) * c.lam.denominator ** 2 > lam_sq:
            _reject(9, f"gate pattern {p}: ||X^T D r||^2 > lam^2")


def _gated_fit(c: _Cert, pats: list[str], terms) -> list[Fraction]:
    """``sum over (gate j, vector w, scale a) of a D_j X w``."""
    fit = [Fraction(0)] * c.n
    for j, w, a in terms:
        p = pats[j]
        fit = [f + a * _dot(x, w) if p[k] == "1" else f for k, (f, x) in enumerate(zip(fit, c.X))]
    return fit


def _gated_bounds(c: _Cert, g: dict, pats: list[str]) -> dict:
    bounds, size_y = {}, _size(c.y)
    if g["network"] is not None:
        idx, W1, w2 = g["network"]
        size = c.size_X + size_y + _size([v for w in W1 for v in w] + list(w2))
        c.meter.charge(len(W1) * c.n * c.d, 2 * size, "the gated network objective",
                       fraction=True)
        penalty = sum((_dot(w, w) + a * a for w, a in zip(W1, w2)), Fraction(0))
        bounds["network"] = _loss(_gated_fit(c, pats, zip(idx, W1, w2)), c.y) \
            + c.lam * penalty / 2
    if g["blocks"] is not None:
        values = [x for v, nu in g["blocks"].values() for x in [*v, nu]]
        c.meter.charge(len(g["blocks"]) * c.n * c.d, 2 * (c.size_X + size_y + _size(values)),
                       "the gated blocks", fraction=True)
        for j, (v, nu) in g["blocks"].items():
            if nu < 0 or nu * nu < _dot(v, v):
                _reject(9, f"block of gate {j}: norm_upper is negative or its square is "
                        "< ||v||^2")
        terms = [(j, v, Fraction(1)) for j, (v, _) in g["blocks"].items()]
        bounds["blocks"] = _loss(_gated_fit(c, pats, terms), c.y) \
            + c.lam * sum((nu for _, nu in g["blocks"].values()), Fraction(0))
    return bounds


def check_gated(c: _Cert) -> None:
    """Check 9 (only with a ``gated`` section): (a)-(d) of the module doc."""
    g = getattr(c, "gated", None)
    if g is None:
        return
    pats = _gate_patterns(c, g["G"])
    _gated_dual(c, pats)
    g["bounds"] = bounds = _gated_bounds(c, g, pats)
    lower, upper = g["claim"]
    U = min(bounds.values())
    if lower > c.L:
        _reject(9, f"gated.claim.lower = {g['text'][0]} exceeds the dual bound "
                f"L = {_short(c.L)}")
    if upper < U:
        _reject(9, f"gated.claim.upper = {g['text'][1]} is below the gated bound "
                f"U = {_short(U)}")
    if lower > upper:
        _reject(9, "gated.claim.lower exceeds gated.claim.upper")


def gated_statement(c: _Cert) -> str:
    """The VERIFIED statement's gated part (only with the section)."""
    g: Any = c.gated
    lo, up = g["text"]
    out = [f"gated ReLU (1.3): over the {len(g['G'])} gates the gated convex program's "
           f"optimal value p*_G satisfies lower <= p*_G <= upper, lower = {lo}, "
           f"upper = {up}; no gated network whose gates have these patterns has objective "
           "below lower"]
    for name, value in g["bounds"].items():
        model = (f"the gated network ({len(g['network'][1])} neurons)" if name == "network"
                 else f"the {len(g['blocks'])} gated blocks")
        out.append(f"{model}: objective "
                   f"{'<=' if value <= g['claim'][1] else '> (not proved <=)'} upper")
    return "; ".join(out)
