"""`exactrelu check CERT` gives the exit codes of `python proofs_checks/check_cert.py CERT`
(0 VERIFIED, 1 REJECTED, 2 MALFORMED, 3 UNDECIDED) and prints one line."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from exactrelu.cli import main

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "proofs_checks" / "check_cert.py"
sys.path.insert(0, str(ROOT / "proofs_checks"))
import fixtures_build as fb  # noqa: E402


def _write(folder, name, content):
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def _rejected():
    cert = fb.example_gp_2d()
    cert["claim"]["upper"] = "0"  # below the network's objective: check 5
    return cert


def _non_canonical():
    cert = fb.example_1d()
    cert["problem"]["lam"] = "4/2"
    return cert


def _huge_rational():
    cert = fb.example_1d()
    cert["problem"]["y"][0] = "1" + "0" * 20_000  # one rational over 10,000 characters
    return cert


CASES = {  # name -> (content or None for a missing file, verdict, exit code)
    "verified": (fb.example_degenerate_2d(), "VERIFIED", 0),
    "verified_optimal_set": (fb.example_1d_optimal_set(), "VERIFIED", 0),
    "rejected": (_rejected(), "REJECTED", 1),
    "malformed_json": ("{not json", "MALFORMED", 2),
    "malformed_bytes": (b"\xff\xfe{}", "MALFORMED", 2),
    "malformed_rational": (_non_canonical(), "MALFORMED", 2),
    "missing_file": (None, "MALFORMED", 2),
    "undecided_huge_rational": (_huge_rational(), "UNDECIDED", 3),
}


@pytest.mark.parametrize("name", list(CASES))
def test_check_exit_codes_match_the_standalone_checker(name, tmp_path, capsys):
    content, verdict, code = CASES[name]
    path = tmp_path / "missing.json" if content is None else _write(tmp_path, "c.json", content)
    got = main(["check", str(path)])
    out, err = capsys.readouterr()
    run = subprocess.run([sys.executable, str(SCRIPT), str(path)], capture_output=True,
                         text=True, timeout=120)
    assert got == run.returncode == code, (got, run.returncode, out, run.stdout)
    assert out.count("\n") == 1 and out.startswith(f"{verdict}: "), out
    assert run.stdout.startswith(f"{verdict}: ") and err == "" and "Traceback" not in out
    if verdict == "REJECTED":
        assert out.startswith("REJECTED: check 5 (claim)")
        assert run.stdout.startswith("REJECTED: check 5 (claim)")


def test_default_budgets_agree():
    """Both checkers must share every budget constant, or verdicts could differ."""
    import exactrelu.certificate.check as lib
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "proofs_checks"))
    import check_cert as std

    pairs = [("DEFAULT_BUDGET_DIGITS", "DEFAULT_BUDGET_DIGITS"),
             ("MAX_RATIONAL_CHARS", "MAX_RATIONAL_DIGITS"), ("MAX_DENOMINATOR_BITS", "MAX_SCALE_BITS"),
             ("WORK_LIMIT_NS", "WORK_LIMIT_NS"), ("VERDICT_CODES", "CODES"), ("CHECK_NAMES", "NAMES")]
    for a, b in pairs:
        assert getattr(lib, a) == getattr(std, b), (a, b)
