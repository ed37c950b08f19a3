"""Simplex covers of (F): a cover proof without multipliers, for low dimension (format
minor version 1.7, ``simplex_cover``, check 13; ``docs/theory.md`` §7.5).

(F) says ``s g_r(u) <= lam ||u||`` for every ``u`` and ``s = +-1``, with
``g_r(u) = sum_k r_k (x_k . u)_+``.  The sign-split trees of :mod:`.cover` cut ``R^d`` along
the data's hyperplanes and carry multipliers for every leaf; in dimension ``d <= 3`` their
leaves cost more than the regions they replace (``docs/SCALE.md`` §3a).  A simplex cover
cuts the input space instead, as ReLU verifiers do for low-dimensional inputs
(input splitting): ``R^d`` is the union of the ``2^d`` orthant cones
``cone(sigma_1 e_1, ..., sigma_d e_d)``, and a cone ``cone(v_1, ..., v_d)`` is split along its
widest edge ``(v_i, v_j)`` at ``w = a_i v_i + a_j v_j`` (powers of two that balance the two
lengths), into the cones with ``v_j`` and with ``v_i`` replaced by ``w``.  Every choice is a
fixed exact rule, so a tree is one bit per node (split or leaf), and a leaf is closed by
a canonical relaxation the checker computes itself:

* on ``u = sum_i a_i v_i`` (``a >= 0``) a row with ``x_k . v_i >= 0`` at every vertex is
  linear, one ``<= 0`` at every vertex is zero; a mixed row with ``s r_k > 0`` is bounded
  by its chord ``(sum_i a_i z_i)_+ <= sum_i a_i (z_i)_+`` (``z_i = x_k . v_i``; convex and
  positively homogeneous), one with ``s r_k < 0`` by ``(z)_+ >= theta z`` with
  ``theta = 1`` when ``max_i z_i >= max_i -z_i``, else ``0``;
* so ``s g_r(u) <= sum_i a_i c_i = m . u``, ``m`` the vector with ``v_i . m = c_i``;
* ``sup {m . u / ||u|| : u in the cone}`` is ``||Pi(m)||``, the projection of ``m`` onto
  the cone, which lies in the relative interior of one face ``F``: it is the largest
  ``c_F^T G_F^{-1} c_F`` (``G_F`` the Gram matrix of the face's vertices) over the faces
  whose ``G_F^{-1} c_F >= 0``.  The leaf holds when every such value is ``<= lam^2``.

Everything is exact integer arithmetic: the rows are scaled to integers (``(z)_+`` is
positively homogeneous), ``r`` put on a common denominator, and vertices are integer
vectors divided by their gcd.  The producer *is* an exact search -- no float decides or
guesses anything: a node whose leaf test fails is split, unless one of its vertices
violates (F) exactly, which refutes ``r`` there (a witness for the next column-generation
round, :func:`exactrelu.certificate.cover_producer.cover_route`).

Measured (``docs/SCALE.md`` §1d): at ``d = 3`` the trees have 10^3-10^5 nodes and the
certificates are 11-146x smaller than the region list.  The number of leaves grows like
``(1/delta)^(d-1)`` for a resolution ``delta``: at ``d = 4`` the covers are still small but
slow to check, at ``d = 5`` the sign-split trees win outright (:data:`MAX_D`).
"""
from __future__ import annotations

import base64
import itertools
import math
import time
from typing import Any, Iterator, Sequence

from ..errors import InputError
from ..linalg import lcm_den
from ..numbers import to_q

__all__ = ["MAX_D", "root_cones", "widest_edge", "split_point",
           "leaf_holds", "simplex_cover", "verify_simplex_cover", "encode_bits",
           "decode_bits", "simplex_size", "SimplexProblem"]

