"""Regularization paths (issue 6): lam_max, the certified path, monotonicity (L6), the
exact fixed-width optimum and its jumps, the 1-D closed form, the ``path`` command.

Two hand-checked instances (d = 1, no bias; a = (x)_+, b = (-x)_+, A = a.y, B = b.y; the
width-1 network takes the better of the branches V_P = 1/2||y||^2 - (|A|-lam)_+^2/(2||a||^2)
and V_N likewise, docs/theory.md §5.1 Example A/C):

* Example C (docs/theory.md §5.1): x = (1, -4), y = (3, 3/2): A = 3, ||a||^2 = 1, B = 6,
  ||b||^2 = 16, 1/2||y||^2 = 45/8.  Width 1: V_P = 45/8 - (3-lam)^2/2 for lam < 2,
  V_N = 45/8 - (6-lam)^2/32; they cross at (3-lam)^2 = (6-lam)^2/16, lam = 2, value 41/8;
  weights (W1, w2) = (1, 1) -> (-1/2, 1/2).  Zero network for lam >= 6 = lam_max.
  Width >= 2: convex, p*(2) = 45/8 - 1/2 - 1/32 * 16 = 37/8.

* Instance D (ours): x = (3, 4, -5/4), y = (1, 1/2, 8/5).  a = (3, 4, 0), ||a||^2 = 25,
  A = 3 + 2 = 5; b = (0, 0, 5/4), ||b||^2 = 25/16, B = (5/4)(8/5) = 2;
  1/2||y||^2 = 1/2 (1 + 1/4 + 64/25) = 381/200.  lam_max = max(5, 2) = 5.
  Gains g_P = (5-lam)^2/50, g_N = (2-lam)_+^2 * 16/50 = 8(2-lam)_+^2/25.
  lam -> 0: g_P = 1/2 < g_N = 32/25, so the N neuron (fits point 3) wins; near lam = 2 the
  N gain vanishes and P wins: the crossing (5-lam)||b|| = (2-lam)||a||, i.e.
  (5-lam)(5/4) = 5(2-lam), gives lam = 1 (g_P = g_N = 8/25 there).
  Width-1 value at 1: 381/200 - 64/200 = 317/200.  Weights at lam = 1:
  N: t* = (2-1)/(25/16) = 16/25, block u = -16/25 (K_N = {u <= 0}), W1 = u/sqrt|u| = -4/5,
  w2 = 4/5;  P: s* = (5-1)/25 = 4/25, W1 = w2 = 2/5.
  Check of the P network's objective at lam = 1: fit (12/25, 16/25, 0), residual
  (13/25, -7/50, 8/5), loss = 1/2 (676 + 49 + 6400)/2500 = 57/40 = 285/200, weight decay
  1/2 (4/25 + 4/25) = 32/200, total 317/200.  Regimes: lam < 1 N, 1 < lam < 5 P,
  lam >= 5 zero.  Convex (width 2) at 1: 381/200 - 8/25 - 8/25 = 253/200.
"""
from pathlib import Path
import json
import math
import random
from dataclasses import replace
from fractions import Fraction as F

import pytest

from exactrelu.cli import main
from exactrelu.cli.path import parse_lams
from exactrelu.errors import ExactReluError, InputError
from exactrelu.rational_optimum import exact_optimum_at
from exactrelu.networks import Network
from exactrelu.numbers import sqnorm, sqrt_bounds
from exactrelu.paths import (Surd, certified_path, fixed_width_optimum, fixed_width_path,
                            lam_grid, lam_max, one_dimensional_path,
                            path_violations, restricted_optimum)
from exactrelu.arrangement import enumerate_patterns
from exactrelu.planted import one_dimensional_instance
from exactrelu.problem import ConvexProgram, Dataset
from exactrelu.testing.oracles import min_norm_alpha

EX_C = Dataset.from_arrays([[1], [-4]], [3, F(3, 2)])
EX_D = Dataset.from_arrays([[3], [4], [F(-5, 4)]], [1, F(1, 2), F(8, 5)])


def run(args, capsys):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def ex_c(tmp_path):
    p = tmp_path / "exc.csv"
    p.write_text("1,3\n-4,3/2\n")
    return p


