"""Parallel cover search: independent subtrees on a process pool (``jobs = N``).

A cover tree's subtrees are independent: the float search below a node
(:func:`exactrelu.approx.cover_search.search` with ``root = node``) needs only the data,
the node (its sign constraints and the float bounds it inherits), the sign, the search
settings and the *exact* bounds the node inherits from its ancestors' splits; every leaf
it closes is checked exactly there (the producer's ``_Exactifier``).  So the work is the
pure function :func:`expand_roots`

    (problem data, [(sign, node, inherited exact bounds)], settings, chunk)
        -> JSON nodes keyed by (sign, S)  +  the nodes still open,

whose arguments and result are plain picklable values (rationals, tuples, dicts, the
frozen :class:`~exactrelu.approx.cover_search.Node`): a process pool, Dask or Ray can run
it.  python-flint matrices cannot be pickled, so each process rebuilds the exact context
(:class:`~exactrelu.certificate.cover._Context`) from the rationals once (pool
initializer; :func:`_prepared` caches it per process).

The master (:func:`parallel_cover`) keeps a queue of open nodes of both signs, hands
each idle worker a share of it for a time slice (``chunk_seconds``: load balancing by
resubmitting what is left), and assembles the pre-order trees at the end by a
depth-first walk over the ``(sign, S) -> node`` table.

Determinism: what a node becomes (leaf proof or split with its bounds) is a function of
its path alone, so a **proved** cover is identical, byte for byte, to the one of
``jobs = 1`` (and the exact leaf check decided every leaf anyway).  What may differ when
the search does not prove (F): which witness a ``refuted``/``stuck`` search reports
(the first one any worker finds; the serial search stops at the first in pre-order of
sign +1 then -1), the node counts at that moment, and with ``time_limit`` how far it
got.  ``time_limit`` bounds the wall-clock time of both signs together here (they run
concurrently); with ``jobs = 1`` it bounds each sign.  ``budget`` bounds the nodes per
sign, checked between time slices (it may be exceeded by one slice).

Interruption: workers ignore SIGINT; on Ctrl-C in the master, a worker that dies, or
any other exception, the pool is shut down and its processes are terminated before the
exception propagates (no hang, no orphaned process).
"""
from __future__ import annotations

import math
import signal
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..errors import ExactReluError
from .cover import _Context

__all__ = ["ExactProblem", "Chunk", "expand_roots", "parallel_cover"]


@dataclass(frozen=True)
class ExactProblem:
    """The exact data of one (F) instance (rationals only: picklable)."""

    X: tuple                 # rows of Fractions
    r: tuple
    lam: Fraction
    N: tuple                 # N_k >= ||x_k||
    bits: int                # dyadic rounding of the leaf proofs

    def context(self) -> _Context:
        """The exact context of the leaf checks (raises ``_Reject`` on bad data)."""
        return _Context(self.X, self.r, self.lam, list(self.N))

    def float_problem(self):
        from ..approx.cover_search import make_problem

        return make_problem([[float(a) for a in row] for row in self.X],
                            [float(a) for a in self.r], float(self.lam),
                            [float(a) for a in self.N])


@dataclass
class Chunk:
    """What one call of :func:`expand_roots` produced."""

    entries: dict = field(default_factory=dict)   # {(sign, S): JSON node}
    open: list = field(default_factory=list)      # [(sign, Node, inherited exact bounds)]
    status: str = "open"           # "open" (nothing failed) | "refuted" | "stuck"
    witness: Any = None
    witness_sign: int | None = None
    witness_value: float | None = None
    witnesses: list = field(default_factory=list)     # [(sign, u, value)]
    failures: int = 0
    seconds_search: float = 0.0    # float search, without the exact checks
    seconds_exact: float = 0.0


_CACHE: dict = {}


def _prepared(problem: ExactProblem) -> tuple:
    """``(exact context, float problem)``, built once per process and problem."""
    got = _CACHE.get("problem")
    if got is None or got[0] is not problem:
        _CACHE["problem"] = (problem, problem.context(), problem.float_problem())
    return _CACHE["problem"][1:]


def expand_roots(problem: ExactProblem, roots: list, settings: dict, *,
                 chunk_seconds: float = 1.0, chunk_nodes: int = 10 ** 9) -> Chunk:
    """Search below each root ``(sign, node, inherited)`` in turn (depth first, leaves
    checked exactly) for about ``chunk_seconds`` / ``chunk_nodes``; the nodes not reached
    are returned open (at least one node is processed)."""
    from ..approx.cover_search import search
    from .cover_producer import _Exactifier

    ctx, P = _prepared(problem)
    t0 = time.perf_counter()
    out = Chunk()
    done = 0
    todo = list(roots)
    while todo:
        s, node, inh = todo.pop(0)
        left = chunk_seconds - (time.perf_counter() - t0)
        if done and (left <= 0 or done >= chunk_nodes):
            out.open.append((s, node, inh))
            continue
        ex = _Exactifier(ctx, problem.bits, base=inh)
        res = search(P, s, root=node, budget=max(1, chunk_nodes - done),
                     time_limit=max(left, 0.0), accept=ex, on_split=ex.on_split, **settings)
        done += res.nodes
        out.failures += ex.failures
        out.seconds_exact += ex.seconds
        out.seconds_search += res.seconds - ex.seconds
        out.entries.update(((s, S), j) for S, j in ex.tree_nodes(s, res.tree))
        if res.status in ("refuted", "stuck"):
            out.status, out.witness, out.witness_sign = res.status, res.witness, s
            out.witness_value = res.witness_value
            out.witnesses = [(s, u, v) for u, v in res.witnesses if u is not None]
            return out
        out.open.extend((s, nd, ex.inherited(s, nd.S)) for nd in reversed(res.open))
    return out


