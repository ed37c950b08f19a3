"""Check 3's network objective costs what its fits cost (issue 14: random targets with
n = 120 and 599 neurons, each with its own denominator, were refused by certify because
the checkers' estimate for the network objective exceeded their budget).

Both checkers sum ``sign(w2_j) (x_k . v_j)_+`` with ``v_j = |w2_j| W1_j`` -- the same number
as ``w2_j (x_k . W1_j)_+`` -- and charge the fits at the size of the ``v_j``, the penalties
at theirs.  A network split into many neurons whose ``W1_j`` and ``w2_j`` carry large
distinct denominators but whose products ``v_j`` share the original ones is now VERIFIED
quickly; the former charge (the fits at the common denominator of every ``W1`` and ``w2``
value) would have been over the budget.
"""
import copy
import sys
from fractions import Fraction as F
from pathlib import Path

from exactrelu.certificate.check import budget
from exactrelu.certificate.produce import certify
from exactrelu.problem import Dataset

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_check_differential import VER, _record, both  # noqa: E402


def _split(cert: dict, copies: int = 16, bits: int = 1000) -> dict:
    """Each neuron (W1, w2) -> ``copies`` neurons (W1 t_i / 4, w2 / (4 t_i)), with
    ``copies = 16``: the same outputs; t_i = 1 + 1/q_i (distinct q_i of ``bits`` bits) makes
    the penalty slightly larger, so ``claim.upper`` is raised by 1 (a weaker, true claim)."""
    out = copy.deepcopy(cert)
    W1 = [[F(v) for v in w] for w in cert["network"]["W1"]]
    w2 = [F(v) for v in cert["network"]["w2"]]
    nW, nw = [], []
    q = (1 << bits) + 1
    for w, a in zip(W1, w2):
        for _ in range(copies):
            t = 1 + F(1, q)
            q += 2
            nW.append([str(v * t / 4) for v in w])
            nw.append(str(a / (4 * t)))
    out["network"] = {"W1": nW, "w2": nw}
    out["claim"]["upper"] = str(F(cert["claim"]["upper"]) + 1)
    out.pop("blocks", None)
    out.pop("optimal_set", None)
    out.pop("optimal_set_enclosure", None)
    return out


def _old_estimate_ns(cert: dict) -> float:
    """The former charge of the fits: m n / 2 Fraction additions at the common size of X,
    y and every W1 / w2 value."""
    X = [F(v) for row in cert["problem"]["X"] for v in row]
    vals = [F(v) for w in cert["network"]["W1"] for v in w] + \
        [F(v) for v in cert["network"]["w2"]]
    size = budget._size(X) + budget._size([F(v) for v in cert["problem"]["y"]]) + \
        budget._size(vals)
    m, n = len(cert["network"]["w2"]), len(cert["problem"]["y"])
    return (m * n // 2 + 1) * (4000 + 10 * (size / 64) ** 2)


def test_many_neurons_with_distinct_denominators(monkeypatch):
    """n = 80 rows: the fits are charged m n / 2 additions, the penalties only m, so the
    former charge is about n / 8 times the new one (the real case had n = 120)."""
    xs = [F(k, 8) for k in range(-40, 40)]
    data = Dataset.from_arrays([[x, F(1)] for x in xs], [abs(x - F(1, 2)) - x * x / 4 for x in xs])
    res = certify(data, F(1, 2), progress=False, route="regions")
    m0 = len(res.certificate["network"]["w2"])
    assert m0 >= 2
    bits = 200
    while _old_estimate_ns(big := _split(res.certificate, bits=bits)) < 1.5 * budget.WORK_LIMIT_NS:
        bits += 200
    assert len(big["network"]["w2"]) == 16 * m0
    logs = _record(monkeypatch)
    assert both(big) == VER                       # same verdict and charges in both checkers
    assert logs["cc"] == logs["lib"] and max(logs["cc"]) < budget.WORK_LIMIT_NS / 2
    monkeypatch.undo()
    # negative control: the split network really is checked -- one copy's output weight
    # times -100 raises NC(W) by far more than 1: with the raised claim it is REJECTED
    bad = copy.deepcopy(big)
    bad["network"]["w2"][0] = str(-F(bad["network"]["w2"][0]) * 100)
    assert both(bad) == ("REJECTED", 5)         # check 5: claim.upper >= U fails


def test_fit_is_the_same_number():
    """sign(a) (x . |a| w)_+ == a (x . w)_+ for every sign of a (the identity check 3 uses)."""
    for a in (F(-3, 7), F(5, 2)):
        for z in (F(-2), F(0), F(9, 4)):
            w_dot = z
            assert (1 if a > 0 else -1) * max(abs(a) * w_dot, 0) == a * max(w_dot, 0)
