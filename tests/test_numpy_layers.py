"""NumPy engine layers: every backward proven by central differences in float64."""

from __future__ import annotations

import numpy as np
import pytest

from core.numpy_cnn.batchnorm import BatchNorm1D, BatchNorm2D
from core.numpy_cnn.conv import Conv2D, MaxPool2D
from core.numpy_cnn.gradcheck import check_layer, check_model, relative_error
from core.numpy_cnn.initializers import initialize
from core.numpy_cnn.layers import Dense, Dropout, Flatten, LeakyReLU, ReLU, Sigmoid, Tanh
from core.numpy_cnn.losses import cross_entropy, softmax, softmax_cross_entropy
from core.numpy_cnn.model import Sequential, build_model

TOLERANCE = 1e-6
F64 = np.float64


def _conv_cases():
    return [
        ("conv 3x3", Conv2D(2, 3, 3, dtype=F64), (3, 2, 7, 8)),
        ("conv stride 2 pad 1", Conv2D(2, 4, 3, stride=2, padding=1, dtype=F64), (2, 2, 9, 7)),
        ("conv 1x1 no bias", Conv2D(3, 2, 1, bias=False, dtype=F64), (2, 3, 5, 5)),
        ("conv 5x5 pad 2", Conv2D(1, 2, 5, padding=2, dtype=F64), (2, 1, 6, 6)),
    ]


@pytest.mark.parametrize("name,layer,shape", _conv_cases() + [
    ("maxpool 2", MaxPool2D(2), (2, 3, 6, 8)),
    ("maxpool 2 odd size", MaxPool2D(2), (2, 2, 7, 5)),
    ("maxpool 3", MaxPool2D(3), (2, 2, 9, 6)),
    ("batchnorm2d", BatchNorm2D(3, dtype=F64), (4, 3, 5, 5)),
    ("relu", ReLU(), (3, 4, 5)),
    ("leaky relu", LeakyReLU(0.1), (3, 4, 5)),
    ("tanh", Tanh(), (3, 7)),
    ("sigmoid", Sigmoid(), (3, 7)),
    ("flatten", Flatten(), (2, 3, 4, 5)),
    ("dropout", Dropout(0.4, rng=np.random.default_rng(3)), (4, 10)),
    ("dense", Dense(6, 5, dtype=F64), (4, 6)),
    ("batchnorm1d", BatchNorm1D(6, dtype=F64), (5, 6)),
], ids=lambda value: value if isinstance(value, str) else "")
def test_layer_gradients_match_central_differences(name, layer, shape, rng):
    layer.astype(F64)
    layer.params = {key: value + 0.1 * rng.standard_normal(value.shape) for key, value in layer.params.items()}
    errors = check_layer(layer, rng.standard_normal(shape), per_array=None)
    assert max(errors.values()) < TOLERANCE, errors


def test_an_input_smaller_than_the_kernel_is_refused(rng):
    with pytest.raises(ValueError, match="smaller than the 5x5 kernel"):
        Conv2D(1, 2, 5).forward(rng.standard_normal((1, 1, 3, 3)).astype(np.float32))


def test_batchnorm_eval_mode_gradients(rng):
    layer = BatchNorm2D(3, dtype=F64)
    layer.buffers = {"running_mean": rng.standard_normal(3), "running_var": rng.uniform(0.5, 2, 3)}
    errors = check_layer(layer, rng.standard_normal((2, 3, 4, 4)), training=False, per_array=None)
    assert max(errors.values()) < TOLERANCE, errors


def test_whole_network_gradients_in_float64(rng):
    model = build_model("lenet_numpy", seed=1, dtype=F64)
    x = rng.standard_normal((4, 1, 28, 28))
    errors = check_model(model, x, np.array([3, 1, 4, 1]), training=True, per_array=8)
    assert max(errors.values()) < TOLERANCE, errors
    # the conv bias before BatchNorm cannot change the loss: its gradient must be ~0
    _, dlogits = softmax_cross_entropy(model.forward(x, True), np.array([3, 1, 4, 1]))
    model.backward(dlogits)
    assert np.abs(model.layer("conv1").grads["bias"]).max() < 1e-12


def test_pool_first_network_gradients_in_float64(rng):
    model = build_model("lenet_fast_numpy", seed=1, dtype=F64)
    assert [layer.name for layer in model.layers[:4]] == ["conv1", "pool1", "bn1", "relu1"]
    assert "bias" not in model.layer("conv1").params
    x = rng.standard_normal((4, 1, 28, 28))
    errors = check_model(model, x, np.array([3, 1, 4, 1]), training=True, per_array=8)
    assert max(errors.values()) < TOLERANCE, errors


def test_small_network_without_batchnorm_checks_every_weight(rng):
    model = Sequential.from_spec({"input_shape": [2, 6, 6], "layers": [
        {"type": "Conv2D", "in_channels": 2, "out_channels": 3, "kernel_size": 3, "padding": 1},
        {"type": "LeakyReLU", "negative_slope": 0.2},
        {"type": "MaxPool2D", "kernel_size": 2},
        {"type": "Flatten"},
        {"type": "Dense", "in_features": 27, "out_features": 8},
        {"type": "BatchNorm1D", "num_features": 8},
        {"type": "Tanh"},
        {"type": "Dropout", "p": 0.3},
        {"type": "Dense", "in_features": 8, "out_features": 4},
    ]}, np.random.default_rng(2), dtype=F64)
    errors = check_model(model, rng.standard_normal((5, 2, 6, 6)), np.array([0, 1, 2, 3, 0]),
                         per_array=None)
    assert max(errors.values()) < TOLERANCE, errors


