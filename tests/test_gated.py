"""Gated ReLU certificates (minor version 1.3 of the format): produced, verified by both
checkers with the same verdict and message, and every corruption family rejected.

The families and the outcome each must get (docs/spec/certificate-v1.md, "Minor version
1.3: gated ReLU"): a gate changed so that its pattern is not listed (check 9), a gate
moved to another listed pattern (the objective changes: check 9), a block's v doubled
(norm_upper too small: check 9), the residual r perturbed (checks 4, 5 or 9), a listed
pattern no longer matching its gate (check 1 with witnesses, else 9), the gated claim
moved the wrong way (check 9), the gated network's output weights doubled (check 9).
Negative controls: the legitimate weakenings verify, and a checker that ignores the
section verifies the v1 part alone (a true statement about the ReLU program).
"""
import copy
import json
import random
import sys
from fractions import Fraction as F
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from exactrelu.certificate import check as lib
from exactrelu.certificate.gated import certify_gated
from exactrelu.gated import GatedNetwork, GatedProgram, gate_pattern
from exactrelu.problem import Dataset

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "proofs_checks"))
import check_cert as cc  # noqa: E402

R, MAL, VER = "REJECTED", "MALFORMED", "VERIFIED"

DATA = Dataset.from_arrays([[-2, 1], [-1, 1], [0, 1], [1, 1], [2, 1]],
                           ["1", "1/4", "0", "1/2", "2"])
LAM = F(1, 10)
GATES = [[1, 0], [0, 1], [1, 1], [-1, 1], [2, -1]]


def both(cert):
    """Both checkers (parsed tree and JSON text) agree on verdict, check and message."""
    a = cc.check(copy.deepcopy(cert))
    b = lib.check_obj(copy.deepcopy(cert))
    t = lib.check_bytes(json.dumps(cert).encode())
    assert (a.verdict, a.failed_check) == (b.verdict, b.failed_check) == \
        (t.verdict, t.failed_check), (a.message, b.message)
    assert b.message == f"{a.verdict}: {a.message}" or a.verdict != VER
    return a.verdict if a.verdict != R else (R, a.failed_check)


@pytest.fixture(scope="module")
def given_gates():
    return certify_gated(DATA, LAM, gates=GATES)


@pytest.fixture(scope="module")
def all_regions():
    return certify_gated(DATA, LAM)


def test_produced_certificates_verify(given_gates, all_regions):
    for res in (given_gates, all_regions):
        assert both(res.certificate) == VER
        assert 0 <= res.upper - res.lower <= F(1, 10 ** 9) * res.upper
        g = res.certificate["gated"]["claim"]
        assert (F(g["lower"]), F(g["upper"])) == (res.lower, res.upper)
    assert all_regions.complete and not given_gates.complete
    # the gated network's exact objective is within the certified interval
    assert given_gates.network.nc_objective(DATA, LAM) <= given_gates.upper


def test_gate_with_a_tie_omits_witnesses():
    res = certify_gated(DATA, LAM, gates=[[1, 0], [0, 1]])     # x.g = 0 on row 2
    assert "witnesses" not in res.certificate["patterns"]
    assert both(res.certificate) == VER


def test_v1_part_alone_is_a_true_relu_statement(all_regions):
    """Without the section, the v1 part: lower bound of the ReLU program (r with zero
    multipliers), upper bound 1/2 ||y||^2 (the empty network)."""
    from exactrelu.certificate.produce import certify

    cert = copy.deepcopy(all_regions.certificate)
    del cert["gated"]
    assert both(cert) == VER
    relu = certify(DATA, LAM)
    assert F(cert["claim"]["lower"]) <= relu.lower <= relu.upper <= F(cert["claim"]["upper"])


def _drop(cert, key):
    del cert["gated"][key]
    return cert


def _set(path, value):
    def f(cert):
        node = cert
        for k in path[:-1]:
            node = node[k]
        node[path[-1]] = value(node[path[-1]]) if callable(value) else value
        return cert
    return f


def _unlisted_gate(cert):
    listed = set(cert["patterns"]["bits"])
    X = [[F(a) for a in row] for row in cert["problem"]["X"]]
    for g in ([3, -1], [-3, 1], [1, -3], [-1, -1], [5, 1], [-5, -1]):
        if gate_pattern(X, [F(a) for a in g]) not in listed:
            cert["gated"]["gates"][0] = [str(a) for a in g]
            return cert
    pytest.skip("every gate tried has a listed pattern (the list is complete)")


def _moved_gate(cert):
    """The gate of a used neuron replaced by another gate (another listed pattern)."""
    G, j = cert["gated"]["gates"], cert["gated"]["network"]["gate"][0]
    G[j] = G[(j + 1) % len(G)]
    return cert


def _r_bump(cert):
    cert["dual"]["r"][0] = str(F(cert["dual"]["r"][0]) + 1)
    return cert


def _pattern_bit(cert):
    b = cert["patterns"]["bits"][0]
    cert["patterns"]["bits"][0] = b[:-1] + ("0" if b[-1] == "1" else "1")
    return cert


def _double(path):
    return _set(path, lambda v: [str(2 * F(a)) for a in v])


