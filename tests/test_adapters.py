"""Layers written in other styles, checked through gradcheck.adapters."""

import re
import threading
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from gradcheck import check
from gradcheck.adapters import from_column_major, from_object, from_objects, object_stage
from gradcheck.network import first_wrong_stage

# --- layer objects in the TinyNN style: x is (batch, features), W is (in, out) ---------------


class Dense:
    def __init__(self, n_in, n_out, rng, divide_by_batch=False):
        self.W = rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)
        self.b = rng.standard_normal(n_out) * 0.1
        self.divide_by_batch = divide_by_batch  # the planted bug: 1/m, already in the loss

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dy):
        m = self.x.shape[0] if self.divide_by_batch else 1
        self.dW = self.x.T @ dy / m
        self.db = dy.sum(axis=0) / m
        return dy @ self.W.T


class ReLU:
    def forward(self, x):
        self.mask = x > 0
        return x * self.mask

    def backward(self, dy):
        return dy * self.mask


class MSE:
    """L = (1/2m) Σ_batch ‖pred - target‖²: the 1/m lives here."""

    def __init__(self, target):
        self.target = target

    def forward(self, pred):
        self.diff = pred - self.target
        return 0.5 * np.sum(self.diff**2) / len(self.diff)

    def backward(self, dloss=1.0):
        return dloss * self.diff / len(self.diff)


class TwoLayerNet:
    """dense → relu → dense → MSE in one class, the two-layer-net style."""

    def __init__(self, n_in, n_hidden, n_out, target, rng, bug=False):
        self.W1 = rng.standard_normal((n_in, n_hidden)) / np.sqrt(n_in)
        self.b1 = rng.standard_normal(n_hidden) * 0.1
        self.W2 = rng.standard_normal((n_hidden, n_out)) / np.sqrt(n_hidden)
        self.b2 = rng.standard_normal(n_out) * 0.1
        self.target, self.bug = target, bug

    def forward(self, x):
        self.x = x
        self.h = np.maximum(x @ self.W1 + self.b1, 0.0)
        self.diff = self.h @ self.W2 + self.b2 - self.target
        return 0.5 * np.sum(self.diff**2) / len(x)

    def backward(self, dloss=1.0):
        m = len(self.x)
        dout = dloss * self.diff / m
        self.dW2 = self.h.T @ dout / (m if self.bug else 1)  # 1/m counted twice when bug
        self.db2 = dout.sum(axis=0)
        dz = (dout @ self.W2.T) * (self.h > 0)
        self.dW1, self.db1 = self.x.T @ dz, dz.sum(axis=0)
        return dz @ self.W1.T


NET_PARAMS = {"params": ("W1", "b1", "W2", "b2"), "grads": ("dW1", "db1", "dW2", "db2")}


def data(seed, batch=6, n_in=4, n_out=3):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((batch, n_in)), rng.standard_normal((batch, n_out)), rng


# --- the class adapter ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1])
def test_two_layer_class_network_passes_through_the_class_adapter(seed):
    x, y, rng = data(seed)
    net = TwoLayerNet(4, 5, 3, y, rng)
    report = check(*from_object(net, x, **NET_PARAMS))
    assert report.passed, str(report)


def test_a_1_over_m_counted_twice_is_caught_in_the_second_layers_weight():
    x, y, rng = data(2)
    net = TwoLayerNet(4, 5, 3, y, rng, bug=True)
    report = check(*from_object(net, x, **NET_PARAMS))
    assert report.blame == "backward"
    assert {f.input for f in report.failures} == {"W2"}
    worst = report.failures[0]
    assert worst.backward == pytest.approx(worst.numeric / len(x), rel=1e-6)


def test_layer_objects_compose_and_the_wrong_layer_is_named():
    x, y, rng = data(3)
    layers = [Dense(4, 5, rng), ReLU(), Dense(5, 3, rng, divide_by_batch=True), MSE(y)]
    forward, backward, inputs = from_objects(x, *layers)
    report = check(forward, backward, inputs)
    assert report.blame == "backward"
    assert {f.input for f in report.failures} == {"W3", "b3"}
    sentence = first_wrong_stage(forward, backward, inputs)
    assert sentence.startswith("layer 3 of 4 (Dense) is the first whose backward disagrees")


