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
"""
from __future__ import annotations

import argparse
import json
from fractions import Fraction
from typing import Any

from .errors import ExactReluError, InputError
from .numbers import parse_rational, q_str

__all__ = ["register", "cmd_optimal_set", "read_certificate"]


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
    from .networks import Network
    from .patterns import PatternSet
    from .problem import Dataset

    rd = _Reader(path)
    from .io.files import read_text

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

def _exact_report(c: dict, max_vertices: int) -> dict:
    from .exact import exact_optimum_at
    from .optimal_set import optimal_set
    from .problem import ConvexProgram

    program = ConvexProgram(c["data"], c["lam"], c["patterns"])
    eo = exact_optimum_at(program, c["r"])
    if eo is None or eo.value != c["lower"]:
        raise ExactReluError("the certificate claims an exact optimum, but its residual "
                             "dual.r is not optimal for its program (run `exactrelu check`)")
    os_ = optimal_set(program, eo, vertex_limit=max_vertices)
    bits = program.patterns.bits
    S = list(os_.support)
    sidx = {b: j for j, b in enumerate(S)}
    verts = sorted(os_.vertices, key=lambda a: (len(a), sorted(sidx[b] for b in a)))
    return {
        "exact": True,
        "unique": os_.unique,
        "support": [[bits[b[0]], b[1]] for b in S],
        "vertices": [{"neurons": len(a),
                      "alpha": {str(sidx[b]): q_str(x) for b, x in
                                sorted(a.items(), key=lambda t: sidx[t[0]])}}
                     for a in verts],
        "min_neurons": os_.min_neurons,
        # extras
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


def _model_report(c: dict, max_vertices: int) -> dict:
    from .numbers import sqnorm
    from .optimal_set import PolytopeTooLarge
    from .optimal_set_model import model_polytope, model_polytope_from_columns
    from .patterns import neuron_region

    data, lam = c["data"], c["lam"]
    if c["network"] is not None:
        mp, keep = model_polytope(c["network"], data, lam)
        net = c["network"]
        support = [[neuron_region(data.X, net.W1[j])[0], 1 if net.w2[j] > 0 else -1]
                   for j in keep]
        rel = "network"
    elif c["blocks"]:
        from .problem import ConvexProgram

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
    verts = sorted(vv, key=lambda a: (sum(1 for x in a if x), a))
    out_v = []
    for a in verts:
        lo, hi = mp.objective_bounds(a)
        out_v.append({"neurons": sum(1 for x in a if x),
                      "alpha": {str(j): q_str(x) for j, x in enumerate(a) if x},
                      "objective_upper": q_str(hi), "objective_upper_float": float(hi)})
    return {
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


def cmd_optimal_set(args: argparse.Namespace) -> int:
    if args.max_vertices < 1:
        raise InputError("--max-vertices must be a positive integer")
    c = read_certificate(args.cert)
    exact = c["lower"] == c["upper"]
    rep = _exact_report(c, args.max_vertices) if exact else _model_report(c, args.max_vertices)
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
        print(f"vertices (support-minimal optimal networks, each with independent fits): "
              f"{len(rep['vertices'])}")
    else:
        gap = c["upper"] - c["lower"]
        print(f"not exact: lower < upper (gap {float(gap):.3e}, lower ~ "
              f"{float(c['lower']):.15g}); the optimal set is not known exactly.")
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
    sp.set_defaults(func=cmd_optimal_set)
