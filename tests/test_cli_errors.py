"""User errors vs bugs on the command line: bad input exit 2 (file, line, column), a
numeric solver failure exit 4, an internal bug exit 1 (``check``: 70, its 1 is REJECTED),
Ctrl-C exit 130 -- each one line on stderr, no traceback unless ``--debug``."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

import exactrelu
import exactrelu.cli as cli
from exactrelu.cli import main
from exactrelu.errors import InputError, SolverError
from test_cli import run  # main(args) -> (exit code, stdout, stderr)

ROOT = Path(__file__).resolve().parents[1]


def _raiser(exc):
    """A command ``run`` that raises ``exc``."""
    def run(args):
        raise exc
    return run


@pytest.fixture
def data(tmp_path):
    (tmp_path / "d.csv").write_text("1,3\n-4,3/2\n")      # x = (1, -4), y = (3, 3/2)
    return tmp_path / "d.csv"


def _one_line(err):
    assert err.count("\n") == 1 and err.startswith("exactrelu: "), err
    assert "Traceback" not in err
    return err


def _args(command, data, tmp_path):
    return {"patterns": ["patterns", data],
            "certify": ["certify", data, "--lam", "2", "-o", tmp_path / "c.json"],
            "check": ["check", tmp_path / "c.json"],
            "path": ["path", data, "--lams", "1,2"]}[command]


@pytest.mark.parametrize("command", ["patterns", "certify", "path"])
def test_internal_error_is_exit_1_and_asks_for_a_report(command, data, tmp_path, capsys,
                                                        monkeypatch):
    module = getattr(cli, command)
    monkeypatch.setattr(module, "run", _raiser(RuntimeError("boom\nsecond line")))
    code, out, err = run(_args(command, data, tmp_path), capsys)
    assert code == 1 and not out
    _one_line(err)
    assert f"internal error in exactrelu {exactrelu.__version__}" in err
    assert "this is a bug, not your input" in err and "RuntimeError: boom second line" in err
    assert "please report it" in err and "--debug" in err


def test_internal_error_in_check_is_not_rejected(data, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli.check, "run", _raiser(KeyError("x")))
    code, _, err = run(_args("check", data, tmp_path), capsys)
    assert code == cli.EXIT_INTERNAL_CHECK == 70
    assert "internal error" in _one_line(err) and "KeyError" in err


def test_internal_error_inside_the_library(data, tmp_path, capsys, monkeypatch):
    """A bug deep in the library (not only in the command function) is exit 1, and an
    ExactReluError that is not an InputError is a bug too, not the user's mistake."""
    import exactrelu.arrangement as pat
    from exactrelu.errors import ExactReluError

    def broken(*a, **k):
        raise ExactReluError("internal: witness 3 fails row 1")
    monkeypatch.setattr(pat, "enumerate_patterns", broken)
    code, _, err = run(["patterns", data], capsys)
    assert code == 1 and "internal error" in _one_line(err)
    assert "ExactReluError: internal: witness 3 fails row 1" in err


@pytest.mark.parametrize("command", ["certify", "path"])
def test_solver_failure_is_exit_4(command, data, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(getattr(cli, command), "run",
                        _raiser(SolverError("Clarabel status MaxIterations on 4 blocks")))
    code, out, err = run(_args(command, data, tmp_path), capsys)
    assert code == cli.EXIT_SOLVER == 4 and not out
    _one_line(err)
    assert "numeric solver failed" in err and "Clarabel status MaxIterations" in err
    assert "try" in err.lower() and "internal error" not in err
    assert not (tmp_path / "c.json").exists()


def test_real_solver_failure_in_certify_writes_nothing(data, tmp_path, capsys, monkeypatch):
    import exactrelu.approx.solver as solver

    def fail(*a, **k):
        raise SolverError("Clarabel returned non-finite values (status NumericalError)")
    monkeypatch.setattr(solver, "solve_crelu", fail)
    code, _, err = run(_args("certify", data, tmp_path), capsys)
    assert code == 4 and "non-finite values" in _one_line(err)
    assert not (tmp_path / "c.json").exists()


@pytest.mark.parametrize("content,lam,where", [
    ("1,2\n", "1e400", "exactrelu: error: --lam '1e400' "),
    ("1e400,2\n1,3\n", "1", ", line 1, column 1: value '1e400' ")])
def test_values_beyond_doubles_are_refused_before_the_solver(content, lam, where, tmp_path,
                                                            capsys):
    """Exact input the float solver cannot represent: refused before any work (exit 2,
    issue 14), naming the value, its place and the solver's range; nothing written;
    ``patterns`` (exact only) still works on the same data.  The library itself still
    raises SolverError (``to_double``), tested in test_values_beyond_doubles_in_the_library."""
    data = tmp_path / "big.csv"
    data.write_text(content)
    code, _, err = run(["certify", data, "--lam", lam, "-o", tmp_path / "c.json"], capsys)
    assert code == 2 and where in _one_line(err)
    assert "is too large for the numeric solver (|x| <= 1e150" in err
    assert not (tmp_path / "c.json").exists()
    assert run(["patterns", data], capsys)[0] == 0


def test_values_beyond_doubles_in_the_library():
    import exactrelu as er

    with pytest.raises(SolverError, match="outside the range of a double"):
        er.certify([[1], [2]], [1, 3], "1e400")


def test_text_output_of_values_beyond_doubles(tmp_path, capsys):
    """Above lam_max the zero network is optimal, exactly, with no float solve: a lam
    beyond the double range is answered, and its text display does not overflow."""
    data = tmp_path / "one.csv"
    data.write_text("1,2\n")
    for extra in ([], ["--width", "1"]):
        code, out, err = run(["path", data, "--lams", "1e400,1", *extra], capsys)
        assert code == 0 and not err
        rows = [line.split()[:3] for line in out.splitlines()]
        assert ["1e+400", "2", "2"] in rows and ["1", "3/2", "3/2"] in rows


def test_input_error_is_exit_2_with_the_place(data, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli.patterns, "run",
                        _raiser(InputError("not a number", file="x.csv", line=3, column=2)))
    code, _, err = run(["patterns", data], capsys)
    assert code == 2
    assert _one_line(err) == "exactrelu: error: x.csv, line 3, column 2: not a number\n"


def test_keyboard_interrupt_is_exit_130_and_writes_nothing(data, tmp_path, capsys,
                                                           monkeypatch):
    """Ctrl-C while the certificate is being moved into place: exit 130, no traceback,
    neither the certificate nor its temporary file is left behind."""
    def interrupted(src, dst):
        raise KeyboardInterrupt
    monkeypatch.setattr(os, "replace", interrupted)
    code, out, err = run(_args("certify", data, tmp_path), capsys)
    assert code == 130 and _one_line(err) == "exactrelu: interrupted\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.csv"]


