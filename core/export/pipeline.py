"""``export_run``: run dir -> ONNX (optionally int8) files plus one measured JSON report.

Stages, reported through ``progress(stage, message)``: load, export, check,
quantize, measure, save. Files are built in a temporary folder beside the
target and renamed into place only when the report is complete, so a crash or
a cancel never leaves a half-written or unchecked model behind.
"""

from __future__ import annotations

import os
import platform
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from core.atomic import atomic_write_json
from core.errors import CnnLyticalError, RunError
from core.export import measure
from core.runs.events import CancelToken
from core.runs.run_dir import RunDir

STAGES = ("load", "export", "check", "quantize", "measure", "save")
FORMATS = ("onnx",)
QUANTIZATIONS = ("int8",)
ProgressCallback = Callable[[str, str], None]


class ExportCancelled(CnnLyticalError):
    """The user stopped the export; nothing was written."""


@dataclass
class ExportOptions:
    format: str = "onnx"
    quantize: str | None = None   # None (float32 only) | "int8"
    calib: int = 64               # calibration images, drawn from the TRAINING split
    out: str | None = None        # output file; None = RUN_DIR/model.onnx or model.int8.onnx
    eval_limit: int = 200         # held-out images scored in the report
    check_images: int = 8         # held-out images for the ORT-vs-reference check
    threads: int = 2              # torch, ONNX Runtime and OpenVINO threads while measuring
    repeats: int = 10             # latency samples per engine at the working size
    large_repeats: int = 3        # ... and at 640x960 (segmentation; torch eager takes ~1 s there)
    weights: str = "model"        # model (latest epoch) | best
    rewrite: bool = False         # ConvTranspose -> 1x1 conv + DepthToSpace (core/export/rewrite.py)
    seed: int = 0

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ValueError(f"unknown format {self.format!r}; choose one of {', '.join(FORMATS)}")
        if self.quantize not in (None, *QUANTIZATIONS):
            raise ValueError(f"unknown quantization {self.quantize!r}; choose int8")
        if min(self.calib, self.eval_limit, self.threads, self.repeats, self.large_repeats) < 1:
            raise ValueError("calib, eval_limit, threads and repeats must all be >= 1")


def output_paths(run_dir: Path, options: ExportOptions) -> dict[str, Path]:
    """{"onnx_fp32", ["onnx_int8"], "report", "runtime"}: the float model always ships beside
    the int8 one; "runtime" is the recommended runtime (``core.export.recommend``)."""
    default = "model.int8.onnx" if options.quantize else "model.onnx"
    main = Path(options.out) if options.out else run_dir / default
    stem = main.name[:-5] if main.name.endswith(".onnx") else main.name
    paths = {"report": main.with_name(f"{stem}.report.json"),
             "runtime": main.with_name(f"{stem}.runtime.json")}
    if not options.quantize:
        return {"onnx_fp32": main, **paths}
    fp32_stem = stem[:-5] if stem.endswith(".int8") else f"{stem}.fp32"
    return {"onnx_fp32": main.with_name(f"{fp32_stem}.onnx"), "onnx_int8": main, **paths}


def export_run(run_dir: str | Path, options: ExportOptions | None = None,
               progress: ProgressCallback | None = None,
               cancel: CancelToken | None = None) -> dict[str, Any]:
    """Export, check, optionally quantize, measure; returns the report (also written to disk)."""
    options = options or ExportOptions()
    job = _ExportJob(Path(run_dir), options, progress or (lambda stage, message: None),
                     cancel or CancelToken())
    return job.run()


