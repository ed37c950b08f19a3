"""Simplex covers (format minor version 1.7, check 13): the producer's exact search, its
own check, the library checker and the standalone checker.

* the spec's worked example (d = 2, one split), VERIFIED by both checkers, and each of
  its stated negative controls;
* produced covers on random data (d = 2, 3): (F) sampled independently in floats at many
  directions, both checkers VERIFIED, the producer's own check agrees;
* a refuted residual: the witness violates (F) exactly (recomputed with Fractions);
* corruption families on a produced certificate (drop a subtree, add one, flip a split,
  swap the signs' trees, truncate, a foreign digit, lam lowered): never VERIFIED, and the
  two checkers give the same verdict;
* the route: ``--cover auto`` picks it at d <= 3, ``--cover splits`` the sign-split tree;
  ``jobs = 2`` gives the same tree; a time limit ends the search without a proof.
"""
from __future__ import annotations

import copy
import json
import math
import random
from fractions import Fraction as F

import numpy as np
import pytest

import test_check_differential as tcd
from exactrelu.certificate import simplex_cover as sc
from exactrelu.certificate.cover_certify import CoverNotProved, certify_cover
from exactrelu.problem import Dataset

VER, MAL, UND = "VERIFIED", "MALFORMED", "UNDECIDED"
REJ13 = ("REJECTED", 13)

EXAMPLE = {"format": "exactrelu-certificate", "version": 1,
           "problem": {"X": [["1", "-1"], ["2", "-1"]], "y": ["1", "-1"], "lam": "1"},
           "patterns": {"bits": [], "complete": False},
           "network": {"W1": [], "w2": []},
           "dual": {"r": ["1", "-1"]},
           "claim": {"lower": "1", "upper": "1"},
           "simplex_cover": {"trees": [{"sign": 1, "tree": "AA=="},
                                        {"sign": -1, "tree": "gA=="}]}}


def _with(tree_minus=None, lam=None, section=None):
    c = copy.deepcopy(EXAMPLE)
    if tree_minus is not None:
        c["simplex_cover"]["trees"][1]["tree"] = tree_minus
    if lam is not None:
        c["problem"]["lam"] = lam
    if section is not None:
        c["simplex_cover"] = section
    return c


def test_worked_example_verified_by_both_checkers():
    assert tcd.both(EXAMPLE) == VER
    res = tcd.lib.check_obj(copy.deepcopy(EXAMPLE))
    assert "simplex cover proof of 10 nodes, 9 leaves" in res.message
    assert "globally optimal" in res.message
    # the producer finds the same forest and its own check agrees
    X, r = [(1, -1), (2, -1)], [1, -1]
    out = sc.simplex_cover(X, r, 1)
    assert out.status == "proved" and out.cover == EXAMPLE["simplex_cover"]
    assert sc.verify_simplex_cover(X, r, 1, EXAMPLE["simplex_cover"]) == (True, "")
    assert sc.simplex_size(EXAMPLE["simplex_cover"], 2) == (10, 9)


@pytest.mark.parametrize("case, expected", [
    (dict(tree_minus="AA=="), REJ13),           # the root leaf fails (c . alpha = 2 > 1)
    (dict(lam="9/10"), REJ13),                  # (F) fails: g_r(e_2) = 1 > 9/10
    (dict(tree_minus="/w=="), MAL),             # 1111 1111: a subtree is missing
    (dict(tree_minus="gAA="), MAL),             # 0x80 0x00: bits after the last tree
    (dict(tree_minus="gB=="), MAL),             # not canonical (a padding bit is 1)
    (dict(tree_minus="g*=="), MAL),             # not base64
    (dict(tree_minus="gA"), MAL),               # no padding
    (dict(tree_minus=""), MAL),
    (dict(tree_minus=128), MAL),
    (dict(section={"trees": [{"sign": 1, "tree": "AA=="}]}), MAL),
    (dict(section={"trees": [{"sign": 1, "tree": "AA=="}, {"sign": 1, "tree": "gA=="}]}),
     MAL),
    (dict(section={"trees": [{"sign": 1, "tree": "AA=="},
                             {"sign": -1, "tree": "gA==", "x": 1}]}), MAL),
    (dict(section={"trees": [], "extra": 1}), MAL),
])
def test_worked_example_negative_controls(case, expected):
    assert tcd.both(_with(**case)) == expected


