"""Format minor version 1.6 (``quadratic_cover``, check 12): both checkers (the producer's
side is tested in ``tests/test_quadratic_cover.py``).

* the worked example of docs/spec/certificate-v1.md (section 1.6) VERIFIED by both with
  the same statement, each "Rejected" variant of the spec REJECTED (check 12) by both, and
  boundary controls (a pivot exactly 0 rejected, just above 0 verified);
* malformed sections: ``quad`` in a 1.1 ``cover``, ``cover`` with ``quadratic_cover``, bad
  ``quad`` shapes;
* a ``quadratic_cover`` without ``quad`` is check 7 under another number: the 1.1 hand
  example and a produced cover renamed are VERIFIED (quadratic wording, the same charges),
  and check 7's corruptions of them are REJECTED by check 12;
* corruption families for quad leaves on generated certificates (random data, a split and
  three quadratic leaves with ``lam`` tight up to MARGIN): each mutation's verdict in both
  checkers is the one of an independent oracle (this file's own replay, deciding
  positive definiteness by Sylvester's criterion -- leading principal minors -- not by
  pivots), and the mutations built to break the inequality are REJECTED;
* the budget: the quadratic leaves' charges are the spec's formula in both checkers, and a
  quadratic cover over the budget is UNDECIDED in both (the same file without ``quad`` is
  VERIFIED).
"""
import copy
import inspect
import json
import math
import random
import re
from fractions import Fraction as F
from pathlib import Path

import flint
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import test_check_differential as tcd
import test_cover_certificate as tcv
from exactrelu.certificate.produce import certify

# sign-split trees (1.1 / 1.6): auto would pick a simplex cover (1.7) at d <= 3
pytestmark = pytest.mark.usefixtures("splits_covers")

R, MAL, VER, UND = "REJECTED", "MALFORMED", "VERIFIED", "UNDECIDED"
both = tcd.both
ROOT = Path(__file__).resolve().parents[1]
QC = "quadratic_cover"
MARGIN = F(1, 1000)

EXAMPLE = {"format": "exactrelu-certificate", "version": 1,
           "problem": {"X": [["1", "0"], ["0", "1"], ["-1", "0"], ["0", "-1"]],
                       "y": ["2", "2", "2", "2"], "lam": "3/2"},
           "patterns": {"bits": [], "complete": False},
           "network": {"W1": [], "w2": []},
           "dual": {"r": ["1", "1", "1", "1"]},
           "claim": {"lower": "6", "upper": "8"},
           QC: {"N": ["1", "1", "1", "1"],
                "trees": [{"sign": 1, "nodes": [{"leaf": {"quad": {"eta": "17/24", "rows": {
                    "0": ["0", "1/3", "3/4"], "1": ["0", "1/3", "3/4"],
                    "2": ["0", "1/3", "3/4"], "3": ["0", "1/3", "3/4"]}}}}]},
                          {"sign": -1, "nodes": [{"leaf": {}}]}]}}


def _example(**edit):
    return tcv.edited(EXAMPLE, **edit)


def _rename(cert, old, new):
    out = copy.deepcopy(cert)
    out[new] = out.pop(old)
    return out


def _messages(cert):
    a = tcd.lib.check_obj(copy.deepcopy(cert)).message
    b = tcd.cc.check(copy.deepcopy(cert))
    return a, f"{b.verdict}: {b.message}"


# ====================================================================== the worked example

def test_spec_example_is_this_certificate():
    text = (ROOT / "docs/spec/certificate-v1.md").read_text()
    sec = text[text.index("## Minor version 1.6"):]
    assert json.loads(re.search(r"```json\n(.*?)```", sec, re.S).group(1)) == EXAMPLE


def test_example_verified_global_by_both():
    assert both(EXAMPLE) == VER
    lib_msg, cc_msg = _messages(EXAMPLE)
    assert lib_msg == cc_msg
    assert "complete (global, by a quadratic cover proof of 2 nodes, 2 leaves): no network " \
           "of any width has objective below lower" in lib_msg
    assert "lower = 6, upper = 8" in lib_msg and "not complete" not in lib_msg
    assert _oracle(EXAMPLE)


def test_example_without_the_section_is_local_v1():
    cert = copy.deepcopy(EXAMPLE)
    del cert[QC]
    assert both(cert) == VER
    assert "not complete" in tcd.lib.check_obj(cert).message


