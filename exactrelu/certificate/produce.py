"""Certify the global optimum of ReLU training: patterns -> float solve -> exact bounds.

Pipeline of :func:`certify`:

1. the activation patterns (all regions with a completeness proof, or a sample);
2. the numeric solve (Clarabel, :mod:`exactrelu.approx.solver`) -- untrusted;
3. exact lower bound by weak duality (:mod:`exactrelu.certificate.dual_bound`);
4. exact upper bound: the NC objective of a rational network (the given one, or the
   solve mapped C -> NC with dyadic scales), computed exactly;
5. when possible, the exact optimum (:mod:`exactrelu.rational_optimum`): ``lower == upper``;
   when the optimum is irrational (the normal case on real data), the KKT solution of the
   guessed support refined to ~120 digits gives the dual residual and the blocks instead
   of the float solve (typical gap 1e-32 instead of 1e-12; still proved by steps 3-4);
6. the certificate (format v1), which ``proofs_checks/check_cert.py`` re-checks with
   nothing but the standard library.

With every pattern (``complete``) the bounds hold for the NC training problem over
every width (Pilanci & Ergen 2020): ``upper - lower`` bounds the distance of the
returned (or given) network to the global optimum.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any


from .._version import __version__
from ..errors import DomainError, ExactReluError, InputError
from ..numbers import sqnorm, sqrt_bounds
from ..arrangement import (MAX_REGIONS, PatternSet, enumerate_patterns, network_patterns,
                           sample_patterns)
from ..problem import ConvexProgram, Dataset, to_double

__all__ = ["CertifyResult", "certify", "improvement_hint"]


@dataclass
class CertifyResult:
    certificate: dict
    lower: Fraction
    upper: Fraction
    exact: bool
    complete: bool
    patterns: int
    active_neurons: int
    seconds: float
    timings: dict = field(default_factory=dict)
    network: Any = None
    hint: dict | None = None
    program: Any = None              # the ConvexProgram that was solved
    exact_optimum: Any = None        # its exact optimum (exactrelu.rational_optimum), when found
    route: str = "regions"           # regions (region list) or cover (format 1.1)
    tree_nodes: int | None = None    # cover route: nodes of the cover trees (both signs)

    @property
    def gap(self) -> Fraction:
        return self.upper - self.lower


def _float_blocks(sol, active) -> dict:
    out = {}
    for (i, s) in active:
        out[(i, s)] = sol.U[i, 0 if s == 1 else 1]
    return out


def _pattern_set(data: Dataset, network, sample: int | None, seed: int,
                 progress: bool | None, max_regions: int | None = MAX_REGIONS
                 ) -> tuple[PatternSet, bool]:
    """Step 1: every region (``complete``; refused beyond ``max_regions``), or the
    patterns of ``sample`` random gates plus those of the given network's neurons."""
    if sample is None:
        return enumerate_patterns(data.X, progress=progress, max_regions=max_regions), True
    extra: tuple[str, ...] = ()
    if network is not None:
        nps, _ = network_patterns(data.X, network.W1)
        extra = nps.bits
    sps = sample_patterns(data.X, sample, seed=seed, include=extra, progress=progress)
    if network is not None:
        return PatternSet(data.n, data.d, nps.bits + sps.bits,
                          nps.witnesses + sps.witnesses), False
    return sps, False


def _checked_lam(lam, network, data: Dataset) -> Fraction:
    """``lam`` as a positive Fraction, and a network that fits the data's columns."""
    lam = Fraction(lam)
    if lam <= 0:
        raise ExactReluError("lam must be positive")
    if network is not None and network.d is not None and network.d != data.d:
        raise ExactReluError(f"the network has {network.d} inputs but the data has {data.d} "
                             f"columns{' (including the bias column)' if data.bias else ''}")
    return lam


