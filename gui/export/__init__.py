"""The Export dialog: ONNX / int8 export in a worker, the report as a table, and a
float-vs-int8 disagreement view for one image."""
