"""Every registered model through the same checks (timm / smp style): forward
shape, backward, odd sizes, save/load, and ONNX export against eager torch."""

from __future__ import annotations

import io
import subprocess
import sys
import warnings

import pytest
import torch
from torch import nn

from core.models import create_model, list_models, model_info

MODELS = list_models()
SEGMENTATION_MODELS = list_models("segmentation")
# float32 ONNX Runtime vs eager torch: same maths, different kernels and summation order.
ONNX_TOLERANCE = {"rtol": 1e-4, "atol": 1e-4}


def example_input(name: str, batch: int = 2, size: tuple[int, int] = (64, 64)) -> torch.Tensor:
    info = model_info(name)
    return torch.randn(batch, info.in_channels, *(info.input_size or size),
                       generator=torch.Generator().manual_seed(1))


def build(name: str, seed: int = 0, **options) -> nn.Module:
    torch.manual_seed(seed)
    return create_model(name, **options)


def expected_shape(name: str, x: torch.Tensor, num_classes: int) -> tuple[int, ...]:
    if model_info(name).kind == "classification":
        return (x.shape[0], num_classes)
    return (x.shape[0], num_classes, *x.shape[-2:])  # (N, num_classes, H, W): the input's size


@pytest.mark.parametrize("name", MODELS)
class TestEveryModel:
    def test_forward_shape_follows_num_classes_and_odd_mask_sizes(self, name):
        """Segmentation output has the input's own size, odd ones included."""
        x = example_input(name, size=(37, 61))
        model = build(name, num_classes=3).eval()
        with torch.no_grad():
            assert model(x).shape == expected_shape(name, x, 3)

    def test_backward_reaches_every_parameter(self, name):
        model = build(name).train()
        model(example_input(name, size=(32, 32))).square().mean().backward()
        missing = [key for key, p in model.named_parameters() if p.grad is None]
        assert not missing, f"no gradient for {missing[:5]}"
        assert all(torch.isfinite(p.grad).all() for p in model.parameters())
        assert any(p.grad.abs().sum() > 0 for p in model.parameters())

    def test_state_dict_round_trip_gives_identical_output(self, name):
        original = build(name, seed=0)
        original.train()(example_input(name, size=(32, 32)))  # move BatchNorm running stats off their init
        buffer = io.BytesIO()
        torch.save(original.state_dict(), buffer)
        buffer.seek(0)
        restored = build(name, seed=1)
        restored.load_state_dict(torch.load(buffer, weights_only=True))
        x = example_input(name, size=(32, 32))
        with torch.no_grad():
            torch.testing.assert_close(restored.eval()(x), original.eval()(x), rtol=0, atol=0)

    def test_onnx_export_matches_eager(self, name):
        """Exported as core/export does (TorchScript exporter, opset 17, dynamic
        batch, and dynamic height/width for masks), then run at another batch
        size and, for segmentation, at an odd size."""
        import onnxruntime

        model = build(name).eval()
        axes = {0: "batch"} if model_info(name).kind == "classification" else {0: "batch", 2: "height", 3: "width"}
        buffer = io.BytesIO()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the exporter's deprecation and tracer warnings
            torch.onnx.export(model, (example_input(name, batch=1),), buffer, dynamo=False, opset_version=17,
                              input_names=["image"], output_names=["logits"],
                              dynamic_axes={"image": axes, "logits": axes})
        session = onnxruntime.InferenceSession(buffer.getvalue(), providers=["CPUExecutionProvider"])
        x = example_input(name, batch=2, size=(37, 61))
        (exported,) = session.run(None, {"image": x.numpy()})
        with torch.no_grad():
            torch.testing.assert_close(torch.from_numpy(exported), model(x), **ONNX_TOLERANCE)


@pytest.mark.parametrize("name", ["lraspp_mobilenet_v3", "unet"])
def test_single_channel_input(name):
    model = build(name, in_channels=1).eval()
    with torch.no_grad():
        assert model(torch.randn(1, 1, 40, 40)).shape == (1, 1, 40, 40)


@pytest.mark.parametrize("up_mode", ["transpose", "bilinear", "nearest"])
@pytest.mark.parametrize("depth", [1, 3])
def test_unet_up_modes_and_depths_keep_any_size(up_mode, depth):
    model = build("unet", up_mode=up_mode, depth=depth, base_width=4, num_classes=2).eval()
    for size in [(17, 23), (32, 32), (5, 9)]:
        with torch.no_grad():
            assert model(torch.randn(1, 3, *size)).shape == (1, 2, *size)


