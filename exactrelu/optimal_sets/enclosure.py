"""The optimal set at an irrational optimum, proved by enclosures (format minor version 1.5).

When the optimum of the convex program is irrational there is no exact residual to
describe the optimal set with (check 6).  What can still be proved, exactly
(``docs/spec/certificate-v1.md``, "Minor version 1.5"; check 11):

1. **Radius.** The dual objective is 1-strongly concave, so the optimal residual lies in
   the ball ``||r* - r||^2 <= 2 (U - L)`` around the certificate's dual point ``r``
   (``U`` its upper bound, ``L`` the dual value of ``r``); with a proved system (3) the
   ball only needs to reach the system's box, which is far smaller.
2. **Strictly inactive blocks.** A block whose projected correlation stays below ``lam``
   on that whole ball is not in ``E_lam`` (compared squared twice, no square roots).
   What is left are the *candidates*: ``E_lam`` is a subset of them.
3. **The support, by a Krawczyk box.** The KKT system of the refined support ``S'``
   (:mod:`exactrelu.optimal_sets.kkt_box`) has exactly one zero in a box of half-width
   ``delta`` around the refined point (Krawczyk's test, exact rationals), with
   ``alpha_b > 0``, multipliers ``>= 0`` and every other cone row strict on the box.
   With every non-candidate strictly inactive at that zero's residual, it *is* the
   optimum: ``S'`` is in the support, its fits are independent, ``r*`` is enclosed to
   ``~delta``.
4. **Twins.** A block whose pattern differs from a support block's only on that block's
   tight rows (a kink exactly at data points) carries the same neuron when the flipped
   rows' multipliers keep their sign on the box: it is in the support too, the optimal
   set is not a single point, and every choice of one block per group is a vertex.

When some candidate is neither in ``S'`` nor a twin (e.g. an active block whose fit
depends on the others' -- the optimum is degenerate), the system proves nothing about
optimality and is left out: the section then states (1) and (2) only, and the report
says which blocks are undecided and why.  Floats only choose ``C`` (a float inverse of
the Jacobian) and guess ``S'``; every claim is checked in exact arithmetic.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Sequence

from ..numbers import q_str
from ..problem import Block, ConvexProgram
from .kkt_box import KKTSystem, krawczyk_parts

__all__ = ["Enclosure", "optimal_set_enclosure", "enclosure_report"]

#: bits of the dyadic grid of the Krawczyk box's centre
CENTRE_BITS = 200


@dataclass(frozen=True)
class Enclosure:
    """What the section proves (module doc).  ``system`` is ``S'`` (empty when no Krawczyk
    box was proved, see ``reason``), ``twins`` maps a twin block to its system block,
    ``undecided`` are candidates that are neither; ``alpha`` / ``v`` are the centres and
    ``delta`` the half-width of the box; ``r_center`` and ``r_radius`` enclose ``r*``
    coordinate-wise (with a system), ``radius_sq`` bounds ``||r* - dual.r||^2``."""

    radius_sq: Fraction
    candidates: tuple
    system: tuple = ()
    tight: dict = field(default_factory=dict)
    twins: dict = field(default_factory=dict)
    mirrors: dict = field(default_factory=dict)
    pairs: tuple = ()
    undecided: tuple = ()
    alpha: dict = field(default_factory=dict)
    v: dict = field(default_factory=dict)
    delta: Fraction | None = None
    r_center: tuple = ()
    r_radius: tuple = ()
    reason: str = ""
    section: dict = field(default_factory=dict)

    @property
    def decided(self) -> bool:
        """``E_lam = S_lam = candidates`` is proved."""
        return bool(self.system) and not self.undecided

    @property
    def unique(self) -> bool | None:
        """The uniqueness verdict: ``None`` when not decided."""
        if (self.twins or self.mirrors) and self.system:
            return False        # a twin or mirror can take mass: never unique
        return (not self.twins) if self.decided else None

    def groups(self) -> dict:
        """``{b: [b, twins of b...]}`` for the system blocks."""
        out = {b: [b] for b in self.system}
        for c, b in self.twins.items():
            out[b].append(c)
        return out

    def vertex_count(self) -> int | None:
        """The number of vertices (``None`` when mirrors make it unknown)."""
        if self.mirrors:
            return None
        return math.prod(len(g) for g in self.groups().values()) if self.system else 0


# ------------------------------------------------------------------------------ helpers

def _dyadic_up(x: Fraction, bits: int = 8) -> Fraction:
    """A dyadic ``>= x > 0`` with about ``bits`` significant bits."""
    e = x.numerator.bit_length() - x.denominator.bit_length() - bits
    scale = Fraction(2) ** e
    return Fraction(math.ceil(x / scale)) * scale


def _krawczyk(F: list, J: list, G: list, c_bits: int):
    """``(C, delta)`` passing Krawczyk's test for ``F(z~)``, ``J(z~)``, ``G``, or ``None``."""
    from ._krawczyk_float_guess import float_preconditioner

    C = float_preconditioner(J, c_bits)          # floats only choose C (any C is sound)
    if C is None:
        return None
    cf, rs, h = krawczyk_parts(F, J, G, C)
    worst = max(rs)
    if worst >= Fraction(1, 2):
        return None
    a = max(cf)
    # margin_i = delta (1 - rs_i) - cf_i - delta^2 h_i > 0: delta = 4 a / (1 - rs) works
    # while delta h stays small; grow it a few times if the quadratic term bites
    delta = _dyadic_up(max(4 * a / (1 - worst), Fraction(1, 2 ** 1200)))
    for _ in range(8):
        if all(delta * (1 - r) - c - delta * delta * hh > 0 for c, r, hh in zip(cf, rs, h)):
            return C, delta
        delta *= 16
    return None


