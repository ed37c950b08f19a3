"""Every error exactrelu raises on purpose.

The command line (:func:`exactrelu.cli.main`) turns each into one line on stderr, never a
traceback: an :class:`InputError` (the user's mistake, naming file, line and column) exits
2, a :class:`SolverError` exits 4; any other exception reaching it -- another
:class:`ExactReluError` included -- is a bug of exactrelu and exits 1 (``check``: 70).
"""
from __future__ import annotations


class ExactReluError(Exception):
    """Base class of all deliberate exactrelu errors."""


class InputError(ExactReluError, ValueError):
    """Bad user input, with where it was found (file, line, column; 1-based).

    ``str(err)`` reads ``file:line:column: message`` (missing parts left out).
    """

    def __init__(self, message: str, *, file: str | None = None,
                 line: int | None = None, column: int | None = None) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.file is not None:
            where.append(str(self.file))
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column}")
        return (", ".join(where) + ": " if where else "") + self.message


class TooManyRegions(InputError):
    """Enumerating every activation region would exceed the region budget (the
    general-position count bounds the number of regions before any work is done)."""


class NotExactError(ExactReluError, TypeError):
    """A float (or other inexact value) reached exact code without an explicit conversion."""


class DomainError(ExactReluError, ValueError):
    """An exact operation would leave the rationals (e.g. the square root of a non-square)."""


class ShapeError(ExactReluError, ValueError):
    """Arrays of incompatible shapes."""


class SolverError(ExactReluError, RuntimeError):
    """The numeric solver failed; never swallowed, always reported."""


class Undecided(ExactReluError):
    """A three-valued predicate could not be decided within its budget."""