@dataclass
class _Bounds:
    """Steps 3-5: the dual certificate (``r``, ``rho``, ``lower``), the rational blocks
    with upper bounds of their norms, their C-objective bound and the network they map
    to (``prod``), and the exact optimum when one was found."""

    r: Any
    rho: Any
    lower: Fraction
    blocks: dict | None
    upper_blocks: Fraction | None
    prod: Any
    exact_opt: Any
    refinement: Any = None   # the refined KKT solution of an irrational optimum, if any


def _rounded_blocks(program: ConvexProgram, sol, bits: int) -> dict:
    """The float blocks rounded to dyadics; a block that rounding pushed out of its cone
    is projected back exactly (so its neuron lies in the closed cone of its pattern)."""
    from ..cones import cone_matrix, project
    from .dual_bound import dyadic

    data, ps = program.data, program.patterns
    qb = {b: tuple(dyadic(x, bits) for x in u) for b, u in _float_blocks(sol, sol.active).items()}
    qb = {b: u for b, u in qb.items() if any(u)}
    for b, u in list(qb.items()):
        if program.cone_violation(b[0], u) is not None:
            v = tuple(project(cone_matrix(data.X, ps.bits[b[0]]), u).v)
            if any(v):
                qb[b] = v
            else:
                del qb[b]
    return qb


def _bounds(program: ConvexProgram, sol, *, exact: bool, bits: int) -> _Bounds:
    """Exact lower bound by weak duality, and rational models for the upper bound: the
    exact optimum when it is rational (``lower == upper``), else the rounded solve, or
    the KKT solution refined far beyond float precision when that is closer."""
    from ..conversions import convex_to_network
    from .dual_bound import exact_dual_bound

    data, ps, lam = program.data, program.patterns, program.lam
    dual = exact_dual_bound(program, sol.residual, sol.rho, bits=bits)
    exact_opt = refined = None
    if exact:
        from ..rational_optimum import optimum_or_refinement

        exact_opt, refinement = optimum_or_refinement(program, sol)
        if refinement is not None:
            refined = _refined_bounds(program, refinement, bits, sol.rho)
    if exact_opt is not None:
        blocks = {b: (u, exact_opt.norms[b]) for b, u in exact_opt.blocks.items()}
        prod = convex_to_network(exact_opt.blocks, patterns=ps, d=data.d)
        return _Bounds(exact_opt.r, exact_opt.rho, exact_opt.value, blocks, exact_opt.value,
                       prod, exact_opt)
    qb = _rounded_blocks(program, sol, bits)
    bd = _upper_models(program, qb, bits, dual)
    if refined is None:
        return bd
    # the dual and the primal side are independent proofs: keep the better of each
    lo = refined if refined.lower > bd.lower else bd
    # the refined blocks are kept when they are better AND their common denominator stays
    # moderate: blocks projected back into their cones get distinct large denominators,
    # and the checkers' cost of the network objective grows with their lcm (a certificate
    # over the default budget would not be written at all)
    up = refined if refined.upper_blocks is not None and (
        bd.upper_blocks is None or refined.upper_blocks < bd.upper_blocks) and \
        _den_bits(refined) <= 2 * _den_bits(bd) + 4 * bits else bd
    return _Bounds(lo.r, lo.rho, lo.lower, up.blocks, up.upper_blocks, up.prod, None,
                   refinement)


def _den_bits(bd: _Bounds) -> int:
    """Bits of the common denominator of the listed blocks' entries."""
    from ..linalg import lcm_den

    if not bd.blocks:
        return 0
    return lcm_den(a for u, _ in bd.blocks.values() for a in u).bit_length()


def _upper_models(program: ConvexProgram, qb: dict, bits: int, dual) -> _Bounds:
    """Bounds from the dual ``dual`` and the rational blocks ``qb`` (each in its cone):
    the blocks' C objective with norms bounded from above, and the network they map to."""
    from ..conversions import convex_to_network

    data, lam = program.data, program.lam
    prod = convex_to_network(qb, patterns=program.patterns, d=data.d) if qb else None
    blocks = upper_blocks = None
    if qb:      # every block now lies in its cone exactly; norms bounded from above
        blocks = {b: (u, sqrt_bounds(sqnorm(u), 2 * bits)[1]) for b, u in qb.items()}
        upper_blocks = program.loss({b: u for b, (u, _) in blocks.items()}) + \
            lam * sum(nu for _, nu in blocks.values())
    return _Bounds(dual.r, dual.rho, dual.lower, blocks, upper_blocks, prod, None)


