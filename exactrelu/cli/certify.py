"""``exactrelu certify DATA --lam Q [--network NET] [--sample N] [--output-bias]
[--route R --gap EPS] -o CERT [--json]``: exact bounds on the global optimum, written as a
certificate (format v1; with ``--route cover`` minor version 1.1, with ``--output-bias``
1.2).

``--route auto|regions|cover`` (default auto: regions when the general-position region
bound is at most ``exactrelu.certificate.cover_certify.AUTO_REGIONS``, else cover);
``--gap EPS`` (cover route) allows the proved lower bound to be looser by
``EPS * max(1, |L|)`` for a smaller tree.  The text output names the route used, the
tree size and the time of each stage.  ``--json`` prints the one line of the CLI spec:
``{"lower", "upper", "exact", "complete", "patterns", "active_neurons", "seconds",
"route", "tree_nodes", "stages"}`` (:func:`json_summary`).
"""
from __future__ import annotations

import argparse
import json
from fractions import Fraction

from ..errors import InputError
from ..io.files import check_output, write_atomic
from ._common import (approx, data_args, load_data, load_network, max_regions,
                      positive_sample, region_budget_arg)

__all__ = ["register", "run", "json_summary"]


def json_summary(res) -> dict:
    """The ``certify --json`` object of a :class:`~exactrelu.certificate.produce.CertifyResult`."""
    from ..numbers import q_str

    out = {"lower": q_str(res.lower), "upper": q_str(res.upper), "exact": res.exact,
           "complete": res.complete, "patterns": res.patterns,
           "active_neurons": res.active_neurons, "seconds": round(res.seconds, 3),
           "route": res.route, "tree_nodes": res.tree_nodes,
           "stages": {k: round(v, 3) for k, v in res.timings.items()}}
    if res.hint:                          # addition: why a given network is not optimal
        out["diagnosis"] = res.hint
    if "output_bias" in res.certificate:  # addition (minor version 1.2): the network's c
        out["output_bias"] = res.certificate["output_bias"]["c"]
    return out


def run(args: argparse.Namespace) -> int:
    from ..certificate.emit import dumps
    from ..certificate.produce import certify
    from ..io.data import parse_lam

    positive_sample(args)
    lam = parse_lam(args.lam, for_solver=True)
    data = load_data(args, for_solver=True)
    if args.model == "gated":                       # minor version 1.3 (certify_gated.py)
        if args.output_bias:
            raise InputError("--output-bias is not available with --model gated")
        from .certify_gated import run_gated
        return run_gated(args, data, lam)
    if args.gates:
        raise InputError("--gates needs --model gated")
    if not 1 <= args.jobs <= 256:
        raise InputError(f"--jobs must be between 1 and 256, got {args.jobs}")
    net = load_network(args.network, data, for_solver=True,
                       output_bias=args.output_bias) if args.network else None
    positive_sample(args)
    if args.output is None:
        raise InputError("-o CERT is required (where to write the certificate)")
    inputs = (args.data, args.network)
    check_output(args.output, inputs)       # before any work; again when writing
    res = certify(data, lam, network=net, sample=args.sample, seed=args.seed,
                  max_regions=max_regions(args), route=args.route, gap=_gap(args.gap),
                  jobs=args.jobs, output_bias=args.output_bias, exact=not args.no_exact,
                  leaves=args.leaves, compact=not args.no_compact, cover=args.cover,
                  time_limit=_seconds(args.time_limit),
                  progress=None if not args.json else False)
    text, checked = _shed_optional(res.certificate)
    refused = _self_check(text, checked, hint=(
        "--route cover (no region list: a cover proof of the lower bound), fewer data rows, "
        "or --sample N (bounds over sampled patterns only)" if res.route == "regions" else
        "a larger --gap (a looser lower bound, a smaller tree) or fewer data rows"))
    if refused is not None:
        return refused
    write_atomic(args.output, text, inputs=inputs)
    if args.json:
        print(json.dumps(json_summary(res)))
        return 0
    _print_text(res, net, args.output)
    return 0


def _seconds(text: str | None) -> float | None:
    """``--time-limit``: a positive number of seconds (data syntax), or absent."""
    from ..io.data import rational_arg

    if text is None:
        return None
    return float(rational_arg(text, "--time-limit", lambda q: q > 0,
                              "a positive number of seconds"))


def _gap(text: str) -> Fraction:
    """``--gap``: a rational ``>= 0`` in the data syntax (``1e-4``, ``1/1000``)."""
    from ..io.data import rational_arg

    return rational_arg(text, "--gap", lambda q: 0 <= q < 1, "a rational in [0, 1)")


