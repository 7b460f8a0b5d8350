"""Export a trained run to ONNX, optionally calibrated int8, with a measured report.

    from core.export.pipeline import export_run
    report = export_run("runs/carvana-torch-...", quantize="int8", calib=64)

``OnnxPredictor`` (``core.export.onnx_predictor``) runs an exported file with
ONNX Runtime, NumPy and OpenCV only. Importing this package imports neither
torch nor onnxruntime: each module imports what it needs.
"""
