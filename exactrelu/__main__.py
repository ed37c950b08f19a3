"""``python -m exactrelu``: the ``exactrelu`` command."""
import sys

from .cli import main

sys.exit(main())
