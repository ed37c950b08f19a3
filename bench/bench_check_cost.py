"""Benchmark (issue 14): what a regions-route certificate costs to produce, to store and to
check, and whether the checkers' cost model tells the truth.

For each case, every step in its own child process (so that peak memory is that step's
alone, read from ``VmHWM`` / ``/usr/bin/time``):

* ``certify``: ``exactrelu certify DATA --lam L --route regions -o CERT`` (every region,
  the Gordan completeness proof, the self-check by the library checker before writing):
  exit code, wall seconds, peak memory, certificate size;
* each checker on the certificate at its default budget -- the standalone
  ``proofs_checks/check_cert.py`` (stdlib only) and the library's
  :func:`exactrelu.certificate.check.check_file`: verdict, CPU seconds, peak memory, and
  the checker's own estimate of its work (the cost model charged before each step, which
  decides UNDECIDED at 6e10 ns), with the ratio estimate / measured CPU time (the issue
  asks for a factor of 3 either way).

Data: seeded random rationals ``k/q`` (``|k| <= 20``, ``q <= 7``, the generator of
``bench_scaling.py``, targets from a planted 3-neuron network plus noise, lam = 1/2) at
d = 3 and d = 4 up to the sizes of the issue (n = 185, d = 3; n = 65, d = 4); small
rationals with a bias column (``degenerate``, not in general position: the issue's 68 MB
case); random rational targets with a bias column (many active neurons); and
scikit-learn's diabetes (standardised, first features, grid 2^-10, plus a bias column) at
lam = lam_max/2 and lam_max/8.  A case whose certify exceeds ``--limit`` seconds or
``--memory`` GiB is stopped and reported as such.

Usage: ``python bench/bench_check_cost.py [--quick] [--only random|diabetes]
[--limit SECONDS] [--memory GIB] [--pick LABEL ...] [--cover [--cover-kind K]]``;
``--cover`` adds the same data by the cover route (issue 13: size ratio, both checkers,
lower bounds; ``--cover-kind``: auto, simplex or splits, as ``certify --cover``).  The full run takes about an hour on this 2-core
machine; ``--quick`` about a minute.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_cover import half_lam_max, random_data, sklearn_data, table  # noqa: E402
from bench_scaling import instance  # noqa: E402

from exactrelu.arrangement import region_bound  # noqa: E402
from exactrelu.problem import Dataset  # noqa: E402

PY = sys.executable
EXE = [PY, "-m", "exactrelu"]

# a checker in a child process: verdict, CPU seconds of the check alone, the cost model's
# estimate (ns), peak memory (VmHWM, kB) -- printed as one JSON line
_CHILD = r"""
import json, resource, sys
which, path = sys.argv[1], sys.argv[2]
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime
def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
seen = []
if which == "standalone":
    sys.path.insert(0, sys.argv[3])
    import check_cert as m
    class B(m.Budget):
        def __init__(self, *a):
            super().__init__(*a); seen.append(self)
    m.Budget = B
    t = cpu(); res = m.check(path); t = cpu() - t
    est = seen[-1].work
else:
    from exactrelu.certificate.check import budget, check_file
    import exactrelu.certificate.check as pkg
    class M(budget._Meter):
        def __init__(self, *a):
            super().__init__(*a); seen.append(self)
    pkg._Meter = M
    t = cpu(); res = check_file(path); t = cpu() - t
    est = seen[-1].work_ns
print(json.dumps({"verdict": res.verdict, "cpu": t, "estimate": est / 1e9, "kb": hwm(),
                  "message": res.message[:120]}))
"""


def _timed(cmd: list, limit: float, memory_gib: float) -> tuple[int | None, float, int, str]:
    """Run ``cmd`` under ``/usr/bin/time``: (exit code or None if stopped, wall, peak kB,
    the last ``error:`` line of its stderr)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf, \
            tempfile.TemporaryFile("w+", errors="replace") as err:
        full = ["/usr/bin/time", "-f", "%e %M", "-o", tf.name, "prlimit",
                f"--as={int(memory_gib * 2 ** 30)}", *cmd]
        t = time.perf_counter()
        p = subprocess.Popen(full, stdout=subprocess.DEVNULL, stderr=err,
                             start_new_session=True)
        try:
            code = p.wait(timeout=limit)
        except subprocess.TimeoutExpired:     # the whole group: time, prlimit, python
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            code = None
        wall = time.perf_counter() - t
        parts = Path(tf.name).read_text().split()
        kb = int(parts[-1]) if parts and parts[-1].isdigit() else 0
        err.seek(0)
        why = [ln for ln in err.read().replace("\r", "\n").splitlines() if "error:" in ln]
    return code, wall, kb, why[-1].split("error:", 1)[1].strip()[:160] if why else ""


