"""Parallel cover search (``jobs = N``, issue 13 item 5).

The serial search is the oracle: a proved cover of ``jobs = 2`` must be the very same
JSON (what a node becomes depends on its path only), verify exactly and give the same
bound.  A worker killed from outside and Ctrl-C in the master must end the call
promptly with an exception and leave no worker process behind."""
import json
import multiprocessing
import os
import signal
import threading
import time
from fractions import Fraction as F

import pytest

from exactrelu.certificate.cover import verify_cover
from exactrelu.certificate.cover_parallel import ExactProblem, expand_roots
from exactrelu.certificate.cover_producer import cover_lower_bound, cover_proof, cover_route
from exactrelu.certificate.produce import certify
from exactrelu.errors import ExactReluError
from exactrelu.problem import Dataset

# sign-split trees (1.1 / 1.6): auto would pick a simplex cover (1.7) at d <= 3
pytestmark = pytest.mark.usefixtures("splits_covers")



def _no_children(seconds: float = 5.0) -> bool:
    """No child process is left: the pool's workers are terminated, and a worker the
    executor spawned on demand just before the shutdown exits within ``seconds`` (seen
    once: one process still alive right after a refuted search, gone moments later)."""
    import time

    end = time.monotonic() + seconds
    while multiprocessing.active_children() and time.monotonic() < end:
        time.sleep(0.05)
    return not multiprocessing.active_children()

def random_data(n, d, seed):
    import random

    rng = random.Random(seed)
    X = [[F(rng.randint(-20, 20), rng.randint(1, 7)) for _ in range(d)] for _ in range(n)]
    y = [F(rng.randint(-30, 30), rng.randint(1, 5)) for _ in range(n)]
    return Dataset.from_arrays(X, y, bias=True)


@pytest.fixture(scope="module")
def hard():
    """Random data at small lam (many active neurons): about 600 nodes at gap 0 (tight
    leaves closed by exact projections), 250 at gap 1e-3; the region route's residual."""
    data = random_data(12, 2, 3)
    lam = F(1, 2)
    res = certify(data, lam, progress=False)
    return data, lam, [F(v) for v in res.certificate["dual"]["r"]], res


@pytest.mark.parametrize("gap", [0, F(1, 10 ** 3)])
def test_jobs2_same_cover_as_serial(hard, gap):
    data, lam, r, res = hard
    one = cover_lower_bound(data, lam, r, gap=gap)
    two = cover_lower_bound(data, lam, r, gap=gap, jobs=2)
    assert one.result.status == two.result.status == "proved"
    assert json.dumps(two.result.cover) == json.dumps(one.result.cover)
    assert two.result.nodes == one.result.nodes and two.result.depth == one.result.depth
    L = sum(a * b for a, b in zip(r, data.y)) - sum(a * a for a in r) / 2
    assert two.lower == one.lower <= L <= res.upper
    ok, why = verify_cover(data.X, two.r, lam, json.loads(json.dumps(two.result.cover)))
    assert ok, why
    assert two.result.stats["jobs"] == 2 and two.result.stats["tasks"] >= 2
    if gap == 0:
        assert two.lower == L               # t = 1: the region route's residual exactly
    assert _no_children()


def test_cover_route_jobs2():
    data = random_data(10, 2, 5)
    lam = F(2)
    one = cover_route(data, lam, gap=F(1, 10 ** 4))
    two = cover_route(data, lam, gap=F(1, 10 ** 4), jobs=2)
    assert one.bound.lower is not None and two.bound.lower == one.bound.lower
    assert verify_cover(data.X, two.bound.r, lam, two.bound.result.cover)[0]


def test_refuted_in_parallel(hard):
    """(F) fails for 1.01 r: the parallel search stops with a witness too (possibly
    another one than the serial search's), and the witness violates (F) in floats."""
    data, lam, r, _ = hard
    up = [a * F(101, 100) for a in r]
    out = cover_proof(data.X, up, lam, jobs=2, budget=20000)
    assert out.status in ("refuted", "stuck") and out.cover is None
    u, s = out.witness, out.witness_sign
    g = s * sum(float(rk) * max(0.0, sum(float(a) * b for a, b in zip(x, u)))
                for x, rk in zip(data.X, up))
    assert g > float(lam) * sum(b * b for b in u) ** 0.5
    assert _no_children()


def test_expand_roots_is_a_pure_chunk(hard):
    """The worker function alone (as Dask or Ray would call it): a time slice from the
    root returns JSON nodes and open nodes; resuming from the open ones, until none
    remain, gives the serial tree's nodes."""
    from exactrelu.approx.cover_search import Node
    from exactrelu.certificate.cover import norm_bounds

    data, lam, r, _ = hard
    r = [a * F(999, 1000) for a in r]
    N = norm_bounds(data.X)
    P = ExactProblem(tuple(tuple(x) for x in data.X), tuple(r), lam, tuple(N), 40)
    settings = dict(rule="hybrid", margin=1e-9, chord=True, improve=0.05)
    entries, todo, chunks = {}, [(1, Node(), {}), (-1, Node(), {})], 0
    while todo:
        ch = expand_roots(P, todo[:3], settings, chunk_nodes=10)
        assert ch.status == "open" and len(ch.entries) >= 1
        todo = ch.open + todo[3:]
        entries.update(ch.entries)
        chunks += 1
    serial = cover_proof(data.X, r, lam)
    assert chunks > 4 and len(entries) == sum(serial.nodes.values())
    from exactrelu.certificate.cover_parallel import _assemble

    assert [_assemble(entries, s) for s in (1, -1)] == \
        [t["nodes"] for t in serial.cover["trees"]]


