"""Symbolic work is cached on disk: a warm run differentiates nothing, and a derivation that
computes something else never reads another's entry."""

import os
import subprocess
import sys
from functools import partial

import numpy as np
import pytest

import gradcheck.fingerprint
import gradcheck.symbolic
from gradcheck import check, check_layer
from gradcheck.formula import elementwise
from gradcheck.registry import check_case, get_layer

X = np.random.default_rng(0).standard_normal((2, 2))


def test_a_warm_run_does_no_sympy_differentiation(tmp_path, monkeypatch):
    monkeypatch.setenv("TRIGRAD_CACHE_DIR", str(tmp_path))
    assert all(r.passed for r in check_layer("softmax"))
    assert any(tmp_path.iterdir())

    def refuse(*args, **kwargs):
        raise AssertionError("SymPy differentiated on a warm run")

    # the leg and the proof both differentiate through this one function, and nothing of the
    # first run is kept in memory: only the disk cache can serve the warm run
    monkeypatch.setattr(gradcheck.symbolic, "sympy_jacobian", refuse)
    assert all(r.passed for r in check_layer("softmax"))


def test_a_cold_check_differentiates_once_for_the_leg_and_the_proof(tmp_path, monkeypatch):
    monkeypatch.setenv("TRIGRAD_CACHE_DIR", str(tmp_path))
    calls = []
    differentiate = gradcheck.symbolic.sympy_jacobian

    def counted(*args, **kwargs):
        calls.append(args)
        return differentiate(*args, **kwargs)

    monkeypatch.setattr(gradcheck.symbolic, "sympy_jacobian", counted)
    layer = get_layer("softmax")
    report = check_case(layer, layer.cases[0])
    assert report.passed and report.proof == "proved"
    assert len(calls) == 1


def test_the_cache_key_follows_hyperparameters_and_shapes():
    from functools import partial

    import derivations.softmax as d

    key = gradcheck.fingerprint.cache_key
    assert key(d.expressions, [(2, 3)], "x") != key(d.expressions, [(3, 2)], "x")
    assert key(partial(d.expressions, axis=0), [(2, 3)], "x") != key(d.expressions, [(2, 3)], "x")


OUTSIDE_PROJECT = """
from functools import partial

import numpy as np
import sympy as sp

from gradcheck import check


def swish(x, beta, mode):
    s = 1 / (1 + np.exp(-beta * x))
    return x * s, (x, s)


def swish_backward(grad_output, cache):
    x, s = cache
    return (grad_output * (s + x * s * (1 - s) * BETA),)


def expressions(x, beta, mode):
    assert mode in {"swish", "silu", "sigmoid-weighted"}  # a set constant: hash-seed ordered
    return np.vectorize(lambda v: v / (1 + sp.exp(-beta * v)), otypes=[object])(x)


BETA = 1.5
x = np.random.default_rng(0).standard_normal((2, 3))
hyper = {"beta": BETA, "mode": "swish"}
print(check(partial(swish, **hyper), swish_backward, [x], partial(expressions, **hyper)))
"""


def test_a_derivation_from_outside_the_repo_is_checked_and_cached_in_a_fresh_process(tmp_path):
    project, cache = tmp_path / "my_project", tmp_path / "cache"
    project.mkdir()
    (project / "test_swish.py").write_text(OUTSIDE_PROJECT)
    environment = {**os.environ, "TRIGRAD_CACHE_DIR": str(cache)}
    files = []
    for seed in ("1", "2"):  # a warm run in a process with another hash seed still hits
        done = subprocess.run(
            [sys.executable, "test_swish.py"],
            cwd=project,
            env={**environment, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("PASS"), done.stdout
        files.append(sorted(cache.iterdir()))
    assert files[0] and files[1] == files[0]


def scale_by(k):
    return lambda x: (k * x, None), lambda grad_output, cache: (k * grad_output,)


def closure(k):
    return lambda x: elementwise(lambda v: k * v, x)


def closure_with_loops(k):
    def expressions(x):
        out = np.empty(x.shape, dtype=object)
        for i in range(x.shape[0]):
            for j in range(x.shape[1]):
                out[i, j] = k * x[i, j]
        return out

    return expressions


def nested_closure(k):
    def times(v):
        return k * v

    return lambda x: elementwise(lambda v: times(v), x)


def with_default(k):
    return lambda x, k=k: k * x


def scaled(x, k):
    return k * x


class Scale:
    """A closure value with no fingerprint: such a derivation is not cached at all."""

    def __init__(self, k):
        self.k = k


def through_an_object(k):
    scale = Scale(k)
    return lambda x: scale.k * x


SAME_NAME = {
    "closure": closure,
    "closure-with-loops": closure_with_loops,
    "nested-closure": nested_closure,
    "default-argument": with_default,
    "partial": lambda k: partial(scaled, k=k),
    "unfingerprintable-closure": through_an_object,
}


@pytest.mark.parametrize("make", SAME_NAME.values(), ids=SAME_NAME.keys())
def test_derivations_with_one_name_and_different_constants_do_not_share_a_cache_entry(
    make, tmp_path, monkeypatch
):
    monkeypatch.setenv("TRIGRAD_CACHE_DIR", str(tmp_path))
    for k in (2.0, 3.0):
        report = check(*scale_by(k), [X], make(k))
        assert report.passed, f"k={k}: {report}"


def test_two_lambdas_in_one_scope_do_not_share_a_cache_entry(tmp_path, monkeypatch):
    monkeypatch.setenv("TRIGRAD_CACHE_DIR", str(tmp_path))
    double = lambda x: elementwise(lambda v: 2 * v, x)  # noqa: E731
    triple = lambda x: elementwise(lambda v: 3 * v, x)  # noqa: E731
    assert check(*scale_by(2.0), [X], double).passed
    assert check(*scale_by(3.0), [X], triple).passed


def test_a_closure_over_an_object_is_not_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("TRIGRAD_CACHE_DIR", str(tmp_path))
    assert check(*scale_by(2.0), [X], through_an_object(2.0)).passed
    assert not any(tmp_path.iterdir())
