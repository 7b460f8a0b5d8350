"""The NumPy engine against torch: same weights -> same outputs, gradients and updates."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.numpy_cnn.layers import Dropout
from core.numpy_cnn.losses import softmax_cross_entropy
from core.numpy_cnn.model import Sequential, build_model
from core.numpy_cnn.optim import OPTIMIZERS, build_optimizer, clip_grad_norm
from core.numpy_cnn.torch_twin import from_torch, to_torch

ATOL = 1e-5


def _train_mode_without_dropout(twin):
    """BN uses batch statistics; dropout off on both sides (their random masks differ)."""
    twin.train()
    for module in twin:
        if isinstance(module, torch.nn.Dropout):
            module.eval()


def _numpy_step(model, x, labels):
    out = x
    for layer in model.layers:
        out = layer.forward(out, training=not isinstance(layer, Dropout))
    loss, dlogits = softmax_cross_entropy(out, labels)
    model.backward(dlogits)
    return out, loss


@pytest.mark.parametrize("architecture", ["lenet_numpy", "lenet_fast_numpy"])
def test_lenet_forward_and_every_gradient_match_torch(architecture, rng):
    model = build_model(architecture, seed=7)
    twin = to_torch(model)
    x = rng.standard_normal((16, 1, 28, 28)).astype(np.float32)
    labels = rng.integers(0, 10, 16)
    np.testing.assert_allclose(model.forward(x), twin(torch.from_numpy(x)).detach().numpy(),
                               atol=ATOL, rtol=1e-4)   # eval mode, running statistics

    _train_mode_without_dropout(twin)
    logits, loss = _numpy_step(model, x, labels)
    torch_logits = twin(torch.from_numpy(x))
    torch_loss = torch.nn.functional.cross_entropy(torch_logits, torch.from_numpy(labels))
    torch_loss.backward()
    np.testing.assert_allclose(logits, torch_logits.detach().numpy(), atol=ATOL, rtol=1e-4)
    assert loss == pytest.approx(torch_loss.item(), abs=ATOL)
    torch_params = dict(twin.named_parameters())
    for (name, _, grad), (torch_name, torch_param) in zip(model.named_params(), torch_params.items()):
        np.testing.assert_allclose(grad, torch_param.grad.numpy(), atol=ATOL, rtol=1e-4,
                                   err_msg=f"{name} vs {torch_name}")
    for layer, module in zip(model.layers, twin):
        for key, value in layer.buffers.items():   # BN running stats updated identically
            np.testing.assert_allclose(value, getattr(module, key).numpy(), atol=ATOL, rtol=1e-5)


@pytest.mark.parametrize("stride,padding,kernel", [(1, 0, 3), (2, 1, 3), (2, 0, 2), (1, 2, 5)])
def test_conv_variants_match_torch(stride, padding, kernel, rng):
    model = Sequential.from_spec({"layers": [
        {"type": "Conv2D", "in_channels": 3, "out_channels": 4, "kernel_size": kernel,
         "stride": stride, "padding": padding},
        {"type": "LeakyReLU", "negative_slope": 0.1},
        {"type": "MaxPool2D", "kernel_size": 2},
        {"type": "Flatten"},
    ]})
    x = rng.standard_normal((3, 3, 11, 10)).astype(np.float32)
    out = model.forward(x, training=True)
    upstream = rng.standard_normal(out.shape).astype(np.float32)
    dx = model.backward(upstream)
    twin = to_torch(model).train()
    x_torch = torch.from_numpy(x).requires_grad_()
    out_torch = twin(x_torch)
    (out_torch * torch.from_numpy(upstream)).sum().backward()
    np.testing.assert_allclose(out, out_torch.detach().numpy(), atol=ATOL)
    np.testing.assert_allclose(dx, x_torch.grad.numpy(), atol=ATOL)
    np.testing.assert_allclose(model.layers[0].grads["weight"], twin[0].weight.grad.numpy(), atol=1e-4)


def test_twin_state_dict_matches_the_registry_lenet():
    """EXPORT and the torch engine load a NumPy run's weights into the registry's lenet."""
    from core.models import create_model

    twin = to_torch(build_model("lenet_numpy", seed=3))
    reference = create_model("lenet")
    reference.load_state_dict(twin.state_dict())     # strict: same keys, same shapes
    x = torch.randn(2, 1, 28, 28)
    torch.testing.assert_close(reference.eval()(x), twin(x))


def test_from_torch_copies_weights_back(rng):
    model = build_model("lenet_numpy", seed=0)
    twin = to_torch(build_model("lenet_numpy", seed=5))
    from_torch(model, twin)
    x = rng.standard_normal((2, 1, 28, 28)).astype(np.float32)
    np.testing.assert_allclose(model.forward(x), twin(torch.from_numpy(x)).detach().numpy(), atol=ATOL)


def _torch_optimizer(name, params, lr, weight_decay):
    if name == "sgd":
        return torch.optim.SGD(params, lr, weight_decay=weight_decay)
    if name in ("momentum", "nesterov"):
        return torch.optim.SGD(params, lr, momentum=0.9, nesterov=name == "nesterov",
                               weight_decay=weight_decay)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr, alpha=0.99, eps=1e-8, weight_decay=weight_decay)
    cls = torch.optim.AdamW if name == "adamw" else torch.optim.Adam
    return cls(params, lr, eps=1e-8, weight_decay=weight_decay)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimisers_follow_torch_updates(name, rng):
    start = [rng.standard_normal((5, 4)), rng.standard_normal(4)]
    ours = [array.copy() for array in start]
    theirs = [torch.tensor(array, requires_grad=True) for array in start]
    optimizer = build_optimizer(name, ours, lr=0.01, weight_decay=0.05)
    reference = _torch_optimizer(name, theirs, 0.01, 0.05)
    for _ in range(5):
        grads = [rng.standard_normal(array.shape) for array in start]
        optimizer.step(grads)
        for tensor, grad in zip(theirs, grads):
            tensor.grad = torch.from_numpy(grad.copy())
        reference.step()
    for array, tensor in zip(ours, theirs):
        np.testing.assert_allclose(array, tensor.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_gradient_clipping_matches_torch(rng):
    grads = [rng.standard_normal((3, 3)) * 5, rng.standard_normal(7) * 5]
    tensors = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for tensor, grad in zip(tensors, grads):
        tensor.grad = torch.from_numpy(grad.copy())
    norm = clip_grad_norm(grads, 1.0)
    torch_norm = torch.nn.utils.clip_grad_norm_(tensors, 1.0)
    assert norm == pytest.approx(torch_norm.item())
    for grad, tensor in zip(grads, tensors):
        np.testing.assert_allclose(grad, tensor.grad.numpy(), rtol=1e-6)
    assert np.sqrt(sum((g ** 2).sum() for g in grads)) == pytest.approx(1.0, abs=1e-5)