@pytest.fixture
def ex_d(tmp_path):
    p = tmp_path / "exd.csv"
    p.write_text("3,1\n4,1/2\n-5/4,8/5\n")
    return p


def lines(out):
    return [json.loads(s) for s in out.strip().splitlines()]


def nc_weights(block):
    """(W1, w2) of the neuron of a JSON block when sqrt(|u|) is rational (d = 1)."""
    u = F(block["u"][0])
    num, den = abs(u).numerator, abs(u).denominator
    assert math.isqrt(num) ** 2 == num and math.isqrt(den) ** 2 == den
    r = F(math.isqrt(num), math.isqrt(den))
    return u / r, block["sign"] * r


# --------------------------------------------------------------------- Example C

def test_example_c_width1_cli_three_regimes_and_jump(ex_c, capsys):
    code, out, err = run(["path", ex_c, "--lams", "1,3/2,2,5/2,5,6,7", "--width", "1",
                          "--json"], capsys)
    assert code == 0 and not err
    L = lines(out)
    assert [x["lam"] for x in L] == ["1", "3/2", "2", "5/2", "5", "6", "7"]
    for x in L:
        lam = F(x["lam"])
        assert x["lower"] == x["upper"]
        v = F(x["lower"])
        if lam < 2:          # regime 1: the neuron fits point 1, W1 = w2 = sqrt(3 - lam)
            assert v == F(45, 8) - (3 - lam) ** 2 / 2
            assert x["neurons"] == 1 and x["blocks"] == [
                {"pattern": "10", "sign": 1, "u": [str(3 - lam)]}]
        elif lam < 6:        # regime 2 (and the tie at 2): fits point 2 when lam > 2
            assert v == F(45, 8) - (F(3, 2) - lam / 4) ** 2 / 2
            if lam > 2:
                assert x["blocks"] == [{"pattern": "01", "sign": 1, "u": [str(-(6 - lam) / 16)]}]
        else:                # regime 3: the zero network
            assert v == F(45, 8) and x["neurons"] == 0 and x["blocks"] == []
    at2 = L[2]
    assert at2["lower"] == "41/8" and at2["neurons"] == 1
    assert nc_weights(at2["blocks"][0]) == (1, 1)                 # the (1, 1) side at 2
    assert nc_weights(L[4]["blocks"][0]) == (F(-1, 4), F(1, 4))   # lam = 5: t = 1/16


def test_example_c_jump_located_exactly_between_grid_points(ex_c, capsys):
    # the grid 1, 7/5, 9/5, 11/5, 13/5, 3 does not contain 2: the closed-form crossing does
    code, out, _ = run(["path", ex_c, "--lams", "1:3:6", "--width", "1"], capsys)
    assert code == 0
    assert "JUMP at lam = 2 (exact, verified, value 41/8)" in out
    assert "(W1=(1), w2=1)  ->  [01, +] u=(-1/4) (W1=(-1/2), w2=1/2)" in out
    fw = fixed_width_path(EX_C, lam_grid(1, 3, 6), 1)
    assert len(fw.jumps) == 1
    j = fw.jumps[0]
    assert j.at.rational == 2 and j.verified and j.value_at == F(41, 8) and j.kind == "jump"
    assert (j.lo, j.hi) == (F(9, 5), F(11, 5))


def test_example_c_both_networks_optimal_at_2():
    fw = fixed_width_optimum(EX_C, 2, 1)
    assert fw.exact and fw.value == F(41, 8) and fw.via == "enumeration"
    ps = enumerate_patterns(EX_C.X)
    nets = {fw.network(ps, k) for k in range(len(fw.winners))}
    assert nets == {Network.from_values([[1]], [1]), Network.from_values([[F(-1, 2)]], [F(1, 2)])}
    for net in nets:         # the exact NC objective of both networks is 41/8
        assert net.nc_objective(EX_C, 2) == F(41, 8)
    # T18: width 1 is strictly worse than the convex optimum 37/8 at lam = 2
    assert fw.convex_lower == fw.convex_upper == F(37, 8)