def test_unet_skip_connections_carry_fine_detail(monkeypatch):
    """A one-pixel change moves the output mostly right around that pixel; with
    the skip connections zeroed it can only pass the coarse bottleneck and spreads."""
    from core.models import unet

    def share_near_the_pixel() -> float:
        model = build("unet", base_width=4, depth=3).eval()
        x = torch.zeros(1, 3, 32, 32)
        changed = x.clone()
        changed[0, :, 5, 27] = 5.0
        with torch.no_grad():
            difference = (model(changed) - model(x)).abs()[0, 0]  # (H, W)
        return float(difference[3:8, 25:30].sum() / difference.sum())

    assert share_near_the_pixel() > 0.3
    with_skips = unet.Up.forward
    monkeypatch.setattr(unet.Up, "forward", lambda self, x, skip: with_skips(self, x, torch.zeros_like(skip)))
    assert share_near_the_pixel() < 0.1


def test_lenet_is_the_numpy_net_layer_for_layer():
    model = create_model("lenet")
    expected = [(nn.Conv2d, (1, 16)), (nn.BatchNorm2d, 16), (nn.ReLU, None), (nn.MaxPool2d, None),
                (nn.Conv2d, (16, 32)), (nn.BatchNorm2d, 32), (nn.ReLU, None), (nn.MaxPool2d, None),
                (nn.Flatten, None), (nn.Linear, (1568, 128)), (nn.ReLU, None), (nn.Dropout, None),
                (nn.Linear, (128, 10))]
    assert isinstance(model, nn.Sequential) and len(model) == len(expected)
    for module, (cls, size) in zip(model, expected):
        assert type(module) is cls
        if cls is nn.Conv2d:
            assert (module.in_channels, module.out_channels, module.kernel_size, module.padding) == (
                *size, (3, 3), (1, 1))
        elif cls is nn.Linear:
            assert (module.in_features, module.out_features) == size
        elif cls is nn.BatchNorm2d:
            assert module.num_features == size
    assert model[11].p == 0.25
    assert model(torch.zeros(1, 1, 28, 28)).shape == (1, 10)


def test_cifar_cnn_is_small_and_width_depth_change_it():
    def parameters(**options):
        return sum(p.numel() for p in create_model("cifar_cnn", **options).parameters())

    assert 200_000 < parameters() < 400_000
    assert parameters(width=16) < parameters() < parameters(depth=4)
    model = create_model("cifar_cnn").eval()
    batchnorm_then_relu = [type(b) for a, b in zip(model.modules(), list(model.modules())[1:])
                           if isinstance(a, nn.BatchNorm2d)]
    assert batchnorm_then_relu and all(t is nn.ReLU for t in batchnorm_then_relu)


def test_resnet_cifar_width_scales_it_and_its_residuals_carry_the_input():
    import torch

    small, wide = create_model("resnet_cifar", width=8), create_model("resnet_cifar", width=16)
    count = lambda model: sum(p.numel() for p in model.parameters())  # noqa: E731
    assert 3.5 < count(wide) / count(small) < 4.5  # convs grow with width squared
    residual = small.stages[0][2]
    for parameter in residual.body.parameters():  # a zeroed body leaves the identity
        torch.nn.init.zeros_(parameter)
    x = torch.randn(2, 16, 8, 8)
    torch.testing.assert_close(residual(x), x)
    assert small(torch.randn(3, 3, 32, 32)).shape == (3, 10)


def test_registry_lists_kinds_and_describes_each_model():
    assert set(list_models("classification")) == {"lenet", "cifar_cnn", "resnet_cifar"}
    assert {"unet", "lraspp_mobilenet_v3", "deeplabv3_mobilenet_v3", "fcn_resnet50"} <= set(SEGMENTATION_MODELS)
    assert sorted(list_models()) == sorted(list_models("classification") + SEGMENTATION_MODELS)
    info = model_info("unet")
    assert (info.kind, info.in_channels, info.default_options["base_width"]) == ("segmentation", 3, 16)
    assert all(model_info(name).description for name in MODELS)


def test_unknown_name_or_option_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown model 'resnet9'.*cifar_cnn.*unet"):
        create_model("resnet9")
    with pytest.raises(ValueError, match="no option 'widht'.*width"):
        create_model("cifar_cnn", widht=8)
    with pytest.raises(ValueError, match="up_mode"):
        create_model("unet", up_mode="pixelshuffle")
    with pytest.raises(ValueError, match="kind"):
        list_models("detection")


def test_importing_the_registry_does_not_import_torch():
    script = "import sys, core.models; core.models.list_models(); print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
