"""Run NannyML's CBPE on files a test wrote; executed by the nannyml reference venv's python.

usage: nannyml_cbpe.py REFERENCE.csv ANALYSIS.csv CHUNK_SIZE OUT.json  (columns: score, label)
"""

import json
import os
import sys
import warnings

os.environ["NML_DISABLE_USAGE_LOGGING"] = "1"  # it would post usage events over the network

import nannyml
import pandas as pd

warnings.simplefilter("ignore")
reference_path, analysis_path, chunk_size, out_path = sys.argv[1:]
reference = pd.read_csv(reference_path)
analysis = pd.read_csv(analysis_path)
for frame in (reference, analysis):
    frame["predicted"] = (frame["score"] >= 0.5).astype(int)
estimator = nannyml.CBPE(
    y_pred_proba="score", y_pred="predicted", y_true="label", metrics=["accuracy", "roc_auc"],
    chunk_size=int(chunk_size), problem_type="classification_binary",
)  # fmt: skip
estimator.fit(reference)
table = estimator.estimate(analysis[["score", "predicted"]]).to_df()
chunks = []
for _, row in table[table[("chunk", "period")] == "analysis"].iterrows():
    chunk = {"rows": int(row[("chunk", "end_index")] - row[("chunk", "start_index")] + 1)}
    for metric in ("accuracy", "roc_auc"):
        chunk[metric] = float(row[(metric, "value")])
        chunk[f"{metric}_low"] = float(row[(metric, "lower_confidence_boundary")])
        chunk[f"{metric}_high"] = float(row[(metric, "upper_confidence_boundary")])
    chunks.append(chunk)
result = {"version": nannyml.__version__, "calibrated": bool(estimator.needs_calibration)}
with open(out_path, "w") as out:
    json.dump({**result, "chunks": chunks}, out)