def test_example_c_width2_continuous_equals_convex(ex_c, capsys):
    grid = lam_grid(F(1, 4), 7, 28)
    code, out, _ = run(["path", ex_c, "--lams", "1/4:7:28", "--width", "2", "--json"], capsys)
    assert code == 0
    op = one_dimensional_path(EX_C)
    for x, lam in zip(lines(out), grid):
        assert F(x["lam"]) == lam and F(x["lower"]) == F(x["upper"]) == op.value(lam)
    code, out, _ = run(["path", ex_c, "--lams", "1/4:7:28", "--width", "2"], capsys)
    assert "no jump of the optimal width-2 network" in out
    # the same by enumerating every pair of blocks (no convex shortcut)
    fw2 = fixed_width_optimum(EX_C, 2, 2, shortcut=False)
    assert fw2.exact and fw2.value == F(37, 8) and fw2.via == "enumeration"
    assert fixed_width_path(EX_C, grid, 2).jumps == []


# --------------------------------------------------------------------- Instance D

def test_instance_d_by_hand(ex_d, capsys):
    assert lam_max(EX_D) == (25, 5)
    code, out, _ = run(["path", ex_d, "--lams", "1/2,1,3/2", "--width", "1", "--json"], capsys)
    L = lines(out)
    assert code == 0
    # lam = 1/2: N regime, t* = (2 - 1/2) 16/25 = 24/25, value 381/200 - 8 (3/2)^2/25
    assert L[0]["blocks"] == [{"pattern": "001", "sign": 1, "u": ["-24/25"]}]
    assert F(L[0]["lower"]) == F(381, 200) - 8 * F(3, 2) ** 2 / 25
    assert F(L[1]["lower"]) == F(L[1]["upper"]) == F(317, 200)
    # lam = 3/2: P regime, s* = (5 - 3/2)/25 = 7/50
    assert L[2]["blocks"] == [{"pattern": "110", "sign": 1, "u": ["7/50"]}]
    assert F(L[2]["lower"]) == F(381, 200) - F(7, 2) ** 2 / 50
    code, out, _ = run(["path", ex_d, "--lams", "1/2:3/2:3", "--width", "1"], capsys)
    assert ("JUMP at lam = 1 (exact, verified, value 317/200): [001, +] u=(-16/25) "
            "(W1=(-4/5), w2=4/5)  ->  [110, +] u=(4/25) (W1=(2/5), w2=2/5)") in out
    fw = fixed_width_optimum(EX_D, 1, 1)
    ps = enumerate_patterns(EX_D.X)
    assert {fw.network(ps, k) for k in range(2)} == {
        Network.from_values([[F(-4, 5)]], [F(4, 5)]), Network.from_values([[F(2, 5)]], [F(2, 5)])}
    assert fw.convex_lower == F(253, 200)
    op = one_dimensional_path(EX_D)
    assert op.jump == Surd(F(1)) and op.breakpoints == (2, 5)
    assert op.width1(1) == (F(317, 200), ["P", "N"])
    # regimes away from the jump, by the closed form and by enumeration alike
    for lam, branch in ((F(1, 3), "N"), (F(9, 10), "N"), (F(11, 10), "P"), (F(4), "P")):
        assert op.width1(lam)[1] == [branch]
        assert fixed_width_optimum(EX_D, lam, 1, shortcut=False).value == op.width1(lam)[0]
    assert fixed_width_optimum(EX_D, 5, 1).winners[0].solution == {}
    # width 2: continuous, equal to the convex optimum
    fw2 = fixed_width_path(EX_D, lam_grid(F(1, 5), 6, 30), 2)
    assert fw2.jumps == [] and all(p.value == op.value(p.lam) for p in fw2.points)


