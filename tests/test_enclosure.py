"""The optimal set at an irrational optimum (format 1.5, exactrelu.optimal_sets.enclosure).

Instances are small random data sets whose optimum is irrational (checked: the
certificate is not exact).  The producer's claims are compared with independent float
computations (a fresh solve of the convex program, restricted solves), and every
produced section must be VERIFIED by the checkers (check 11) -- see also
tests/test_enclosure_check.py for the checkers' own negative controls.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

import exactrelu as er
from exactrelu.approx.solver import solve_crelu
from exactrelu.certificate.read import read_certificate
from exactrelu.optimal_sets.enclosure import enclosure_report, optimal_set_enclosure
from exactrelu.problem import ConvexProgram
from exactrelu.rational_optimum import optimum_or_refinement


def _instance(seed: int, n: int, d: int, trial: int, lam: str, bias: bool, tmp_path):
    rng = np.random.default_rng(seed)
    for _ in range(trial + 1):
        X = np.round(rng.normal(size=(n, d)), 2)
        y = np.round(rng.normal(size=n), 2)
    cert = er.certify(X, y, lam, bias=bias, route="regions")
    assert not cert.exact                     # an irrational optimum
    path = tmp_path / "c.json"
    cert.save(path)
    c = read_certificate(str(path))
    program = ConvexProgram(c["data"], c["lam"], c["patterns"])
    sol = solve_crelu(c["data"].X_float(), c["data"].y_float(), float(c["lam"]),
                      c["patterns"].as_array(), strict=False)
    _, ref = optimum_or_refinement(program, sol)
    enc = optimal_set_enclosure(program, ref, c["r"], c["rho"], c["upper"])
    return cert, path, c, program, sol, enc


def _float_value(c, patterns) -> float:
    sol = solve_crelu(c["data"].X_float(), c["data"].y_float(), float(c["lam"]),
                      patterns, strict=False)
    return float(sol.objective)


def test_kinks_at_data_points_make_the_optimum_non_unique(tmp_path):
    """1-D data with a bias: optimal kinks sit at data points, so the two patterns on
    either side of such a point carry the same neuron (twins): proved non-unique."""
    cert, path, c, program, sol, enc = _instance(1, 8, 1, 0, "1/10", True, tmp_path)
    assert enc.decided and enc.unique is False and enc.twins
    assert enc.vertex_count() == 16 and len(enc.system) == 4
    doc = json.loads(path.read_text())
    assert doc["optimal_set_enclosure"]["twins"]            # written by certify
    # independent (floats): drop a support block's pattern -- its twin takes over and the
    # optimal value does not move; dropping a block WITHOUT twins raises it
    bits = list(c["patterns"].bits)
    full = _float_value(c, c["patterns"].as_array())
    for b, c2 in list(enc.twins.items())[:2]:
        del c2
        keep = np.array([[ch == "1" for ch in p] for j, p in enumerate(bits) if j != b[0]],
                        dtype=float)
        assert abs(_float_value(c, keep) - full) < 1e-7 * max(1.0, full)
    lone = [b for b in enc.system if b not in set(enc.twins.values())]
    for b in lone[:1]:
        keep = np.array([[ch == "1" for ch in p] for j, p in enumerate(bits) if j != b[0]],
                        dtype=float)
        assert _float_value(c, keep) > full + 1e-6


def test_a_single_neuron_optimum_is_proved_unique(tmp_path):
    cert, path, c, program, sol, enc = _instance(7, 6, 2, 0, "1", False, tmp_path)
    assert enc.decided and enc.unique is True and enc.vertex_count() == 1
    (b,) = enc.system
    # independent: the float solve has one active block, this one, with this alpha
    act = [blk for blk in sol.active]
    assert [tuple(a) for a in act] == [b] or b in [tuple(a) for a in act]
    lo, hi = enc.alpha[b] - enc.delta, enc.alpha[b] + enc.delta
    assert lo > 0 and hi - lo < 1e-50


@pytest.mark.parametrize("seed,n,d,trial,lam", [(2, 10, 2, 0, "1/10"), (3, 10, 2, 1, "1/2")])
def test_float_active_blocks_are_in_the_proved_support(tmp_path, seed, n, d, trial, lam):
    cert, path, c, program, sol, enc = _instance(seed, n, d, trial, lam, True, tmp_path)
    assert enc.decided
    support = set(enc.system) | set(enc.twins)
    assert set(enc.candidates) == support
    # the float solve's clearly active blocks (independent solve) are all in S_lambda
    norms = {tuple(b): float(np.linalg.norm(u)) for b, u in zip(sol.active, sol.blocks)} \
        if hasattr(sol, "blocks") else {}
    for b in sol.active:
        if norms.get(tuple(b), 1.0) > 1e-6:
            assert tuple(b) in support
    # the residual box is tiny and contains the float residual up to float error
    assert max(enc.r_radius) < 1e-50
    assert max(abs(float(a) - f) for a, f in zip(enc.r_center, sol.residual)) < 1e-6


def test_mirror_pairs_decide_a_degenerate_optimum(tmp_path):
    """Active neurons in mirror pairs (v and -v on complementary patterns, both in the
    support) prove X^T r* = 0; then the complement of every support block carries -v
    exactly: candidates that no box decides become mirrors, in S_lambda."""
    cert, path, c, program, sol, enc = _instance(1, 8, 1, 3, "1/10", True, tmp_path)
    assert enc.decided and enc.mirrors and len(enc.pairs) == 2 and enc.unique is False
    assert enc.vertex_count() is None
    assert set(enc.candidates) == set(enc.system) | set(enc.twins) | set(enc.mirrors)
    # independent (floats): the float solve's residual is orthogonal to X's columns, and
    # each mirror's pattern is the complement of its block's off the block's tight rows
    Xf = c["data"].X_float()
    assert np.abs(Xf.T @ sol.residual).max() < 1e-6
    bits = c["patterns"].bits
    for m, b in enc.mirrors.items():
        T = set(enc.tight[b])
        assert all(bits[m[0]][k] != bits[b[0]][k] for k in range(c["data"].n) if k not in T)
    for b in sol.active:
        assert tuple(b) in set(enc.candidates)
    facts = enclosure_report(json.loads(path.read_text()))
    assert facts["decided"] and facts["xtr_zero"] and facts["mirror_groups"]
    # every vertex proved (exactrelu.optimal_sets.mirror_vertices; compared with a float
    # brute force in tests/test_enclosure_mirror_vertices.py): more than the twin swaps
    assert facts["all_vertices"] and facts["vertex_count"] > facts["twin_swap_vertices"]
    assert len(facts["support"]) == len(enc.candidates)


def test_without_a_refined_system_only_the_ball_and_candidates(tmp_path, monkeypatch):
    """Without a refined KKT solution (or when its box cannot be proved) and no second
    support found at the dual point, the section states the ball and the candidates only,
    with the reason; every block the float solve uses is among the candidates, and the
    facts read back say "not decided"."""
    import exactrelu.optimal_sets.enclosure as enclosure

    cert, path, c, program, sol, enc0 = _instance(3, 10, 2, 2, "1/2", True, tmp_path)
    assert enclosure._dual_refinement(program, list(c["r"]), list(enc0.candidates)) \
        is not None                                    # the fallback exists here ...
    monkeypatch.setattr(enclosure, "_dual_refinement", lambda *a: None)   # ... switched off
    enc = optimal_set_enclosure(program, None, c["r"], c["rho"], c["upper"])
    assert not enc.decided and enc.unique is None and not enc.system
    assert "no refined KKT solution" in enc.reason
    assert set(enc.undecided) == set(enc.candidates) >= set(enc0.candidates)
    for b in sol.active:
        assert tuple(b) in set(enc.candidates)
    assert "system" not in enc.section
    doc = json.loads(path.read_text())
    doc["optimal_set_enclosure"] = enc.section
    facts = enclosure_report(doc)
    gap = float(c["upper"] - c["lower"])
    assert facts["decided"] is False and facts["radius_float"] ** 2 <= 2 * gap * (1 + 1e-9)
    assert enc.radius_sq == 2 * (c["upper"] - (sum(a * b for a, b in zip(c["r"], c["data"].y))
                                               - sum(a * a for a in c["r"]) / 2))


def test_facts_read_back_from_the_section(tmp_path):
    cert, path, c, program, sol, enc = _instance(1, 8, 1, 0, "1/10", True, tmp_path)
    doc = json.loads(path.read_text())
    f = enclosure_report(doc, max_vertices=5)
    assert f["decided"] and f["unique"] is False
    assert f["vertex_count"] == enc.vertex_count() == 16 and len(f["vertices"]) == 5
    assert len(f["support"]) == len(enc.system) + len(enc.twins)
    assert all(len(v["blocks"]) == len(enc.system) for v in f["vertices"])


def test_a_support_chosen_at_the_dual_point_decides_when_the_float_guess_cannot(tmp_path):
    """No refinement from the float solve: the support is guessed at the certificate's
    dual point (a vertex of the candidates' fits), refined, and proved."""
    cert, path, c, program, sol, enc0 = _instance(1, 8, 1, 0, "1/10", True, tmp_path)
    enc = optimal_set_enclosure(program, None, c["r"], c["rho"], c["upper"])
    assert enc.decided and enc.unique is False
    assert set(enc.candidates) == set(enc0.candidates)
    assert len(enc.system) == len(enc0.system)


def test_diabetes_n20_optimal_set_is_decided(tmp_path):
    """Standardised diabetes (20 rows, 3 features + bias, lam = 1/10; issue 15's
    done-when): the optimum is irrational and degenerate -- 4 mirror pairs in the support
    prove X^T r* = 0 -- and the section decides E = S (12 support blocks, 64 twins,
    20 mirrors), non-unique."""
    from sklearn.datasets import load_diabetes
    from sklearn.preprocessing import StandardScaler

    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X[:20, :3])
    y = (y[:20] - y[:20].mean()) / y[:20].std()
    cert = er.certify(X, y, "1/10", bias=True, route="regions")
    assert not cert.exact
    doc = cert.document()
    sec = doc["optimal_set_enclosure"]
    assert len(sec["system"]["blocks"]) == 12 and len(sec["pairs"]) == 4
    assert len(sec["twins"]) == 64 and len(sec["mirrors"]) == 20
    assert len(sec["candidates"]) == 96
    facts = enclosure_report(doc)
    assert facts["decided"] and facts["unique"] is False and facts["delta_float"] < 1e-50
    # independent: a fresh float solve uses only support blocks, and X^T r ~ 0
    Xb = np.column_stack([X, np.ones(20)])
    sol = solve_crelu(Xb, y, 0.1, np.array([[ch == "1" for ch in p]
                                             for p in doc["patterns"]["bits"]], dtype=float),
                      strict=False)
    cands = {(e["pattern"], e["sign"]) for e in sec["candidates"]}
    assert {tuple(b) for b in sol.active} <= cands
    assert np.abs(Xb.T @ sol.residual).max() < 1e-6