def test_one_column_has_no_split():
    """d = 1: the roots are the two rays, each leaf test is exact, and a split bit is
    MALFORMED (no edge); the producer proves (F) with two leaves per sign."""
    c = copy.deepcopy(EXAMPLE)
    c["problem"]["X"] = [["1"], ["-2"]]
    c["dual"]["r"] = ["1", "1/4"]                     # g = (u)_+ + (-2u)_+ / 4 <= |u|
    c["claim"] = {"lower": "7/32", "upper": "1"}      # L = 3/4 - 17/32
    c["simplex_cover"] = {"trees": [{"sign": 1, "tree": "AA=="}, {"sign": -1, "tree": "AA=="}]}
    out = sc.simplex_cover([(1,), (-2,)], [1, F(1, 4)], 1)
    assert out.status == "proved" and out.cover == c["simplex_cover"]
    assert tcd.both(c) == VER
    c["simplex_cover"]["trees"][1]["tree"] = "gA=="   # 1, 0, 0: a split at d = 1
    assert tcd.both(c) == MAL


def test_a_deep_chain_is_replayed_without_recursion():
    """A valid but hostile shape: 1,200 nested splits of one root (each cone splits again,
    the other child a leaf).  Both checkers replay it (no recursion limit) and agree; the
    producer's own check too."""
    c = copy.deepcopy(EXAMPLE)
    bits = [1] * 1200 + [0] * 1201 + [0] * 3          # deeper than the recursion limit
    c["simplex_cover"]["trees"][1]["tree"] = sc.encode_bits(bits)
    assert tcd.both(c) == VER
    assert sc.verify_simplex_cover([(1, -1), (2, -1)], [1, -1], 1, c["simplex_cover"])[0]


def test_a_huge_tree_string_is_undecided_before_it_is_decoded(monkeypatch):
    """The read is charged per character before the bits exist (no memory blow-up): with
    the work limit at 6e9 ns, 12 M characters (72 M bits) are UNDECIDED in both."""
    from exactrelu.certificate.check import budget

    monkeypatch.setattr(budget, "WORK_LIMIT_NS", 6e9)
    monkeypatch.setattr(tcd.cc, "WORK_LIMIT_NS", 6e9)
    c = copy.deepcopy(EXAMPLE)
    c["simplex_cover"]["trees"][1]["tree"] = "A" * (12 * 10 ** 6)
    assert tcd.both(c) == UND


def test_one_cover_section_only():
    c = copy.deepcopy(EXAMPLE)
    c["cover"] = {"N": ["2", "3"], "trees": [{"sign": 1, "nodes": [{"leaf": {}}]},
                                             {"sign": -1, "nodes": [{"leaf": {}}]}]}
    assert tcd.both(c) == MAL


def test_example_refuted_by_the_producer_at_a_smaller_lam():
    out = sc.simplex_cover([(1, -1), (2, -1)], [1, -1], F(9, 10), collect=4)
    assert out.status == "refuted" and out.cover is None and out.witnesses
    for s, u, _ in out.witnesses:
        g = s * (max(u[0] - u[1], 0) - max(2 * u[0] - u[1], 0))
        assert g > 0.9 * math.hypot(*u) + 1e-12


# ------------------------------------------------------------------ produced covers

def _random(seed, n, d, bias=True):
    rng = random.Random(seed)
    X = [[F(rng.randint(-9, 9), rng.randint(1, 4)) for _ in range(d)] for _ in range(n)]
    y = [F(rng.randint(-9, 9), rng.randint(1, 3)) for _ in range(n)]
    return Dataset.from_arrays(X, y, bias=bias)


def _sampled_max(X, r, s, k=20000, seed=0):
    """max of s g_r(u) / ||u|| over k random directions (floats: an independent estimate)."""
    rng = np.random.default_rng(seed)
    U = rng.normal(size=(k, len(X[0])))
    U /= np.linalg.norm(U, axis=1)[:, None]
    Xf = np.array([[float(a) for a in row] for row in X])
    rf = np.array([float(a) for a in r])
    return float((s * (np.maximum(U @ Xf.T, 0) @ rf)).max())


@pytest.mark.parametrize("seed, n, d, bias", [(1, 12, 2, False), (2, 14, 1, True),
                                              (3, 16, 2, True), (4, 25, 3, False)])
