"""The optimal set of the convex program (and of ReLU training), exactly."""
from .polytope import *  # noqa: F401,F403
from .polytope import __all__  # noqa: F401