def _box_facts(sysm: KKTSystem, z: list, delta: Fraction) -> str:
    """Check (a)'s sign conditions on the box; ``""`` when they hold, else why not."""
    X = sysm.X
    for b, (v, rho, a) in sysm.parts(z).items():
        if a - delta <= 0:
            return f"alpha of block {b} is not positive on the box"
        if any(x - delta < 0 for x in rho):
            return f"a multiplier of block {b} is not >= 0 on the box"
        T = set(sysm.T[b])
        for k in range(sysm.n):
            if k in T or not any(X[k]):
                continue
            ak = sysm.cone_row(b, k)
            if sum(p * q for p, q in zip(ak, v)) - delta * sum(abs(p) for p in ak) <= 0:
                return f"row {k} of block {b} is not strict on the box"
    return ""


def _r_box(sysm: KKTSystem, z: list, delta: Fraction) -> tuple[list, list]:
    """``(r(z~), e)``: ``|r(z)_k - r(z~)_k| <= e_k`` on the box (spec, check 11 (a))."""
    X = sysm.X
    xl1 = [sum(abs(p) for p in x) for x in X]
    e = [Fraction(0)] * sysm.n
    for b, (v, _, a) in sysm.parts(z).items():
        for k in range(sysm.n):
            if sysm.D[b][k]:
                xv = sum(p * q for p, q in zip(X[k], v))
                e[k] += delta * abs(xv) + (abs(a) + delta) * xl1[k] * delta
    return sysm.residual(z), e


def _inactive_test(lam2: Fraction, eps2: Fraction, Aq: Fraction, xsum: Fraction) -> bool:
    """``sqrt(Aq) + sqrt(eps2 xsum) < lam``, squared twice (spec, check 11 (c))."""
    B = eps2 * xsum
    t = lam2 + B - Aq
    return B < lam2 and t > 0 and 4 * lam2 * B < t * t


def _q_sq(program: ConvexProgram, corr: list, den: int, block: Block, rho: dict) -> Fraction:
    """``||s X^T D_i r + sum_k rho_k a_k||^2`` from the exact correlations."""
    i, s = block
    bits = program.patterns.bits[i]
    q = [Fraction(s * c, den) for c in corr[i]]
    for k, val in rho.items():
        sg = 1 if bits[k] == "1" else -1
        q = [a + sg * val * x for a, x in zip(q, program.data.X[k])]
    return sum(a * a for a in q)


# ------------------------------------------------------------------------------ producer

@dataclass
class _Box:
    """A proved Krawczyk box: the system, its centre ``z``, ``C``, ``delta`` and the
    residual box ``r_c +- e``."""

    sysm: KKTSystem
    z: list
    C: list
    delta: Fraction
    r_c: list
    e: list


