"""The version of exactrelu (one place; modules import it from here, not from the package
``__init__``, so that the package can import them without an import cycle)."""
__version__ = "0.1.0"