ROWS_1_4 = {str(k): ["0", "1/4", "3/4"] for k in range(4)}


@pytest.mark.parametrize("edit", [
    {"quadratic_cover__trees__0__nodes__0__leaf__quad__eta": "2/3"},     # first pivot 0
    {"quadratic_cover__trees__0__nodes__0__leaf__quad__rows__0": ["0", "1/4", "3/4"]},
    {"quadratic_cover__trees__0__nodes__0__leaf__quad__rows": ROWS_1_4},  # 4 p t = 3/4
    {"quadratic_cover__trees__0__nodes__0__leaf__quad__rows__2": ["3/2", "1/3", "3/4"]},
    {"quadratic_cover__trees__1__nodes__0__leaf": {"quad": {"eta": "17/24", "rows": {
        "0": ["0", "1/3", "3/4"]}}}},                                     # s r_k < 0
    {"problem__lam": "7/5"},                                              # (F) fails
    {"quadratic_cover__trees__0__nodes__0__leaf__quad__eta": "3/4"},     # last pivot 0
    {"quadratic_cover__trees__0__nodes__0__leaf__quad__rows__1": ["-1/2", "1/3", "3/4"]},
    {"quadratic_cover__trees__0__nodes__0__leaf__quad__rows__1": ["0", "-1/3", "-3/4"]},
    {"quadratic_cover__trees__0__nodes__0__leaf__quad__rows__1": ["0", "1/3", "3/4"],
     "quadratic_cover__trees__0__nodes__0__leaf__slope": {"1": "1/2"}},   # quad + slope
    {"quadratic_cover__trees__0__nodes__0__leaf": {}},                    # chords only
    {"quadratic_cover__N__1": "9/10"},                                    # N_1 < ||x_1||
])
def test_example_rejected_variants(edit):
    cert = _example(**edit)
    assert both(cert) == (R, 12)
    assert not _oracle(cert)


@pytest.mark.parametrize("edit", [
    {"quadratic_cover__trees__0__nodes__0__leaf__quad__eta": "7/10"},    # 1/30, 1/20 > 0
    {"quadratic_cover__trees__0__nodes__0__leaf__quad__eta": "1001/1500"},  # 2/3 + 1/1500
    {"quadratic_cover__trees__0__nodes__0__leaf__quad__rows__0": ["0", "3/10", "5/6"]},
    {"quadratic_cover__trees__0__nodes__0__leaf__quad__rows__0": ["1/10", "1/3", "243/400"]},
    {"quadratic_cover__N__1": "2"},                  # a looser N: no chord is used here
])
def test_example_positive_controls(edit):
    cert = _example(**edit)
    assert both(cert) == VER
    assert _oracle(cert)


def test_lam_just_above_the_proved_bound():
    """The leaf proves s g_r < 17/12 + epsilon: lam = 17/12 needs 2/3 < eta < 2/3 (the
    first and last pivots), so no eta closes it; lam = 17/12 + 10^-6 closes with eta in
    the middle (both pivots 1/(2 10^6))."""
    tight = _example(problem__lam="17/12")
    assert both(tight) == (R, 12) and not _oracle(tight)
    eta = (F(17, 12) + F(1, 10 ** 6) - F(3, 4) + F(2, 3)) / 2   # both pivots 1/(2 10^6)
    ok = _example(problem__lam=str(F(17, 12) + F(1, 10 ** 6)),
                  quadratic_cover__trees__0__nodes__0__leaf__quad__eta=str(eta))
    assert both(ok) == VER and _oracle(ok)


# ============================================================================= malformed

@pytest.mark.parametrize("quad", [
    {"eta": "17/24", "rows": {"0": ["0", "1/3"]}},                 # a row of length 2
    {"eta": "17/24", "rows": {"0": ["0", "1/3", "3/4", "1"]}},
    {"eta": "34/48", "rows": {}},                                   # not reduced
    {"eta": "17/24", "rows": {"0": ["0", "2/6", "3/4"]}},
    {"eta": "17/24", "rows": {"0": ["0", "1/3", 0.75]}},            # a JSON number
    {"eta": "17/24", "rows": {}, "extra": "1"},                     # an unknown key
    {"eta": "17/24"},
    {"rows": {}},
    {"eta": "17/24", "rows": [["0", "1/3", "3/4"]]},
    {"eta": "17/24", "rows": {"01": ["0", "1/3", "3/4"]}},          # non-canonical row key
    {"eta": "17/24", "rows": {"4": ["0", "1/3", "3/4"]}},           # row out of range
    {"eta": "17/24", "rows": {"0": "0"}},
    ["17/24", {}],
    None,
])
def test_malformed_quad(quad):
    cert = copy.deepcopy(EXAMPLE)
    cert[QC]["trees"][0]["nodes"][0]["leaf"]["quad"] = quad
    assert both(cert) == MAL


