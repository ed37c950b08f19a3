"""``exactrelu check CERT``: the library's certificate checker, with the verdicts and
exit codes of ``proofs_checks/check_cert.py`` (0 VERIFIED, 1 REJECTED, 2 MALFORMED,
3 UNDECIDED); an internal error of exactrelu exits 70 here, not 1."""
from __future__ import annotations

import argparse

__all__ = ["register", "run"]


def run(args: argparse.Namespace) -> int:
    from ..certificate.check import check_file

    if not _regular_or_missing(args.cert):  # a FIFO or device would block or never end
        print("MALFORMED: cannot read the file: not a regular file")
        return 2
    res = check_file(args.cert)
    print(res.message)
    return res.code


def _regular_or_missing(path: str) -> bool:
    import os
    import stat

    try:
        return stat.S_ISREG(os.stat(path).st_mode) or stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return True         # missing or unreadable: the checker says so


def register(sub) -> None:
    """Add the ``check`` sub-command to the sub-parsers ``sub`` of ``exactrelu``."""
    sp = sub.add_parser("check", help="check a certificate (same verdicts as proofs_checks)",
                        description="Check a certificate exactly. Exit 0 VERIFIED, 1 REJECTED, "
                                    "2 MALFORMED, 3 UNDECIDED (over the size budget); 70 an "
                                    "internal error of exactrelu (a bug).")
    sp.add_argument("cert", metavar="CERT")
    sp.set_defaults(func=run)
