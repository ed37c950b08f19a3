"""Load ``proofs_checks/theorems.py`` (claim checks and negative controls) as a private
module, ``T``.  It is loaded by path under a unique name: ``proofs_checks`` is not a
package and a plain ``import theorems`` would collide with this package's name."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

PATH = Path(__file__).resolve().parents[2] / "proofs_checks" / "theorems.py"
NAME = "exactrelu_theorem_claims"


def _load():
    if NAME in sys.modules:
        return sys.modules[NAME]
    spec = importlib.util.spec_from_file_location(NAME, PATH)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[NAME] = mod
    try:
        spec.loader.exec_module(mod)  # type: ignore[union-attr]
    except BaseException:
        del sys.modules[NAME]
        raise
    return mod


T = _load()
ClaimFailure = T.ClaimFailure
