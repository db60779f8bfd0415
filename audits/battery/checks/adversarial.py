"""Adversarial robustness with the Adversarial Robustness Toolbox (ART).

Attacks run where the model's decision function sees numbers (``models.AttackSpace``: after a
pipeline's preprocessing, or the ONNX input) on the first ``options["attack_rows"]`` sampled
rows whose label is one of the model's classes. Perturbation sizes ε are fractions of each
input's standard deviation on those rows, under the L∞ norm.

- Differentiable models (logistic regression, linear SVM / SVC, MLP): FGSM and PGD (20 steps of
  ε/4, no random start) at each ε of ``options["epsilons"]``: robust accuracy, the share of rows
  still classified correctly.
- Any model, trees and ONNX included: HopSkipJump, a decision-based black-box attack that only
  sees predicted labels, on the first ``options["black_box_rows"]`` rows, in standardised units.
  It searches for the smallest perturbation that flips each correctly classified row: its mean
  is ``mean_min_perturbation``; since a real minimum can only be smaller, the accuracy it implies
  at each ε is an upper bound on robust accuracy.

The headline ``robust_accuracy_drop`` is clean minus robust accuracy at
``options["reference_epsilon"]`` (PGD when the model is differentiable, else the HopSkipJump
bound); the policy judges it. ART's HopSkipJump draws from NumPy's global generator: it is
seeded with ``options["seed"]`` and restored after, so the document is reproducible.

Deep nets (models that read tensors, tensors/model.py) are attacked in input units on the
first ``options["tensor_attack_rows"]`` sampled rows by tensors/attacks.py: FGSM and PGD under
L∞ (``options["tensor_epsilons"]``) and L2 (``options["tensor_l2_epsilons"]``) through the
graph converted to torch (onnx_torch.py), and HopSkipJump always (alone, with a finding, when an
operator does not convert). The headline is PGD L∞ (else the HopSkipJump bound) at
``options["tensor_reference_epsilon"]`` (8/255);
``details["examples"]`` shows up to 4 rows clean and attacked at that ε.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np

from .base import Measurement, ModelCheck, NotApplicable, info

# ART logs a line per attack and per row at INFO: noise in a worker's log, the document has it all
logging.getLogger("art").setLevel(logging.WARNING)
PGD_STEPS = 20
TINY = 1e-12


def _art():
    """ART's attacks and estimators, imported on first use (it takes seconds), without its
    warning that PyTorch, which Warden does not use, is missing."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "PyTorch not found")
        from art.attacks import evasion
        from art.estimators import classification
    return evasion, classification


def _white_box(space, x, y, one_hot, std, epsilons) -> dict[str, list[dict]]:
    evasion, _ = _art()
    classifier = space.gradients()
    clean = float(np.mean(space.predict(x) == y))
    series: dict[str, list[dict]] = {
        name: [{"epsilon": 0.0, "accuracy": clean}] for name in ("FGSM", "PGD")
    }
    for eps in epsilons:
        bound = eps * std  # a constant input (std 0) may not move: ART needs a positive step
        attacks = {
            "FGSM": evasion.FastGradientMethod(
                classifier, norm=np.inf, eps=bound, eps_step=np.maximum(bound, TINY)
            ),
            "PGD": evasion.ProjectedGradientDescentNumpy(
                classifier,
                norm=np.inf,
                eps=bound,
                eps_step=np.maximum(bound / 4, TINY),
                max_iter=PGD_STEPS,
                num_random_init=0,
                verbose=False,
            ),
        }
        for name, attack in attacks.items():
            adversarial = attack.generate(x, y=one_hot)
            robust = float(np.mean(space.predict(adversarial) == y))
            series[name].append({"epsilon": eps, "accuracy": robust})
    return series


def _starting_points(z_rows, predicted, z_pool, pool_predicted) -> np.ndarray:
    """For each row, the nearest (L∞) pool row the model classifies differently, or NaN.

    HopSkipJump needs one adversarial point to start from; ART would draw it from an unseeded
    generator, so the attack starts from a real row of another class instead (reproducible)."""
    out = np.full_like(z_rows, np.nan)
    for i, (row, label) in enumerate(zip(z_rows, predicted, strict=True)):
        other = pool_predicted != label
        if other.any():
            distances = np.abs(z_pool[other] - row).max(axis=1)
            out[i] = z_pool[other][np.argmin(distances)]
    return out


