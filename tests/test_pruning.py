"""Pruning (issue 5): Algorithm 1 exactly, its sign convention, optimal networks pruned
with EXACTLY the same objective, the least-squares heuristic, and the ``prune`` command.

Every check is exact (Fractions, exact signs of sums of square roots); the float
heuristic is only compared against the exact one.
"""
import json
import random
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exactrelu import pruning
from exactrelu.algebraic import compare_sum_sqrt, sign_sum_sqrt
from exactrelu.cli import main
from exactrelu.cones import dual_margin
from exactrelu.errors import ExactReluError
from exactrelu.io.networks import read_network
from exactrelu.networks import Network
from exactrelu.arrangement import enumerate_patterns
from exactrelu.planted import one_dimensional_instance, planted_instance
from exactrelu.problem import ConvexProgram, Dataset
from exactrelu.pruning import (RULES, decimal_string, prune_convex, prune_ls,
                               prune_ls_float, prune_network, step_factors)


# ------------------------------------------------------------------ independent helpers

def rank(cols):
    """Rank of a list of rational vectors by plain Fraction elimination (no flint)."""
    rows = [list(c) for c in cols if any(c)]
    r = 0
    if not rows:
        return 0
    ncol = len(rows[0])
    for c in range(ncol):
        piv = next((i for i in range(r, len(rows)) if rows[i][c] != 0), None)
        if piv is None:
            continue
        rows[r], rows[piv] = rows[piv], rows[r]
        for i in range(len(rows)):
            if i != r and rows[i][c] != 0:
                f = rows[i][c] / rows[r][c]
                rows[i] = [a - f * b for a, b in zip(rows[i], rows[r])]
        r += 1
    return r


def balanced(net, X, y, lam):
    """(loss, terms) of the balanced objective, straight from the Network class."""
    data = Dataset(tuple(tuple(r) for r in X), tuple(y))
    return net.loss(data), net.penalty_balanced_terms(lam)


def literal_step(beta, penalty_sign=0):
    """The LITERAL poster reading of Algorithm 1: t = 1/|beta_i*|, no sign flip."""
    b = list(beta)
    i = max(range(len(b)), key=lambda k: abs(b[k]))
    t = 1 / abs(b[i])
    factors = tuple(1 - t * x for x in b)
    piv = next((k for k, c in enumerate(factors) if c == 0), 0)
    return pruning.Step(tuple(b), t, factors, piv)


# -------------------------------------------------------------- Example B (docs/theory.md §5.2 T12)

ZB = [(F(1), F(0)), (F(0), F(1)), (F(1, 2), F(1, 2))]          # columns of Z
YB = (F(3), F(3))


def objective_B(w, lam=F(1)):
    fit = [sum(wi * c[r] for wi, c in zip(w, ZB)) for r in range(2)]
    return sum((a - b) ** 2 for a, b in zip(fit, YB)) / 2 + lam * sum(w)


def test_step_factors_T12_both_signs():
    for beta in ((1, 1, -2), (-1, -1, 2), (F(-3, 4), F(-3, 4), F(3, 2))):
        stp = step_factors(beta)
        assert stp.factors == (F(3, 2), F(3, 2), F(0))
        assert stp.pivot == 2 and all(0 <= c <= 2 for c in stp.factors)
    assert step_factors((1, 1, -2)).t == F(1, 2)


def test_literal_reading_prunes_nothing():
    # the bug the sign convention avoids: factors (1/2, 1/2, 2), nothing becomes 0
    stp = literal_step((F(1), F(1), F(-2)))
    assert stp.factors == (F(1, 2), F(1, 2), F(2))
    w = [F(4, 3) * c for c in stp.factors]
    assert w == [F(2, 3), F(2, 3), F(8, 3)] and all(w)
    assert objective_B(w) == 5                                # optimal, but not pruned


