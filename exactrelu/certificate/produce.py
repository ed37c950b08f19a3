"""Certify the global optimum of ReLU training: patterns -> float solve -> exact bounds.

Pipeline of :func:`certify`:

1. the activation patterns (all regions with a completeness proof, or a sample);
2. the numeric solve (Clarabel, :mod:`exactrelu.approx.solver`) -- untrusted;
3. exact lower bound by weak duality (:mod:`exactrelu.certificate.dual_bound`);
4. exact upper bound: the NC objective of a rational network (the given one, or the
   solve mapped C -> NC with dyadic scales), computed exactly;
5. when possible, the exact optimum (:mod:`exactrelu.rational_optimum`): ``lower == upper``;
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
from ..errors import ExactReluError
from ..numbers import sqnorm, sqrt_bounds
from ..arrangement import PatternSet, enumerate_patterns, network_patterns, sample_patterns
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

    @property
    def gap(self) -> Fraction:
        return self.upper - self.lower


def _float_blocks(sol, active) -> dict:
    out = {}
    for (i, s) in active:
        out[(i, s)] = sol.U[i, 0 if s == 1 else 1]
    return out


def certify(data: Dataset, lam: Fraction, *, network=None, sample: int | None = None,
            seed: int = 0, exact: bool = True, progress: bool | None = None,
            bits: int = 48, tol: float = 1e-11, vertex_limit: int = 10000) -> CertifyResult:
    """Bounds on the global optimum with an exact certificate (see the module doc).

    ``network``: a :class:`exactrelu.networks.Network` whose exact NC objective is the
    upper bound (certify a trained model).  ``sample``: use the patterns of that many
    random gates (plus the network's) instead of all regions: the bounds then hold for
    the convex program over those patterns only (``complete`` false).
    """
    from ..approx.solver import solve_crelu
    from .emit import certificate_dict
    from ..networks import Network, convex_to_network

    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    notes: list[str] = []
    from tqdm import tqdm

    bar = tqdm(total=5, desc="certify", unit="stage", delay=1.0, leave=False,
               disable=progress is False,
               bar_format="{desc}: {n}/{total} stages [{elapsed}] {postfix}")

    def stage(name: str) -> None:
        bar.set_postfix_str(name, refresh=False)
        bar.update(1)

    lam = Fraction(lam)
    if lam <= 0:
        raise ExactReluError("lam must be positive")
    if network is not None and network.d is not None and network.d != data.d:
        raise ExactReluError(f"the network has {network.d} inputs but the data has {data.d} "
                             f"columns{' (including the bias column)' if data.bias else ''}")
    # 1. patterns
    t = time.perf_counter()
    if sample is None:
        ps = enumerate_patterns(data.X, progress=progress)
        complete = True
    else:
        extra: tuple[str, ...] = ()
        if network is not None:
            nps, _ = network_patterns(data.X, network.W1)
            extra = nps.bits
        sps = sample_patterns(data.X, sample, seed=seed, include=extra)
        if network is not None:
            ps = PatternSet(data.n, data.d, nps.bits + sps.bits, nps.witnesses + sps.witnesses)
        else:
            ps = sps
        complete = False
    timings["patterns"] = time.perf_counter() - t
    stage("numeric solve")
    program = ConvexProgram(data, lam, ps)

    # 2. numeric solve (untrusted)
    t = time.perf_counter()
    sol = solve_crelu(data.X_float(), data.y_float(), to_double(lam, "lam"), ps.as_array(),
                      tol=tol, strict=False)
    timings["solve"] = time.perf_counter() - t
    stage("exact bounds")

    # 3. exact lower bound
    t = time.perf_counter()
    from .dual_bound import exact_dual_bound

    dual = exact_dual_bound(program, sol.residual, sol.rho, bits=bits)
    timings["dual"] = time.perf_counter() - t

    # 4/5. exact optimum, else upper bound from a rational network
    t = time.perf_counter()
    exact_opt = None
    if exact:
        from ..rational_optimum import exact_optimum

        exact_opt = exact_optimum(program, sol)
    blocks_sec = None
    if exact_opt is not None:
        r, rho, lower = exact_opt.r, exact_opt.rho, exact_opt.value
        blocks_exact = exact_opt.blocks                      # {(i,s): u}
        blocks_sec = {b: (u, exact_opt.norms[b]) for b, u in blocks_exact.items()}
        prod = convex_to_network(blocks_exact, patterns=ps, d=data.d)
        upper_blocks = exact_opt.value
    else:
        r, rho, lower = dual.r, dual.rho, dual.lower
        fb = _float_blocks(sol, sol.active)
        from .dual_bound import dyadic

        qb = {b: tuple(dyadic(x, bits) for x in u) for b, u in fb.items()}
        qb = {b: u for b, u in qb.items() if any(u)}
        # rounding can push a block sitting on its cone's boundary just outside: project
        # it back exactly (then its neuron lies in the closed cone of a listed pattern)
        from ..cones import cone_matrix, project

        for b, u in list(qb.items()):
            if program.cone_violation(b[0], u) is not None:
                v = tuple(project(cone_matrix(data.X, ps.bits[b[0]]), u).v)
                if any(v):
                    qb[b] = v
                else:
                    del qb[b]
        prod = convex_to_network(qb, patterns=ps, d=data.d) if qb else None
        if qb:      # every block now lies in its cone exactly; norms bounded from above
            blocks_sec = {b: (u, sqrt_bounds(sqnorm(u), 2 * bits)[1]) for b, u in qb.items()}
        upper_blocks = None
        if blocks_sec:
            upper_blocks = program.loss({b: u for b, (u, _) in blocks_sec.items()}) + \
                lam * sum(nu for _, nu in blocks_sec.values())
    hint = None
    if network is not None:
        net = network
    elif prod is not None:
        net = prod.to_network_approx(bits) if exact_opt is None or not prod.is_exact() \
            else prod.to_network()
    else:
        net = Network((), (), data.bias, data.d)
    upper_net = net.nc_objective(data, lam)
    # Which models the certificate lists, and the claimed upper bound (check 3 bounds the
    # SMALLEST listed objective, so the claim covers every model we hand out only when
    # it is at least each of theirs):
    #  * a given network: only that network; upper = its exact NC objective;
    #  * an exact optimum: the exact blocks (norms alpha_b lam, so upper == lower), plus
    #    the network only when its scales are rational (then it attains the optimum);
    #  * otherwise: the rational network and, when every rounded block lies in its cone,
    #    the blocks; upper = the larger of the two, so both are within the gap.
    if network is not None:
        include_net, include_blocks, upper = True, None, upper_net
    elif exact_opt is not None:
        include_blocks = blocks_sec
        include_net = upper_net == upper_blocks or not blocks_sec
        upper = upper_blocks if blocks_sec else upper_net
    else:
        include_net, include_blocks = True, blocks_sec
        upper = max(upper_net, upper_blocks) if upper_blocks is not None else upper_net
    if network is not None and upper_net > lower:
        hint = improvement_hint(program, net)
    timings["upper"] = time.perf_counter() - t
    stage("completeness proof")

    # 6. completeness proof and the certificate
    t = time.perf_counter()
    gp, gordan = False, []
    if complete:
        from .completeness import completeness_proof

        proof = completeness_proof(data.X, ps)
        gp, gordan = proof.general_position, proof.gordan
    timings["completeness"] = time.perf_counter() - t
    stage("writing the certificate")
    t = time.perf_counter()
    # claims rounded outward to short dyadic rationals (the checker needs only
    # claim.lower <= L and claim.upper >= U); exact values are kept when lower == upper
    if lower != upper:
        lower, upper = _round_down(lower), _round_up(upper)
    optimal_set = None
    if exact_opt is not None and lower == upper and network is None:
        # the exact optimal set (check 6): every optimum, and the minimal networks
        from ..optimal_sets import PolytopeTooLarge, optimal_set_section

        try:
            optimal_set = optimal_set_section(program, exact_opt, vertex_limit=vertex_limit)
        except PolytopeTooLarge as exc:
            timings["optimal_set_skipped"] = 0.0
            notes.append(f"optimal_set section left out: {exc}")
    cert = certificate_dict(
        data, lam, ps, complete=complete, general_position=gp, gordan=gordan,
        network=(net.W1, net.w2) if include_net else None,
        blocks=include_blocks, r=r, rho=rho, lower=lower, upper=upper,
        optimal_set=optimal_set,
        provenance={"tool": f"exactrelu {__version__}",
                    "solver": "clarabel (working set)", "solver_status": sol.solver_status,
                    "solver_notes": list(getattr(sol, "notes", []) or []),
                    "notes": notes,
                    "float_objective": _finite(sol.objective),
                    "exact_optimum": exact_opt is not None,
                    "source": data.source, "seconds": dict(timings)})
    timings["emit"] = time.perf_counter() - t
    bar.close()
    active = len(exact_opt.blocks) if exact_opt is not None else len(sol.active)
    return CertifyResult(cert, lower, upper, exact_opt is not None and lower == upper,
                         complete, len(ps), active, time.perf_counter() - t0, timings, net, hint,
                         program, exact_opt)


def _finite(x: float) -> float | str:
    """JSON-safe float for provenance (NaN/inf would make the file invalid JSON)."""
    return float(x) if math.isfinite(float(x)) else repr(float(x))


_CLAIM_BITS = 160


def _round_down(x: Fraction) -> Fraction:
    return Fraction(math.floor(x * (1 << _CLAIM_BITS)), 1 << _CLAIM_BITS)


def _round_up(x: Fraction) -> Fraction:
    return Fraction(math.ceil(x * (1 << _CLAIM_BITS)), 1 << _CLAIM_BITS)


def improvement_hint(program: ConvexProgram, net) -> dict | None:
    """Why a network is not optimal: the block whose dual constraint is most violated at
    the network's residual, the neuron it suggests, and the exact decrease of the NC
    objective from adding that neuron with a small rational step."""
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
                  getattr(net, "bias_column", False), data.d)
    before, after = net.nc_objective(data, lam), new.nc_objective(data, lam)
    from ..numbers import q_str

    return {"pattern": program.patterns.bits[i], "sign": s,
            "violation_sq": q_str(nv2 / (lam * lam)),
            "direction": [q_str(x) for x in v],
            "step": q_str(eta), "decrease": q_str(before - after),
            "decrease_float": float(before - after)}
