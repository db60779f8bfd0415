"""Example pictures from a check's details: only real, small PNGs reach an <img>, rebuilt from
their bytes; captions and predictions are text, escaped by the template that shows them."""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client
from PIL import Image
from sklearn.datasets import load_digits

from audits.models import AuditRun
from reports import pictures
from reports.content import audit_sections
from reports.documents import Issue, model_card_html
from reports.pdf.render import PdfMetadata, render_pdf
from reports.pdf.signing import Signer
from tests.factories import PASSWORD, audit_make, tiered_model_make, version_make
from tests.reports import sample, sample_card


def digit_png(index: int, side: int = 64) -> str:
    """One of scikit-learn's bundled 8x8 digits as a base64 PNG of `side` px, as thumbnails are."""
    pixels = (load_digits().images[index] * 255 / 16).astype("uint8")
    picture = Image.fromarray(pixels, mode="L").resize((side, side), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def adversarial_check(caption: str = "FGSM ε=8/255", png: str | None = None) -> dict[str, Any]:
    """An adversarial check's result as the battery's seam shapes it: one row, two panels."""
    example = {
        "row": 3,
        "file": "images/0003.png",
        "label": "3",
        "panels": [
            {"caption": "clean", "prediction": "3", "png": digit_png(3)},
            {"caption": caption, "prediction": "8", "png": digit_png(3) if png is None else png},
        ],
    }
    return {
        "id": "adversarial",
        "status": "warn",
        "metrics": {},
        "findings": [],
        "details": {"examples": [example]},
    }


def rendered(check: dict[str, Any]) -> str:
    sections = audit_sections({"checks": [check]})
    return render_to_string("reports/pages/_sections.html", {"sections": sections})


def test_a_thumbnail_becomes_a_data_uri_with_its_size() -> None:
    picture = pictures.png_data_uri(digit_png(0))
    assert picture is not None
    src, width, height = picture
    assert src == f"data:image/png;base64,{digit_png(0)}" and (width, height) == (64, 64)


@pytest.mark.parametrize(
    "value",
    [
        base64.b64encode(b"GIF89a" + bytes(64)).decode(),  # another format
        base64.b64encode(pictures.PNG_SIGNATURE + bytes(40)).decode(),  # a signature, no PNG
        digit_png(0) + '"><script>alert(1)</script>',  # not base64
        digit_png(0, side=65),  # larger than a thumbnail
        None,
        42,
    ],
)
def test_what_is_not_a_small_png_gives_no_picture(value: object) -> None:
    assert pictures.png_data_uri(value) is None


def test_a_truncated_png_gives_no_picture() -> None:
    data = base64.b64decode(digit_png(0))
    assert pictures.png_data_uri(base64.b64encode(data[: len(data) // 2]).decode()) is None


def test_a_changed_prediction_is_marked_against_the_clean_one() -> None:
    (strip,) = pictures.example_strips(adversarial_check()["details"])
    assert [p["changed"] for p in strip["panels"]] == [False, True]


def test_at_most_four_rows_are_shown() -> None:
    example = adversarial_check()["details"]["examples"][0]
    assert len(pictures.example_strips({"examples": [example] * 6})) == pictures.MAX_EXAMPLES


def test_examples_render_as_a_strip_of_pictures_with_their_predictions() -> None:
    page = rendered(adversarial_check())
    assert page.count(f'src="data:image/png;base64,{digit_png(3)}"') == 2
    assert "predicted 3" in page and "<strong>predicted 8</strong>" in page
    assert "images/0003.png" in page


def test_a_caption_with_a_script_is_escaped() -> None:
    page = rendered(adversarial_check(caption="<script>alert(1)</script>"))
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_panel_whose_png_is_not_a_png_shows_no_image() -> None:
    page = rendered(adversarial_check(png=base64.b64encode(b"<svg onload=alert(1)>").decode()))
    assert page.count("<img ") == 1 and "no picture" in page
    assert "PHN2Zy" not in page  # the refused value's base64 is nowhere on the page


@pytest.mark.django_db
def test_the_audit_page_shows_a_checks_pictures(cast) -> None:  # type: ignore[no-untyped-def]
    version = version_make(tiered_model_make(cast.erin, 2), cast.erin)
    run = audit_make(version, cast.erin)
    document = {**run.result, "checks": [*run.result["checks"], adversarial_check()]}
    AuditRun.objects.filter(pk=run.pk).update(result=document)
    client = Client()
    client.login(username=cast.erin.username, password=PASSWORD)
    for url in (f"/audits/{run.pk}/", f"/models/{version.model.slug}/versions/{version.version}/"):
        page = client.get(url).content.decode()
        assert page.count(f'src="data:image/png;base64,{digit_png(3)}"') == 2, url


def test_the_model_card_shows_the_pictures_in_its_html_and_its_pdf(signer: Signer) -> None:
    document = {**sample.result_document()}
    document["checks"] = [*document["checks"], adversarial_check()]
    documents = {sample_card.SHOWN_AUDIT: document}
    issue = Issue("model-card:credit-scoring:1.4.0:17", signer, 41, "e" * 64, datetime.now(UTC))
    html = model_card_html(sample_card.card_facts(), documents, issue)
    assert html.count(f'src="data:image/png;base64,{digit_png(3)}"') == 2
    pdf = render_pdf(html, metadata=PdfMetadata(title="card", record=issue.record, author="erin"))
    assert b"/Width 64" in pdf and b"/Height 64" in pdf  # the thumbnail, drawn as an image
