"""The public API (exactrelu/__init__.py): one exactness rule, typed immutable results,
results that carry what the next step needs, and the estimator in scikit-learn tools."""
import dataclasses
import json
import pickle
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

import exactrelu as er
from exactrelu.errors import DomainError, ExactReluError, NotExactError, ShapeError

X5 = np.array([[-2.0], [-1.0], [0.0], [1.0], [2.0]])
Y5 = np.array([1.0, 0.25, 0.0, 0.5, 2.0])


def test_readme_python_example_runs_as_written():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(10, 2))
    y = np.sin(X[:, 0])
    c = er.certify(X, y, lam="1/10", bias=True)
    assert er.check(c)
    s = c.optimal_set()
    p = er.prune(c.network, X, y, "1/10", bias=True)
    pred = er.ExactReLURegressor(lam="1/10", bias=True).fit(X, y).predict(X)
    assert pred.shape == (10,)
    assert p.predictions_equal and p.objective_not_larger
    assert s.support and c.lower <= c.upper and c.complete


# ------------------------------------------------------------------ one exactness rule

@pytest.mark.parametrize("value, expected", [
    ("1/10", Fraction(1, 10)), ("0.1", Fraction(1, 10)), ("1e-3", Fraction(1, 1000)),
    (Decimal("0.1"), Fraction(1, 10)), (Fraction(3, 8), Fraction(3, 8)), (7, Fraction(7)),
    (np.int64(5), Fraction(5)), (0.1, Fraction(3602879701896397, 36028797018963968)),
    (np.float32(0.1), Fraction(13421773, 134217728)), (0.5, Fraction(1, 2)),
])
def test_exact_number(value, expected):
    assert er.exact_number(value) == expected


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "nan", "abc", None, {}, True,
                                 Decimal("NaN")])
def test_exact_number_rejects(bad):
    with pytest.raises(ExactReluError):
        er.exact_number(bad)


def test_same_rule_in_every_function():
    """A float lam means its exact IEEE value in certify, prune and path alike."""
    ieee = Fraction(0.1)
    c = er.certify(X5, Y5, 0.1, bias=True)
    assert c.lam == ieee and c.document()["problem"]["lam"] == str(ieee)
    p = er.prune(c.network, X5, Y5, 0.1, bias=True)        # used to raise NotExactError
    assert p.objective_before is not None
    (pt,) = er.path(X5, Y5, [0.1], bias=True)
    assert pt.lam == ieee
    # and a decimal string means the decimal
    assert er.certify(X5, Y5, "0.1", bias=True).lam == Fraction(1, 10)


def test_inputs_in_every_form_give_the_same_certificate():
    forms = [X5, X5.tolist(), [[Fraction(int(v))] for v in X5[:, 0]],
             [[str(int(v))] for v in X5[:, 0]]]
    ys = [Y5, Y5.tolist(), ["1", "1/4", "0", "0.5", "2"], [Decimal(str(v)) for v in Y5]]
    texts = {er.certify(x, y, "1/10", bias=True).document()["claim"]["lower"]
             for x, y in zip(forms, ys)}
    assert len(texts) == 1


@pytest.mark.parametrize("X, y, err", [
    ([1, 2, 3], [1, 2, 3], ShapeError),              # 1-D X
    ([[1], [2]], [1], ShapeError),                   # lengths differ
    ([[1], [2]], [1, float("nan")], DomainError),
    ([[1], ["x"]], [1, 2], ValueError),
])
def test_bad_data(X, y, err):
    with pytest.raises(err):
        er.certify(X, y, "1/10")


@pytest.mark.parametrize("lam", [0, -1, "0", "-1/2"])
def test_bad_lam(lam):
    with pytest.raises(DomainError):
        er.certify(X5, Y5, lam)


# ------------------------------------------------------------------ typed results