def _init_worker(problem: ExactProblem) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # Ctrl-C is the master's business
    _CACHE["pool"] = problem
    _prepared(problem)


def _pool_task(roots: list, settings: dict, chunk_seconds: float) -> Chunk:
    return expand_roots(_CACHE["pool"], roots, settings, chunk_seconds=chunk_seconds)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel what is queued and terminate the workers now (a running time slice is
    not waited for).  ``_processes`` is private, but ``terminate_workers`` exists only
    from Python 3.14 on."""
    if hasattr(pool, "terminate_workers"):  # pragma: no cover - Python >= 3.14
        pool.terminate_workers()
        return
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    # a worker spawned on demand between the snapshot and the shutdown is terminated too
    # (seen once: one ForkProcess still alive after a refuted search)
    procs += [p for p in list((getattr(pool, "_processes", None) or {}).values())
              if p not in procs]
    for p in procs:
        if p.is_alive():
            p.terminate()
    for p in procs:
        p.join(10)


def _assemble(entries: dict, s: int) -> list:
    """The pre-order list of sign ``s`` from the ``(sign, S) -> node`` table."""
    out, stack = [], [()]
    while stack:
        S = stack.pop()
        item = entries[(s, S)]
        out.append(item)
        if "split" in item:
            k = item["split"]
            stack.append(S + ((k, -1),))
            stack.append(S + ((k, 1),))
    return out


class _Master:
    """Bookkeeping of :func:`parallel_cover` (queue, counts, the first failure)."""

    def __init__(self, jobs: int, budget: int, progress: bool) -> None:
        from ..approx.cover_search import Node

        self.jobs, self.budget = jobs, budget
        self.queue: deque = deque([(1, Node(), {}), (-1, Node(), {})])
        self.entries: dict = {}
        self.nodes = {1: 0, -1: 0}
        self.depth = {1: 0, -1: 0}
        self.failed: Chunk | None = None
        self.failures = 0
        self.tasks = 0
        self.seconds = [0.0, 0.0]
        self.bar = None
        if progress:
            from tqdm import tqdm

            self.bar = tqdm(desc=f"cover jobs={jobs}", unit="node", leave=False)

    def batch(self, free: int) -> list:
        take = math.ceil(len(self.queue) / free)
        return [self.queue.popleft() for _ in range(take)]

    def merge(self, ch: Chunk) -> None:
        self.tasks += 1
        for (s, S), _ in ch.entries.items():
            self.nodes[s] += 1
            self.depth[s] = max(self.depth[s], len(S))
        self.entries.update(ch.entries)
        self.queue.extend(ch.open)
        self.failures += ch.failures
        self.seconds[0] += ch.seconds_search
        self.seconds[1] += ch.seconds_exact
        if ch.status != "open" and self.failed is None:
            self.failed = ch
        if self.bar is not None:
            self.bar.update(len(ch.entries))
            self.bar.set_postfix(open=len(self.queue), nodes=sum(self.nodes.values()),
                                 refresh=False)

    def over(self, t0: float, time_limit: float | None) -> bool:
        return (max(self.nodes.values()) >= self.budget or
                (time_limit is not None and time.perf_counter() - t0 > time_limit))


def _run(pool: ProcessPoolExecutor, m: _Master, settings: dict, chunk_seconds: float,
         t0: float, time_limit: float | None) -> str:
    running: set = set()
    while m.queue or running:
        if m.failed is not None:
            return m.failed.status
        if m.over(t0, time_limit):
            return "budget"
        while m.queue and len(running) < m.jobs:
            running.add(pool.submit(_pool_task, m.batch(m.jobs - len(running)), settings,
                                    chunk_seconds))
        done, running = wait(running, timeout=0.5, return_when=FIRST_COMPLETED)
        for f in done:
            m.merge(f.result())
    return m.failed.status if m.failed is not None else "proved"


def parallel_cover(problem: ExactProblem, settings: dict, *, jobs: int, budget: int,
                   time_limit: float | None = None, progress: bool = False,
                   chunk_seconds: float = 0.5):
    """:func:`~exactrelu.certificate.cover_producer.cover_proof` on ``jobs`` processes
    (see the module doc for what is identical and what may differ)."""
    from .cover_producer import CoverResult, cover_json

    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise ValueError(f"jobs must be a positive integer, got {jobs!r}")
    t0 = time.perf_counter()
    m = _Master(jobs, budget, progress)
    pool = ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(problem,))
    try:
        status = _run(pool, m, settings, chunk_seconds, t0, time_limit)
    except BrokenProcessPool as exc:
        _stop(pool)
        raise ExactReluError(f"cover search: a worker process died ({exc}); "
                             "try again with jobs=1") from exc
    except BaseException:
        _stop(pool)
        raise
    finally:
        if m.bar is not None:
            m.bar.close()
    _stop(pool)
    stats = {"jobs": jobs, "wall": time.perf_counter() - t0, "tasks": m.tasks}
    if status != "proved":
        f = m.failed or Chunk()
        return CoverResult(status, None, m.nodes, m.depth, m.seconds[0], m.seconds[1],
                           m.failures, f.witness, f.witness_sign, f.witness_value, stats,
                           f.witnesses)
    trees = [{"sign": s, "nodes": _assemble(m.entries, s)} for s in (1, -1)]
    return CoverResult("proved", cover_json(problem.N, trees), m.nodes, m.depth,
                       m.seconds[0], m.seconds[1], m.failures, stats=stats)
