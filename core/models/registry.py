"""Name -> model constructor, with documented default options.

Each entry names its builder as ``"module:function"`` so that torch and
torchvision are imported only when a model is actually built.
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass, field
from typing import Any

KINDS = ("classification", "segmentation")


@dataclass(frozen=True)
class ModelInfo:
    name: str
    kind: str                                   # classification | segmentation
    description: str                            # one line for the GUI's model list
    default_options: dict[str, Any] = field(default_factory=dict)  # every accepted option
    in_channels: int = 3                        # default input channels
    input_size: tuple[int, int] | None = None   # (H, W) the model needs; None = any size
    builder: str = ""                           # "module:function", imported lazily


_SEGMENTATION_TORCHVISION = {"num_classes": 1, "in_channels": 3}

_REGISTRY: dict[str, ModelInfo] = {
    info.name: info
    for info in (
        ModelInfo(
            "lenet", "classification",
            "Torch twin of the NumPy MNIST net (2 conv blocks + 2 dense layers), 1x28x28 input",
            {"in_channels": 1, "num_classes": 10, "dropout": 0.25},
            in_channels=1, input_size=(28, 28), builder="core.models.lenet:build_lenet"),
        ModelInfo(
            "cifar_cnn", "classification",
            "CIFAR-10 CNN: conv-BN-ReLU blocks, dropout, global average pooling (~0.3M params)",
            {"in_channels": 3, "num_classes": 10, "width": 32, "depth": 3,
             "dropout": 0.3, "block_dropout": 0.1},
            in_channels=3, input_size=(32, 32), builder="core.models.cifar_cnn:build_cifar_cnn"),
        ModelInfo(
            "resnet_cifar", "classification",
            "Narrow ResNet-9 (Page/airbench style): 4 conv stages, 2 residual pairs, 32x32 input",
            {"in_channels": 3, "num_classes": 10, "width": 32, "head_scale": 0.125},
            in_channels=3, input_size=(32, 32), builder="core.models.resnet_cifar:build_resnet_cifar"),
        ModelInfo(
            "unet", "segmentation",
            "U-Net with skip connections; any input size (padded to 2^depth, cropped back)",
            {"in_channels": 3, "num_classes": 1, "depth": 4, "base_width": 16,
             "up_mode": "transpose", "dropout": 0.0},
            in_channels=3, builder="core.models.unet:build_unet"),
        ModelInfo(
            "lraspp_mobilenet_v3", "segmentation",
            "torchvision LR-ASPP on MobileNetV3-Large, untrained (fast, light)",
            dict(_SEGMENTATION_TORCHVISION),
            builder="core.models.torchvision_segmentation:build_lraspp_mobilenet_v3"),
        ModelInfo(
            "deeplabv3_mobilenet_v3", "segmentation",
            "torchvision DeepLabV3 on MobileNetV3-Large, untrained",
            dict(_SEGMENTATION_TORCHVISION),
            builder="core.models.torchvision_segmentation:build_deeplabv3_mobilenet_v3"),
        ModelInfo(
            "fcn_resnet50", "segmentation",
            "torchvision FCN on ResNet-50, untrained (heavy: a GPU model)",
            dict(_SEGMENTATION_TORCHVISION),
            builder="core.models.torchvision_segmentation:build_fcn_resnet50"),
    )
}


def list_models(kind: str | None = None) -> list[str]:
    """Registered names, optionally only those of one kind."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown model kind {kind!r}; choose one of {', '.join(KINDS)}")
    return [name for name, info in _REGISTRY.items() if kind is None or info.kind == kind]


def model_info(name: str) -> ModelInfo:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join(_REGISTRY)}") from None


def create_model(name: str, **options: Any):
    """Build model ``name`` (a ``torch.nn.Module``) with its defaults overridden by ``options``."""
    info = model_info(name)
    unknown = sorted(set(options) - set(info.default_options))
    if unknown:
        raise ValueError(f"model {name!r} has no option {', '.join(map(repr, unknown))}; "
                         f"its options are {', '.join(info.default_options)}")
    _check_option_types(name, info, options)
    module_name, function_name = info.builder.split(":")
    builder = getattr(importlib.import_module(module_name), function_name)
    values = {**info.default_options, **options}
    if options:  # the defaults are known to be sane
        _check_size(name, builder, values)
    return builder(**values)


def _check_option_types(name: str, info: ModelInfo, options: dict[str, Any]) -> None:
    """Each option has its default's type (``width=abc`` is refused here, not deep in torch)."""
    for key, value in options.items():
        default = info.default_options[key]
        if isinstance(default, bool):
            ok, what = isinstance(value, bool), "true or false"
        elif isinstance(default, int):
            ok, what = isinstance(value, int) and not isinstance(value, bool) and value >= 1, "a whole number >= 1"
        elif isinstance(default, float):
            ok, what = (isinstance(value, (int, float)) and not isinstance(value, bool)
                        and math.isfinite(value) and value >= 0), "a number >= 0"
        else:
            ok, what = isinstance(value, type(default)), type(default).__name__
        if not ok:
            raise ValueError(f"model {name!r} option {key} must be {what}, got {value!r}")


def _check_size(name: str, builder, values: dict[str, Any]) -> None:
    """Build once on PyTorch's meta device (no memory) and refuse absurd parameter counts
    (``base_width=2048`` would allocate gigabytes before any error)."""
    import torch

    from core import limits

    try:
        with torch.device("meta"):
            model = builder(**values)
    except (TypeError, ValueError, RuntimeError) as error:
        lines = str(error).strip().splitlines()
        raise ValueError(f"model {name!r} cannot be built with these options: "
                         f"{lines[0] if lines else type(error).__name__}") from None
    count = sum(p.numel() for p in model.parameters())
    limit = limits.MODEL_PARAMETERS.value()
    if count > limit:
        raise ValueError(f"model {name!r} with these options has {count:,} parameters, above the "
                         f"limit of {limit:,} ({limits.MODEL_PARAMETERS.hint()})")