def test_example_B_convex_one_step():
    w0 = [(F(4, 3),)] * 3
    fits = [tuple(F(4, 3) * a for a in c) for c in ZB]
    res = prune_convex(w0, fits, record=True)
    assert res.blocks == [(F(2),), (F(2),)] and res.removed == (2,)
    assert res.steps == 1 and res.penalty_sign == 0 and res.fit_equal
    assert res.log[0].factors == (F(3, 2), F(3, 2), F(0))
    assert objective_B([F(4, 3)] * 3) == objective_B([F(2), F(2), F(0)]) == 5


def test_example_B_dict_blocks_and_other_start():
    # (3/2, 3/2, 1) is also optimal; any step must land on a vertex with objective 5
    w0 = {"a": (F(3, 2),), "b": (F(3, 2),), "c": (F(1),)}
    fits = {k: tuple(w[0] * a for a in c) for (k, w), c in zip(w0.items(), ZB)}
    res = prune_convex(w0, fits)
    w = [res.blocks.get(k, (F(0),))[0] for k in "abc"]
    assert w in ([F(2), F(2), F(0)], [F(0), F(0), F(4)])
    assert objective_B(w) == 5 and res.penalty_sign == 0


def test_literal_bug_would_be_caught(monkeypatch):
    """With the literal step the pruning loop cannot remove a neuron: it raises."""
    monkeypatch.setattr(pruning.algorithm1, "_step", literal_step)  # the rule every loop uses
    w0 = [(F(4, 3),)] * 3
    fits = [tuple(F(4, 3) * a for a in c) for c in ZB]
    with pytest.raises(ExactReluError):
        prune_convex(w0, fits)


# --------------------------------------------- Example B as a certified-optimal ReLU net

# n = 2, d = 4, lam = 1: x1 = (1,0,0,0), x2 = (-1,1,1,1) (120 degrees apart, rational
# norms 1 and 2), residual r = (1, 1/2).  The correlations of the three positive
# patterns 10, 01, 11 are v = (1,0,0,0), (-1/2,1/2,1/2,1/2), (1/2,1/2,1/2,1/2), all of
# norm lam = 1, with fits (1,0), (0,2), (1/2,1): Example B again.  y = (2,4) + r.
XR = [[F(1), F(0), F(0), F(0)], [F(-1), F(1), F(1), F(1)]]
RR = (F(1), F(1, 2))
YR = (F(3), F(9, 2))
V10 = (F(1), F(0), F(0), F(0))
V01 = (F(-1, 2), F(1, 2), F(1, 2), F(1, 2))
V11 = (F(1, 2), F(1, 2), F(1, 2), F(1, 2))
P_STAR = F(37, 8)


def relu_B(alpha, extra=()):
    W1 = [[a * x for x in v] for a, v in zip(alpha, (V10, V01, V11))]
    W1 += [list(w) for w in extra]
    return Network.from_values(W1, [1] * len(W1))


def test_relu_example_is_globally_optimal():
    data = Dataset.from_arrays(XR, YR)
    pats = enumerate_patterns(data.X)
    prog = ConvexProgram(data, F(1), pats)
    assert all(v <= 1 for _, v in dual_margin(prog, RR))      # dual feasible (all patterns)
    assert prog.dual_objective(RR) == P_STAR                   # lower bound 37/8
    for alpha in ((F(4, 3),) * 3, (2, 2, 0), (0, 0, 4), (F(3, 2), F(3, 2), 1)):
        L, terms = balanced(relu_B(alpha), XR, YR, 1)
        assert sign_sum_sqrt([(L - P_STAR, 1)] + terms) == 0  # upper bound 37/8: optimal


def test_optimal_relu_pruned_exactly_T13_T14():
    net = relu_B((F(4, 3),) * 3)
    res = prune_network(net, XR, YR, 1, record=True)
    assert res.kept == (0, 1) and res.removed == (2,) and res.steps == 1
    assert res.network.W1 == ((2, 0, 0, 0), (-1, 1, 1, 1))     # alpha = (2, 2, 0)
    assert res.change_sign == 0 and res.objective_not_larger and res.predictions_equal
    # T14: every neuron's output is multiplied by its factor 1 - t beta_j in [0, 2]
    rec = res.log[0]
    assert rec.factors == (F(3, 2), F(3, 2), F(0)) and rec.penalty_sign == 0
    for new_j, old_j in enumerate(res.kept):
        c = rec.factors[rec.indices.index(old_j)]
        assert res.network.neuron_outputs(XR, new_j) == tuple(
            c * v for v in net.neuron_outputs(XR, old_j))
    # EXACTLY the same objective, 37/8, and a minimal (independent) network
    for o in (res.objective_before, res.objective_after):
        assert sign_sum_sqrt([(o[0] - P_STAR, 1)] + o[1]) == 0
    assert res.objective_after_str == "4.62500000000000000000000000000"
    assert rank([res.network.neuron_outputs(XR, j) for j in range(2)]) == 2


