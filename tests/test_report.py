"""``python -m gradcheck report``: Markdown and HTML of every layer, plots for failures."""

import html
import io
import re
import sys

import numpy as np
import pytest

import layers.dense
import layers.relu
from gradcheck.cli import main
from gradcheck.document import LayerResult, document, write_report
from gradcheck.progress import Progress
from gradcheck.registry import get_layer, layer_names
from gradcheck.render import to_html, to_markdown
from gradcheck.report import Report
from gradcheck.stepplot import error_vs_step


def _doubled(grad_output, cache):
    return (2.0 * np.where(cache, grad_output, 0.0),)


def test_every_layer_is_rendered_with_its_formulas(tmp_path):
    results = [
        LayerResult(get_layer(name), [Report(name=f"{name}-{c.id}") for c in get_layer(name).cases])
        for name in layer_names()
    ]
    markdown = to_markdown(document(results, 0, tmp_path))
    for name in layer_names():
        assert f"## {name}: PASS" in markdown
        for formula in get_layer(name).derivation.FORMULAS.values():
            assert f"$$\n{formula.latex()}\n$$" in markdown, name
        for case in get_layer(name).cases:
            assert f"| {case.id} |" in markdown, f"{name}: case {case.id} has no row"


def test_report_lists_errors_kinks_proof_and_verdict(tmp_path):
    files, passed = write_report(["relu"], tmp_path)
    assert passed and [f.name for f in files] == ["report.md", "report.html"]
    markdown = (tmp_path / "report.md").read_text()
    assert "| case | method | backward~symbolic | backward~numeric | symbolic~numeric |" in markdown
    kink_row = next(line for line in markdown.splitlines() if "| 2x3-zeros-at-kink |" in line)
    assert kink_row.split("|")[-4].strip() == "3"  # kinks column: every other of 6 elements
    assert "relu-2x3-zeros-at-kink: x[0,0]: left slope 0, right 1" in markdown
    assert "| all | PASS |" in markdown  # relu: proven for every size
    page = (tmp_path / "report.html").read_text()
    assert "<script" not in page and "http" not in page  # loads nothing: works offline
    assert '<math display="block"><mfrac><mrow><mo>∂</mo><msub><mi>y</mi>' in page
    assert "<mi>δ</mi>" in html.unescape(page) and "<mtable>" in page  # δ(i,j), its cases
    assert '<td class="PASS">PASS</td>' in page
    assert '<td><a href="#layer-relu">relu</a></td>' in page and '<h2 id="layer-relu">' in page


def test_a_failing_case_says_where_its_wrong_elements_are(tmp_path, dense_weight_transposed):
    write_report(["dense"], tmp_path)
    markdown = (tmp_path / "report.md").read_text()
    assert (
        "Input elements with a failure: `x`: 0 of 9; `weight`: 6 of 9; `bias`: 0 of 3" in markdown
    )


