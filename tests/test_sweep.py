"""No flakes: every registered layer, every case, at 200 seeds, with zero failures (slow).

A check that fails one sample in a thousand fails somebody's CI every week; this sweep is how
the tolerances earn the word "never".  Run with ``tox -e sweep`` (in parallel, pytest-xdist).
"""

import pytest

from gradcheck.registry import check_case, get_layer, layer_names

pytestmark = pytest.mark.slow

SEEDS = range(1, 201)


@pytest.mark.parametrize("name", layer_names())
def test_no_false_alarm_at_200_seeds(name):
    layer = get_layer(name)
    wrong = []
    for case in layer.cases:
        for seed in SEEDS:
            report = check_case(layer, case, seed=seed)
            if not report.passed or bool(report.kinks) != case.at_kink:
                wrong.append(f"seed {seed}: {report}")
    assert not wrong, f"{len(wrong)} false alarms in {name}; the first:\n{wrong[0]}"