# ---------------------------------------------------------------- both checkers, (d') pairs

def _both(doc):
    """Both checkers on a certificate tree; they must agree -> (verdict, failed check)."""
    import copy
    import sys
    from pathlib import Path

    from exactrelu.certificate import check as lib

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "proofs_checks"))
    import check_cert as cc

    a = cc.check(copy.deepcopy(doc))
    b = lib.check_obj(copy.deepcopy(doc))
    assert (a.verdict, a.failed_check) == (b.verdict, b.failed_check), (a.message, b.message)
    return a.verdict, a.failed_check


def test_both_checkers_on_pairs_and_mirrors(tmp_path):
    """The produced mirror certificate is VERIFIED by both checkers; each corruption of
    pairs and mirrors is rejected (check 11) or MALFORMED, the same by both."""
    import copy

    cert, path, c, program, sol, enc = _instance(1, 8, 1, 3, "1/10", True, tmp_path)
    doc = json.loads(path.read_text())
    sec = "optimal_set_enclosure"
    assert doc[sec]["mirrors"] and _both(doc) == ("VERIFIED", None)

    def mutated(f):
        d = copy.deepcopy(doc)
        f(d[sec])
        return _both(d)

    rej = ("REJECTED", 11)
    assert mutated(lambda s: s["mirrors"].pop()) == rej                       # (e)
    assert mutated(lambda s: s["twins"].append(s["mirrors"].pop())) == rej    # not a twin
    m = len(doc[sec]["system"]["blocks"])
    first = doc[sec]["mirrors"][0]["of"]
    assert mutated(lambda s: s["mirrors"][0].update(of=(first + 1) % m)) == rej
    a, b = doc[sec]["pairs"][0]
    other = next(j for j in range(m) if j not in (a, b))
    assert mutated(lambda s: s["pairs"].__setitem__(0, [a, other])) == rej   # not a pair
    assert mutated(lambda s: s["pairs"].__setitem__(1, list(s["pairs"][0]))) == rej  # singular
    assert mutated(lambda s: s["pairs"].pop())[0] == "MALFORMED"              # not d pairs
    assert mutated(lambda s: s.pop("pairs"))[0] == "MALFORMED"                # mirrors need pairs
    assert mutated(lambda s: s["pairs"].__setitem__(0, [0, 0]))[0] == "MALFORMED"


