"""Point references to the old out-of-repository documents at the in-repository ones.

    python docs/spec/rewrite_refs.py PATH [PATH ...]      # files or folders, in place
    python docs/spec/rewrite_refs.py --check PATH ...     # report only, change nothing

Before exactrelu carried its specifications, code and docs cited documents outside the
repository: ``shared/spec/certificate-v1.md``, ``shared/spec/cli.md`` and the paper
digest (``shared/theory/paper-digest.md``, cited as "digest §2.4", "digest 2.9",
"digest Example B", "digest L5", "section 1.6 of the digest", ...).  They now live at
``docs/spec/certificate-v1.md``, ``docs/spec/cli.md`` and ``docs/theory.md`` (same section
numbers as the digest), and clarifications D1-D11 moved from ``proofs_checks/SPEC.md``
into ``docs/spec/certificate-v1.md``.  This script rewrites the references (regular
expressions, standard library only).  It is idempotent: a second run changes nothing.

Exit code 0 when no old reference is left in the given paths, 1 otherwise (the leftovers
are listed as ``file:line: text``), 2 on a bad command line.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

THEORY = "docs/theory.md"
SKIP_DIRS = {".git", ".venv", "venv", "__pycache__", "node_modules", ".hypothesis",
             ".pytest_cache", "build", "dist"}
NUM = r"\d+(?:\.\d+)?"
_DIGEST = r"(?<![.\w])(?:the\s+)?(?:paper\s+)?[Dd]igest"

# (pattern, replacement), applied in this order.
RULES: list[tuple[re.Pattern[str], str]] = [(re.compile(p), r) for p, r in [
    # the specifications
    (r"(?:/work/)?shared/spec/certificate-v1\.md", "docs/spec/certificate-v1.md"),
    (r"(?:/work/)?shared/spec/cli\.md", "docs/spec/cli.md"),
    (r"(?<![/\w.-])certificate-v1\.md", "docs/spec/certificate-v1.md"),
    (r"(?<![/\w.-])cli\.md", "docs/spec/cli.md"),
    # clarifications D1-D11 are normative in the certificate spec now
    (r"(D\d+\s*-\s*D\d+\s+of\s+`*)(?:proofs_checks/)?SPEC\.md",
     r"\1docs/spec/certificate-v1.md"),
    (r"(?<![/\w])SPEC\.md,\s+deviation\s+(D\d+)", r"docs/spec/certificate-v1.md, clarification \1"),
    # the theory
    (r"(?:/work/)?shared/theory/paper-digest\.md", THEORY),
    (r"(?:/work/)?shared/theory/cover-proofs\.md", THEORY + " §7"),
    (_DIGEST + r",?(\s+)(?:sections?\s+|§\s*)(?=\d)", THEORY + r"\1§"),
    (r"(?<![.\w])sections?\s+(" + NUM + r")\s+of\s+the\s+(?:paper\s+)?digest\b",
     THEORY + r" §\1"),
    (_DIGEST + r"(\s+)(?=\d)", THEORY + r"\1§"),
    (_DIGEST + r"(\s+)(?=L\d)", THEORY + r"\1§2.2 "),
    (_DIGEST + r"(\s+)(?=[Ee]xample\s+[A-C]\b)", THEORY + r"\1§5.1 "),
    (_DIGEST + r"(\s+)(?=T\d)", THEORY + r"\1§5.2 "),
    (_DIGEST + r"\b(?!\()", THEORY),
]]

# after "docs/theory.md §2.4": ", 2.7 and 2.12" -> ", §2.7 and §2.12"
_CHAIN_START = re.compile(r"docs/theory\.md\s+§")
_ITEM = re.compile(r"§?" + NUM + r"(?:\s*[-–]\s*" + NUM + r")?(?:\s*\([^()\n]*\))?")
_SEP_NUM = re.compile(r"(\s*(?:,\s*and|,|and)\s+|,)(§?)(" + NUM + r")(?![\d.]*\s*(?:%|s\b))")

# what must not be left over
LEFTOVER = re.compile(r"shared/(?:spec|theory)|/work/shared|" + _DIGEST + r"\b(?!\()"
                      r"|(?<![/\w.-])(?:certificate-v1|cli)\.md")


def _number_chains(text: str) -> str:
    out, pos = [], 0
    for m in _CHAIN_START.finditer(text):
        if m.start() < pos:
            continue
        out.append(text[pos:m.end() - 1])
        i = m.end() - 1
        while True:
            it = _ITEM.match(text, i)
            if it is None:
                break
            out.append(text[i:it.end()])
            i = it.end()
            sep = _SEP_NUM.match(text, i)
            if sep is None:
                break
            out.append(sep.group(1) + "§")
            i = sep.start(3)
        pos = i
    out.append(text[pos:])
    return "".join(out)


def rewrite_text(text: str) -> tuple[str, int]:
    """The rewritten text and the number of references changed."""
    count = 0
    for pat, rep in RULES:
        text, k = pat.subn(rep, text)
        count += k
    return _number_chains(text), count


def read_text_file(path: Path) -> str | None:
    """The file's text if it is UTF-8 without NUL bytes, else ``None`` (binary)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if "\0" in text else text


def _files(paths: list[str]):
    me = Path(__file__).resolve()
    for p in map(Path, paths):
        if p.is_file():
            cands = [p]
        elif p.is_dir():
            cands = (f for f in sorted(p.rglob("*"))
                     if f.is_file() and not SKIP_DIRS.intersection(f.relative_to(p).parts))
        else:
            raise FileNotFoundError(str(p))
        for f in cands:
            text = None if f.resolve() == me else read_text_file(f)
            if text is not None:
                yield f, text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", metavar="PATH")
    ap.add_argument("--check", action="store_true", help="report only; change nothing")
    args = ap.parse_args(argv)
    total = files = left = 0
    try:
        for f, text in _files(args.paths):
            new, k = rewrite_text(text)
            if new != text:
                files += 1
                total += k
                print(f"{f}: {k} reference(s){' (not written: --check)' if args.check else ''}")
                if not args.check:
                    f.write_text(new, encoding="utf-8")
            for n, line in enumerate((text if args.check else new).splitlines(), 1):
                if LEFTOVER.search(line):
                    left += 1
                    print(f"left over: {f}:{n}: {line.strip()}")
    except FileNotFoundError as e:
        print(f"rewrite_refs: error: no such file or folder: {e}", file=sys.stderr)
        return 2
    print(f"{total} reference(s) in {files} file(s) {'to rewrite' if args.check else 'rewritten'}"
          f"; {left} line(s) left over")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