def test_quad_is_not_a_1_1_key():
    assert both(_rename(EXAMPLE, QC, "cover")) == MAL


def test_cover_and_quadratic_cover_together():
    cert = copy.deepcopy(EXAMPLE)
    cert["cover"] = {"N": ["1", "1", "1", "1"],                 # a readable (1.1) cover
                     "trees": [{"sign": 1, "nodes": [{"leaf": {}}]},
                               {"sign": -1, "nodes": [{"leaf": {}}]}]}
    assert both(cert) == MAL
    assert "not both" in tcd.lib.check_obj(cert).message
    assert "not both" in tcd.cc.check(cert).message
    del cert[QC]
    assert both(cert) == (R, 7)         # control: that cover alone is read, then rejected


# ================================================================ without quad: a cover

def test_the_1_1_hand_example_renamed():
    cert = _rename(tcv.HAND, "cover", QC)
    assert both(cert) == VER
    lib_msg, cc_msg = _messages(cert)
    assert lib_msg == cc_msg
    assert "by a quadratic cover proof of 6 nodes, 4 leaves" in lib_msg
    assert lib_msg.replace("quadratic cover", "cover") == _messages(tcv.HAND)[0]


@pytest.mark.parametrize("edit", tcd._params(tcv.test_hand_corruptions_rejected))
def test_the_1_1_hand_corruptions_renamed(edit):
    cert = _rename(tcv._hand(**edit), "cover", QC)
    assert both(cert) == (R, 12)


@pytest.mark.parametrize("edit", tcd._params(tcv.test_hand_malformed))
def test_the_1_1_hand_malformed_renamed(edit):
    assert both(_rename(tcv._hand(**edit), "cover", QC)) == MAL


@pytest.fixture(scope="module")
def produced():
    """A produced 1.1 cover (chord leaves: ``leaves="chord"`` where certify has it)."""
    chord = {"leaves": "chord"} if "leaves" in inspect.signature(certify).parameters else {}
    res = certify(tcv._data(3, 16, 2), F(5), route="cover", gap=tcv.GAP, progress=False,
                  **chord)
    assert res.route == "cover" and res.tree_nodes > 10
    return res.certificate


def _charges(cert, monkeypatch):
    """The running work totals of one run of each checker on the parsed tree (no JSON
    text, whose length differs with the section's name) -> (verdict, the totals)."""
    logs = tcd._record(monkeypatch)
    a, b = tcd.lib.check_obj(copy.deepcopy(cert)), tcd.cc.check(copy.deepcopy(cert))
    monkeypatch.undo()
    assert a.verdict == b.verdict and logs["cc"] == logs["lib"]
    return a.verdict, logs["lib"]


def test_produced_cover_renamed_same_charges(produced, monkeypatch):
    renamed = _rename(produced, "cover", QC)
    assert both(renamed) == VER
    assert _charges(renamed, monkeypatch) == _charges(produced, monkeypatch)   # check 7's
    nodes = sum(len(t["nodes"]) for t in produced["cover"]["trees"])
    assert f"by a quadratic cover proof of {nodes} nodes" in _messages(renamed)[0]


@pytest.mark.parametrize("family", list(tcv.FAMILIES))
def test_produced_cover_corruptions_renamed(produced, family):
    cert = copy.deepcopy(produced)
    try:
        cert = tcv.FAMILIES[family](cert)
    except (StopIteration, ValueError):
        pytest.skip("the cover has nothing this family can change")
    expected = both(cert)
    assert expected != VER
    got = both(_rename(cert, "cover", QC))
    assert got == ((R, 12) if expected == (R, 7) else expected)


# ======================================== the oracle (independent of both checkers)

class _Invalid(Exception):
    pass


def _fmpq(x):
    return flint.fmpq(x.numerator, x.denominator)


