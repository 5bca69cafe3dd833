"""optim without torch: update rules checked against closed forms, purity, plain-data state,
dtypes, and a ValueError that says how to fix each wrong call.

The step-for-step comparison with ``torch.optim`` is in ``test_optim_reference.py``.
"""

import copy
import math
import pickle

import numpy as np
import pytest

import optim

OPTIMIZERS = {"sgd": optim.sgd, "adam": optim.adam, "adamw": optim.adamw}
# Hyperparameters under which every buffer of each optimizer exists.
FULL = {
    "sgd": {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.1},
    "adam": {"lr": 0.1, "amsgrad": True, "weight_decay": 0.1},
    "adamw": {"lr": 0.1, "amsgrad": True},
}


def problem(dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    params = {"weight": rng.standard_normal((4, 3)), "bias": rng.standard_normal(4)}
    grads = {k: rng.standard_normal(v.shape) for k, v in params.items()}
    return (
        {k: v.astype(dtype) for k, v in params.items()},
        {k: v.astype(dtype) for k, v in grads.items()},
    )


def run(step, params, grads, steps, **hyper):
    state = None
    for _ in range(steps):
        params, state = step(params, grads, state, **hyper)
    return params, state


# --- update rules against closed forms ---------------------------------------------------


def test_sgd_plain_is_theta_minus_lr_g():
    params, grads = problem()
    new, _ = optim.sgd(params, grads, lr=0.1)
    for k in params:
        np.testing.assert_allclose(new[k], params[k] - 0.1 * grads[k], rtol=1e-15)


def test_sgd_weight_decay_adds_lambda_theta_to_the_gradient():
    params, grads = problem()
    new, _ = optim.sgd(params, grads, lr=0.1, weight_decay=0.5)
    for k in params:
        np.testing.assert_allclose(new[k], params[k] - 0.1 * (grads[k] + 0.5 * params[k]))


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum_with_a_constant_gradient(nesterov):
    # b_t = (1 + μ + ... + μ^(t−1)) g, undamped first buffer; nesterov steps by g + μ b_t.
    mu, lr, steps = 0.9, 0.1, 4
    params, grads = problem()
    new, state = run(optim.sgd, params, grads, steps, lr=lr, momentum=mu, nesterov=nesterov)
    buffers = [sum(mu**j for j in range(t)) for t in range(1, steps + 1)]
    moves = [(1 + mu * b) if nesterov else b for b in buffers]
    for k in params:
        np.testing.assert_allclose(new[k], params[k] - lr * sum(moves) * grads[k], rtol=1e-13)
        np.testing.assert_allclose(state[k]["momentum_buffer"], buffers[-1] * grads[k])


def test_sgd_dampening_spares_the_first_buffer():
    params, grads = problem()
    _, state = run(optim.sgd, params, grads, 2, lr=0.1, momentum=0.5, dampening=0.3)
    np.testing.assert_allclose(state["bias"]["momentum_buffer"], (0.5 + 0.7) * grads["bias"])


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw"])
def test_maximize_is_descent_on_the_negated_gradient(name):
    params, grads = problem()
    hyper = FULL[name]
    up = run(OPTIMIZERS[name], params, grads, 3, maximize=True, **hyper)
    down = run(OPTIMIZERS[name], params, {k: -g for k, g in grads.items()}, 3, **hyper)
    assert_same(up, down)


@pytest.mark.parametrize("name", ["adam", "adamw"])
def test_adam_with_a_constant_gradient_steps_lr_every_step(name):
    # With g constant the bias corrections make m̂_t = g and v̂_t = g² exactly, at any β:
    # every step moves θ by γ g / (|g| + ε), i.e. by γ against the gradient's sign.
    lr, eps, steps = 0.01, 1e-8, 5
    params, grads = problem()
    hyper = {"lr": lr, "betas": (0.8, 0.99), "eps": eps, "weight_decay": 0.0}
    new, state = run(OPTIMIZERS[name], params, grads, steps, **hyper)
    for k in params:
        g = grads[k]
        np.testing.assert_allclose(new[k], params[k] - steps * lr * g / (np.abs(g) + eps))
        assert state[k]["step"] == steps


def test_adam_weight_decay_is_added_to_the_gradient():
    lr, wd = 0.01, 0.5
    params, grads = problem()
    new, _ = optim.adam(params, grads, lr=lr, weight_decay=wd)
    for k in params:
        g = grads[k] + wd * params[k]
        np.testing.assert_allclose(new[k], params[k] - lr * g / (np.abs(g) + 1e-8))


def test_adamw_weight_decay_shrinks_theta_outside_the_adaptive_step():
    lr, wd, steps = 0.01, 0.5, 3
    params, grads = problem()
    new, _ = run(optim.adamw, params, grads, steps, lr=lr, weight_decay=wd)
    for k in params:
        expected = params[k]
        for _ in range(steps):  # m̂ = g and v̂ = g² still, as in the constant-gradient test
            expected = expected * (1 - lr * wd) - lr * grads[k] / (np.abs(grads[k]) + 1e-8)
        np.testing.assert_allclose(new[k], expected, rtol=1e-14)


def test_adam_with_decoupled_weight_decay_is_adamw_as_in_torch():
    params, grads = problem()
    hyper = {"lr": 0.1, "weight_decay": 0.3, "amsgrad": True}
    decoupled = run(optim.adam, params, grads, 3, decoupled_weight_decay=True, **hyper)
    assert_same(decoupled, run(optim.adamw, params, grads, 3, **hyper))
    coupled = run(optim.adam, params, grads, 3, **hyper)
    assert not np.allclose(decoupled[0]["weight"], coupled[0]["weight"])


def test_amsgrad_divides_by_the_largest_second_moment():
    # β₂ = 0.5 and a gradient 10x smaller on step 2: v_2 < v_1 everywhere, so the max matters.
    b1, b2, lr, eps = 0.9, 0.5, 1e-3, 1e-8
    params, grads = problem()
    big = {k: 10 * g for k, g in grads.items()}
    _, state = optim.adam(params, big, betas=(b1, b2), amsgrad=True)
    new, state = optim.adam(params, grads, state, betas=(b1, b2), amsgrad=True)
    for k in params:
        v1, v2 = (1 - b2) * big[k] ** 2, b2 * (1 - b2) * big[k] ** 2 + (1 - b2) * grads[k] ** 2
        assert np.all(v2 < v1)
        np.testing.assert_allclose(state[k]["exp_avg_sq"], v2)
        np.testing.assert_allclose(state[k]["max_exp_avg_sq"], v1)
        m2 = b1 * (1 - b1) * big[k] + (1 - b1) * grads[k]
        expected = params[k] - lr * m2 / (1 - b1**2) / (np.sqrt(v1 / (1 - b2**2)) + eps)
        np.testing.assert_allclose(new[k], expected, rtol=1e-13)


# --- purity, plain-data state, dtypes ----------------------------------------------------


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw"])
def test_a_step_modifies_none_of_its_arguments_and_returns_new_arrays(name):
    params, grads = problem()
    _, state = OPTIMIZERS[name](params, grads, **FULL[name])
    before = copy.deepcopy((params, grads, state))
    new, new_state = OPTIMIZERS[name](params, grads, state, **FULL[name])
    assert_same(before, (params, grads, state))
    olds = [*params.values(), *grads.values(), *arrays(state)]
    for fresh in [*new.values(), *arrays(new_state)]:
        assert not any(np.shares_memory(fresh, old) for old in olds)


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw"])
def test_state_is_plain_data_and_a_step_is_a_pure_function_of_it(name):
    params, grads = problem()
    step = OPTIMIZERS[name]
    _, state = step(params, grads, **FULL[name])
    assert set(state) == set(params)
    for entry in state.values():
        assert type(entry["step"]) is int and entry["step"] == 1
        assert all(type(v) is np.ndarray for k, v in entry.items() if k != "step")
    restored = pickle.loads(pickle.dumps(state))
    assert_same(
        step(params, grads, state, **FULL[name]), step(params, grads, restored, **FULL[name])
    )


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw"])
def test_a_parameter_without_a_gradient_is_frozen_and_keeps_its_step(name):
    params, grads = problem()
    step = OPTIMIZERS[name]
    new, state = step(params, grads, **FULL[name])
    newer, state = step(new, {"weight": grads["weight"]}, state, **FULL[name])
    np.testing.assert_array_equal(newer["bias"], new["bias"])
    assert state["bias"]["step"] == 1 and state["weight"]["step"] == 2


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["sgd", "adam", "adamw"])
def test_dtype_is_preserved_in_params_and_state(name, dtype):
    params, grads = problem(dtype)
    new, state = run(OPTIMIZERS[name], params, grads, 2, **FULL[name])
    assert all(p.dtype == dtype for p in new.values())
    assert all(a.dtype == dtype for a in arrays(state))


