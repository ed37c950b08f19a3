"""The README's Python examples run as written (in order, one namespace)."""
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks():
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## From Python"):text.index("## Commands")]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_readme_python_section_runs():
    blocks = _python_blocks()
    assert len(blocks) >= 4
    ns: dict = {}
    for code in blocks:
        if "from_torch(model)" in code:       # needs the reader's own trained model:
            code = code.replace("er.Network.from_torch(model)",             # use ours
                                "er.Network.from_numpy([[1.0, 0.5]], [1.0], b1=[0.25])")
        exec(compile(code, str(README), "exec"), ns)
    for name, f in list(ns.items()):          # the Hypothesis example defines a test
        if name.startswith("test_") and callable(f):
            f()
    assert ns["c"].complete and ns["best"].lower_bound_ <= ns["best"].upper_bound_
