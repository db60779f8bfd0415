"""Loss gradients for the white-box attacks (FGSM, PGD) through the Adversarial Robustness
Toolbox (ART).

ART computes the input gradient of logistic regression and support-vector classifiers itself.
It has none for scikit-learn's MLPClassifier, so ``MLPGradients`` adds one: backpropagation of
the cross-entropy loss through the fitted layers (``coefs_``, ``intercepts_``), with
scikit-learn's own activation functions and their derivatives.
"""

from __future__ import annotations

import numpy as np
from art.estimators.classification.scikitlearn import ScikitlearnClassifier, SklearnClassifier
from art.estimators.estimator import LossGradientsMixin
from sklearn.neural_network._base import ACTIVATIONS, DERIVATIVES


def mlp_loss_gradient(mlp, x: np.ndarray, y_one_hot: np.ndarray) -> np.ndarray:
    """d(cross-entropy)/d(input) of a fitted MLPClassifier, one row per input row.

    For softmax and logistic outputs alike the gradient at the output's pre-activation is
    (output - target); it flows back through each layer's weights and activation derivative.
    """
    activations = [np.asarray(x, dtype=np.float64)]
    last = len(mlp.coefs_) - 1
    for i, (weights, bias) in enumerate(zip(mlp.coefs_, mlp.intercepts_, strict=True)):
        layer = activations[-1] @ weights + bias
        ACTIVATIONS[mlp.activation if i < last else mlp.out_activation_](layer)
        activations.append(layer)
    output = activations[-1]
    target = y_one_hot[:, 1:2] if output.shape[1] == 1 else y_one_hot
    delta = output - target
    for i in range(last, -1, -1):
        delta = delta @ mlp.coefs_[i].T
        if i > 0:
            DERIVATIVES[mlp.activation](activations[i], delta)
    return delta


class MLPGradients(LossGradientsMixin, ScikitlearnClassifier):
    """ART's scikit-learn classifier for an MLPClassifier, with the loss gradient ART lacks."""

    def loss_gradient(self, x: np.ndarray, y: np.ndarray, **kwargs) -> np.ndarray:
        x_pre, y_pre = self._apply_preprocessing(x, y, fit=False)
        gradient = mlp_loss_gradient(self.model, x_pre, y_pre)
        return self._apply_preprocessing_gradient(x, gradient)


def gradient_classifier(estimator):
    """An ART classifier with loss gradients for a fitted differentiable scikit-learn model."""
    if type(estimator).__name__ == "MLPClassifier":
        return MLPGradients(estimator)
    return SklearnClassifier(estimator)