def test_float64_gradients_are_rounded_to_float32_params():
    params, grads = problem(np.float32)
    wide = {k: g.astype(np.float64) for k, g in grads.items()}
    assert_same(optim.adam(params, wide), optim.adam(params, grads))


# --- validation -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw"])
def test_a_gradient_without_a_parameter_names_the_key(name):
    params, grads = problem()
    grads["wieght"] = grads.pop("weight")
    with pytest.raises(ValueError, match=r"grads\['wieght'\].*key the gradients by"):
        OPTIMIZERS[name](params, grads)


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw"])
def test_a_shape_mismatch_names_the_key_and_both_shapes(name):
    params, grads = problem()
    grads["weight"] = grads["weight"].T
    with pytest.raises(ValueError, match=r"grads\['weight'\] has shape \(3, 4\).*\(4, 3\)"):
        OPTIMIZERS[name](params, grads)


@pytest.mark.parametrize("hyper", [{"momentum": 0.0}, {"momentum": 0.9, "dampening": 0.1}])
def test_nesterov_needs_momentum_and_no_dampening_as_torch(hyper):
    params, grads = problem()
    with pytest.raises(ValueError, match="nesterov momentum requires a momentum"):
        optim.sgd(params, grads, nesterov=True, **hyper)


@pytest.mark.parametrize(
    "name, hyper, message",
    [
        ("sgd", {"lr": -0.1}, "lr must be in"),
        ("sgd", {"momentum": -0.5}, "momentum must be in"),
        ("adam", {"betas": (0.9, 1.0)}, r"betas\[1\] must be in \[0, 1\)"),
        ("adam", {"eps": -1e-8}, "eps must be in"),
        ("adamw", {"weight_decay": math.nan}, "weight_decay must be in"),
        ("adam", {"betas": 0.9}, r"betas must be a pair \(β₁, β₂\), got 0.9: pass e.g."),
        ("adamw", {"betas": (0.9, 0.99, 0.999)}, r"betas must be a pair"),
    ],
)
def test_hyperparameters_out_of_range_are_refused(name, hyper, message):
    params, grads = problem()
    with pytest.raises(ValueError, match=message):
        OPTIMIZERS[name](params, grads, **hyper)


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw"])
@pytest.mark.parametrize(
    "grads, message",
    [
        ({"weight": None}, r"grads\['weight'\] is None: leave the key out"),
        ({"weight": {"w": 1.0}}, r"grads\['weight'\] is a dict, not an array of real numbers"),
        ([np.ones((4, 3))], r"grads must be a dict name -> array, got list"),
    ],
)
def test_gradients_that_are_not_a_dict_of_real_arrays_are_refused(name, grads, message):
    params, _ = problem()
    with pytest.raises(ValueError, match=message):
        OPTIMIZERS[name](params, grads)