def _print_route(res) -> None:
    """The route used, the tree size (cover) and the time of each stage."""
    from ..certificate.cover_certify import PARTLY

    if res.route == "cover":
        kind = ("simplex cover (format 1.7)" if "simplex_cover" in res.certificate
                else "cover tree")
        print(f"route: cover (no region listed; {kind} of {res.tree_nodes} nodes proves "
              f"the lower bound globally; {res.patterns} patterns of the network listed)")
    else:
        print(f"route: regions ({res.patterns} patterns "
              f"{'enumerated, proved complete' if res.complete else 'sampled'})"
              + ("; auto tried the cover route first, its search did not close"
                 if "cover_attempt" in res.timings else ""))
    print("stages: " + ", ".join(f"{k} {v:.2f} s" for k, v in res.timings.items()))
    if res.certificate.get("provenance", {}).get("compacted") == PARTLY:
        print("compaction: stopped at its time limit (what --time-limit left, or 3x the "
              "search's time): the certificate is valid, not as small as it could be")


#: optional sections that may be left out when their check alone would make the
#: certificate UNDECIDED at the default budget (the rest stays a complete certificate)
OPTIONAL_SECTIONS = ("optimal_set_enclosure",)


def _shed_optional(cert: dict):
    """``(text, verdict of the library checker)``; when that verdict is UNDECIDED and an
    optional section is present, the section is left out (in place, with a note in
    ``provenance.notes``) and the rest checked again -- e.g. the 1.5 enclosure of 599
    neurons whose multipliers have their own denominators (random targets, n = 120)."""
    from ..certificate.check import check_bytes
    from ..certificate.emit import dumps

    text = dumps(cert)
    res = check_bytes(text.encode("utf-8"))
    for key in OPTIONAL_SECTIONS:
        if res.verdict != "UNDECIDED" or key not in cert:
            continue
        cert.pop(key)
        cert.get("provenance", {}).setdefault("notes", []).append(
            f"{key} left out: with it the checkers' default budget is exceeded "
            f"({res.message})")
        text = dumps(cert)
        res = check_bytes(text.encode("utf-8"))
    return text, res


def _self_check(text: str, res=None, hint: str | None = None) -> int | None:
    """Check the certificate with the library checker at its default budget before it is
    written (the standalone checker gives the same verdicts; ``res``: that check, already
    made).  UNDECIDED: one line saying so and what to try (``hint``, else fewer rows or
    ``--sample``), exit 3, nothing written; any other failure is a bug (exit 1)."""
    from . import EXIT_UNDECIDED, _fail
    from ..certificate.check import check_bytes

    res = check_bytes(text.encode("utf-8")) if res is None else res
    if res.verdict == "UNDECIDED":
        return _fail(f"error: the certificate ({len(text) / 1e6:.1f} MB) is too large for the "
                     f"checkers' default budget ({res.message}); nothing written. Try "
                     + (hint or "fewer data rows, or --sample N (bounds over sampled "
                        "patterns only)"), EXIT_UNDECIDED, False)
    if res.verdict != "VERIFIED":
        raise RuntimeError(f"the certificate fails its own check: {res.message}")
    return None


def _print_text(res, net, output: str) -> None:
    from ..numbers import q_str

    gap = res.upper - res.lower
    scope = ("global optimum of ReLU training (every width)" if res.complete
             else f"optimum of the convex program over {res.patterns} sampled patterns")
    _print_route(res)
    if "output_bias" in res.certificate:
        c = Fraction(res.certificate["output_bias"]["c"])
        print(f"output bias: free and unregularised (bounds over every c); the network's "
              f"c = {approx(c, '.12g')}")
    print(f"lower bound: {q_str(res.lower)}  (~{approx(res.lower, '.12g')})")
    print(f"upper bound: {q_str(res.upper)}  (~{approx(res.upper, '.12g')})")
    if res.exact:
        print(f"EXACT: the {scope} is {q_str(res.lower)}")
    else:
        rel = gap / max(1, abs(res.upper))
        print(f"gap: {approx(gap, '.3e')} (relative {approx(rel, '.2e')}); the {scope} lies in "
              "[lower, upper]")
    if net is not None:
        print("the given network's NC objective is the upper bound"
              + (" -- it is globally optimal" if res.exact or gap == 0 else ""))
        if res.hint:
            _print_hint(res.hint)
    for note in res.certificate.get("provenance", {}).get("solver_notes", []):
        print(f"note (numeric solver): {note}")
    print(f"active neurons: {res.active_neurons}; {res.seconds:.2f} s; certificate: {output}")