def _system_box(program: ConvexProgram, refinement, c_bits: int) -> tuple[_Box | None, str]:
    """Check (a) for the refined KKT system: the box, or ``None`` and why not."""
    if refinement is None or not refinement.support:
        return None, "no refined KKT solution (the float solve did not refine)"
    data = program.data
    sysm = KKTSystem(data.X, data.y, program.lam, program.patterns.bits,
                     refinement.support, refinement.tight)
    # the centre on a 2^-200 grid: the box stays ~1e-58 wide, the file short
    z = [Fraction(round(x * 2 ** CENTRE_BITS), 2 ** CENTRE_BITS)
         for x in sysm.point(refinement.parts)]
    # a short C keeps the section small (N^2 entries); longer ones when the test needs it
    F = sysm.F(z)
    J, G = sysm.J_and_G(z)
    kz = None
    for bits in (20, c_bits, 53):
        kz = _krawczyk(F, J, G, bits)
        if kz is not None:
            break
    if kz is None:
        return None, "Krawczyk's test failed for the refined KKT system"
    C, delta = kz
    why = _box_facts(sysm, z, delta)
    if why:
        return None, why
    r_c, e = _r_box(sysm, z, delta)
    return _Box(sysm, z, C, delta, r_c, e), ""


def _rho_norms(program: ConvexProgram, corr: list, den: int, rho: dict) -> dict:
    """``{b: ||s X^T D_i r + sum_k rho_k a_k||^2}`` for the blocks with multipliers: the
    sums ``sum_k rho_k a_k`` of all of them in one rational matrix product (flint)."""
    import flint

    from ..linalg import fq, fr

    keys = [b for b, vals in rho.items() if vals]
    if not keys:
        return {}
    n, d, bits = program.data.n, program.data.d, program.patterns.bits
    R = flint.fmpq_mat(len(keys), n)
    for t, (i, _) in enumerate(keys):
        for k, val in rho[(i, _)].items():
            R[t, k] = fq(val if bits[i][k] == "1" else -val)
    T = R * flint.fmpq_mat(n, d, [fq(x) for row in program.data.X for x in row])
    out = {}
    for t, (i, s) in enumerate(keys):
        q = [flint.fmpq(s * corr[i][j], den) + T[t, j] for j in range(d)]
        out[(i, s)] = fr(sum((x * x for x in q), flint.fmpq(0)))
    return out


def _candidates(program: ConvexProgram, r: list, rho: dict, eps2: Fraction
                ) -> tuple[list, dict]:
    """Check (c): blocks NOT proved strictly inactive on the ball ``||r' - r||^2 <=
    eps2``, and the exact projection multipliers that proved others where ``rho`` (the
    certificate's, possibly loose) did not.  The correlations ``X^T D_i r`` and the sums
    ``sum_{active k} ||x_k||^2`` come from two integer matrix products (python-flint); a
    block without multipliers has ``||q||^2 = ||C_i||^2 / den^2`` for both signs."""
    import flint

    from ..certificate.dual_bound import exact_correlation_norms
    from ..cones import cone_matrix, project
    from ..linalg import int_matrix

    X, lam2, bits_all = program.data.X, program.lam ** 2, program.patterns.bits
    corr, den = exact_correlation_norms(program, r)
    Z, L = int_matrix(X)
    P = flint.fmpz_mat([[1 if ch == "1" else 0 for ch in b] for b in bits_all])
    xs = P * flint.fmpz_mat([[sum(z * z for z in row)] for row in Z])
    with_rho = _rho_norms(program, corr, den, rho)
    cands, overrides = [], {}
    for i, bits in enumerate(bits_all):
        xsum = Fraction(int(xs[i, 0]), L * L)
        plain = Fraction(sum(c * c for c in corr[i]), den * den)
        for s in (1, -1):
            b = (i, s)
            aq = with_rho.get(b, plain)
            if _inactive_test(lam2, eps2, aq, xsum):
                continue
            pr = project(cone_matrix(X, bits), [Fraction(s * c, den) for c in corr[i]])
            best = {k: v for k, v in pr.rho.items() if v}
            if _inactive_test(lam2, eps2, _q_sq(program, corr, den, b, best), xsum):
                overrides[b] = best
            else:
                cands.append(b)
    return cands, overrides


