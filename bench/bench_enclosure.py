"""Optimal sets at irrational optima (format 1.5): how often is the support decided?

One command: ``python bench/bench_enclosure.py [--quick]``.  For random data (rounded
normal, a bias column unless stated) and standardised diabetes subsets (3 features +
bias, lam = 1/10, the issue's instances) it certifies with the regions route and reports
what the ``optimal_set_enclosure`` section proves: candidates (a superset of E_lambda),
the Krawczyk system (|S'|, its size N), twins, undecided blocks, the uniqueness verdict,
the number of vertices, the box half-width, the section's size, the producer's time, and
the time of both checkers on the whole certificate (baseline: the same certificate
without the section, same run).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import exactrelu as er
from exactrelu.certificate.check import check_obj
from exactrelu.numbers import parse_rational

ROOT = Path(__file__).resolve().parents[1]


def _random(seed: int, n: int, d: int, lam: str, bias: bool = True):
    rng = np.random.default_rng(seed)
    return np.round(rng.normal(size=(n, d)), 2), np.round(rng.normal(size=n), 2), lam, bias


def _diabetes(n: int):
    from sklearn.datasets import load_diabetes
    from sklearn.preprocessing import StandardScaler

    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X[:n, :3])
    y = (y[:n] - y[:n].mean()) / y[:n].std()
    return X, y, "1/10", True


def _standalone_seconds(path: Path) -> tuple[str, float]:
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-I", "-S", str(ROOT / "proofs_checks/check_cert.py"),
                          str(path)], capture_output=True, text=True)
    return out.stdout.split(":")[0].strip(), time.perf_counter() - t


def row(name: str, inst, tmp: Path) -> dict:
    X, y, lam, bias = inst
    t = time.perf_counter()
    cert = er.certify(X, y, lam, bias=bias, route="regions")
    total = time.perf_counter() - t
    doc = cert.document()
    sec = doc.get("optimal_set_enclosure")
    out = {"instance": name, "exact": cert.exact, "gap": float(cert.upper - cert.lower)}
    if sec is None:
        return out
    path = tmp / (name.replace("/", "_").replace(" ", "_").replace("=", "") + ".json")
    cert.save(path)
    base = dict(doc)
    del base["optimal_set_enclosure"]
    t = time.perf_counter()
    v_lib = check_obj(doc).verdict
    lib = time.perf_counter() - t
    t = time.perf_counter()
    check_obj(base)
    lib0 = time.perf_counter() - t
    v_sa, sa = _standalone_seconds(path)
    sysm = sec.get("system")
    out.update(
        candidates=len(sec["candidates"]), system=len(sysm["blocks"]) if sysm else 0,
        N=len(sysm["center"]) if sysm else 0, twins=len(sec.get("twins", [])),
        mirrors=len(sec.get("mirrors", [])),
        undecided=0 if sysm else len(sec["candidates"]),
        unique=None if not sysm else not (sec.get("twins") or sec.get("mirrors")),
        delta=float(parse_rational(sysm["delta"])) if sysm else None,
        kb=len(json.dumps(sec)) / 1e3, produce_s=doc["provenance"]["seconds"]["enclosure"],
        certify_s=total, lib=f"{v_lib} {lib:.2f}s (no section {lib0:.2f}s)",
        standalone=f"{v_sa} {sa:.2f}s")
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small instances only")
    ap.add_argument("--only", default="", help="only instances whose name contains this")
    args = ap.parse_args(argv)
    inst = [(f"rand n=8 d=1+b lam=1/10 s{s}", _random(s, 8, 1, "1/10")) for s in range(4)]
    inst += [(f"rand n=10 d=2+b lam=1/10 s{s}", _random(s, 10, 2, "1/10")) for s in range(4)]
    inst += [(f"rand n=6 d=2 lam=1 s{s}", _random(s, 6, 2, "1", False)) for s in range(3)]
    if not args.quick:
        inst += [(f"rand n=16 d=2+b lam=1/10 s{s}", _random(s, 16, 2, "1/10")) for s in range(3)]
        inst += [("diabetes n=20 3+b", _diabetes(20)), ("diabetes n=40 3+b", _diabetes(40))]
    tmp = Path("/tmp/bench_enclosure")
    tmp.mkdir(exist_ok=True)
    cols = ["instance", "gap", "candidates", "system", "N", "twins", "mirrors", "undecided",
            "unique",
            "delta", "kb", "produce_s", "lib", "standalone"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for name, i in inst:
        if args.only not in name:
            continue
        r = row(name, i, tmp)
        cells = []
        for c in cols:
            v = r.get(c, "")
            cells.append(f"{v:.2g}" if isinstance(v, float) else str(v))
        print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
