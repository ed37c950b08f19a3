"""Every vertex of a box cut by slabs, proved (exactrelu.optimal_sets.slab_vertices).

The independent reference is an exact brute force over every set of m constraints
(Fractions); the negative controls break one step of the proof each: a tie (degenerate
vertex), a box too wide for the margins, a guess that misses a vertex (the closure check
must refuse it), a guessed point that is not a vertex, and the integer fast path turned
off (the exact fallback must decide the same).
"""
from __future__ import annotations

import itertools
import math
import random
from fractions import Fraction as F

import numpy as np
import pytest

import exactrelu.optimal_sets._slab_float_guess as fg
import exactrelu.optimal_sets.slab_vertices as svm
from exactrelu.optimal_sets.slab_vertices import (SlabForm, constraints, expanded_count,
                                                  slab_vertices)

DELTA = F(1, 2 ** 200)


def _form(seed: int, m: int, R: int, delta=DELTA, width=F(1, 2)) -> SlabForm:
    """m mirror groups (rows R.. of a system of g = 2R + m blocks), R pairs."""
    rng = random.Random(seed)
    g = 2 * R + m
    pairs = tuple((2 * r, 2 * r + 1) for r in range(R))
    groups = tuple(range(2 * R, g))
    W = [[F(rng.randint(-40, 40), 16) for _ in range(m)] for _ in range(R)]
    alpha = [F(rng.randint(1, 40), 16) * width if b < 2 * R else F(rng.randint(4, 40), 16)
             for b in range(g)]
    EW = [[delta] * m for _ in range(R)]
    return SlabForm(g=g, groups=groups, pairs=pairs, W=W, EW=EW, alpha=alpha, delta=delta)


def _solve(rows: list):
    """Gauss-Jordan in Fractions on an augmented square system; None when singular."""
    n = len(rows)
    for c in range(n):
        p = next((r for r in range(c, n) if rows[r][c] != 0), None)
        if p is None:
            return None
        rows[c], rows[p] = rows[p], rows[c]
        for r in range(n):
            if r != c and rows[r][c] != 0:
                f = rows[r][c] / rows[c][c]
                rows[r] = [a - f * b for a, b in zip(rows[r], rows[c])]
    return [rows[i][n] / rows[i][i] for i in range(n)]


def _brute(sf: SlabForm) -> set:
    """Every active set (bit mask) of a vertex of P at the centre, exactly; and whether
    one is degenerate (more than m constraints active)."""
    h, G = constraints(sf)
    m, L = sf.m, sf.L
    out, degenerate = set(), False
    for A in itertools.combinations(range(L), m):
        mu = _solve([list(G[i]) + [-h[i]] for i in A])
        if mu is None:
            continue
        vals = [h[i] + sum((G[i][j] * mu[j] for j in range(m)), F(0)) for i in range(L)]
        if all(v >= 0 for v in vals):
            if sum(v == 0 for v in vals) > m:
                degenerate = True
            out.add(sum(1 << i for i in range(L) if vals[i] == 0))
    return out, degenerate


@pytest.mark.parametrize("seed,m,R", [(s, m, R) for s in range(4) for m, R in
                                      [(3, 1), (4, 2), (5, 2), (6, 3)]])
def test_every_vertex_matches_an_exact_brute_force(seed, m, R):
    sf = _form(seed, m, R)
    want, degenerate = _brute(sf)
    assert not degenerate                           # these seeds are in general position
    sv = slab_vertices(sf)
    assert sv.proved, sv.reason
    assert set(sv.masks.tolist()) == want and sv.count == len(want)


def test_bases_are_the_columns_of_the_inactive_constraints():
    sf = _form(0, 4, 2)
    sv = slab_vertices(sf)
    h, G = constraints(sf)
    for mask in sv.masks.tolist():
        B = sf.basis(mask)
        assert len(B) == sf.g and len(set(B)) == sf.g
        assert {sf.column(i) for i in range(sf.L) if mask >> i & 1}.isdisjoint(B)