def test_produced_cover_proves_F(seed, n, d, bias):
    data = _random(seed, n, d, bias)
    rng = random.Random(seed)
    r = [F(rng.randint(-20, 20), 8) for _ in range(n)]
    # lam just above the sampled maximum of |g_r|: the search must resolve near it
    lam = F(round(1.02 * max(_sampled_max(data.X, r, 1), _sampled_max(data.X, r, -1)) * 64)
            + 1, 64)
    out = sc.simplex_cover(data.X, r, lam)
    assert out.status == "proved", out.status
    assert sc.verify_simplex_cover(data.X, r, lam, out.cover) == (True, "")
    nodes = sum(out.nodes.values())
    assert sc.simplex_size(out.cover, data.d)[0] == nodes
    # a lam below the sampled maximum is refuted, with a witness that violates (F) exactly
    low = F(round(0.95 * max(_sampled_max(data.X, r, 1), _sampled_max(data.X, r, -1)) * 64),
            64)
    bad = sc.simplex_cover(data.X, r, low, collect=3)
    assert bad.status == "refuted" and bad.witnesses
    for s, u, _ in bad.witnesses:
        g = s * sum(float(rk) * max(sum(float(a) * b for a, b in zip(x, u)), 0.0)
                    for rk, x in zip(r, data.X))
        assert g > float(low) * (1 - 1e-9)


@pytest.fixture(scope="module")
def produced():
    data = _random(7, 24, 2, True)          # d = 3 with the bias column
    res = certify_cover(data, F(3, 2), gap=F(1, 10 ** 4), progress=False)
    assert "simplex_cover" in res.certificate
    return data, json.loads(json.dumps(res.certificate))


def test_produced_certificate_verified_by_both(produced):
    data, cert = produced
    assert tcd.both(cert) == VER
    msg = tcd.lib.check_obj(copy.deepcopy(cert)).message
    assert "by a simplex cover proof of" in msg
    assert cert["provenance"]["route"] == "cover"


def _flip(text, bit):
    bits = sc.decode_bits(text)
    bits[bit] ^= 1
    return sc.encode_bits(bits)


def _corrupt(cert, how, rng):
    c = copy.deepcopy(cert)
    t = c["simplex_cover"]["trees"][rng.randrange(2)]
    bits = sc.decode_bits(t["tree"])
    ones = [i for i, b in enumerate(bits) if b]
    if how == "drop_subtree":       # a split becomes a leaf: its subtree is dropped
        i = rng.choice(ones)
        t["tree"] = sc.encode_bits(bits[:i] + [0] + bits[_subtree_end(bits, i):])
    elif how == "add_subtree":      # a leaf becomes a split with two leaves
        i = rng.choice([i for i, b in enumerate(bits[:len(bits) - 3]) if not b])
        t["tree"] = sc.encode_bits(bits[:i] + [1, 0, 0] + bits[i + 1:])
    elif how == "flip_bit":
        t["tree"] = _flip(t["tree"], rng.choice(ones))
    elif how == "swap_signs":
        a, b = c["simplex_cover"]["trees"]
        a["tree"], b["tree"] = b["tree"], a["tree"]
    elif how == "truncate":         # the last 4 characters (3 bytes) cut off
        t["tree"] = t["tree"][:-4] or "AA=="
    elif how == "foreign_digit":
        t["tree"] = t["tree"][:-5] + "*" + t["tree"][-4:]
    elif how == "lower_lam":
        c["problem"]["lam"] = str(F(c["problem"]["lam"]) * F(9, 10))
    return c


def _subtree_end(bits, i):
    need = 1
    while need:
        need += 1 if bits[i] else -1
        i += 1
    return i


CORRUPTIONS = ["drop_subtree", "flip_bit", "swap_signs", "truncate", "foreign_digit",
               "lower_lam"]


@pytest.mark.parametrize("how", CORRUPTIONS)
def test_corruptions_never_verified(produced, how):
    _, cert = produced
    rng = random.Random(CORRUPTIONS.index(how))
    seen = set()
    for _ in range(3):
        c = _corrupt(cert, how, rng)
        if c == cert:
            continue
        out = tcd.both(c)
        assert out != VER, how
        seen.add(out)
    if how == "drop_subtree":
        assert REJ13 in seen or MAL in seen


def test_a_refined_leaf_is_still_a_proof(produced):
    """Not a corruption: a leaf split once more (two leaves) is a finer cover of the same
    cone, and the sub-cones' relaxations hold whenever the parent's does here; the
    checkers agree (VERIFIED, or REJECTED if a child's relaxation were looser)."""
    _, cert = produced
    rng = random.Random(5)
    for _ in range(3):
        c = _corrupt(cert, "add_subtree", rng)
        assert tcd.both(c) in (VER, REJ13, MAL)


