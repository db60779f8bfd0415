"""Operating Warden: Prometheus metrics, health and readiness probes, and structured logs.
It sits in config, the one place that may read every app, because its numbers span them."""
