"""exactrelu: exact, verified computation on two-layer ReLU networks."""
__version__ = "0.1.0"
