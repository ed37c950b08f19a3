"""Run every benchmark and print its tables (one process, named baselines inside).

    python bench/run_all.py [--quick] [--only NAME[,NAME...]]

Each benchmark module ``bench/<name>.py`` present in ``BENCHMARKS`` is loaded by file
name and its ``main(argv)`` is called with ``argv=[]`` (``["--quick"]`` with ``--quick``
when the module declares that option).  A module whose ``main`` takes no argument is
called as ``main()`` (and named in the summary); a missing module is skipped; a module
that raises is reported and the others still run.  The exit code is non-zero if any
benchmark returned non-zero (a missed target or a disagreement with its baseline) or
raised.
"""
from __future__ import annotations

import argparse
import importlib.util
import inspect
import os
import platform
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:      # every benchmark can import exactrelu, also alone
    sys.path.insert(0, str(ROOT))

#: Benchmarks in print order (each included only if its file exists).
BENCHMARKS = ("bench_patterns", "bench_solve", "bench_certify", "bench_completeness",
              "bench_sampled", "bench_prune", "bench_optimal_set", "bench_path",
              "bench_linalg", "bench_scaling")


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def _takes_argv(fn) -> bool:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # pragma: no cover - builtins
        return True
    return any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
               for p in params)


def _has_quick(mod) -> bool:
    try:
        return '"--quick"' in inspect.getsource(mod)
    except (OSError, TypeError):  # pragma: no cover
        return False


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="pass --quick to the benchmarks that support it (smaller cases)")
    ap.add_argument("--only", default="", help="comma-separated benchmark names")
    args = ap.parse_args(argv)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    cpus = os.cpu_count()
    load = ""
    if hasattr(os, "getloadavg"):
        load = ", load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    print(f"# exactrelu benchmarks  ({time.strftime('%Y-%m-%d %H:%M')}, {platform.machine()}, "
          f"{cpus} cores{load}, Python {platform.python_version()}"
          f"{', --quick' if args.quick else ''})\n")
    rc = 0
    summary = []
    t_all = time.perf_counter()
    for name in BENCHMARKS:
        if only and name not in only:
            continue
        if not (HERE / f"{name}.py").exists():
            summary.append((name, "absent", 0.0))
            continue
        t0 = time.perf_counter()
        print(f"## bench/{name}.py\n", flush=True)
        try:
            mod = _load(name)
            fn = getattr(mod, "main", None)
            if fn is None:
                summary.append((name, "no main(): not run", 0.0))
                rc |= 1
                continue
            if _takes_argv(fn):
                sub = ["--quick"] if args.quick and _has_quick(mod) else []
                code = fn(sub)
                note = "ok" if not code else f"exit {code}"
                if args.quick and not sub:
                    note += " (no --quick: full cases)"
            else:
                code = fn()
                note = ("ok" if not code else f"exit {code}") + \
                    " (main() takes no argv: called without arguments)"
            rc |= int(code or 0)
        except SystemExit as e:          # argparse in a benchmark
            code = e.code if isinstance(e.code, int) else 1
            rc |= int(code or 0)
            note = f"SystemExit {e.code}"
        except Exception as e:  # keep going: one broken benchmark must not hide the rest
            traceback.print_exc()
            rc |= 1
            note = f"raised {type(e).__name__}: {e}"
        sys.stdout.flush()
        print()
        summary.append((name, note, time.perf_counter() - t0))
    print("## Summary\n")
    print("| benchmark | result | seconds |")
    print("|---|---|---|")
    for name, note, sec in summary:
        print(f"| {name} | {note} | {sec:.1f} |")
    print(f"\ntotal {time.perf_counter() - t_all:.1f} s")
    return rc


if __name__ == "__main__":
    sys.exit(main())
