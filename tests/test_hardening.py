"""The reproductions of issue 14 (hostile input), one test each: every case is one line
on stderr naming what and where, exit 2 (``check``: MALFORMED), nothing written or
replaced, no traceback.  The generated counterpart is ``tests/test_fuzz_cli.py``."""
import pytest

from test_cli import run  # main(args) -> (exit code, stdout, stderr)


@pytest.fixture
def data(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("-2,1\n-1,1/4\n0,0\n1,1/2\n2,2\n")
    return p


def refused(result, *parts):
    """``result`` is exit 2 with one line on stderr containing every one of ``parts``."""
    code, out, err = result
    assert code == 2, (code, err)
    assert err.count("\n") == 1 and err.startswith("exactrelu: error: "), err
    assert "Traceback" not in err
    for p in parts:
        assert p in err, (p, err)
    return err


def test_1_cell_over_the_csv_field_limit(tmp_path, capsys):
    big = tmp_path / "big.csv"
    big.write_text("1" * 200000 + ",1\n")
    refused(run(["patterns", big], capsys),
            f"{big}, line 1, column 1: value has 200000 characters (limit 4000)")
    big.write_text("1,2\n3," + "4" * 140000 + "\n")
    refused(run(["patterns", big], capsys), "line 2, column 2: value has 140000 characters")


def test_1_nul_byte(tmp_path, capsys):
    p = tmp_path / "nul.csv"
    p.write_text("1,2\n3,\0\n")
    refused(run(["patterns", p], capsys), "line 2, column 2: '\\x00' is not a number")


@pytest.mark.parametrize("digit,name", [("١", "U+0661 ARABIC-INDIC DIGIT ONE"),
                                        ("１", "U+FF11 FULLWIDTH DIGIT ONE"),
                                        ("²", "U+00B2 SUPERSCRIPT TWO")])
def test_4_non_ascii_digits_are_refused_by_name(digit, name, tmp_path, capsys, data):
    p = tmp_path / "u.csv"
    p.write_text(f"1,2\n{digit},3\n")
    refused(run(["patterns", p], capsys), "line 2, column 1:", name, "ASCII")
    refused(run(["certify", data, "--lam", digit, "-o", tmp_path / "c.json"], capsys),
            "--lam", name)
    assert not (tmp_path / "c.json").exists()
    refused(run(["path", data, "--lams", f"1,{digit}"], capsys), "item 2", name)


def test_4_lams_range_count_must_be_ascii(data, capsys):
    refused(run(["path", data, "--bias", "--lams", "1:2:²"], capsys),
            "--lams: k '²' must be a positive integer")
    refused(run(["path", data, "--lams", "1:2:99999999999999999999"], capsys),
            "too large (at most 100000 values)")


def test_13_byte_order_mark_is_ignored(tmp_path, capsys):
    p = tmp_path / "bom.csv"
    p.write_bytes(b"\xef\xbb\xbf-2,1\n-1,1/4\n0,0\n1,1/2\n2,2\n")
    code, out, err = run(["patterns", p, "--json"], capsys)
    assert code == 0 and not err and '"n": 5' in out


def test_13_invisible_characters_are_shown_escaped(tmp_path, capsys):
    p = tmp_path / "zw.csv"
    p.write_text("1,2\n3,\u200b4\n")
    refused(run(["patterns", p], capsys), "line 2, column 2: '\\u200b4'", "U+200B")