def _leaf_parts(X, r, N, s, S, proof):
    """(w, beta, Q, eta) of a leaf whose proof has at most ``quad`` (spec 1.6, 3'),
    the chord of a free row on [-N_k, N_k] being z/2 + N_k/2; _Invalid on a bad quad row."""
    n, d = len(X), len(X[0])
    quad = proof.get("quad")
    rows = {int(k): [F(v) for v in val] for k, val in quad["rows"].items()} if quad else {}
    assert set(proof) <= {"quad"} or any(str(k) in proof.get("slope", {}) for k in rows)
    sr = [s * v for v in r]
    for k, (theta, p, t) in rows.items():
        if k in S or sr[k] <= 0 or str(k) in proof.get("slope", {}) \
                or not (0 <= theta <= 1 and p >= 0 and t >= 0) \
                or 4 * p * t < (1 - theta) ** 2:
            raise _Invalid
    w, beta = [F(0)] * d, F(0)
    Q = [[F(0)] * d for _ in range(d)]
    for k in range(n):
        if k in S:
            c = sr[k] if S[k] == 1 else F(0)
        elif sr[k] > 0:
            a, b = (F(1, 2), N[k] / 2) if N[k] else (F(0), F(0))
            if k in rows:
                theta, p, t = rows[k]
                a, b = theta * a + (1 - theta) / 2, theta * b + t / 4
                Q = [[Q[i][j] + sr[k] * p * X[k][i] * X[k][j] for j in range(d)]
                     for i in range(d)]
            c, beta = sr[k] * a, beta + sr[k] * b
        else:
            c = F(0)
        w = [a + c * x for a, x in zip(w, X[k])]
    return w, beta, Q, (F(quad["eta"]) if quad else None)


def _leaf_holds(X, r, lam, N, s, S, proof):
    try:
        w, beta, Q, eta = _leaf_parts(X, r, N, s, S, proof)
    except _Invalid:
        return False
    if eta is None:
        return lam - beta >= 0 and sum(a * a for a in w) <= (lam - beta) ** 2
    d = len(w)
    M = [[(eta if i == j else 0) - Q[i][j] for j in range(d)] + [-w[i] / 2] for i in range(d)]
    M.append([-a / 2 for a in w] + [lam - beta - eta])
    return all(flint.fmpq_mat([[_fmpq(x) for x in row[:m]] for row in M[:m]]).det() > 0
               for m in range(1, d + 2))                   # Sylvester's criterion


def _oracle(cert):
    """Does the quadratic_cover prove (F)?  (Leaves with at most ``quad``.)"""
    X = [[F(v) for v in row] for row in cert["problem"]["X"]]
    r, lam = [F(v) for v in cert["dual"]["r"]], F(cert["problem"]["lam"])
    N = [F(v) for v in cert[QC]["N"]]
    if any(Nk < 0 or Nk * Nk < sum(v * v for v in x) for Nk, x in zip(N, X)):
        return False
    for tree in cert[QC]["trees"]:
        stack = [{}]
        for nd in tree["nodes"]:
            S = stack.pop()
            if "split" in nd:
                if nd["split"] in S:
                    return False
                stack += [{**S, nd["split"]: -1}, {**S, nd["split"]: 1}]
            elif not _leaf_holds(X, r, lam, N, tree["sign"], S, nd["leaf"]):
                return False
    return True


# ============================================ generated quadratic covers, corruptions

