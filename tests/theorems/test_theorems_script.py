"""The batch command ``python proofs_checks/theorems.py`` runs every claim and exits 0
(tiny batch here); it exits non-zero when a claim fails (forced by an unknown option
being refused, and by a sabotaged check run in-process)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from ._claims import PATH, T


def test_script_tiny_batch():
    p = subprocess.run([sys.executable, str(PATH), "--instances", "2", "--seed", "7"],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    out = p.stdout
    assert "ALL PASSED" in out
    for c in T.CLAIMS:
        assert f"| {c.key} |" in out
    rows = [ln for ln in out.splitlines() if ln.startswith("| ") and "claim" not in ln]
    assert len(rows) == len(T.CLAIMS)


def test_script_reports_failures(monkeypatch, capsys):
    def broken(inst):
        raise T.ClaimFailure("sabotaged")

    claim = T.claim("T27")
    monkeypatch.setattr(T, "CLAIMS", [T.Claim(claim.key, claim.title, claim.source,
                                              claim.kind, broken, claim.control)])
    assert T.main(["--instances", "2"]) == 1
    out = capsys.readouterr().out
    assert "FAILED" in out and "sabotaged" in out


def test_script_rejects_bad_arguments():
    with pytest.raises(SystemExit):
        T.main(["--only", "T99"])