class _ExportJob:
    def __init__(self, run_dir: Path, options: ExportOptions, progress: ProgressCallback,
                 cancel: CancelToken):
        self.run_dir, self.options, self.progress, self.cancel = run_dir, options, progress, cancel
        self.report: dict[str, Any] = {}

    def stage(self, name: str, message: str) -> None:
        if self.cancel.cancelled:
            raise ExportCancelled("export cancelled; no file was written")
        self.progress(name, message)

    def run(self) -> dict[str, Any]:
        from core.export.source import load_source

        self.stage("load", f"loading {self.run_dir}")
        self.source = load_source(self.run_dir, self.options.weights)
        self.paths = output_paths(self.source.run_dir, self.options)
        self.dataset = RunDir.open(self.source.run_dir).dataset()
        self.heldout = measure.load_heldout(self.dataset, self.source.preprocess,
                                            self.options.eval_limit, self.options.seed)
        target_dir = self.paths["report"].parent
        target_dir.mkdir(parents=True, exist_ok=True)
        remove_stale_exports(target_dir)
        with tempfile.TemporaryDirectory(prefix=f".export-{os.getpid()}-", dir=target_dir) as folder:
            built = self._build(Path(folder))
            self._measure(built)
            self.stage("save", f"writing {self.paths['report']}")
            for key, path in built.items():
                os.replace(path, self.paths[key])
        self.report["files"] = {key: str(path) for key, path in self.paths.items()}
        self.report["size_bytes"] = self._sizes()
        atomic_write_json(self.paths["report"], self.report)
        return self.report

    def _build(self, folder: Path) -> dict[str, Path]:
        from core.export.onnx_export import export_onnx
        from core.export.onnx_predictor import OnnxPredictor

        self.stage("export", "exporting to ONNX (float32)")
        built = {"onnx_fp32": folder / "fp32.onnx"}
        example = self.heldout.inputs[0][None]
        model = self.source.torch_model
        if self.options.rewrite:
            from core.export.rewrite import int8_friendly

            model, replaced = int8_friendly(model)
            self.report["rewrites"] = {"conv_transpose_as_pixel_shuffle": replaced}
        export_onnx(model, example, built["onnx_fp32"],
                    dynamic_size=self.source.kind == "segmentation", metadata=self.source.metadata())
        self.fp32 = OnnxPredictor(built["onnx_fp32"], threads=self.options.threads)
        self.stage("check", "comparing ONNX Runtime with the run's own engine")
        self.report["check"] = self._check()
        self.int8 = None
        if self.options.quantize:
            from core.export.quantize import TrainingSplitReader, quantize_int8

            self.stage("quantize", f"calibrating int8 on {self.options.calib} training images")
            reader = TrainingSplitReader(self.dataset, self.source.preprocess, self.options.calib,
                                         self.options.seed)
            built["onnx_int8"] = folder / "int8.onnx"
            quantize_int8(built["onnx_fp32"], built["onnx_int8"], reader)
            self.int8 = OnnxPredictor(built["onnx_int8"], threads=self.options.threads)
            self.report["calibration"] = {"split": "train", "images": len(reader.indices),
                                          "method": "MinMax", "format": "QDQ",
                                          "weights": "int8 per-channel", "activations": "uint8"}
        return built

    def _check(self) -> dict[str, Any]:
        """ORT float32 against the run's engine (torch, or NumPy for NumPy runs) on real images."""
        inputs = self.heldout.inputs[:self.options.check_images]
        reference = [self.source.reference(chw[None])[0] for chw in inputs]
        exported = [self.fp32.logits(chw[None])[0] for chw in inputs]
        difference = measure.max_abs_difference(reference, exported)
        scale = max(float(np.max(np.abs(values))) for values in reference)
        tolerance = 1e-3 + 1e-4 * scale
        check = {"images": len(inputs), "split": self.heldout.split, "reference": self.source.engine,
                 "max_abs_diff": difference, "tolerance": tolerance, "passed": difference <= tolerance}
        if not check["passed"]:
            raise RunError(self.source.run_dir, f"ONNX output differs from {self.source.engine} by "
                                                f"{difference:.3g} (> {tolerance:.3g}); export refused")
        return check

    def _measure(self, built: dict[str, Path]) -> None:
        from core.export.recommend import save
        from core.export.report import describe, large_image, metric_table, runtime_table

        self.stage("measure", f"scoring {len(self.heldout.inputs)} held-out images")
        self.report.update(describe(self.source, self.options, self.heldout))
        self.report.update(metric_table(self.source, self.heldout, self.fp32, self.int8))
        self.stage("measure", "scoring and timing every runtime, each alone")
        image = large_image(self.dataset[int(self.heldout.indices[0])].image)
        names = {key: path.name for key, path in self.paths.items()}
        self.report.update(runtime_table(self.source, self.options, self.heldout, image, built,
                                         names, self.fp32, self.int8))
        self.report["environment"] = environment(self.options.threads)
        built["runtime"] = built["onnx_fp32"].with_name("runtime.json")
        save(built["runtime"], {"report": self.paths["report"].name, **self.report["recommendation"]})

    def _sizes(self) -> dict[str, float]:
        sizes = {"weights": self.source.weights_path.stat().st_size}
        sizes.update({key: path.stat().st_size for key, path in self.paths.items()
                      if key.startswith("onnx_")})
        if "onnx_int8" in sizes:
            sizes["ratio_fp32_over_int8"] = sizes["onnx_fp32"] / sizes["onnx_int8"]
        return sizes


def environment(threads: int) -> dict[str, Any]:
    """Where the figures were measured: CPU, its OpenVINO capabilities, runtime versions."""
    import onnxruntime

    found: dict[str, Any] = {"cpu_count": os.cpu_count(), "machine": platform.machine(),
                             "processor": measure.cpu_name(), "threads": threads,
                             "load_average": os.getloadavg()[0],  # > cpu_count: figures are noisy
                             "onnxruntime": onnxruntime.__version__}
    try:
        import openvino

        from core.export.openvino_predictor import cpu_capabilities

        found.update(openvino=openvino.__version__, cpu_capabilities=cpu_capabilities())
    except ImportError:
        found["openvino"] = None
    return found


def options_dict(options: ExportOptions) -> dict[str, Any]:
    return asdict(options)


def remove_stale_exports(folder: Path) -> None:
    """Delete ``.export-<pid>-*`` temp folders left by an export that was killed (its process
    is gone); a live export's folder, or one of a name we did not write, is left alone."""
    import shutil

    for entry in folder.glob(".export-*"):
        pid = entry.name.split("-")[1]
        if entry.is_dir() and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but belongs to someone else
        return True
    return True