def _twins(program: ConvexProgram, box: _Box, cands: list) -> tuple[dict, list]:
    """Check (d): ``({twin: system block}, undecided)`` among the candidates."""
    sysm, bits, n = box.sysm, program.patterns.bits, program.data.n
    P = sysm.parts(box.z)
    twins, undecided = {}, []
    for c in cands:
        if c in sysm.off:
            continue
        for b in sysm.S:
            if b[1] != c[1]:
                continue
            F = [k for k in range(n) if bits[b[0]][k] != bits[c[0]][k]]
            T = sysm.T[b]
            if F and all(k in T for k in F) and all(
                    P[b][1][T.index(k)] + box.delta + b[1] * box.r_c[k] + box.e[k] <= 0
                    for k in F):
                twins[c] = b
                break
        else:
            undecided.append(c)
    cset = set(cands)
    undecided.extend(b for b in sysm.S if b not in cset)   # (e); not for a true optimum
    return twins, undecided


def _complementary_off(bits_b: str, bits_c: str, T, X) -> bool:
    """Patterns complementary on every nonzero row outside ``T``."""
    return all(k in T or not any(X[k]) or bits_b[k] != bits_c[k] for k in range(len(X)))


def _pairs(program: ConvexProgram, box: _Box) -> list | None:
    """Check (d'): ``d`` pairs of system blocks (same sign and tight rows, complementary
    patterns off them) whose directions prove ``X^T r* = 0``, as index pairs; or ``None``."""
    import flint

    from ..linalg import fq, fr

    sysm, bits, X, d = box.sysm, program.patterns.bits, program.data.X, program.data.d
    S = sysm.S
    P = sysm.parts(box.z)
    found = [(j, jj) for j in range(len(S)) for jj in range(j + 1, len(S))
             if S[j][1] == S[jj][1] and set(sysm.T[S[j]]) == set(sysm.T[S[jj]])
             and _complementary_off(bits[S[j][0]], bits[S[jj][0]], set(sysm.T[S[j]]), X)]
    chosen, rows = [], []
    for j, jj in found:          # greedy: keep a pair when its direction is independent
        trial = rows + [list(P[S[j]][0])]
        if len(trial) <= d and flint.fmpq_mat(len(trial), d,
                                               [fq(x) for row in trial for x in row]).rank() == len(trial):
            chosen.append((j, jj))
            rows = trial
    if len(chosen) < d:
        return None
    Minv = flint.fmpq_mat(d, d, [fq(x) for row in rows for x in row]).inv()
    norm = max(sum(abs(fr(Minv[i, l])) for l in range(d)) for i in range(d))
    n = program.data.n
    Q = max(abs(sum(X[k][l] * box.r_c[k] for k in range(n)))
            + sum(abs(X[k][l]) * box.e[k] for k in range(n)) for l in range(d))
    return chosen if d * norm * (Q / 2 + box.delta) < 1 else None


def _mirror_ok(program: ConvexProgram, box: _Box, b: tuple, c: tuple) -> bool:
    """Check (d') for one candidate ``c`` as a mirror of system block ``b``."""
    bits, X = program.patterns.bits, program.data.X
    T = box.sysm.T[b]
    if b[1] != c[1] or not _complementary_off(bits[b[0]], bits[c[0]], set(T), X):
        return False
    rho = box.sysm.parts(box.z)[b][1]
    s = b[1]
    for t, k in enumerate(T):
        Db, Dc = bits[b[0]][k] == "1", bits[c[0]][k] == "1"
        sb, sc, delta_k = (1 if Db else -1), (1 if Dc else -1), 1 - int(Dc) - int(Db)
        lo = sc * (-sb * rho[t] + s * delta_k * box.r_c[k]) - box.delta - abs(delta_k) * box.e[k]
        if lo < 0:
            return False
    return True


def _section(cands: list, overrides: dict, box: _Box | None, twins: dict,
             pairs: list | None = None, mirrors: dict | None = None) -> dict:
    """The JSON section (spec layout)."""
    section: dict = {"candidates": [{"pattern": i, "sign": s} for i, s in cands]}
    if overrides:
        section["rho"] = [{"pattern": i, "sign": s,
                           "values": {str(k): q_str(v) for k, v in sorted(vals.items())}}
                          for (i, s), vals in sorted(overrides.items())]
    if box is not None:
        sysm = box.sysm
        section["system"] = {
            "blocks": [{"pattern": b[0], "sign": b[1], "tight": list(sysm.T[b])}
                       for b in sysm.S],
            "center": [q_str(x) for x in box.z], "delta": q_str(box.delta),
            "C": [[q_str(x) for x in row] for row in box.C]}
        idx = {b: j for j, b in enumerate(sysm.S)}
        if twins:
            section["twins"] = [{"pattern": c[0], "sign": c[1], "of": idx[b]}
                                for c, b in twins.items()]
        if mirrors:
            section["pairs"] = [list(p) for p in pairs]
            section["mirrors"] = [{"pattern": c[0], "sign": c[1], "of": idx[b]}
                                  for c, b in mirrors.items()]
    return section


