"""Symbolic work is cached on disk: a warm run differentiates nothing."""

import os
import subprocess
import sys

import gradcheck.proof
import gradcheck.symbolic
from gradcheck import check_layer


def test_a_warm_run_does_no_sympy_differentiation(tmp_path, monkeypatch):
    monkeypatch.setenv("TRIGRAD_CACHE_DIR", str(tmp_path))
    assert all(r.passed for r in check_layer("softmax"))
    assert any(tmp_path.iterdir())

    def refuse(*args, **kwargs):
        raise AssertionError("SymPy differentiated on a warm run")

    monkeypatch.setattr(gradcheck.symbolic, "sympy_jacobian", refuse)
    monkeypatch.setattr(gradcheck.proof, "sympy_jacobian", refuse)
    assert all(r.passed for r in check_layer("softmax"))


def test_the_cache_key_follows_hyperparameters_and_shapes():
    from functools import partial

    import derivations.softmax as d

    key = gradcheck.symbolic.cache_key
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
