"""Opening user files: one place that turns OS errors into clear :class:`InputError`s."""
from __future__ import annotations

import os
import tempfile
from typing import Callable

from ..errors import InputError

__all__ = ["read_bytes", "read_text", "write_atomic", "save_atomic"]


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


def save_atomic(path: str | os.PathLike, write: Callable[[str], None]) -> None:
    """Call ``write(tmp)`` on a temporary file in the folder of ``path``, then rename it to
    ``path``: nothing half-written is ever left under ``path``.  The file gets the usual
    permissions (``0o666`` minus the umask; ``mkstemp`` alone would leave ``0o600``).
    :class:`InputError` naming the file if the folder is missing or not writable."""
    name = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(name)) or "."
    if not os.path.isdir(folder):
        raise InputError("output folder does not exist", file=name)
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".exactrelu-",
                                   suffix=os.path.splitext(name)[1] or ".tmp")
    except OSError as e:
        raise InputError(f"cannot write: {e.strerror}", file=name) from None
    os.close(fd)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, name)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_atomic(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically (see :func:`save_atomic`)."""
    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
    save_atomic(path, write)
