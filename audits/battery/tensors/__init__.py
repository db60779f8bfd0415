"""Deep-net (tensor) models in the battery: image and tensor sets read as ZIP archives whose
``manifest.csv`` is the table (archive.py), how their members become model inputs
(preprocessing.py), and the ONNX wrapper that decodes rows and runs the graph (model.py)."""
