"""A corpus of wrong layers, one module per family, each bug with its right twin (see spec)."""

from . import (
    activation_family,
    checker_family,
    conv_family,
    loss_family,
    norm_family,
    pool_family,
    product_family,
    softmax_family,
)
from .spec import Bug, Sample, draw

BUGS: list[Bug] = [
    *softmax_family.BUGS,
    *loss_family.BUGS,
    *norm_family.BUGS,
    *conv_family.BUGS,
    *pool_family.BUGS,
    *product_family.BUGS,
    *activation_family.BUGS,
    *checker_family.BUGS,
]

__all__ = ["BUGS", "Bug", "Sample", "draw"]