def test_irrational_crossing_is_exact_as_a_surd(tmp_path, capsys):
    # x = (1, -2, -1), y = (2, 1, 1): A = 2, ||a||^2 = 1, B = 3, ||b||^2 = 5; crossing
    # (2 - lam) sqrt5 = (3 - lam): lam* = 7/4 - sqrt(5)/4 ~ 1.191
    data = Dataset.from_arrays([[1], [-2], [-1]], [2, 1, 1])
    op = one_dimensional_path(data)
    j = op.jump
    assert (j.p, j.q, j.D) == (F(7, 4), F(-1, 4), 5)
    # exact check of V_P = V_N at lam*: (2 - lam)^2 * 5 - (3 - lam)^2 = 0 in Q(sqrt 5)
    p, q = j.p, j.q
    a0, a1 = 2 - p, -q                   # 2 - lam = a0 + a1 sqrt5
    b0, b1 = 3 - p, -q
    lhs = (5 * (a0 * a0 + 5 * a1 * a1) - (b0 * b0 + 5 * b1 * b1),
           5 * 2 * a0 * a1 - 2 * b0 * b1)
    assert lhs == (0, 0)
    lo, hi = j.bounds(64)
    assert F(1190, 1000) < lo <= hi < F(1191, 1000) and hi - lo < F(1, 10 ** 15)
    f = tmp_path / "irr.csv"
    f.write_text("1,2\n-2,1\n-1,1\n")
    code, out, _ = run(["path", f, "--lams", "1/2:2:4", "--width", "1"], capsys)
    assert code == 0 and "JUMP at lam = 7/4 + (-1/4)*sqrt(5)" in out


def test_irrational_crossing_in_two_columns_is_proved_a_jump(tmp_path, capsys):
    """The same data with a zero second feature (d = 2: no closed form): the crossing is
    only bracketed, but the jump is PROVED -- the two branch fits stay apart on the whole
    certified bracket (strong convexity + the Lipschitz bound of the optimal fit)."""
    from exactrelu.paths import _fits_apart

    data = Dataset.from_arrays([[1, 0], [-2, 0], [-1, 0]], [2, 1, 1])
    fw = fixed_width_path(data, lam_grid(F(1, 2), 2, 4), 1)
    assert len(fw.jumps) == 1
    j = fw.jumps[0]
    assert j.kind == "jump" and j.kind_proved and not j.verified and j.at is None
    la, lb = j.bracket
    assert la < F(7, 4) - F(1, 4) * F(22360679775, 10 ** 10) < lb      # ~ 7/4 - sqrt5/4
    ps = enumerate_patterns(data.X)
    B1 = tuple(sorted(fw.points[1].winners[0].support))
    B2 = tuple(sorted(fw.points[2].winners[0].support))
    prog = ConvexProgram(data, la, ps)
    R1, R2 = restricted_optimum(prog, B1), restricted_optimum(prog, B2)
    assert _fits_apart(data.y, R1, R2, la, lb)
    # the checks can fail: same branch twice (no gap), a bracket too wide for the
    # Lipschitz term, or optima solved outside the bracket
    assert not _fits_apart(data.y, R1, R1, la, lb)
    assert not _fits_apart(data.y, R1, R2, F(1, 2), F(2))
    assert not _fits_apart(data.y, R1, R2, lb, lb + 1)
    f = tmp_path / "irr2.csv"
    f.write_text("1,0,2\n-2,0,1\n-1,0,1\n")
    code, out, _ = run(["path", f, "--lams", "1/2:2:4", "--width", "1"], capsys)
    assert code == 0 and "not located exactly; jump proved" in out


def test_one_dimensional_pieces_example_c():
    op = one_dimensional_path(EX_C)
    pieces = op.pieces()
    assert [(p["lo"], p["hi"]) for p in pieces] == [(0, 3), (3, 6), (6, None)]
    # [0, 3): s* = 3 - lam, t* = (6 - lam)/16 (t is the coefficient on b = (0, 4))
    assert pieces[0]["s"] == (3, -1) and pieces[0]["t"] == (F(3, 8), F(-1, 16))
    assert pieces[1]["s"] == (0, 0) and pieces[2]["t"] == (0, 0)
    for p in pieces:
        c0, c1, c2 = p["value"]
        for lam in (p["lo"] + F(1, 3), p["lo"] + F(2, 3)):
            assert c0 + c1 * lam + c2 * lam * lam == op.value(lam)
            s0, s1 = p["s"]
            assert s0 + s1 * lam == op.s(lam)
    # the blocks of the closed form are the certified path's exact blocks
    path = certified_path(EX_C, [F(1, 2), F(4)])
    for pt in path:
        assert {b.key: b.u for b in pt.blocks} == op.blocks(pt.lam)