def _black_box(space, x, y, pool, std, options, classes) -> dict:
    """HopSkipJump on rows ``x`` (labels ``y``), starting from rows of ``pool``."""
    evasion, classification = _art()
    scale = np.where(std > 0, std, 1.0)
    centre = pool.mean(axis=0)
    predicted = space.predict(x)
    correct = predicted == y
    eye = np.eye(len(classes))

    def predict(z: np.ndarray) -> np.ndarray:
        return eye[space.predict(z * scale + centre)]

    z = (x[correct] - centre) / scale
    z_pool = (pool - centre) / scale
    start = _starting_points(z, predicted[correct], z_pool, space.predict(pool))
    startable = ~np.isnan(start).any(axis=1)
    adversarial = z.copy()
    state = np.random.get_state()
    np.random.seed(options["seed"])  # HopSkipJump's gradient estimates draw from it
    try:
        attack = evasion.HopSkipJump(
            classification.BlackBoxClassifier(
                predict, input_shape=(x.shape[1],), nb_classes=len(classes)
            ),
            norm=np.inf,
            max_iter=options["black_box_iterations"],
            max_eval=200,
            init_eval=20,
            init_size=20,
            batch_size=256,
            verbose=False,
        )
        if startable.any():
            adversarial[startable] = attack.generate(
                z[startable], x_adv_init=start[startable], mask=(std > 0).astype(float)
            )
    finally:
        np.random.set_state(state)
    flipped = space.predict(adversarial * scale + centre) != y[correct]
    distance = np.abs(adversarial - z)[:, std > 0].max(axis=1, initial=0.0)
    return _bounds(correct, flipped, distance, options["epsilons"])


def _bounds(correct, flipped, distance, epsilons) -> dict:
    """HopSkipJump's summary: ``flipped`` and ``distance`` (L∞) for the ``correct`` rows."""
    found = distance[flipped]
    curve = [{"epsilon": 0.0, "accuracy": float(correct.mean())}]
    for eps in epsilons:
        survives = correct.copy()
        survives[correct] = ~flipped | (distance > eps)
        curve.append({"epsilon": eps, "accuracy": float(survives.mean())})
    return {
        "rows": len(correct),
        "clean_accuracy": float(correct.mean()),
        "attacked_rows": int(correct.sum()),
        "success_rate": float(flipped.mean()) if len(flipped) else None,
        "mean_min_perturbation": float(found.mean()) if len(found) else None,
        "median_min_perturbation": float(np.median(found)) if len(found) else None,
        "curve": curve,
    }


def _tensor_rows(inputs):
    """The attacked rows of a deep net: their positions in the sample, manifest rows, inputs
    (input units) and labels (class indices)."""
    model = inputs.model
    limit = inputs.options["tensor_attack_rows"]
    known = np.flatnonzero(np.isin(inputs.labels, model.classes))[:limit]
    rows = inputs.sample.iloc[known]
    index = {key: i for i, key in enumerate(model.classes)}
    y = np.asarray([index[k] for k in inputs.labels[known]], dtype=np.int64)
    return known, rows, model.pixels(rows).astype(np.float32), y


def _tensor_black_box(network, x, y, predicted, options) -> tuple[dict, np.ndarray]:
    """HopSkipJump on the first ``black_box_rows`` rows, each started from the nearest (L∞)
    attacked row of another predicted class; its summary, and those rows' inputs with each
    correctly classified one replaced by the adversarial input found."""
    from ..tensors.attacks import hop_skip_jump

    limit = options["black_box_rows"]
    correct = predicted[:limit] == y[:limit]
    flat = x.reshape(len(x), -1)
    start = _starting_points(flat[:limit][correct], predicted[:limit][correct], flat, predicted)
    startable = ~np.isnan(start).any(axis=1)
    rows = x[:limit][correct]
    adversarial = rows.copy()
    if startable.any():
        adversarial[startable] = hop_skip_jump(
            network,
            rows[startable],
            start[startable].reshape(rows[startable].shape).astype(np.float32),
            seed=options["seed"],
            iterations=options["black_box_iterations"],
        )
    flipped = network.predict(adversarial) != y[:limit][correct]
    distance = np.abs(adversarial - rows).reshape(len(rows), -1).max(axis=1, initial=0.0)
    shown = x[:limit].copy()
    shown[correct] = adversarial
    return _bounds(correct, flipped, distance, options["tensor_epsilons"]), shown


def _examples(model, known, rows, y, x, predicted, adversarial: dict[str, tuple]) -> list:
    """The seams' pictures: per row the clean input, then each attack's adversarial input
    (``adversarial``: caption -> (inputs of the first rows, their predicted class indices))."""
    from ..tensors.thumbnails import panel

    count = min(len(x), *(len(v[0]) for v in adversarial.values()))
    files = rows[model.columns[0]].tolist()
    versions = [("clean", x, predicted), *((c, a, p) for c, (a, p) in adversarial.items())]
    return [
        {
            "row": int(known[i]),
            "file": str(files[i]),
            "label": model.classes[int(y[i])],
            "panels": [
                panel(caption, model.classes[int(p[i])], a[i], model.layout)
                for caption, a, p in versions
            ],
        }
        for i in range(count)
    ]


