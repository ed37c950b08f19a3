"""Benchmark: certificates at real-data scale -- regions route vs cover route (issue 13).

One command, one run, prints Markdown tables (times are wall clock on a shared 2-core
machine; the load average is printed beside them):

1. ``jobs``: the parallel cover search (``--jobs``, default 2) against the serial one on
   the same instances and residuals (``lam`` = lam_max/2 for diabetes), one after the
   other, with the CPU seconds of all processes and a calibration: a pure-Python CPU loop split over the same number of processes at
   the same moment (the speed-up the machine offers right now, other users included).
   The covers must be identical (what a node becomes depends on its path only).
2. ``regions`` (diabetes at lam_max/2, random data at lam = 1/2): whole certificates of
   both routes where both finish -- ``certify(route="regions")`` (every region) against
   ``certify_cover`` (column generation, then the default cover: a simplex cover, format
   1.7, in dimension d <= 3, else a compacted sign-split tree, 1.6) --
   each checked by both checkers (the standalone ``proofs_checks/check_cert.py`` as a
   ``python -I -S`` subprocess and the library's ``check_bytes``): both lower bounds,
   cvxpy + Clarabel on the full program (every region) as the float reference, times,
   sizes of the written JSON files and check times.
3. ``scale``: the cover route alone on scikit-learn data sets, standardised (features
   and target, on the whole set), first ``n`` rows, features on the grid 2^-10 (exact
   arithmetic stays small), plus a bias column: diabetes (10 features: d = 11) at
   n = 50, 100, 200, 442; breast cancer (first 10 features: d = 11) at n = 100, 569; wine
   (13 features: d = 14) at n = 178.  Two ``lam`` each, from the priced ``lam_max`` (above
   it zero is optimal): ``few`` = lam_max/2 (meant to give at most 10 active neurons
   in the column-generation solve; the table shows the count) and ``many`` = lam_max/16, /64, ... (the first with more than
   10).  Per set and ``lam``, rows stop at the first ``n`` that is not certified within
   ``--limit``.  Columns: tree nodes against the general-position bound on the number of
   regions (:func:`exactrelu.arrangement.region_bound`) and where the time goes (solve =
   column generation incl. pricing; search = float branch and bound; exact = the exact
   leaf checks inside the search; verify = the independent re-check).
4. ``frontier``: per set and ``lam``, the largest ``(n, d)`` certified within ``--limit``.
5. ``growth`` (only with ``--only growth``): tree size against ``n`` and the slack
   (``--gap``) on diabetes, d = 11, lam_max/2 (``--growth-n``, ``--growth-gaps``).

Gap 1e-4 (the proved bound is within 1e-4, relative, of the bound at the float residual).
``--limit`` bounds the cover searches of the whole route (all rounds, both signs); an instance counts as certified within the limit only if its
whole route (solve, search, exact checks) took at most ``--limit`` seconds.

Usage: ``python bench/bench_scale.py [--quick] [--limit SECONDS] [--jobs N]
[--only jobs|regions|scale] [--sets diabetes,breast,wine] [--max-n N]``.
``--quick``: one small instance per table (about 2 minutes on an idle machine).  The
full run is hours on 2 shared cores (each hard instance may use ``--limit``).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_cover import (diabetes, half_lam_max, random_data, run_route,  # noqa: E402
                         sklearn_data, table)

from exactrelu.approx.cover_pricing import price, solve_by_columns  # noqa: E402
from exactrelu.arrangement import region_bound  # noqa: E402
from exactrelu.certificate.cover import verify_cover  # noqa: E402
from exactrelu.certificate.cover_producer import (cover_proof, cover_route,  # noqa: E402
                                                  scale_for_gap)
from exactrelu.certificate.dual_bound import dyadic  # noqa: E402
from exactrelu.problem import Dataset  # noqa: E402

GAP = Fraction(1, 10 ** 4)
SETS = {"diabetes": (10, (50, 100, 200, 442)), "breast": (10, (100, 569)),
        "wine": (13, (178,))}


def load_avg() -> str:
    return "{:.1f}".format(os.getloadavg()[0])


def cpu_seconds() -> float:
    a = resource.getrusage(resource.RUSAGE_SELF)
    b = resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def grid(v: float) -> Fraction:
    return max(Fraction(1, 1024), Fraction(round(v * 1024), 1024))


def pick_lams(data: Dataset) -> dict:
    """``{"few": (lam, active), "many": (lam, active)}`` (see the module doc)."""
    X, y = data.X_float(), data.y_float()
    lmax = price(X, y)[0][0]
    out = {}
    lam = grid(lmax / 2)
    out["few"] = (lam, len(solve_by_columns(X, y, float(lam)).solution.active))
    for f in (16, 64, 256):
        lam = grid(lmax / f)
        act = len(solve_by_columns(X, y, float(lam)).solution.active)
        if act > 10:
            break
    out["many"] = (lam, act)
    return out


# ---------------------------------------------------------------------------- 1. jobs

def _spin(n: int) -> int:
    s = 0
    for i in range(n):
        s += i * i
    return s


def calibrate(jobs: int, work: int = 6_000_000) -> float:
    """Speed-up of a pure CPU loop on ``jobs`` processes against one, measured now."""
    def run(k):
        t = time.perf_counter()
        with ProcessPoolExecutor(k) as p:
            list(p.map(_spin, [work // k] * k))
        return time.perf_counter() - t
    return run(1) / run(jobs)


def jobs_table(cases, jobs: int, limit: float) -> None:
    rows = []
    for name, data, lam in cases:
        if name.startswith("random"):        # the region route's (exact, feasible) residual
            from exactrelu.certificate.produce import certify

            r0 = [Fraction(v) for v in certify(data, lam, progress=False, route="regions").certificate["dual"]["r"]]
        else:
            cs = solve_by_columns(data.X_float(), data.y_float(), float(lam))
            r0 = [dyadic(v, 48) for v in cs.solution.residual]
        t = scale_for_gap(r0, data.y, GAP)
        r = [t * a for a in r0]
        row = {"instance": name, "n": data.n, "d": data.d, "calibration": ""}
        covers = {}
        for j in (1, jobs):
            row[f"load {j}"] = load_avg()
            c0, t0 = cpu_seconds(), time.perf_counter()
            res = cover_proof(data.X, r, lam, jobs=j, time_limit=limit)
            wall = time.perf_counter() - t0
            covers[j] = json.dumps(res.cover) if res.cover else None
            row["nodes"] = sum(res.nodes.values())
            row[f"status {j}"] = res.status
            row[f"wall {j}"] = f"{wall:.1f}"
            row[f"cpu {j}"] = f"{cpu_seconds() - c0:.1f}"
        row["speed-up"] = f"{float(row['wall 1']) / max(float(row[f'wall {jobs}']), 1e-9):.2f}"
        row["calibration"] = f"{calibrate(jobs):.2f}"
        row["same cover"] = covers[1] == covers[jobs] and covers[1] is not None
        row["verified"] = covers[1] is not None and verify_cover(data.X, r, lam,
                                                                 json.loads(covers[1]))[0]
        rows.append(row)
        print(f"  [jobs: {name} done]", file=sys.stderr, flush=True)
    print(f"### Parallel search: jobs = 1 vs jobs = {jobs} (same residual: column generation's, "
          "the region route's for random data; gap 1e-4; wall and "
          "CPU seconds of all processes of cover_proof; calibration = speed-up of a pure CPU "
          "loop on the same number of processes, measured right after)\n")
    table(rows, ["instance", "n", "d", "nodes", "status 1", f"status {jobs}", "load 1", "wall 1", "cpu 1", f"load {jobs}",
                 f"wall {jobs}", f"cpu {jobs}", "speed-up", "calibration", "same cover",
                 "verified"])


# ------------------------------------------------------------------------- 2. regions

def _check_both(cert: dict) -> dict:
    """Both checkers on the written text: the standalone stdlib checker in a subprocess
    (``python -I -S``) and the library's ``check_bytes`` here; verdict and seconds each."""
    from exactrelu.certificate.check import check_bytes
    from exactrelu.certificate.emit import dumps

    text = dumps(cert)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        fh.write(text)
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-I", "-S", str(ROOT / "proofs_checks" / "check_cert.py"),
                        fh.name], capture_output=True, text=True)
    t_sa = time.perf_counter() - t
    Path(fh.name).unlink()
    t = time.perf_counter()
    lib = check_bytes(text.encode())
    t_lib = time.perf_counter() - t
    sa = (p.stdout.split(":")[0] or p.stderr[:40]).strip()
    return {"size": len(text), "sa": f"{t_sa:.2f} ({sa})", "lib": f"{t_lib:.2f} ({lib.verdict})"}


