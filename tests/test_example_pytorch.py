"""examples/pytorch_to_certificate.py runs (issue 16 item 4): a short training run, the
certificates verify, every NC objective along training is at or above the certified
global lower bound, pruning keeps the output bias, and the figure is written."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "examples"))

import pytorch_to_certificate as ex  # noqa: E402


def test_example_runs_and_its_claims_hold(tmp_path, capsys):
    out = tmp_path / "fig.png"
    res = ex.run(steps=100, every=50, out=out)
    best, trained, pruned = res["best"], res["trained"], res["pruned"]
    assert best.complete and best.check() and trained.check()
    values = [v for _, v in res["history"]]
    assert [t for t, _ in res["history"]] == [0, 50, 100]
    assert all(v >= best.lower for v in values)          # the lower bound is global
    assert values[-1] < values[0]                          # training made progress
    assert trained.upper >= values[-1] > trained.lower     # the trained net is not optimal
    assert pruned.predictions_equal and pruned.nc_objective_not_larger
    assert pruned.balanced_network.output_bias == trained.network.output_bias != 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "proved" in capsys.readouterr().out