def test_drop_subtree_in_place_is_rejected(produced):
    """A split replaced by a leaf while the rest of the string stays well-formed (a whole
    root tree replaced by one leaf, the padding adjusted): REJECTED, check 13."""
    _, cert = produced
    c = copy.deepcopy(cert)
    for t in c["simplex_cover"]["trees"]:
        bits = sc.decode_bits(t["tree"])
        end = 0
        for _ in range(8):                  # the 2^3 root trees, without the padding
            end = _subtree_end(bits, end)
        bits = bits[:end]
        if bits[0] == 1:
            t["tree"] = sc.encode_bits([0] + bits[_subtree_end(bits, 0):])
            break
    else:  # pragma: no cover - the data are chosen so that some root splits
        pytest.skip("no root splits")
    assert tcd.both(c) == REJ13


def test_cover_kind_and_jobs():
    data = _random(11, 18, 2, True)
    lam = F(2)
    one = certify_cover(data, lam, gap=F(1, 10 ** 4), progress=False)
    two = certify_cover(data, lam, gap=F(1, 10 ** 4), progress=False, jobs=2)
    assert one.certificate["simplex_cover"] == two.certificate["simplex_cover"]
    splits = certify_cover(data, lam, gap=F(1, 10 ** 4), progress=False, cover="splits")
    assert "simplex_cover" not in splits.certificate
    assert {"cover", "quadratic_cover"} & set(splits.certificate)
    with pytest.raises(CoverNotProved):
        certify_cover(data, lam, gap=F(1, 10 ** 4), progress=False, time_limit=0.0,
                      max_rounds=1)


def test_simplex_cover_refused_in_high_dimension():
    data = _random(3, 12, sc.LIMIT_D, True)      # d = LIMIT_D + 1 with the bias column
    from exactrelu.errors import InputError

    with pytest.raises(InputError, match="--cover splits"):
        certify_cover(data, F(2), gap=F(1, 100), progress=False, cover="simplex")


def test_cli_route_cover_writes_a_simplex_cover(tmp_path, capsys):
    from exactrelu.cli import main

    data = _random(5, 20, 2, False)
    csv = tmp_path / "d.csv"
    csv.write_text("\n".join(",".join(str(v) for v in (*row, t))
                             for row, t in zip(data.X, data.y)) + "\n")
    out = tmp_path / "c.json"
    assert main(["certify", str(csv), "--bias", "--lam", "2", "--route", "cover",
                 "--gap", "1e-4", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "route: cover" in text
    cert = json.loads(out.read_text())
    assert "simplex_cover" in cert and tcd.both(cert) == VER
    bad = tmp_path / "b.json"
    with pytest.raises(SystemExit) as exc:     # argparse: one line, exit 2
        main(["certify", str(csv), "--bias", "--lam", "2", "--route", "cover",
              "--cover", "simplex-ish", "-o", str(bad)])
    assert exc.value.code == 2 and not bad.exists()
    assert "--cover: invalid choice" in capsys.readouterr().err


def test_optimal_set_reads_a_simplex_cover_certificate(produced, tmp_path, capsys):
    """``exactrelu optimal-set`` on a cover certificate of format 1.7 (the reader counted
    the nodes of sign-split trees only: an internal error)."""
    from exactrelu.cli import main
    from exactrelu.results import Certificate

    _, cert = produced
    path = tmp_path / "c.json"
    path.write_text(json.dumps(cert))
    loaded = Certificate.load(str(path))
    assert loaded.tree_nodes == sc.simplex_size(cert["simplex_cover"], 3)[0]
    assert main(["optimal-set", str(path)]) == 0
    assert "optimal set" in capsys.readouterr().out


def test_undecided_enclosure_is_printed(capsys):
    """The branch of ``optimal-set`` for an enclosure that decides nothing printed
    ``float("p/q")`` (an internal error on the first cover certificate that reached it)."""
    from exactrelu.cli.optimal_set import _print_enclosure

    _print_enclosure({"computed_now": True, "complete": False, "decided": False,
                      "candidates": [0, 1, 2], "radius_sq": "1/3"})
    out = capsys.readouterr().out
    assert "among 3 candidate blocks" in out and "3.333e-01" in out


def test_a_refuted_search_keeps_its_node_budget(produced):
    """Gathering witnesses (``collect``) after a refutation stays within the node budget
    (``budget // (2 * 2^d)`` nodes per root tree; before: 1,898 nodes for a budget of 320
    on this sign)."""
    data, cert = produced
    r = [F(v) for v in cert["dual"]["r"]]
    out = sc.simplex_cover(data.X, r, F(3, 2) * F(9, 10), collect=10 ** 6, budget=16 * 40)
    assert out.witnesses and out.status in ("refuted", "budget")
    assert all(v <= 8 * 40 for v in out.nodes.values()), out.nodes