#: ``cover_route`` uses a simplex cover in dimension ``d <= MAX_D`` (with the bias column).
#: Measured (``docs/SCALE.md`` §1d): at d = 3 the simplex cover is 11-146x smaller than the
#: region list and 5-37x smaller than a compacted sign-split cover; at d = 4 it is smaller
#: still (1.6-27x) but slower to check (a 377,508-node cover is over the default budget),
#: at d = 5 larger and 40x slower to find.
MAX_D = 3
#: a simplex cover is refused beyond this dimension (a leaf tests 2^d - 1 faces and the
#: tree grows like (1/delta)^(d-1): at d = 5 it already loses to sign-split trees)
LIMIT_D = 6
#: deepest node the search expands (the vertices' integers grow ~ 1 bit per level)
MAX_DEPTH = 160


class SimplexProblem:
    """(F) for ``r`` and ``lam`` in integers: ``rows[k] = q_k x_k`` (``q_k > 0`` clears the
    row's denominators), ``rho[k] = D r_k / q_k`` (``D`` a common denominator), and
    ``lam^2 D^2 = ln / ld``: ``s g_r(u) <= lam ||u||`` iff
    ``s sum_k rho_k (rows_k . u)_+ <= sqrt(ln / ld) ||u||``."""

    def __init__(self, X: Sequence[Sequence[Any]], r: Sequence[Any], lam: Any):
        lam = to_q(lam)
        if lam <= 0:
            raise InputError("lam must be positive")
        rows, w = [], []
        for x, rk in zip(X, r):
            x = [to_q(a) for a in x]
            q = lcm_den(x)
            rows.append(tuple(int(a * q) for a in x))
            w.append(to_q(rk) / q)
        D = lcm_den([lam, *w])
        self.rows, self.rho = tuple(rows), tuple(int(a * D) for a in w)
        L2 = (lam * D) ** 2
        self.ln, self.ld = L2.numerator, L2.denominator
        self.n, self.d = len(rows), len(X[0]) if len(rows) else 0


def root_cones(d: int) -> Iterator[tuple]:
    """The ``2^d`` orthant cones in the certificate's order: sign patterns as
    ``itertools.product((1, -1), repeat=d)``, vertex ``i`` = ``sigma_i e_i``."""
    for signs in itertools.product((1, -1), repeat=d):
        yield tuple(tuple(sg if j == i else 0 for j in range(d)) for i, sg in enumerate(signs))


def _dot(a, b) -> int:
    return sum(p * q for p, q in zip(a, b))


def widest_edge(V: Sequence[Sequence[int]]) -> tuple[int, int]:
    """The pair ``i < j`` with the smallest ``cos = v_i . v_j / (||v_i|| ||v_j||)`` (the
    widest angle), compared exactly by sign and squares; ties: the first pair."""
    sq = [_dot(v, v) for v in V]
    best = None
    for i, j in itertools.combinations(range(len(V)), 2):
        p, A = _dot(V[i], V[j]), sq[i] * sq[j]
        if best is None or _smaller_cos(p, A, best[0], best[1]):
            best = (p, A, i, j)
    return best[2], best[3]


def _smaller_cos(p: int, A: int, q: int, B: int) -> bool:
    """``p / sqrt(A) < q / sqrt(B)`` (``A, B > 0``), exactly."""
    if (p < 0) != (q < 0):
        return p < 0
    if p < 0:
        return p * p * B > q * q * A
    return p * p * B < q * q * A


