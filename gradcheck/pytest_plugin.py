"""pytest plugin, registered on install: the ``gradcheck`` fixture.

def test_my_layer(gradcheck):
    gradcheck(my_forward, my_backward, [x, w])   # fails the test with the report's text
"""

import pytest

from gradcheck.checker import assert_gradients


@pytest.fixture
def gradcheck():
    """:func:`gradcheck.assert_gradients`: check a layer, fail the test with a short report."""
    return assert_gradients
