"""examples/train_digits.py: gradchecks its network, trains, and reports the test accuracy."""

import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "examples" / "train_digits.py"


@pytest.fixture(scope="module")
def example():
    # here, not at import: collected under -m reference, the module would show as skipped
    pytest.importorskip("sklearn", reason="the examples extra (scikit-learn) is not installed")
    spec = importlib.util.spec_from_file_location("train_digits", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # importable: nothing runs until main()
    return module


def test_short_training_reaches_95_percent_and_ends_with_the_accuracy_line(example, capsys):
    accuracy = example.main(epochs=10, seed=0)
    lines = capsys.readouterr().out.strip().splitlines()
    assert re.fullmatch(r"test accuracy: \d\.\d\d", lines[-1]), lines[-1]
    assert float(lines[-1].split(": ")[1]) == round(accuracy, 2)
    assert accuracy >= 0.95
    assert lines[1].startswith("PASS network on a batch of 4")  # checked before any epoch
    assert [line.split(":")[0] for line in lines[2:12]] == [f"epoch {e:2d}" for e in range(1, 11)]
    assert re.fullmatch(r"elapsed: \d+\.\d s", lines[-2])


def test_a_wrong_layer_stops_training_before_it_starts_and_is_named(example, capsys, monkeypatch):
    from types import SimpleNamespace

    from layers import dense, relu

    def dense_backward_without_bias(grad_output, cache):
        grad_x, grad_w, grad_b = dense.backward(grad_output, cache)
        return grad_x, grad_w, np.zeros_like(grad_b)

    wrong = SimpleNamespace(
        __name__="dense", forward=dense.forward, backward=dense_backward_without_bias
    )
    monkeypatch.setattr(example, "BODY", (dense, relu, wrong, relu, dense))
    x, _, y, _ = example.load_digits(0)
    params = example.init_params([64, 8, 6, 10], np.random.default_rng(0))
    with pytest.raises(SystemExit):
        example.gradcheck_network(params, x[:4], y[:4])
    out = capsys.readouterr().out
    assert out.startswith("FAIL network on a batch of 4")
    assert "layer 3 of 6 (dense) is the first whose backward disagrees" in out
