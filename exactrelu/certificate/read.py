"""A v1 certificate file into exact objects, with the library's one reader.

The parsing is the library checker's (:func:`exactrelu.certificate.check.reader.
parse_bytes`): the same shapes, the same canonical rationals, the same size budget, so
:meth:`exactrelu.Certificate.load`, the optimal-set code, the command line and
``exactrelu check`` read a file identically.  Anything malformed (or over the budget) is
an :class:`~exactrelu.errors.InputError` naming the field (one line, exit 2 on the
command line).  Nothing is verified here: that is the checker's job.  (The standalone
``proofs_checks/check_cert.py`` keeps its own reader by design: it imports nothing.)
"""
from __future__ import annotations

from ..errors import InputError
from ..linalg import lcm_den

__all__ = ["read_certificate"]


def _int_witness(g) -> tuple[int, ...]:
    den = lcm_den(g)
    return tuple(int(a * den) for a in g)


def read_certificate(path: str, *, text: str | None = None) -> dict:
    """Parse a certificate into exact objects: ``{"data", "lam", "patterns", "r",
    "lower", "upper", "network" | None, "blocks" | None, "complete", "tree_nodes",
    "active_neurons", "output_bias" | None}``: ``data`` and ``network`` are those of the
    checks (``problem.y``; no output bias), ``output_bias`` the section of minor version 1.2
    as ``(y, c)``; ``complete``: as the file claims it, by the region list or by a
    ``cover`` section (format 1.1); ``tree_nodes`` None without a cover.
    ``text``: the file's content when already read.  :class:`InputError` naming the
    field if it is malformed (never a traceback).  Nothing is verified here: that is
    the checker's job (:mod:`exactrelu.certificate.check`)."""
    from ..arrangement import PatternSet
    from ..io.files import read_text
    from ..networks import Network
    from ..problem import Dataset
    from .check import DEFAULT_BUDGET_DIGITS
    from .check.budget import _Stop
    from .check.reader import parse_bytes

    if text is None:
        text = read_text(path, "certificate")
    try:
        doc, c = parse_bytes(text.encode("utf-8"), DEFAULT_BUDGET_DIGITS)
    except _Stop as e:
        what = "too large to read (size budget)" if e.verdict == "UNDECIDED" else "malformed"
        raise InputError(f"{what}: {e}", file=path) from None
    except RecursionError:
        raise InputError("the JSON is nested too deeply", file=path) from None
    n, d = c.n, c.d
    for i, b in enumerate(c.bits):
        if len(b) != n or b.strip("01"):
            raise InputError(f"patterns.bits[{i}]: expected {n} characters 0/1", file=path)
    if len(set(c.bits)) != len(c.bits):
        raise InputError("patterns.bits: a pattern is listed twice", file=path)
    wit = [_int_witness(g) for g in c.witnesses] if c.witnesses is not None else \
        [tuple(0 for _ in range(d)) for _ in c.bits]
    ps = PatternSet(n, d, tuple(c.bits), tuple(wit), complete=False)
    net = None
    if c.network is not None:
        W1, w2 = c.network
        net = Network(tuple(tuple(w) for w in W1), tuple(w2), False, d)
    blocks = None
    if c.blocks is not None:
        blocks = [((i, s), tuple(u)) for i, s, u, _ in c.blocks]
    bias = doc["problem"].get("bias", False)
    data = Dataset(tuple(tuple(r) for r in c.X), tuple(c.y), bias, source=path)
    if blocks is not None:
        active = sum(1 for _, u in blocks if any(u))
    else:
        active = len(net.nonzero_neurons()) if net is not None else 0
    out = {"data": data, "lam": c.lam, "patterns": ps, "r": tuple(c.r), "rho": c.rho,
           "lower": c.lower,
           "upper": c.upper, "network": net, "blocks": blocks,
           "complete": c.complete or c.cover is not None or c.bases is not None,  # 1.1 / 1.4
           "tree_nodes": _tree_nodes(c),
           "active_neurons": active, "output_bias": c.output_bias}
    if c.gated is not None:             # minor version 1.3: the gated model and its claim
        out.update(_gated(c, data))
    return out


def _tree_nodes(c) -> int | None:
    """Nodes of the cover: the sign-split trees' node lists (1.1 / 1.6), or for a simplex
    cover (1.7, ``[(sign, bits, depth)]``) ``2^d`` roots plus two children per split."""
    if c.cover is None:
        return None
    if c.cover_check == 13:
        return sum((1 << c.d) + 2 * sum(bits) for _, bits, _ in c.cover)
    return sum(len(t) for _, t in c.cover[1])


def _gated(c, data) -> dict:
    """The gated claim and network of a 1.3 section (replacing the v1 ones)."""
    from ..gated import GatedNetwork

    g = c.gated
    if g["network"] is not None:
        idx, W1, w2 = g["network"]
        net = GatedNetwork(tuple(tuple(g["G"][j]) for j in idx), W1, w2, data.bias, c.d)
    else:
        net = None
    lower, upper = g["claim"]
    active = sum(1 for a in net.w2 if a) if net is not None else len(g["blocks"])
    return {"model": "gated", "lower": lower, "upper": upper, "network": net,
            "blocks": None, "active_neurons": active}