# ------------------------------------------------------------------------ lam_max

def test_lam_max_examples():
    assert lam_max(EX_C) == (36, 6)                       # T20: C -> 6
    inst = one_dimensional_instance([2, -1, 3, -2, F(1, 2)], [1, 2, F(-1, 3), 3, 1], 1)
    sq, lm = lam_max(inst.data, inst.patterns)              # Example A: max(|a.y|, |b.y|)
    assert lm == inst.lam_max and sq == inst.lam_max ** 2


def test_lam_max_irrational_decides_zero_optimality():
    rng = random.Random(5)
    X = [[F(rng.randint(-5, 5), rng.randint(1, 3)) for _ in range(2)] for _ in range(6)]
    y = [F(rng.randint(-5, 5), rng.randint(1, 3)) for _ in range(6)]
    data = Dataset.from_arrays(X, y)
    ps = enumerate_patterns(data.X)
    sq, lm = lam_max(data, ps)
    assert lm is None                                      # not a rational square here
    lo, hi = sqrt_bounds(sq, 30)
    assert lo * lo < sq < hi * hi
    # the zero network (r = y) is optimal exactly iff lam^2 >= lam_max^2
    assert exact_optimum_at(ConvexProgram(data, hi, ps), data.y) is not None
    assert exact_optimum_at(ConvexProgram(data, lo, ps), data.y) is None
    path = certified_path(data, [hi, lo, lo * F(9, 10)], patterns=ps)
    assert path[0].zero and path[0].value == sqnorm(y) / 2
    assert not path[1].zero and path[1].lower <= sqnorm(y) / 2
    assert not path[2].zero and path[2].upper < sqnorm(y) / 2


# --------------------------------------------------------- monotonicity / concavity

def test_monotonicity_exact_instance():
    grid = lam_grid(F(1, 4), 7, 28)
    path = certified_path(EX_C, grid)
    op = one_dimensional_path(EX_C)
    assert all(p.exact for p in path)
    for p in path:
        assert p.value == op.value(p.lam)
        assert p.loss + p.lam * p.penalty == p.value
        assert p.unique is True
        # min-norm = the unique solution; ||w||^2 = sum u^2
        assert p.min_norm_sq == sum((sqnorm(b.u) for b in p.blocks), F(0))
    assert path_violations(path) == []
    pts = path.sorted_points()
    assert all(a.loss <= b.loss and a.penalty >= b.penalty for a, b in zip(pts, pts[1:]))
    # the checks can fail: perturb one value / one penalty
    bad = path.sorted_points()
    v5 = bad[5].value + F(1, 10 ** 6)
    bad[5] = replace(bad[5], value=v5, lower=v5, upper=v5)     # points are frozen
    assert path_violations(bad)
    bad2 = certified_path(EX_C, grid[:6])
    bad2[3] = replace(bad2[3], penalty=bad2[3].penalty + 1, loss=bad2[3].loss - bad2[3].lam)
    assert any("penalty" in v or "secant" in v for v in path_violations(bad2))


def test_monotonicity_bounds_instance_and_cold_certify():
    rng = random.Random(11)
    X = [[F(rng.randint(-9, 9), rng.randint(1, 5)) for _ in range(2)] for _ in range(10)]
    y = [F(rng.randint(-9, 9), rng.randint(1, 5)) for _ in range(10)]
    data = Dataset.from_arrays(X, y)
    sq, _ = lam_max(data)
    top = sqrt_bounds(sq, 8)[1]
    grid = lam_grid(top / 40, top, 9)
    path = certified_path(data, grid)
    assert path.complete and path.proof is not None
    assert path_violations(path) == []
    assert any(not p.exact for p in path)
    from exactrelu.certificate.produce import certify

    for k in (1, 5):
        res = certify(data, grid[k], progress=False)
        assert res.lower <= path[k].upper and path[k].lower <= res.upper


# -------------------------------------------------------------------- min-norm

