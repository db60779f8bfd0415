"""The command line's contract: the document on stdout or in --out, exit 0 / 1 by the policy."""

from __future__ import annotations

import json

from audits.battery.cli import main
from audits.battery.document import verify

from .conftest import binary_frame


def test_a_sound_model_exits_0_and_prints_the_document(tmp_path, capsys, contract_schema):
    import jsonschema

    frame = binary_frame(3000)
    frame["pred"] = frame["y"]  # a perfect model: nothing to fail
    frame.to_csv(tmp_path / "d.csv", index=False)
    code = main(["--data", str(tmp_path / "d.csv"), "--label", "y", "--prediction", "pred",
                 "--features", "x1", "--tier", "3"])  # fmt: skip
    out = capsys.readouterr()
    doc = json.loads(out.out)
    jsonschema.validate(doc, contract_schema)
    assert code == 0 and out.err == ""
    assert doc["status"] in ("pass", "warn") and verify(doc)


def test_a_failing_model_exits_1_and_writes_the_file(tmp_path, capsys):
    frame = binary_frame(3000)
    frame["pred"] = 1 - frame["y"]  # always wrong
    frame.to_csv(tmp_path / "d.csv", index=False)
    out = tmp_path / "result.json"
    code = main(["--data", str(tmp_path / "d.csv"), "--label", "y", "--prediction", "pred",
                 "--features", "x1", "--tier", "3", "--out", str(out),
                 "--workers", "2"])  # fmt: skip
    assert code == 1 and capsys.readouterr().out == ""
    doc = json.loads(out.read_text())
    performance = next(c for c in doc["checks"] if c["id"] == "performance")
    assert performance["status"] == "fail" and doc["status"] == "fail"
    assert any(f["metric"] == "balanced_accuracy_score" for f in performance["findings"])


def test_an_unwritable_out_path_exits_2_with_one_line(tmp_path, capsys):
    binary_frame(200).to_csv(tmp_path / "d.csv", index=False)
    code = main(["--data", str(tmp_path / "d.csv"), "--label", "y", "--prediction", "pred",
                 "--out", str(tmp_path / "missing" / "r.json")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and err.startswith("error: cannot write")
