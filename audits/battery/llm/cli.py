"""``python -m audits.battery llm``: audit an LLM endpoint live, or score recorded transcripts.

    python -m audits.battery llm --endpoint endpoint.json --out result.json
        [--transcripts-out transcripts.jsonl] [--training FILE --heldout FILE]
        [--judge judge.json [--judge-transcripts-out judge.jsonl]] [--tier 1|2|3] [--seed N]
    python -m audits.battery llm --transcripts transcripts.jsonl --out result.json
        [--judge judge.json [--judge-transcripts-out judge.jsonl] | --judge-transcripts FILE]
        [--tier 1|2|3]

Live: the endpoint's host must be in ``WARDEN_LLM_ENDPOINT_ALLOWLIST`` (comma-separated host
names), checked before any call; the probes are the shipped pack's (``build_probes(pack, seed)``);
the transcripts are scored exactly as a stored file would be. ``--training`` and ``--heldout``
(plain text, one text per paragraph: texts.py) add the memorization probes, which need both.
``--judge`` (a second endpoint descriptor, allow-listed too) asks a judge endpoint for its second
opinion (second_opinion.py); ``--judge-transcripts`` re-scores with its stored transcripts and
calls no judge. Exit codes as the tabular command line: 0 pass / warn, 1 fail / error, 2 bad
input with one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import BatteryInputError
from . import endpoint as endpoints
from . import transcripts
from .pack import load_pack
from .probes import CHECK_IDS, MEMORIZATION, Probe, build_probes
from .runner import consult, probe, score
from .texts import paragraphs


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, no usage dump
        raise BatteryInputError(message)


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m audits.battery llm", description="Audit an LLM endpoint.")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--endpoint", help="the endpoint descriptor (JSON)")
    source.add_argument("--transcripts", help="recorded transcripts (JSONL)")
    p.add_argument("--transcripts-out", help="where to keep the live transcripts (JSONL)")
    p.add_argument("--training", help="memorization: a sample of the training texts")
    p.add_argument("--heldout", help="memorization: texts the model was not trained on")
    judge = p.add_mutually_exclusive_group()
    judge.add_argument("--judge", help="a judge endpoint's descriptor (JSON), for a second opinion")
    judge.add_argument("--judge-transcripts", help="the judge's stored transcripts (JSONL)")
    p.add_argument("--judge-transcripts-out", help="where to keep the judge's transcripts")
    p.add_argument("--tier", type=int, choices=[1, 2, 3])
    p.add_argument("--seed", type=int, default=0, help="the probes' seed (canaries, wrappers)")
    p.add_argument("--out")
    return p


def _read(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise BatteryInputError(f"{what}: cannot read {path}: {exc.strerror}") from None


def _write(path: str, data: bytes) -> None:
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        raise BatteryInputError(f"cannot write {path}: {exc.strerror}") from None


def _endpoint(path: str, what: str, allowlist: list[str]) -> endpoints.Endpoint:
    """The descriptor at ``path``; its problems prefixed with ``what`` (endpoint or judge)."""
    data = _read(path, what)
    try:
        return endpoints.load(data, allowlist)
    except BatteryInputError as exc:
        raise BatteryInputError(f"{what}: {exc}") from None


def _probes(args: argparse.Namespace) -> list[Probe]:
    """The pack's probes and, given both sample files, the memorization probes over them."""
    samples = {
        option: paragraphs(_read(path, f"--{option}"), f"--{option}")
        for option, path in (("training", args.training), ("heldout", args.heldout))
        if path
    }
    checks = [c for c in CHECK_IDS if c != MEMORIZATION or samples]
    return build_probes(load_pack(), args.seed, checks=checks, **samples)


def _refuse_mixed(args: argparse.Namespace) -> None:
    """Options that only make sense with the other source, or with another option."""
    if bool(args.training) != bool(args.heldout):
        raise BatteryInputError("--training and --heldout go together (memorization compares them)")
    if args.transcripts and (args.training or args.heldout):
        raise BatteryInputError("--training and --heldout need --endpoint (live probes)")
    if args.endpoint and args.judge_transcripts:
        raise BatteryInputError("--judge-transcripts judge stored transcripts: use --transcripts")
    if args.judge_transcripts_out and not args.judge:
        raise BatteryInputError("--judge-transcripts-out needs --judge")


def main(argv: list[str]) -> int:
    """Run the ``llm`` subcommand; return the exit code."""
    try:
        args = parser().parse_args(argv)
        _refuse_mixed(args)
        allowlist = endpoints.allowlist_from_env()
        judge = _endpoint(args.judge, "judge", allowlist) if args.judge else None
        if args.endpoint:
            target = _endpoint(args.endpoint, "endpoint", allowlist)
            data = transcripts.dumps(probe(target, _probes(args)))
            if args.transcripts_out:
                _write(args.transcripts_out, data)
        else:
            data = _read(args.transcripts, "transcripts")
        opinion = (
            _read(args.judge_transcripts, "judge transcripts") if args.judge_transcripts else None
        )
        if judge:
            opinion = consult(judge, data)
            if args.judge_transcripts_out:
                _write(args.judge_transcripts_out, opinion)
        doc = score(data, args.tier, opinion)
        text = json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
        if args.out:
            _write(args.out, text.encode())
        else:
            sys.stdout.write(text)
    except BatteryInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 1 if doc["status"] in ("fail", "error") else 0