def test_integer_params_are_refused_with_the_fix():
    with pytest.raises(ValueError, match=r"params\['n'\] has dtype int64.*astype"):
        optim.sgd({"n": np.arange(3)}, {"n": np.ones(3)})


@pytest.mark.parametrize(
    "first, second, message",
    [
        ("sgd", "adam", r"state\['(weight|bias)'\] has \['momentum_buffer'\]"),
        ("adam", "sgd", r"state\['(weight|bias)'\] has \['exp_avg', .*which sgd does not"),
        ("adam", "adamw", None),  # the same buffers: a legal, if odd, switch
    ],
)
def test_a_state_from_another_optimizer_is_refused(first, second, message):
    params, grads = problem()
    _, state = OPTIMIZERS[first](params, grads, **FULL[first])
    if message is None:
        OPTIMIZERS[second](params, grads, state, **FULL[second])
        return
    with pytest.raises(ValueError, match=message):
        OPTIMIZERS[second](params, grads, state)


def test_a_state_for_other_params_is_refused():
    params, grads = problem()
    _, state = optim.sgd(params, grads, momentum=0.9)
    with pytest.raises(ValueError, match=r"state\['other'\] does not belong"):
        optim.sgd(params, grads, {"other": state["weight"]}, momentum=0.9)


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw"])
def test_a_state_buffer_of_the_wrong_shape_names_key_and_shapes(name):
    params, grads = problem()
    _, state = OPTIMIZERS[name](params, grads, **FULL[name])
    buffer = "momentum_buffer" if name == "sgd" else "exp_avg"
    state["weight"][buffer] = state["weight"][buffer].T
    with pytest.raises(ValueError, match=rf"state\['weight'\]\['{buffer}'\].*\(4, 3\).*\(3, 4\)"):
        OPTIMIZERS[name](params, grads, state, **FULL[name])