def test_min_norm_example_b():
    # docs/theory.md §5.2 T23: Z = [[1, 0, 1/2], [0, 1, 1/2]], yhat = (2, 2) at lam = 1 (v = 1)
    cols = [(F(1), F(0)), (F(0), F(1)), (F(1, 2), F(1, 2))]
    al, mu = min_norm_alpha(cols, (F(2), F(2)), [F(2), F(2), F(0)])
    assert al == [F(4, 3)] * 3 and mu == [F(4, 3), F(4, 3)]
    al, _ = min_norm_alpha(cols, (F(2), F(2)), [F(0), F(0), F(4)])   # from the other vertex
    assert al == [F(4, 3)] * 3
    assert min_norm_alpha(cols, (F(-1), F(2))) is None                # infeasible
    # the oracle (primal active set) agrees with the library routine (dual Newton)
    from exactrelu.optimal_sets import Polytope
    assert list(Polytope(cols, (F(2), F(2))).min_norm().alpha) == al


def test_min_norm_nonunique_relu_instance():
    from exactrelu.paths import _optimal_set_info
    from exactrelu.planted import planted_instance

    p = planted_instance(8, 2, 3, seed=1, unique=False)
    opt = exact_optimum_at(p.program, p.r_hat)
    unique, support, mn = _optimal_set_info(p.program, opt, p.patterns)
    assert unique is False and set(support) == set(p.support)
    prog = p.program
    assert prog.fit(mn) == p.y_hat                                     # optimal fit
    pen = sum(opt.alpha.values(), F(0)) * p.lam
    # same penalty sum ||u_b|| (alpha lam per block) as any optimal solution
    v = opt.v
    alpha_mn = {b: u[0] / v[b][0] if v[b][0] else u[1] / v[b][1] for b, u in mn.items()}
    assert sum(alpha_mn.values(), F(0)) * p.lam == pen
    # strictly smaller norm than the planted solution, mass split equally on the tie
    norm2 = sum((sqnorm(u) for u in mn.values()), F(0))
    assert norm2 < sum((sqnorm(u) for u in p.blocks.values()), F(0))
    (b1, b2), = p.ties
    assert mn[b1] == mn[b2]


# --------------------------------------------------------------------- CLI

def test_cli_json_line_format(ex_c, capsys):
    code, out, err = run(["path", ex_c, "--lams", "2,1/2,7", "--json"], capsys)
    assert code == 0 and not err
    L = lines(out)
    assert [x["lam"] for x in L] == ["2", "1/2", "7"]            # input order
    for x in L:
        assert list(x) == ["lam", "lower", "upper", "neurons", "blocks"]
        assert isinstance(x["neurons"], int) and x["neurons"] == len(x["blocks"])
        for b in x["blocks"]:
            assert list(b) == ["pattern", "sign", "u"] and b["sign"] in (1, -1)
            assert set(b["pattern"]) <= {"0", "1"} and len(b["pattern"]) == 2
            assert all(isinstance(a, str) for a in b["u"])
    assert L[0]["lower"] == L[0]["upper"] == "37/8"
    assert L[0]["blocks"] == [{"pattern": "10", "sign": 1, "u": ["1"]},
                              {"pattern": "01", "sign": 1, "u": ["-1/4"]}]
    assert L[2] == {"lam": "7", "lower": "45/8", "upper": "45/8", "neurons": 0, "blocks": []}


def test_cli_text_and_plot(ex_c, tmp_path, capsys):
    png = tmp_path / "p.png"
    code, out, _ = run(["path", ex_c, "--lams", "1:7:7", "--plot", png], capsys)
    assert code == 0 and png.stat().st_size > 1000
    assert "lam_max = 6" in out
    assert "monotonicity/concavity checks (L6) over 7 points: all hold" in out
    png2 = tmp_path / "w.png"
    code, out, _ = run(["path", ex_c, "--lams", "1:3:5", "--width", "1", "--plot", png2], capsys)
    assert code == 0 and png2.stat().st_size > 1000


