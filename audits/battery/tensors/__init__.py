"""Deep-net (tensor) models in the battery: image and tensor sets read from archives, ONNX graphs
over tensors, and what the checks do to their inputs (attacks, corruptions, saliency, pictures).
"""
