"""``python -m exactrelu.cli``: the ``exactrelu`` command."""
import sys

from . import main

sys.exit(main())