def _cvxpy(data: Dataset, lam: Fraction) -> str:
    try:
        from bench_solve import solve_cvxpy

        from exactrelu.arrangement import enumerate_patterns

        P = enumerate_patterns(data.X, progress=False).as_array()
        return f"{solve_cvxpy(data.X_float(), data.y_float(), float(lam), P, tight=True)[0]:.10g}"
    except Exception as exc:  # the float reference is optional (cvxpy: test extra)
        return f"- ({type(exc).__name__})"


def regions_table(cases, limit: float, jobs: int) -> None:
    """Whole certificates of both routes (``certify(route=...)``), each checked by both
    checkers; sizes are the written JSON files."""
    from exactrelu.certificate.cover_certify import certify_cover
    from exactrelu.certificate.produce import certify

    rows = []
    for name, data, lam in cases:
        t = time.perf_counter()
        reg = certify(data, lam, progress=False, route="regions")
        t_reg = time.perf_counter() - t
        t = time.perf_counter()
        cov = certify_cover(data, lam, gap=GAP, progress=False, jobs=jobs, time_limit=limit)
        t_cov = time.perf_counter() - t
        a, b = _check_both(reg.certificate), _check_both(cov.certificate)
        rows.append({
            "data": name, "n": data.n, "d": data.d, "lam": lam, "active": reg.active_neurons,
            "regions": reg.patterns, "nodes": cov.tree_nodes,
            "L regions": f"{float(reg.lower):.10g}", "U regions": f"{float(reg.upper):.10g}",
            "L cover": f"{float(cov.lower):.10g}",
            "rel diff": f"{float(reg.lower - cov.lower) / max(1.0, abs(float(reg.lower))):.1e}",
            "L <= U": cov.lower <= reg.upper, "cvxpy": _cvxpy(data, lam),
            "certify s": f"{t_reg:.1f}", "cover s": f"{t_cov:.1f}",
            "regions: standalone s": a["sa"], "library s": a["lib"],
            "cover: standalone s": b["sa"], "cover: library s": b["lib"],
            "regions KB": a["size"] // 1024, "cover KB": b["size"] // 1024,
            "ratio": f"{a['size'] / b['size']:.0f}x", "load": load_avg()})
        print(f"  [regions: {name} done]", file=sys.stderr, flush=True)
    print("### Regions route vs cover route: whole certificates (`certify --route regions` / "
          "`--route cover`, gap 1e-4), each checked by both checkers (standalone = "
          "`python -I -S proofs_checks/check_cert.py`, library = `check_bytes`); cvxpy + "
          "Clarabel on every region, tolerance 1e-10, as the float reference\n")
    table(rows, ["data", "n", "d", "lam", "active", "regions", "nodes", "L regions",
                 "L cover", "rel diff", "U regions", "L <= U", "cvxpy", "certify s", "cover s",
                 "regions: standalone s", "library s", "cover: standalone s",
                 "cover: library s", "regions KB", "cover KB", "ratio", "load"])


