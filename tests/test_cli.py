"""``python -m gradcheck``: a table, exit 0 / 1 / 2, JSON."""

import io
import json
import os
import re
import subprocess
import sys
import time
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest

import gradcheck
import layers.mse_loss
import layers.relu
from gradcheck.cli import main


def test_all_pass_exits_zero_with_a_table(capsys):
    assert main(["relu", "mse_loss"]) == 0
    out = capsys.readouterr().out
    assert "relu" in out and "mse_loss" in out and "FAIL" not in out
    rows = [line for line in out.splitlines() if line.startswith(("relu ", "mse_loss "))]
    # proven for every size (INDEX_FORWARD), except where the case has no symbolic leg
    assert all(row.split()[-2] in ("all", "-") for row in rows) and "all" in out
    assert out.strip().endswith("passed, 0 failed")


def test_a_failing_layer_exits_one_and_prints_its_report(capsys, monkeypatch):
    def doubled(grad_output, cache):
        return (2.0 * np.where(cache, grad_output, 0.0),)

    monkeypatch.setattr(layers.relu, "backward", doubled)
    assert main(["relu"]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "blame backward" in out


def test_unknown_layer_exits_two_listing_the_known_ones(capsys):
    assert main(["softmaks"]) == 2
    err = capsys.readouterr().err
    assert "unknown layer softmaks" in err and "softmax" in err


SCHEMA = json.loads((files("gradcheck") / "results.schema.json").read_text(encoding="utf-8"))


def test_json_is_one_object_that_follows_the_documented_schema(capsys):
    jsonschema = pytest.importorskip("jsonschema", reason="the test extra installs jsonschema")
    assert main(["relu", "mse_loss", "--json", "--seed", "3"]) == 0
    results = json.loads(capsys.readouterr().out)
    jsonschema.validate(results, SCHEMA)
    assert results["trigrad"] == gradcheck.__version__ and results["seed"] == 3
    assert results["collection"]["layers"] == "layers"
    cases = len(layers.relu.CASES) + len(layers.mse_loss.CASES)
    assert results["summary"]["passed"] == cases == len(results["cases"])
    assert results["summary"]["layers"]["relu"] == {"passed": len(layers.relu.CASES), "failed": 0}
    kinks = [c for c in results["cases"] if c["kinks"]]
    assert kinks and all(c["layer"] == "relu" and "zeros" in c["case"] for c in kinks)


def test_a_failure_in_json_names_blame_and_element(capsys, monkeypatch):
    jsonschema = pytest.importorskip("jsonschema", reason="the test extra installs jsonschema")
    monkeypatch.setattr(layers.relu, "backward", lambda g, mask: (2.0 * np.where(mask, g, 0),))
    assert main(["relu", "--json"]) == 1
    results = json.loads(capsys.readouterr().out)
    jsonschema.validate(results, SCHEMA)
    case = results["cases"][0]
    assert case["verdict"] == "fail" and case["blame"] == "backward"
    worst = case["failures"][0]
    out, at = (",".join(map(str, worst[k])) for k in ("output", "index"))
    assert worst["element"] == f"∂y[{out}]/∂x[{at}]"
    assert worst["backward"] == pytest.approx(2 * worst["numeric"])


def test_json_writes_non_finite_numbers_as_strings():
    jsonschema = pytest.importorskip("jsonschema", reason="the test extra installs jsonschema")
    from gradcheck.collection import find_collection
    from gradcheck.report import Failure, Report
    from gradcheck.results import results

    wrong = Failure("backward", "", "x", (0,), (0,), np.inf, None, 1.0, np.inf, np.nan, 1e-9)
    data = results(
        [("relu", "2x3", Report(failures=[wrong]))],
        seed=0, collection=find_collection(), version="0",
    )  # fmt: skip
    text = json.dumps(data, allow_nan=False)  # raises on a bare inf or nan
    jsonschema.validate(json.loads(text), SCHEMA)
    assert data["cases"][0]["failures"][0]["backward"] == "inf"
    assert data["cases"][0]["failures"][0]["rel_error"] == "nan"


def test_the_readme_documents_the_json_schema():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "results.schema.json" in readme


def test_a_report_on_a_stream_that_cannot_encode_it_falls_back_to_ascii(monkeypatch):
    def doubled(grad_output, cache):
        return (2.0 * np.where(cache, grad_output, 0.0),)

    monkeypatch.setattr(layers.relu, "backward", doubled)
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="ascii"))
    assert main(["relu"]) == 1
    sys.stdout.flush()
    out = raw.getvalue().decode("ascii")
    assert re.search(r"worst: d y\[\d,\d\]/d x\[\d,\d\]", out)


