"""Opening user files: one place that turns OS errors into clear :class:`InputError`s."""
from __future__ import annotations

import os

from ..errors import InputError

__all__ = ["read_bytes", "read_text"]


def read_bytes(path: str | os.PathLike, what: str = "file") -> bytes:
    """The bytes of ``path``; :class:`InputError` naming the file when it cannot be read."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        raise InputError("no such file", file=name) from None
    except IsADirectoryError:
        raise InputError(f"is a directory, not a {what}", file=name) from None
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", file=name) from None


def read_text(path: str | os.PathLike, what: str = "file", *, encoding: str = "utf-8") -> str:
    """The text of ``path`` (UTF-8); :class:`InputError` naming the file and the byte
    offset when it is not text."""
    raw = read_bytes(path, what)
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 text (byte {e.start})", file=os.fspath(path)) from None
