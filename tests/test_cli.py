"""``python -m gradcheck``: a table, exit 0 / 1 / 2, JSON."""

import json
import subprocess
import sys

import numpy as np
import pytest

import layers.relu
from gradcheck.cli import main


def test_all_pass_exits_zero_with_a_table(capsys):
    assert main(["relu", "mse_loss"]) == 0
    out = capsys.readouterr().out
    assert "relu" in out and "mse_loss" in out and "FAIL" not in out
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


def test_json_is_machine_readable(capsys):
    assert main(["relu", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert results and all(r["passed"] for r in results)
    assert {"name", "failures", "kinks", "errors", "method"} <= set(results[0])


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