def _refined_bounds(program: ConvexProgram, ref, bits: int, rho_guess) -> _Bounds:
    """Bounds from the refined KKT solution of an irrational optimum: its residual and
    blocks rounded to ``3 bits`` bits, blocks projected into their cones exactly where
    rounding left them, multipliers of violated blocks by exact projection.  Every claim
    is still proved exactly; the refinement only makes the guess better (typically a gap
    of 1e-30 instead of 1e-12)."""
    from ..cones import cone_matrix, project
    from .dual_bound import exact_dual_bound

    hb = 3 * bits
    one = 1 << hb
    rnd = lambda x: Fraction(round(x * one), one)   # noqa: E731 - exact dyadic rounding
    dual = exact_dual_bound(program, [rnd(x) for x in ref.r], rho_guess, bits=hb,
                            project_violators=True)
    qb = {}
    for b, u in ref.blocks.items():
        u = tuple(rnd(x) for x in u)
        if program.cone_violation(b[0], u) is not None:
            u = tuple(project(cone_matrix(program.data.X, program.patterns.bits[b[0]]), u).v)
        if any(u):
            qb[b] = u
    return _upper_models(program, qb, hb, dual)


def _listed_models(program: ConvexProgram, bd: _Bounds, network, bits: int,
                   complete: bool = False):
    """``(net, include_net, include_blocks, upper)``: the network handed out and which
    models the certificate lists.  Check 3 bounds the SMALLEST listed objective, so the
    claim covers every model handed out only when it is at least each of theirs:

    * a given network: only that network; upper = its exact NC objective;
    * an exact optimum: the exact blocks (norms alpha_b lam, so upper == lower), plus
      the network only when its scales are rational (then it attains the optimum);
    * otherwise: the rational network and, when every rounded block lies in its cone,
      the blocks; upper = the larger of the two, so both are within the gap."""
    from ..networks import Network

    data = program.data
    if network is not None:
        net = network
    elif bd.prod is not None:
        prod = bd.prod
        if bd.exact_opt is None and complete and _denominator_bits(
                [a for _, _, u in prod.blocks for a in u]) > MAX_NETWORK_DENOMINATOR_BITS:
            prod = _on_grid(prod, 3 * bits + 16)
        net = prod.to_network_approx(bits) if bd.exact_opt is None or \
            not prod.is_exact() else prod.to_network()
    else:
        net = Network((), (), data.bias, data.d)
    upper_net = net.nc_objective(data, program.lam)
    if network is not None:
        return net, True, None, upper_net
    if bd.exact_opt is not None:
        include_net = upper_net == bd.upper_blocks or not bd.blocks
        return net, include_net, bd.blocks, bd.upper_blocks if bd.blocks else upper_net
    if bd.blocks and _blocks_too_costly(program, bd.blocks):
        return net, True, None, upper_net      # the blocks are optional here (see above)
    upper = max(upper_net, bd.upper_blocks) if bd.upper_blocks is not None else upper_net
    return net, True, bd.blocks, upper


#: above this many bits of distinct denominators in the blocks behind the network (about
#: 100 neurons with their own 150-bit denominators), the network is built from the
#: blocks rounded to one dyadic grid: its fits then stay as short as one neuron's in
#: check 3 (random targets, n = 120, 599 neurons: the estimated cost of the network
#: objective was over the checkers' budget, so certify refused to write)
MAX_NETWORK_DENOMINATOR_BITS = 1 << 14


def _denominator_bits(values) -> int:
    return sum(q.bit_length() for q in {Fraction(v).denominator for v in values})


