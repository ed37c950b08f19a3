"""Issue 14 reproduction 7: a crafted certificate answered quickly with bounded memory.

X holds 40,000 values 1/q over 3,900 distinct 63-bit q (a 1 MB file).  The common
denominator of X is then ~245,000 bits, and the integer form of X would take 1 GB: the
checkers built it before charging anything (measured: 1.1 GB and 110 s before UNDECIDED).
They now refuse as soon as the common denominator outgrows what keeps the integer form
within 4 x the size of the values plus 1 MiB.  Each checker runs in a fresh subprocess,
which reports its own peak memory (``resource.getrusage``).
"""
import json
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _crafted(path: Path, n: int = 10_000, d: int = 4, distinct: int = 3900) -> None:
    rng = random.Random(7)
    dens = [rng.randrange(10 ** 18, 10 ** 19) | 1 for _ in range(distinct)]
    X = [[f"1/{dens[(k * d + j) % distinct]}" for j in range(d)] for k in range(n)]
    doc = {"format": "exactrelu-certificate", "version": 1,
           "problem": {"X": X, "y": ["0"] * n, "lam": "1"},
           "patterns": {"bits": [], "complete": False}, "network": {"W1": [], "w2": []},
           "dual": {"r": ["0"] * n}, "claim": {"lower": "0", "upper": "0"}}
    path.write_text(json.dumps(doc, separators=(",", ":")))


#: Each runner prints its own peak memory (KiB) as the last line of stderr: VmHWM of
#: /proc/self/status (the new image's high-water mark), not ``getrusage``'s ``ru_maxrss``,
#: which Linux keeps across ``execve`` and so reports the pytest process it forked from
#: (465 MB late in the full suite).
PEAK = ("import resource, sys\n"
        "def _peak():\n"
        "    try:\n"
        "        kb = [int(l.split()[1]) for l in open('/proc/self/status')\n"
        "              if l.startswith('VmHWM:')][0]\n"
        "    except (OSError, IndexError):\n"
        "        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "    print(kb, file=sys.stderr)\n")
RUNNERS = {
    "standalone": PEAK + ("import runpy\nsys.argv = [sys.argv[1], sys.argv[2]]\n"
                          "try:\n    runpy.run_path(sys.argv[0], run_name='__main__')\n"
                          "except SystemExit as e:\n    _peak(); sys.exit(e.code)\n"),
    "library": PEAK + ("from exactrelu.certificate.check import check_file\n"
                       "r = check_file(sys.argv[2]); print(r.message); _peak(); "
                       "sys.exit(r.code)\n"),
}


@pytest.mark.parametrize("runner", list(RUNNERS))
def test_crafted_common_denominator_is_refused_quickly(tmp_path, runner):
    cert = tmp_path / "crafted.json"
    _crafted(cert)
    assert cert.stat().st_size < 1_200_000
    flags = ["-I", "-S"] if runner == "standalone" else []
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, *flags, "-c", RUNNERS[runner],
                           str(ROOT / "proofs_checks" / "check_cert.py"), str(cert)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    seconds = time.monotonic() - t0
    peak_kb = int(proc.stderr.strip().splitlines()[-1])             # KiB on Linux
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert proc.stdout.startswith("UNDECIDED: the integer form of 40000 rationals would "
                                  "exceed"), proc.stdout
    assert peak_kb < 300_000, peak_kb          # was 1.1 GB
    assert seconds < 60, seconds               # was 110 s (about 2 s now)


def test_certify_refuses_a_certificate_its_checkers_would_not_decide(tmp_path, capsys,
                                                                     monkeypatch):
    """Issue 14 item 2: certify checks the certificate at the default budget before
    writing; over it: one line, exit 3, nothing written.  (The budget is lowered here so
    that a small certificate is over it.)"""
    from exactrelu.certificate.check import budget
    from test_cli import run

    data = tmp_path / "d.csv"
    data.write_text("-2,1\n-1,1/4\n0,0\n1,1/2\n2,2\n")
    out = tmp_path / "c.json"
    code, _, err = run(["certify", str(data), "--bias", "--lam", "1/10", "-o", str(out)],
                       capsys)
    assert code == 0 and out.exists()
    out.unlink()
    monkeypatch.setattr(budget, "WORK_LIMIT_NS", 1e4)
    code, stdout, err = run(["certify", str(data), "--bias", "--lam", "1/10", "-o", str(out)],
                            capsys)
    assert code == 3 and not out.exists()
    assert len(err.strip().splitlines()) == 1
    assert "too large for the checkers' default budget" in err and "--sample N" in err
    assert "--route cover" in err            # a regions certificate: the cover route helps
