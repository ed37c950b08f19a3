"""The specifications travel with the code: every reference points inside the repository.

Code and docs used to cite documents that users could not open (the shared spec folder,
the paper summary).  They now cite ``docs/spec/certificate-v1.md``, ``docs/spec/cli.md``
and ``docs/theory.md`` (with the section numbers of the former paper summary), and
``docs/spec/rewrite_refs.py`` rewrites old references.  These tests read every file
tracked by git.
"""
from __future__ import annotations

import importlib.util
import re
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = "docs/spec/rewrite_refs.py"
THEORY = ROOT / "docs" / "theory.md"
PACKAGE = "exactrelu/"

# Assembled from pieces so that this file does not match its own patterns.
_OLD = "shared" + "/"
_DG = "dig" + "est"
_CLI = "cli" + ".md"
FORBIDDEN = re.compile(
    re.escape(_OLD + "spec") + "|" + re.escape(_OLD + "theory") + "|" + re.escape("/work/" + _OLD)
    + r"|(?<![.\w])[Dd]" + _DG[1:] + r"\b(?!\()"    # any citation of the former summary
    + r"|(?<![/\w.-])(?:certificate-v1|cli)\.md")     # a spec cited without its path
NUM = r"\d+(?:\.\d+)?"
_ITEM = r"§(" + NUM + r")(?:\s*[-–]\s*(" + NUM + r"))?(?:\s*\([^()\n]*\))?"
CHAIN = re.compile(r"docs/theory\.md\s+(" + _ITEM + r"(?:\s*(?:,\s*and|,|and)\s+" + _ITEM
                   + r")*)")
ITEM = re.compile(_ITEM)


@lru_cache(maxsize=1)
def tracked_texts() -> tuple[tuple[str, str], ...]:
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                             check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the tracked files are unknown")
    read = _script().read_text_file
    names = [n for n in out.decode().split("\0") if n and (ROOT / n).is_file()]
    return tuple((n, text) for n in names if (text := read(ROOT / n)) is not None)


def _offenders(select) -> list[str]:
    bad = []
    for name, text in tracked_texts():
        if name == SCRIPT or not select(name):
            continue
        for n, line in enumerate(text.splitlines(), 1):
            if FORBIDDEN.search(line):
                bad.append(f"{name}:{n}: {line.strip()}")
    return bad


def test_no_outside_references():
    bad = _offenders(lambda name: not name.startswith(PACKAGE))
    assert not bad, "references outside the repository:\n" + "\n".join(bad)


def test_no_outside_references_in_package():
    bad = _offenders(lambda name: name.startswith(PACKAGE))
    assert not bad, ("references outside the repository (run `python docs/spec/rewrite_refs.py "
                     "exactrelu`):\n" + "\n".join(bad))


@lru_cache(maxsize=1)
def theory_index() -> tuple[frozenset, str]:
    text = THEORY.read_text(encoding="utf-8")
    heads = frozenset(re.findall(r"(?m)^#{2,3}\s+(" + NUM + r")\.?\s", text))
    return heads, text


def test_theory_sections_are_numbered_like_the_former_digest():
    heads, text = theory_index()
    expected = {"0", "1", "2", "3", "4", "5", "6", "7", "5.0", "5.1", "5.2", "5.3"}
    expected |= {f"1.{k}" for k in range(1, 9)} | {f"2.{k}" for k in range(1, 13)}
    assert expected <= heads, sorted(expected - heads)
    for lab in [f"L{k}" for k in range(1, 7)]:                  # §2.2 items
        assert f"**({lab})" in text, lab
    for t in range(1, 28):                                       # §5.2 test list
        assert re.search(rf"(?m)^\| T{t} \|", text), f"T{t}"
    for ex in "ABC":                                             # §5.1 instances
        assert f"**Example {ex} " in text, ex


LABEL = re.compile(r"docs/theory\.md\s+§(2\.2\s+L\d|5\.2\s+T\d+|5\.1\s+[Ee]xample\s+[A-Z])\b")


def _cited_sections(text: str) -> list[str]:
    """Every section number of every ``docs/theory.md §N`` chain (both ends of ranges)."""
    return [s for m in CHAIN.finditer(text) for it in ITEM.finditer(m.group(1))
            for s in it.groups() if s]