def test_failing_layer_gets_its_error_vs_step_plot(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.setattr(layers.relu, "backward", _doubled)
    files, passed = write_report(["relu"], tmp_path)
    assert not passed
    plots = [f for f in files if f.suffix == ".png"]
    assert len(plots) == 1 and plots[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    markdown = (tmp_path / "report.md").read_text()
    assert re.search(
        rf"!\[error against step size for relu-2x3 at ∂y\[.*\]\({plots[0].name}\)", markdown
    )
    assert "Levels off at 0.5: " in markdown and "the backward is wrong here" in markdown
    assert f'<img src="{plots[0].name}"' in (tmp_path / "report.html").read_text()
    assert "blame backward" in (tmp_path / "report.md").read_text()


def test_without_matplotlib_the_report_says_which_extra_draws_the_plot(tmp_path, monkeypatch):
    monkeypatch.setattr(layers.relu, "backward", _doubled)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    files, passed = write_report(["relu"], tmp_path)
    assert not passed and not [f for f in files if f.suffix == ".png"]
    assert "needs matplotlib" in (tmp_path / "report.md").read_text()
    assert "trigrad[report]" in (tmp_path / "report.html").read_text()


def test_cli_report_exit_codes(tmp_path, monkeypatch, capsys):
    assert main(["report", "relu", "--out", str(tmp_path / "ok")]) == 0
    assert (tmp_path / "ok" / "report.html").exists()
    assert main(["report", "softmaks", "--out", str(tmp_path / "x")]) == 2
    assert "unknown layer softmaks" in capsys.readouterr().err
    monkeypatch.setattr(layers.relu, "backward", _doubled)
    assert main(["report", "relu", "--out", str(tmp_path / "bad")]) == 1


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_draws_on_a_terminal_only():
    quiet, loud = io.StringIO(), _Terminal()
    for stream in (quiet, loud):
        bar = Progress(4, stream)
        for label in "abcd":
            bar.step(label)
        bar.close()
    assert quiet.getvalue() == ""
    assert "[##############..............] 2/4 c" in loud.getvalue()
    assert loud.getvalue().endswith("\r")  # erased, the next line starts clean


def test_html_escapes_text_and_markdown_escapes_table_pipes():
    blocks = [("p", "a <b> & `c<d`"), ("table", ["h"], [["|x|"]])]
    assert "a &lt;b&gt; &amp; <code>c&lt;d</code>" in to_html(blocks, "t")
    assert "| \\|x\\| |" in to_markdown(blocks)


def test_error_vs_step_is_a_v_for_a_right_backward():
    layer = get_layer("softmax")
    inputs, _ = layer.cases[0].sample(0)
    round_off, truncation = error_vs_step(
        layer.module.forward, layer.module.backward, inputs
    ).slopes()
    assert -1.3 < round_off < -0.7 and 1.8 < truncation < 2.2


def test_error_vs_step_levels_off_at_the_size_of_a_bug():
    layer = get_layer("softmax")
    inputs, _ = layer.cases[0].sample(0)

    def off_by_a_thousandth(grad_output, cache):
        return (1.001 * layer.module.backward(grad_output, cache)[0],)

    curve = error_vs_step(layer.module.forward, off_by_a_thousandth, inputs)
    assert np.isnan(curve.slopes()[1])  # no h² branch: the error never falls below the bug
    # the bug's size, 1e-3, wherever neither round-off nor truncation dominates
    assert 0.9e-3 < np.median(curve.errors) < 1.1e-3


def test_the_curve_at_a_wrong_element_says_the_backward_is_wrong_beside_a_right_v():
    layer = get_layer("softmax")
    inputs, _ = layer.cases[0].sample(0)

    def off_at_one_entry(grad_output, cache):
        grad = layer.module.backward(grad_output, cache)[0].copy()
        grad[1, 2] += 0.5 * grad_output[1, 2]  # ∂y[1,2]/∂x[1,2] off by 0.5
        return (grad,)

    at = error_vs_step(
        layer.module.forward, off_at_one_entry, inputs, element=(0, (1, 2)), output=(1, 2)
    )
    assert "Levels off" in at.caption() and "backward is wrong" in at.caption()
    assert at.floor > 0.1 and np.min(at.reference) < 1e-8  # the right V goes far below the bug
    elsewhere = error_vs_step(
        layer.module.forward, off_at_one_entry, inputs, element=(0, (0, 0)), output=(0, 0)
    )
    assert "Follows the V" in elsewhere.caption() and elsewhere.floor < 1e-8


def test_a_right_backward_follows_the_reference_v():
    layer = get_layer("tanh")
    inputs, _ = layer.cases[0].sample(0)
    curve = error_vs_step(layer.module.forward, layer.module.backward, inputs)
    assert "Follows the V" in curve.caption()
    assert abs(curve.estimate - curve.exact) < 1e-8 * max(1.0, abs(curve.exact))
