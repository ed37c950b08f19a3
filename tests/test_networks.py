"""Networks and the solution mappings C <-> NC (docs/theory.md §1.2, §1.3, §1.6; tests T16,
T17, T19, T27 of section 5.2).  Every assertion is exact."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction as F

import pytest
from hypothesis import assume, given, strategies as st

from exactrelu.algebraic import compare_sum_sqrt
from exactrelu.errors import DomainError, NotExactError, ShapeError
from exactrelu.conversions import compare_convex_nc, convex_to_network, network_to_convex
from exactrelu.networks import Network, fourth_root, in_cone
from exactrelu.numbers import dot, sqnorm
from exactrelu.arrangement import enumerate_patterns, neuron_region
from exactrelu.problem import ConvexProgram, Dataset

# ------------------------------------------------------------------------ strategies

small_q = st.builds(F, st.integers(-4, 4), st.integers(1, 3))
nonzero_q = small_q.filter(bool)


@st.composite
def datasets(draw, n_max=5, d_max=3):
    n = draw(st.integers(1, n_max))
    d = draw(st.integers(1, d_max))
    X = [[draw(small_q) for _ in range(d)] for _ in range(n)]
    y = [draw(small_q) for _ in range(n)]
    return Dataset.from_arrays(X, y)


@st.composite
def unit_vectors(draw, d):
    """A rational point on the unit sphere (inverse stereographic projection)."""
    if d == 1:
        return (F(draw(st.sampled_from([1, -1]))),)
    t = [draw(small_q) for _ in range(d - 1)]
    s = sqnorm(t)
    p = [2 * a / (1 + s) for a in t] + [(1 - s) / (1 + s)]
    signs = [draw(st.sampled_from([1, -1])) for _ in range(d)]
    return tuple(a * g for a, g in zip(p, signs))


@st.composite
def networks(draw, d, m_max=4):
    """Mixed networks: balanced neurons c*(p, +-1) with p a rational unit vector, positive
    multiples of earlier neurons, arbitrary (usually unbalanced) neurons, zero neurons."""
    m = draw(st.integers(1, m_max))
    W1, w2 = [], []
    for _ in range(m):
        kind = draw(st.sampled_from(["balanced", "balanced", "copy", "free", "zero"]))
        if kind == "copy" and W1:
            j = draw(st.integers(0, len(W1) - 1))
            c = draw(st.sampled_from([F(1, 2), F(1), F(2), F(3, 2)]))
            W1.append(tuple(c * a for a in W1[j]))
            w2.append(c * w2[j])
        elif kind == "free":
            W1.append(tuple(draw(small_q) for _ in range(d)))
            w2.append(draw(small_q))
        elif kind == "zero":
            W1.append(tuple(F(0) for _ in range(d)))
            w2.append(F(0))
        else:
            p = draw(unit_vectors(d))
            c = draw(st.builds(F, st.integers(1, 3), st.integers(1, 2)))
            W1.append(tuple(c * a for a in p))
            w2.append(c * draw(st.sampled_from([1, -1])))
    return Network.from_values(W1, w2)


def relu(v):
    return v if v > 0 else F(0)


# ------------------------------------------------------------ exact quartic-root algebra

@dataclass(frozen=True)
class Root4:
    """``c * N^(k/4)`` for a fixed rational ``N > 0`` and an integer ``k``: the numbers a
    C -> NC neuron is made of (``N = ||u||^2``, so ``N^(1/4) = sqrt(||u||)``).  Products
    add exponents; nothing is ever rounded."""

    c: F
    N: F
    k: int

    def __mul__(self, o: "Root4") -> "Root4":
        assert self.N == o.N
        return Root4(self.c * o.c, self.N, self.k + o.k)

    def __add__(self, o: "Root4") -> "Root4":
        assert self.N == o.N and self.k == o.k
        return Root4(self.c + o.c, self.N, self.k)

    def rational(self) -> F:
        assert self.k % 4 == 0, "not rational"
        return self.c * self.N ** (self.k // 4)

    def sqrt_term(self) -> tuple[F, F]:
        """``(c', q)`` with ``self = c' sqrt(q)`` (needs even ``k``)."""
        assert self.k % 2 == 0
        j = self.k // 2                      # self = c N^(j/2)
        if j % 2 == 0:
            return self.c * self.N ** (j // 2), F(1)
        return self.c * self.N ** ((j - 1) // 2), self.N


def symbolic_neuron(u, s):
    """``W1 = u N^(-1/4)``, ``w2 = s N^(1/4)`` with ``N = ||u||^2``."""
    N = sqnorm(u)
    return [Root4(a, N, -1) for a in u], Root4(F(s), N, 1)


# ================================================================ Network basics

def test_network_values_and_objective():
    net = Network.from_values([[1, -2], ["1/2", 0]], [3, "-1/3"])
    assert net.width == 2 and net.d == 2
    X = [[1, 1], [2, -1], [0, 0]]
    # neuron 0: X w = (-1, 4, 0) -> (0, 4, 0)*3 ; neuron 1: (1/2, 1, 0) * (-1/3)
    assert net.outputs(X) == (F(-1, 6), F(12) - F(1, 3), F(0))
    data = Dataset.from_arrays(X, [0, 1, 2])
    f = net.outputs(X)
    loss = sum((a - b) ** 2 for a, b in zip(f, data.y)) / 2
    decay = (F(5) + 9 + F(1, 4) + F(1, 9)) / 2
    assert net.nc_objective(data, F(1, 10)) == loss + F(1, 10) * decay
    assert net.nonzero_neurons() == [0, 1]
    assert not net.is_balanced()


def test_network_floats_exact_or_refused_and_bad_shapes():
    # the public rule: a float is its exact IEEE value; allow_float=False refuses it
    with pytest.raises(NotExactError):
        Network.from_values([[0.5]], [1], allow_float=False)
    assert Network.from_values([[0.5]], [1]).W1 == ((F(1, 2),),)
    net = Network.from_values([[0.1]], [1])
    assert net.W1[0][0] == F(3602879701896397, 36028797018963968)
    with pytest.raises(ShapeError):
        Network.from_values([[1, 2], [1]], [1, 1])
    with pytest.raises(ShapeError):
        Network.from_values([[1, 2]], [1, 1])
    with pytest.raises(ShapeError):
        Network.from_values([[]], [1])
    with pytest.raises(ShapeError):
        Network.from_values([[1, 2]], [1]).outputs([[1, 2, 3]])
    with pytest.raises(TypeError):
        Network(((1,),), (F(1),))
    zero = Network.from_values([], [], dim=3)
    assert zero.width == 0 and zero.outputs([[1, 2, 3]]) == (F(0),)


def test_zero_neurons():
    net = Network.from_values([[0, 0], [1, 2], [3, 4]], [5, 1, 0])
    assert net.nonzero_neurons() == [1]
    small = net.without_zero_neurons()
    X = [[1, 0], [-1, 1]]
    assert small.outputs(X) == net.outputs(X)
    data = Dataset.from_arrays(X, [1, 1])
    assert small.nc_objective(data, 1) < net.nc_objective(data, 1)


def test_bias_column_needs_bias_data():
    net = Network.from_values([[1, 0]], [1], bias_column=True)
    with pytest.raises(ShapeError, match="--bias"):
        net.nc_objective(Dataset.from_arrays([[1, 1]], [0]), 1)
    assert net.nc_objective(Dataset.from_arrays([[1]], [0], bias=True), 1) == F(3, 2)


def test_balanced_objective():
    # neuron 0 has ||W1|| = 5 (rational); neuron 1 ||W1||^2 = 2 (irrational)
    net = Network.from_values([[3, 4], [1, -1]], [2, -3])
    data = Dataset.from_arrays([[1, 0], [0, 1]], [1, 2])
    lam = F(1, 2)
    assert net.penalty_balanced_terms(lam) == [(F(1), F(25)), (F(3, 2), F(2))]
    lo, hi = net.balanced_objective_bounds(data, lam, bits=80)
    L = net.loss(data)
    # B = L + 5 + (3/2) sqrt(2): compare exactly with the enclosure
    terms = [(L, F(1)), (F(5), F(1)), (F(3, 2), F(2))]
    assert compare_sum_sqrt([(lo, 1)], terms) <= 0 <= compare_sum_sqrt([(hi, 1)], terms)
    assert 0 < hi - lo < F(1, 2 ** 70)
    # balanced network: bounds collapse and B == NC
    bal = Network.from_values([[3, 4], ["3/5", "-4/5"]], [-5, 1])
    lo, hi = bal.balanced_objective_bounds(data, lam)
    assert bal.is_balanced() and lo == hi == bal.nc_objective(data, lam)


@given(datasets(), st.data())
def test_balanced_not_above_nc(data, draw):
    """AM-GM: B <= NC, equality iff every neuron is balanced (exact sign)."""
    net = draw.draw(networks(data.d))
    lam = F(1, 2)
    L, terms = net.balanced_objective_terms(data, lam)
    sign = compare_sum_sqrt([(L, 1)] + terms, [(net.nc_objective(data, lam), 1)])
    assert sign <= 0
    assert (sign == 0) == net.is_balanced()


# ==================================================================== Example A (docs/theory.md §5.1)

def example_a():
    x = [F(1), F(2), F(-1), F(-3)]
    y = [F(1), F(10), F(1, 2), F(-4, 3)]
    lam = F(1)
    return Dataset.from_arrays([[a] for a in x], y), lam


def test_example_a_mapping():
    data, lam = example_a()
    x = [r[0] for r in data.X]
    a = [relu(v) for v in x]
    b = [relu(-v) for v in x]

    def S(z):
        return (1 if z > 0 else -1) * relu(abs(z) - lam)

    ay, by = dot(a, data.y), dot(b, data.y)
    s_star, t_star = S(ay) / sqnorm(a), S(by) / sqnorm(b)
    assert (s_star, t_star) == (F(4), F(-1, 4))
    p_star = (sqnorm(data.y) / 2 - relu(abs(ay) - lam) ** 2 / (2 * sqnorm(a))
              - relu(abs(by) - lam) ** 2 / (2 * sqnorm(b)))
    y_hat = tuple(ai * s_star + bi * t_star for ai, bi in zip(a, b))

    # the convex solution: P-block u = s* (sign +), N-block u = -|t*| in {u <= 0}, sign(t*)
    blocks = {("1100", 1): (s_star,), ("0011", -1): (-abs(t_star),)}
    prod = convex_to_network(blocks, X=data.X)
    net = prod.to_network()
    # the network of docs/theory.md §5.1: (+|s*|^(1/2), sign(s*)|s*|^(1/2)), (-|t*|^(1/2), sign(t*)|t*|^(1/2))
    assert net.W1 == ((F(2),), (F(-1, 2),)) and net.w2 == (F(2), F(-1, 2))
    assert net.outputs(data) == y_hat == prod.outputs(data)
    assert net.nc_objective(data, lam) == p_star
    assert net.is_balanced()

    # the convex objective over all patterns of x (both signs) is the same number
    ps = enumerate_patterns(data.X)
    assert set(ps.bits) == {"1100", "0011"}
    prog = ConvexProgram(data, lam, ps)
    idx = {(ps.find(bits), s): u for (bits, s), u in blocks.items()}
    lo, hi = prog.objective_bounds(idx)
    assert lo == hi == p_star
    # optimality (KKT, 1-D cones {u >= 0} / {u <= 0}): |proj of correlation| <= lam
    r = [yi - fi for yi, fi in zip(data.y, y_hat)]
    for i, bits in enumerate(ps.bits):
        for s in (1, -1):
            c = prog.correlation((i, s), r)[0]
            proj = relu(c) if bits == "1100" else -relu(-c)
            assert abs(proj) <= lam
            if ((bits, s)) in blocks:
                assert abs(proj) == lam

    # and back: NC -> C recovers the blocks, and C == NC (balanced, one neuron per block)
    pats, back = network_to_convex(net, data)
    assert {(pats.bits[i], s): u for (i, s), u in back.items()} == blocks
    assert compare_convex_nc(net, data, lam) == 0


# ====================================================================== T16: C -> NC

def pythagorean_instance():
    X = [[1, 0], [0, 1], [1, 1], [-1, 2], [2, -3]]
    data = Dataset.from_arrays(X, [1, -2, 3, F(1, 2), 0])
    # blocks with ||u|| a rational square: u = c^2 p, p a rational unit vector
    raw = [((F(3, 5), F(4, 5)), F(2), 1), ((F(-5, 13), F(12, 13)), F(1, 3), -1),
           ((F(8, 17), F(-15, 17)), F(3, 2), 1)]
    blocks = {}
    for p, c, s in raw:
        u = tuple(c * c * a for a in p)
        bits, _ = neuron_region(data.X, u)
        blocks[(bits, s)] = u
    return data, blocks


def test_t16_rational_square_blocks():
    data, blocks = pythagorean_instance()
    lam = F(3, 7)
    prod = convex_to_network(blocks, X=data.X)
    assert prod.is_exact()
    net = prod.to_network()
    conv_fit = [F(0)] * data.n
    for (bits, s), u in blocks.items():
        for k, (x, b) in enumerate(zip(data.X, bits)):
            if b == "1":
                conv_fit[k] += s * dot(x, u)
    conv_loss = sum((f - t) ** 2 for f, t in zip(conv_fit, data.y)) / 2
    conv_obj = conv_loss + lam * sum(fourth_root(sqnorm(u)) ** 2 for u in blocks.values())
    for (bits, s), u, W, a in zip(blocks, blocks.values(), net.W1, net.w2):
        assert tuple(c * abs(a) for c in W) == u             # W1 |w2| = u
        assert a * a == fourth_root(sqnorm(u)) ** 2         # w2^2 = ||u||
        assert sqnorm(W) == a * a                          # ||W1||^2 = ||u||
        assert (a > 0) == (s > 0)
    assert net.outputs(data) == tuple(conv_fit)
    assert net.nc_objective(data, lam) == conv_obj
    # the same value from the convex program of problem.py (square norms: exact bounds)
    ps, _ = network_to_convex(net, data)
    prog = ConvexProgram(data, lam, ps)
    lo, hi = prog.objective_bounds({(ps.find(b), s): u for (b, s), u in blocks.items()})
    assert lo == hi == conv_obj


@given(datasets(), st.data())
def test_t16_symbolic_identities(data, draw):
    """For blocks with irrational scales the mapped network's NC objective equals the
    convex objective, proved in the exact field Q(N^(1/4)) neuron by neuron."""
    lam = F(2, 3)
    m = draw.draw(st.integers(1, 3))
    blocks = {}
    for _ in range(m):
        w = tuple(draw.draw(small_q) for _ in range(data.d))
        assume(any(w))
        bits, _ = neuron_region(data.X, w)
        blocks[(bits, draw.draw(st.sampled_from([1, -1])))] = w
    prod = convex_to_network(blocks, X=data.X)
    conv_fit = [F(0)] * data.n
    nc_fit = [F(0)] * data.n
    nc_pen: list[tuple[F, F]] = []
    for (bits, s), u in blocks.items():
        W1, w2 = symbolic_neuron(u, s)
        absw2 = Root4(F(1), w2.N, 1)
        assert [(c * absw2).rational() for c in W1] == list(u)           # W1 |w2| = u
        assert (w2 * w2).sqrt_term() == (F(1), sqnorm(u))               # w2^2 = ||u||
        norm_w1 = W1[0] * W1[0]
        for c in W1[1:]:
            norm_w1 = norm_w1 + c * c
        assert norm_w1.sqrt_term() == (F(1), sqnorm(u))                 # ||W1||^2 = ||u||
        for k, (x, b) in enumerate(zip(data.X, bits)):
            xu = dot(x, u)
            xw = Root4(xu, w2.N, -1)                # x . W1, same sign as x . u
            nc_fit[k] += (Root4(relu(xu), w2.N, -1) * w2).rational() if xw.c > 0 else 0
            if b == "1":
                conv_fit[k] += s * xu
        half = Root4(lam / 2, w2.N, 0)
        nc_pen += [(half * norm_w1).sqrt_term(), (half * w2 * w2).sqrt_term()]
    assert nc_fit == conv_fit == list(prod.outputs(data))
    loss = sum((f - t) ** 2 for f, t in zip(conv_fit, data.y)) / 2
    conv = [(loss, F(1))] + [(lam, sqnorm(u)) for u in blocks.values()]
    nc = [(loss, F(1))] + nc_pen
    assert compare_sum_sqrt(nc, conv) == 0
    L, terms = prod.nc_objective_terms(data, lam)
    assert compare_sum_sqrt([(L, 1)] + terms, conv) == 0
    # the rational estimate keeps W1 |w2| = u exactly, so its outputs are exact; its NC
    # objective is >= C (AM-GM) and within 2^-100 of it
    approx = prod.to_network_approx(bits=60)
    assert approx.outputs(data) == prod.outputs(data)
    for u, W, a in zip((u for _, _, u in prod.blocks), approx.W1, approx.w2):
        assert tuple(c * abs(a) for c in W) == u
    gap = [(approx.nc_objective(data, lam), F(1))]
    assert compare_sum_sqrt(gap, conv) >= 0
    assert compare_sum_sqrt(gap, conv + [(F(1, 2 ** 100), F(1))]) < 0


def test_t16_irrational_scale_is_refused_or_estimated():
    prod = convex_to_network({("1", 1): (F(2),)})            # sqrt(||u||) = sqrt(2)
    assert not prod.is_exact()
    with pytest.raises(DomainError, match="irrational"):
        prod.to_network()
    net = prod.to_network_approx(bits=40)
    assert net.W1[0][0] * net.w2[0] == 2
    assert abs(net.w2[0] ** 2 - 2) < F(1, 2 ** 38)
    # ||u||^2 = 25 is a square but ||u|| = 5 is not: still irrational scale
    assert not convex_to_network({("1", 1): (F(3), F(4))}).is_exact()
    # ||u|| = 16/9 -> scale 4/3 exact
    net = convex_to_network({("1", -1): (F(16, 9),)}).to_network()
    assert net.W1 == ((F(4, 3),),) and net.w2 == (F(-4, 3),)


def test_convex_to_network_validation():
    X = [[1], [-1]]
    with pytest.raises(DomainError, match="cone"):
        convex_to_network({("10", 1): (F(-1),)}, X=X)
    with pytest.raises(ValueError):
        convex_to_network({("10", 2): (F(1),)})
    with pytest.raises(ShapeError):
        convex_to_network({("10", 1): (F(1),), ("01", 1): (F(1), F(2))})
    # zero blocks are dropped; an empty mapping needs d
    prod = convex_to_network({("10", 1): (F(0),)})
    assert prod.width == 0 and prod.to_network().outputs(X) == (F(0), F(0))
    with pytest.raises(ShapeError):
        convex_to_network({})
    assert convex_to_network({}, d=2).to_network().dim == 2
    # Block = (pattern index, sign) keys, resolved through a PatternSet
    ps = enumerate_patterns(X)
    i = ps.find("01")
    prod = convex_to_network({(i, -1): (F(-4),)}, patterns=ps, X=X)
    assert prod.blocks == (("01", -1, (F(-4),)),)
    assert prod.to_network().outputs(X) == (F(0), F(-4))


# ====================================================================== T17: NC -> C

@given(datasets(), st.data())
def test_t17_convex_never_above_nc(data, draw):
    """C(NC->C(net)) <= NC(net), with equality iff every neuron is balanced and the
    neurons merged into one block are positively collinear (exact sign of sqrt sums)."""
    net = draw.draw(networks(data.d))
    lam = draw.draw(st.sampled_from([F(1, 10), F(1), F(5, 2)]))
    pats, blocks = network_to_convex(net, data)
    # fit preserved, cones respected
    fit = [F(0)] * data.n
    for (i, s), u in blocks.items():
        assert in_cone(data.X, pats.bits[i], u) is None
        for k, (x, b) in enumerate(zip(data.X, pats.bits[i])):
            fit[k] += s * dot(x, u) if b == "1" else 0
    assert tuple(fit) == net.outputs(data)
    sign = compare_convex_nc(net, data, lam)
    assert sign <= 0
    groups: dict = {}
    for j in net.nonzero_neurons():
        bits, _ = neuron_region(data.X, net.W1[j])
        u = tuple(abs(net.w2[j]) * a for a in net.W1[j])
        groups.setdefault((bits, net.w2[j] > 0), []).append(u)
    collinear = all(dot(p, q) > 0 and dot(p, q) ** 2 == sqnorm(p) * sqnorm(q)
                    for g in groups.values() for p in g for q in g)
    assert (sign == 0) == (net.is_balanced() and collinear)


def test_t17_equality_and_strict_cases():
    data = Dataset.from_arrays([[1, 0], [0, 1], [1, 1], [2, -1]], [1, 2, 0, -1])
    lam = F(1, 3)
    p = (F(3, 5), F(4, 5))
    # balanced, positively collinear neurons merged into one block: equality
    net = Network.from_values([p, [2 * a for a in p], [-1, 0]], [1, 2, -1])
    pats, blocks = network_to_convex(net, data)
    assert len(blocks) == 2
    assert compare_convex_nc(net, data, lam) == 0
    # one unbalanced neuron (same function): strictly smaller convex objective
    unb = net.rescale_neuron(1, 2)
    assert unb.outputs(data) == net.outputs(data)
    assert compare_convex_nc(unb, data, lam) < 0
    assert network_to_convex(unb, data)[1] == blocks
    # balanced but not collinear, same (pattern, sign): strict (triangle inequality)
    q = (F(4, 5), F(3, 5))
    nc2 = Network.from_values([p, q], [1, 1])
    assert nc2.is_balanced() and len(network_to_convex(nc2, data)[1]) == 1
    assert compare_convex_nc(nc2, data, lam) < 0
    # opposite output signs are different blocks: equality again
    nc3 = Network.from_values([p, q], [1, -1])
    assert len(network_to_convex(nc3, data)[1]) == 2
    assert compare_convex_nc(nc3, data, lam) == 0


def test_t17_cancelling_neurons():
    """Two neurons in the null space of X cancel in one block: the block is dropped."""
    X = [[1, 1], [2, 2]]
    data = Dataset.from_arrays(X, [1, 0])
    net = Network.from_values([[1, -1], [-1, 1]], [1, 1])
    pats, blocks = network_to_convex(net, data)
    assert blocks == {}
    assert compare_convex_nc(net, data, 1) < 0


# ====================================================================== T19: splitting

def test_t19_splitting_symmetry():
    data = Dataset.from_arrays([[1, 2], [-1, 1], [3, 0]], [1, -1, 2])
    net = Network.from_values([[1, "1/2"], [-2, 1]], ["3/2", -1])
    lam = F(2, 5)
    split = net.split_neuron(0, [F(9, 25), F(16, 25)])
    assert split.width == 3
    assert split.W1[0] == (F(3, 5), F(3, 10)) and split.W1[1] == (F(4, 5), F(2, 5))
    assert split.w2[:2] == (F(9, 10), F(6, 5))
    assert split.outputs(data) == net.outputs(data)
    assert split.weight_decay() == net.weight_decay()
    assert split.nc_objective(data, lam) == net.nc_objective(data, lam)
    # merging back through NC -> C gives the same blocks
    assert network_to_convex(split, data)[1] == network_to_convex(net, data)[1]
    # permutation symmetry
    perm = Network(tuple(reversed(split.W1)), tuple(reversed(split.w2)))
    assert perm.nc_objective(data, lam) == net.nc_objective(data, lam)
    with pytest.raises(DomainError):
        net.split_neuron(0, [F(1, 2), F(1, 2)])            # sqrt(1/2) irrational
    with pytest.raises(DomainError):
        net.split_neuron(0, [F(1, 4), F(1, 4)])            # does not sum to 1


# ================================================================ T27: pattern/cone identity

@given(datasets(), st.data())
def test_t27_pattern_cone_identity(data, draw):
    w = tuple(draw.draw(small_q) for _ in range(data.d))
    bits, g = neuron_region(data.X, w)
    for v in (w, g):
        assert in_cone(data.X, bits, v) is None
        Dxv = [dot(x, v) if b == "1" else F(0) for x, b in zip(data.X, bits)]
        assert Dxv == [relu(dot(x, v)) for x in data.X]
    # u in K_i for every enumerated pattern: the witness and positive combinations
    ps = enumerate_patterns(data.X)
    for bits, gi in zip(ps.bits, ps.witnesses):
        c = draw.draw(st.sampled_from([F(1, 3), F(1), F(7, 2)]))
        u = [c * a for a in gi]
        assert in_cone(data.X, bits, u) is None
        assert [dot(x, u) if b == "1" else F(0) for x, b in zip(data.X, bits)] == \
               [relu(dot(x, u)) for x in data.X]


def test_ties_neuron_orthogonal_to_a_row():
    X = [[1, 1], [1, -1], [-2, 1], [0, 0]]
    data = Dataset.from_arrays(X, [1, 0, 2, 1])
    w = (F(1), F(-1))                       # x_0 . w = 0 exactly; zero row x_3
    net = Network.from_values([w, [-1, 1]], [2, 3])
    pats, blocks = network_to_convex(net, data)
    for (i, s), u in blocks.items():
        bits = pats.bits[i]
        assert bits[3] == "1"               # zero rows are always active
        assert in_cone(X, bits, u) is None
    assert pats.bits[0][1] == "1" and pats.bits[0][2] == "0"   # untied rows follow sign
    fit = [F(0)] * 4
    for (i, s), u in blocks.items():
        for k, (x, b) in enumerate(zip(data.X, pats.bits[i])):
            fit[k] += s * dot(x, u) if b == "1" else 0
    assert tuple(fit) == net.outputs(data) == (F(0), F(4), F(9), F(0))
    # both neurons lie on the hyperplane of x_0 but in different regions' closures
    assert len(blocks) == 2
    assert compare_convex_nc(net, data, 1) < 0          # unbalanced