def _generated(seed, n=7, d=3):
    """Random integer X, a split on the first row with r_k > 0 in the +1 tree, every free
    row with s r_k > 0 a quad row (theta 0 or 1/2, T = N_k / 2: p = (1 - theta)/(4T),
    t = (1 - theta) T), eta = trace(Q) + 1/2, and lam = MARGIN above the largest
    ``beta + eta + w^T (eta I - Q)^-1 w / 4`` over the leaves (the Schur complement of M).
    provenance.tight names that leaf (tree, node)."""
    rng = random.Random(seed)
    X = []
    while len(X) < n:
        row = [rng.randint(-3, 3) for _ in range(d)]
        if any(row):
            X.append(row)
    r = [rng.choice([F(1), F(-1), F(1, 2), F(-1, 2), F(2), F(3, 2)]) for _ in range(n)]
    r[0] = abs(r[0])
    y = [F(rng.randint(-4, 4)) for _ in range(n)]
    N = [F(math.isqrt(q) + (math.isqrt(q) ** 2 < q)) for q in (sum(v * v for v in x) for x in X)]
    Xf = [[F(v) for v in x] for x in X]
    trees, need = [], []
    for s, split in ((1, 0), (-1, None)):
        leaves = [{0: 1}, {0: -1}] if split is not None else [{}]
        nodes = ([{"split": split}] if split is not None else [])
        for S in leaves:
            rows = {}
            for k in range(n):
                if k not in S and s * r[k] > 0:
                    theta = F(k % 2, 2)
                    T = N[k] / 2
                    rows[str(k)] = [str(theta), str((1 - theta) / (4 * T)), str((1 - theta) * T)]
            proof = {"quad": {"eta": "0", "rows": rows}}
            w, beta, Q, _ = _leaf_parts(Xf, r, N, s, S, proof)
            eta = sum(Q[i][i] for i in range(d)) + F(1, 2)
            A = flint.fmpq_mat([[_fmpq((eta if i == j else 0) - Q[i][j]) for j in range(d)]
                                for i in range(d)])
            z = A.solve(flint.fmpq_mat([[_fmpq(a)] for a in w]))
            schur = sum(a * F(int(z[i, 0].p), int(z[i, 0].q)) for i, a in enumerate(w)) / 4
            proof["quad"]["eta"] = str(eta)
            need.append((beta + eta + schur, len(trees), len(nodes)))
            nodes.append({"leaf": proof})
        trees.append({"sign": s, "nodes": nodes})
    top = max(need)
    lam = top[0] + MARGIN
    L = sum(a * b for a, b in zip(r, y)) - sum(a * a for a in r) / 2
    return {"format": "exactrelu-certificate", "version": 1,
            "problem": {"X": [[str(v) for v in x] for x in X], "y": [str(v) for v in y],
                        "lam": str(lam)},
            "patterns": {"bits": [], "complete": False},
            "network": {"W1": [], "w2": []},
            "dual": {"r": [str(v) for v in r]},
            "claim": {"lower": str(L), "upper": str(sum(v * v for v in y) / 2)},
            QC: {"N": [str(v) for v in N], "trees": trees},
            "provenance": {"tight": list(top[1:])}}


SEEDS = [1, 2, 3, 4, 5]
GENERATED = {seed: _generated(seed) for seed in SEEDS}


def _tight_quad(cert):
    t, i = cert["provenance"]["tight"]
    quad = cert[QC]["trees"][t]["nodes"][i]["leaf"]["quad"]
    if not quad["rows"]:
        raise StopIteration
    return quad, cert[QC]["trees"][t]["sign"]


def _a_row(quad):
    return max(quad["rows"])          # a fixed choice, the last row key


def _set_row(cert, pos, value_of):
    quad, _ = _tight_quad(cert)
    k = _a_row(quad)
    quad["rows"][k][pos] = str(value_of(F(quad["rows"][k][pos]), k))
    return cert


def q_eta_below_lambda_max(cert):       # eta = the largest Q_ii <= lambda_max(Q)
    quad, s = _tight_quad(cert)
    X = [[F(v) for v in row] for row in cert["problem"]["X"]]
    r = [F(v) for v in cert["dual"]["r"]]
    d = len(X[0])
    diag = [sum(s * r[int(k)] * F(v[1]) * X[int(k)][i] ** 2 for k, v in quad["rows"].items())
            for i in range(d)]
    quad["eta"] = str(max(diag))
    return cert


def q_eta_up_to_gamma(cert):            # gamma - eta <= 0
    quad, s = _tight_quad(cert)
    quad["eta"] = str(F(cert["problem"]["lam"]))
    return cert


def q_p_halved(cert):                   # 4 p t < (1 - theta)^2
    return _set_row(cert, 1, lambda p, k: p / 2)


def q_t_halved(cert):
    return _set_row(cert, 2, lambda t, k: t / 2)


def q_t_up_to_the_margin(cert):         # beta + MARGIN: the Schur complement exactly 0
    _, s = _tight_quad(cert)
    r = cert["dual"]["r"]
    return _set_row(cert, 2, lambda t, k: t + 4 * MARGIN / (s * F(r[int(k)])))


def q_theta_above_1(cert):
    return _set_row(cert, 0, lambda th, k: F(3, 2))