def test_keyboard_interrupt_in_check(data, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli.check, "run", _raiser(KeyboardInterrupt()))
    code, _, err = run(_args("check", data, tmp_path), capsys)
    assert code == 130 and _one_line(err) == "exactrelu: interrupted\n"


@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("exc,code", [(RuntimeError("boom"), 1),
                                      (SolverError("no convergence"), 4),
                                      (InputError("bad", file="f"), 2),
                                      (KeyboardInterrupt(), 130)])
def test_debug_shows_the_traceback(where, exc, code, data, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli.certify, "run", _raiser(exc))
    args = _args("certify", data, tmp_path)
    args = ["--debug", *args] if where == "before" else [*args, "--debug"]
    got, _, err = run(args, capsys)
    assert got == code
    assert err.startswith("Traceback (most recent call last):") and "raise exc" in err
    assert err.splitlines()[-1].startswith("exactrelu: ") and "rerun with" not in err


def test_no_debug_flag_no_traceback_even_for_nested_exceptions(data, tmp_path, capsys,
                                                              monkeypatch):
    def chained(args):
        try:
            {}["k"]
        except KeyError as e:
            raise ValueError("wrapped") from e
    monkeypatch.setattr(cli.certify, "run", chained)
    code, _, err = run(_args("certify", data, tmp_path), capsys)
    assert code == 1 and "ValueError: wrapped" in _one_line(err)


def test_exit_codes_documented_in_help(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for code, meaning in cli.EXIT_CODES.items():
        assert f"{code:>3}  {meaning}" in out
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    assert "70" in capsys.readouterr().out
    readme = (ROOT / "README.md").read_text()
    for code in cli.EXIT_CODES:
        assert f"| {code} |" in readme


@pytest.mark.parametrize("module", ["exactrelu", "exactrelu.cli"])
def test_python_dash_m_real_exit_codes(module, data, tmp_path):
    """Through a real process: ``python -m exactrelu`` and ``python -m exactrelu.cli``;
    bad input exit 2, and an internal error (a bug planted via a sitecustomize that
    breaks the CSV reader) exit 1 with one line, traceback only with --debug."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(tmp_path), str(ROOT)]
        + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2\n3,x\n")
    p = subprocess.run([sys.executable, "-m", module, "patterns", str(bad)],
                       capture_output=True, text=True, cwd=ROOT, env=env)
    assert p.returncode == 2 and p.stderr.count("\n") == 1
    assert p.stderr.startswith(f"exactrelu: error: {bad}, line 2, column 2: ")
    (tmp_path / "sitecustomize.py").write_text(
        "import exactrelu.io.data as d\n"
        "def _broken(*a, **k):\n    raise ZeroDivisionError('planted')\n"
        "d.read_csv = _broken\n")
    p = subprocess.run([sys.executable, "-m", module, "patterns", str(data)],
                       capture_output=True, text=True, cwd=ROOT, env=env)
    assert p.returncode == 1 and p.stderr.count("\n") == 1 and "Traceback" not in p.stderr
    assert "ZeroDivisionError: planted" in p.stderr and "bug" in p.stderr
    p = subprocess.run([sys.executable, "-m", module, "--debug", "patterns", str(data)],
                       capture_output=True, text=True, cwd=ROOT, env=env)
    assert p.returncode == 1 and p.stderr.startswith("Traceback")