def test_diabetes_certificate_verified_by_both_checkers(tmp_path):
    from sklearn.datasets import load_diabetes
    from sklearn.preprocessing import StandardScaler

    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X[:20, :3])
    y = (y[:20] - y[:20].mean()) / y[:20].std()
    doc = er.certify(X, y, "1/10", bias=True, route="regions").document()
    assert _both(doc) == ("VERIFIED", None)
    bad = json.loads(json.dumps(doc))
    bad["optimal_set_enclosure"]["mirrors"].pop(0)
    assert _both(bad) == ("REJECTED", 11)


def test_optimal_set_command_reports_the_proved_facts(tmp_path, capsys):
    """`exactrelu optimal-set` on an irrational optimum: the section verified (check 11)
    and reported; without the section, one is computed, verified and reported."""
    from exactrelu.cli import main

    cert, path, c, program, sol, enc = _instance(1, 8, 1, 0, "1/10", True, tmp_path)
    assert main(["optimal-set", str(path), "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    e = rep["enclosure"]
    assert e["verified"] and not e["computed_now"] and e["decided"]
    assert rep["unique"] is False and e["vertex_count"] == 16 and len(e["support"]) == 8
    assert rep["model_unique"] is True             # the network's own rescalings: a point
    os_ = er.optimal_set(str(path))                # the Python API says the same
    assert os_.unique is False and os_.model_unique is True and os_.enclosure["decided"]
    assert main(["optimal-set", str(path)]) == 0
    text = capsys.readouterr().out
    assert "E_lambda = S_lambda = 8 blocks" in text and "unique: no -- proved" in text
    doc = json.loads(path.read_text())
    bad = json.loads(path.read_text())               # a tampered section: one line, exit 2
    bad["optimal_set_enclosure"]["candidates"].pop()
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    assert main(["optimal-set", str(tmp_path / "bad.json")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not verified" in err[0] and "check 11" in err[0]
    del doc["optimal_set_enclosure"]
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(doc))
    assert main(["optimal-set", str(bare), "--json"]) == 0
    e2 = json.loads(capsys.readouterr().out)["enclosure"]
    assert e2["verified"] and e2["computed_now"] and e2["decided"]
    assert e2["support"] == e["support"] or set(map(tuple, e2["support"])) == set(
        map(tuple, e["support"]))


@pytest.mark.slow
def test_diabetes_n40_optimal_set_is_decided():
    """Issue 15's second instance (40 rows; about 2 minutes): the float solve's support
    refines to alpha < 0 here; the support chosen at the dual point is proved, with 28
    support blocks, twins and mirrors; both checkers verify."""
    from sklearn.datasets import load_diabetes
    from sklearn.preprocessing import StandardScaler

    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X[:40, :3])
    y = (y[:40] - y[:40].mean()) / y[:40].std()
    doc = er.certify(X, y, "1/10", bias=True, route="regions").document()
    sec = doc["optimal_set_enclosure"]
    assert len(sec["system"]["blocks"]) == 28 and sec["twins"] and sec["mirrors"]
    facts = enclosure_report(doc)
    assert facts["decided"] and facts["unique"] is False
    assert _both(doc) == ("VERIFIED", None)


def test_large_models_skip_the_model_relative_polytope(tmp_path, capsys, monkeypatch):
    """Beyond MAX_MODEL_NEURONS the model-relative polytope is not built (its exact null
    space took > 15 min at 216 neurons): the enclosure is still reported, and --samples
    refuses in one line (exit 2)."""
    import exactrelu.optimal_sets.describe as describe
    from exactrelu.cli import main

    cert, path, c, program, sol, enc = _instance(1, 8, 1, 0, "1/10", True, tmp_path)
    monkeypatch.setattr(describe, "MAX_MODEL_NEURONS", 2)
    assert main(["optimal-set", str(path), "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["dimension"] is None and rep["vertices"] == [] and "skipped" in rep["relative_to"]
    assert rep["enclosure"]["decided"] and rep["unique"] is False
    assert main(["optimal-set", str(path), "--samples", "5"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not built" in err[0]


def test_certify_leaves_out_an_enclosure_over_the_budget(tmp_path, monkeypatch, capsys):
    """When the 1.5 section alone would make the certificate UNDECIDED at the default
    budget, ``certify`` writes the certificate without it (a note says why) instead of
    refusing; a certificate that is over the budget without it is still refused."""
    from exactrelu.certificate.check import check_file
    from exactrelu.cli import main

    rng = np.random.default_rng(1)
    X = np.round(rng.normal(size=(8, 1)), 2)
    y = np.round(rng.normal(size=8), 2)
    data = tmp_path / "d.csv"
    data.write_text("".join(f"{a[0]},{b}\n" for a, b in zip(X, y)))
    out = tmp_path / "c.json"
    assert main(["certify", str(data), "--bias", "--lam", "1/10", "--route", "regions",
                 "-o", str(out)]) == 0
    assert "optimal_set_enclosure" in json.loads(out.read_text())
    out.unlink()
    import exactrelu.certificate.check as pkg
    import exactrelu.certificate.check.enclosure as enc_mod

    monkeypatch.setattr(enc_mod, "_charge", lambda c, enc: c.meter.add_ns(
        1e12, "the estimated arithmetic for the section's multipliers exceeds the budget"))
    assert main(["certify", str(data), "--bias", "--lam", "1/10", "--route", "regions",
                 "-o", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert "optimal_set_enclosure" not in doc
    assert any("optimal_set_enclosure left out" in t for t in doc["provenance"]["notes"])
    monkeypatch.undo()
    assert check_file(out).verdict == "VERIFIED"
    out.unlink()
    monkeypatch.setattr(pkg, "CHECKS", (lambda c: c.meter.add_ns(1e12, "too much"),)
                        + tuple(pkg.CHECKS))     # over the budget anyway: refused
    assert main(["certify", str(data), "--bias", "--lam", "1/10", "--route", "regions",
                 "-o", str(out)]) == 3
    assert not out.exists()
