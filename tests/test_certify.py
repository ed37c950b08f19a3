"""Certificates: exact bounds from float solves, exact optima, certified networks.

Every certificate produced here is re-verified by the standalone checker
(proofs_checks/check_cert.py, standard library only)."""
import random
import sys
from fractions import Fraction as F
from pathlib import Path

import pytest

from exactrelu.certificate.emit import dumps
from exactrelu.certificate.produce import certify
from exactrelu.networks import Network
from exactrelu.problem import Dataset

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "proofs_checks"))
import check_cert  # noqa: E402


def verified(cert: dict):
    import json

    res = check_cert.check(json.loads(dumps(cert)))
    assert res.verdict == "VERIFIED", res.message
    return res


def random_data(n, d, seed, bias=False):
    rng = random.Random(seed)
    X = [[F(rng.randint(-20, 20), rng.randint(1, 7)) for _ in range(d)] for _ in range(n)]
    y = [F(rng.randint(-30, 30), rng.randint(1, 5)) for _ in range(n)]
    return Dataset.from_arrays(X, y, bias=bias)


@pytest.mark.parametrize("n,d,bias,seed,lam", [
    (12, 2, True, 1, F(1, 2)), (15, 3, False, 2, F(1, 3)), (20, 2, True, 3, F(2)),
    (10, 4, False, 4, F(1, 10)),
])
def test_random_instances_tight_bounds(n, d, bias, seed, lam):
    data = random_data(n, d, seed, bias)
    res = certify(data, lam, progress=False)
    verified(res.certificate)
    assert res.complete and res.lower <= res.upper
    assert (res.upper - res.lower) <= F(1, 10 ** 9) * max(1, abs(res.upper))
    # the certificate's network really has objective <= upper
    assert res.network.nc_objective(data, lam) <= res.upper


def test_one_dimensional_is_exact():
    """1-D data without bias always has a rational optimum (docs/theory.md §5.1 Example A)."""
    from exactrelu.planted import one_dimensional_instance

    rng = random.Random(5)
    for _ in range(4):
        x = [F(rng.randint(-9, 9) or 1, rng.randint(1, 4)) for _ in range(7)]
        y = [F(rng.randint(-9, 9), rng.randint(1, 4)) for _ in range(7)]
        lam = F(rng.randint(1, 5), rng.randint(1, 3))
        ref = one_dimensional_instance(x, y, lam)
        data = Dataset.from_arrays([[a] for a in x], y)
        res = certify(data, lam, progress=False)
        verified(res.certificate)
        assert res.exact and res.lower == res.upper == ref.value


def test_example_c_exact():
    data = Dataset.from_arrays([[1], [-4]], [3, F(3, 2)])
    res = certify(data, F(2), progress=False)
    assert res.exact and res.lower == F(37, 8)
    verified(res.certificate)


def _planted(configs):
    from exactrelu.errors import ExactReluError
    from exactrelu.planted import planted_instance

    out = []
    for (n, d, k, bias, seeds) in configs:
        for seed in seeds:
            try:
                out.append(planted_instance(n, d, k, seed=seed, bias=bias))
            except ExactReluError:
                continue
    return out


def test_planted_exact_value():
    insts = _planted([(10, 3, 2, False, range(3)), (12, 2, 2, True, range(3)),
                      (8, 1, 2, False, range(2))])
    assert len(insts) >= 4
    for p in insts:
        res = certify(p.data, p.lam, progress=False)
        verified(res.certificate)
        assert res.exact, (p.data.n, p.data.d, p.seed)
        assert res.lower == res.upper == p.value


def test_certify_given_network_optimal_and_not():
    data = Dataset.from_arrays([[1], [-4]], [3, F(3, 2)])
    lam = F(2)
    # optimal 2-neuron network (closed form): (1, 1) and (-1/2, 1/2)
    best = Network.from_values([[1], [F(-1, 2)]], [1, F(1, 2)])
    res = certify(data, lam, network=best, progress=False)
    verified(res.certificate)
    assert res.upper == res.lower == F(37, 8) and res.hint is None
    # a width-1 network: optimal among 1-neuron networks, not globally
    one = Network.from_values([[1]], [1])
    res = certify(data, lam, network=one, progress=False)
    verified(res.certificate)
    assert res.upper == F(41, 8) and res.lower == F(37, 8)
    h = res.hint
    assert h is not None and F(h["decrease"]) > 0 and h["sign"] == 1
    assert h["pattern"] == "01"              # the neuron that fits the second point
    assert h["causes"] == ["dual violation"]
    # the optimal network with one neuron unbalanced (2 W1_0, w2_0 / 2): same function,
    # so no dual violation; the diagnosis names imbalance, with the exact decrease
    # lam/2 * ((4 + 1/4) - (1 + 1)) = 9/4
    skew = best.rescale_neuron(0, 2)
    res = certify(data, lam, network=skew, progress=False)
    verified(res.certificate)
    h = res.hint
    assert h["causes"] == ["imbalance"] and "pattern" not in h
    assert F(h["imbalance"]["decrease"]) == F(9, 4)
    assert F(h["imbalance"]["decrease_lower_bound"]) <= F(9, 4)
    assert res.upper - res.lower == F(9, 4)


def test_certify_float_network_exact_ieee():
    """Floats are taken at their exact IEEE value."""
    data = Dataset.from_arrays([[1], [-4]], [3, F(3, 2)])
    net = Network.from_values([[0.1]], [0.3], allow_float=True)
    res = certify(data, F(2), network=net, progress=False)
    verified(res.certificate)
    nc = net.nc_objective(data, F(2))
    assert nc <= res.upper <= nc + F(1, 2 ** 150)          # claim rounded up to a short dyadic
    assert net.W1[0][0] == F(3602879701896397, 36028797018963968)   # the IEEE value of 0.1


