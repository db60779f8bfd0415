"""The battery on deep nets end to end: the digits CNN on its PNG archive and the tone classifier
on its packed-array archive, through ``run`` as the workers call it."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from audits.battery import run
from tests.audio_models import CLASSES, tone_cnn, tones_onnx, tones_test_zip
from tests.tensor_models import digits_onnx, digits_test_zip

FAST = {"model_rows": 400, "attack_rows": 20, "black_box_rows": 2, "importance_rows": 100}


def check(doc: dict, cid: str) -> dict:
    return next(c for c in doc["checks"] if c["id"] == cid)


@pytest.fixture(scope="module")
def digits_doc(tmp_path_factory):
    directory = tmp_path_factory.mktemp("digits")
    return run(digits_test_zip(directory), {"label": "label", "slices": ["ink"]},
               model=digits_onnx(directory), tier=1, options=FAST)  # fmt: skip


@pytest.fixture(scope="module")
def tones_doc(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tones")
    mapping = {"label": "label", "index": "index", "modality": "audio", "slices": ["loudness"]}
    return run(tones_test_zip(directory), mapping, model=tones_onnx(directory), options=FAST)


def test_the_digits_corruption_curves_start_at_the_clean_accuracy(digits_doc):
    corruption = check(digits_doc, "corruption")
    assert corruption["status"] in ("pass", "warn", "fail")
    series = corruption["details"]["series"]
    assert set(series) == {"gaussian_noise", "gaussian_blur", "brightness", "contrast", "jpeg"}
    clean = corruption["metrics"]["clean_accuracy"]
    assert clean == check(digits_doc, "performance")["metrics"]["accuracy"]
    assert all(curve[0] == {"epsilon": 0, "accuracy": clean} for curve in series.values())
    drops = corruption["details"]["accuracy_drops"]
    assert corruption["metrics"]["worst_corruption_accuracy_drop"] == max(drops.values())


def test_corruption_examples_show_the_clean_input_then_each_corruption(digits_doc):
    examples = check(digits_doc, "corruption")["details"]["examples"]
    assert len(examples) == 4
    first = examples[0]
    assert first["file"].startswith("images/") and first["label"] in [str(d) for d in range(10)]
    assert [p["caption"] for p in first["panels"]][:2] == ["clean", "gaussian_noise, severity 3"]
    assert len(first["panels"]) == 6
    picture = Image.open(io.BytesIO(base64.b64decode(first["panels"][0]["png"])))
    assert picture.size == (64, 64)


def test_robustness_does_not_apply_to_a_deep_net_and_names_the_corruption_check(digits_doc):
    robustness = check(digits_doc, "robustness")
    assert robustness["status"] == "skipped"
    assert "corruption check" in robustness["details"]["not_applicable"]
    assert "required check robustness was skipped" not in digits_doc["status_reasons"]


def test_explainability_maps_the_saliency_of_the_first_digits(digits_doc):
    explainability = check(digits_doc, "explainability")
    assert explainability["status"] == "pass"
    share = explainability["metrics"]["top_decile_saliency_share"]
    assert 0.1 < share <= 1
    example = explainability["details"]["examples"][0]
    assert len(example["saliency"]) == 8 and len(example["saliency"][0]) == 8
    assert [p["caption"] for p in example["panels"]] == ["input", "occlusion saliency"]


def test_the_same_digits_run_gives_the_same_checks(digits_doc, tmp_path):
    again = run(digits_test_zip(tmp_path), {"label": "label", "slices": ["ink"]},
                model=digits_onnx(tmp_path), tier=1, options=FAST)  # fmt: skip
    assert again["checks"] == digits_doc["checks"]  # the ZIP's own bytes carry its write time


def test_a_tone_run_reports_each_class(tones_doc):
    performance = check(tones_doc, "performance")
    assert performance["status"] in ("pass", "warn")
    assert set(performance["details"]["per_class"]) == set(CLASSES)


def test_a_tone_runs_accuracy_falls_as_the_snr_falls(tones_doc):
    corruption = check(tones_doc, "corruption")
    assert set(corruption["details"]["series"]) == {"white_noise", "time_shift", "gain"}
    noise = [p["accuracy"] for p in corruption["details"]["series"]["white_noise"]]
    assert noise == sorted(noise, reverse=True) and noise[-1] < noise[0]
    assert len(noise) == 6 and len(tone_cnn().y_test) == corruption["details"]["rows"]


def test_a_tones_examples_draw_each_waveform_clean_then_corrupted(tones_doc):
    example = check(tones_doc, "corruption")["details"]["examples"][0]
    assert example["file"] == "waves.npy" and example["label"] in CLASSES
    captions = [p["caption"] for p in example["panels"]]
    assert captions == ["clean", "white_noise, severity 3", "time_shift, severity 3",
                        "gain, severity 3"]  # fmt: skip
    picture = Image.open(io.BytesIO(base64.b64decode(example["panels"][1]["png"])))
    assert picture.size == (64, 32)
