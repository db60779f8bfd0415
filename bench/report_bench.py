"""Time to draw every chart, render a model card to PDF/A-3b with its JSON attachments, sign it
(PAdES) and verify it. Target: draw + render + sign under 3 s. Needs no Django settings.

Run: .venv/bin/python bench/report_bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_SECONDS = 3.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs after the first (cold)")
    runs = parser.parse_args().runs

    started = time.perf_counter()
    from reports.pdf.render import PdfAttachment, PdfMetadata, render_pdf
    from reports.pdf.signing import development_signer
    from reports.pdf.verify import verify_pdf
    from tests.reports import sample

    imports = time.perf_counter() - started

    document = sample.result_document()
    attachment = PdfAttachment("audit-result.json", json.dumps(document, indent=1).encode())
    metadata = PdfMetadata(title="Model card", record="model-card:bench:1.0.0:1")
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        signer = development_signer(folder)
        key_made = time.perf_counter() - started

        def one_card() -> tuple[dict[str, float], bytes]:
            times: dict[str, float] = {}
            t0 = time.perf_counter()
            drawn = sample.all_charts(document)
            t1 = time.perf_counter()
            pdf = render_pdf(
                sample.card_html(drawn, document), metadata=metadata, attachments=[attachment]
            )
            t2 = time.perf_counter()
            signed = signer.sign(pdf, reason="benchmark")
            t3 = time.perf_counter()
            result = verify_pdf(signed, trusted_certificates=[signer.certificate])
            t4 = time.perf_counter()
            assert result.valid, result.reason
            assert all(drawn.values()), "a chart drew nothing"
            times.update(charts=t1 - t0, render=t2 - t1, sign=t3 - t2, verify=t4 - t3)
            times["card"] = t3 - t0
            return times, signed

        cold, signed = one_card()
        warm = [one_card()[0] for _ in range(runs)]

    print(f"report bench: 6 charts, {len(signed) // 1024} KiB signed PDF/A-3b, 1 JSON attachment")
    print(f"  imports (weasyprint, matplotlib, pyhanko)  {imports:6.3f} s")
    print(f"  development key, made once                 {key_made:6.3f} s")
    print(f"  first card (cold caches)                   {cold['card']:6.3f} s")
    for step in ("charts", "render", "sign", "verify"):
        median = statistics.median(w[step] for w in warm)
        print(f"  {step:<8} median of {runs}                        {median:6.3f} s")
    card = statistics.median(w["card"] for w in warm)
    verdict = "within" if max(card, cold["card"]) < TARGET_SECONDS else "OVER"
    print(f"  render + sign a card with every chart      {card:6.3f} s median, {verdict} 3 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
