"""The runnable examples in the public API's docstrings (each one is a test)."""
import doctest
import importlib

import pytest

MODULES = ["exactrelu", "exactrelu.api", "exactrelu.results", "exactrelu.estimator",
           "exactrelu.networks", "exactrelu.certificate.cover_compact"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    mod = importlib.import_module(name)
    res = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0
    if name != "exactrelu.networks":
        assert res.attempted > 0


def test_every_public_name_has_an_example():
    import exactrelu

    missing = []
    for name in exactrelu.__all__:
        if name == "__version__" or name.endswith("Error"):
            continue
        obj = getattr(exactrelu, name)
        if ">>>" not in (obj.__doc__ or "") and name not in ("Dataset", "LamMax",
                                                             "OptimalSet", "Verdict"):
            missing.append(name)
    assert not missing, f"no runnable example in the docstring of {missing}"