def test_maxpool_routes_gradient_to_the_argmax_only():
    x = np.array([[[[1., 5., 0., 0.],
                    [2., 3., 0., 7.],
                    [4., 4., 1., 2.],
                    [0., 0., 3., 9.]]]])
    pool = MaxPool2D(2)
    np.testing.assert_array_equal(pool.forward(x), [[[[5., 7.], [4., 9.]]]])
    dx = pool.backward(np.array([[[[10., 20.], [30., 40.]]]]))
    expected = np.zeros((1, 1, 4, 4))
    expected[0, 0, 0, 1], expected[0, 0, 1, 3] = 10, 20
    expected[0, 0, 2, 0], expected[0, 0, 3, 3] = 30, 40   # tie 4/4: the first one wins, as in torch
    np.testing.assert_array_equal(dx, expected)


def test_dropout_is_inverted_in_training_and_identity_in_eval():
    layer = Dropout(0.25, rng=np.random.default_rng(0))
    x = np.ones((200, 500), np.float32)
    out = layer.forward(x, training=True)
    assert set(np.unique(out)) == {0.0, np.float32(1 / 0.75)}
    assert abs(out.mean() - 1.0) < 0.01                     # expectation preserved
    assert abs((out == 0).mean() - 0.25) < 0.01
    np.testing.assert_array_equal(layer.forward(x, training=False), x)


def test_batchnorm_running_statistics_follow_torch_rule(rng):
    layer = BatchNorm2D(2, momentum=0.1)
    x = (3 + 2 * rng.standard_normal((8, 2, 5, 5))).astype(np.float32)
    layer.forward(x, training=True)
    count = 8 * 5 * 5
    np.testing.assert_allclose(layer.buffers["running_mean"], 0.1 * x.mean(axis=(0, 2, 3)), rtol=1e-5)
    np.testing.assert_allclose(layer.buffers["running_var"],
                               0.9 + 0.1 * x.var(axis=(0, 2, 3)) * count / (count - 1), rtol=1e-5)
    out = layer.forward(x, training=False)   # eval uses the running stats, not the batch's
    assert abs(out.mean()) > 0.5


def test_softmax_cross_entropy_is_stable_and_gradient_is_p_minus_y():
    logits = np.array([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]])
    loss, grad = softmax_cross_entropy(logits, np.array([2, 1]))
    assert np.isfinite(loss) and np.isfinite(grad).all()
    assert loss == pytest.approx((2000.0 + np.log(3)) / 2)
    expected = (softmax(logits) - np.eye(3)[[2, 1]]) / 2
    np.testing.assert_allclose(grad, expected)
    assert cross_entropy(logits, np.array([2, 1])) == pytest.approx(loss)   # evaluation's loss-only twin


def test_label_smoothing_gradient(rng):
    logits = rng.standard_normal((4, 5))
    labels = np.array([0, 1, 2, 3])

    def loss_of(values):
        return softmax_cross_entropy(values, labels, 0.1)[0]

    _, grad = softmax_cross_entropy(logits, labels, 0.1)
    numeric = np.zeros_like(logits)
    for index in np.ndindex(logits.shape):
        step = np.zeros_like(logits)
        step[index] = 1e-6
        numeric[index] = (loss_of(logits + step) - loss_of(logits - step)) / 2e-6
    assert relative_error(grad, numeric) < TOLERANCE


def test_initialisers_have_their_variances():
    rng = np.random.default_rng(0)
    he = initialize((256, 64, 3, 3), "he", rng)
    xavier = initialize((300, 500), "xavier", rng)
    assert he.dtype == np.float32
    assert he.std() == pytest.approx(np.sqrt(2 / (64 * 9)), rel=0.02)
    assert xavier.std() == pytest.approx(np.sqrt(2 / (300 + 500)), rel=0.02)
    with pytest.raises(ValueError, match="unknown initialiser"):
        initialize((2, 2), "orthogonal", rng)


def test_default_initialiser_follows_the_activation():
    model = Sequential.from_spec({"layers": [
        {"type": "Dense", "in_features": 4, "out_features": 4},
        {"type": "ReLU"},
        {"type": "Dense", "in_features": 4, "out_features": 4},
        {"type": "Tanh"},
        {"type": "Dense", "in_features": 4, "out_features": 2, "init": "he"},
    ]})
    assert [layer.init for layer in model.layers if layer.kind == "Dense"] == ["he", "xavier", "he"]


def test_lenet_numpy_shapes_and_float32_default():
    model = build_model("lenet_numpy")
    x = np.zeros((2, 1, 28, 28), np.float32)
    assert model.forward(x).shape == (2, 10)
    assert model.forward(x).dtype == np.float32
    assert model.layer("fc1").params["weight"].shape == (128, 1568)
    assert model.layer("conv2").params["weight"].shape == (32, 16, 3, 3)
    with pytest.raises(ValueError, match="lenet_numpy"):
        build_model("resnet")


def test_skipping_the_input_gradient_keeps_parameter_gradients(rng):
    model = build_model("lenet_numpy", seed=2)
    x = rng.standard_normal((3, 1, 28, 28)).astype(np.float32)
    _, dlogits = softmax_cross_entropy(model.forward(x, training=False), np.array([1, 2, 3]))
    assert model.backward(dlogits).shape == x.shape
    full = {name: grad.copy() for name, _, grad in model.named_params()}
    model.forward(x, training=False)
    assert model.backward(dlogits, input_grad=False) is None
    for name, _, grad in model.named_params():
        np.testing.assert_array_equal(grad, full[name])
