"""optim against PyTorch: optimizers step for step, initialisers' distributions, clipping.

Runs in ``tox -e reference``; skipped, with the reason shown, where torch is absent.
"""

import math

import numpy as np
import pytest

import optim

torch = pytest.importorskip("torch", reason="the reference extra (torch) is not installed")

pytestmark = pytest.mark.reference

STEPS = 10
# A dense weight, its bias and a conv kernel.  The gradients' scale jumps between steps (so
# that AMSGrad's running max differs from v_t) and "bias" gets no gradient at steps 3 and 7
# (a frozen parameter: torch skips it and does not advance its step count).
SHAPES = {"weight": (4, 3), "bias": (4,), "kernel": (2, 3, 3, 3)}
SCALES = [1.0, 0.1, 3.0, 0.01, 1.0, 0.3, 10.0, 0.05, 1.0, 0.5]
FROZEN = {3: "bias", 7: "bias"}

CONFIGS = [
    ("sgd", {"lr": 0.1}),
    ("sgd", {"lr": 0.1, "momentum": 0.9}),
    ("sgd", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}),
    ("sgd", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("sgd", {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.1}),
    ("sgd", {"lr": 0.1, "momentum": 0.8, "nesterov": True, "weight_decay": 0.3, "maximize": True}),
    ("adam", {}),
    ("adam", {"lr": 0.1}),
    ("adam", {"lr": 0.1, "betas": (0.8, 0.99), "eps": 1e-3}),
    ("adam", {"lr": 0.1, "weight_decay": 0.1}),
    ("adam", {"lr": 0.1, "amsgrad": True}),
    ("adam", {"lr": 0.05, "weight_decay": 0.05, "amsgrad": True, "maximize": True}),
    ("adam", {"lr": 0.1, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("adam", {"lr": 0.1, "weight_decay": 0.3, "amsgrad": True, "decoupled_weight_decay": True}),
    ("adamw", {}),
    ("adamw", {"lr": 0.1}),
    ("adamw", {"lr": 0.1, "weight_decay": 0.5}),
    ("adamw", {"lr": 0.1, "betas": (0.5, 0.9), "eps": 1e-3}),
    ("adamw", {"lr": 0.1, "weight_decay": 0.1, "amsgrad": True}),
]
OURS = {"sgd": optim.sgd, "adam": optim.adam, "adamw": optim.adamw}
THEIRS = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW"}


def _close(ours: np.ndarray, theirs: np.ndarray, what: str) -> None:
    """1e-10 relative, with the absolute floor scaled to the array, as tests/test_reference."""
    scale = max(float(np.max(np.abs(theirs), initial=0.0)), 1e-300)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12 * scale, err_msg=what)


def trajectory(name, hyper):
    """Our params and state after every step, and torch's, fed the same gradients."""
    rng = np.random.default_rng(0)
    params = {k: rng.standard_normal(shape) for k, shape in SHAPES.items()}
    tensors = {k: torch.tensor(p, requires_grad=True) for k, p in params.items()}
    opt = getattr(torch.optim, THEIRS[name])(list(tensors.values()), **hyper)
    state, ours, theirs = None, [], []
    counts = dict.fromkeys(SHAPES, 0)
    for step, scale in enumerate(SCALES):
        grads = {
            k: scale * rng.standard_normal(s) for k, s in SHAPES.items() if k != FROZEN.get(step)
        }
        params, state = OURS[name](params, grads, state, **hyper)
        for k, t in tensors.items():
            t.grad = torch.tensor(grads[k]) if k in grads else None
        opt.step()
        counts.update({k: counts[k] + 1 for k in grads})
        ours.append((params, state))
        theirs.append(
            (
                {k: t.detach().numpy().copy() for k, t in tensors.items()},
                # torch's SGD keeps no step count; ours does, for every optimizer.
                {
                    k: {"step": counts[k]} | {s: _plain(v) for s, v in opt.state[t].items()}
                    for k, t in tensors.items()
                },
            )
        )
    return ours, theirs


def _plain(value):
    if value is None:  # SGD without momentum keeps momentum_buffer = None
        return None
    return float(value) if value.ndim == 0 else value.detach().numpy().copy()


@pytest.mark.parametrize("name, hyper", CONFIGS, ids=[f"{n}-{h}" for n, h in CONFIGS])
def test_optimizer_matches_torch_step_for_step(name, hyper):
    ours, theirs = trajectory(name, hyper)
    for step, ((params, state), (expected, expected_state)) in enumerate(
        zip(ours, theirs, strict=True)
    ):
        for k in SHAPES:
            _close(params[k], expected[k], f"{name} {hyper} step {step + 1}: params[{k!r}]")
            buffers = {s: v for s, v in expected_state[k].items() if v is not None}
            assert set(state[k]) == set(buffers), f"state[{k!r}] keys at step {step + 1}"
            for s, v in buffers.items():
                if s == "step":
                    assert state[k][s] == v, f"state[{k!r}]['step'] at step {step + 1}"
                else:
                    _close(state[k][s], v, f"{name} {hyper} step {step + 1}: state[{k!r}][{s!r}]")


@pytest.mark.parametrize("name", sorted(OURS))
def test_the_configs_exercise_every_hyperparameter(name):
    # Distinct trajectories: a hyperparameter our step ignored would show up as two equal ones
    # (torch would then disagree, but only this says the comparison above was not vacuous).
    finals = [trajectory(n, h)[0][-1][0] for n, h in CONFIGS if n == name]
    for i in range(len(finals)):
        for j in range(i):
            assert not np.allclose(finals[i]["weight"], finals[j]["weight"], rtol=1e-6)


# --- initialisers ------------------------------------------------------------------------

INIT_SHAPES = [(256, 128), (96, 300), (64, 32, 3, 3), (16, 48, 5, 5)]


def torch_spread(init, shape, mode):
    """(bound of the uniform, or None; standard deviation) from torch's own fan and gain."""
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    fan = fan_in if mode == "fan_in" else fan_out
    gain = torch.nn.init.calculate_gain("relu")
    if init == "he_normal":
        return None, gain / math.sqrt(fan)
    if init == "he_uniform":
        bound = gain * math.sqrt(3.0 / fan)
    else:
        bound = math.sqrt(6.0 / (fan_in + fan_out))  # xavier, gain 1
    return bound, bound / math.sqrt(3.0)


CASES = [
    (init, shape, mode)
    for shape in INIT_SHAPES
    for init, mode in [
        ("he_normal", "fan_in"),
        ("he_normal", "fan_out"),
        ("he_uniform", "fan_in"),
        ("he_uniform", "fan_out"),
        ("xavier_uniform", None),
    ]
]


@pytest.mark.parametrize("init, shape, mode", CASES)
def test_initialiser_distribution_matches_torch(init, shape, mode):
    kwargs = {"mode": mode} if mode else {}
    w = getattr(optim, init)(shape, rng=np.random.default_rng(11), **kwargs).ravel()
    bound, std = torch_spread(init, shape, mode)
    n = w.size  # 16384 to 32768
    # Tolerances at ≈ 6 standard errors, or a failure probability ≤ 1e-8, for these n: the
    # seed is fixed, so they only decide whether a right initialiser could ever fail.
    assert abs(w.mean()) < 6 * std / math.sqrt(n)
    assert abs(w.std() / std - 1) < 6 / math.sqrt(2 * n)  # se of a sample std: σ / √(2n)
    if bound is not None:
        # P(max |w| < b (1 − δ)) = (1 − δ)^n ≤ e^(−nδ) = 1e-8 for δ = ln(1e8) / n
        assert bound * (1 - math.log(1e8) / n) < np.max(np.abs(w)) <= bound
        cdf = np.clip((np.sort(w) + bound) / (2 * bound), 0, 1)
    else:
        cdf = np.array([0.5 * (1 + math.erf(x / (std * math.sqrt(2)))) for x in np.sort(w)])
    # Kolmogorov–Smirnov against the full distribution: P(D > √(ln(2/α) / 2n)) ≤ α = 1e-8.
    ranks = np.arange(1, n + 1) / n
    ks = max(np.max(ranks - cdf), np.max(cdf - (ranks - 1 / n)))
    assert ks < math.sqrt(math.log(2 / 1e-8) / (2 * n))


@pytest.mark.parametrize("shape", INIT_SHAPES)
def test_torch_own_uniform_draws_respect_the_same_bounds(shape):
    # The bounds above are computed by this file, not taken from torch's samplers: torch's own
    # draws must obey them too, or the expected values are wrong rather than optim.
    torch.manual_seed(0)
    for init, sample in [
        ("he_uniform", lambda t: torch.nn.init.kaiming_uniform_(t, nonlinearity="relu")),
        ("xavier_uniform", torch.nn.init.xavier_uniform_),
    ]:
        bound, _ = torch_spread(init, shape, "fan_in")
        w = sample(torch.empty(shape, dtype=torch.float64)).abs().max().item()
        assert bound * (1 - math.log(1e8) / math.prod(shape)) < w <= bound
    std = torch_spread("he_normal", shape, "fan_in")[1]
    w = torch.nn.init.kaiming_normal_(torch.empty(shape, dtype=torch.float64), nonlinearity="relu")
    assert abs(w.std().item() / std - 1) < 6 / math.sqrt(2 * math.prod(shape))


# --- clip_grad_norm ----------------------------------------------------------------------


@pytest.mark.parametrize("norm_type", [2.0, math.inf, 1.0])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])  # clipping, and not clipping
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    rng = np.random.default_rng(5)
    grads = {k: rng.standard_normal(s) for k, s in SHAPES.items()}
    tensors = []
    for g in grads.values():
        t = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
        t.grad = torch.tensor(g)
        tensors.append(t)
    expected = torch.nn.utils.clip_grad_norm_(tensors, max_norm, norm_type).item()
    clipped, total = optim.clip_grad_norm(grads, max_norm, norm_type)
    _close(np.array(total), np.array(expected), "total norm")
    assert (total > max_norm) == (max_norm == 0.5)  # both branches are taken
    for (k, g), t in zip(clipped.items(), tensors, strict=True):
        _close(g, t.grad.numpy(), f"clipped[{k!r}]")


def test_clip_grad_norm_of_a_non_finite_gradient_matches_torch():
    grads = {"w": np.array([1.0, np.inf, -2.0]), "b": np.array([3.0])}
    tensors = []
    for g in grads.values():
        t = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
        t.grad = torch.tensor(g)
        tensors.append(t)
    expected = torch.nn.utils.clip_grad_norm_(tensors, 1.0).item()
    clipped, total = optim.clip_grad_norm(grads, 1.0)
    assert total == expected == math.inf
    for g, t in zip(clipped.values(), tensors, strict=True):
        np.testing.assert_array_equal(g, t.grad.numpy())  # NaN where inf·0, else 0