def _on_grid(prod, grid: int):
    """``prod`` with every block rounded down to the grid ``2^-grid`` (an NC upper bound of
    any network is valid; the objective moves by ``O(2^-grid)``)."""
    from dataclasses import replace

    one = 1 << grid
    return replace(prod, blocks=tuple(
        (b, s, tuple(Fraction(math.floor(a * one), one) for a in u)) for b, s, u in prod.blocks))


def _blocks_too_costly(program: ConvexProgram, blocks) -> bool:
    """Would check 3's block objective cost over a quarter of the checkers' budget (their
    own cost model: ``m n d`` Fraction operations at twice the size of X, y and the
    blocks)?  The blocks are then not listed: the network alone bounds the optimum."""
    from .check.budget import WORK_LIMIT_NS, _size

    vals = [v for u, nu in blocks.values() for v in (*u, nu)]      # {(i, s): (u, nu)}
    data = program.data
    b = 2 * (_size([v for x in data.X for v in x]) + _size(list(data.y)) + _size(vals)) / 64
    return len(blocks) * data.n * data.d * (4000 + 10 * b * b) > WORK_LIMIT_NS / 4


def certify(data: Dataset, lam: Fraction, *, network=None, sample: int | None = None,
            seed: int = 0, exact: bool = True, progress: bool | None = None,
            bits: int = 48, tol: float = 1e-11, vertex_limit: int = 10000,
            max_regions: int | None = MAX_REGIONS, route: str = "auto",
            gap: Any = Fraction(1, 10 ** 6), jobs: int = 1,
            output_bias: bool = False, leaves: str = "quadratic",
            compact: bool = True, time_limit: float | None = None,
            cover: str = "auto") -> CertifyResult:
    """Bounds on the global optimum with an exact certificate (see the module doc).

    ``network``: a :class:`exactrelu.networks.Network` whose exact NC objective is the
    upper bound (certify a trained model).  ``sample``: use the patterns of that many
    random gates (plus the network's) instead of all regions: the bounds then hold for
    the convex program over those patterns only (``complete`` false).  ``max_regions``:
    the region budget of the enumeration (:func:`exactrelu.arrangement.enumerate_patterns`).
    ``route``/``gap``: regions (this pipeline), cover or auto, see
    :mod:`exactrelu.certificate.cover_certify` (format 1.1, no enumeration);
    ``leaves``: ``"quadratic"`` lets the cover's leaves use the quadratic bound of format
    1.6 (section ``quadratic_cover``), ``"chord"`` keeps to chord leaves (format 1.1);
    ``cover``: ``"auto"`` (a simplex cover, format 1.7, in dimension ``d <= 3``, else
    sign-split trees), ``"simplex"`` or ``"splits"`` (:func:`exactrelu.certificate.
    cover_producer.cover_kind`); ``leaves`` and ``compact`` concern sign-split trees;
    ``compact``: the finished cover is compacted by the exact post-pass of
    :mod:`exactrelu.certificate.cover_compact` (smaller certificate, more time);
    ``time_limit``: seconds for the cover route's searches (all rounds; ``None``: only
    the node budget) -- when they run out, :class:`~exactrelu.certificate.cover_certify.
    CoverNotProved` (``route="auto"`` then takes the regions route).
    ``output_bias``: a free output bias (:mod:`exactrelu.certificate.output_bias`, format
    1.2; regions route only); without it a network with an output bias is refused."""
    t0 = time.perf_counter()
    lam = _checked_lam(lam, network, data)
    if output_bias:
        from .output_bias import certify_output_bias

        if route == "cover":
            raise InputError("the output bias is available on the regions route only")
        return certify_output_bias(data, lam, network=network, sample=sample, seed=seed,
                                   progress=progress, bits=bits, tol=tol,
                                   max_regions=max_regions, exact=exact,
                                   vertex_limit=vertex_limit)
    if network is not None and network.output_bias:
        raise DomainError(f"the network has an output bias ({network.output_bias}): certify "
                          "it with an output bias (output_bias=True, --output-bias)")
    from .cover_certify import CoverNotProved, certify_cover, choose_route

    timings: dict[str, float] = {}
    notes: list[str] = []
    if choose_route(data, route, sample, max_regions) == "cover":
        try:
            return certify_cover(data, lam, network=network, gap=gap, progress=progress,
                                 bits=bits, jobs=jobs, quad=_leaves(leaves), compact=compact,
                                 time_limit=time_limit, cover=cover)
        except CoverNotProved as exc:     # auto: the regions route is within max_regions
            if route != "auto":
                raise
            timings["cover_attempt"] = time.perf_counter() - t0
            notes.append(f"route auto: {exc}; the regions route was used instead")
    return _regions_route(data, lam, network, sample, seed, exact, progress, bits, tol,
                          vertex_limit, max_regions, t0, timings, notes)


