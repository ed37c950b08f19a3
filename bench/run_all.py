"""Run every benchmark and print its tables (one process, named baselines inside)."""
from __future__ import annotations

import importlib.util
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def main() -> int:
    print(f"# exactrelu benchmarks  ({time.strftime('%Y-%m-%d')}, {platform.machine()}, "
          f"Python {platform.python_version()})\n")
    rc = 0
    for name in ("bench_patterns", "bench_solve", "bench_certify"):
        if not (HERE / f"{name}.py").exists():
            continue
        mod = _load(name)
        rc |= int(mod.main([]) or 0)
    return rc


if __name__ == "__main__":
    sys.exit(main())