def test_expanded_count_is_the_sum_of_products():
    sf = _form(1, 5, 2)
    sv = slab_vertices(sf)
    sizes = [random.Random(c).randint(1, 9) for c in range(sf.g + sf.m)]
    want = sum(math.prod(sizes[c] for c in sf.basis(mask)) for mask in sv.masks.tolist())
    assert expanded_count(sf, sv.masks, sizes) == want


def test_a_degenerate_vertex_is_not_claimed():
    """Slab 0 passes exactly through a corner of the box: a tie."""
    sf = _form(2, 3, 1)
    sf.W[0] = [F(1), F(1), F(0)]
    sf.alpha[1] = sf.alpha[2]                 # W mu <= alpha_1 touches mu_0 = alpha_2, mu_1 = 0
    sv = slab_vertices(sf)
    assert not sv.proved and "degenerate" in sv.reason


def test_a_wide_box_is_refused():
    sf = _form(0, 4, 2, delta=F(1, 10))
    sv = slab_vertices(sf)
    assert not sv.proved


def test_a_guess_missing_a_vertex_is_refused(monkeypatch):
    """The float search "forgets" one vertex (and every edge to it): every vertex it
    keeps is proved, but the closure check finds the edge that leads nowhere."""
    real = fg.guess_vertices

    def lossy(*a, **k):
        masks, nbrs, why = real(*a, **k)
        drop = masks[-1]
        keep = masks != drop
        return masks[keep], nbrs[keep], why
    monkeypatch.setattr(fg, "guess_vertices", lossy)
    sv = slab_vertices(_form(3, 5, 2))
    assert not sv.proved and "no proved vertex" in sv.reason


def test_a_guessed_non_vertex_is_refused(monkeypatch):
    """A mask that is not a vertex (the box's far corner, cut off by the slabs)."""
    real = fg.guess_vertices
    sf = _form(1, 4, 2)
    far = ((1 << sf.m) - 1) << sf.m                 # every mu_t at its upper bound

    def fake(*a, **k):
        masks, nbrs, why = real(*a, **k)
        assert far not in set(masks.tolist())
        masks = np.sort(np.append(masks, np.int64(far)))
        return masks, np.zeros((len(masks), sf.m), dtype=np.int64), why
    monkeypatch.setattr(fg, "guess_vertices", fake)
    sv = slab_vertices(sf)
    assert not sv.proved and "not proved" in sv.reason


@pytest.mark.parametrize("knob", ["coarse grid", "no int64"])
def test_the_exact_fallback_decides_the_same(monkeypatch, knob):
    sf = _form(2, 5, 2)
    want = set(slab_vertices(sf).masks.tolist())
    if knob == "coarse grid":
        monkeypatch.setattr(svm, "T", 1)
    else:
        monkeypatch.setattr(svm, "_LIMIT", 1)
    sv = slab_vertices(sf)
    assert sv.proved and set(sv.masks.tolist()) == want


def test_limits_stop_the_search_with_a_reason():
    sf = _form(0, 6, 3)
    full = slab_vertices(sf)
    cut = slab_vertices(sf, max_vertices=3)
    assert not cut.proved and "more than 3" in cut.reason
    assert set(cut.masks.tolist()) < set(full.masks.tolist())
    late = slab_vertices(sf, time_limit=1e-9)        # stops after its first batch
    assert not late.proved and "out of time" in late.reason
    assert 1 <= late.count and set(late.masks.tolist()) <= set(full.masks.tolist())


def test_progress_bars_change_nothing(monkeypatch):
    """progress=True (what the CLI passes) gives the same vertices; the bars go to
    stderr and only after their one-second delay, so force them on."""
    import tqdm

    real = tqdm.tqdm
    monkeypatch.setattr(tqdm, "tqdm", lambda *a, **k: real(*a, **{**k, "delay": 0}))
    sf = _form(1, 6, 3)
    assert (slab_vertices(sf, progress=True).masks == slab_vertices(sf).masks).all()