@pytest.mark.parametrize(
    "args, defaults",
    [([], ["(default: 0)"]), (["report"], ["(default: 0)", "(default: gradcheck-report)"]),
     (["new"], ["(default: x)", "(default: elementwise)"]), (["bench"], ["(default: 5)"])],
)  # fmt: skip
def test_help_is_plain_text_showing_every_default(args, defaults):
    done = subprocess.run(
        [sys.executable, "-m", "gradcheck", *args, "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0
    assert done.stdout.isascii() and "\x1b" not in done.stdout
    assert all(d in done.stdout for d in defaults)
    assert "--layers PKG" in done.stdout and "--derivations PKG" in done.stdout


def test_another_collection_is_named_on_the_command_line(tmp_path, capsys):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "__init__.py").write_text("")
    assert main(["--layers", "no_such_package_here"]) == 2
    assert "cannot import 'no_such_package_here', named by --layers" in capsys.readouterr().err
    assert main(["--layers", "layers", "relu"]) == 0  # no derivations: two legs
    assert "bw~sym" in capsys.readouterr().out


BAD_FLAGS = [
    (["--bogus"], "unrecognized arguments"),
    (["--seed", "many"], "--seed: must be an integer >= 0, got 'many'"),
    (["relu", "--seed", "-1"], "--seed: must be an integer >= 0, got '-1'"),
    (["report", "--seed", "-1"], "--seed: must be an integer >= 0, got '-1'"),
]


@pytest.mark.parametrize("args, message", BAD_FLAGS, ids=[" ".join(a) for a, _ in BAD_FLAGS])
def test_bad_flags_exit_two_with_a_usage_line_and_no_traceback(args, message):
    done = subprocess.run(
        [sys.executable, "-m", "gradcheck", *args], capture_output=True, text=True
    )
    assert done.returncode == 2
    prog = "python -m gradcheck report" if args[0] == "report" else "python -m gradcheck"
    assert done.stderr.startswith(f"usage: {prog} ")
    assert message in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "out, reason",
    [("a-file", ": it is a file, not a directory"), ("a-file/sub", ": ")],  # then the OS's reason
)
def test_an_unwritable_report_directory_exits_two_naming_it(tmp_path, capsys, out, reason):
    (tmp_path / "a-file").write_text("not a directory")
    assert main(["report", "--out", str(tmp_path / out), "relu"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: python -m gradcheck report ")
    assert f"error: cannot write the report to {tmp_path / out}{reason}" in err


def test_bench_times_each_layer_in_each_dtype_and_asserts_nothing(capsys):
    assert main(["bench", "relu", "mse_loss", "--repeat", "1", "--no-torch"]) == 0
    rows = [line.split(" | ") for line in capsys.readouterr().out.splitlines() if "| 2" in line]
    measured = {(row[0].strip("| "), row[1]) for row in rows}
    assert measured == {(n, d) for n in ("relu", "mse_loss") for d in ("float32", "float64")}
    for row in rows:
        assert float(row[3]) > 0 and float(row[4]) > 0 and row[5] == "-"  # no torch column


def test_rows_stream_through_a_pipe_as_each_case_finishes():
    """Each row is written when its case is done, not when the run is: read through a pipe, the
    first row comes well before the last line (buffered, every line would come at exit)."""
    layers_ = ["softmax", "dense", "tanh", "sigmoid", "gelu", "log_softmax"]
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # as piped
    with subprocess.Popen(
        [sys.executable, "-m", "gradcheck", *layers_],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=buffered,
    ) as running:  # fmt: skip
        arrivals = [(time.perf_counter(), line) for line in running.stdout]
    (_, header), (first_at, first) = arrivals[:2]
    last_at, summary = next((t, line) for t, line in arrivals if line.endswith("failed\n"))
    rest = "".join(line for _, line in arrivals[2:])
    gap = last_at - first_at  # buffered, every line comes in one write at exit: no gap
    assert header.split()[:2] == ["layer", "case"] and first.startswith("softmax ")
    assert gap > 0.3, f"the rows came together at the end ({gap:.3f} s apart): not streamed"
    assert rest.rstrip().endswith("0 failed") and "bw~sym, bw~num, sym~num:" in rest  # legend
