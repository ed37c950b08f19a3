"""exactrelu: exact, verified computation on two-layer ReLU networks."""
from ._version import __version__

__all__ = ["__version__"]
