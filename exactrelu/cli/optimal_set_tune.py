"""``exactrelu optimal-set CERT --tune RULE``: one model chosen from the optimal set (or,
for a certificate whose optimum is not exact, from the model-relative polytope) by the
tunings of the paper's Table 1 (Mishkin & Pilanci 2023; the Python API is
:class:`exactrelu.optimal_sets.model.ModelPolytope`):

* ``min-l2`` -- ``argmin ||alpha||_2`` over the polytope, exact with its KKT certificate
  (:meth:`Polytope.min_norm`);
* ``ep`` -- an extreme point, ``argmax sum alpha`` (an exact LP; a vertex: a
  support-minimal network);
* ``v-mse`` -- approximately ``argmin`` of the mean squared error on ``--validation
  DATA``: a float QP, repaired exactly into the polytope
  (:func:`exactrelu.optimal_sets.model.float_qp_point`); the point is an exact member,
  its optimality for the validation error is a float estimate (labelled).

Every point has exactly the training predictions of the certificate's model.  The chosen
network (neuron ``j``: ``W1_j = alpha_j dir_j``, ``w2_j = sign_j``, then rebalanced) is
written with ``-o NET``; its balanced objective is reported as exact rational bounds.
"""
from __future__ import annotations

import argparse
import json
from fractions import Fraction

from ..errors import ExactReluError, InputError
from ..numbers import q_str
from ._common import approx

__all__ = ["RULES", "check_tune_args", "run_tune"]

RULES = ("min-l2", "ep", "v-mse")


def check_tune_args(args: argparse.Namespace) -> None:
    """Refuse bad tuning flags before any work."""
    if args.tune is None:
        if args.validation or args.output:
            raise InputError("--validation and -o need --tune RULE")
        return
    if args.tune == "v-mse" and not args.validation:
        raise InputError("--tune v-mse needs --validation DATA")
    if args.samples:
        raise InputError("--tune and --samples cannot be combined")
    if args.output:
        from ..io.files import check_output

        check_output(args.output, (args.cert, args.validation))


def _validation_outputs(ctx, data, path: str, header: bool):
    """Float neuron outputs (per unit of each coordinate) and targets on ``path``."""
    import numpy as np

    from ..io.data import read_csv

    val = read_csv(path, header=header, bias=data.bias, for_solver=True)
    if val.d != data.d:
        raise InputError(f"{val.d} columns (with bias) but the certificate's data has "
                         f"{data.d}", file=path)
    Xv, yv = val.X_float(), val.y_float()
    W = np.array([[float(a) for a in w] for w in ctx.dirs])
    V = np.maximum(Xv @ W.T, 0.0) * np.array([float(s) for s in ctx.signs])
    return V, yv


def _point(ctx, data, args) -> tuple[tuple[Fraction, ...], dict]:
    P = ctx.polytope
    extra: dict = {}
    if args.tune == "min-l2":
        mn = P.min_norm()
        return tuple(mn.alpha), {"certificate": "KKT alpha = (M^T mu)_+, checked exactly"}
    if args.tune == "ep":
        return tuple(P.lp([Fraction(1)] * P.L, maximize=True)[1]), \
            {"certificate": "exact LP optimum (a vertex)"}
    from ..optimal_sets.model import float_qp_point

    V, yv = _validation_outputs(ctx, data, args.validation, args.header)
    alpha = float_qp_point(P, V, yv)
    pred = V @ [float(a) for a in alpha]
    extra["validation_mse_float"] = float(((pred - yv) ** 2).mean())
    extra["certificate"] = "exact member of the polytope; MSE optimality is a float estimate"
    return alpha, extra


def run_tune(os_, cert, args: argparse.Namespace) -> int:
    """The ``--tune`` report (and ``-o NET``) for the described optimal set ``os_``."""
    from ..networks import Network

    ctx, data = os_._internal
    if ctx is None:
        raise InputError(f"the model-relative polytope was not built ({os_.relative_to}): "
                         "nothing to sample or tune over")
    alpha, extra = _point(ctx, data, args)
    if not ctx.polytope.contains(alpha):                    # pragma: no cover
        raise ExactReluError("internal: the tuned point is not in the polytope")
    keep = [j for j, a in enumerate(alpha) if a]
    net = Network(tuple(tuple(alpha[j] * x for x in ctx.dirs[j]) for j in keep),
                  tuple(Fraction(ctx.signs[j]) for j in keep), data.bias, data.d)
    net = net.rebalanced()
    if net.outputs(data.X) != ctx.polytope.b:                   # pragma: no cover
        raise ExactReluError("internal: the tuned network changed the training fit")
    from ..optimal_sets.describe import _parsed

    lam = _parsed(cert)["lam"]
    lo, hi = net.balanced_objective_bounds(data, lam)
    rep = {"tune": args.tune, "exact": os_.exact, "neurons": len(keep),
           "alpha": {ctx.keys[j]: q_str(alpha[j]) for j in keep},
           "balanced_objective_lower": q_str(lo), "balanced_objective_upper": q_str(hi),
           "nc_objective": q_str(net.nc_objective(data, lam)), **extra}
    if args.output:
        from ..io.networks import network_json
        from ..io.files import write_atomic

        write_atomic(args.output, network_json(net), inputs=(args.cert, args.validation))
        rep["file"] = args.output
    if args.json:
        print(json.dumps(rep))
        return 0
    where = "optimal set" if os_.exact else "model-relative polytope (same training fit)"
    print(f"--tune {args.tune}: a point of the {where} with {len(keep)} neurons "
          f"({rep['certificate']})")
    print(f"  balanced objective in [{approx(lo, '.15g')}, {approx(hi, '.15g')}] "
          "(exact rational bounds in --json)")
    if "validation_mse_float" in rep:
        print(f"  validation MSE (float64 estimate): {rep['validation_mse_float']:.6g}")
    if args.output:
        print(f"  network written to {args.output} (rebalanced; same training predictions)")
    return 0