def test_theory_references_name_existing_sections():
    heads, text = theory_index()
    bad, seen = [], 0
    for name, body in tracked_texts():
        for sec in _cited_sections(body):
            seen += 1
            if sec not in heads:
                bad.append(f"{name}: §{sec}")
        for lab in LABEL.findall(body):
            key = lab.split()[-1]
            want = {"L": f"**({key})", "T": f"| {key} |"}.get(key[0], f"**Example {key.upper()} ")
            if want not in text:
                bad.append(f"{name}: §{lab}")
    assert seen > 50, seen          # the references exist at all (README, tests, proofs_checks)
    assert not bad, "docs/theory.md has no such section:\n" + "\n".join(bad)


def test_cited_docs_exist():
    bad = []
    for name, body in tracked_texts():
        for path in set(re.findall(r"(?<![\w/.])(docs/[\w/.-]+\.(?:md|py))", body)):
            if not (ROOT / path).is_file():
                bad.append(f"{name}: {path}")
    assert not bad, "\n".join(bad)


# ------------------------------------------------------------------- the rewrite script

def _script():
    spec = importlib.util.spec_from_file_location("rewrite_refs", ROOT / SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


CASES = [
    (f"(``{_OLD}spec/certificate-v1.md``, check 2)", "(``docs/spec/certificate-v1.md``, check 2)"),
    (f"stable surface: ``{_OLD}spec/cli.md``", "stable surface: ``docs/spec/cli.md``"),
    (f"print one JSON object ({_CLI})", "print one JSON object (docs/spec/cli.md)"),
    (f"claim of ``{_OLD}theory/paper-{_DG}.md`` §5.2", "claim of ``docs/theory.md`` §5.2"),
    (f"(paper {_DG} §5.0 (c))", "(docs/theory.md §5.0 (c))"),
    (f"({_DG} 2.4, 2.7, 2.12):", "(docs/theory.md §2.4, §2.7, §2.12):"),
    (f"{_DG} sections 2.2 (L5, L6) and 2.12.", "docs/theory.md §2.2 (L5, L6) and §2.12."),
    (f"paper {_DG} sections 2.2-2.9, 2.12.", "docs/theory.md §2.2-2.9, §2.12."),
    (f"over every block ({_DG} L5)", "over every block (docs/theory.md §2.2 L5)"),
    (f"({_DG} Example B / T12)", "(docs/theory.md §5.1 Example B / T12)"),
    (f"{_DG.capitalize()} T12: beta", "docs/theory.md §5.2 T12: beta"),
    (f"section 1.6 of the\n{_DG}):", "docs/theory.md §1.6):"),
    (f"of the certificate format and of the {_DG}, section 1.3).",
     "of the certificate format and of docs/theory.md §1.3)."),
    (f"sum (``{_DG}``\n§2.4)", f"sum (``docs/theory.md``\n§2.4)"),
    (f"(planted, {_DG}\n§2.4):", "(planted, docs/theory.md\n§2.4):"),
    ("the clarifications D1-D11 of ``proofs_checks/SPEC.md``.",
     "the clarifications D1-D11 of ``docs/spec/certificate-v1.md``."),
    ("Lemma 8 of ``proofs_checks/SPEC.md``", "Lemma 8 of ``proofs_checks/SPEC.md``"),
    ("h.hexdigest() and m.digest()", "h.hexdigest() and m.digest()"),
]


@pytest.mark.parametrize("old, new", CASES)
def test_rewrite_script_cases(old, new):
    mod = _script()
    got, _ = mod.rewrite_text(old)
    assert got == new
    assert mod.rewrite_text(got)[0] == got                     # idempotent
    if old != new and "SPEC.md" not in old:
        assert FORBIDDEN.search(old)                           # the test would catch it
    assert not FORBIDDEN.search(got)                           # and the result passes


def test_rewrite_script_on_a_tree(tmp_path):
    mod = _script()
    (tmp_path / "pkg").mkdir()
    src = tmp_path / "pkg" / "m.py"
    src.write_text(f'"""See {_DG} §2.4 and ``{_OLD}spec/cli.md``."""\n', encoding="utf-8")
    (tmp_path / "pkg" / "blob.bin").write_bytes(b"\0\xff" + _DG.encode())
    assert mod.main([str(tmp_path / "pkg")]) == 0
    assert src.read_text(encoding="utf-8") == '"""See docs/theory.md §2.4 and ``docs/spec/cli.md``."""\n'
    assert mod.main([str(tmp_path / "pkg")]) == 0               # second run: nothing to do
    src.write_text(f"# /work/{_OLD}notes/x.md\n", encoding="utf-8")    # not rewritable: reported
    assert mod.main([str(tmp_path / "pkg")]) == 1
    assert mod.main([str(tmp_path / "missing")]) == 2