def _decide(program: ConvexProgram, refinement, r: list, rho: dict, c_bits: int):
    """Steps 3-5 of the module doc for one refined KKT solution: ``(box, eps2, cands,
    overrides, twins, mirrors, pairs, "")`` when every candidate is explained, else
    ``(None, ..., reason)``."""
    box, reason = _system_box(program, refinement, c_bits)
    if box is None:
        return None, None, None, None, {}, {}, None, reason
    # with a proved system r* = r(z*) (spec, check 11): the ball around dual.r only
    # needs to reach the residual box, whatever the duality gap
    eps2 = sum((abs(a - b) + t) ** 2 for a, b, t in zip(box.r_c, r, box.e))
    cands, overrides = _candidates(program, r, rho, eps2)
    twins, undecided = _twins(program, box, cands)
    mirrors, pairs = {}, None
    if undecided:
        pairs = _pairs(program, box)
    if undecided and pairs is not None:       # X^T r* = 0 proved: mirrors may explain
        still = []
        for c in undecided:
            b = next((b for b in box.sysm.S if _mirror_ok(program, box, b, c)), None)
            if b is None:
                still.append(c)
            else:
                mirrors[c] = b
        undecided = still
    if undecided:
        return None, None, None, None, {}, {}, None, (
            f"{len(undecided)} candidate block(s) are neither in the KKT system nor ties of "
            "it (a degenerate optimum: their activity is an exact coincidence that a box "
            "cannot decide)")
    return box, eps2, cands, overrides, twins, mirrors, pairs, ""


def _dual_refinement(program: ConvexProgram, r: list, cands: list):
    """A refined KKT solution on a support chosen at the dual point ``r``
    (:func:`~exactrelu.optimal_sets._krawczyk_float_guess.dual_basis_guess`), or ``None``."""
    from ..rational_optimum import _newton, _refinement
    from ._krawczyk_float_guess import dual_basis_guess

    guess = dual_basis_guess(program, r, cands)
    if guess is None:
        return None
    S, T, v0, rho0, a0 = guess
    out = _newton(program, S, T, [float(x) for x in r], v0, rho0, a0, digits=120)
    return None if out is None else _refinement(program, S, T, out[1], 120)


def optimal_set_enclosure(program: ConvexProgram, refinement, r: Sequence[Fraction],
                          rho: dict, upper: Fraction, *, c_bits: int = 40) -> Enclosure:
    """The ``optimal_set_enclosure`` section for the certificate with dual point ``r``,
    multipliers ``rho`` (``{(i, s): {k: value}}``) and ``claim.upper = upper``, using
    the refined KKT solution ``refinement`` (:class:`exactrelu.rational_optimum.Refinement`,
    or ``None``).  When that solution's box fails or leaves a candidate unexplained, a
    second support is guessed at the dual point itself (a vertex of the fits of the
    candidates) and refined.  See the module doc; worked instances are in
    ``tests/test_enclosure.py``."""
    data = program.data
    r = list(r)
    L = sum(a * b for a, b in zip(r, data.y)) - sum(a * a for a in r) / 2
    box, eps2, cands, overrides, twins, mirrors, pairs, reason = _decide(
        program, refinement, r, rho, c_bits)
    if box is None:
        # the statement so far rests on the duality-gap ball alone
        eps2 = 2 * (upper - L)
        cands, overrides = _candidates(program, r, rho, eps2)
        second = _dual_refinement(program, r, cands) if cands else None
        if second is not None:
            got = _decide(program, second, r, rho, c_bits)
            if got[0] is not None:
                box, eps2, cands, overrides, twins, mirrors, pairs, reason = got
    section = _section(cands, overrides, box, twins, pairs, mirrors)
    if box is None:
        return Enclosure(radius_sq=eps2, candidates=tuple(cands), undecided=tuple(cands),
                         reason=reason, section=section)
    sysm = box.sysm
    parts = sysm.parts(box.z)
    return Enclosure(
        radius_sq=eps2, candidates=tuple(cands), system=tuple(sysm.S),
        tight={b: tuple(sysm.T[b]) for b in sysm.S}, twins=twins, mirrors=mirrors,
        pairs=tuple(tuple(sysm.S[j] for j in p) for p in pairs) if mirrors else (),
        alpha={b: p[2] for b, p in parts.items()}, v={b: tuple(p[0]) for b, p in parts.items()},
        delta=box.delta, r_center=tuple(box.r_c), r_radius=tuple(box.e), section=section)


