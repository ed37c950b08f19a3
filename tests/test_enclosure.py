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
from exactrelu.optimal_sets.enclosure import enclosure_facts, optimal_set_enclosure
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


def test_degenerate_optimum_is_reported_undecided(tmp_path):
    """Here two candidates are exactly active but neither in the KKT system nor twins
    (a degenerate optimum): no system is written, the statement is the radius and the
    candidates only, and the reason is given."""
    cert, path, c, program, sol, enc = _instance(1, 8, 1, 3, "1/10", True, tmp_path)
    assert not enc.decided and enc.unique is None and not enc.system
    assert "neither in the KKT system nor ties" in enc.reason
    assert set(enc.undecided) == set(enc.candidates)
    for b in sol.active:
        assert tuple(b) in set(enc.candidates)
    doc = json.loads(path.read_text())
    sec = doc["optimal_set_enclosure"]
    assert "system" not in sec and len(sec["candidates"]) == len(enc.candidates)
    facts = enclosure_facts(doc)
    gap = float(c["upper"] - c["lower"])
    assert facts["decided"] is False and facts["radius_float"] ** 2 <= 2 * gap * (1 + 1e-9)


def test_facts_read_back_from_the_section(tmp_path):
    cert, path, c, program, sol, enc = _instance(1, 8, 1, 0, "1/10", True, tmp_path)
    doc = json.loads(path.read_text())
    f = enclosure_facts(doc, max_vertices=5)
    assert f["decided"] and f["unique"] is False
    assert f["vertex_count"] == enc.vertex_count() == 16 and len(f["vertices"]) == 5
    assert len(f["support"]) == len(enc.system) + len(enc.twins)
    assert all(len(v["blocks"]) == len(enc.system) for v in f["vertices"])


def test_diabetes_n20_frontier_is_reported_honestly(tmp_path):
    """Standardised diabetes (20 rows, 3 features + bias, lam = 1/10; issue 15): the
    optimum is degenerate -- active neurons come in mirror pairs (v and -v on
    complementary patterns) and X^T r* = 0, so some candidates are active by an exact
    coincidence no box decides.  The section then proves the ball and the candidates;
    every block the float solve uses is among them."""
    from sklearn.datasets import load_diabetes
    from sklearn.preprocessing import StandardScaler

    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X[:20, :3])
    y = (y[:20] - y[:20].mean()) / y[:20].std()
    cert = er.certify(X, y, "1/10", bias=True, route="regions")
    assert not cert.exact
    doc = cert.document()
    sec = doc["optimal_set_enclosure"]
    assert "system" not in sec
    assert any("neither in the KKT system nor ties" in x for x in doc["provenance"]["notes"])
    cands = {(e["pattern"], e["sign"]) for e in sec["candidates"]}
    sol = solve_crelu(np.column_stack([X, np.ones(20)]), y, 0.1,
                      np.array([[ch == "1" for ch in p] for p in doc["patterns"]["bits"]],
                               dtype=float), strict=False)
    assert {tuple(b) for b in sol.active} <= cands
    # X^T r = 0 at the certificate's dual point, to the refinement's precision
    from exactrelu.numbers import parse_rational
    r = [parse_rational(v) for v in doc["dual"]["r"]]
    Xq = [[parse_rational(v) for v in row] for row in doc["problem"]["X"]]
    assert max(abs(float(sum(r[k] * Xq[k][j] for k in range(20)))) for j in range(4)) < 1e-30
