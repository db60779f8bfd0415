"""Privacy: does the model leak which rows it was trained on? (membership inference)

A loss-threshold attack (Yeom et al., 2018): a model that memorised its training rows is more
confident on them than on rows it never saw. Members are sampled rows of the training sample
(``--train``), non-members as many sampled rows of the evaluation set, which must not overlap
the training data. Each row's membership score is the model's log-probability of its true label
(or its margin for the true label when the model gives no probabilities). The attack's ROC AUC
(0.5: no leakage) and its membership advantage, the largest TPR - FPR over thresholds (0: no
leakage, 1: every row told apart), are the metrics the policy judges.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve

from ..sampling import label_keys
from .base import Measurement, ModelCheck, NotApplicable

FLOOR = 1e-12


def _membership_scores(model, frame, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    """The score of each row with a label the model knows, and which rows those are."""
    scored = model.scores(frame)
    if scored is None:
        raise NotApplicable("the model gives neither probabilities nor margins")
    scores, kind = scored
    index = {key: i for i, key in enumerate(model.classes)}
    known = np.asarray([k in index for k in labels])
    true = np.asarray([index[k] for k in labels[known]], dtype=np.int64)
    own = scores[known, true]
    if kind == "probability":
        return np.log(np.clip(own, FLOOR, None)), known, kind
    others = scores[known].copy()
    others[np.arange(len(true)), true] = -np.inf
    return own - others.max(axis=1), known, kind


class Privacy(ModelCheck):
    id = "privacy"
    title = "Privacy (membership inference)"
    requires = frozenset({"model", "classification", "training"})

    def measure_model(self, inputs) -> Measurement:
        model, label = inputs.model, inputs.spec.mapping["label"]
        members, outsiders = inputs.training, inputs.sample
        size = min(len(members), len(outsiders))
        members, outsiders = members.head(size), outsiders.head(size)
        member_labels = label_keys(members[label])
        outsider_labels = inputs.labels[:size]
        inside, known_in, kind = _membership_scores(model, members, member_labels)
        outside, known_out, _ = _membership_scores(model, outsiders, outsider_labels)
        truth = np.r_[np.ones(len(inside)), np.zeros(len(outside))]
        scores = np.r_[inside, outside]
        auc = float(roc_auc_score(truth, scores))
        fpr, tpr, _ = roc_curve(truth, scores)
        train_accuracy = float(np.mean(model.predict(members) == member_labels))
        holdout_accuracy = float(np.mean(inputs.predictions[:size] == outsider_labels))
        metrics = {
            "attack_auc": auc,
            "membership_advantage": float(np.max(tpr - fpr)),
            "generalization_gap": train_accuracy - holdout_accuracy,
        }
        details = {
            "attack": "loss threshold (Yeom et al., 2018)",
            "score": "log-probability of the true label"
            if kind == "probability"
            else "margin of the true label",
            "members": int(known_in.sum()),
            "non_members": int(known_out.sum()),
            "train_accuracy": train_accuracy,
            "holdout_accuracy": holdout_accuracy,
        }
        return Measurement(metrics, details)
