"""FGSM / PGD through the converted ONNX graph against ART on the original torch module, and
the seeded black-box attack, on the digits CNN's held-out digits."""

from __future__ import annotations

import itertools
from functools import cache

import numpy as np
import onnx
import onnxruntime
import pytest

from audits.battery.spec import DEFAULT_OPTIONS
from audits.battery.tensors import attacks
from audits.battery.tensors.onnx_torch import convert
from tests.tensor_models import digits_cnn, export_onnx

ROWS = 60
LINF = tuple(DEFAULT_OPTIONS["tensor_epsilons"])
L2 = tuple(DEFAULT_OPTIONS["tensor_l2_epsilons"])


def _network() -> attacks.Network:
    session = onnxruntime.InferenceSession(
        digits_cnn().onnx_bytes, providers=["CPUExecutionProvider"]
    )
    return attacks.Network(
        (1, 8, 8), 10, (0.0, 1.0), None, lambda x: session.run(None, {"x": x})[0].argmax(axis=1)
    )


@cache
def _warden() -> list[attacks.Attacked]:
    cnn = digits_cnn()
    module = convert(onnx.load_from_string(cnn.onnx_bytes)).module
    assert module is not None
    return attacks.white_box(module, _network(), cnn.x_test[:ROWS], cnn.y_test[:ROWS], LINF, L2)


def _curve(name: str) -> list[float]:
    return [a.correct.mean() for a in _warden() if a.attack == name]


@pytest.mark.parametrize("eps", LINF, ids=[f"{e * 255:g}/255" for e in LINF])
def test_fgsm_on_the_onnx_graph_matches_art_on_the_original_module_row_for_row(eps):
    import torch
    from art.attacks.evasion import FastGradientMethod
    from art.estimators.classification import PyTorchClassifier

    cnn = digits_cnn()
    x, y = cnn.x_test[:ROWS], cnn.y_test[:ROWS]
    original = PyTorchClassifier(
        cnn.module, torch.nn.CrossEntropyLoss(), (1, 8, 8), 10, clip_values=(0.0, 1.0),
        device_type="cpu",
    )  # fmt: skip
    adversarial = FastGradientMethod(original, eps=eps, eps_step=eps).generate(x, y=np.eye(10)[y])
    expected = original.predict(adversarial).argmax(axis=1) == y
    ours = next(a for a in _warden() if a.attack == "FGSM L∞" and a.epsilon == eps)
    np.testing.assert_array_equal(ours.correct, expected)


@pytest.mark.parametrize("name", ["FGSM L∞", "PGD L∞", "FGSM L2", "PGD L2"])
def test_robust_accuracy_falls_as_epsilon_grows(name):
    curve = _curve(name)
    assert all(later <= earlier for earlier, later in itertools.pairwise(curve))
    assert curve[-1] < curve[0]


def test_pgd_is_at_least_as_strong_as_fgsm_at_every_epsilon():
    assert all(p <= f for p, f in zip(_curve("PGD L∞"), _curve("FGSM L∞"), strict=True))


def test_adversarial_inputs_stay_in_the_epsilon_ball_and_the_pixel_range():
    x = digits_cnn().x_test[: attacks.EXAMPLE_ROWS]
    for attacked in _warden():
        distance = np.abs(attacked.examples - x).reshape(len(x), -1)
        size = distance.max(axis=1) if "L∞" in attacked.attack else np.sqrt((distance**2).sum(1))
        assert (size <= attacked.epsilon + 1e-5).all()
        assert attacked.examples.min() >= 0.0 and attacked.examples.max() <= 1.0


def _hop_skip_jump() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    cnn, network = digits_cnn(), _network()
    x, y = cnn.x_test[:3], cnn.y_test[:3]
    start = np.stack([cnn.x_test[ROWS:][cnn.y_test[ROWS:] != label][0] for label in y])
    return x, y, attacks.hop_skip_jump(network, x, start, seed=0, iterations=2)


def test_the_black_box_attack_repeats_exactly_with_its_seed():
    np.testing.assert_array_equal(_hop_skip_jump()[2], _hop_skip_jump()[2])


def test_the_black_box_attack_flips_predictions_within_the_pixel_range():
    _, y, adversarial = _hop_skip_jump()
    assert (_network().predict(adversarial) != y).all()
    assert adversarial.min() >= 0.0 and adversarial.max() <= 1.0


def test_a_normalising_model_is_attacked_in_input_units_through_arts_preprocessing():
    """A graph fed (x - mean) / std (the digits CNN behind z * std + mean): given ART the
    (mean, std), FGSM in pixel units matches ART's on the original module row for row."""
    import torch
    from art.attacks.evasion import FastGradientMethod
    from art.estimators.classification import PyTorchClassifier

    cnn = digits_cnn()
    x, y = cnn.x_test[:ROWS], cnn.y_test[:ROWS]
    mean, std = np.float32(0.3), np.float32(0.4)

    class FedNormalised(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.net = cnn.module

        def forward(self, z):
            return self.net(z * std + mean)

    onnx_bytes = export_onnx(FedNormalised().eval(), torch.from_numpy((x[:1] - mean) / std))
    session = onnxruntime.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
    network = attacks.Network(
        (1, 8, 8), 10, (0.0, 1.0), (np.full((1, 1, 1, 1), mean), np.full((1, 1, 1, 1), std)),
        lambda batch: session.run(None, {"x": (batch - mean) / std})[0].argmax(axis=1),
    )  # fmt: skip
    module = convert(onnx.load_from_string(onnx_bytes)).module
    assert module is not None
    ours = attacks.white_box(module, network, x, y, (8 / 255,), ())
    original = PyTorchClassifier(
        cnn.module, torch.nn.CrossEntropyLoss(), (1, 8, 8), 10, clip_values=(0.0, 1.0),
        device_type="cpu",
    )  # fmt: skip
    adversarial = FastGradientMethod(original, eps=8 / 255).generate(x, y=np.eye(10)[y])
    expected = original.predict(adversarial).argmax(axis=1) == y
    assert expected.mean() < (cnn.module(torch.from_numpy(x)).argmax(1).numpy() == y).mean()
    np.testing.assert_array_equal(ours[0].correct, expected)
