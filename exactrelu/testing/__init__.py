"""Test helpers for users and for exactrelu's own suite: independent oracles and
Hypothesis strategies (small enough to stay exact and fast)."""
