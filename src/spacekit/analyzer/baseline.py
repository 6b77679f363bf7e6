"""A gradient-boosting baseline to compare neural regressors against.

Trained on exactly the same rows and features as the network, it answers the question
"does the network earn its cost?" in the training summary.
"""

from __future__ import annotations

import numpy as np

__all__ = ["fit_baseline", "fit_baseline_classifier"]


def fit_baseline(X_train, y_train, X_test, seed: int | None = None, **params):
    """Fit ``HistGradientBoostingRegressor`` and predict the training and test sets.

    Parameters
    ----------
    X_train : array-like of shape (n_train, n_features)
    y_train : array-like of shape (n_train,) or (n_train, 1)
    X_test : array-like of shape (n_test, n_features)
    seed : int, optional
        ``random_state`` of the estimator.
    **params
        Passed to ``HistGradientBoostingRegressor`` (defaults: ``max_iter=200``,
        ``learning_rate=0.1``, ``early_stopping=False``).

    Returns
    -------
    model : sklearn.ensemble.HistGradientBoostingRegressor
    y_train_pred, y_test_pred : numpy.ndarray of shape (n,)
    """
    from sklearn.ensemble import HistGradientBoostingRegressor

    kwargs = {"max_iter": 200, "learning_rate": 0.1, "early_stopping": False}
    kwargs.update(params)
    model = HistGradientBoostingRegressor(random_state=seed, **kwargs)
    y = np.ravel(np.asarray(y_train, dtype=float))
    model.fit(np.asarray(X_train, dtype=float), y)
    return (
        model,
        model.predict(np.asarray(X_train, dtype=float)),
        model.predict(np.asarray(X_test, dtype=float)),
    )


def fit_baseline_classifier(X_train, y_train, X_test, seed: int | None = None, **params):
    """Fit ``HistGradientBoostingClassifier``; return the model and class probabilities.

    Parameters
    ----------
    X_train : array-like of shape (n_train, n_features)
    y_train : array-like of shape (n_train,)
        Integer class labels.
    X_test : array-like of shape (n_test, n_features)
    seed : int, optional
    **params
        Passed to the estimator (defaults as :func:`fit_baseline`).

    Returns
    -------
    model : sklearn.ensemble.HistGradientBoostingClassifier
    proba_train, proba_test : numpy.ndarray of shape (n, n_classes_seen)
        Probabilities of the classes in ``model.classes_``.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier

    kwargs = {"max_iter": 200, "learning_rate": 0.1, "early_stopping": False}
    kwargs.update(params)
    model = HistGradientBoostingClassifier(random_state=seed, **kwargs)
    model.fit(np.asarray(X_train, dtype=float), np.ravel(np.asarray(y_train)).astype(int))
    return (
        model,
        model.predict_proba(np.asarray(X_train, dtype=float)),
        model.predict_proba(np.asarray(X_test, dtype=float)),
    )