def test_sgd_momentum_switched_on_later_starts_its_buffer_from_g_as_torch():
    params, grads = problem()
    new, state = optim.sgd(params, grads, lr=0.1)
    _, state = optim.sgd(new, grads, state, lr=0.1, momentum=0.9, dampening=0.5)
    assert state["weight"]["step"] == 2
    np.testing.assert_array_equal(state["weight"]["momentum_buffer"], grads["weight"])


def test_switching_amsgrad_on_midway_is_refused_not_restarted_from_zeros():
    params, grads = problem()
    _, state = optim.adam(params, grads)
    with pytest.raises(ValueError, match="max_exp_avg_sq"):
        optim.adam(params, grads, state, amsgrad=True)


# --- initialisers ------------------------------------------------------------------------

INITS = [optim.he_normal, optim.he_uniform, optim.xavier_uniform]


def test_fans_follow_torch_conventions_for_dense_and_conv():
    assert optim.fan_in_and_fan_out((4, 3)) == (3, 4)
    assert optim.fan_in_and_fan_out((8, 3, 5, 5)) == (75, 200)
    assert optim.fan_in_and_fan_out((8, 3, 5)) == (15, 40)


@pytest.mark.parametrize("init", INITS)
def test_initialisers_are_reproducible_shaped_and_typed(init):
    for dtype in (np.float32, np.float64):
        a = init((6, 5, 3, 3), rng=np.random.default_rng(1), dtype=dtype)
        b = init((6, 5, 3, 3), rng=np.random.default_rng(1), dtype=dtype)
        assert a.shape == (6, 5, 3, 3) and a.dtype == dtype
        np.testing.assert_array_equal(a, b)
    assert init((0, 5), rng=np.random.default_rng(1)).shape == (0, 5)


def test_he_uniform_bound_is_gain_times_root_three_over_fan():
    w = optim.he_uniform((200, 300), rng=np.random.default_rng(2), mode="fan_out")
    bound = math.sqrt(2) * math.sqrt(3 / 200)
    # n = 60000 draws: max |w| falls short of the bound by more than 1e-3 of it with
    # probability (1 − 1e-3)^60000 ≈ e^-60.
    assert bound * (1 - 1e-3) < np.max(np.abs(w)) <= bound


@pytest.mark.parametrize("init", INITS)
def test_initialisers_refuse_bad_calls(init):
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init((5,), rng=rng)
    with pytest.raises(TypeError, match="default_rng"):
        init((5, 3), rng=0)
    with pytest.raises(ValueError, match="floating dtype"):
        init((5, 3), rng=rng, dtype=np.int32)


