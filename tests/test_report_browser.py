"""The HTML report as a person sees it: rendered by a real browser (headless Chromium, Debian's
``chromium`` package, which .ci/run installs), offline.  A script added to a copy of the page
reads the rendered layout: formulas laid out as MathML, not LaTeX source; the failure's blame
line visible without scrolling sideways; the per-input breakdown; the plot and its caption."""

import json
import re
import shutil
import subprocess

import pytest

from gradcheck.document import write_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (apt-get install chromium): the rendered report is "
    "not checked",
)

PROBE = """<script>
window.addEventListener("load", () => {  // after the plot has loaded
const maths = [...document.querySelectorAll("math")];
const blame = [...document.querySelectorAll("pre")].find(p => p.textContent.includes("blame"));
const box = blame.getBoundingClientRect();
const img = document.querySelector("img");
const result = {
  maths: maths.length,
  mathml: maths.every(m => m instanceof MathMLElement),
  laid_out: maths.every(m => m.getBoundingClientRect().height > 15),
  latex_shown: /\\\\(frac|delta|partial)/.test(document.body.innerText),
  blame_visible: box.right <= window.innerWidth && blame.scrollWidth <= blame.clientWidth,
  breakdown: document.body.innerText.includes("Input elements with a failure"),
  image: img !== null && img.complete && img.naturalWidth > 0,
  caption: document.body.innerText.includes("the backward is wrong here"),
};
document.body.insertAdjacentHTML("beforeend", "<pre id=probe>" + JSON.stringify(result) + "</pre>");
});
</script>"""


def test_the_report_of_a_failing_layer_renders_offline(tmp_path, dense_weight_transposed):
    pytest.importorskip("matplotlib", reason="the report extra draws the plot")
    write_report(["dense"], tmp_path)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    probed = tmp_path / "probed.html"
    probed.write_text(page.replace("</body>", PROBE + "\n</body>"), encoding="utf-8")
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1000,800",
         "--virtual-time-budget=5000", "--dump-dom", probed.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    found = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout)
    assert found, f"the page did not run its probe: {done.stderr[-2000:]}"
    result = json.loads(found.group(1))
    assert result["maths"] == 3 and result["mathml"] and result["laid_out"], result
    assert not result["latex_shown"], result
    assert result["blame_visible"] and result["breakdown"], result
    assert result["image"] and result["caption"], json.dumps(result)
