"""Opening user files: one place that turns OS errors into clear :class:`InputError`s."""
from __future__ import annotations

import os
import stat
import tempfile
from typing import Callable, Iterable

from ..errors import InputError

__all__ = ["read_bytes", "read_text", "write_atomic", "save_atomic", "check_output"]


def read_bytes(path: str | os.PathLike, what: str = "file") -> bytes:
    """The bytes of ``path``; :class:`InputError` naming the file when it cannot be read
    or is not a regular file (reading a FIFO would block)."""
    name = os.fspath(path)
    try:
        if not stat.S_ISREG(os.stat(name).st_mode) and not os.path.isdir(name):
            raise InputError(f"not a regular file (a pipe or device cannot be read as a "
                             f"{what})", file=name)
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


def check_output(path: str | os.PathLike,
                 inputs: Iterable[str | os.PathLike | None] = ()) -> None:
    """Refuse (:class:`InputError`) an output path that must not be replaced: a missing
    folder, a directory, a symbolic link (replacing it would silently cut the link, and
    following it would write elsewhere), anything but a regular file, a read-only file
    (a rename would replace it regardless of its permissions), or one of ``inputs``
    (compared with :func:`os.path.samefile`, so another name of the same file counts).
    An existing, writable regular file is replaced (atomically)."""
    name = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(name)) or "."
    if not os.path.isdir(folder):
        raise InputError("output folder does not exist", file=name)
    try:
        st = os.lstat(name)
    except FileNotFoundError:
        return
    except OSError as e:
        raise InputError(f"cannot write: {e.strerror}", file=name) from None
    if stat.S_ISLNK(st.st_mode):
        raise InputError("the output is a symbolic link; not replacing it (name the file "
                         "itself or remove the link)", file=name)
    if stat.S_ISDIR(st.st_mode):
        raise InputError("the output is a directory; name a file to write", file=name)
    if not stat.S_ISREG(st.st_mode):
        raise InputError("the output exists and is not a regular file; not replacing it",
                         file=name)
    if not st.st_mode & 0o222 or not os.access(name, os.W_OK):
        raise InputError("the output file is read-only; not replacing it", file=name)
    for other in inputs:
        if other is not None and os.path.exists(other) and os.path.samefile(name, other):
            raise InputError(f"the output is the input file {os.fspath(other)}; not "
                             "overwriting it (choose another output name)", file=name)


def save_atomic(path: str | os.PathLike, write: Callable[[str], None], *,
                inputs: Iterable[str | os.PathLike | None] = ()) -> None:
    """Call ``write(tmp)`` on a temporary file in the folder of ``path``, then rename it to
    ``path``: nothing half-written is ever left under ``path``.  The file gets the usual
    permissions (``0o666`` minus the umask; ``mkstemp`` alone would leave ``0o600``).
    :class:`InputError` naming the file if the folder is missing or not writable, or if
    :func:`check_output` refuses ``path`` (checked again just before the rename)."""
    name = os.fspath(path)
    inputs = tuple(inputs)
    check_output(name, inputs)
    folder = os.path.dirname(os.path.abspath(name)) or "."
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
        check_output(name, inputs)
        os.replace(tmp, name)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_atomic(path: str | os.PathLike, text: str, *,
                 inputs: Iterable[str | os.PathLike | None] = ()) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically (see :func:`save_atomic`)."""
    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
    save_atomic(path, write, inputs=inputs)
