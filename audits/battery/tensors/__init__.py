"""Deep-net (tensor) models in the battery: image and tensor sets read as ZIP archives whose
``manifest.csv`` is the table (archive.py), how their members become model inputs
(preprocessing.py), the ONNX wrapper that decodes rows and runs the graph (model.py), and what
the checks do to those inputs (attacks, corruptions, saliency, pictures)."""
