"""The command line (DESIGN.md §5): the same battery the workers run.

    python -m audits.battery --data FILE [--reference FILE] --label COL [--prediction COL]
        [--score COL] [--probabilities COL ...] [--sensitive COL ...] [--slice COL ...]
        [--features COL ...] [--timestamp COL] [--classes VALUE ...] [--positive VALUE]
        [--task T] [--tier 1|2|3]
        [--no-header] [--na-value TOKEN ...] [--workers N] [--model FILE [--train FILE]]
        [--file COL] [--index COL] [--preprocessing JSON] [--modality M] [--out FILE]

``--data`` is a CSV or Parquet file, or an image / tensor archive (a ZIP or .npz with
``manifest.csv`` at its root, whose rows are the set's rows) for a deep net exported to ONNX:
``--model net.onnx`` then decodes each row's member (``--file``, default "file") and the
checks run on its outputs.

``--model`` (a .skops or .onnx file; pickle is refused) adds the model checks robustness,
adversarial and explainability, scores every row when the set names no --prediction, --score or
--probabilities (the checks then run on the model's own outputs), and otherwise compares the
set's outputs with the model's (consistency); ``--train`` (a sample of the training data, with
the label and the model's columns) adds privacy (membership inference). ``--classes`` and
``--positive`` may name classes the data lacks (a set whose labels are all negative still has a
positive class); docs/mapping.md documents every mapping key these options fill.

``python -m audits.battery llm ...`` audits an LLM endpoint or transcripts (see llm/cli.py).

Writes the result document (stdout without --out). Exit 0: nothing fails the policy (pass or
warn); 1: the overall status is fail or error; 2: bad input, with one line on stderr naming the
column and the problem. A CSV without a header row takes ``--no-header`` and its columns are
then named by position: "0", "1", ...
"""

from __future__ import annotations

import argparse
import json
import sys

from . import run
from .errors import BatteryInputError, Problem


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, no usage dump
        raise BatteryInputError(message)


def _json_object(text: str) -> dict:
    try:
        value = json.loads(text)
    except ValueError as error:
        raise BatteryInputError(Problem("preprocessing", f"is not JSON: {error}")) from None
    if not isinstance(value, dict):
        raise BatteryInputError(Problem("preprocessing", "must be a JSON object"))
    return value


def parser() -> argparse.ArgumentParser:
    """The argument parser; its errors raise BatteryInputError (exit 2, one line)."""
    p = _Parser(prog="python -m audits.battery", description="Run the Warden audit battery.")
    p.add_argument("--data", required=True)
    p.add_argument("--reference")
    p.add_argument("--label", required=True)
    p.add_argument("--prediction")
    p.add_argument("--score")
    p.add_argument("--probabilities", nargs="+")
    p.add_argument("--sensitive", nargs="+", default=[])
    p.add_argument("--slice", dest="slices", nargs="+", default=[])
    p.add_argument("--features", nargs="+")
    p.add_argument("--timestamp")
    p.add_argument("--classes", nargs="+", help="every class, also those absent from the data")
    p.add_argument("--positive", help="the positive class (binary), also when absent")
    p.add_argument("--task", choices=["binary", "multiclass", "regression"])
    p.add_argument("--tier", type=int, choices=[1, 2, 3])
    p.add_argument("--no-header", action="store_true")
    p.add_argument("--na-value", dest="na_values", nargs="+")
    p.add_argument("--workers", type=int, default=1, help="processes sharing the chunks")
    p.add_argument("--model", help="the model artifact: .skops or .onnx")
    p.add_argument("--train", help="a training sample, for membership inference")
    p.add_argument("--file", help="archives: the manifest column naming each row's member")
    p.add_argument("--index", help="archives of packed arrays: each row's index in its .npy")
    p.add_argument("--preprocessing", type=_json_object, help="archives: a JSON object")
    p.add_argument("--modality", help="archives: image, audio or tensor")
    p.add_argument("--out")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0 pass / warn, 1 fail / error, 2 bad input).
    ``llm`` as the first argument runs the LLM audit instead (llm/cli.py)."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["llm"]:
        from .llm.cli import main as llm_main

        return llm_main(argv[1:])
    try:
        args = parser().parse_args(argv)
        mapping = {
            "label": args.label,
            "prediction": args.prediction,
            "score": args.score,
            "probabilities": args.probabilities,
            "classes": args.classes,
            "positive_label": args.positive,
            "sensitive": args.sensitive,
            "slices": args.slices,
            "features": args.features,
            "timestamp": args.timestamp,
            "file": args.file,
            "index": args.index,
            "preprocessing": args.preprocessing,
            "modality": args.modality,
        }
        doc = run(
            args.data,
            mapping,
            reference=args.reference,
            tier=args.tier,
            task=args.task,
            header=not args.no_header,
            na_values=args.na_values,
            workers=args.workers,
            model=args.model,
            train=args.train,
        )
    except BatteryInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    text = json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False)
    try:
        if args.out:
            with open(args.out, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
        else:
            sys.stdout.write(text + "\n")
    except OSError as exc:
        print(f"error: cannot write {args.out}: {exc.strerror}", file=sys.stderr)
        return 2
    return 1 if doc["status"] in ("fail", "error") else 0