# ------------------------------------------------------------------------------ reading

def enclosure_report(doc: dict, *, max_vertices: int = 100,
                     time_limit: float | None = None, progress: bool = False) -> dict:
    """What the ``optimal_set_enclosure`` section of the certificate ``doc`` (parsed
    JSON) proves, as a plain JSON-ready dict: the library checker runs every check first
    (:func:`exactrelu.certificate.check.enclosure.enclosure_facts`; anything but VERIFIED
    raises ``ValueError``) and its facts are formatted here.  Keys: ``candidates``
    (blocks as ``[bits, sign]``), ``decided``, ``unique``; with a system ``support`` =
    ``equicorrelated`` (= the candidates), ``alpha`` (per support block ``{"block", "lo",
    "hi"}``), ``groups`` (each support block with its twins, as indices into
    ``support``), ``mirrors`` (blocks carrying ``-v``, proved when ``X^T r* = 0``;
    ``xtr_zero``, ``pairs``), ``vertex_count``, ``all_vertices`` (``vertex_count``
    ``None`` when false, ``vertices_reason`` says why), ``twin_swap_vertices`` and up to
    ``max_vertices`` ``vertices`` (one block per group); with mirrors also
    ``mirror_groups``, ``reduced_vertices`` and ``reduced_vertex_count`` (the vertices in
    group coordinates, proved by :mod:`exactrelu.optimal_sets.mirror_vertices` or, when
    they are a box cut by slabs, :mod:`exactrelu.optimal_sets.slab_vertices` within
    ``time_limit`` seconds; when not proved, ``vertices`` are the system vertex's twin
    swaps); without a system
    ``radius_sq`` (of the ball around ``dual.r``), ``radius_float`` (display) and
    ``undecided``."""
    from itertools import islice, product

    from ..certificate.check.enclosure import enclosure_facts

    f = enclosure_facts(doc)
    bits = doc["patterns"]["bits"]
    show = lambda b: [bits[b[0]], b[1]]                 # noqa: E731
    out: dict = {"candidates": [show(b) for b in f["candidates"]]}
    if f["system"] is None:
        rad = f["radius_sq"]
        out.update(decided=False, unique=None, radius_sq=q_str(rad),
                   radius_float=math.sqrt(float(rad)),
                   undecided=[show(b) for b in f["candidates"]])
        return out
    blocks, mirrors = f["system"], f.get("mirrors", {})
    groups = [[b] + list(f["twins"][b]) for b in blocks]
    support = [b for g in groups for b in g] + list(mirrors)
    idx = {b: j for j, b in enumerate(support)}
    alpha = [f["alpha"][b] for b in blocks]
    verts = [{"blocks": [idx[b] for b in choice],
              "alpha": {str(idx[b]): [q_str(lo), q_str(hi)]
                        for b, (lo, hi) in zip(choice, alpha)}}
             for choice in islice(product(*groups), max_vertices)]
    out.update(
        decided=True, unique=f["unique"], all_vertices=not mirrors,
        support=[show(b) for b in support], equicorrelated=[show(b) for b in support],
        mirrors=[{"block": idx[b], "of": idx[j]} for b, j in mirrors.items()],
        xtr_zero=bool(mirrors), pairs=len(f["v"][blocks[0]]) if mirrors else 0,
        delta=q_str(f["delta"]), delta_float=float(f["delta"]),
        alpha=[{"block": show(b), "lo": q_str(lo), "hi": q_str(hi)}
               for b, (lo, hi) in zip(blocks, alpha)],
        groups=[[idx[b] for b in g] for g in groups],
        twin_swap_vertices=f["vertices"],
        vertex_count=None if mirrors else f["vertices"], vertices=verts,
        neurons_per_vertex=len(blocks), vertices_reason="")
    if mirrors:                         # the vertices of the reduced polytope, proved
        from .mirror_vertices import mirror_report

        out.update(mirror_report(f, doc, groups, idx, max_vertices, time_limit, progress))
    return out