@pytest.mark.parametrize("init", [*INITS, optim.fan_in_and_fan_out])
@pytest.mark.parametrize(
    "shape, error, message",
    [
        (5, TypeError, r"shape must be a tuple of ints .* got 5: pass \(5, n_in\)"),
        ((-3, 4), ValueError, r"shape \(-3, 4\) has a negative size"),
        ((2.5, 3), TypeError, r"shape must be a tuple of ints .* got \(2.5, 3\)"),
    ],
)
def test_initialisers_refuse_a_shape_that_is_not_a_tuple_of_sizes(init, shape, error, message):
    kwargs = {} if init is optim.fan_in_and_fan_out else {"rng": np.random.default_rng(0)}
    with pytest.raises(error, match=rf"^{init.__name__}: {message}"):
        init(shape, **kwargs)


def test_he_refuses_an_unknown_mode():
    with pytest.raises(ValueError, match="'fan_in' or 'fan_out'"):
        optim.he_normal((5, 3), rng=np.random.default_rng(0), mode="fan_avg")


# --- clip_grad_norm ----------------------------------------------------------------------


@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf])
def test_clipping_scales_the_joint_norm_to_max_norm(norm_type):
    _, grads = problem()
    flat = np.concatenate([g.ravel() for g in grads.values()])
    norm = np.max(np.abs(flat)) if math.isinf(norm_type) else np.linalg.norm(flat, norm_type)
    clipped, total = optim.clip_grad_norm(grads, 0.5, norm_type)
    assert total == pytest.approx(norm, rel=1e-14)
    for k in grads:
        np.testing.assert_allclose(clipped[k], grads[k] * 0.5 / (norm + 1e-6), rtol=1e-14)


def test_no_clipping_below_max_norm_returns_equal_new_arrays():
    _, grads = problem()
    before = copy.deepcopy(grads)
    clipped, total = optim.clip_grad_norm(grads, 100.0)
    assert total < 100
    assert_same(clipped, before)
    assert_same(grads, before)
    assert not any(np.shares_memory(clipped[k], grads[k]) for k in grads)


def test_clipping_keeps_float32():
    _, grads = problem(np.float32)
    clipped, _ = optim.clip_grad_norm(grads, 0.1)
    assert all(g.dtype == np.float32 for g in clipped.values())


@pytest.mark.parametrize(
    "grads, message",
    [
        ([np.ones(3)], r"grads must be a dict name -> array, got list"),
        ({"w": None}, r"grads\['w'\] is None: leave the key out"),  # silently NaN before
        ({"w": {"a": np.ones(3)}}, r"grads\['w'\] is a dict, not an array of real numbers"),
        ({"w": [[1.0], [1.0, 2.0]]}, r"grads\['w'\] is a list, not an array of real numbers"),
        ({"w": np.ones(3) * 1j}, r"grads\['w'\] has dtype complex128"),
    ],
)
def test_clipping_refuses_grads_that_are_not_a_dict_of_real_arrays(grads, message):
    with pytest.raises(ValueError, match=rf"^clip_grad_norm: {message}"):
        optim.clip_grad_norm(grads, 1.0)


def test_clipping_nothing_and_bad_arguments():
    assert optim.clip_grad_norm({}, 1.0) == ({}, 0.0)
    with pytest.raises(ValueError, match="max_norm"):
        optim.clip_grad_norm({"w": np.ones(2)}, -1.0)
    with pytest.raises(ValueError, match="norm_type"):
        optim.clip_grad_norm({"w": np.ones(2)}, 1.0, 0)
    with pytest.raises(ValueError, match="non-finite"):
        optim.clip_grad_norm({"w": np.array([1.0, np.inf])}, 1.0, error_if_nonfinite=True)


# --- helpers -----------------------------------------------------------------------------


def arrays(state):
    return [v for entry in state.values() for v in entry.values() if isinstance(v, np.ndarray)]


def assert_same(a, b):
    """Equal nested dicts/tuples of arrays and scalars, dtypes included."""
    assert type(a) is type(b)
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            assert_same(a[k], b[k])
    elif isinstance(a, tuple | list):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            assert_same(x, y)
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    else:
        assert a == b