def q_theta_negative(cert):
    return _set_row(cert, 0, lambda th, k: F(-1, 2))


def q_drop_quad_row(cert):
    quad, _ = _tight_quad(cert)
    del quad["rows"][_a_row(quad)]
    return cert


def q_quad_row_on_the_split_row(cert):  # row 0 is fixed below the split
    leaf = cert[QC]["trees"][0]["nodes"][1]["leaf"]
    leaf["quad"]["rows"]["0"] = ["0", "1", "1"]
    return cert


def q_lam_down(cert):
    cert["problem"]["lam"] = str(F(cert["problem"]["lam"]) - MARGIN)
    return cert


# positive controls: the same kinds of edits that keep every leaf closed
def ok_t_up_half_the_margin(cert):
    _, s = _tight_quad(cert)
    r = cert["dual"]["r"]
    return _set_row(cert, 2, lambda t, k: t + 2 * MARGIN / (s * F(r[int(k)])))


def ok_p_doubled_t_halved(cert):
    """4 p t unchanged; the quadratic term grows, the constant shrinks: the oracle says."""
    _set_row(cert, 1, lambda p, k: 2 * p)
    return _set_row(cert, 2, lambda t, k: t / 2)


def ok_lam_down_half_the_margin(cert):
    cert["problem"]["lam"] = str(F(cert["problem"]["lam"]) - MARGIN / 2)
    return cert


BREAKING = {f.__name__: f for f in (
    q_eta_below_lambda_max, q_eta_up_to_gamma, q_p_halved, q_t_halved, q_t_up_to_the_margin,
    q_theta_above_1, q_theta_negative, q_quad_row_on_the_split_row, q_lam_down)}
ORACLE_DECIDES = {f.__name__: f for f in (q_drop_quad_row, ok_p_doubled_t_halved)}
CLOSING = {f.__name__: f for f in (ok_t_up_half_the_margin, ok_lam_down_half_the_margin)}


@pytest.mark.parametrize("seed", SEEDS)
def test_generated_verified_by_both(seed, monkeypatch):
    cert = GENERATED[seed]
    assert _oracle(cert)
    assert tcd._same_work_and_limits(cert, monkeypatch) == VER
    assert "by a quadratic cover proof of 4 nodes, 3 leaves" in _messages(cert)[0]
    assert sum(len(leaf["leaf"]["quad"]["rows"]) for t in cert[QC]["trees"]
               for leaf in t["nodes"] if "leaf" in leaf) >= 5


@pytest.mark.parametrize("family", list(BREAKING) + list(ORACLE_DECIDES) + list(CLOSING))
@pytest.mark.parametrize("seed", SEEDS)
def test_quad_corruptions(seed, family):
    mutate = {**BREAKING, **ORACLE_DECIDES, **CLOSING}[family]
    try:
        cert = mutate(copy.deepcopy(GENERATED[seed]))
    except StopIteration:
        pytest.skip("the tight leaf has no quad row")
    got = both(cert)
    holds = _oracle(cert)
    assert got == (VER if holds else (R, 12))
    if family in BREAKING:
        assert not holds
    if family in CLOSING:
        assert holds


def test_dropping_a_quad_row_breaks_some_tight_leaf():
    """Negative control of the family above: it is not vacuous."""
    assert any(both(q_drop_quad_row(copy.deepcopy(GENERATED[s]))) == (R, 12) for s in SEEDS)


def _renamed_family(name):
    """A 1.1 family of test_cover_certificate applied to the section under its 1.1 name."""
    def run(cert):
        return _rename(tcv.FAMILIES[name](_rename(cert, QC, "cover")), "cover", QC)
    return run


@pytest.mark.parametrize("family", ["drop_subtree", "extra_node", "malformed_node",
                                    "swap_split_index", "collapse_subtree", "wrong_sign_set",
                                    "small_N", "r_differs"])
@pytest.mark.parametrize("seed", SEEDS)
def test_tree_corruptions_of_quadratic_covers(seed, family):
    cert = _renamed_family(family)(copy.deepcopy(GENERATED[seed]))
    got = both(cert)
    if family in ("drop_subtree", "extra_node", "malformed_node"):
        assert got == MAL
    else:
        assert got == (VER if _oracle(cert) else (R, 12))
        if family in ("small_N", "wrong_sign_set"):
            assert got == (R, 12)


FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@FUZZ
@given(st.data())
def test_fuzz_quad_rationals(data):
    """A rational of a quad leaf (or lam) scaled or negated: both checkers agree with the
    oracle, VERIFIED exactly when every leaf closes."""
    cert = copy.deepcopy(data.draw(st.sampled_from([EXAMPLE, *GENERATED.values()])))
    paths = [p for p in tcd.tcc._paths(cert)
             if p and p[0] == QC and "quad" in p and isinstance(_get(cert, p), str)]
    paths.append(("problem", "lam"))
    path = list(data.draw(st.sampled_from(paths)))
    factor = data.draw(st.sampled_from([F(1, 2), F(9, 10), F(99, 100), F(101, 100), F(3, 2),
                                        F(-1)]))
    tcd.tcc.set_path(cert, path, lambda v: str(F(v) * factor))
    got = both(cert)
    assert got == (VER if _oracle(cert) else (R, 12))


def _get(cert, path):
    for key in path:
        cert = cert[key]
    return cert


@FUZZ
@given(st.data(), tcd.tcc.JSONISH)
def test_fuzz_quad_subtrees(data, value):
    """Any part of the example's section replaced by junk: both checkers agree."""
    cert = copy.deepcopy(EXAMPLE)
    paths = [p for p in tcd.tcc._paths(cert) if p and p[0] == QC]
    tcd.tcc.set_path(cert, list(data.draw(st.sampled_from(paths))), value)
    both(cert)


# ================================================================================ budget

def _work(bits, ops, fraction):
    """The cost model of both checkers (SPEC.md): ops operations on numbers of these bits."""
    b, s = (bits, bits) if isinstance(bits, int) else bits
    b, s = max(b, 1) / 64, max(s, 1) / 64
    return ops * (4000 + 10 * b * b if fraction else 300 + 15 * b * s ** 0.6)


def test_quadratic_charges_are_the_spec_formula(monkeypatch):
    """The example: m = 4 rows in q = 1 quadratic leaf, d = 2, bits_X = 1, rb = 2 (r = 1),
    B = bits(17) + bits(24) = 10: Fraction work 8 m + (d + 1)^3 = 59 on 2 + 2 + 40 bits,
    integer work m d (d + 1) / 2 = 12 on (42, 2) bits -- after check 7's two charges."""
    verdict, with_quad = _charges(EXAMPLE, monkeypatch)
    plain = copy.deepcopy(EXAMPLE)
    plain[QC]["trees"][0]["nodes"][0]["leaf"] = {}        # rejected, but charged first
    assert (verdict, _charges(plain, monkeypatch)[0]) == (VER, R)
    without = _charges(plain, monkeypatch)[1]
    extra = [b - a for a, b in zip(with_quad[-3:], with_quad[-2:])]
    expected = [_work(44, 59, True), _work((42, 2), 12, False)]
    assert extra == pytest.approx(expected, rel=1e-12)
    assert len(with_quad) == len(without) + 2


def test_over_the_budget_undecided_in_both():
    """d = 400, one quadratic leaf: (d + 1)^3 = 6.4e7 Fraction operations ~ 2.6e11 ns, over
    the 6e10 limit: UNDECIDED before any work of check 12 in both checkers.  The same file
    with a 1.1 leaf instead (charged n d = 400 products) is VERIFIED (||x|| = 20,
    N = 20: w = x/2, beta = 10, lam - beta = 20 >= ||w|| = 10)."""
    d = 400
    cert = {"format": "exactrelu-certificate", "version": 1,
            "problem": {"X": [["1"] * d], "y": ["2"], "lam": "30"},
            "patterns": {"bits": [], "complete": False},
            "network": {"W1": [], "w2": []},
            "dual": {"r": ["1"]},
            "claim": {"lower": "3/2", "upper": "2"},
            QC: {"N": ["20"], "trees": [
                {"sign": 1, "nodes": [{"leaf": {"quad": {"eta": "1", "rows": {}}}}]},
                {"sign": -1, "nodes": [{"leaf": {}}]}]}}
    assert both(cert) == UND
    msg = tcd.lib.check_obj(copy.deepcopy(cert)).message
    assert "quadratic leaves" in msg and "quadratic leaves" in tcd.cc.check(cert).message
    cert[QC]["trees"][0]["nodes"][0]["leaf"] = {}
    assert both(cert) == VER