def test_optimal_relu_with_splits_and_copies():
    # alpha = (1, 3/2, 1) plus a rescaled copy of neuron 0 carrying alpha 1/2 (W1 = x/4,
    # w2 = 2), and neuron 2 split into (3/5, 4/5)-scaled pieces: still optimal (37/8),
    # with 5 neurons whose outputs span R^2
    base = relu_B((F(1), F(3, 2), F(1)))
    net = base.split_neuron(2, (F(9, 25), F(16, 25)))
    net = Network(net.W1 + ((F(1, 4), F(0), F(0), F(0)),), net.w2 + (F(2),))
    L, terms = balanced(net, XR, YR, 1)
    assert sign_sum_sqrt([(L - P_STAR, 1)] + terms) == 0
    res = prune_network(net, XR, YR, 1)
    assert res.neurons_after <= 2 and res.predictions_equal and res.change_sign == 0
    L2, t2 = balanced(res.network, XR, YR, 1)
    assert sign_sum_sqrt([(L2 - P_STAR, 1)] + t2) == 0
    # a dead neuron (zero output on the data) only costs penalty: removed, objective
    # strictly smaller, back to the optimum
    dead = Network(net.W1 + ((F(-1), F(-1), F(-1), F(-1)),), net.w2 + (F(1),))
    res3 = prune_network(dead, XR, YR, 1)
    assert 5 in res3.removed and res3.change_sign == -1
    L3, t3 = balanced(res3.network, XR, YR, 1)
    assert sign_sum_sqrt([(L3 - P_STAR, 1)] + t3) == 0


def test_one_dimensional_closed_form_split():
    """docs/theory.md §5.1 Example A: the unique optimum (m* = 2), with split neurons, prunes back to
    2 neurons with EXACTLY the closed-form optimal value."""
    x = [F(-2), F(-1), F(1, 2), F(2), F(3)]
    y = [F(1), F(2), F(-1), F(3), F(4)]
    o = one_dimensional_instance(x, y, F(1, 2))
    assert o.m_star == 2
    W1, w2 = [], []
    for (_, s), u in o.blocks.items():
        W1.append(list(u))
        w2.append(s)
    net = Network.from_values(W1, w2)
    net = net.split_neuron(0, (F(9, 25), F(16, 25))).split_neuron(2, (F(1, 9), F(4, 9), F(4, 9)))
    X = [[a] for a in x]
    L, terms = balanced(net, X, y, o.lam)
    assert sign_sum_sqrt([(L - o.value, 1)] + terms) == 0
    res = prune_network(net, X, y, o.lam)
    assert res.neurons_after == 2 and res.change_sign == 0 and res.predictions_equal
    L2, t2 = balanced(res.network, X, y, o.lam)
    assert sign_sum_sqrt([(L2 - o.value, 1)] + t2) == 0


def test_planted_ties_prune_to_one_fewer():
    p = planted_instance(8, 2, k_active=3, seed=1, unique=False)
    W1, w2 = [], []
    for (i, s), u in p.blocks.items():
        W1.append(list(u))
        w2.append(s)
    net = Network.from_values(W1, w2)
    res = prune_network(net, p.data, lam=p.lam)
    assert res.neurons_after == 2 and res.change_sign == 0
    L, terms = res.objective_after
    assert sign_sum_sqrt([(L - p.value, 1)] + terms) == 0


# ---------------------------------------------------------------- random wide networks

