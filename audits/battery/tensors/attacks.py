"""FGSM and PGD on deep nets through ART, and HopSkipJump for graphs without gradients.

Perturbations are measured in input units (images: [0, 1] pixels, ``clip_values``), before the
model's per-channel normalisation, which ART applies as its ``preprocessing=(mean, std)`` so the
gradient flows through it. White box (the graph converted by onnx_torch.py, wrapped in ART's
PyTorchClassifier with cross-entropy on its logits; probabilities are given as their logarithm):

- FGSM: x' = clip(x + ε · sign(∇ₓ loss)) under L∞, x + ε · ∇/‖∇‖₂ under L2.
- PGD: ``PGD_STEPS`` steps of 2.5 ε / PGD_STEPS (Madry et al.'s step rule), each projected back
  onto the ε-ball and the clip range, from x itself (no random start: deterministic).

The ε grids are run options (spec.py): L∞ ``tensor_epsilons`` (1/255 .. 16/255) and L2
``tensor_l2_epsilons`` (0.125 .. 2, the whole input's L2 norm in input units; 0.5 is
RobustBench's CIFAR-10 radius). Robust accuracy at ε is the share of rows the model (its own
``predict``, i.e. onnxruntime) still classifies correctly.

Black box (``hop_skip_jump``): HopSkipJump under L∞ sees predicted labels only; it starts each
row from a given point of another class and returns the smallest flipping perturbation it found.
ART draws from NumPy's global generator: seeded, and restored after, so runs repeat.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

logging.getLogger("art").setLevel(logging.WARNING)
PGD_STEPS = 10
BATCH = 64
EXAMPLE_ROWS = 4  # adversarial inputs kept per attack and ε, for the check's pictures


@dataclass(frozen=True)
class Network:
    """What the attacks know of a deep net: one input's shape (no batch axis), its classes, the
    input range, its normalisation ((mean, std) per channel, broadcastable to a batch) and
    ``predict``, input-unit batch -> class indices (normalising itself)."""

    input_shape: tuple[int, ...]
    nb_classes: int
    clip_values: tuple[float, float] | None
    normalization: tuple[np.ndarray, np.ndarray] | None
    predict: Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Attacked:
    """One attack at one ε: which rows stay correct, and the first rows' adversarial inputs."""

    attack: str  # e.g. "PGD L∞"
    epsilon: float
    correct: np.ndarray
    examples: np.ndarray


class _LogProbabilities(torch.nn.Module):
    """A graph that outputs probabilities, as log-probabilities: logits with the same softmax."""

    def __init__(self, module: torch.nn.Module):
        super().__init__()
        self.module = module

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.log(torch.clamp(self.module(x), min=1e-12))


def _gives_probabilities(module: torch.nn.Module, x: np.ndarray) -> bool:
    """TensorModel's rule: outputs are probabilities when every row is >= 0 and sums to 1."""
    with torch.no_grad():
        out = module(torch.from_numpy(x[:BATCH])).numpy()
    return bool((out >= 0).all() and np.allclose(out.sum(axis=1), 1.0, atol=1e-4))


def _art():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from art.attacks import evasion
        from art.estimators import classification
    return evasion, classification


def art_classifier(module: torch.nn.Module, network: Network, x: np.ndarray):
    """ART's PyTorchClassifier over ``module`` (logits), with the network's clip range and
    normalisation; ``x`` (a few rows) tells logits from probabilities."""
    _, classification = _art()
    net = _LogProbabilities(module) if _gives_probabilities(module, x) else module
    mean, std = network.normalization or (0.0, 1.0)
    return classification.PyTorchClassifier(
        model=net,
        loss=torch.nn.CrossEntropyLoss(),
        input_shape=network.input_shape,
        nb_classes=network.nb_classes,
        clip_values=network.clip_values,
        preprocessing=(mean, std),
        device_type="cpu",
    )


def attacks(classifier, norm: str, eps: float) -> dict:
    """FGSM and PGD under ``norm`` ("Linf" or "L2") at ``eps``, as ART configures them."""
    evasion, _ = _art()
    order = np.inf if norm == "Linf" else 2
    symbol = "L∞" if norm == "Linf" else "L2"
    return {
        f"FGSM {symbol}": evasion.FastGradientMethod(
            classifier, norm=order, eps=eps, eps_step=eps, batch_size=BATCH
        ),
        f"PGD {symbol}": evasion.ProjectedGradientDescent(
            classifier,
            norm=order,
            eps=eps,
            eps_step=2.5 * eps / PGD_STEPS,
            max_iter=PGD_STEPS,
            num_random_init=0,
            batch_size=BATCH,
            verbose=False,
        ),
    }


def white_box(
    module: torch.nn.Module,
    network: Network,
    x: np.ndarray,
    y: np.ndarray,
    linf: tuple[float, ...],
    l2: tuple[float, ...],
) -> list[Attacked]:
    """FGSM and PGD at every ε of both grids on rows ``x`` (labels ``y``, class indices)."""
    classifier = art_classifier(module, network, x)
    one_hot = np.eye(network.nb_classes, dtype=np.float32)[y]
    out = []
    for norm, grid in (("Linf", linf), ("L2", l2)):
        for eps in grid:
            for name, attack in attacks(classifier, norm, eps).items():
                adversarial = attack.generate(x, y=one_hot).astype(np.float32)
                correct = network.predict(adversarial) == y
                out.append(Attacked(name, eps, correct, adversarial[:EXAMPLE_ROWS]))
    return out


def hop_skip_jump(
    network: Network, x: np.ndarray, start: np.ndarray, *, seed: int, iterations: int
) -> np.ndarray:
    """HopSkipJump (L∞) from ``start`` (one point of another predicted class per row of ``x``):
    the adversarial inputs it found, one per row."""
    evasion, classification = _art()
    eye = np.eye(network.nb_classes)

    def predict(batch: np.ndarray) -> np.ndarray:
        return eye[network.predict(batch.astype(np.float32))]

    state = np.random.get_state()
    np.random.seed(seed)  # HopSkipJump's gradient estimates draw from it
    try:
        attack = evasion.HopSkipJump(
            classification.BlackBoxClassifier(
                predict,
                input_shape=network.input_shape,
                nb_classes=network.nb_classes,
                clip_values=network.clip_values,
            ),
            norm=np.inf,
            max_iter=iterations,
            max_eval=200,
            init_eval=20,
            init_size=20,
            batch_size=256,
            verbose=False,
        )
        return attack.generate(x, x_adv_init=start).astype(np.float32)
    finally:
        np.random.set_state(state)
