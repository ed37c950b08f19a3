"""The ``exactrelu`` command line (stable surface: ``docs/spec/cli.md``).

One module per command (:data:`COMMANDS`), one convention: each defines
``register(subparsers)``, which adds its sub-parser and sets ``func=run``, and
``run(args) -> int``, which returns the exit code.  Command modules import the library,
:mod:`exactrelu.cli._common` (shared arguments and loaders) and, for the demo, a sibling
command module -- never this ``__init__`` (no import cycle; ``tests/test_imports.py``).

:func:`main` sorts what escapes a command into user errors and bugs (:data:`EXIT_CODES`):
a user mistake (:class:`~exactrelu.errors.InputError`) is one line ``exactrelu: error:
file, line L, column C: ...`` and exit 2; a failure of the numeric solver
(:class:`~exactrelu.errors.SolverError`) is one line and exit 4; anything else is a bug of
exactrelu, reported in one line asking for a report, exit 1 (``check``: 70, because its 1
means REJECTED).  ``--debug`` adds the traceback.  Ctrl-C ends with "interrupted", exit
130.  Output files are written atomically, so none of these leaves a half-written file.
"""
from __future__ import annotations

import argparse
import sys
import traceback
import warnings
from typing import Sequence

from .._version import __version__
from ..errors import InputError, SolverError
from . import certify, check, demo, optimal_set, path, patterns, prune

__all__ = ["main", "build_parser", "COMMANDS", "EXIT_CODES"]

#: The command modules, in the order of ``exactrelu --help``.
COMMANDS = (patterns, certify, check, optimal_set, prune, path, demo)

EXIT_OK = 0
EXIT_INTERNAL = 1           # a bug of exactrelu (every command but check)
EXIT_USAGE = 2              # bad input: data, flags, files (check: MALFORMED)
EXIT_UNDECIDED = 3          # check: UNDECIDED; certify: the proof exceeds that budget
EXIT_SOLVER = 4             # the numeric solver failed
EXIT_INTERNAL_CHECK = 70    # a bug of exactrelu inside `check` (1 is REJECTED there)
EXIT_INTERRUPTED = 130      # Ctrl-C

EXIT_CODES = {
    EXIT_OK: "success (check: VERIFIED)",
    EXIT_INTERNAL: "internal error, a bug of exactrelu (check: REJECTED)",
    EXIT_USAGE: "bad input: data, flags or files (check: MALFORMED)",
    EXIT_UNDECIDED: "check: UNDECIDED (over the size budget); certify: the certificate "
                    "would be, nothing written",
    EXIT_SOLVER: "the numeric solver failed",
    EXIT_INTERNAL_CHECK: "check only: internal error, a bug of exactrelu",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C); nothing written",
}

_EPILOG = "exit codes:\n" + "\n".join(f"  {k:>3}  {v}" for k, v in EXIT_CODES.items())


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own usage errors: exit 2, no traceback
        self.print_usage(sys.stderr)
        print(f"exactrelu: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``exactrelu``: the global flags, then ``register`` of each command."""
    p = _Parser(prog="exactrelu",
                description="Exact, verified computation on two-layer ReLU networks\n"
                            "(squared loss, weight decay) through their convex reformulation.",
                epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"exactrelu {__version__}")
    p.add_argument("--debug", action="store_true",
                   help="on an error, also print the Python traceback")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for module in COMMANDS:
        module.register(sub)
    for sp in sub.choices.values():       # --debug also after the command name
        sp.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="on an error, also print the Python traceback")
    return p


#: What ``str.splitlines`` breaks at: escaped in messages, which are always one line.
_LINE_BREAKS = {c: ascii(c)[1:-1] for c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"}


def _fail(message: str, code: int, debug: bool) -> int:
    if debug:
        traceback.print_exc(file=sys.stderr)
    print(f"exactrelu: {message.translate(str.maketrans(_LINE_BREAKS))}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``exactrelu`` with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    args = build_parser().parse_args(argv)
    debug = bool(getattr(args, "debug", False))
    internal = EXIT_INTERNAL_CHECK if args.command == "check" else EXIT_INTERNAL
    try:
        with warnings.catch_warnings():     # numpy's overflow warnings in float guesses
            warnings.simplefilter("ignore", RuntimeWarning)     # are noise: errors are 1 line
            return int(args.func(args) or 0)
    except InputError as e:
        return _fail(f"error: {e}", EXIT_USAGE, debug)
    except SolverError as e:
        return _fail(f"error: the numeric solver failed ({e}); nothing was claimed or "
                     "written. Try rescaling the data, another --lam, or fewer patterns "
                     "(--sample N); if it persists, please report it", EXIT_SOLVER, debug)
    except KeyboardInterrupt:
        return _fail("interrupted", EXIT_INTERRUPTED, debug)
    except BrokenPipeError:         # `exactrelu ... | head`: the reader left, not an error
        return EXIT_OK
    except MemoryError:
        return _fail("error: out of memory (the instance is too large for this machine; try "
                     "--sample N or fewer data rows)", internal, debug)
    except Exception as e:          # everything else is a bug of exactrelu
        what = f"{type(e).__name__}: {e}".replace("\n", " ")
        return _fail(f"internal error in exactrelu {__version__} (this is a bug, not your "
                     f"input): {what}; please report it with the command line"
                     + ("" if debug else "; rerun with --debug for the traceback"),
                     internal, debug)
