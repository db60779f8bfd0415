"""The audits app's writes, one module per entity: evaluation_sets (uploads), staging (the web
upload's first step, no record yet), runs (request, queue, and the worker protocol: claim,
chunks, progress, complete, error, integrity) and monitors. Import the module you need."""