def _leaves(leaves: str) -> bool:
    if leaves not in ("quadratic", "chord"):
        raise InputError(f"leaves must be 'quadratic' or 'chord', got {leaves!r}")
    return leaves == "quadratic"


def _regions_route(data: Dataset, lam: Fraction, network, sample, seed, exact, progress,
                   bits, tol, vertex_limit, max_regions, t0, timings, notes) -> CertifyResult:
    """Steps 1-6 of the module doc (every region listed, or a sample)."""
    from tqdm import tqdm

    from ..approx.solver import solve_crelu

    bar = tqdm(total=5, desc="certify", unit="stage", delay=1.0, leave=False,
               disable=progress is False,
               bar_format="{desc}: {n}/{total} stages [{elapsed}] {postfix}")

    def stage(key: str, t: float, name: str) -> None:
        timings[key] = time.perf_counter() - t
        bar.set_postfix_str(name, refresh=False)
        bar.update(1)

    t = time.perf_counter()
    ps, complete = _pattern_set(data, network, sample, seed, progress, max_regions)  # 1
    stage("patterns", t, "numeric solve")
    program = ConvexProgram(data, lam, ps)
    t = time.perf_counter()
    sol = solve_crelu(data.X_float(), data.y_float(), to_double(lam, "lam"),     # 2 (floats)
                      ps.as_array(), tol=tol, strict=False, complete=complete)
    stage("solve", t, "exact bounds")
    t = time.perf_counter()
    bd = _bounds(program, sol, exact=exact, bits=bits)                          # 3-5
    net, include_net, include_blocks, upper = _listed_models(program, bd, network, bits,
                                                             complete)
    lower = bd.lower
    hint = improvement_hint(program, net) if network is not None and upper > lower else None
    stage("upper", t, "completeness proof")
    t = time.perf_counter()
    gp, gordan, bases = completeness_fields(data, ps, complete)                 # 6
    stage("completeness", t, "writing the certificate")
    t = time.perf_counter()
    # claims rounded outward to short dyadic rationals (the checker needs only
    # claim.lower <= L and claim.upper >= U); exact values are kept when lower == upper
    if lower != upper:
        lower, upper = _round_down(lower), _round_up(upper)
    optimal_set = None
    if bd.exact_opt is not None and lower == upper and network is None:
        optimal_set = _optimal_set(program, bd.exact_opt, vertex_limit, timings, notes)
    cert = _certificate(program, complete, gp, (gordan, bases), net if include_net else None,
                        include_blocks, bd, lower, upper, optimal_set, sol, notes, timings)
    if lower != upper and bd.refinement is not None:
        _add_enclosure(cert, program, bd, upper, timings, notes)
    timings["emit"] = time.perf_counter() - t
    bar.close()
    eo = bd.exact_opt
    active = len(eo.blocks) if eo is not None else len(sol.active)
    return CertifyResult(cert, lower, upper, eo is not None and lower == upper,
                         complete, len(ps), active, time.perf_counter() - t0, timings, net, hint,
                         program, eo)


#: the largest KKT system whose Krawczyk box goes into a certificate (its matrix C has
#: N^2 entries; N = sum of d + |T_b| + 1 over the support)
MAX_SYSTEM = 400


