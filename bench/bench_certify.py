"""Benchmark: producing an exact certificate vs the float answer it starts from.

For each case, in one process:
* baseline "float answer": enumerate all patterns + numeric solve (Clarabel working set);
* exactrelu certify: the same plus exact dual bound, exact-optimum search, upper bound,
  completeness proof and the certificate (target: <= 2x the baseline);
* the standalone checker (proofs_checks/check_cert.py, stdlib only) on the certificate,
  as a subprocess (target: <= 10 s at n=30, d=4).
Data: seeded random rationals, targets from a planted 3-neuron ReLU net plus noise.
"""
from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from exactrelu.approx.solver import solve_crelu  # noqa: E402
from exactrelu.certificate.emit import dumps  # noqa: E402
from exactrelu.certificate.produce import certify  # noqa: E402
from exactrelu.arrangement import enumerate_patterns  # noqa: E402
from exactrelu.problem import Dataset  # noqa: E402

CASES = [(20, 3, False), (30, 3, True), (40, 3, False), (30, 4, False)]


def instance(n: int, d: int, bias: bool, seed: int = 7) -> Dataset:
    rng = random.Random(1000 * n + 10 * d + seed)
    X = [[Fraction(rng.randint(-20, 20), rng.randint(1, 7)) for _ in range(d)] for _ in range(n)]
    W = [[rng.gauss(0, 1) for _ in range(d + bias)] for _ in range(3)]
    y = []
    for x in X:
        xb = [float(a) for a in x] + ([1.0] if bias else [])
        v = sum(max(0.0, sum(a * w for a, w in zip(xb, ww))) * c for ww, c in zip(W, (1, -1, .5)))
        y.append(Fraction(round(v + rng.gauss(0, 0.1), 3)).limit_denominator(1000))
    return Dataset.from_arrays(X, y, bias=bias)


def main(argv=None) -> int:
    print("## Certificates: exact bounds vs the float answer (same process)\n")
    print("| n | d | patterns | float answer s (enum+solve) | certify s | ratio | "
          "rel. gap | exact | cert MB | standalone check s | verdict |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    ok = True
    lam = Fraction(1, 2)
    for n, d, bias in CASES:
        data = instance(n, d, bias)
        t = time.perf_counter()
        ps = enumerate_patterns(data.X, progress=False)
        solve_crelu(data.X_float(), data.y_float(), float(lam), ps.as_array())
        base = time.perf_counter() - t
        t = time.perf_counter()
        res = certify(data, lam, progress=False, route="regions")
        ours = time.perf_counter() - t
        text = dumps(res.certificate)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
            fh.write(text)
        t = time.perf_counter()
        p = subprocess.run([sys.executable, str(ROOT / "proofs_checks" / "check_cert.py"), fh.name],
                           capture_output=True, text=True)
        chk = time.perf_counter() - t
        Path(fh.name).unlink()
        verdict = (p.stdout.split(":")[0] or p.stderr[:40]).strip()
        rel = float(res.upper - res.lower) / max(1.0, abs(float(res.upper)))
        if verdict != "VERIFIED" or (n, d) == (30, 4) and chk > 10:
            ok = False
        print(f"| {n} | {data.d}{' (bias)' if bias else ''} | {res.patterns} | {base:.2f} | "
              f"{ours:.2f} | {ours / base:.1f}x | {rel:.1e} | {res.exact} | "
              f"{len(text) / 1e6:.2f} | {chk:.2f} | {verdict} |", flush=True)
    print()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
