"""A read-only sync from an MLflow tracking server's model registry into Warden: REST reads
(never the mlflow package), artifacts taken only in the skops and ONNX flavors."""