def test_sampled_patterns_not_complete():
    data = random_data(15, 3, 9)
    res = certify(data, F(1, 2), sample=30, seed=2, progress=False)
    verified(res.certificate)
    assert not res.complete and res.certificate["patterns"]["complete"] is False


def test_regression_sampled_block_on_cone_boundary():
    """A float block on its cone's boundary, rounded outside it, is projected back."""
    data = Dataset.from_arrays([[0], [1], [-2], [-2]], [-6, F(8, 3), -8, F(-7, 3)], bias=True)
    res = certify(data, F(1, 10), sample=1, progress=False)
    verified(res.certificate)


def test_regression_small_lambda_solver_inaccuracy_is_reported():
    """lam = 1/1000: Clarabel fails at the tightest tolerance; the previous solution
    is kept, the failure is reported, and the certificate still verifies."""
    X = [[F(-1, 2), F(9, 2)], [F(3, 2), -1], [F(1, 3), F(7, 4)], [F(-9, 2), F(-9, 5)],
         [F(9, 4), -3], [-4, 6], [F(9, 2), 7], [0, 4], [F(1, 5), -2], [F(3, 4), -8], [0, 0],
         [-9, -8]]
    y = [F(-3, 2), -1, -3, -9, F(-5, 2), 0, 8, 4, -2, F(5, 3), F(-8, 3), F(-9, 2)]
    res = certify(Dataset.from_arrays(X, y), F(1, 1000), progress=False)
    verified(res.certificate)
    assert res.upper - res.lower <= F(1, 10 ** 6) * res.upper


def test_planted_non_unique_exact_value():
    """Non-unique optimal sets (tied blocks): the exact optimal value is still found."""
    from exactrelu.errors import ExactReluError
    from exactrelu.planted import planted_instance

    found = 0
    for (n, d, k) in [(10, 2, 2), (12, 3, 3), (9, 3, 2)]:
        for seed in range(2):
            try:
                p = planted_instance(n, d, k, seed=seed, unique=False)
            except ExactReluError:
                continue
            res = certify(p.data, p.lam, progress=False)
            verified(res.certificate)
            assert res.exact and res.lower == res.upper == p.value, (n, d, k, seed)
            found += 1
    assert found >= 4


@pytest.mark.parametrize("n,d,k,bias,seed", [
    (8, 2, 2, False, 1), (8, 2, 2, False, 2), (10, 3, 2, True, 0), (10, 3, 2, True, 1),
    (10, 3, 2, True, 2), (12, 3, 3, True, 0), (12, 3, 3, True, 2), (9, 3, 2, True, 1),
    (14, 3, 3, True, 1), (14, 3, 3, True, 2)])
def test_regression_tied_blocks_exact(n, d, k, bias, seed):
    """Tied blocks have equal fits, but their float fits differ by ~1e-5: the support
    guess used to keep both (independence at 1e-6), the KKT Jacobian was singular and
    these ten planted optima were only bracketed.  Now proved exactly."""
    from exactrelu.planted import planted_instance

    p = planted_instance(n, d, k, seed=seed, unique=False, bias=bias)
    res = certify(p.data, p.lam, progress=False)
    verified(res.certificate)
    assert res.exact and res.lower == res.upper == p.value


def test_regression_clarabel_numerical_error_falls_back_to_scaled_problem():
    """n close to d, ||y|| ~ 300: Clarabel fails numerically on the raw problem; the
    solver retries on the problem scaled by 1/||y|| (reported in the notes)."""
    from exactrelu.planted import planted_instance

    p = planted_instance(8, 3, 2, seed=0, unique=False, bias=True)
    res = certify(p.data, p.lam, progress=False)
    verified(res.certificate)
    assert res.lower <= p.value <= res.upper


def test_certify_json_carries_the_diagnosis(tmp_path, capsys):
    import json

    from exactrelu.cli import main

    (tmp_path / "d.csv").write_text("1,3\n-4,3/2\n")
    (tmp_path / "n.json").write_text('{"W1": [["2"], ["-1/2"]], "w2": ["1/2", "1/2"]}')
    code = main(["certify", str(tmp_path / "d.csv"), "--lam", "2", "--network",
                 str(tmp_path / "n.json"), "-o", str(tmp_path / "c.json"), "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    d = out["diagnosis"]
    assert d["causes"] == ["imbalance"] and F(d["imbalance"]["decrease"]) == F(9, 4)
    assert len(d["imbalance"]["decrease"]) < 40          # a decimal, not a huge fraction


def test_irrational_optimum_refined_far_beyond_float_precision():
    """The demo data (bias, lam = 1/10) has an irrational optimum: the KKT solution
    refined by Newton gives bounds ~1e-33 apart (the float solve alone: 3.4e-12), still
    proved exactly -- both checkers verify, and the optimum is not claimed exact."""
    from exactrelu.io.data import read_csv
    from exactrelu.certificate.check import check_obj as library_check

    demo = Path(__file__).resolve().parents[1] / "exactrelu" / "data" / "demo.csv"
    data = read_csv(demo, bias=True)
    res = certify(data, F(1, 10), progress=False)
    verified(res.certificate)
    assert library_check(res.certificate).verdict == "VERIFIED"
    assert not res.exact and res.lower < res.upper
    assert res.upper - res.lower < F(1, 10 ** 25)
    # negative control: without the refinement (no exact search) the gap is float-sized
    plain = certify(data, F(1, 10), exact=False, progress=False)
    assert plain.upper - plain.lower > F(1, 10 ** 15)
    assert plain.lower <= res.upper and res.lower <= plain.upper