def split_point(vi: Sequence[int], vj: Sequence[int]) -> tuple[tuple, int, int, int]:
    """``(w, a_i, a_j, g)``: ``w = (a_i v_i + a_j v_j) / g`` with ``g`` the gcd of the entries;
    with ``A = ||v_i||^2 >= B = ||v_j||^2``, ``a_i = 1`` and ``a_j`` the smallest power of two
    with ``2 a_j^2 B > A`` (symmetrically when ``A < B``): the lengths balanced within
    ``sqrt(2)``, so that ``w`` is near the angular midpoint."""
    A, B = _dot(vi, vi), _dot(vj, vj)
    ai = aj = 1
    if A >= B:
        while 2 * aj * aj * B <= A:
            aj *= 2
    else:
        while 2 * ai * ai * A <= B:
            ai *= 2
    w = [ai * p + aj * q for p, q in zip(vi, vj)]
    g = math.gcd(*w)
    return tuple(p // g for p in w), ai, aj, g


def settle(P: SimplexProblem, s: int, lin: Sequence[int], free: Sequence[int],
           Z: Sequence[tuple]) -> tuple[list, list, list]:
    """The rows of ``free`` whose sign is constant on the cone leave it: a row ``>= 0`` at
    every vertex adds ``s rho_k rows_k`` to ``lin`` (it is linear there), one ``<= 0`` adds
    nothing; mixed rows stay, with their vertex values ``Z``."""
    lin, nf, nz = list(lin), [], []
    d = len(lin)
    for k, z in zip(free, Z):
        if min(z) >= 0:
            c = s * P.rho[k]
            if c:
                row = P.rows[k]
                for t in range(d):
                    lin[t] += c * row[t]
        elif max(z) > 0:
            nf.append(k)
            nz.append(z)
    return lin, nf, nz


def vertex_bounds(P: SimplexProblem, s: int, V: Sequence[tuple], lin: Sequence[int],
                  free: Sequence[int], Z: Sequence[tuple]) -> list[int]:
    """``c_i``: the relaxation's value at vertex ``i`` (module doc), ``D`` times ``s g``'s
    upper bound there; exact at the vertex for every row but the mixed ones with
    ``s r_k < 0``, where it is ``>=``."""
    c = [_dot(lin, v) for v in V]
    rng = range(len(V))
    for k, z in zip(free, Z):
        sr = s * P.rho[k]
        if sr > 0:
            for i in rng:
                if z[i] > 0:
                    c[i] += sr * z[i]
        elif sr < 0 and max(z) >= -min(z):
            for i in rng:
                c[i] += sr * z[i]
    return c


def _cross(a: Sequence[int], b: Sequence[int]) -> tuple[int, int, int]:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def _face_holds(V: Sequence[tuple], G: list, F: tuple, c: Sequence[int], ln: int,
                ld: int) -> bool:
    """One face of :func:`leaf_holds`: coefficients ``alpha = G_F^{-1} c_F`` not all
    ``>= 0``, or ``c_F . alpha <= ln / ld``.  A vertex or an edge in closed form (Cramer); the
    whole cone in dimension 3 by cross products (``w_i = v_j x v_k`` has ``w_i . v_l =
    det V [i = l]``, so ``M = sum c_i w_i`` is ``det V`` times the ``m`` with
    ``v_i . m = c_i``, and ``alpha_i`` has the sign of ``w_i . M``); larger faces in flint."""
    if len(F) == 1:
        i = F[0]
        return c[i] * c[i] * ld <= ln * G[i][i]
    if len(F) == 2:
        i, j = F
        det = G[i][i] * G[j][j] - G[i][j] * G[i][j]
        a1, a2 = G[j][j] * c[i] - G[i][j] * c[j], G[i][i] * c[j] - G[i][j] * c[i]
        return a1 < 0 or a2 < 0 or (a1 * c[i] + a2 * c[j]) * ld <= ln * det
    if len(F) == 3 == len(V):
        w = [_cross(V[1], V[2]), _cross(V[2], V[0]), _cross(V[0], V[1])]
        M = [sum(ci * wi[t] for ci, wi in zip(c, w)) for t in range(3)]
        if min(_dot(wi, M) for wi in w) < 0:
            return True
        det = _dot(V[0], w[0])
        return _dot(M, M) * ld <= ln * det * det
    import flint

    k = len(F)
    sol = flint.fmpq_mat(k, k, [G[a][b] for a in F for b in F]).solve(
        flint.fmpq_mat(k, 1, [c[a] for a in F]))
    alpha = [sol[t, 0] for t in range(k)]
    return min(alpha) < 0 or sum(a * c[f] for a, f in zip(alpha, F)) * ld <= ln


def leaf_holds(V: Sequence[tuple], c: Sequence[int], ln: int, ld: int) -> bool:
    """``sup {m . u / ||u|| : u in cone(V)}^2 <= ln / ld`` for the ``m`` with ``v_i . m = c_i``:
    over every face ``F`` whose coefficients ``alpha = G_F^{-1} c_F`` (``G_F`` the face's
    Gram matrix) are ``>= 0``, ``c_F . alpha <= ln / ld`` (module doc; the spec writes it
    with ``adj(G_F)``, the same test)."""
    d = len(V)
    if max(c) <= 0:
        return True                 # m . u = sum a_i c_i <= 0 on the cone
    G = [[_dot(a, b) for b in V] for a in V]
    for size in range(1, d + 1):
        for F in itertools.combinations(range(d), size):
            if max(c[i] for i in F) > 0 and not _face_holds(V, G, F, c, ln, ld):
                return False        # (a face with every c_i <= 0 has c_F . alpha <= 0)
    return True


def _refuted_at(P: SimplexProblem, s: int, V, lin, free, Z) -> int | None:
    """A vertex where (F) fails exactly (``s g_r(v) > lam ||v||``), or None."""
    for i, v in enumerate(V):
        g = _dot(lin, v) + sum(s * P.rho[k] * z[i] for k, z in zip(free, Z) if z[i] > 0)
        if g > 0 and g * g * P.ld > P.ln * _dot(v, v):
            return i
    return None


def _children(P: SimplexProblem, V: tuple, free: Sequence[int], Z: Sequence[tuple]):
    """The two children of a split (first in pre-order first): ``v_j`` then ``v_i``
    replaced by the split point of the widest edge ``(i, j)``."""
    i, j = widest_edge(V)
    w, ai, aj, g = split_point(V[i], V[j])
    zw = [(ai * z[i] + aj * z[j]) // g for z in Z]
    out = []
    for repl in (j, i):
        V2 = V[:repl] + (w,) + V[repl + 1:]
        Z2 = [z[:repl] + (a,) + z[repl + 1:] for z, a in zip(Z, zw)]
        out.append((V2, Z2))
    return out


def root_state(P: SimplexProblem, V: tuple):
    return list(range(P.n)), [tuple(_dot(row, v) for v in V) for row in P.rows]


def grow(P: SimplexProblem, s: int, root: tuple, *, max_nodes: int = 10 ** 7,
         deadline: float | None = None, collect: int = 1, tick=None) -> dict:
    """The tree of one root cone for sign ``s``, by an exact depth-first search (a pure
    function of picklable arguments, for process pools): a node is a leaf when
    :func:`leaf_holds`, else split, unless a vertex refutes (F) (a witness; the search
    goes on to gather up to ``collect`` of them) or the node budget, the depth limit or
    ``deadline`` (``time.time()``) stops it.  Returns ``{"bits": bytearray of 0/1 in
    pre-order, "status": proved | refuted | budget | depth | time, "nodes", "depth",
    "witnesses": [(s, unit vector as floats)]}``; the bits are a tree only when proved."""
    free, Z = root_state(P, root)
    stack = [(root, (0,) * P.d, free, Z, 0)]
    bits, wit, status, nodes, deepest = bytearray(), [], "proved", 0, 0
    while stack:
        V, lin, free, Z, depth = stack.pop()
        nodes += 1
        deepest = max(deepest, depth)
        if tick is not None and nodes % 4096 == 0:
            tick(4096, len(stack), depth)
        lin, free, Z = settle(P, s, lin, free, Z)
        if leaf_holds(V, vertex_bounds(P, s, V, lin, free, Z), P.ln, P.ld):
            bits.append(0)
            continue
        bad = _refuted_at(P, s, V, lin, free, Z)
        if bad is not None:
            v = V[bad]
            norm = math.sqrt(sum(float(a) ** 2 for a in v))   # a float witness, not a proof
            wit.append((s, tuple(float(a) / norm for a in v)))
            status = "refuted"
            bits.append(0)
            if len(wit) >= collect:
                break
            continue
        limit = ("budget" if nodes >= max_nodes else "depth" if depth >= MAX_DEPTH else
                 "time" if deadline is not None and nodes % 256 == 0 and time.time() > deadline
                 else None)
        if limit is not None:       # also ends a refuted search gathering more witnesses
            status = limit if status == "proved" else status
            break
        bits.append(1)
        (V1, Z1), (V2, Z2) = _children(P, V, free, Z)
        stack.append((V2, lin, free, Z2, depth + 1))
        stack.append((V1, lin, free, Z1, depth + 1))
    return {"bits": bits, "status": status, "nodes": nodes, "depth": deepest,
            "witnesses": wit}


def replay(P: SimplexProblem, s: int, root: tuple, bits: Sequence[int], pos: int) -> int:
    """Check one root's tree read from ``bits`` at ``pos`` (pre-order, 1 = split, 0 =
    leaf): every leaf must hold.  Returns the position after the tree; raises ValueError
    naming the failing node."""
    free, Z = root_state(P, root)
    stack = [(root, (0,) * P.d, free, Z)]
    while stack:
        V, lin, free, Z = stack.pop()
        if pos >= len(bits):
            raise ValueError("the tree ends early (a subtree is missing)")
        b, pos = bits[pos], pos + 1
        lin, free, Z = settle(P, s, lin, free, Z)
        if b == 0:
            if not leaf_holds(V, vertex_bounds(P, s, V, lin, free, Z), P.ln, P.ld):
                raise ValueError(f"the leaf at bit {pos - 1} does not hold")
            continue
        (V1, Z1), (V2, Z2) = _children(P, V, free, Z)
        stack.append((V2, lin, free, Z2))
        stack.append((V1, lin, free, Z1))
    return pos


def encode_bits(bits: Sequence[int]) -> str:
    """Pre-order bits as standard base64 (RFC 4648, with ``=`` padding) of the bytes they
    fill, most significant bit first, the last byte padded with 0 bits."""
    b = list(bits) + [0] * (-len(bits) % 8)
    raw = bytes(int("".join(map(str, b[i:i + 8])), 2) for i in range(0, len(b), 8))
    return base64.b64encode(raw).decode("ascii")


def decode_bits(text: str) -> list[int]:
    """The bits of a canonical base64 string (ValueError otherwise)."""
    if not isinstance(text, str) or not text:
        raise ValueError("the tree is not a non-empty base64 string")
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise ValueError("the tree is not canonical base64") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise ValueError("the tree is not canonical base64")
    return [(byte >> (7 - t)) & 1 for byte in raw for t in range(8)]


def verify_simplex_cover(X: Sequence[Sequence[Any]], r: Sequence[Any], lam: Any,
                         section: Any) -> tuple[bool, str]:
    """The producer's own check of a ``simplex_cover`` section (the checkers of
    :mod:`exactrelu.certificate.check` and ``proofs_checks/check_cert.py`` are separate
    implementations): ``(True, "")`` or ``(False, why)``."""
    P = SimplexProblem(X, r, lam)
    try:
        trees = section["trees"]
        if sorted(t["sign"] for t in trees) != [-1, 1] or len(trees) != 2:
            return False, "expected two trees, signs 1 and -1"
        for t in trees:
            bits, pos = decode_bits(t["tree"]), 0
            for root in root_cones(P.d):
                pos = replay(P, t["sign"], root, bits, pos)
            if len(bits) - pos >= 8 or any(bits[pos:]):
                return False, f"sign {t['sign']}: bits after the last tree"
    except (KeyError, TypeError, ValueError) as e:
        return False, str(e)
    return True, ""


def simplex_size(section: Any, d: int) -> tuple[int, int]:
    """(nodes, leaves) of a section in dimension ``d``: a forest of ``2^d`` full binary trees
    with ``S`` splits has ``2^d + S`` leaves and ``2^d + 2 S`` nodes."""
    nodes = leaves = 0
    for t in section["trees"]:
        ones = sum(decode_bits(t["tree"]))
        nodes += (1 << d) + 2 * ones
        leaves += (1 << d) + ones
    return nodes, leaves


def _task(args) -> dict:
    """One (sign, root) search on a process pool (module-level: picklable)."""
    P, s, root, kw = args
    return grow(P, s, root, **kw)


def simplex_cover(X: Sequence[Sequence[Any]], r: Sequence[Any], lam: Any, *,
                  budget: int = 10 ** 7, time_limit: float | None = None,
                  progress: bool = False, jobs: int = 1, collect: int = 1):
    """Prove (F) at ``r`` by a simplex cover (module doc).  Returns a
    :class:`~exactrelu.certificate.cover_producer.CoverResult` whose ``cover`` is the
    ``simplex_cover`` section ``{"trees": [{"sign": 1, "tree": B64}, {"sign": -1, ...}]}``
    when proved; when (F) fails at a vertex, ``status == "refuted"`` with up to ``collect``
    witnesses per sign.  ``budget``: nodes over both signs; ``jobs``: processes (the
    ``2 * 2^d`` root trees are independent tasks)."""
    from .cover_producer import CoverResult, cover_kind

    P = SimplexProblem(X, r, lam)
    if P.d == 0 or P.n == 0:
        raise InputError("a simplex cover needs at least one row and one column")
    cover_kind("simplex", P.d)              # refused beyond LIMIT_D
    t0 = time.time()
    deadline = None if time_limit is None else t0 + time_limit
    tasks = [(s, root) for s in (1, -1) for root in root_cones(P.d)]
    kw = dict(max_nodes=max(1, budget // len(tasks)), deadline=deadline, collect=collect)
    bar = _bar(progress, len(tasks))
    if jobs == 1:
        results = []
        for s, root in tasks:
            results.append(grow(P, s, root, tick=bar.tick if bar else None, **kw))
            if bar:
                bar.done(results[-1])
            if results[-1]["status"] in ("budget", "depth", "time"):
                break               # a resource limit: no proof this round
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = []
            for res in pool.map(_task, [(P, s, root, kw) for s, root in tasks]):
                results.append(res)
                if bar:
                    bar.done(res)
    if bar:
        bar.close()
    return _result(P, tasks, results, time.time() - t0, jobs, CoverResult)


def _result(P: SimplexProblem, tasks, results, wall: float, jobs: int, CoverResult):
    nodes = {1: 0, -1: 0}
    depth = {1: 0, -1: 0}
    bits = {1: bytearray(), -1: bytearray()}
    wit = []
    for (s, _), res in zip(tasks, results):
        nodes[s] += res["nodes"]
        depth[s] = max(depth[s], res["depth"])
        bits[s] += res["bits"]
        wit += res["witnesses"]
    # a resource limit first (no proof, whatever else), then a refutation; a serial search
    # stops at the first limit, so every task ran when none was hit
    bad = [res["status"] for res in results if res["status"] != "proved"]
    limits = [b for b in bad if b != "refuted"]
    status = limits[0] if limits else ("refuted" if bad else "proved")
    stats = {"jobs": jobs, "wall": wall, "kind": "simplex"}
    if status != "proved":
        out = CoverResult(status, None, nodes, depth, wall, 0.0, stats=stats)
        if wit:
            out.witness_sign, out.witness = wit[0][0], wit[0][1]
            out.witnesses = [(s, u, None) for s, u in wit]
        return out
    cover = {"trees": [{"sign": s, "tree": encode_bits(bits[s])} for s in (1, -1)]}
    return CoverResult("proved", cover, nodes, depth, wall, 0.0, stats=stats)


class _Progress:
    """A tqdm bar of root trees and nodes (stderr), or nothing without tqdm."""

    def __init__(self, total: int):
        from tqdm import tqdm

        self.bar = tqdm(total=total, unit="tree", desc="simplex cover", leave=False)
        self.nodes = 0

    def tick(self, k: int, open_nodes: int, depth: int) -> None:
        self.nodes += k
        self.bar.set_postfix_str(f"nodes {self.nodes:,}, open {open_nodes}, depth {depth}")

    def done(self, res: dict) -> None:
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


def _bar(progress: bool, total: int):
    if not progress:
        return None
    try:
        return _Progress(total)
    except ImportError:  # pragma: no cover - tqdm is a dependency
        return None
