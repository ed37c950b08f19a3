"""Valid certificates for the checker's tests, built with plain Fraction arithmetic.

Standard library only, independent of exactrelu and of check_cert (nothing is copied from
the checker: regions come from a grid of integer gates, bounds from the objectives written
out directly).  Every builder returns a fresh dict; `FIXTURES` maps a name to its builder.

* `example_1d`: d = 1, no bias, x = (1, -4), y = (3, 3/2), lam = 2 (docs/theory.md §5.1, example
  A/C).  The optimum is known in closed form: s* = 1, t* = 1/4, fit (1, 1), residual
  r = (2, 1/2), p* = 37/8; the network has neurons (1, 1) and (-1/2, 1/2).
* `example_1d_optimal_set`: the same with the optimal-set section (the solution is unique).
* `example_gp_2d`: n = 4 pairwise independent rows in R^2, 8 regions, general-position
  route, the trivial dual r = 0 (L = 0) and a two-neuron network for U.
* `example_degenerate_2d`: parallel and antiparallel rows plus a zero row (6 rows, 3 lines,
  6 regions), Gordan entries for completeness, a dual whose multipliers are needed, and
  blocks whose norms are irrational (norm_upper is a rational bound above).

`drop_pattern` (a corruption used by the checker tests and by `theorems.py`) removes a
pattern and renumbers everything that refers to it.
"""
from fractions import Fraction as F
from itertools import combinations, product


def q(x):
    """The canonical rational string of x."""
    return str(F(x))


def qs(v):
    return [q(x) for x in v]


def dot(a, b):
    return sum((F(u) * w for u, w in zip(a, b)), F(0))


def regions(X, radius=4):
    """{pattern: gate} for every pattern 1[Xg > 0] (zero rows 1) of an integer gate g in the
    grid [-radius, radius]^d with no tie on a nonzero row; sorted by pattern."""
    found = {}
    for g in product(range(-radius, radius + 1), repeat=len(X[0])):
        vals = [dot(x, g) for x in X]
        if any(v == 0 and any(x) for v, x in zip(vals, X)):
            continue
        p = "".join("1" if v > 0 or not any(x) else "0" for v, x in zip(vals, X))
        found.setdefault(p, list(g))
    return dict(sorted(found.items()))


def parallel(a, b):
    return any(a) and any(b) and all(a[i] * b[j] == a[j] * b[i]
                                     for i in range(len(a)) for j in range(len(a)))


def classes(X):
    out = []
    for k, x in enumerate(X):
        if any(x):
            for C in out:
                if parallel(X[C[0]], x):
                    C.append(k)
                    break
            else:
                out.append([k])
    return out


def gordan_2d(X, t):
    """y >= 0 on at most 3 nonzero rows with sum y_k t_k x_k = 0 (X in R^2), or None."""
    a = {k: [t[k] * c for c in x] for k, x in enumerate(X) if any(x)}
    for k1, k2 in combinations(a, 2):
        if parallel(a[k1], a[k2]) and dot(a[k1], a[k2]) < 0:
            return {k1: F(1), k2: F(abs(a[k1][0] or a[k1][1]), abs(a[k2][0] or a[k2][1]))}
    for k1, k2, k3 in combinations(a, 3):
        (p, r), (s, u), (v, w) = a[k1], a[k2], a[k3]
        det = p * u - r * s
        if det:  # y1 a1 + y2 a2 = -a3
            y1, y2 = F(-v * u + w * s, det), F(-p * w + r * v, det)
            if y1 >= 0 and y2 >= 0:
                return {k1: y1, k2: y2, k3: F(1)}
    return None


def c_vector(X, p, r, s):
    """s X^T D_p r."""
    return [s * sum((F(r[k]) * X[k][j] for k in range(len(X)) if p[k] == "1"), F(0))
            for j in range(len(X[0]))]


def best_single_rho(X, p, c):
    """The multiplier on one row that minimises ||c + rho_k t_k x_k||: (k, rho, ||q||^2)."""
    best = (None, F(0), dot(c, c))
    for k, x in enumerate(X):
        a = [(1 if p[k] == "1" else -1) * v for v in x]
        if any(a):
            rho = max(F(0), -dot(c, a) / dot(a, a))
            qv = [ci + rho * ai for ci, ai in zip(c, a)]
            if dot(qv, qv) < best[2]:
                best = (k, rho, dot(qv, qv))
    return best