def random_instance(rng, n, d, m):
    X = [[F(rng.randint(-4, 4), rng.randint(1, 3)) for _ in range(d)] for _ in range(n)]
    y = [F(rng.randint(-6, 6), rng.randint(1, 2)) for _ in range(n)]
    W1 = [[F(rng.randint(-4, 4), rng.randint(1, 3)) for _ in range(d)] for _ in range(m)]
    w2 = [F(rng.randint(-4, 4), rng.randint(1, 3)) for _ in range(m)]
    return X, y, Network.from_values(W1, w2)


def check_pruned(net, X, y, lam, res):
    n = len(X)
    before = net.outputs(X)
    assert res.network.outputs(X) == before and res.predictions_equal
    outs = [res.network.neuron_outputs(X, j) for j in range(res.network.width)]
    assert all(any(o) for o in outs)
    assert rank(outs) == len(outs) <= n                       # independent, <= n
    assert len(res.kept) + len(res.removed) == net.width
    assert all(c > 0 for c in res.scales.values())
    # balanced objective not larger, decided independently from the two networks
    L0, t0 = balanced(net, X, y, lam)
    L1, t1 = balanced(res.network, X, y, lam)
    cmp = compare_sum_sqrt([(L1, 1)] + t1, [(L0, 1)] + t0)
    assert cmp <= 0 and cmp == res.change_sign and res.objective_not_larger
    assert res.steps <= len(res.removed)
    # every single step (not just the total) must not increase the penalty: replay the
    # log and decide sum_i (c_i - 1) s_i ||W1_i|| |w2_i| <= 0 exactly, step by step
    scale = {j: F(1) for j in range(net.width)}
    for rec in res.log:
        terms = [((c - 1) * scale[j] * abs(net.w2[j]), sum(a * a for a in net.W1[j]))
                 for j, c in zip(rec.indices, rec.factors)]
        assert sign_sum_sqrt(terms) <= 0
        assert all(c >= 0 for c in rec.factors) and F(0) in rec.factors
        for j, c in zip(rec.indices, rec.factors):
            scale[j] *= c
    if res.log:
        assert all(scale[j] == c for j, c in res.scales.items())


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10 ** 9), n=st.integers(1, 8), d=st.integers(1, 3),
       method=st.sampled_from(["window", "full"]))
def test_random_wide_networks(seed, n, d, method):
    rng = random.Random(seed)
    X, y, net = random_instance(rng, n, d, 3 * n)
    res = prune_network(net, X, y, F(1, 3), method=method, record=True)
    check_pruned(net, X, y, F(1, 3), res)
    if method == "window":                  # at most n + 1 columns in any null space
        assert all(len(r.indices) <= n + 1 for r in res.log)


def test_random_networks_fixed_sizes():
    rng = random.Random(5)
    for n, d in ((8, 2), (8, 3), (6, 1), (5, 4)):
        X, y, net = random_instance(rng, n, d, 3 * n)
        a = prune_network(net, X, y, 1, method="window", record=True)
        b = prune_network(net, X, y, 1, method="full", record=True)
        check_pruned(net, X, y, 1, a)
        check_pruned(net, X, y, 1, b)
        assert a.neurons_after == b.neurons_after == rank(
            [net.neuron_outputs(X, j) for j in range(net.width)])


def test_zero_and_dead_neurons_are_removed():
    X = [[F(1), F(0)], [F(0), F(1)], [F(1), F(1)]]
    y = [F(1), F(2), F(3)]
    net = Network.from_values([[1, 0], [0, 0], [-1, -1], [0, 1]], [1, 5, 2, 0])
    res = prune_network(net, X, y, 1)
    assert res.kept == (0,) and set(res.removed) == {1, 2, 3}
    assert res.change_sign == -1 and res.network.W1 == ((1, 0),)


def test_ignoring_the_penalty_sign_would_be_caught(monkeypatch):
    """The general-network orientation matters: if the exact sign of sum beta_j a_j is
    ignored (paper's rule on a non-optimal network), the objective increases on some
    random networks -- which the property test above would report."""
    monkeypatch.setattr(pruning._PenaltySign, "sign_int", lambda self, coef: 0)
    rng = random.Random(11)
    bad = 0
    for _ in range(20):
        X, y, net = random_instance(rng, 4, 2, 12)
        res = prune_network(net, X, y, 1)
        bad += not res.objective_not_larger
    assert bad > 0


