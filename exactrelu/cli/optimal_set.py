"""``exactrelu optimal-set CERT [--json]``: the optimal set described by a certificate
(registered by :func:`register` from ``exactrelu.cli.build_parser``).

The certificate is read with ``json`` and every rational with
:func:`exactrelu.numbers.parse_rational`; anything malformed is one error line, exit 2.
Nothing in the file is trusted: the problem is rebuilt from ``problem`` and
``patterns.bits`` and

* if the claim is exact (``lower == upper``), the exact optimum at the certificate's
  residual ``dual.r`` is re-proved (:func:`exactrelu.rational_optimum.exact_optimum_at`) and the
  optimal set computed (:func:`exactrelu.optimal_sets.optimal_set`): support ``S``,
  uniqueness verdict with a witness, all vertices (support-minimal networks) and the
  fewest neurons (cardinality-minimal);
* otherwise the optimum is not known exactly: the command reports "not exact" and
  describes the *model-relative polytope* of the certificate's network (or blocks): all
  rescalings of its neurons with exactly the same training predictions
  (:mod:`exactrelu.optimal_sets.model`).

``--json`` prints ``{"exact", "unique", "support": [[bits, sign], ...], "vertices":
[{"neurons", "alpha"}], "min_neurons"}`` (docs/spec/cli.md) plus extra keys.  ``alpha`` is keyed by
the index (decimal string) into ``support``.

``--samples [N]`` draws ``N`` (default 10,000) exact rational points of the set: random convex combinations
of its vertices (all of them when enumerated, else 32 found by exact LPs), every 100th
re-checked exactly; ``--samples-out`` writes them (alpha keyed as in ``vertices``) and
``--test DATA`` reports the spread of the test error over them (float64 evaluation of
the exact samples: an estimate, labelled as such).
"""
from __future__ import annotations

import argparse
import json
from fractions import Fraction

from ..errors import ExactReluError, InputError
from ..numbers import q_str
from ._common import approx

__all__ = ["register", "run"]



# ------------------------------------------------------------------------ the command

def _report(os_, n: int) -> dict:
    """The ``--json`` object of ``docs/spec/cli.md`` (plus extra keys) from the typed
    :class:`~exactrelu.results.OptimalSet`."""
    def keyed(m):
        return {str(k): q_str(x) for k, x in sorted(m.items())}

    verts = [{"neurons": len(a), "alpha": keyed(a)} for a in os_.vertices]
    support = [[b, s] for b, s in os_.support]
    if os_.exact:
        return {"exact": True, "unique": os_.unique, "support": support, "vertices": verts,
                "min_neurons": os_.min_neurons,
                # extras
                "all_vertices": os_.all_vertices, "value": q_str(os_.value),
                "equicorrelated": [[b, s] for b, s in os_.equicorrelated],
                "witness": None if os_.witness is None else keyed(os_.witness),
                "nc_unique_up_to_permutation_splitting": os_.network_unique,
                "min_norm": {"alpha": keyed(os_.min_norm),
                             "mu": [q_str(x) for x in os_.min_norm_mu]},
                "sum_alpha": q_str(os_.sum_alpha), "n": n}
    for v, hi in zip(verts, os_.vertex_objective_upper):
        v["objective_upper"] = q_str(hi)
        v["objective_upper_float"] = float(hi)
    enc = os_.enclosure
    return {"exact": False,
            # the optimal set's own uniqueness, when format 1.5 proves it; else null
            "unique": os_.unique,
            "support": support, "vertices": verts,
            "min_neurons": os_.min_neurons,
            # extras
            "enclosure": enc,
            "model_unique": os_.model_unique,
            "relative_to": os_.relative_to, "dimension": os_.dimension,
            "all_vertices": os_.all_vertices,
            "lower": q_str(os_.lower), "upper": q_str(os_.upper),
            "note": "the optimum is not known exactly; this is the polytope of rescalings "
                    "beta >= 0 of the model's neurons with exactly the same training "
                    "predictions (alpha = beta, keyed by neuron index)"}


