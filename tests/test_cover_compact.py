"""Compaction of a proved cover (exactrelu.certificate.cover_compact): the same tree, fewer
and shorter rationals, and never a change the exact check rejects."""
from __future__ import annotations

import copy
import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from exactrelu.certificate.cover import verify_cover
from exactrelu.certificate.cover_compact import compact_cover

# sign-split trees (1.1 / 1.6): auto would pick a simplex cover (1.7) at d <= 3
pytestmark = pytest.mark.usefixtures("splits_covers")

ROOT = Path(__file__).resolve().parents[1]
F = Fraction

# d = 2: g(u) = 1/2 (u_1 + u_2)_+ (only row 2 has r != 0), max on the circle 1/sqrt(2).
X = [[F(1), F(0)], [F(0), F(1)], [F(1), F(1)]]
R = [F(0), F(0), F(1, 2)]
N = ["1", "1", "3/2"]
#: on S = {(0, -)} the chord of row 2 with N_2 = 3/2 needs lam >= 3/8 + sqrt(2)/4 ~ 0.7286;
#: with the bound x_2 . u <= 1 ||u|| (multiplier 1 on row 0) it needs only 3/10 + sqrt(2)/5
#: ~ 0.5828.  The other leaves fix row 2 (need 1/sqrt(2) ~ 0.7071).
NEEDED = {"2": {"hi": "1000001/1000000", "hi_nu": {"0": "1000001/1000000"}}}
UNNEEDED = {"2": {"lo": "1", "lo_nu": {"0": "1"}}}     # row 2 is fixed in both children


def _cover(leaf_bounds: dict) -> dict:
    return {"N": list(N), "trees": [
        {"sign": 1, "nodes": [{"split": 0}, {"split": 2, "bounds": copy.deepcopy(UNNEEDED)},
                              {"leaf": {}}, {"leaf": {}},
                              {"leaf": {"bounds": copy.deepcopy(leaf_bounds)}}]},
        {"sign": -1, "nodes": [{"leaf": {}}]}]}


def test_a_needed_bound_is_kept_and_shortened_an_unneeded_one_dropped():
    lam = F(18, 25)                          # between 0.7071 and 0.7286
    cover = _cover(NEEDED)
    assert verify_cover(X, R, lam, cover)[0]
    out, st = compact_cover(X, R, lam, cover)
    assert out["trees"][0]["nodes"] == [
        {"split": 0}, {"split": 2}, {"leaf": {}}, {"leaf": {}},
        {"leaf": {"bounds": {"2": {"hi": "1", "hi_nu": {"0": "1"}}}}}]
    assert out["trees"][1] == cover["trees"][1] and out["N"] == N
    assert (st.dropped, st.shortened) == (1, 1)
    assert st.size_after < st.size_before
    assert verify_cover(X, R, lam, out)[0]
    assert cover == _cover(NEEDED)           # the input is not changed


def test_without_the_need_the_bound_goes_too():
    lam = F(3, 4)                            # above 0.7286: the chord with N_2 suffices
    out, st = compact_cover(X, R, lam, _cover(NEEDED))
    assert out["trees"][0]["nodes"][4] == {"leaf": {}}
    assert st.dropped == 2 and verify_cover(X, R, lam, out)[0]


def test_negative_control_the_leaf_fails_without_its_bound():
    """What the compaction must not do, checked by the verifier itself: dropping the needed
    bound, or rounding it below the true norm, is rejected."""
    lam = F(18, 25)
    assert not verify_cover(X, R, lam, _cover({}))[0]
    assert not verify_cover(X, R, lam, _cover({"2": {"hi": "1", "hi_nu": {"0": "7/8"}}}))[0]


def test_a_cover_that_does_not_hold_is_refused():
    with pytest.raises(ValueError, match="does not hold"):
        compact_cover(X, R, F(7, 10), _cover(NEEDED))    # 0.7 < 1/sqrt(2)


def _produced():
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_cover import diabetes, half_lam_max
    from exactrelu.certificate.cover_certify import certify_cover

    data = diabetes(24, 2)
    return certify_cover(data, half_lam_max(data), gap=1e-4, progress=False, jobs=1,
                         time_limit=120, compact=False)