# --------------------------------------------------------------------- LS heuristic

def test_ls_T15_fit_moves_by_t_e():
    net = relu_B((2, 2, 0))                # minimal optimal network (independent)
    net = Network(net.W1[:2], net.w2[:2])
    res = prune_ls(net, XR, YR, 1, 1, rule="residual", keep_fits=True)
    (stp,) = res.path
    assert stp.kind == "ls" and stp.e_sqnorm > 0
    assert stp.fit_after == tuple(a - stp.t * e for a, e in zip(stp.fit_before, stp.e))
    # e is the exact least-squares residual: orthogonal to the remaining output
    kept = res.network
    assert sum(a * b for a, b in zip(stp.e, kept.neuron_outputs(XR, 0))) == 0
    assert res.increase_sign == 1          # objective > p*: strictly worse than optimal
    L, terms = res.objective_after
    assert sign_sum_sqrt([(L - P_STAR, 1)] + terms) == 1


def test_ls_e_zero_keeps_objective():
    net = relu_B((F(4, 3),) * 3)           # dependent: the residual of one neuron is 0
    res = prune_ls(net, XR, YR, 1, 2, rule="residual", keep_fits=True)
    (stp,) = res.path
    assert stp.kind == "ls" and stp.e_sqnorm == 0
    assert stp.fit_after == stp.fit_before and res.predictions_equal
    assert res.increase_sign == 0 and res.increase_str == "0." + "0" * 29
    res2 = prune_ls(net, XR, YR, 1, 2, rule="optimal_ls")
    assert [s.kind for s in res2.path] == ["exact"] and res2.increase_sign == 0


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("corrected", [True, False])
def test_ls_rules_exact(rule, corrected):
    if rule == "optimal_ls" and not corrected:
        with pytest.raises(ValueError):
            prune_ls(relu_B((1, 1, 1)), XR, YR, 1, 1, rule=rule, corrected=False)
        return
    rng = random.Random(3)
    X, y, net = random_instance(rng, 5, 2, 9)
    res = prune_ls(net, X, y, F(1, 2), 2, rule=rule, corrected=corrected, seed=4,
                   keep_fits=True)
    assert res.neurons_after <= 2
    L0, t0 = balanced(net, X, y, F(1, 2))
    L1, t1 = balanced(res.network, X, y, F(1, 2))
    assert compare_sum_sqrt([(L1, 1)] + t1, [(L0, 1)] + t0) == res.increase_sign
    assert res.network.outputs(X) == res.path[-1].fit_after
    for stp in res.path:
        if stp.kind == "zero":              # uncorrected: fit loses exactly q_j
            assert stp.chosen in stp.removed and len(stp.removed) == 1
        elif stp.kind == "ls":
            assert stp.fit_after == tuple(a - stp.t * e for a, e in zip(stp.fit_before, stp.e))
        else:
            assert stp.fit_after == stp.fit_before


def test_magnitude_rule_picks_smallest_neuron():
    X = [[F(1), F(0)], [F(0), F(1)], [F(1), F(1)], [F(2), F(-1)]]
    y = [F(1), F(0), F(2), F(1)]
    net = Network.from_values([[1, 0], [0, 3], [1, 1]], [2, 1, F(1, 10)])
    res = prune_ls(net, X, y, 1, 2, rule="magnitude", corrected=False)
    assert res.removed == (2,)
    res = prune_ls(net, X, y, 1, 2, rule="activation", corrected=False)
    assert res.removed == (2,)


