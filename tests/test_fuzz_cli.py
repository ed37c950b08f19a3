"""Fuzzing the command line in-process (issue 14, item 4): Hypothesis-generated CSV text,
``--lam`` strings, network JSON and certificate mutations go through
:func:`exactrelu.cli.main`.  Whatever the input, the answer is an exit code of the spec
(0, or 2 for bad input; ``check``: 0-3), an error is exactly one line on stderr with no
traceback, and after an error no output file (nor a temporary one) exists.  Commands that
run the numeric solver may also end with its documented failure, exit 4 (found here:
``path --lams 4.6013588351375E-13`` on a 5-point data set, whose float guess misses the
path's gap tolerance) -- still one line, nothing written.

The number of examples follows the Hypothesis profile (``tests/conftest.py``): a few per
test in the default ``quick`` run, many more under ``HYPOTHESIS_PROFILE=thorough``.  The
hand-written reproductions of the issue are in ``tests/test_hardening.py``."""
import contextlib
import io
import json
import os
import tempfile

from hypothesis import given, settings, strategies as st

from exactrelu.cli import main

#: Examples per test: half the profile's count (quick 30 -> 15, thorough 400 -> 200).
FEW = settings(max_examples=max(5, settings.default.max_examples // 2))

DATA = "-2,1\n-1,1/4\n0,0\n1,1/2\n2,2\n"

#: Values the grammar must accept or refuse cleanly: edge cases of the issue and friends.
TOKENS = ["0", "1", "-2", "3/8", "0.5", "+.5", "1e-3", "2.5E+2", "1e400", "1e-400", "1e200",
          "-1e151", "1/0", "0/0", "nan", "NaN", "inf", "-Infinity", "", " ", "١", "１", "²",
          "\ufeff1", "\u200b1", "\x00", "x", "1e99999", "1" * 4001, "9" * 3999, '"1,2"',
          '"', "--1", "1/2/3", "1e", ".", "0x10", "1_000", "½", "1 2"]

values = st.one_of(st.sampled_from(TOKENS), st.integers().map(str),
                   st.fractions(max_denominator=10 ** 6).map(str),
                   st.decimals(allow_nan=True, allow_infinity=True).map(str),
                   st.floats().map(repr), st.text(max_size=6))


@st.composite
def csv_texts(draw):
    """CSV-like text: rows of mostly plausible values, ragged or not, odd line ends, an
    optional BOM -- or arbitrary text."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.text(max_size=60))
    width = draw(st.integers(1, 3))
    rows = draw(st.lists(st.lists(values, min_size=width - (draw(st.booleans()) and 1),
                                  max_size=width), min_size=0, max_size=5))
    end = draw(st.sampled_from(["\n", "\r\n", "\r", "\n\n"]))
    text = end.join(",".join(r) for r in rows)
    return ("\ufeff" if draw(st.booleans()) else "") + text + draw(st.sampled_from(["", end]))


#: Exit codes of a command that runs the numeric solver: 4 is its documented failure.
SOLVER = (0, 2, 4)


def cli(args):
    """``main(args)`` in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as e:          # argparse usage errors
            code = e.code
    return code, out.getvalue(), err.getvalue()


def assert_clean(result, folder, output=None, codes=(0, 2)):
    """The answer obeys the spec: an allowed exit code; an error is one line on stderr,
    no traceback, and no ``output`` nor temporary file was left in ``folder``."""
    code, out, err = result
    assert code in codes, (code, err[-500:])
    assert "Traceback" not in err + out
    if code != 0:
        lines = [ln for ln in err.splitlines() if not ln.startswith("usage:")]
        assert len(lines) == 1 and lines[0].startswith("exactrelu: "), err
        if output is not None:
            assert not os.path.exists(output)
    assert not [f for f in os.listdir(folder) if f.startswith(".exactrelu-")]


def _folder():
    return tempfile.TemporaryDirectory(prefix="exactrelu-fuzz-")


@settings(parent=settings.default)
@given(csv_texts(), st.booleans())
def test_fuzz_csv_patterns(text, bias):
    with _folder() as d:
        data = os.path.join(d, "d.csv")
        with open(data, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        assert_clean(cli(["patterns", data, "--json"] + ["--bias"] * bias), d)


@FEW
@given(csv_texts())
def test_fuzz_csv_certify(text):
    with _folder() as d:
        data, out = os.path.join(d, "d.csv"), os.path.join(d, "c.json")
        with open(data, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        res = cli(["certify", data, "--lam", "1", "-o", out, "--json"])
        assert_clean(res, d, out, codes=SOLVER)
        assert (res[0] == 0) == os.path.exists(out)


@FEW
@given(st.one_of(values, st.text(max_size=12)))
def test_fuzz_lam(lam):
    with _folder() as d:
        data, out = os.path.join(d, "d.csv"), os.path.join(d, "c.json")
        with open(data, "w") as fh:
            fh.write(DATA)
        res = cli(["certify", data, "--lam=" + lam, "-o", out, "--json"])
        assert_clean(res, d, out, codes=SOLVER)
        assert (res[0] == 0) == os.path.exists(out)
        assert_clean(cli(["path", data, "--lams=" + lam]), d, codes=SOLVER)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), values),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner,
                                                                max_size=2),
    max_leaves=8)