def _interrupt_later(action):
    """Run ``action(worker processes)`` once the pool has started and run a moment."""
    def run():
        t0 = time.time()
        while time.time() - t0 < 20:
            kids = multiprocessing.active_children()
            if kids:
                time.sleep(0.2)
                action(kids)
                return
            time.sleep(0.01)
    th = threading.Thread(target=run, daemon=True)
    th.start()
    return th


def test_worker_killed_does_not_hang(hard):
    data, lam, r, _ = hard
    _interrupt_later(lambda kids: os.kill(kids[0].pid, signal.SIGKILL))
    t0 = time.time()
    with pytest.raises(ExactReluError, match="worker process died"):
        cover_proof(data.X, r, lam, jobs=2, time_limit=60)
    assert time.time() - t0 < 30
    assert _no_children()


def _slow_nodes(monkeypatch, seconds: float = 0.02) -> None:
    """Every node expansion sleeps ``seconds`` (in the forked workers too: the pool forks
    after the patch), so the search lasts several seconds however loaded the machine is
    (unpatched it takes ~1 s: under load the interrupt came after the search had ended)."""
    import exactrelu.approx.cover_search as cs

    real = cs.expand

    def slow(*a, **kw):
        time.sleep(seconds)
        return real(*a, **kw)
    monkeypatch.setattr(cs, "expand", slow)


def test_ctrl_c_does_not_hang(hard, monkeypatch):
    data, lam, r, _ = hard
    _slow_nodes(monkeypatch)
    # Python's KeyboardInterrupt handler even when the suite runs as a shell's background
    # job (nohup ... &), which starts with SIGINT ignored
    old = signal.signal(signal.SIGINT, signal.default_int_handler)
    _interrupt_later(lambda kids: os.kill(os.getpid(), signal.SIGINT))
    t0 = time.time()
    try:
        with pytest.raises(KeyboardInterrupt):
            cover_proof(data.X, r, lam, jobs=2, time_limit=60)
    finally:
        signal.signal(signal.SIGINT, old)
    assert time.time() - t0 < 30
    assert _no_children()


def test_jobs_must_be_positive(hard):
    data, lam, r, _ = hard
    with pytest.raises(ValueError, match="jobs"):
        cover_proof(data.X, r, lam, jobs=0)


def test_zero_slope_is_kept(hard):
    """A pinned row (its bounds ~0 on the cone) may get slope 0 in a leaf; an absent
    slope means the chord, not 0, so the producer must write "0" (dropping it made the
    exact check reject float-closed leaves and the tree grow: 2918 instead of 318 nodes
    on a random instance).  Negative control: removing such a "0" breaks the cover."""
    import copy

    data, lam, r, _ = hard
    cb = cover_lower_bound(data, lam, r, gap=F(1, 10 ** 3))
    cover = cb.result.cover
    zeros = [(ti, i, k) for ti, t in enumerate(cover["trees"])
             for i, nd in enumerate(t["nodes"]) if "leaf" in nd
             for k, v in nd["leaf"].get("slope", {}).items() if v == "0"]
    assert zeros and cb.result.exact_failures == 0
    broken = 0
    for ti, i, k in zeros:
        bad = copy.deepcopy(cover)
        del bad["trees"][ti]["nodes"][i]["leaf"]["slope"][k]
        broken += not verify_cover(data.X, cb.r, lam, bad)[0]
    assert broken >= 1


def test_cli_jobs_on_the_cover_route(tmp_path, capsys):
    """`certify --route cover --jobs 2` writes a cover certificate both checkers verify,
    the same cover as --jobs 1; --jobs 0 is bad input (exit 2, nothing written)."""
    import sys
    from pathlib import Path

    from exactrelu.certificate.check import check_file
    from exactrelu.cli import main

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "proofs_checks"))
    import check_cert

    csv = tmp_path / "d.csv"
    csv.write_text("0,1\n1,3\n2,2\n-1,0\n3,5\n-2,1\n")
    texts = []
    for jobs in (1, 2):
        out = tmp_path / f"c{jobs}.json"
        assert main(["certify", str(csv), "--bias", "--lam", "1/2", "--route", "cover",
                     "--jobs", str(jobs), "-o", str(out)]) == 0
        assert check_file(out).verdict == "VERIFIED"
        assert check_cert.check(str(out)).verdict == "VERIFIED"
        texts.append(json.loads(out.read_text())["cover"])
    assert texts[0] == texts[1]
    bad = tmp_path / "bad.json"
    assert main(["certify", str(csv), "--lam", "1/2", "--jobs", "0", "-o", str(bad)]) == 2
    assert not bad.exists()
    capsys.readouterr()
