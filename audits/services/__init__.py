"""The audits app's writes, one module per entity: evaluation_sets (uploads), staging (the web
upload's first step, no record yet), runs (request, queue, and the worker protocol: claim,
chunks, progress, complete, error, integrity), rejudgements (a completed run judged under another
policy version, nothing recomputed) and monitors. Import the module you need."""