def _tensor_attack(inputs) -> Measurement:
    """FGSM / PGD through the converted graph (tensors/attacks.py) when every operator
    converts, HopSkipJump always; headline at ``options["tensor_reference_epsilon"]`` (L∞)."""
    from ..tensors import attacks, onnx_torch

    options, model = inputs.options, inputs.model
    known, rows, x, y = _tensor_rows(inputs)
    if not len(x):
        raise NotApplicable("no sampled row has a label among the model's classes")
    network = attacks.Network(
        tuple(model.input_shape[1:]),
        len(model.classes),
        model.clip_values,
        model.normalization,
        model.predict_array,
    )
    predicted = network.predict(x)
    clean = float(np.mean(predicted == y))
    reference = options["tensor_reference_epsilon"]
    conversion = onnx_torch.convert(model.proto)
    series: dict[str, list[dict]] = {}
    pictures: dict[str, tuple] = {}
    if conversion.module is not None:
        linf, l2 = tuple(options["tensor_epsilons"]), tuple(options["tensor_l2_epsilons"])
        pictured = min(linf, key=lambda e: abs(e - reference))
        for done in attacks.white_box(conversion.module, network, x, y, linf, l2):
            points = series.setdefault(done.attack, [{"epsilon": 0.0, "accuracy": clean}])
            points.append({"epsilon": done.epsilon, "accuracy": float(done.correct.mean())})
            if done.attack.endswith("L∞") and done.epsilon == pictured:
                caption = f"{done.attack}, ε = {pictured:.4g}"
                pictures[caption] = (done.examples, network.predict(done.examples))
    black_box, found = _tensor_black_box(network, x, y, predicted, options)
    series["HopSkipJump L∞ (upper bound)"] = black_box["curve"]
    if not pictures:
        found = found[: attacks.EXAMPLE_ROWS]
        pictures["HopSkipJump L∞, smallest flip found"] = (found, network.predict(found))
    headline = series.get("PGD L∞", black_box["curve"])
    robust = min(headline, key=lambda p: abs(p["epsilon"] - reference))["accuracy"]
    metrics = {
        "clean_accuracy": headline[0]["accuracy"],
        "robust_accuracy": robust,
        "robust_accuracy_drop": headline[0]["accuracy"] - robust,
        "mean_min_perturbation": black_box["mean_min_perturbation"],
        "black_box_success_rate": black_box["success_rate"],
    }
    details = {
        "rows": len(x),
        "space": "the model's input, in input units before its normalisation",
        "norm": "Linf and L2, in input units",
        "reference_epsilon": reference,
        "white_box": conversion.module is not None,
        "white_box_unavailable": conversion.reason,
        "pgd_steps": attacks.PGD_STEPS,
        "hop_skip_jump": {k: v for k, v in black_box.items() if k != "curve"},
        "series": series,
        "examples": _examples(model, known, rows, y, x, predicted, pictures),
    }
    findings = []
    if conversion.reason:
        findings.append(info(f"Black-box attack only: the graph is {conversion.reason}."))
    return Measurement(metrics, details, findings)


class Adversarial(ModelCheck):
    id = "adversarial"
    title = "Adversarial robustness"
    reads = frozenset({"features", "tensors"})

    def measure_model(self, inputs) -> Measurement:
        # attacks hand arrays to a model fitted on a DataFrame: scikit-learn warns once per query
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "X does not have valid feature names")
            return self._attack(inputs)

    def _attack(self, inputs) -> Measurement:
        options, model = inputs.options, inputs.model
        if model.reads == "tensors":
            return _tensor_attack(inputs)
        known = np.isin(inputs.labels, model.classes)
        rows = inputs.sample[known].head(options["attack_rows"])
        space = model.attack_space(rows)
        if space is None:
            raise NotApplicable("the model's inputs are not all numbers, so no attack applies")
        index = {key: i for i, key in enumerate(model.classes)}
        y = np.asarray([index[k] for k in inputs.labels[known][: len(rows)]])
        finite = np.isfinite(space.x).all(axis=1)
        x, y = space.x[finite], y[finite]
        std = x.std(axis=0)
        series = {}
        if space.gradients is not None:
            series = _white_box(space, x, y, model.one_hot(y), std, options["epsilons"])
        limit = options["black_box_rows"]
        black_box = _black_box(space, x[:limit], y[:limit], x, std, options, model.classes)
        series["HopSkipJump (upper bound)"] = black_box["curve"]
        reference = options["reference_epsilon"]
        headline = series.get("PGD", black_box["curve"])
        clean = headline[0]["accuracy"]
        robust = next(p["accuracy"] for p in headline if p["epsilon"] == reference)
        metrics = {
            "clean_accuracy": clean,
            "robust_accuracy": robust,
            "robust_accuracy_drop": clean - robust,
            "mean_min_perturbation": black_box["mean_min_perturbation"],
            "black_box_success_rate": black_box["success_rate"],
        }
        details = {
            "rows": len(x),
            "space": space.description,
            "norm": "Linf, in standard deviations of each input",
            "reference_epsilon": reference,
            "white_box": space.gradients is not None,
            "hop_skip_jump": {k: v for k, v in black_box.items() if k != "curve"},
            "series": series,
        }
        return Measurement(metrics, details)
