"""A gradient-boosting baseline to compare neural regressors against.

Trained on exactly the same rows and features as the network, it answers the question
"does the network earn its cost?" in the training summary.
"""

from __future__ import annotations

import numpy as np

__all__ = ["fit_baseline"]


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
