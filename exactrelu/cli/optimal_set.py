"""``exactrelu optimal-set CERT [--json]``: the optimal set described by a certificate
(registered by :func:`register` from ``exactrelu.cli.build_parser``).

The certificate is read with ``json`` and every rational with
:func:`exactrelu.numbers.parse_rational`; anything malformed is one error line, exit 2.
Nothing in the file is trusted: the problem is rebuilt from ``problem`` and
``patterns.bits`` and

* if the claim is exact (``lower == upper``), the exact optimum at the certificate's
  residual ``dual.r`` is re-proved (:func:`exactrelu.exact.exact_optimum_at`) and the
  optimal set computed (:func:`exactrelu.optimal_set.optimal_set`): support ``S``,
  uniqueness verdict with a witness, all vertices (support-minimal networks) and the
  fewest neurons (cardinality-minimal);
* otherwise the optimum is not known exactly: the command reports "not exact" and
  describes the *model-relative polytope* of the certificate's network (or blocks): all
  rescalings of its neurons with exactly the same training predictions
  (:mod:`exactrelu.optimal_set_model`).

``--json`` prints ``{"exact", "unique", "support": [[bits, sign], ...], "vertices":
[{"neurons", "alpha"}], "min_neurons"}`` (cli.md) plus extra keys.  ``alpha`` is keyed by
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
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..errors import ExactReluError, InputError
from ..numbers import parse_rational, q_str
from ._common import approx

__all__ = ["register", "run", "read_certificate"]


# ------------------------------------------------------------------------ reading

class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, where: str, what: str) -> InputError:
        return InputError(f"{where}: {what}", file=self.path)

    def obj(self, v: Any, where: str, *keys: str) -> dict:
        if not isinstance(v, dict):
            raise self.fail(where, "expected a JSON object")
        for k in keys:
            if k not in v:
                raise self.fail(where, f"missing key {k!r}")
        return v

    def lst(self, v: Any, where: str, length: int | None = None) -> list:
        if not isinstance(v, list):
            raise self.fail(where, "expected a JSON list")
        if length is not None and len(v) != length:
            raise self.fail(where, f"expected {length} entries, found {len(v)}")
        return v

    def rat(self, v: Any, where: str) -> Fraction:
        if not isinstance(v, str):
            raise self.fail(where, "a rational must be a string 'p' or 'p/q'")
        try:
            return parse_rational(v)
        except (ValueError, ExactReluError) as e:
            raise self.fail(where, str(e)) from None

    def vec(self, v: Any, where: str, length: int | None = None) -> tuple[Fraction, ...]:
        return tuple(self.rat(a, f"{where}[{k}]")
                     for k, a in enumerate(self.lst(v, where, length)))

    def index(self, v: Any, bound: int, where: str) -> int:
        if type(v) is not int or not 0 <= v < bound:
            raise self.fail(where, f"expected an integer index below {bound}")
        return v

    def sign(self, v: Any, where: str) -> int:
        if type(v) is not int or v not in (1, -1):
            raise self.fail(where, "sign must be 1 or -1")
        return v


def read_certificate(path: str) -> dict:
    """Parse a certificate into exact objects: ``{"data", "lam", "patterns", "r",
    "lower", "upper", "network" | None, "blocks" | None}``.  :class:`InputError` if it
    is malformed (never a traceback)."""
    from ..networks import Network
    from ..patterns import PatternSet
    from ..problem import Dataset

    rd = _Reader(path)
    from ..io.files import read_text

    text = read_text(path, "certificate")
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as e:
        raise InputError(f"not valid JSON: {e}", file=path) from None
    rd.obj(doc, "certificate", "problem", "patterns", "dual", "claim")
    if doc.get("format", "exactrelu-certificate") != "exactrelu-certificate":
        raise rd.fail("format", "not an exactrelu certificate")
    pr = rd.obj(doc["problem"], "problem", "X", "y", "lam")
    rows = rd.lst(pr["X"], "problem.X")
    if not rows:
        raise rd.fail("problem.X", "no data rows")
    X = [rd.vec(r, f"problem.X[{k}]") for k, r in enumerate(rows)]
    n, d = len(X), len(X[0])
    if d == 0 or any(len(r) != d for r in X):
        raise rd.fail("problem.X", "rows must be non-empty and of equal length")
    y = rd.vec(pr["y"], "problem.y", n)
    lam = rd.rat(pr["lam"], "problem.lam")
    if lam <= 0:
        raise rd.fail("problem.lam", "must be positive")
    bias = pr.get("bias", False)
    if not isinstance(bias, bool):
        raise rd.fail("problem.bias", "must be true or false")
    pa = rd.obj(doc["patterns"], "patterns", "bits")
    bits = rd.lst(pa["bits"], "patterns.bits")
    for i, b in enumerate(bits):
        if not isinstance(b, str) or len(b) != n or b.strip("01"):
            raise rd.fail(f"patterns.bits[{i}]", f"expected {n} characters 0/1")
    if len(set(bits)) != len(bits):
        raise rd.fail("patterns.bits", "a pattern is listed twice")
    wit_raw = pa.get("witnesses")
    witnesses = []
    if wit_raw is not None:
        for i, g in enumerate(rd.lst(wit_raw, "patterns.witnesses", len(bits))):
            gq = rd.vec(g, f"patterns.witnesses[{i}]", d)
            den = 1
            for a in gq:
                den = den * a.denominator // _gcd(den, a.denominator)
            witnesses.append(tuple(int(a * den) for a in gq))
    else:
        witnesses = [tuple(0 for _ in range(d)) for _ in bits]
    du = rd.obj(doc["dual"], "dual", "r")
    r = rd.vec(du["r"], "dual.r", n)
    cl = rd.obj(doc["claim"], "claim", "lower", "upper")
    lower, upper = rd.rat(cl["lower"], "claim.lower"), rd.rat(cl["upper"], "claim.upper")
    net = None
    if doc.get("network") is not None:
        nw = rd.obj(doc["network"], "network", "W1", "w2")
        W1 = [rd.vec(w, f"network.W1[{j}]", d)
              for j, w in enumerate(rd.lst(nw["W1"], "network.W1"))]
        w2 = rd.vec(nw["w2"], "network.w2", len(W1))
        net = Network(tuple(W1), w2, False, d)
    blocks = None
    if doc.get("blocks") is not None:
        blocks = []
        for e, blk in enumerate(rd.lst(doc["blocks"], "blocks")):
            h = f"blocks[{e}]"
            rd.obj(blk, h, "pattern", "sign", "u")
            blocks.append(((rd.index(blk["pattern"], len(bits), h + ".pattern"),
                            rd.sign(blk["sign"], h + ".sign")), rd.vec(blk["u"], h + ".u", d)))
    data = Dataset.from_arrays(X, y, bias=False)
    data = Dataset(data.X, data.y, bias, source=path)
    ps = PatternSet(n, d, tuple(bits), tuple(witnesses), complete=False)
    return {"data": data, "lam": lam, "patterns": ps, "r": r, "lower": lower,
            "upper": upper, "network": net, "blocks": blocks}


def _gcd(a: int, b: int) -> int:
    import math

    return math.gcd(a, b)


# ------------------------------------------------------------------------ the command

def _exact_report(c: dict, max_vertices: int) -> tuple["_Ctx", dict]:
    from ..exact import exact_optimum_at
    from ..optimal_set import PolytopeTooLarge, optimal_set
    from ..problem import ConvexProgram

    program = ConvexProgram(c["data"], c["lam"], c["patterns"])
    eo = exact_optimum_at(program, c["r"])
    if eo is None or eo.value != c["lower"]:
        raise InputError("the certificate claims an exact optimum, but its residual "
                         "dual.r is not optimal for its program (run `exactrelu check`)",
                         file=c["data"].source)
    try:
        os_ = optimal_set(program, eo, vertex_limit=max_vertices)
        all_vertices = True
    except PolytopeTooLarge:        # everything but the vertex list; one extreme point
        os_ = optimal_set(program, eo, enumerate_vertices=False)
        all_vertices = False
        ep = os_.polytope.lp([Fraction(1)] * os_.polytope.L)[1]
        os_.vertices = [os_.alpha_dict(ep)]
    bits = program.patterns.bits
    S = list(os_.support)
    sidx = {b: j for j, b in enumerate(S)}
    verts = sorted(os_.vertices, key=lambda a: (len(a), sorted(sidx[b] for b in a)))
    # sampling context: coordinates = the equicorrelated blocks (zero outside S on P);
    # the neuron of block b at alpha_b is (alpha_b v_b, s_b), its output s_b alpha_b (x.v_b)_+
    ctx = _Ctx(os_.polytope, [os_.alpha_vector(a) for a in os_.vertices] if all_vertices
               else None,
               [os_.v[b] for b in os_.blocks], [b[1] for b in os_.blocks],
               [str(sidx[b]) if b in sidx else None for b in os_.blocks])
    return ctx, {
        "exact": True,
        "unique": os_.unique,
        "support": [[bits[b[0]], b[1]] for b in S],
        "vertices": [{"neurons": len(a),
                      "alpha": {str(sidx[b]): q_str(x) for b, x in
                                sorted(a.items(), key=lambda t: sidx[t[0]])}}
                     for a in verts],
        "min_neurons": os_.min_neurons if all_vertices else None,
        # extras
        "all_vertices": all_vertices,
        "value": q_str(eo.value),
        "equicorrelated": [[bits[b[0]], b[1]] for b in os_.blocks],
        "witness": None if os_.witness is None else
        {str(sidx[b]): q_str(x) for b, x in os_.witness.items()},
        "nc_unique_up_to_permutation_splitting": os_.nc_p_unique,
        "min_norm": {"alpha": {str(sidx[b]): q_str(x) for b, x in os_.min_norm.items()},
                     "mu": [q_str(x) for x in os_.min_norm_mu]},
        "sum_alpha": q_str(os_.sum_alpha),
        "n": program.data.n,
    }


def _model_report(c: dict, max_vertices: int) -> tuple["_Ctx", dict]:
    from ..numbers import sqnorm
    from ..optimal_set import PolytopeTooLarge
    from ..optimal_set_model import model_polytope, model_polytope_from_columns
    from ..patterns import neuron_region

    data, lam = c["data"], c["lam"]
    if c["network"] is not None:
        mp, keep = model_polytope(c["network"], data, lam)
        net = c["network"]
        support = [[neuron_region(data.X, net.W1[j])[0], 1 if net.w2[j] > 0 else -1]
                   for j in keep]
        rel = "network"
    elif c["blocks"]:
        from ..problem import ConvexProgram

        program = ConvexProgram(data, lam, c["patterns"])
        keys, cols, nsq = [], [], []
        for b, u in c["blocks"]:
            f = program.block_fit(b, u)
            if any(f):
                keys.append(b)
                cols.append(f)
                nsq.append(sqnorm(u))
        mp = model_polytope_from_columns(cols, nsq, data.y, lam)
        support = [[c["patterns"].bits[b[0]], b[1]] for b in keys]
        rel = "blocks"
    else:
        raise InputError("the certificate has neither a network nor blocks")
    P = mp.polytope
    try:
        vv = P.vertices(limit=max_vertices)
        complete = True
    except PolytopeTooLarge:
        vv = [P.lp([Fraction(1)] * P.L)[1]]            # one extreme point (max sum beta)
        complete = False
    if rel == "network":
        dirs = [net.W1[j] for j in keep]
        signs = [net.w2[j] for j in keep]
    else:
        bu = dict(c["blocks"])
        dirs = [bu[k] for k in keys]
        signs = [k[1] for k in keys]
    ctx = _Ctx(P, vv if complete else None, dirs, signs, [str(j) for j in range(P.L)])
    verts = sorted(vv, key=lambda a: (sum(1 for x in a if x), a))
    out_v = []
    for a in verts:
        lo, hi = mp.objective_bounds(a)
        out_v.append({"neurons": sum(1 for x in a if x),
                      "alpha": {str(j): q_str(x) for j, x in enumerate(a) if x},
                      "objective_upper": q_str(hi), "objective_upper_float": float(hi)})
    return ctx, {
        "exact": False,
        "unique": mp.unique,
        "support": support,
        "vertices": out_v,
        "min_neurons": min(v["neurons"] for v in out_v) if complete and out_v else None,
        # extras
        "relative_to": rel,
        "dimension": mp.dim,
        "all_vertices": complete,
        "lower": q_str(c["lower"]), "upper": q_str(c["upper"]),
        "note": "the optimum is not known exactly; this is the polytope of rescalings "
                "beta >= 0 of the model's neurons with exactly the same training "
                "predictions (alpha = beta, keyed by neuron index)",
    }


@dataclass
class _Ctx:
    """What sampling needs: the polytope (coordinates ``j``), its vertices if all are
    known, and for each coordinate the neuron output ``x -> sign_j (x . dir_j)_+`` per
    unit of the coordinate, and the report key of the coordinate."""

    polytope: Any
    vertices: list | None
    dirs: list
    signs: list
    keys: list


def _samples(c: dict, ctx: _Ctx, args: argparse.Namespace) -> dict:
    """Exact samples of the polytope (random convex combinations of its vertices: all of
    them when enumerated, else those found by LPs with random objectives), optionally
    written to ``--samples-out``, and the spread of the test error on ``--test``."""
    import numpy as np

    from ..io.data import read_csv
    from ..optimal_set import mix_vertices

    test = None
    if args.test:
        test = read_csv(args.test, header=args.header, bias=c["data"].bias)
        if test.d != c["data"].d:
            raise InputError(f"{test.d} columns (with bias) but the certificate's data has "
                             f"{c['data'].d}", file=args.test)
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
               "certificate": args.cert, "exact": c["lower"] == c["upper"],
               "method": out["method"],
               "samples": [{"alpha": {k: q_str(a) for k, a in zip(ctx.keys, S.exact(i)) if a}}
                           for i in range(len(S))]}
        from ..io.files import write_atomic

        write_atomic(args.samples_out, json.dumps(doc))
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


def run(args: argparse.Namespace) -> int:
    if args.max_vertices < 1:
        raise InputError("--max-vertices must be a positive integer")
    if args.samples < 0:
        raise InputError("--samples must be a non-negative integer")
    if (args.samples_out or args.test) and not args.samples:
        raise InputError("--samples-out and --test need --samples [N]")
    c = read_certificate(args.cert)
    exact = c["lower"] == c["upper"]
    ctx, rep = (_exact_report(c, args.max_vertices) if exact
                else _model_report(c, args.max_vertices))
    if args.samples:
        rep["samples"] = _samples(c, ctx, args)
    if args.json:
        print(json.dumps(rep))
        return 0
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
            print(f"vertices: more than --max-vertices {args.max_vertices}; one extreme point "
                  "shown (an exact LP optimum, max sum alpha); min_neurons not determined")
    else:
        gap = c["upper"] - c["lower"]
        print(f"not exact: lower < upper (gap {approx(gap, '.3e')}, lower ~ "
              f"{approx(c['lower'], '.15g')}); the optimal set is not known exactly.")
        print(f"model-relative polytope of the certificate's {rep['relative_to']}: "
              f"{len(sup)} neurons, dimension {rep['dimension']} (every point has exactly "
              f"the same training predictions)")
        print("unique: " + ("yes -- the neuron outputs are linearly independent" if rep["unique"]
                            else "no -- the neuron outputs are linearly dependent"))
        more = "" if rep["all_vertices"] else " (too many: one extreme point shown)"
        print(f"vertices (minimal rescalings){more}: {len(rep['vertices'])}")
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
    sp.add_argument("--json", action="store_true", help="print one JSON object (cli.md)")
    sp.add_argument("--max-vertices", type=int, default=100000, metavar="K",
                    help="stop enumerating beyond K vertices (default 100000)")
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
    sp.add_argument("--header", action="store_true", help="the --test CSV has a header line")
    sp.set_defaults(func=run)