# ===================================== bounds and multipliers next to quad (a split tree)

def _split_example():
    """The worked example's +1 tree split on row 0; in each child row 2 is bounded by 0 on
    one side with the multiplier nu_0 = 1 (hi = 0 where x_0 . u >= 0, lo = 0 where
    x_0 . u <= 0), a quad row with theta = 1 (its chord: exact there), rows 1 and 3 as
    in the example.  Leaf (0, +): w = (1, 0), beta = 3/8, Q = diag(0, 2/3), gamma = 9/8:
    eta = 3/4 gives the pivots 3/4, 1/12 and 3/8 - 1/3 = 1/24."""
    rows = {"1": ["0", "1/3", "3/4"], "2": ["1", "0", "0"], "3": ["0", "1/3", "3/4"]}
    cert = copy.deepcopy(EXAMPLE)
    cert[QC]["trees"][0]["nodes"] = [
        {"split": 0},
        {"leaf": {"bounds": {"2": {"hi": "0", "hi_nu": {"0": "1"}}},
                  "quad": {"eta": "3/4", "rows": copy.deepcopy(rows)}}},
        {"leaf": {"bounds": {"2": {"lo": "0", "lo_nu": {"0": "1"}}},
                  "quad": {"eta": "3/4", "rows": copy.deepcopy(rows)}}}]
    return cert


def test_quad_leaves_with_bounds_and_multipliers(monkeypatch):
    cert = _split_example()
    assert tcd._same_work_and_limits(cert, monkeypatch) == VER
    assert "by a quadratic cover proof of 4 nodes, 3 leaves" in _messages(cert)[0]
    for edit in ({"quadratic_cover__trees__0__nodes__1__leaf__quad__eta": "2/3"},
                 {"quadratic_cover__trees__0__nodes__1__leaf__quad__eta": "7/8"},
                 {"quadratic_cover__trees__0__nodes__2__leaf__bounds__2": {"lo": "0"}},
                 {"quadratic_cover__trees__0__nodes__1__leaf__bounds": {}}):
        assert both(tcv.edited(cert, **edit)) == (R, 12), edit


# ================================== a certificate of the producer (format 1.6), if it has one

@pytest.fixture(scope="module")
def produced_quadratic():
    """Diabetes (10 features + bias, n = 20, lam = 3), certify's cover route with
    quadratic leaves -- skipped where certify has no ``leaves`` (the producer of 1.6)."""
    if "leaves" not in inspect.signature(certify).parameters:
        pytest.skip("this certify writes no quadratic_cover")
    pytest.importorskip("sklearn")
    from sklearn.datasets import load_diabetes

    from exactrelu.problem import Dataset

    X, y = load_diabetes(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    y = (y - y.mean()) / y.std()

    def q(v):
        return F(round(float(v) * 1024), 1024)
    data = Dataset.from_arrays([[q(v) for v in row] for row in X[:20, :10]],
                               [q(v) for v in y[:20]], bias=True)
    cert = certify(data, F(3), route="cover", gap=tcv.GAP, progress=False,
                   leaves="quadratic").certificate
    assert QC in cert and "cover" not in cert
    return cert


def _quad_leaves(cert):
    return [nd["leaf"]["quad"] for t in cert[QC]["trees"] for nd in t["nodes"]
            if "leaf" in nd and "quad" in nd["leaf"]]


def test_produced_quadratic_cover(produced_quadratic, monkeypatch):
    cert = produced_quadratic
    assert _quad_leaves(cert)
    assert tcd._same_work_and_limits(cert, monkeypatch) == VER
    lib_msg, cc_msg = _messages(cert)
    assert lib_msg == cc_msg and "by a quadratic cover proof of" in lib_msg
    bad = copy.deepcopy(cert)
    _quad_leaves(bad)[0]["eta"] = "0"
    assert both(bad) == (R, 12)
    bad = copy.deepcopy(cert)
    quad = _quad_leaves(bad)[0]
    k, (th, p, t) = next((k, v) for k, v in quad["rows"].items() if F(v[1]) > 0)
    quad["rows"][k] = [th, p, str((1 - F(th)) ** 2 / (4 * F(p)) * F(99, 100))]
    assert both(bad) == (R, 12)
    assert both(_rename(cert, QC, "cover")) == MAL