def test_results_are_immutable():
    c = er.certify(X5, Y5, "1/10", bias=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.lower = Fraction(0)
    with pytest.raises(TypeError):
        c.timings["x"] = 1.0
    v = er.check(c)
    with pytest.raises(dataclasses.FrozenInstanceError):
        v.verdict = "REJECTED"
    s = c.optimal_set()
    with pytest.raises(TypeError):
        s.vertices[0][0] = Fraction(5)


def test_save_load_round_trip_is_byte_exact(tmp_path):
    c = er.certify(X5, Y5, "1/10", bias=True)
    p1, p2 = tmp_path / "a.json", tmp_path / "b.json"
    c.save(p1)
    c2 = er.Certificate.load(p1)
    c2.save(p2)
    assert p1.read_bytes() == p2.read_bytes() == c.text.encode()
    assert (c2.lower, c2.upper, c2.complete, c2.patterns, c2.lam, c2.bias) == \
        (c.lower, c.upper, c.complete, c.patterns, c.lam, c.bias)
    assert c2.network == c.network and c2.network.bias_column
    assert er.check(p1).verified and er.check(c2).verified


def test_load_of_a_cli_certificate(tmp_path):
    from exactrelu.cli import main

    data = tmp_path / "d.csv"
    data.write_text("-2,1\n-1,1/4\n0,0\n1,1/2\n2,2\n")
    out = tmp_path / "c.json"
    assert main(["certify", str(data), "--bias", "--lam", "1/10", "-o", str(out)]) == 0
    c = er.Certificate.load(out)
    c.save(tmp_path / "copy.json")
    assert (tmp_path / "copy.json").read_bytes() == out.read_bytes()
    assert c.lower <= c.upper and er.check(c)


def test_load_malformed_names_the_field(tmp_path):
    p = tmp_path / "bad.json"
    doc = er.certify(X5, Y5, "1/10", bias=True).document()
    doc["problem"]["lam"] = "zero"
    p.write_text(json.dumps(doc))
    with pytest.raises(er.InputError, match="problem.lam"):
        er.Certificate.load(p)


def test_check_forms_and_negative_control(tmp_path):
    c = er.certify(X5, Y5, "1/10", bias=True)
    doc = c.document()
    assert er.check(doc).verified and er.check(c.text.encode()).verified
    doc["claim"]["lower"] = str(Fraction(doc["claim"]["upper"]) + 1)   # a false claim
    v = er.check(doc)
    assert not v and v.verdict == "REJECTED" and v.code == 1 and v.failed_check == 5
    assert er.check(tmp_path / "missing.json").verdict == "MALFORMED"
    with pytest.raises(TypeError):
        er.check(42)


def test_optimal_set_reuses_the_exact_optimum(monkeypatch):
    import exactrelu.rational_optimum as exact_mod

    c = er.certify([[0], [1], [2]], [0, 1, 2], "1/2")
    assert c.exact

    def boom(*a, **k):
        raise AssertionError("the exact optimum was recomputed")

    monkeypatch.setattr(exact_mod, "exact_optimum_at", boom)
    s = c.optimal_set()
    assert s.exact and s.unique and s.value == Fraction(19, 40) and s.min_neurons == 1
    # a loaded certificate has no solver state: it re-proves the optimum
    loaded = pickle.loads(pickle.dumps(c))
    with pytest.raises(AssertionError, match="recomputed"):
        loaded.optimal_set()


def test_optimal_set_same_as_cli(tmp_path, capsys):
    from exactrelu.cli import main

    c = er.certify([[0], [1], [2], [3]], [0, 1, 1, 3], "1/4")
    p = tmp_path / "c.json"
    c.save(p)
    assert main(["optimal-set", str(p), "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    s = c.optimal_set()
    assert rep["exact"] == s.exact and rep["unique"] == s.unique
    assert rep["support"] == [list(b) for b in s.support]
    assert [{int(k): Fraction(v) for k, v in x["alpha"].items()} for x in rep["vertices"]] \
        == [dict(v) for v in s.vertices]


def test_no_progress_bar_by_default(capsys):
    er.certify(X5, Y5, "1/10", bias=True)
    er.path(X5, Y5, ["1/10", 1], bias=True)
    assert capsys.readouterr().err == ""


def test_library_leaves_the_matplotlib_backend_alone():
    import matplotlib

    before = matplotlib.get_backend()
    er.certify(X5, Y5, "1/10", bias=True).optimal_set()
    assert matplotlib.get_backend() == before


# ------------------------------------------------------------------ Network

def test_network_numpy_round_trip_and_predict():
    W1 = np.array([[1.5, -0.25], [0.1, 2.0]])
    w2 = np.array([1.0, -3.0])
    net = er.Network.from_numpy(W1, w2)
    assert net.W1[1][0] == Fraction(0.1)                   # exact IEEE value
    A, b = net.to_numpy()
    assert np.array_equal(A, W1) and np.array_equal(b, w2)
    X = np.array([[1.0, 2.0], [-1.0, 0.5], [3.0, -4.0]])
    expected = np.maximum(X @ W1.T, 0) @ w2
    assert np.allclose(net.predict(X), expected, rtol=0, atol=1e-12)
    assert [Fraction(v) for v in net.predict(X)] == [Fraction(float(v)) for v in net.outputs(X.tolist())]


def test_network_first_layer_bias_and_torch_state_dict():
    sd = {"0.weight": np.array([[1.0, -1.0]], dtype=np.float32),
          "0.bias": np.array([0.5], dtype=np.float32),
          "2.weight": np.array([[2.0]], dtype=np.float32)}
    net = er.Network.from_torch(sd)
    assert net.bias_column and net.W1 == ((Fraction(1), Fraction(-1), Fraction(1, 2)),)
    assert net.predict([[1.0, 0.0]])[0] == 3.0                # (1 + 0.5) * 2
    same = er.Network.from_numpy([[1, -1]], [2], b1=[0.5])
    assert same == net


def test_certify_a_given_network():
    net = er.Network.from_numpy([[1.0, 0.0]], [1.0])           # with the bias column
    c = er.certify(X5, Y5, "1/10", bias=True, network=net)
    assert c.network == er.Network(net.W1, net.w2, True, 2)
    assert c.upper > c.lower and c.hint is not None and er.check(c)


# ------------------------------------------------------------------ other functions

def test_patterns_and_lam_max_exact_values():
    ps = er.patterns([[1, 0], [0, 1], [1, 1]])
    assert sorted(ps.bits) == ["000", "010", "011", "100", "101", "111"]
    lm = er.lam_max([[1], [2]], [1, 1])
    # r = y: the correlation of the all-active pattern is x . y = 3, its cone is u >= 0
    assert lm.squared == 9 and lm.value == 3 and float(lm) == 3.0
    assert lm.zero_is_optimal(3) and not lm.zero_is_optimal("2.999")
    c = er.certify([[1], [2]], [1, 1], 3)
    assert c.exact and c.lower == 1                         # zero network: 1/2 ||y||^2


def test_path_width():
    pts = er.path([[0], [1], [2]], [0, 1, 2], ["1/2"], width=1)
    assert pts[0].lower == Fraction(19, 40)


# ------------------------------------------------------------------ the estimator

def test_estimator_in_pipeline_and_grid_search():
    sklearn = pytest.importorskip("sklearn")
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(1)
    X = rng.normal(size=(16, 1))
    y = np.abs(X[:, 0]) + 0.01 * rng.normal(size=16)
    pipe = make_pipeline(StandardScaler(), er.ExactReLURegressor())
    gs = GridSearchCV(pipe, {"exactreluregressor__lam": ["1/100", "1/10", "1"]}, cv=2)
    gs.fit(X, y)
    assert gs.best_params_["exactreluregressor__lam"] in ("1/100", "1/10", "1")
    assert gs.score(X, y) > 0.5
    est = gs.best_estimator_[-1]
    assert est.lower_bound_ <= est.upper_bound_ and est.complete_
    assert er.check(est.certificate_)
    assert sklearn.base.clone(est).get_params()["lam"] == est.lam


def test_estimator_fitted_attributes_are_exact():
    m = er.ExactReLURegressor(lam="1/100").fit(X5, np.abs(X5[:, 0]))
    assert isinstance(m.lower_bound_, Fraction) and m.lower_bound_ <= m.upper_bound_
    assert m.n_neurons_ == 2 and m.network_.bias_column
    assert np.allclose(m.predict(X5), m.network_.predict(X5))


def test_estimator_refuses_nan():
    with pytest.raises(ValueError):
        er.ExactReLURegressor().fit([[1.0], [np.nan]], [1.0, 2.0])


# ------------------------------------------------------------------ the README's Hypothesis example

from hypothesis import given, settings  # noqa: E402

from exactrelu.testing import strategies as st  # noqa: E402


@settings(max_examples=10, deadline=None)
@given(st.datasets(n=(2, 6), d=(1, 2)), st.lams())
def test_readme_hypothesis_example(data, lam):
    c = er.certify(data.X, data.y, lam)
    assert er.check(c) and c.lower <= c.upper


# ------------------------------------------------------------------ size guard (issue 15)

def test_region_budget_refuses_before_any_work(tmp_path, capsys):
    import time

    from exactrelu.arrangement import region_bound
    from exactrelu.cli import main
    from exactrelu.errors import TooManyRegions

    rng = np.random.default_rng(0)
    X = rng.integers(-50, 50, size=(442, 10))          # diabetes-sized
    bound, m, d = region_bound(X.tolist())
    assert (m, d) == (442, 10) and bound > 10 ** 17
    t = time.perf_counter()
    with pytest.raises(TooManyRegions, match="--sample"):
        er.certify(X, X[:, 0], "1/10", bias=True)
    with pytest.raises(TooManyRegions):
        er.patterns(X)
    with pytest.raises(TooManyRegions):
        er.path(X, X[:, 0], ["1/10"])
    assert time.perf_counter() - t < 5
    # a budget below the count refuses, one above it enumerates: 3 lines in the plane
    small = [[1, 0], [0, 1], [1, 1]]
    assert region_bound(small)[0] == 6
    with pytest.raises(TooManyRegions):
        er.patterns(small, max_regions=5)
    assert len(er.patterns(small, max_regions=6)) == 6
    # the command line: exit 2, one line naming the estimate, nothing written
    data = tmp_path / "d.csv"
    data.write_text("\n".join(",".join(map(str, r)) + ",1" for r in X.tolist()) + "\n")
    out = tmp_path / "c.json"
    assert main(["certify", str(data), "--lam", "1", "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "regions" in err[0] and not out.exists()
    assert main(["patterns", str(data), "--max-regions", "-1"]) == 2