def loss(f, y):
    return sum(((F(a) - F(b)) ** 2 for a, b in zip(f, y)), F(0)) / 2


def nc_objective(X, y, lam, W1, w2):
    f = [sum((F(b) * max(F(0), dot(x, w)) for w, b in zip(W1, w2)), F(0)) for x in X]
    return loss(f, y) + F(lam) / 2 * sum((dot(w, w) + F(b) ** 2 for w, b in zip(W1, w2)), F(0))


def dual_value(y, r):
    return dot(r, y) - dot(r, r) / 2


def _cert(X, y, lam, pats, complete=True, gp=False, gordan=()):
    return {"format": "exactrelu-certificate", "version": 1,
            "problem": {"X": [qs(x) for x in X], "y": qs(y), "lam": q(lam), "bias": False},
            "patterns": {"bits": list(pats), "complete": complete, "general_position": gp,
                         "witnesses": [qs(g) for g in pats.values()], "gordan": list(gordan)},
            "provenance": {"built_by": "proofs_checks/fixtures_build.py", "seconds": 0.5}}


def example_1d():
    X, y, lam, r = [[1], [-4]], [3, F(3, 2)], 2, [2, F(1, 2)]
    pats = regions(X)
    assert list(pats) == ["01", "10"]  # g < 0 activates row 1, g > 0 row 0
    cert = _cert(X, y, lam, pats)
    W1, w2 = [[1], [F(-1, 2)]], [1, F(1, 2)]
    p_star = F(37, 8)
    assert nc_objective(X, y, lam, W1, w2) == p_star == dual_value(y, r)
    cert["network"] = {"W1": [qs(w) for w in W1], "w2": qs(w2)}
    # convex blocks u = |w2| W1: (pattern "10", +1, u = 1), (pattern "01", +1, u = -1/4)
    cert["blocks"] = [{"pattern": 1, "sign": 1, "u": ["1"], "norm_upper": "1"},
                      {"pattern": 0, "sign": 1, "u": ["-1/4"], "norm_upper": "1/4"}]
    # sign -1 blocks: c = -2 on "10" and +2 on "01"; a multiplier makes q = 0 (not tight)
    cert["dual"] = {"r": qs(r), "rho": [{"pattern": 1, "sign": -1, "values": {"0": "2"}},
                                         {"pattern": 0, "sign": -1, "values": {"1": "1/2"}}]}
    cert["claim"] = {"lower": q(p_star), "upper": q(p_star)}
    return cert


def example_1d_optimal_set():
    cert = example_1d()
    X, y, lam, r = [[1], [-4]], [3, F(3, 2)], 2, [2, F(1, 2)]
    fit = [F(a) - b for a, b in zip(y, r)]
    blocks = []
    for i, p in ((1, "10"), (0, "01")):
        v = c_vector(X, p, r, 1)  # in the cone already: v = Proj_K(c), rho = 0
        assert dot(v, v) == lam ** 2
        blocks.append((i, v, [F(1) * x[0] * v[0] if p[k] == "1" else F(0)
                              for k, x in enumerate(X)]))
    alpha = [F(1, 2), F(1, 8)]
    assert [sum(a * b[2][k] for a, b in zip(alpha, blocks)) for k in range(2)] == fit
    cert["optimal_set"] = {"fit": qs(fit),
                           "blocks": [{"pattern": i, "sign": 1, "v": qs(v), "rho": {}}
                                      for i, v, _ in blocks],
                           "vertices": [{"alpha": {"0": q(alpha[0]), "1": q(alpha[1])}}]}
    return cert


def example_gp_2d():
    X, y, lam = [[1, 0], [0, 1], [1, 1], [1, -1]], [1, 2, -1, F(1, 2)], F(1, 2)
    pats = regions(X)
    assert len(pats) == 8 == 2 * (1 + 3)  # Cover's count for n = 4, d = 2
    cert = _cert(X, y, lam, pats, gp=True)
    W1, w2 = [[1, 0], [0, 2]], [1, F(1, 2)]
    U = nc_objective(X, y, lam, W1, w2)
    cert["network"] = {"W1": [qs(w) for w in W1], "w2": qs(w2)}
    cert["dual"] = {"r": qs([0] * 4), "rho": []}
    cert["claim"] = {"lower": "0", "upper": q(U)}
    return cert


