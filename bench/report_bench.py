"""Time to render and sign a model card with every chart through the real template
(templates/reports/model_card.html via reports.documents, as the worker does), and to verify it.
Target: charts + template + PDF/A-3b + signature under 3 s. Reads no database: the facts come
from tests/reports/sample_card.py and the result document from tests/reports/sample.py.

Run: .venv/bin/python bench/report_bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_SECONDS = 3.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs after the first (cold)")
    runs = parser.parse_args().runs

    started = time.perf_counter()
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"  # templates only, no database
    import django

    django.setup()
    from reports.content import audit_sections
    from reports.documents import Issue, model_card_html, model_card_pdf
    from reports.pdf.signing import development_signer
    from reports.pdf.verify import read_attachments, verify_pdf
    from tests.reports import sample, sample_card

    imports = time.perf_counter() - started

    document = sample.result_document()
    facts = sample_card.card_facts()
    documents = {sample_card.SHOWN_AUDIT: document}
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        signer = development_signer(folder)
        key_made = time.perf_counter() - started
        issue = Issue(
            "model-card:credit-scoring:1.4.0:bench", signer, 41, "e" * 64, datetime.now(UTC)
        )

        def one_card() -> tuple[dict[str, float], bytes]:
            t0 = time.perf_counter()
            sections = audit_sections(document)
            t1 = time.perf_counter()
            model_card_html(facts, documents, issue)
            t2 = time.perf_counter()
            signed = model_card_pdf(facts, documents, issue)
            t3 = time.perf_counter()
            result = verify_pdf(signed, trusted_certificates=[signer.certificate])
            t4 = time.perf_counter()
            assert result.valid, result.reason
            drawn = [c for s in sections for c in s["charts"]]
            assert len(drawn) == 6 and all(c["svg"] for c in drawn), "a chart drew nothing"
            assert len(read_attachments(signed)) == 1
            times = {"charts": t1 - t0, "html": t2 - t1, "card": t3 - t2, "verify": t4 - t3}
            return times, signed

        cold, signed = one_card()
        warm = [one_card()[0] for _ in range(runs)]

    print(f"report bench: 6 charts, {len(signed) // 1024} KiB signed PDF/A-3b, 1 JSON attachment")
    print("  through templates/reports/model_card.html (reports.documents.model_card_pdf)")
    print(f"  imports (django, weasyprint, matplotlib, pyhanko)  {imports:6.3f} s")
    print(f"  development key, made once                         {key_made:6.3f} s")
    print(f"  first card (cold caches)                           {cold['card']:6.3f} s")
    for step, label in (
        ("charts", "charts alone"),
        ("html", "charts + template"),
        ("verify", "verify the signed card"),
    ):
        median = statistics.median(w[step] for w in warm)
        print(f"  {label:<24} median of {runs}                {median:6.3f} s")
    card = statistics.median(w["card"] for w in warm)
    verdict = "within" if card < TARGET_SECONDS else "OVER"
    print(
        f"  render + sign a card with every chart              {card:6.3f} s median, {verdict} 3 s"
    )
    # A worker pays the cold start (font configuration, matplotlib's caches) once per process.
    print(f"  (the first card in a fresh process took {cold['card']:.3f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