# --------------------------------------------------------------------------- 3. scale

def scale_row(name: str, data: Dataset, kind: str, lam: Fraction, active: int,
              limit: float, jobs: int) -> dict:
    cr, res, ok, t_ver, total = run_route(
        data, lam, time_limit=limit, jobs=jobs, max_rounds=4)
    nodes = sum(res.nodes.values()) if res else 0
    return {
        "set": name, "n": data.n, "d": data.d, "lam": f"{kind} {float(lam):.4g}",
        "active": f"{active}/{cr.active}", "regions (bound)": f"{region_bound(data.X)[0]:.2g}",
        "CG patterns": cr.patterns, "rounds": cr.rounds,
        "status": res.status if res else "-",
        "nodes +/-": f"{res.nodes.get(1, 0)}/{res.nodes.get(-1, 0)}" if res else "-",
        "depth": max(res.depth.values()) if res and res.depth else "-",
        "solve s": f"{cr.seconds['solve']:.0f}", "search s": f"{cr.seconds['search']:.0f}",
        "exact s": f"{cr.seconds['exact']:.0f}", "verify s": f"{t_ver:.0f}",
        "total s": f"{total:.0f}", "verified": ok,
        "KB": len(json.dumps(res.cover)) // 1024 if res and res.cover else "-",
        "load": load_avg(), "_ok": ok and total <= limit, "_nodes": nodes}


def scale_table(plan, limit: float, jobs: int, max_n: int) -> list:
    rows = []
    for name, d, ns in plan:
        stopped: set = set()
        for n in ns:
            if n > max_n:
                continue
            data = sklearn_data(name, n, d)
            lams = pick_lams(data)
            for kind in ("few", "many"):
                if kind in stopped:
                    continue
                lam, act = lams[kind]
                row = scale_row(name, data, kind, lam, act, limit, jobs)
                rows.append(row)
                print(f"  [scale: {data.source} {kind}: {row['status']}, {row['nodes +/-']}, "
                      f"{row['total s']} s]", file=sys.stderr, flush=True)
                if not row["_ok"]:
                    stopped.add(kind)      # larger n will not finish either
    print(f"### Cover route alone (limit {limit:.0f} s per instance, jobs = {jobs}; active = "
          "neurons of the lam pick / of the route's last solve; seconds with jobs > 1: "
          "search and exact are summed over the workers)\n")
    table(rows, ["set", "n", "d", "lam", "active", "regions (bound)", "CG patterns", "rounds",
                 "status", "nodes +/-", "depth", "solve s", "search s", "exact s", "verify s",
                 "total s", "verified", "KB", "load"])
    return rows