FAMILIES = {
    "gate unlisted": (_unlisted_gate, {(R, 9)}),
    "gate moved": (_moved_gate, {(R, 9)}),
    "v doubled": (_double(["gated", "blocks", 0, "v"]), {(R, 9)}),
    "r perturbed": (_r_bump, {(R, 4), (R, 5), (R, 9)}),
    "pattern bit": (_pattern_bit, {(R, 1), (R, 9)}),
    "claim lower up": (_set(["gated", "claim", "lower"],
                            lambda v: str(F(v) + F(1, 10 ** 6))), {(R, 9)}),
    "claim upper down": (_set(["gated", "claim", "upper"],
                              lambda v: str(F(v) - F(1, 10 ** 6))), {(R, 9)}),
    "w2 doubled (network only)": (lambda c: _double(["gated", "network", "w2"])(
        _drop(c, "blocks")), {(R, 9)}),
    "blocks only, v doubled": (lambda c: _double(["gated", "blocks", 0, "v"])(
        _drop(c, "network")), {(R, 9)}),
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
@pytest.mark.parametrize("which", ["given_gates", "all_regions"])
def test_corruption_families_rejected(family, which, request):
    mutate, allowed = FAMILIES[family]
    cert = mutate(copy.deepcopy(request.getfixturevalue(which).certificate))
    assert both(cert) in allowed


WEAKENINGS = {
    "lower down": _set(["gated", "claim", "lower"], lambda v: str(F(v) - 1)),
    "upper up": _set(["gated", "claim", "upper"], lambda v: str(F(v) + 1)),
    "network only": lambda c: _drop(c, "blocks"),
    "blocks only": lambda c: _drop(c, "network"),
    "extra gate with a listed pattern": lambda c: _set(["gated", "gates"], lambda G: G + [
        [str(2 * F(a)) for a in G[0]]])(c),
}


@pytest.mark.parametrize("name", sorted(WEAKENINGS))
def test_negative_controls_verify(name, given_gates):
    assert both(WEAKENINGS[name](copy.deepcopy(given_gates.certificate))) == VER


MALFORMED = {
    "gates empty": _set(["gated", "gates"], []),
    "gate too short": _set(["gated", "gates", 0], ["1"]),
    "gate index out of range": _set(["gated", "network", "gate", 0], 99),
    "gate index a bool": _set(["gated", "network", "gate", 0], True),
    "gate list too short": _set(["gated", "network", "gate"], lambda v: v[:-1]),
    "second block for a gate": _set(["gated", "blocks"], lambda b: b + b[:1]),
    "no models": lambda c: _drop(_drop(c, "network"), "blocks"),
    "claim missing": lambda c: _drop(c, "claim"),
    "claim a number": _set(["gated", "claim", "lower"], 0),
    "section a list": _set(["gated"], []),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_sections(name, given_gates):
    assert both(MALFORMED[name](copy.deepcopy(given_gates.certificate))) == MAL


# -------------------------------------------------------------- the exact pieces

def test_gated_network_objective_by_hand():
    # gate (1, 0) opens rows with x_1 >= 0; neuron v = W1 w2 = (1, 0) * 2
    net = GatedNetwork.from_values([[1, 0]], [[1, 0]], [2])
    data = Dataset.from_arrays([[1, 5], [-1, 5], [0, 7]], [2, 0, 1])
    assert net.outputs(data) == (2, 0, 0)       # row 2: x.g = 0 is open, x.W1 = 0
    assert net.nc_objective(data, "1/2") == F(1, 2) * 1 + F(1, 4) * (1 + 4)


def test_program_merges_gates_with_one_pattern():
    p = GatedProgram(DATA, LAM, ((F(1), F(0)), (F(2), F(0)), (F(0), F(1))))
    assert p.patterns == ("00111", "11111") and p.gate_of == (0, 2)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.tuples(st.integers(-3, 3), st.integers(-3, 3)), min_size=1, max_size=4),
       st.integers(1, 20), st.randoms(use_true_random=False))
def test_random_gates_verify_and_corruptions_fail(gates, lam_den, rnd):
    res = certify_gated(DATA, F(1, lam_den), gates=gates)
    assert both(res.certificate) == VER
    obj = res.network.nc_objective(DATA, F(1, lam_den))
    if "network" in res.certificate["gated"]:      # the listed network is within the claim
        assert res.lower <= obj <= res.upper
    else:   # exact optimum attained by the blocks; the network's scales are irrational
        assert res.exact and res.lower <= obj <= res.upper * (1 + F(1, 2 ** 80))
    family = rnd.choice(["claim lower up", "claim upper down", "r perturbed"])
    mutate, allowed = FAMILIES[family]
    assert both(mutate(copy.deepcopy(res.certificate))) in allowed


# -------------------------------------------- differential: budget charges, fuzzing

from test_check_differential import (_same_work_and_limits, both as dboth,  # noqa: E402
                                     both_text, tcc)

from exactrelu.certificate.emit import dumps  # noqa: E402

FUZZ_GATED = settings(max_examples=120, deadline=None, derandomize=True)


@pytest.mark.parametrize("family", [None, "r perturbed", "claim upper down", "v doubled"])
def test_gated_work_estimate_is_the_same(given_gates, family, monkeypatch):
    """Both checkers charge the same work at the same points in check 9, and agree when
    the work limit sits exactly at (or just below) each running total."""
    cert = copy.deepcopy(given_gates.certificate)
    if family is not None:
        cert = FAMILIES[family][0](cert)
    _same_work_and_limits(cert, monkeypatch)


@FUZZ_GATED
@given(st.sampled_from(["given_gates", "all_regions"]), st.data())
def test_fuzz_gated_text(which, data):
    res = _FIXED[which]
    both_text(tcc.mutate_text(dumps(res.certificate), data))


@FUZZ_GATED
@given(st.sampled_from(["given_gates", "all_regions"]), st.data(), tcc.JSONISH)
def test_fuzz_gated_subtree(which, data, value):
    cert = copy.deepcopy(_FIXED[which].certificate)
    paths = [p for p in tcc._paths(cert) if p and p[0] == "gated"]
    tcc.set_path(cert, list(data.draw(st.sampled_from(paths))), value)
    dboth(cert)


_FIXED = {"given_gates": certify_gated(DATA, LAM, gates=GATES),
          "all_regions": certify_gated(DATA, LAM)}