def _add_enclosure(cert: dict, program: ConvexProgram, bd: _Bounds, upper: Fraction,
                   timings: dict, notes: list) -> None:
    """Format 1.5: the optimal set at an irrational optimum, proved by enclosures
    (:mod:`exactrelu.optimal_sets.enclosure`), as section ``optimal_set_enclosure``."""
    from ..optimal_sets.enclosure import optimal_set_enclosure

    t = time.perf_counter()
    ref = bd.refinement
    d = program.data.d
    if sum(d + len(ref.tight[b]) + 1 for b in ref.support) > MAX_SYSTEM:
        ref = None
        notes.append(f"optimal_set_enclosure: KKT system larger than {MAX_SYSTEM} unknowns, "
                     "left out (radius and candidates only)")
    enc = optimal_set_enclosure(program, ref, bd.r, bd.rho, upper)
    if enc.reason:
        notes.append(f"optimal_set_enclosure: {enc.reason}")
    prov = cert.pop("provenance")
    cert["optimal_set_enclosure"] = enc.section
    timings["enclosure"] = time.perf_counter() - t
    prov.setdefault("seconds", {})["enclosure"] = timings["enclosure"]
    cert["provenance"] = prov


def completeness_fields(data: Dataset, ps: PatternSet, complete: bool) -> tuple:
    """``(general_position, gordan entries, gordan_bases or None)`` proving ``ps`` is
    every region (format 1.0 entries, or 1.4 wall bases when those would be large);
    ``(False, [], None)`` when ``complete`` is false."""
    if not complete:
        return False, [], None
    from .completeness import completeness_proof

    proof = completeness_proof(data.X, ps, compact=True)
    return proof.general_position, proof.gordan, proof.bases


def _optimal_set(program: ConvexProgram, exact_opt, vertex_limit: int, timings: dict,
                 notes: list) -> dict | None:
    """The exact optimal set (check 6): every optimum, and the minimal networks."""
    from ..optimal_sets import PolytopeTooLarge, optimal_set_section

    try:
        return optimal_set_section(program, exact_opt, vertex_limit=vertex_limit)
    except PolytopeTooLarge as exc:
        timings["optimal_set_skipped"] = 0.0
        notes.append(f"optimal_set section left out: {exc}")
        return None


def _certificate(program: ConvexProgram, complete: bool, gp: bool, gordan, net, blocks,
                 bd: _Bounds, lower: Fraction, upper: Fraction, optimal_set, sol,
                 notes: list, timings: dict) -> dict:
    from .emit import certificate_dict

    data = program.data
    return certificate_dict(
        data, program.lam, program.patterns, complete=complete, general_position=gp,
        gordan=gordan[0], gordan_bases=gordan[1],
        network=(net.W1, net.w2) if net is not None else None,
        blocks=blocks, r=bd.r, rho=bd.rho, lower=lower, upper=upper,
        optimal_set=optimal_set,
        provenance={"tool": f"exactrelu {__version__}",
                    "solver": "clarabel (working set)", "solver_status": sol.solver_status,
                    "solver_notes": list(getattr(sol, "notes", []) or []),
                    "notes": notes,
                    "float_objective": _finite(sol.objective),
                    "exact_optimum": bd.exact_opt is not None,
                    "source": data.source, "seconds": dict(timings)})


def _finite(x: float) -> float | str:
    """JSON-safe float for provenance (NaN/inf would make the file invalid JSON)."""
    return float(x) if math.isfinite(float(x)) else repr(float(x))


_CLAIM_BITS = 160


def _round_down(x: Fraction) -> Fraction:
    return Fraction(math.floor(x * (1 << _CLAIM_BITS)), 1 << _CLAIM_BITS)


def _round_up(x: Fraction) -> Fraction:
    return Fraction(math.ceil(x * (1 << _CLAIM_BITS)), 1 << _CLAIM_BITS)


def _short_decrease(x: Fraction) -> dict:
    """An exact decrease for people: 30 significant digits, and a short rational lower
    bound (a dyadic with about 64 significant bits, rounded down: ``bound <= x``)."""
    from ..pruning import decimal_string
    from ..numbers import q_str

    k = 64 - x.numerator.bit_length() + x.denominator.bit_length()   # ~64 significant bits
    scale = Fraction(2) ** k
    bound = Fraction(math.floor(x * scale)) / scale
    return {"decrease": decimal_string(x), "decrease_lower_bound": q_str(bound),
            "decrease_float": _display_float(x)}


