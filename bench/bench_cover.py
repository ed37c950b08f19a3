"""Benchmark: cover proofs of (F) -- complete lower bounds without listing regions.

One command, prints Markdown tables:

1. ``split rules`` (``--rules``, also part of the default run): tree nodes of each split
   rule of :mod:`exactrelu.approx.cover_search` on the same residuals.
2. ``regions vs cover`` on small random data where the region route (``certify``) also
   finishes: both lower bounds, the number of regions against the number of tree nodes,
   times and certificate sizes.
3. ``frontier``: the cover route alone (column-generation solve, cover search, exact
   leaf checks, independent re-verification) on scikit-learn's diabetes data
   (standardised, first ``d`` features plus a bias column, first ``n`` rows; values
   rounded to the grid 2^-10 so that exact arithmetic stays small) at
   ``lam = 1/2 lam_max`` (``lam_max``: the priced max of ``|g_y(u)| / ||u||``, above which
   zero is optimal; few active neurons), with a wall-clock limit per instance.

Regions: the general-position count ``2 sum_{k<d} C(n-1, k)`` (an upper bound, exact for
data in general position).  ``gap`` = 1e-4: the proved bound is within 1e-4 (relative)
of the bound at the float residual.  Times are wall clock on a shared machine.

Usage: ``python bench/bench_cover.py [--quick] [--only rules|regions|frontier]
[--limit SECONDS] [--d 3,5,10] [--ns 20,50,100,200,442] [--max-n N]``.  The full run takes
about an hour on 2 shared cores (instances that hit ``--limit`` dominate); ``--quick``
(two rule cases, two region cases, diabetes d = 3 with n = 20, 50) a few minutes.
Results of a full run: ``docs/spec/cover-draft.md`` (Measurements).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from exactrelu.approx.cover_pricing import price, solve_by_columns  # noqa: E402
from exactrelu.approx.cover_search import RULES  # noqa: E402
from exactrelu.certificate.cover import verify_cover  # noqa: E402
from exactrelu.certificate.cover_producer import cover_lower_bound, cover_route  # noqa: E402
from exactrelu.certificate.dual_bound import dyadic  # noqa: E402
from exactrelu.arrangement import region_count_general_position  # noqa: E402
from exactrelu.problem import Dataset  # noqa: E402

GAP = Fraction(1, 10 ** 4)


def random_data(n, d, seed, bias=True):
    rng = random.Random(seed)
    X = [[Fraction(rng.randint(-20, 20), rng.randint(1, 7)) for _ in range(d)]
         for _ in range(n)]
    y = [Fraction(rng.randint(-30, 30), rng.randint(1, 5)) for _ in range(n)]
    return Dataset.from_arrays(X, y, bias=bias, source=f"random n={n} d={d} seed={seed}")


def sklearn_data(name, n, d):
    """A scikit-learn set (diabetes, breast, wine), standardised on the whole set, first
    ``n`` rows and ``d`` features on the grid 2^-10, plus a bias column."""
    from sklearn import datasets

    fn = {"diabetes": datasets.load_diabetes, "breast": datasets.load_breast_cancer,
          "wine": datasets.load_wine}[name]
    X, y = fn(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    y = (y - y.mean()) / y.std()
    X, y = X[:n, :d], y[:n]
    q = lambda v: Fraction(round(float(v) * 1024), 1024)  # noqa: E731
    return Dataset.from_arrays([[q(v) for v in row] for row in X], [q(v) for v in y],
                               bias=True, source=f"{name} n={n} d={d}+bias")


def diabetes(n, d):
    return sklearn_data("diabetes", n, d)


def half_lam_max(data):
    lmax = price(data.X_float(), data.y_float())[0][0]
    return Fraction(round(0.5 * lmax * 64), 64)


def table(rows, cols):
    print("| " + " | ".join(cols) + " |")
    print("|" + "|".join("---" for _ in cols) + "|")
    for r in rows:
        print("| " + " | ".join(str(r.get(c, "")) for c in cols) + " |")
    print(flush=True)


def rules_table(cases, limit):
    """Random data: the region route's residual (exact, feasible); diabetes: the
    column-generation residual."""
    from exactrelu.certificate.produce import certify

    rows = []
    for name, data, lam in cases:
        if name.startswith("random"):
            cert = certify(data, lam, progress=False, route="regions").certificate
            r0 = [Fraction(v) for v in cert["dual"]["r"]]
        else:
            cs = solve_by_columns(data.X_float(), data.y_float(), float(lam))
            r0 = [dyadic(v, 48) for v in cs.solution.residual]
        row = {"data": name, "n": data.n, "d": data.d}
        for rule in RULES:
            t = time.perf_counter()
            cb = cover_lower_bound(data, lam, r0, gap=GAP, rule=rule, time_limit=limit)
            res = cb.result
            nodes = sum(res.nodes.values())
            row[rule] = f"{nodes}{'' if res.status == 'proved' else ' (' + res.status + ')'}" \
                f" / {time.perf_counter() - t:.1f}s"
        rows.append(row)
    print("### Split rules: tree nodes (both signs) / time\n")
    table(rows, ["data", "n", "d", *RULES])


def regions_vs_cover(cases, limit):
    from exactrelu.certificate.produce import certify

    rows = []
    for name, data, lam in cases:
        t = time.perf_counter()
        res = certify(data, lam, progress=False, route="regions")
        t_reg = time.perf_counter() - t
        size_reg = len(json.dumps(res.certificate))
        r = [Fraction(v) for v in res.certificate["dual"]["r"]]
        t = time.perf_counter()
        cb = cover_lower_bound(data, lam, r, gap=GAP, time_limit=limit)
        t_cov = time.perf_counter() - t
        cov = cb.result.cover
        t = time.perf_counter()
        ok = verify_cover(data.X, cb.r, lam, cov)[0] if cov else False
        t_ver = time.perf_counter() - t
        L = sum(a * b for a, b in zip(r, data.y)) - sum(a * a for a in r) / 2
        rows.append({"data": name, "n": data.n, "d": data.d, "lam": lam,
                     "regions": res.patterns, "active": res.active_neurons,
                     "nodes": sum(cb.result.nodes.values()),
                     "L regions": f"{float(L):.10g}",
                     "L cover": f"{float(cb.lower):.10g}" if cb.lower is not None else "-",
                     "certify s": f"{t_reg:.1f}", "cover s": f"{t_cov:.1f}",
                     "verify s": f"{t_ver:.1f}", "verified": ok,
                     "cert KB": size_reg // 1024,
                     "cover KB": len(json.dumps(cov)) // 1024 if cov else "-"})
    print("### Regions route vs cover route (same residual, gap 1e-4)\n")
    table(rows, ["data", "n", "d", "lam", "active", "regions", "nodes", "L regions",
                 "L cover", "certify s", "cover s", "verify s", "verified", "cert KB",
                 "cover KB"])


def run_route(data, lam, gap=GAP, **kw):
    """``cover_route`` then ``verify_cover``: (route, cover result or None, verified,
    verify seconds, route seconds)."""
    t0 = time.perf_counter()
    cr = cover_route(data, lam, gap=gap, **kw)
    total = time.perf_counter() - t0
    cb = cr.bound
    res = cb.result if cb is not None else None
    ok, t_ver = False, 0.0
    if cb is not None and cb.lower is not None:
        t = time.perf_counter()
        ok = verify_cover(data.X, cb.r, lam, res.cover)[0]
        t_ver = time.perf_counter() - t
    return cr, res, ok, t_ver, total


def frontier(ns, ds, limit, max_n):
    rows = []
    for d in ds:
        for n in ns:
            if n > max_n:
                continue
            data = diabetes(n, d)
            lam = half_lam_max(data)
            cr, res, ok, t_ver, total = run_route(data, lam, time_limit=limit)
            act = cr.active
            rows.append({
                "n": n, "d": data.d, "lam": lam, "active": act,
                "regions (gp)": f"{region_count_general_position(n, data.d):.3g}",
                "CG patterns": cr.patterns, "rounds": cr.rounds,
                "status": res.status if res else "-",
                "nodes +/-": f"{res.nodes.get(1, 0)}/{res.nodes.get(-1, 0)}" if res else "-",
                "depth": max(res.depth.values()) if res and res.depth else "-",
                "solve s": f"{cr.seconds['solve']:.1f}",
                "search s": f"{cr.seconds['search']:.1f}",
                "exact s": f"{cr.seconds['exact']:.1f}",
                "verify s": f"{t_ver:.1f}", "total s": f"{total:.0f}", "verified": ok,
                "KB": len(json.dumps(res.cover)) // 1024 if res and res.cover else "-"})
            print(f"  [{data.source}: {rows[-1]['status']}, {rows[-1]['nodes +/-']} nodes, "
                  f"{total:.0f}s]", file=sys.stderr, flush=True)
            if res is None or res.status != "proved":
                break           # larger n with this d will not finish either
    print(f"### Frontier: diabetes, cover route alone (limit {limit:.0f}s per sign)\n")
    table(rows, ["n", "d", "lam", "active", "regions (gp)", "CG patterns", "rounds",
                 "status", "nodes +/-", "depth", "solve s", "search s", "exact s",
                 "verify s", "total s", "verified", "KB"])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes only")
    ap.add_argument("--rules", action="store_true", help="only the split-rule comparison")
    ap.add_argument("--limit", type=float, default=240.0,
                    help="search time limit per sign and instance (seconds)")
    ap.add_argument("--max-n", type=int, default=442)
    ap.add_argument("--only", choices=("rules", "regions", "frontier"),
                    help="run one table only")
    ap.add_argument("--d", type=str, default="3,5,10",
                    help="feature counts of the frontier (comma separated)")
    ap.add_argument("--ns", type=str, default="20,50,100,200,442",
                    help="row counts of the frontier (comma separated)")
    args = ap.parse_args(argv)
    if args.rules:
        args.only = "rules"
    small = [(f"random s{s}", random_data(n, 2, s), Fraction(1, 2))
             for n, s in ((20, 1), (30, 2), (25, 4))]
    rule_cases = small + [("diabetes", diabetes(50, 3), None), ("diabetes", diabetes(50, 5), None)]
    rule_cases = [(a, b, c if c is not None else half_lam_max(b)) for a, b, c in rule_cases]
    if args.quick:
        rule_cases = [rule_cases[0], rule_cases[3]]
    if args.only in (None, "rules"):
        rules_table(rule_cases, args.limit)
    if args.only in (None, "regions"):
        cases = small[:1]
        for n, d in ((20, 3), (40, 2), (30, 3)):
            dia = diabetes(n, d)
            cases.append(("diabetes", dia, half_lam_max(dia)))
        regions_vs_cover(cases if not args.quick else cases[:2], args.limit)
    if args.only in (None, "frontier"):
        ns = (20, 50) if args.quick else tuple(int(v) for v in args.ns.split(","))
        ds = (3,) if args.quick else tuple(int(v) for v in args.d.split(","))
        frontier(ns, ds, args.limit, args.max_n)


if __name__ == "__main__":
    main()
