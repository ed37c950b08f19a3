import pytest
from fractions import Fraction as F

from exactrelu.errors import InputError
from exactrelu.io.data import parse_csv_text, parse_lam, read_csv


def test_exact_values(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("1,2,3\n-0.125,1e-3,3/8\n\n")
    ds = read_csv(p)
    assert ds.X == ((F(1), F(2)), (F(-1, 8), F(1, 1000)))
    assert ds.y == (F(3), F(3, 8))
    ds = read_csv(p, bias=True)
    assert ds.X[1] == (F(-1, 8), F(1, 1000), F(1)) and ds.bias


def test_header():
    ds = parse_csv_text("a,b,y\n1,2,3\n", header=True)
    assert ds.X == ((F(1), F(2)),)


@pytest.mark.parametrize("text,line,col,msg", [
    ("1,2,3\n4,5\n", 2, 3, "ragged"),
    ("1,2,3\n4,5,6,7\n", 2, 4, "ragged"),
    ("1,,3\n", 1, 2, "empty"),
    ("1,2,nan\n", 1, 3, "finite"),
    ("1,inf,2\n", 1, 2, "finite"),
    ("1,2,3\n4,x,6\n", 2, 2, "not a number"),
    ("1,2,1/0\n", 1, 3, "zero"),
    ("", 1, None, "empty"),
    ("5\n", 1, 1, "at least one feature"),
])
def test_bad_input_names_line_and_column(text, line, col, msg):
    with pytest.raises(InputError, match=msg) as e:
        parse_csv_text(text, name="bad.csv")
    assert e.value.file == "bad.csv" and e.value.line == line and e.value.column == col
    assert "bad.csv" in str(e.value) and f"line {line}" in str(e.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_csv(tmp_path / "nope.csv")


@pytest.mark.parametrize("text", ["0", "-1", "nan", "x", "1/0", ""])
def test_bad_lam(text):
    with pytest.raises(InputError, match="lam"):
        parse_lam(text)


def test_lam_ok():
    assert parse_lam("1e-3") == F(1, 1000) and parse_lam("3/8") == F(3, 8)
