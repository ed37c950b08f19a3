"""Numeric (floating-point) producers. Nothing here is trusted: every output is
recomputed or checked exactly before exactrelu states it as a fact."""