@st.composite
def network_texts(draw):
    """Network JSON: well-shaped with hostile entries, wrong shapes, extra or missing keys,
    or a valid file cut or spliced at a random place."""
    kind = draw(st.integers(0, 3))
    m, d = draw(st.integers(0, 3)), draw(st.integers(1, 3))
    entry = st.one_of(st.sampled_from(["1", "-1/2", "0", "3"]), st.integers(-5, 5), values,
                      json_values)
    if kind <= 1:
        doc = {"W1": [[draw(entry) for _ in range(d)] for _ in range(m)],
               "w2": [draw(entry) for _ in range(m)]}
        if kind == 1:
            doc = draw(st.sampled_from([{**doc, draw(st.text(max_size=4)): draw(json_values)},
                                        {"W1": doc["W1"]}, {"bias_column": "yes", **doc},
                                        {"bias_column": True, **doc}]))
        return json.dumps(doc)
    valid = '{"W1": [[1, -1], ["1/2", 0.5]], "w2": [1, "-2"]}'
    if kind == 2:
        return valid[:draw(st.integers(0, len(valid)))]
    i = draw(st.integers(0, len(valid)))
    return valid[:i] + draw(st.text(max_size=8)) + valid[i:]


@FEW
@given(network_texts(), st.sampled_from([".json", ".npz"]))
def test_fuzz_network(text, ext):
    with _folder() as d:
        data, net, out = (os.path.join(d, f) for f in ("d.csv", "n" + ext, "c.json"))
        with open(data, "w") as fh:
            fh.write(DATA)
        with open(net, "w", encoding="utf-8") as fh:
            fh.write(text)
        res = cli(["certify", data, "--bias", "--lam", "1/10", "--network", net, "-o", out])
        assert_clean(res, d, out, codes=SOLVER)
        assert (res[0] == 0) == os.path.exists(out)


_CERT = {}


def _certificate():
    """A valid certificate of DATA (made once)."""
    if not _CERT:
        with _folder() as d:
            data, out = os.path.join(d, "d.csv"), os.path.join(d, "c.json")
            with open(data, "w") as fh:
                fh.write(DATA)
            assert cli(["certify", data, "--bias", "--lam", "1/10", "-o", out])[0] == 0
            with open(out) as fh:
                _CERT["doc"] = json.load(fh)
    return json.loads(json.dumps(_CERT["doc"]))


def _leaves(obj, path=()):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _leaves(v, path + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _leaves(v, path + (i,))
    yield path


@FEW
@given(st.data())
def test_fuzz_certificate_mutations(data):
    """One field of a valid certificate replaced (or deleted): ``check`` answers with a
    verdict (0-3) on one line, ``optimal-set`` with 0 or one error line."""
    doc = _certificate()
    paths = [p for p in _leaves(doc) if p]
    path = data.draw(st.sampled_from(paths))
    parent = doc
    for k in path[:-1]:
        parent = parent[k]
    if data.draw(st.integers(0, 4)) == 0 and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = data.draw(json_values)
    with _folder() as d:
        cert = os.path.join(d, "c.json")
        with open(cert, "w") as fh:
            json.dump(doc, fh)
        code, out, err = cli(["check", cert])
        assert code in (0, 1, 2, 3) and not err and out.count("\n") == 1, (code, out, err)
        assert out.split(":")[0] == ["VERIFIED", "REJECTED", "MALFORMED", "UNDECIDED"][code]
        assert_clean(cli(["optimal-set", cert, "--json"]), d)