def _checker(which: str, cert: Path) -> dict:
    p = subprocess.run([PY, "-c", _CHILD, which, str(cert), str(ROOT / "proofs_checks")],
                       capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        return json.loads(p.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"verdict": f"crash: {p.stderr.strip()[-80:]}", "cpu": 0, "estimate": 0, "kb": 0}


def _csv(data, path: Path) -> None:
    with open(path, "w") as fh:
        for x, y in zip(data.X, data.y):
            fh.write(",".join(str(v) for v in (*x, y)) + "\n")


def run_case(name: str, data, lam: Fraction, limit: float, memory: float, work: Path) -> dict:
    csv, cert = work / "data.csv", work / "cert.json"
    cert.unlink(missing_ok=True)
    _csv(data, csv)
    code, wall, kb, why = _timed([*EXE, "certify", str(csv), "--lam", str(lam), "--route",
                             "regions", "--max-regions", "10000000", "-o", str(cert)],
                            limit, memory)
    row = {"data": name, "n": data.n, "d": data.d, "lam": lam,
           "regions (bound)": region_bound(data.X)[0],
           "certify": {None: "stopped", 0: "written", 3: "refused (would be UNDECIDED)"}.get(
               code, f"exit {code}"),
           "certify s": f"{wall:.0f}", "certify MB": f"{kb / 1024:.0f}", "why": why}
    if code == 0 and cert.exists():
        row["cert MB"] = f"{cert.stat().st_size / 2 ** 20:.2f}"
        for which, tag in (("standalone", "sa"), ("library", "lib")):
            r = _checker(which, cert)
            row[f"{tag} verdict"] = r["verdict"]
            row[f"{tag} cpu s"] = f"{r['cpu']:.1f}"
            row[f"{tag} MB"] = f"{r['kb'] / 1024:.0f}"
            row[f"{tag} est/cpu"] = f"{r['estimate'] / max(r['cpu'], 1e-3):.2f}"
    return row


def _lower(cert: Path) -> Fraction:
    return Fraction(json.loads(cert.read_text())["claim"]["lower"])


def cover_case(row: dict, data, lam: Fraction, limit: float, memory: float, work: Path,
               kind: str = "auto") -> None:
    """The same data by ``certify --route cover --gap 1e-4`` (issue 13's comparison at the
    sizes where the regions route still finishes): size, standalone check, the relative
    difference of the two proved lower bounds, added to ``row``."""
    csv, reg, cov = work / "data.csv", work / "cert.json", work / "cover.json"
    cov.unlink(missing_ok=True)
    code, wall, kb, why = _timed([*EXE, "certify", str(csv), "--lam", str(lam), "--route",
                                  "cover", "--cover", kind, "--gap", "1e-4", "-o", str(cov)],
                                 limit, memory)
    row.update({"cover": {None: "stopped", 0: "written"}.get(code, f"exit {code}"),
                "cover s": f"{wall:.0f}", "cover why": why})
    if code != 0 or not cov.exists():
        return
    row["cover MB"] = f"{cov.stat().st_size / 2 ** 20:.3f}"
    for which, tag in (("standalone", "cov sa"), ("library", "cov lib")):
        r = _checker(which, cov)
        row[f"{tag} verdict"], row[f"{tag} cpu s"] = r["verdict"], f"{r['cpu']:.1f}"
        row[f"{tag} est/cpu"] = f"{r['estimate'] / max(r['cpu'], 1e-3):.2f}"
    if reg.exists():
        row["ratio"] = f"{reg.stat().st_size / cov.stat().st_size:.1f}x"
        a, b = _lower(reg), _lower(cov)
        row["L regions"], row["L cover"] = f"{float(a):.10g}", f"{float(b):.10g}"
        row["rel diff"] = f"{float(a - b) / max(1.0, abs(float(a))):.1e}"


def degenerate(n: int, seed: int = 5) -> Dataset:
    """Small rationals (|p| <= 6, q <= 4), 2 features + bias: many coplanar triples (the
    issue's 68 MB case at n = 40, as in ``tests/test_gordan_bases.py``)."""
    import random

    rng = random.Random(seed)

    def q():
        return Fraction(rng.randint(-6, 6), rng.randint(1, 4))
    return Dataset.from_arrays([[q(), q()] for _ in range(n)], [q() for _ in range(n)],
                               bias=True)


def cases(args):
    if args.quick:
        yield "random", instance(20, 3), Fraction(1, 2)
        d = sklearn_data("diabetes", 30, 2)
        yield "diabetes 2f", d, half_lam_max(d)
        return
    if args.only in (None, "random"):
        for n, d in ((40, 3), (80, 3), (120, 3), (185, 3), (30, 4), (50, 4), (65, 4)):
            yield "random", instance(n, d), Fraction(1, 2)
        for n in (40, 80):
            yield "degenerate 2f+bias", degenerate(n), Fraction(1, 2)
        for n in (40, 80, 120):            # unstructured targets: many active neurons
            yield "random y 2f+bias", random_data(n, 2, 1), Fraction(1, 2)
    if args.only in (None, "diabetes"):
        for n, f in ((100, 2), (200, 2), (40, 3), (60, 3)):
            data = sklearn_data("diabetes", n, f)
            half = half_lam_max(data)
            for lam in (half, half / 4):
                yield f"diabetes {f}f", data, lam


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", choices=("random", "diabetes"))
    ap.add_argument("--limit", type=float, default=1800.0, help="seconds per certify")
    ap.add_argument("--memory", type=float, default=16.0, help="GiB per certify")
    ap.add_argument("--cover", action="store_true", help="also certify each case by the "
                    "cover route (gap 1e-4) and compare sizes, checks and lower bounds")
    ap.add_argument("--cover-kind", choices=("auto", "simplex", "splits"), default="auto",
                    help="with --cover: the kind of cover (certify --cover; auto: a simplex "
                         "cover in dimension <= 3)")
    ap.add_argument("--pick", action="append", help="only cases whose label (as printed "
                    "on stderr, e.g. 'random n=185 d=3') contains this; repeatable")
    args = ap.parse_args(argv)
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at start\n")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, data, lam in cases(args):
            label = f"{name} n={data.n} d={data.d} lam={lam}"
            if args.pick and not any(p in label for p in args.pick):
                continue
            rows.append(run_case(name, data, lam, args.limit, args.memory, Path(tmp)))
            if args.cover:
                cover_case(rows[-1], data, lam, args.limit, args.memory, Path(tmp),
                           args.cover_kind)
            print(f"  [{name} n={data.n} d={data.d} lam={lam}: {rows[-1]['certify']}, "
                  f"{rows[-1]['certify s']} s]", file=sys.stderr, flush=True)
    print("### Regions-route certificates: production, size and both checkers at default "
          "budgets (est/cpu = the checker's cost-model estimate over its measured CPU time)\n")
    table(rows, ["data", "n", "d", "lam", "regions (bound)", "certify", "certify s",
                 "certify MB", "cert MB", "sa verdict", "sa cpu s", "sa MB", "sa est/cpu",
                 "lib verdict", "lib cpu s", "lib MB", "lib est/cpu"])
    if args.cover:
        print("### The same data by the cover route (`certify --route cover --gap 1e-4`): "
              "certificate size, both checkers, and the two proved lower bounds\n")
        table(rows, ["data", "n", "d", "lam", "regions (bound)", "cert MB", "cover",
                     "cover s", "cover MB", "ratio", "cov sa verdict", "cov sa cpu s",
                     "cov sa est/cpu", "cov lib verdict", "cov lib cpu s", "L regions",
                     "L cover", "rel diff"])
    for r in rows:
        if r.get("cover why"):
            print(f"* cover, {r['data']} n={r['n']} d={r['d']} lam={r['lam']}: {r['cover why']}")
        if r["why"]:
            print(f"* {r['data']} n={r['n']} d={r['d']} lam={r['lam']}: {r['why']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