@pytest.fixture(scope="module")
def produced():
    return _produced()


def _parts(cert):
    """``(key, X, r, lam)`` of a cover certificate, exact."""
    from exactrelu.numbers import to_q

    key = "quadratic_cover" if "quadratic_cover" in cert else "cover"
    return (key, [[to_q(a) for a in row] for row in cert["problem"]["X"]],
            [to_q(a) for a in cert["dual"]["r"]], to_q(cert["problem"]["lam"]))


def test_a_produced_cover_shrinks_keeps_its_tree_and_verifies(produced, tmp_path):
    cert = produced.certificate
    key, X_, r, lam = _parts(cert)
    out, st = compact_cover(X_, r, lam, cert[key])
    assert verify_cover(X_, r, lam, out)[0]
    assert st.size_after < 0.8 * st.size_before and st.checks > 0
    splits = [[nd.get("split") for nd in t["nodes"]] for t in cert[key]["trees"]]
    assert [[nd.get("split") for nd in t["nodes"]] for t in out["trees"]] == splits
    again, _ = compact_cover(X_, r, lam, cert[key])
    assert again == out                      # deterministic: no float, no clock
    # the whole compacted certificate, by the standalone checker (an independent program)
    path = tmp_path / "cert.json"
    path.write_text(json.dumps({**cert, key: out}))
    run = subprocess.run([sys.executable, "-I", "-S", str(ROOT / "proofs_checks" / "check_cert.py"),
                          str(path)], capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.startswith("VERIFIED"), run.stdout + run.stderr


def test_certify_compacts_by_default():
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_cover import diabetes, half_lam_max
    from exactrelu.certificate.cover_certify import certify_cover

    data = diabetes(24, 2)
    res = certify_cover(data, half_lam_max(data), gap=1e-4, progress=False, jobs=1,
                        time_limit=120)
    assert "compact" in res.timings


def test_no_compact_from_the_shell_writes_the_larger_tree(tmp_path):
    """``--no-compact`` (CLI) and the default, on the same data: both VERIFIED by the
    standalone checker, the compacted one smaller, the same tree shape."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_cover import diabetes, half_lam_max

    data = diabetes(24, 2)
    csv = tmp_path / "d.csv"
    csv.write_text("\n".join(",".join(str(v) for v in (*row[:-1], t))
                             for row, t in zip(data.X, data.y)) + "\n")
    lam = str(half_lam_max(data))
    sizes, shapes = [], []
    for extra in ([], ["--no-compact"]):
        out = tmp_path / f"c{len(extra)}.json"
        run = subprocess.run([sys.executable, "-m", "exactrelu", "certify", str(csv), "--lam", lam,
                              "--bias", "--route", "cover", "--cover", "splits", "--gap", "1e-4",
                              "-o", str(out), *extra], capture_output=True, text=True, cwd=ROOT)
        assert run.returncode == 0, run.stdout + run.stderr
        stages = next(line for line in run.stdout.splitlines() if line.startswith("stages:"))
        assert (" compact " in stages) == (not extra)
        chk = subprocess.run([sys.executable, "-I", "-S",
                              str(ROOT / "proofs_checks" / "check_cert.py"), str(out)],
                             capture_output=True, text=True)
        assert chk.stdout.startswith("VERIFIED"), chk.stdout
        cert = json.loads(out.read_text())
        key = "quadratic_cover" if "quadratic_cover" in cert else "cover"
        sizes.append(len(json.dumps(cert[key])))
        shapes.append([[nd.get("split") for nd in t["nodes"]] for t in cert[key]["trees"]])
    assert sizes[0] < sizes[1] and shapes[0] == shapes[1]


def _diabetes_csv(tmp_path):
    """Diabetes, 2 features + bias, n = 24, as a CSV file (the bias added by --bias)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_cover import diabetes, half_lam_max

    data = diabetes(24, 2)
    csv = tmp_path / "d.csv"
    csv.write_text("\n".join(",".join(str(v) for v in (*row[:-1], t))
                             for row, t in zip(data.X, data.y)) + "\n")
    return data, csv, half_lam_max


def test_time_limit_from_the_shell(tmp_path):
    """``--time-limit``: a search cut short is exit 2, one line, nothing written; a bad
    value is exit 2 before any work."""
    data, csv, half_lam_max = _diabetes_csv(tmp_path)
    out = tmp_path / "c.json"
    base = [sys.executable, "-m", "exactrelu", "certify", str(csv), "--lam",
            str(half_lam_max(data) / 4), "--bias", "--route", "cover", "--cover", "splits",
            "--gap", "1e-4",
            "-o", str(out)]
    for bad in ("0", "-3", "soon"):
        run = subprocess.run(base + ["--time-limit", bad], capture_output=True, text=True,
                             cwd=ROOT)
        assert run.returncode == 2 and "--time-limit" in run.stderr, run.stderr
        assert len(run.stderr.strip().splitlines()) == 1 and not out.exists()
    run = subprocess.run(base + ["--time-limit", "1/1000"], capture_output=True, text=True,
                         cwd=ROOT)
    assert run.returncode == 2, run.stdout + run.stderr
    last = run.stderr.strip().splitlines()[-1]
    assert "did not prove" in last and "nodes" in last and not out.exists()


class _Clock:
    """A clock that advances one second each time it is read."""

    def __init__(self) -> None:
        self.t = 0.0

    def perf_counter(self) -> float:
        self.t += 1.0
        return self.t


def test_a_time_limit_stops_the_compaction_and_the_cover_still_holds(produced, monkeypatch):
    import exactrelu.certificate.cover_compact as cc

    cert = produced.certificate
    key, X_, r, lam = _parts(cert)
    full, st = compact_cover(X_, r, lam, cert[key])
    assert st.complete
    none, st0 = compact_cover(X_, r, lam, cert[key], time_limit=0)
    assert not st0.complete and none == cert[key]
    assert st0.dropped == st0.shortened == st0.leaves == 0      # only the initial check
    monkeypatch.setattr(cc, "time", _Clock())       # stops after some 10 nodes
    part, st1 = compact_cover(X_, r, lam, cert[key], time_limit=10)
    assert not st1.complete and st0.checks < st1.checks < st.checks
    assert st.size_after < st1.size_after < st.size_before
    assert part != full and verify_cover(X_, r, lam, part)[0]


def test_partial_compaction_is_said_and_recorded(tmp_path, monkeypatch, capsys):
    """The remaining time goes to the compaction; when it stops there, the CLI says so
    and the provenance records it (the certificate is still checked and written)."""
    import exactrelu.certificate.cover_compact as cc
    from exactrelu.certificate.cover_certify import PARTLY
    from exactrelu.certificate.cover_producer import COMPACT_MIN_SECONDS
    from exactrelu.cli import main

    seen = []
    original = cc.compact_cover

    def cut(*a, time_limit=None, **k):
        seen.append(time_limit)
        return original(*a, time_limit=0, **k)

    monkeypatch.setattr(cc, "compact_cover", cut)
    data, csv, half_lam_max = _diabetes_csv(tmp_path)
    out = tmp_path / "c.json"
    code = main(["certify", str(csv), "--lam", str(half_lam_max(data)), "--bias", "--route",
                 "cover", "--gap", "1e-4", "--time-limit", "300", "-o", str(out)])
    assert code == 0
    assert len(seen) == 1 and 0 < seen[0] < 300
    assert "compaction: stopped at its time limit" in capsys.readouterr().out
    assert json.loads(out.read_text())["provenance"]["compacted"] == PARTLY
    def record(*a, time_limit=None, **k):
        seen.append(time_limit)
        return original(*a, time_limit=time_limit, **k)

    monkeypatch.setattr(cc, "compact_cover", record)
    code = main(["certify", str(csv), "--lam", str(half_lam_max(data)), "--bias", "--route",
                 "cover", "--gap", "1e-4", "-o", str(out)])
    assert code == 0 and "compaction: stopped" not in capsys.readouterr().out
    assert json.loads(out.read_text())["provenance"]["compacted"] == "yes"
    # without --time-limit: COMPACT_SHARE x the search's time, at least 60 s
    assert len(seen) == 2 and seen[1] == COMPACT_MIN_SECONDS == 60
