"""Issue 13, two cover-route failures where the regions route certifies.

1. A refuted cover search is the exhaustive pricer of the cover route's column
generation; it must hand back every violating region it meets (``collect``), of both
signs, not only the first one (random targets, 2 features + bias, n = 120, lam = 1/2:
with one witness per re-solve the route was refuted after its 8 rounds, its solve still
4.5e-4 above the optimum; with all of them it certifies in 4 rounds).
2. Leaves on lower-dimensional cones (rays where many hyperplanes meet) need exact
multipliers: no rounding of the float ones (~1e15) passes the exact check."""
from __future__ import annotations

from fractions import Fraction as F

import pytest

from exactrelu.certificate.cover_producer import cover_proof, cover_route
from exactrelu.certificate.produce import certify
from test_cover import _exact_witness_violates, random_data

# sign-split trees (1.1 / 1.6): auto would pick a simplex cover (1.7) at d <= 3
pytestmark = pytest.mark.usefixtures("splits_covers")

LAM, GAP = F(1, 2), F(1, 10 ** 4)


@pytest.fixture(scope="module")
def small():
    """The bench generator's random targets at n = 24 (seed 8): one witness per re-solve
    needs 3 rounds, every witness of the first search 2."""
    data = random_data(24, 2, 8, True)
    return data, certify(data, LAM, progress=False, route="regions", exact=False)


def test_route_needs_every_witness(small):
    data, reg = small
    one = cover_route(data, LAM, gap=GAP, max_rounds=2, collect=1)
    # negative control: the old behaviour (one witness per round) is refuted in 2 rounds
    assert one.bound.lower is None and one.bound.result.status == "refuted"
    assert [log["witnesses"] for log in one.log] == [1, 1]
    cr = cover_route(data, LAM, gap=GAP, max_rounds=2, compact=False)
    assert cr.bound.lower is not None and cr.rounds == 2
    assert cr.log[0]["status"] == "refuted" and cr.log[0]["witnesses"] > 1
    # the cover's bound is within the gap of the regions route's bounds
    assert cr.bound.lower <= reg.upper
    assert 0 < reg.lower - cr.bound.lower <= GAP * max(1, abs(reg.lower))


@pytest.mark.parametrize("jobs", [1, 2])
def test_collected_witnesses_violate_exactly(small, jobs):
    """At 1.01 r*, every collected witness violates (F) exactly; with ``jobs = 1`` both
    signs are searched (the second one in floats only); ``collect = 1`` stops at one."""
    data, reg = small
    up = [F(v) * F(101, 100) for v in reg.certificate["dual"]["r"]]
    out = cover_proof(data.X, up, LAM, collect=16, jobs=jobs, budget=20000)
    assert out.status in ("refuted", "stuck") and out.cover is None
    assert len(out.witnesses) > 1
    assert out.witnesses[0][:2] == (out.witness_sign, out.witness)
    for s, u, _ in out.witnesses:
        assert _exact_witness_violates(data.X, up, LAM, u, s)
    if jobs == 1:
        assert {s for s, _, _ in out.witnesses} == {1, -1}
        single = cover_proof(data.X, up, LAM, collect=1, budget=20000)
        assert len(single.witnesses) == 1 and single.nodes.keys() == {1}


def test_the_witness_hunt_is_bounded(small, monkeypatch):
    """After the first witness the float-only hunt adds at most ``HUNT`` nodes, and the
    other sign is searched for at most ``HUNT`` nodes (it used to run to the budget)."""
    import exactrelu.approx.cover_search as cs

    data, reg = small
    up = [F(v) * F(101, 100) for v in reg.certificate["dual"]["r"]]
    single = cover_proof(data.X, up, LAM, collect=1, budget=20000)
    first = single.nodes[single.witness_sign]
    free = cover_proof(data.X, up, LAM, collect=16, budget=20000)
    assert len(free.witnesses) > 1 and free.nodes[1] > 7 and free.nodes.get(-1, 0) > 7
    monkeypatch.setattr(cs, "HUNT", 0)
    none = cover_proof(data.X, up, LAM, collect=16, budget=20000)
    assert len(none.witnesses) == 1 and none.nodes[single.witness_sign] == first
    assert none.nodes.get(-single.witness_sign, 0) == 0
    monkeypatch.setattr(cs, "HUNT", 7)
    some = cover_proof(data.X, up, LAM, collect=16, budget=20000)
    assert first < some.nodes[single.witness_sign] <= first + 7
    assert 0 < some.nodes[-single.witness_sign] <= 7
    for s, u, _ in some.witnesses:
        assert _exact_witness_violates(data.X, up, LAM, u, s)


# ----------------------------------------------- lower-dimensional cones (exact leaves)

@pytest.fixture(scope="module")
def diabetes40():
    """Diabetes, 3 features + bias, n = 40, lam = lam_max/8 (bench_check_cost's case):
    the binary feature (sex) makes rays where ~20 hyperplanes meet; before exact leaves
    the cover route did not finish in 1,800 s."""
    pytest.importorskip("sklearn")
    from test_quadratic_cover import _standardised

    return _standardised(40, 3), F(435, 256)


def test_degenerate_cones_close_with_exact_multipliers(diabetes40, monkeypatch):
    import test_check_differential as tcd

    from exactrelu.certificate.cover_certify import certify_cover
    from exactrelu.certificate.cover_producer import _Exactifier

    data, lam = diabetes40
    res = certify_cover(data, lam, gap=GAP, time_limit=120, compact=False)  # the search, not the post-pass
    assert res.route == "cover" and res.tree_nodes < 1200     # 674 measured
    assert tcd.both(res.certificate) == "VERIFIED"
    # negative control: without the exact leaves, leaves on a ray (float value ~ 0,
    # multipliers ~ 1e15) fail every rounding and the subtree below them doubles per level
    monkeypatch.setattr(_Exactifier, "_exact_leaf", lambda *a: None)
    r = [F(v) for v in res.certificate["dual"]["r"]]
    assert cover_proof(data.X, r, lam, budget=600).status == "budget"


def test_the_solve_confirms_before_it_stops(small, monkeypatch):
    """``solve_by_columns`` stops only after :data:`CONFIRM` further pricings with more
    starts, near the active neurons too, find no violation: with a round pricer that
    misses every violation, the confirming ones still find columns (negative control:
    ``confirm=0`` stops after one round, higher)."""
    import exactrelu.approx.cover_pricing as cp

    data, reg = small
    X, y = data.X_float(), data.y_float()
    original, calls = cp.price, []

    def blind(X_, r, *, starts=64, **k):            # the per-round pricer sees nothing
        out = original(X_, r, starts=starts, **k)
        calls.append((starts, 0 if k.get("extra") is None else len(k["extra"])))
        return [c for c in out if c[0] <= float(LAM)] if starts <= 64 and \
            k.get("extra") is not None else out

    monkeypatch.setattr(cp, "price", blind)
    none = cp.solve_by_columns(X, y, float(LAM), confirm=0)
    calls.clear()
    some = cp.solve_by_columns(X, y, float(LAM))
    assert none.rounds == 1 and some.rounds > 1
    assert float(reg.lower) - 1e-6 <= some.solution.objective < none.solution.objective - 0.1
    active = len(some.solution.active)
    assert any(st == 256 and ex > 10 * active for st, ex in calls)
    assert [st for st, _ in calls[-cp.CONFIRM:]] == [256] * cp.CONFIRM    # then it stopped
