"""One test module per claim of the test list, ``docs/theory.md`` §5.2.

Each module states its claim and source, checks it with a quick-profile Hypothesis
property on small exact instances (``exactrelu.testing.strategies``), and has a negative
control: a perturbed input or a deliberately wrong variant that the same check must
catch.  The checks themselves live in ``proofs_checks/theorems.py`` (loaded by
``_claims.py``), so the batch command ``python proofs_checks/theorems.py`` and these
properties run the same exact computations.
"""