def test_layer_objects_without_the_bug_pass():
    x, y, rng = data(4)
    layers = [Dense(4, 5, rng), ReLU(), Dense(5, 3, rng), MSE(y)]
    report = check(*from_objects(x, *layers)[:2], from_objects(x, *layers)[2])
    assert report.passed, str(report)


def test_the_object_is_left_as_it_was():
    x, y, rng = data(5)
    net = TwoLayerNet(4, 5, 3, y, rng)
    before = {k: np.copy(v) for k, v in vars(net).items()}
    check(*from_object(net, x, **NET_PARAMS))
    assert vars(net).keys() == before.keys()  # no x, h, diff or dW1 left behind
    for key, value in before.items():
        np.testing.assert_array_equal(vars(net)[key], value, err_msg=key)


class BatchNorm:
    """Training-mode batch norm that updates running statistics on every forward."""

    def __init__(self, n, rng, momentum=0.1, eps=1e-5):
        self.gamma, self.beta = rng.standard_normal(n), rng.standard_normal(n)
        self.running_mean, self.running_var = rng.standard_normal(n), rng.uniform(0.5, 2, n)
        self.momentum, self.eps = momentum, eps

    def forward(self, x):
        mean, var = x.mean(axis=0), x.var(axis=0)
        self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mean
        self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        self.x_hat = (x - mean) * self.inv_std
        return self.gamma * self.x_hat + self.beta

    def backward(self, dy):
        self.dgamma, self.dbeta = (dy * self.x_hat).sum(axis=0), dy.sum(axis=0)
        g = dy * self.gamma
        return self.inv_std * (g - g.mean(axis=0) - self.x_hat * (g * self.x_hat).mean(axis=0))


BN_PARAMS = {"params": ("gamma", "beta"), "grads": ("dgamma", "dbeta")}


@pytest.mark.parametrize("state", [None, ("running_mean", "running_var", "x_hat", "inv_std")])
def test_running_statistics_do_not_drift_during_a_check(state):
    rng = np.random.default_rng(6)
    bn = BatchNorm(3, rng)
    x = rng.standard_normal((5, 3)) * 2.0 + 1.0
    before = bn.running_mean.copy(), bn.running_var.copy()
    report = check(*from_object(bn, x, **BN_PARAMS, state=state))
    assert report.passed, str(report)
    np.testing.assert_array_equal(bn.running_mean, before[0])
    np.testing.assert_array_equal(bn.running_var, before[1])


class RunningCentre:
    """y = x - running mean, the mean updated first: without a restore, every call differs."""

    def __init__(self, n):
        self.running_mean, self.calls = np.zeros(n), 0

    def forward(self, x):
        self.calls += 1
        self.running_mean = 0.9 * self.running_mean + 0.1 * x.mean(axis=0)
        return x - self.running_mean

    def backward(self, dy):
        return dy - 0.1 * dy.sum(axis=0) / len(dy)


def test_forward_that_reads_its_own_state_is_a_deterministic_function_once_adapted():
    x = np.random.default_rng(7).standard_normal((4, 2))
    layer = RunningCentre(2)
    report = check(*from_object(layer, x, params=(), grads=()))
    assert report.passed, str(report)
    assert layer.calls == 0


def test_every_forward_starts_from_the_state_the_object_had_when_adapted():
    rng = np.random.default_rng(15)
    layer, x = RunningCentre(3), rng.standard_normal((4, 3))
    forward, _, inputs = from_object(layer, x, params=(), grads=())
    first = forward(*inputs)[0]
    layer.forward(rng.standard_normal((4, 3)) + 5.0)  # the object moves on outside the check ...
    np.testing.assert_array_equal(forward(*inputs)[0], first)  # ... its adapted forward does not


class Dropout:
    def __init__(self, p, seed):
        self.p, self.rng = p, np.random.default_rng(seed)

    def forward(self, x):
        self.mask = self.rng.random(x.shape) >= self.p
        return x * self.mask / (1 - self.p)

    def backward(self, dy):
        return dy * self.mask / (1 - self.p)