@pytest.mark.parametrize("rule", RULES)
def test_float_heuristic_matches_exact(rule):
    rng = random.Random(8)
    X, y, net = random_instance(rng, 7, 3, 6)
    Xf = np.array([[float(a) for a in r] for r in X])
    W1 = np.array([[float(a) for a in r] for r in net.W1])
    w2 = np.array([float(a) for a in net.w2])
    for corrected in ((True,) if rule == "optimal_ls" else (True, False)):
        ex = prune_ls(net, X, y, 1, 1, rule=rule, corrected=corrected, seed=2)
        path = prune_ls_float(W1, w2, Xf, [float(a) for a in y], rule=rule,
                              corrected=corrected, seed=2, target_neurons=1)
        W1f, w2f = path[-1]
        assert len(w2f) == ex.network.width
        fe = np.array([float(a) for a in ex.network.outputs(X)])
        ff = (np.maximum(Xf @ W1f.T, 0) * w2f).sum(axis=1)
        assert np.allclose(fe, ff, rtol=1e-7, atol=1e-9)


# ------------------------------------------------------------------------- display

def test_decimal_string():
    assert decimal_string(5) == "5.00000000000000000000000000000"
    assert decimal_string(0, [(1, 2)]) == "1.41421356237309504880168872421"
    assert decimal_string(F(-1, 3)) == "-0.333333333333333333333333333333"
    assert decimal_string(1, [(-1, 2)]) == "-0.414213562373095048801688724210"
    assert decimal_string(2, [(-1, 4)]) == "0." + "0" * 29
    assert len(decimal_string(F(1, 7) * 10 ** 6).replace(".", "").lstrip("0")) == 30


# ------------------------------------------------------------------------------ CLI