def _display_float(x: Fraction) -> float:
    """``float(x)`` for display, ``+-inf`` beyond the double range (never OverflowError)."""
    try:
        return float(x)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


def improvement_hint(program: ConvexProgram, net) -> dict | None:
    """Why a network is not optimal, with exact decreases of its NC objective.

    ``causes`` lists what applies, largest decrease first: ``"imbalance"`` -- rescaling
    each neuron to ``||W1_j|| ~ |w2_j|`` (same function) lowers the objective by
    ``imbalance.decrease``; ``"dual violation"`` -- the block whose dual constraint is most
    violated at the network's residual, the neuron it suggests and the decrease from
    adding it with a small rational step (the keys ``pattern``, ``sign``,
    ``violation_sq``, ``direction``, ``step``, ``decrease``).  Decreases are decimals
    with 30 digits, each with an exact rational lower bound."""
    imb = _imbalance(program, net)
    dual = _dual_violation(program, net)
    if imb is None and dual is None:
        return None
    out: dict = dict(dual or {})
    causes = [("dual violation", dual["decrease_float"])] if dual else []
    if imb is not None:
        out["imbalance"] = imb
        causes.append(("imbalance", imb["decrease_float"]))
    out["causes"] = [c for c, _ in sorted(causes, key=lambda t: -t[1])]
    return out


def _imbalance(program: ConvexProgram, net) -> dict | None:
    """The exact decrease from rebalancing every neuron, when there is one."""
    if net.is_balanced():
        return None
    data, lam = program.data, program.lam
    dec = net.nc_objective(data, lam) - net.rebalanced().nc_objective(data, lam)
    return _short_decrease(dec) if dec > 0 else None


def _dual_violation(program: ConvexProgram, net) -> dict | None:
    """The most violated dual constraint at the network's residual and the exact
    decrease from adding the neuron it suggests."""
    from ..cones import cone_matrix, project
    from ..networks import Network

    data, lam = program.data, program.lam
    f = net.outputs(data.X)
    r = tuple(a - b for a, b in zip(data.y, f))
    best = None
    for i, bits in enumerate(program.patterns.bits):
        A = cone_matrix(data.X, bits)
        for s in (1, -1):
            c = program.correlation((i, s), r)
            if sqnorm(c) <= lam * lam:
                continue
            v = project(A, c).v
            nv2 = sqnorm(v)
            if nv2 > lam * lam and (best is None or nv2 > best[2]):
                best = (i, s, nv2, v)
    if best is None:
        return None
    i, s, nv2, v = best
    fitv = program.block_fit((i, s), v)        # s D X v
    den = sqnorm(fitv)
    nv_hi = sqrt_bounds(nv2, 64)[1]
    # step eta maximising eta<c,v> - eta^2 |DXv|^2/2 - lam eta ||v|| with <c,v> = ||v||^2
    eta = (nv2 - lam * nv_hi) / den if den else Fraction(1)
    if eta <= 0:
        return None
    eta = Fraction(eta).limit_denominator(10 ** 12)
    a2 = eta * nv_hi
    a, _ = sqrt_bounds(a2, 48)
    new = Network(tuple(net.W1) + (tuple(eta * x / a for x in v),), tuple(net.w2) + (s * a,),
                  getattr(net, "bias_column", False), data.d,
                  getattr(net, "output_bias", Fraction(0)))
    before, after = net.nc_objective(data, lam), new.nc_objective(data, lam)
    from ..numbers import q_str

    if after >= before:
        return None
    return {"pattern": program.patterns.bits[i], "sign": s,
            "violation_sq": q_str(nv2 / (lam * lam)),
            "direction": [q_str(x) for x in v],
            "step": q_str(eta), **_short_decrease(before - after)}