def test_parse_lams():
    assert parse_lams("1:2:5") == [1, F(5, 4), F(3, 2), F(7, 4), 2]
    assert parse_lams("1/2, 0.25,1e-1") == [F(1, 2), F(1, 4), F(1, 10)]
    assert parse_lams("3:1:3") == [3, 2, 1]
    assert parse_lams("2:2:1") == [2]
    assert parse_lams("0.1:0.3:3") == [F(1, 10), F(1, 5), F(3, 10)]     # exact decimals


@pytest.mark.parametrize("bad, needle", [
    ("1,-2", "item 2 '-2' is not positive"),
    ("1,0", "item 2 '0' is not positive"),
    ("1,abc", "item 2 'abc' is not a rational"),
    ("1,,2", "item 2 is empty"),
    ("0:1:3", "lo '0' is not positive"),
    ("1:-1:3", "hi '-1' is not positive"),
    ("1:2:0", "k '0' must be a positive integer"),
    ("1:2:x", "k 'x' must be a positive integer"),
    ("1:2", "three fields"),
    ("1:2:3:4", "three fields"),
    ("1:2:1", "k = 1 needs lo == hi"),
    ("nan", "item 1 'nan' is not a rational"),
])
def test_bad_lams_exit_2(ex_c, tmp_path, capsys, bad, needle):
    with pytest.raises(InputError, match="--lams"):
        parse_lams(bad)
    png = tmp_path / "never.png"
    code, out, err = run(["path", ex_c, f"--lams={bad}", "--plot", png], capsys)
    assert code == 2 and needle in err and not out
    assert not png.exists()


def test_cli_bad_width_and_plot(ex_c, tmp_path, capsys):
    code, _, err = run(["path", ex_c, "--lams", "1", "--width", "0"], capsys)
    assert code == 2 and "--width" in err
    code, _, err = run(["path", ex_c, "--lams", "1", "--plot", tmp_path / "no" / "x.png"], capsys)
    assert code == 2 and "output folder does not exist" in err


def test_api_rejects_bad_lams():
    with pytest.raises(ExactReluError, match="positive"):
        certified_path(EX_C, [1, 0])
    with pytest.raises(ExactReluError, match="positive"):
        fixed_width_optimum(EX_C, -1, 1)


def test_restricted_optimum_exact_and_bounds():
    ps = enumerate_patterns(EX_C.X)
    prog = ConvexProgram(EX_C, 2, ps)
    R = restricted_optimum(prog, [(0, 1)])
    assert R.exact and R.value == F(41, 8) and R.solution == {(0, 1): (F(1),)}
    R = restricted_optimum(prog, [(0, -1)])          # wrong sign: the zero solution
    assert R.exact and R.value == F(45, 8) and R.solution == {}


def test_min_norm_agrees_with_optimal_set_module():
    """Differential check against the independent optimal-set module, when present."""
    osm = pytest.importorskip("exactrelu.optimal_sets")
    if not hasattr(osm, "optimal_set"):
        pytest.skip("exactrelu.optimal_sets has no optimal_set()")
    from exactrelu.paths import _optimal_set_info
    from exactrelu.planted import planted_instance

    p = planted_instance(8, 2, 3, seed=1, unique=False)
    opt = exact_optimum_at(p.program, p.r_hat)
    unique, support, mn = _optimal_set_info(p.program, opt, p.patterns)
    other = osm.optimal_set(p.program, opt, enumerate_vertices=False)
    assert other.unique == unique and set(other.support) == set(support)
    theirs = {b: tuple(a * x for x in other.v[b]) for b, a in other.min_norm.items() if a}
    assert theirs == mn


def test_cli_tiny_lam_below_float_noise_gives_bounds_not_a_solver_failure(capsys):
    """lam = 1e-14 on the demo data without bias: the float solve cannot reach its gap
    tolerance (the dual constraint sits below the float noise of the fit).  The path
    keeps the best solution and proves (wider) bounds instead of exit 4."""
    demo = Path(__file__).resolve().parents[1] / "exactrelu" / "data" / "demo.csv"
    code, out, err = run(["path", demo, "--lams", "1e-14,1", "--json"], capsys)
    assert code == 0, err
    L = lines(out)
    assert [x["lam"] for x in L] == ["1/100000000000000", "1"]
    for x in L:
        assert F(x["lower"]) <= F(x["upper"])