def _samples(os_, args: argparse.Namespace) -> dict:
    """Exact samples of the polytope (random convex combinations of its vertices: all of
    them when enumerated, else those found by LPs with random objectives), optionally
    written to ``--samples-out``, and the spread of the test error on ``--test``."""
    import numpy as np

    from ..io.data import read_csv
    from ..optimal_sets import mix_vertices

    ctx, data = os_._internal
    if ctx is None:
        raise InputError(f"the model-relative polytope was not built ({os_.relative_to}): "
                         "nothing to sample or tune over")
    test = None
    if args.test:
        test = read_csv(args.test, header=args.header, bias=data.bias, for_solver=True)
        if test.d != data.d:
            raise InputError(f"{test.d} columns (with bias) but the certificate's data has "
                             f"{data.d}", file=args.test)
    P = ctx.polytope
    V = ctx.vertices if ctx.vertices is not None else P.lp_vertices(32, seed=args.seed)
    how = "all vertices" if ctx.vertices is not None else f"{len(V)} LP vertices"
    S = mix_vertices(V, args.samples, seed=args.seed)
    for i in range(0, len(S), max(1, len(S) // 100)):     # every 100th re-checked exactly
        if not P.contains(S.exact(i)):
            raise ExactReluError("internal: a sample is not in the polytope")  # pragma: no cover
    out: dict = {"count": len(S), "seed": args.seed, "method": f"convex combinations of {how}"}
    if args.samples_out:
        doc = {"kind": "exactrelu optimal-set samples",
               "certificate": args.cert, "exact": os_.exact,
               "method": out["method"],
               "samples": [{"alpha": {k: q_str(a) for k, a in zip(ctx.keys, S.exact(i)) if a}}
                           for i in range(len(S))]}
        from ..io.files import write_atomic

        write_atomic(args.samples_out, json.dumps(doc), inputs=(args.cert, args.test))
        out["file"] = args.samples_out
    if test is not None:
        Xt = np.array([[float(a) for a in row] for row in test.X])
        yt = np.array([float(a) for a in test.y])
        W = np.array([[float(a) for a in w] for w in ctx.dirs])
        cols = np.maximum(Xt @ W.T, 0.0) * np.array([float(s) for s in ctx.signs])
        pred = S.as_float() @ cols.T                       # samples x n_test
        mse = np.mean((pred - yt) ** 2, axis=1)
        pct = [0, 5, 50, 95, 100]
        out["test"] = {"file": args.test, "n": test.n,
                       "mse": [float(x) for x in np.percentile(mse, pct)]}
        if set(np.unique(yt)) <= {-1.0, 1.0}:
            acc = np.mean(np.sign(pred) == yt, axis=1)
            out["test"]["accuracy"] = [float(x) for x in np.percentile(acc, pct)]
    return out


def _check_args(args: argparse.Namespace) -> None:
    """Refuse bad flags (and an output that must not be replaced) before any work."""
    if args.max_vertices < 1:
        raise InputError("--max-vertices must be a positive integer")
    if not args.time_limit >= 0:            # also refuses nan
        raise InputError("--time-limit must be a non-negative number of seconds")
    if args.samples < 0:
        raise InputError("--samples must be a non-negative integer")
    if args.samples > 10 ** 6:
        raise InputError("--samples is too large (at most 1,000,000 exact samples)")
    if (args.samples_out or args.test) and not args.samples:
        raise InputError("--samples-out and --test need --samples [N]")
    if args.samples_out:
        from ..io.files import check_output

        check_output(args.samples_out, (args.cert, args.test))
    from .optimal_set_tune import check_tune_args

    check_tune_args(args)


def _print_enclosure(enc: dict | None) -> None:
    """What format 1.5 proves about the optimal set (``exactrelu.optimal_sets.enclosure``)."""
    if enc is None:
        print("optimal set: no enclosure available for this certificate")
        return
    src = "computed now and verified" if enc["computed_now"] else "the certificate's section, verified"
    scope = "" if enc["complete"] else " (over the listed patterns only)"
    print(f"optimal set, proved by enclosures{scope} ({src}, check 11):")
    if not enc["decided"]:
        print(f"  E_lambda is among {len(enc['candidates'])} candidate blocks (every other block "
              f"is strictly inactive on the ball ||r* - r||^2 <= {approx(Fraction(enc['radius_sq']), '.3e')} "
              "around dual.r); support and uniqueness: not decided -- the KKT box could not be "
              "proved, or some candidate is an exact coincidence (degenerate optimum)")
        return
    from ..numbers import parse_rational

    sup = enc["support"]
    print(f"  E_lambda = S_lambda = {len(sup)} blocks: {enc['neurons_per_vertex']} support "
          f"blocks of one optimum (their alpha* enclosed in boxes of half-width "
          f"{enc['delta_float']:.1e}), each with its twins (same neuron)")
    for g, a in zip(enc["groups"], enc["alpha"]):
        names = ", ".join(f"[{j}] {sup[j][0]} {sup[j][1]:+d}" for j in g[:4])
        more = f" (+{len(g) - 4} twins)" if len(g) > 4 else ""
        print(f"    alpha* in [{approx(parse_rational(a['lo']), '.12g')}, "
              f"{approx(parse_rational(a['hi']), '.12g')}]: {names}{more}")
    if enc["mirrors"]:
        print(f"  X^T r* = 0 (proved from {enc['pairs']} mirror pairs in the support): "
              f"{len(enc['mirrors'])} mirror block(s) carry -v of a support block and are "
              "in S_lambda too")
    if enc["unique"]:
        print("  unique: yes -- proved (no twins; the support's fits are independent)")
    else:
        print(f"  unique: no -- proved: {sum(len(g) > 1 for g in enc['groups'])} group(s) have "
              "twin blocks carrying the same neuron (a kink exactly at a data point)"
              + (f", {len(enc['mirrors'])} mirror(s)" if enc["mirrors"] else ""))
    if enc["vertex_count"] is None:
        print(f"  vertices: {enc['vertices_proved']} proved ({enc['neurons_per_vertex']} "
              f"neurons each; {enc['reduced_vertices_proved']} in group coordinates), not "
              f"all of them: {enc['vertices_reason']}"
              + (" -- raise --time-limit" if "out of time" in enc["vertices_reason"] else ""))
    elif enc["mirrors"]:
        print(f"  vertices (minimal networks, {enc['neurons_per_vertex']} neurons each): "
              f"{enc['vertex_count']}, all proved -- {enc['reduced_vertex_count']} vertices in "
              f"group coordinates ({len(enc['groups'])} support groups, "
              f"{len(enc['mirror_groups'])} mirror groups), each expanded by one member per "
              "group")
    else:
        print(f"  vertices (minimal networks, {enc['neurons_per_vertex']} neurons each): "
              f"{enc['vertex_count']}")


def _print_summary(rep: dict, cert, args: argparse.Namespace) -> None:
    """The text report's head: optimum, support, uniqueness, vertex count."""
    exact = rep["exact"]
    sup = rep["support"]
    if exact:
        print(f"exact optimum p* = {rep['value']} (claim lower == upper, re-proved at dual.r)")
        print(f"equicorrelated blocks: {len(rep['equicorrelated'])}; support S_lambda "
              f"(nonzero in some optimum): {len(sup)}")
        for j, (b, s) in enumerate(sup):
            print(f"  [{j}] pattern {b} sign {s:+d}")
        if rep["unique"]:
            print("unique: yes -- the fits of S_lambda are linearly independent, the convex "
                  "optimum is a single point")
        else:
            w = " + ".join(f"({x})*fit[{k}]" for k, x in rep["witness"].items())
            print(f"unique: no -- witness {w} = 0 (a null vector of the support's fits)")
        print("ReLU network unique up to permutation/splitting: "
              + ("yes" if rep["nc_unique_up_to_permutation_splitting"] else "no"))
        if rep["all_vertices"]:
            print(f"vertices (support-minimal optimal networks, each with independent fits): "
                  f"{len(rep['vertices'])}")
        else:
            print(f"vertices: enumeration stopped (--max-vertices {args.max_vertices}, "
                  f"--time-limit {args.time_limit:g} s); {len(rep['vertices'])} found, "
                  "each exact; min_neurons not determined")
    else:
        gap = cert.upper - cert.lower
        print(f"not exact: lower < upper (gap {approx(gap, '.3e')}, lower ~ "
              f"{approx(cert.lower, '.15g')}); the optimum is irrational or not found.")
        _print_enclosure(rep.get("enclosure"))
        if rep["dimension"] is None:
            print(f"model-relative polytope: {rep['relative_to']}")
            return
        print(f"model-relative polytope of the certificate's {rep['relative_to']}: "
              f"{len(sup)} neurons, dimension {rep['dimension']} (every point has exactly "
              f"the same training predictions)")
        print("model-relative unique: " + (
            "yes -- the neuron outputs are linearly independent" if rep["model_unique"]
            else "no -- the neuron outputs are linearly dependent"))
        more = "" if rep["all_vertices"] else \
            " (enumeration stopped by --max-vertices or --time-limit: those found)"
        print(f"vertices (minimal rescalings){more}: {len(rep['vertices'])}")


def run(args: argparse.Namespace) -> int:
    _check_args(args)
    from ..optimal_sets.describe import describe_optimal_set
    from ..results import Certificate

    cert = Certificate.load(args.cert)
    if cert.model == "gated":                       # minor version 1.3 (certify_gated.py)
        from .certify_gated import run_gated_optimal_set
        return run_gated_optimal_set(cert, args)
    if args.tune:                   # the vertices are not needed: one is enough
        from .optimal_set_tune import run_tune
        return run_tune(describe_optimal_set(cert, max_vertices=1, time_limit=1), cert, args)
    os_ = describe_optimal_set(cert, max_vertices=args.max_vertices,
                               time_limit=args.time_limit or None, progress=not args.json)
    exact = os_.exact
    rep = _report(os_, os_._internal[1].n)
    if args.samples:
        rep["samples"] = _samples(os_, args)
    if args.json:
        print(json.dumps(rep))
        return 0
    _print_summary(rep, cert, args)
    show = rep["vertices"][:20]
    for j, v in enumerate(show):
        al = ", ".join(f"{k}: {x}" for k, x in v["alpha"].items())
        extra = f"  objective <= {v['objective_upper_float']:.12g}" if not exact else ""
        print(f"  vertex {j}: {v['neurons']} neurons, alpha {{{al}}}{extra}")
    if len(rep["vertices"]) > len(show):
        print(f"  ... {len(rep['vertices']) - len(show)} more (--json for all)")
    if rep["min_neurons"] is not None:
        what = ("cardinality-minimal, fewest neurons over all optimal models" if exact
                else "fewest neurons over the polytope's vertices")
        print(f"min_neurons ({what}): {rep['min_neurons']}")
    if exact:
        mn = ", ".join(f"{k}: {x}" for k, x in rep["min_norm"]["alpha"].items())
        print(f"min-norm optimal model: alpha {{{mn}}} (KKT: alpha = (M^T mu)_+, exact)")
    if args.samples:
        sm = rep["samples"]
        where = "optimal set" if exact else "model-relative polytope"
        print(f"{sm['count']} exact samples of the {where} ({sm['method']}, seed {sm['seed']})"
              + (f", written to {sm['file']}" if "file" in sm else ""))
        if "test" in sm:
            t = sm["test"]
            print(f"  on {t['file']} ({t['n']} rows; float64 from the exact samples), "
                  f"min / 5% / median / 95% / max:")
            print("    test MSE      " + " / ".join(f"{x:.6g}" for x in t["mse"]))
            if "accuracy" in t:
                print("    test accuracy " + " / ".join(f"{x:.4f}" for x in t["accuracy"])
                      + "  (targets +-1, sign of the prediction)")
    return 0


def register(sub) -> None:
    """Add the ``optimal-set`` sub-command to the sub-parser collection ``sub``."""
    sp = sub.add_parser(
        "optimal-set", help="support, uniqueness verdict, vertices (minimal networks)",
        description="Describe the optimal set of the convex program of a certificate, "
                    "exactly: the support S_lambda, whether the optimum is unique (with a "
                    "witness when not), every vertex of the optimal polytope (the "
                    "support-minimal optimal networks) and the fewest neurons of an optimal "
                    "network. If the certificate's bounds are not exact, the polytope of "
                    "rescalings of its network with the same training predictions is "
                    "described instead.")
    sp.add_argument("cert", metavar="CERT", help="certificate (format v1)")
    sp.add_argument("--json", action="store_true", help="print one JSON object (docs/spec/cli.md)")
    sp.add_argument("--max-vertices", type=int, default=100000, metavar="K",
                    help="stop enumerating beyond K vertices (default 100000)")
    sp.add_argument("--time-limit", type=float, default=60.0, metavar="SECONDS",
                    help="stop enumerating vertices after SECONDS (default 60; 0: no limit); "
                         "the vertices found so far are reported, with all_vertices false")
    sp.add_argument("--samples", type=int, nargs="?", const=10000, default=0, metavar="N",
                    help="draw N exact rational samples of the set (random convex "
                         "combinations of its vertices); N = 10000 when omitted")
    sp.add_argument("--seed", type=int, default=0, metavar="S", help="seed of the samples")
    sp.add_argument("--samples-out", metavar="FILE",
                    help="write the samples (exact rationals, JSON) to FILE")
    sp.add_argument("--test", metavar="DATA",
                    help="held-out data (CSV as for certify; the certificate's bias is "
                         "applied): report the spread of test MSE, and of accuracy for "
                         "+-1 targets, over the samples")
    sp.add_argument("--header", action="store_true",
                    help="the --test / --validation CSV has a header line")
    from .optimal_set_tune import RULES

    sp.add_argument("--tune", choices=RULES, default=None,
                    help="report one model of the set instead: min-l2 (min ||alpha||, exact), "
                         "ep (an extreme point, max sum alpha), v-mse (min validation MSE, "
                         "float QP repaired exactly; needs --validation)")
    sp.add_argument("--validation", metavar="DATA", help="validation data for --tune v-mse")
    sp.add_argument("-o", "--output", metavar="NET",
                    help="with --tune: write the chosen network (JSON)")
    sp.set_defaults(func=run)