def _print_hint(h: dict) -> None:
    """Why the given network is not optimal, largest cause first."""
    for cause in h["causes"]:
        if cause == "imbalance":
            d = h["imbalance"]
            print(f"not optimal: its neurons are not balanced (||W1_j|| != |w2_j|); "
                  f"rescaling them (same function) lowers the objective by {d['decrease']} "
                  f"(exactly; >= {d['decrease_lower_bound']})")
        else:
            print(f"not optimal: block (pattern {h['pattern']}, sign {h['sign']}) violates its "
                  f"dual constraint (||v||^2/lam^2 = {approx(Fraction(h['violation_sq']), '.6g')}); "
                  f"adding the neuron along v with step {h['step']} lowers the objective by "
                  f"{h['decrease']} (exactly; >= {h['decrease_lower_bound']})")


def register(sub) -> None:
    """Add the ``certify`` sub-command to the sub-parsers ``sub`` of ``exactrelu``."""
    sp = sub.add_parser("certify", help="solve, then write an exact certificate (format v1)",
                        description="Enumerate every activation pattern (or sample them), solve "
                                    "the convex program numerically, and turn the result into "
                                    "exact bounds on the global optimum of ReLU training, "
                                    "written as a certificate that proofs_checks/check_cert.py "
                                    "verifies with the standard library only.")
    data_args(sp, lam=True)
    region_budget_arg(sp)
    sp.add_argument("--network", metavar="NET",
                    help="certify this network (JSON, .npz or PyTorch state_dict): its exact "
                         "NC objective is the upper bound")
    sp.add_argument("--sample", type=int, metavar="N",
                    help="use the patterns of N random gates instead of all regions "
                         "(the certificate is then not complete; N <= 100,000)")
    sp.add_argument("--seed", type=int, default=0, help="seed for --sample (default 0)")
    sp.add_argument("--route", choices=("auto", "regions", "cover"), default="auto",
                    help="regions: list every region (exact optimum, optimal set); cover: "
                         "no enumeration, a cover proof of the lower bound (format 1.1); "
                         "auto (default): regions when the data have at most 2,000 regions "
                         "(15,000 in dimension <= 3) "
                         "(general-position bound), else cover up to --max-regions")
    sp.add_argument("--gap", default="1/1000000", metavar="EPS",
                    help="cover route: the lower bound may be looser by EPS * max(1, |L|) "
                         "(still proved) for a smaller tree (default 1/1000000)")
    sp.add_argument("--leaves", choices=("quadratic", "chord"), default="quadratic",
                    help="cover route: quadratic (default) lets a leaf bound its rows by a "
                         "quadratic form, decided by one exact positive-definiteness test "
                         "(format 1.6, far smaller trees in many dimensions); chord writes "
                         "a format 1.1 cover, for checkers without 1.6")
    sp.add_argument("--cover", choices=("auto", "simplex", "splits"), default="auto",
                    help="cover route: simplex splits the input space into cones, one bit "
                         "per node and no multipliers (format 1.7; best in dimension <= 3); "
                         "splits: trees of sign splits (format 1.1 / 1.6); auto (default): "
                         "simplex in dimension <= 3 (bias column included), else splits")
    sp.add_argument("--time-limit", metavar="SECONDS",
                    help="cover route: stop the search after SECONDS (all rounds); then "
                         "nothing is written (exit 2), or with --route auto the regions "
                         "route is taken (default: no limit but the node budget); the "
                         "compaction of a proved tree stops at the same limit (without "
                         "one: at 3x the search's time, at least 60 s)")
    sp.add_argument("--no-compact", action="store_true",
                    help="cover route: write the tree as the search found it, without the "
                         "exact post-pass that drops and shortens its rationals (sooner, "
                         "larger: diabetes n = 442 1.5 MB -> 4.8 MB, 80 s less)")
    sp.add_argument("--jobs", type=int, default=1, metavar="N",
                    help="cover route: worker processes for the cover search (default 1; "
                         "the proved cover is the same for every N)")
    sp.add_argument("-o", "--output", metavar="CERT", help="certificate file to write")
    sp.add_argument("--json", action="store_true", help="print one JSON line (docs/spec/cli.md)")
    sp.add_argument("--output-bias", action="store_true",
                    help="the model has a free, unregularised output bias c "
                         "(sum_j (x W1_j)_+ w2_j + c); a network's c is read from its file "
                         "(2.bias, output_bias); certificate minor version 1.2")
    sp.add_argument("--no-exact", action="store_true",
                    help="skip the search for an exact (rational) optimum")
    from .certify_gated import add_arguments
    add_arguments(sp)                               # --model, --gates (gated ReLU, 1.3)
    sp.set_defaults(func=run)