DEGENERATE_X = [[1, 0], [2, 0], [-1, 0], [0, 0], [1, 1], [0, 1]]


def example_degenerate_2d():
    X, y, lam, r = DEGENERATE_X, [1, F(3, 2), -1, 1, 2, 3], 1, [-1, 0, -1, 0, 0, 1]
    pats = regions(X)
    assert len(pats) == 6  # three distinct lines through 0
    bits = list(pats)
    gordan = []
    for i, p in enumerate(bits):
        for C in classes(X):
            flipped = "".join(("1" if ch == "0" else "0") if k in C else ch
                              for k, ch in enumerate(p))
            if flipped not in pats:
                t = [1 if ch == "1" else -1 for ch in flipped]
                yv = gordan_2d(X, t)
                assert yv is not None
                gordan.append({"pattern": i, "flip": C,
                               "y": {str(k): q(v) for k, v in yv.items()}})
    assert gordan
    cert = _cert(X, y, lam, pats, gordan=gordan)
    rho = []
    for i, p in enumerate(bits):
        for s in (1, -1):
            c = c_vector(X, p, r, s)
            if dot(c, c) > lam ** 2:  # only where a multiplier is needed
                k, val, n2 = best_single_rho(X, p, c)
                assert n2 <= lam ** 2
                rho.append({"pattern": i, "sign": s, "values": {str(k): q(val)}})
    assert rho
    cert["dual"] = {"r": qs(r), "rho": rho}
    # u = (1, 1) lies in the region "110111"; u = (-1, -2) in "001100" (||u||^2 = 2 and 5)
    blocks = [("110111", 1, [1, 1], F(3, 2)), ("001100", -1, [-1, -2], F(9, 4))]
    f = [F(0)] * len(X)
    for p, s, u, nu in blocks:
        assert nu ** 2 >= dot(u, u)
        f = [fk + (s * dot(x, u) if p[k] == "1" else 0) for k, (fk, x) in enumerate(zip(f, X))]
    U = loss(f, y) + lam * sum(b[3] for b in blocks)
    cert["blocks"] = [{"pattern": bits.index(p), "sign": s, "u": qs(u), "norm_upper": q(nu)}
                      for p, s, u, nu in blocks]
    cert["claim"] = {"lower": q(dual_value(y, r)), "upper": q(U)}
    return cert


# ------------------------------------------------------------- a corruption, shared

def drop_pattern(cert, p=-1):
    """Remove pattern p with its witness, and everything that refers to it (renumbered)."""
    pa = cert["patterns"]
    p %= len(pa["bits"])
    del pa["bits"][p], pa["witnesses"][p]

    def keep(entries):
        out = [e for e in entries if e["pattern"] != p]
        for e in out:
            e["pattern"] -= e["pattern"] > p
        return out
    pa["gordan"] = keep(pa.get("gordan", []))
    cert["dual"]["rho"] = keep(cert["dual"]["rho"])
    if "blocks" in cert:
        cert["blocks"] = keep(cert["blocks"])
    if "optimal_set_enclosure" in cert:     # format 1.5: renumber its blocks too
        e = cert["optimal_set_enclosure"]
        for key in ("candidates", "rho", "twins", "mirrors"):
            if key in e:
                e[key] = keep(e[key])
        if "system" in e:
            e["system"]["blocks"] = keep(e["system"]["blocks"])
    if "optimal_set" in cert:
        o = cert["optimal_set"]
        kept = [b for b, e in enumerate(o["blocks"]) if e["pattern"] != p]
        o["blocks"] = keep(o["blocks"])
        for v in o["vertices"]:
            v["alpha"] = {str(kept.index(int(b))): a for b, a in v["alpha"].items()
                          if int(b) in kept}
    return cert



FIXTURES = {"1d": example_1d, "1d_optimal_set": example_1d_optimal_set,
            "gp_2d": example_gp_2d, "degenerate_2d": example_degenerate_2d}
