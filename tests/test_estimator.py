"""scikit-learn's own estimator checks on ExactReLURegressor.

Every check of scikit-learn's ``check_estimator`` applies to this regressor and passes
in the default run; we skip none.  At the default parameters (slow suite) one check is a
known failure of the numeric solver (KNOWN below).  scikit-learn itself skips ``check_array_api_input`` (unless
SCIPY_ARRAY_API is set) and the sample-weight checks (``fit`` takes no
``sample_weight``).  The default run uses a small pattern budget (``max_regions=200,
sample=30``); the few checks that fit scikit-learn's 200 x 10 regression data several
times (HEAVY: a few minutes of exact arithmetic on float data) run in the slow suite,
together with every check at the default parameters.
"""
import warnings

import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from exactrelu import ExactReLURegressor  # noqa: E402

warnings.filterwarnings("ignore", category=sklearn.exceptions.SkipTestWarning)

HEAVY = {"check_regressors_train", "check_regressor_data_not_an_array"}


def _name(check) -> str:
    return getattr(check, "func", check).__name__


@parametrize_with_checks([ExactReLURegressor(max_regions=200, sample=30)])
def test_sklearn_check_small_budget(estimator, check):
    if _name(check) in HEAVY:
        pytest.skip("fits 200 x 10 float data several times: in the slow suite")
    check(estimator)


@pytest.mark.slow
@parametrize_with_checks([ExactReLURegressor(max_regions=200, sample=30)])
def test_sklearn_check_small_budget_heavy(estimator, check):
    if _name(check) not in HEAVY:
        pytest.skip("in the default suite")
    check(estimator)


# Known failure, kept visible: at the default budget (every region) the numeric solver
# stops with Clarabel InsufficientProgress / MaxIterations on this check's data (100 x 2
# blobs, bias: 100 working-set blocks).  The estimator raises SolverError (nothing is
# claimed); the solver's robustness is the open problem, not the check.
KNOWN = {"check_fit_check_is_fitted": "numeric solver: Clarabel InsufficientProgress on "
                                      "this data at the default budget (SolverError)"}


@pytest.mark.slow
@parametrize_with_checks([ExactReLURegressor()],
                         expected_failed_checks=lambda est: KNOWN)
def test_sklearn_check_defaults(estimator, check):
    check(estimator)