def test_an_object_drawing_from_its_own_generator_draws_the_same_mask_every_call():
    x = np.random.default_rng(8).standard_normal((3, 4))
    report = check(*from_object(Dropout(0.5, seed=1), x, params=(), grads=()))
    assert report.passed, str(report)


def test_backward_returning_none_is_blamed_on_backward_with_the_fix():
    class NoReturn(ReLU):
        def backward(self, dy):
            super().backward(dy)

    report = check(*from_object(NoReturn(), np.ones((2, 2)), params=(), grads=()))
    assert report.blame == "backward" and "must return ∂L/∂x" in str(report)


def test_misnamed_parameters_and_missing_methods_are_refused_with_the_fix():
    x, y, rng = data(9)
    with pytest.raises(ValueError, match="no attribute 'W'.*params=\\(\\)"):
        from_object(ReLU(), x)
    with pytest.raises(ValueError, match="2 params .* but 1 grads"):
        from_object(Dense(4, 2, rng), x, grads=("dW",))
    with pytest.raises(TypeError, match="no backward\\(\\) method"):
        object_stage(MSE.__new__(type("OnlyForward", (), {"forward": lambda s, x: x})))


class Locked(Dense):
    """A Dense guarding its weights with a lock, which deepcopy refuses to copy."""

    def __init__(self, rng):
        super().__init__(4, 3, rng)
        self.lock = threading.Lock()


class DictWeights(Dense):
    """Parameters kept in a dict, as some frameworks keep them, besides W and b."""

    def __init__(self, rng):
        super().__init__(4, 3, rng)
        self.params = {"W": self.W, "b": self.b}
        self.name = "dense"


SNAPSHOT = r"cannot snapshot Locked.lock \(TypeError: cannot pickle '_thread.lock' object\): "


@pytest.mark.parametrize(
    "layer, kwargs, message",
    [
        (Locked, {}, SNAPSHOT + r"pass state=\(...\) naming the attributes forward writes"),
        (Locked, {"state": ("x", "lock")}, SNAPSHOT + r".*, without 'lock'$"),
        (DictWeights, {"params": ("params",), "grads": ("dW",)}, r"DictWeights.params is a dict"),
        (DictWeights, {"params": ("W", "name")}, r"DictWeights.name is of dtype <U5, not a real"),
    ],
)
def test_attributes_that_cannot_be_snapshot_or_differentiated_are_named(layer, kwargs, message):
    x, _, rng = data(16)
    with pytest.raises(TypeError, match=message):
        from_object(layer(rng), x, **kwargs)


def test_a_lock_left_out_of_the_state_list_is_left_alone():
    x, _, rng = data(17)
    layer = Locked(rng)
    lock = layer.lock
    report = check(*from_object(layer, x, state=("x",)))
    assert report.passed, str(report)
    assert layer.lock is lock and not lock.locked()


def test_attributes_sharing_an_array_share_it_after_a_check():
    x, y, rng = data(18)
    layer = Dense(4, 3, rng)
    layer.tied = layer.b  # two names, one array: restoring must not split them
    check(*from_object(layer, x))
    assert layer.tied is layer.b


def test_an_object_with_slots_needs_a_state_list():
    class Slotted:
        __slots__ = ("W", "x", "dW")

        def __init__(self):
            self.W = np.array([[2.0, -1.0], [0.5, 3.0]])

        def forward(self, x):
            self.x = x
            return x @ self.W

        def backward(self, dy):
            self.dW = self.x.T @ dy
            return dy @ self.W.T

    x = np.random.default_rng(10).standard_normal((3, 2))
    with pytest.raises(TypeError, match="__slots__.*state="):
        from_object(Slotted(), x, params=("W",), grads=("dW",))
    layer = Slotted()
    report = check(*from_object(layer, x, params=("W",), grads=("dW",), state=("x",)))
    assert report.passed, str(report)
    assert not hasattr(layer, "x") and not hasattr(layer, "dW")  # unset before, unset after


# --- column-major layers: X is (features, batch) ----------------------------------------------


