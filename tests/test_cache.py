"""Symbolic work is cached on disk: a warm run differentiates nothing."""

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