def growth_table(ns, gaps, limit: float, jobs: int) -> None:
    """Tree growth with n and with the slack (``--gap``): diabetes, d = 11, lam_max/2 of
    each n, every (n, gap) pair until the first gap that is not proved within ``limit``."""
    rows = []
    for n in ns:
        data = sklearn_data("diabetes", n, 10)
        lam, act = pick_lams(data)["few"]
        for gap in gaps:
            cr, res, ok, t_ver, total = run_route(data, lam, time_limit=limit, jobs=jobs,
                                                  max_rounds=4, gap=Fraction(gap))
            rows.append({"n": n, "d": data.d, "lam": f"{float(lam):.4g}", "active": act,
                         "gap": gap, "status": res.status if res else "-",
                         "nodes +/-": f"{res.nodes.get(1, 0)}/{res.nodes.get(-1, 0)}"
                         if res else "-",
                         "depth": max(res.depth.values()) if res and res.depth else "-",
                         "search s": f"{cr.seconds['search']:.0f}",
                         "exact s": f"{cr.seconds['exact']:.0f}", "total s": f"{total:.0f}",
                         "verified": ok, "load": load_avg()})
            print(f"  [growth: n={n} gap={gap}: {rows[-1]['status']} {rows[-1]['nodes +/-']} "
                  f"{total:.0f} s]", file=sys.stderr, flush=True)
    print(f"### Tree growth: diabetes d = 11, lam = lam_max/2, by n and gap (limit {limit:.0f} s, "
          f"jobs = {jobs})\n")
    table(rows, ["n", "d", "lam", "active", "gap", "status", "nodes +/-", "depth", "search s",
                 "exact s", "total s", "verified", "load"])


def frontier(rows, limit: float) -> None:
    print(f"### Frontier: largest (n, d) certified within {limit:.0f} s\n")
    best: dict = {}
    for r in rows:
        key = (r["set"], r["lam"].split()[0])
        best.setdefault(key, None)
        if r["_ok"] and (best[key] is None or r["n"] > best[key]["n"]):
            best[key] = r
    for (s, kind), r in best.items():
        if r is None:
            print(f"* {s}, lam {kind}: none certified within the limit")
        else:
            print(f"* {s}, lam {kind}: n = {r['n']}, d = {r['d']} ({r['_nodes']} tree nodes vs "
                  f"{r['regions (bound)']} regions, {r['total s']} s)")
    print()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one small instance per table")
    ap.add_argument("--limit", type=float, default=600.0,
                    help="seconds per instance for the cover search (default 600)")
    ap.add_argument("--jobs", type=int, default=2, help="processes for the cover search")
    ap.add_argument("--only", choices=("jobs", "regions", "scale", "growth"),
                    help="one table only (growth: only when asked)")
    ap.add_argument("--growth-n", default="50,100,200", help="n of the growth table")
    ap.add_argument("--growth-gaps", default="1/100,1/1000,1/10000",
                    help="gaps of the growth table")
    ap.add_argument("--sets", default="diabetes,breast,wine",
                    help="data sets of the scale table (comma separated)")
    ap.add_argument("--max-n", type=int, default=10 ** 9, help="skip larger n")
    args = ap.parse_args(argv)
    if args.jobs < 1:
        ap.error("--jobs must be at least 1")
    print(f"machine: {os.cpu_count()} cores, load average {load_avg()} at start\n")
    if args.only in (None, "jobs") and args.jobs > 1:
        if args.quick:
            cases = [("diabetes", diabetes(50, 3), None)]
        else:
            cases = [("diabetes", diabetes(50, 5), None), ("diabetes", diabetes(50, 10), None),
                     ("random, lam 1/2", random_data(20, 3, 1), Fraction(1, 2))]
        cases = [(a, b, c if c is not None else half_lam_max(b)) for a, b, c in cases]
        jobs_table(cases, args.jobs, args.limit)
    if args.only in (None, "regions"):
        sizes = ((20, 3),) if args.quick else ((20, 3), (40, 2), (30, 3), (60, 2), (40, 3),
                                               (60, 3))
        cases = []
        for n, d in sizes:
            data = diabetes(n, d)
            cases.append(("diabetes", data, half_lam_max(data)))
        if not args.quick:
            cases.append(("random", random_data(20, 2, 1), Fraction(1, 2)))
        regions_table(cases, args.limit, args.jobs)
    if args.only == "growth":
        growth_table([int(v) for v in args.growth_n.split(",")],
                     args.growth_gaps.split(","), args.limit, args.jobs)
    if args.only in (None, "scale"):
        if args.quick:
            plan, limit = [("diabetes", 10, (20,))], min(args.limit, 60.0)
        else:
            plan = [(s, *SETS[s]) for s in args.sets.split(",")]
            limit = args.limit
        rows = scale_table(plan, limit, args.jobs, args.max_n)
        frontier(rows, limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