def dense_column_major(X, W, b):
    """Y = W X + b, X (features, batch), b (out,) broadcast along the batch columns."""
    return W @ X + b[:, None], (X, W)


def dense_column_major_backward(dY, cache, divide_by_batch=False):
    X, W = cache
    m = X.shape[1] if divide_by_batch else 1
    return W.T @ dY, dY @ X.T / m, dY.sum(axis=1) / m


def column_major_inputs(seed, copy=True):
    """x = Xᵀ for X of 4 features and a batch of 6, as the README says (a C-ordered copy), or
    with ``copy=False`` the F-ordered view Xᵀ itself."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((4, 6)).T
    assert x.flags.f_contiguous and not x.flags.c_contiguous
    return [x.copy() if copy else x, rng.standard_normal((3, 4)), rng.standard_normal(3)]


@pytest.mark.parametrize("copy", [True, False], ids=["C-ordered copy", "F-ordered view"])
def test_column_major_dense_is_checked_right(copy):
    forward, backward = from_column_major(dense_column_major, dense_column_major_backward)
    report = check(forward, backward, column_major_inputs(11, copy))
    assert report.passed, str(report)


@pytest.mark.parametrize("copy", [True, False], ids=["C-ordered copy", "F-ordered view"])
def test_column_major_dense_with_1_over_m_is_caught_on_its_parameters(copy):
    wrong = partial(dense_column_major_backward, divide_by_batch=True)
    report = check(*from_column_major(dense_column_major, wrong), column_major_inputs(12, copy))
    assert report.blame == "backward"
    assert {f.input for f in report.failures} == {"W", "b"}  # named as the layer names them


def test_column_major_transposes_x_and_its_gradient_but_not_the_parameters():
    x, W, b = column_major_inputs(13)
    forward, backward = from_column_major(dense_column_major, dense_column_major_backward)
    y, cache = forward(x, W, b)
    np.testing.assert_allclose(y, x @ W.T + b, rtol=1e-14)
    dy = np.random.default_rng(0).standard_normal(y.shape)
    grad_x, grad_w, grad_b = backward(dy, cache)
    np.testing.assert_allclose(grad_x, dy @ W, rtol=1e-14)
    np.testing.assert_allclose(grad_w, dy.T @ x, rtol=1e-14)
    with pytest.raises(ValueError, match=r"x of shape \(batch, features\)"):
        forward(np.ones((2, 3, 4)), W, b)


def test_a_column_major_layer_object_combines_both_adapters():
    class ColumnMajorDense:  # Andrew Ng's layout: Z = W A + b, b of shape (out, 1)
        def __init__(self, rng):
            self.W, self.b = rng.standard_normal((3, 4)), rng.standard_normal((3, 1))

        def forward(self, A):
            self.A = A
            return self.W @ A + self.b

        def backward(self, dZ):
            m = self.A.shape[1]
            self.dW = dZ @ self.A.T / m  # the course's loss is a sum: here 1/m is one too many
            self.db = dZ.sum(axis=1, keepdims=True)
            return self.W.T @ dZ

    rng = np.random.default_rng(14)
    forward, backward, inputs = from_object(ColumnMajorDense(rng), rng.standard_normal((4, 5)))
    forward, backward = from_column_major(forward, backward)
    report = check(forward, backward, [np.ascontiguousarray(inputs[0].T), *inputs[1:]])
    assert {f.input for f in report.failures} == {"W"}


# --- the README's worked example stays real ---------------------------------------------------


def test_readme_worked_example_prints_what_the_readme_shows(capsys):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = re.search(r"^## Checking a layer written in another style\n(.*?)(?=^## )", readme,
                        re.M | re.S)  # fmt: skip
    assert section, "README.md lost its '## Checking a layer written in another style' section"
    code, shown = re.search(r"```python\n(.*?)```\n\nprints\n\n```\n(.*?)```", section.group(1),
                            re.S).groups()  # fmt: skip
    exec(compile(code, "README.md worked example", "exec"), {"__name__": "readme_example"})
    assert capsys.readouterr().out == shown, (
        "the README's worked example prints something else now: run it and paste its output"
    )