def run(args, capsys):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def files(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("1,0,0,0,3\n-1,1,1,1,9/2\n")
    net = tmp_path / "n.json"
    net.write_text(json.dumps({"W1": [[str(F(4, 3) * a) for a in v] for v in (V10, V01, V11)],
                               "w2": [1, 1, 1]}))
    return tmp_path, data, net


def test_cli_prune_json(files, capsys):
    tmp, data, net = files
    out = tmp / "p.json"
    code, text, err = run(["prune", data, "--lam", "1", "--network", net, "-o", out,
                           "--json"], capsys)
    assert code == 0 and not err
    obj = json.loads(text)
    assert set(obj) == {"neurons_before", "neurons_after", "balanced_objective_before",
                        "balanced_objective_after", "objective_not_larger",
                        "predictions_equal",
                        # additions (docs/spec/cli.md): the NC objective of the written,
                        # rebalanced network
                        "objective_before", "objective_after", "nc_objective_not_larger",
                        "balanced"}
    assert obj["nc_objective_not_larger"] is True
    assert obj["neurons_before"] == 3 and obj["neurons_after"] == 2
    assert obj["balanced_objective_before"] == obj["balanced_objective_after"] == \
        "4.62500000000000000000000000000"
    assert obj["objective_not_larger"] is True and obj["predictions_equal"] is True
    pruned = read_network(out)
    assert pruned.outputs(XR) == relu_B((F(4, 3),) * 3).outputs(XR)
    code, text, _ = run(["prune", data, "--lam", "1", "--network", net, "-o", out], capsys)
    assert code == 0 and "exactly equal" in text


def test_cli_prune_target_neurons(files, capsys):
    tmp, data, net = files
    out = tmp / "p.json"
    code, text, _ = run(["prune", data, "--lam", "1", "--network", net, "-o", out, "--json",
                         "--target-neurons", "1", "--rule", "magnitude"], capsys)
    obj = json.loads(text)
    assert code == 0 and obj["neurons_after"] == 1 and obj["objective_increase_sign"] == 1
    assert obj["objective_not_larger"] is False
    assert F(obj["objective_increase"]) > 0
    assert read_network(out).width == 1


@pytest.mark.parametrize("extra,content", [
    (["--lam", "0"], None), (["--lam", "x"], None),
    (["--lam", "1"], "1,0,0,0,3\n-1,1,1\n"),                 # ragged data
    (["--lam", "1", "--bias"], None),                        # 5 columns vs 4 inputs
    (["--lam", "1", "--rule", "magnitude"], None),           # --rule without target
    (["--lam", "1", "--target-neurons", "-1"], None),
    (["--lam", "1", "--target-neurons", "1", "--no-correction"], None),  # optimal_ls
])
def test_cli_prune_bad_input(files, capsys, extra, content):
    tmp, data, net = files
    if content is not None:
        data.write_text(content)
    out = tmp / "p.json"
    code, text, err = run(["prune", data, "--network", net, "-o", out] + extra, capsys)
    assert code == 2 and "error" in err and not out.exists()


def test_cli_prune_bad_network_and_output(files, capsys):
    tmp, data, net = files
    bad = tmp / "bad.json"
    bad.write_text('{"W1": [[1, 2]], "w2": [1, 2]}')
    out = tmp / "p.json"
    code, _, err = run(["prune", data, "--lam", "1", "--network", bad, "-o", out], capsys)
    assert code == 2 and not out.exists()
    code, _, err = run(["prune", data, "--lam", "1", "--network", net, "-o",
                        tmp / "nope" / "p.json"], capsys)
    assert code == 2 and "does not exist" in err
    code, _, err = run(["prune", data, "--lam", "1", "--network", net], capsys)
    assert code == 2 and "-o" in err
    assert sorted(p.name for p in tmp.iterdir()) == ["bad.json", "d.csv", "n.json"]


# ----------------------------------------------------------- the written network (issue 15)

def test_prune_hands_out_a_rebalanced_network_whose_nc_objective_is_not_larger():
    """Algorithm 1 keeps the BALANCED objective; the network written must keep the NC
    objective too: rebalanced, exact NC objective not larger than the input's."""
    import exactrelu as er

    rng = np.random.default_rng(3)
    X = rng.normal(size=(8, 2))
    y = np.abs(X[:, 0]) - X[:, 1]
    c = er.certify(X, y, "1/10", bias=True)
    # an optimal network, its neurons split into unbalanced copies (same function)
    net = c.network
    W1 = [tuple(F(3) * a for a in w) for w in net.W1] + [tuple(F(1, 2) * a for a in w)
                                                       for w in net.W1]
    w2 = [a / 6 for a in net.w2] + [a for a in net.w2]             # 1/2 + ... splits
    big = Network(tuple(W1), tuple(w2), True, net.dim)
    data = er.api.as_dataset(X, y, bias=True)
    res = prune_network(big, data, lam=F(1, 10))
    assert res.balanced_network.outputs(data.X) == big.outputs(data.X)
    before, after = big.nc_objective(data, F(1, 10)), \
        res.balanced_network.nc_objective(data, F(1, 10))
    assert (res.nc_objective_before, res.nc_objective_after) == (before, after)
    assert after < before and res.nc_objective_not_larger
    # without rebalancing the pruned network's NC objective is larger than after
    assert res.network.nc_objective(data, F(1, 10)) > after
    assert res.neurons_after <= net.width
    # negative control: the comparison can fail
    assert not (before <= big.nc_objective(data, F(1, 10)) - F(1, 10 ** 30))


def test_prune_cli_writes_the_balanced_network(tmp_path, capsys):
    import json

    from exactrelu.cli import main
    from exactrelu.io.networks import read_network

    data = tmp_path / "d.csv"
    data.write_text("-2,1\n-1,1/4\n0,0\n1,1/2\n2,2\n")
    net = tmp_path / "n.json"
    net.write_text('{"W1": [["4", "0"], ["2", "0"], ["-1", "1"]], "w2": ["1/4", "1/2", "1"]}')
    out = tmp_path / "o.json"
    assert main(["prune", str(data), "--bias", "--lam", "1/10", "--network", str(net),
                 "-o", str(out), "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["nc_objective_not_larger"] is True
    assert rep["neurons_after"] == 2
    w = read_network(str(out))
    # the neuron (-1, 1) has the irrational balancing scale 2^(-1/4): balanced to 2^-60,
    # not exactly ("balanced" says exactly)
    assert rep["balanced"] is False and not w.is_balanced()
    for v, a in zip(w.W1, w.w2):
        assert abs(sum(x * x for x in v) / (a * a) - 1) < F(1, 2 ** 60)
    assert float(rep["objective_after"]) < float(rep["objective_before"])
