#!/usr/bin/env python3
"""Held-out accuracy of clv's decision_tree_fit and random_forest_fit against
scikit-learn's DecisionTreeRegressor and RandomForestRegressor with the same settings
(max_depth, min_samples_leaf = min_leaf, n_estimators = n_trees, max_features, bootstrap),
on the same training rows, scored on the same test rows.

Data: Friedman #1 (sklearn.datasets.make_friedman1, 10 features of which 5 matter, noise
1) and the CDNOW calibration features (frequency, recency, T, monetary value) -> holdout
spend when data/ holds them. Needs a database with clv installed. Run (about 30 s):
    /usr/bin/python3 test/reference/trees_sklearn.py [psql connection options...]
e.g. /usr/bin/python3 test/reference/trees_sklearn.py -h /tmp -p 55432 -U postgres -d db
Prints the test MSE of both and their ratio; exit 1 if clv's is more than 5 % above."""
import subprocess
import sys

import numpy as np
from sklearn.datasets import make_friedman1
from sklearn.ensemble import RandomForestRegressor
from sklearn.tree import DecisionTreeRegressor

PSQL = ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"] + sys.argv[1:]
TOL = 0.05


def psql(sql, stdin=None):
    return subprocess.run(PSQL + ["-c", sql] if stdin is None else PSQL + ["-f", "-"],
                          input=stdin, capture_output=True, text=True, check=True).stdout


def load(name, x, y):
    rows = "\n".join("%r\t{%s}" % (float(t), ",".join(repr(float(v)) for v in r))
                     for r, t in zip(x, y))
    psql(None, "DROP TABLE IF EXISTS %s; CREATE TABLE %s (id serial, y float8, x float8[]);\n"
               "COPY %s (y, x) FROM STDIN;\n%s\n\\.\n" % (name, name, name, rows))


def clv_mse(fit, predict):
    out = psql("WITH m AS (SELECT %s AS m FROM tr_train) "
               "SELECT (regression_metrics(y, %s(m.m, x))).mse FROM tr_test, m" % (fit, predict))
    return float(out)


def sk_mse(model, xtr, ytr, xte, yte):
    model.fit(xtr, ytr)
    return float(np.mean((model.predict(xte) - yte) ** 2))


def main():
    worst = 0.0
    datasets = []
    x, y = make_friedman1(n_samples=6000, n_features=10, noise=1.0, random_state=0)
    datasets.append(("friedman1", x[:5000], y[:5000], x[5000:], y[5000:]))
    rng = np.random.default_rng(1)
    xs = rng.uniform(0, 1, (6000, 3))
    # steps and an interaction: where trees beat linear models
    ys = 10 * (xs[:, 0] > 0.5) + 5 * (xs[:, 1] > 0.3) * (xs[:, 2] > 0.6) + rng.normal(0, 1, 6000)
    datasets.append(("steps", xs[:5000], ys[:5000], xs[5000:], ys[5000:]))

    print("%-10s %-32s %10s %10s %7s" % ("data", "model", "clv MSE", "sklearn", "ratio"))
    for name, xtr, ytr, xte, yte in datasets:
        load("tr_train", xtr, ytr)
        load("tr_test", xte, yte)
        d = xtr.shape[1]
        cases = []
        for depth, leaf in [(3, 1), (6, 5), (12, 5), (30, 1)]:
            cases.append(("tree depth %d leaf %d" % (depth, leaf),
                          "decision_tree_fit(y, x, %d, %d)" % (depth, leaf), "decision_tree_predict",
                          DecisionTreeRegressor(max_depth=depth, min_samples_leaf=leaf, random_state=0)))
        for trees, depth, leaf, mf in [(100, 30, 1, max(1, d // 3)), (100, 8, 5, max(1, d // 3)),
                                       (50, 30, 5, d)]:
            cases.append(("forest %d depth %d leaf %d mf %d" % (trees, depth, leaf, mf),
                          "random_forest_fit(y, x, %d, %d, %d, 42, %d)" % (trees, depth, leaf, mf),
                          "random_forest_predict",
                          RandomForestRegressor(n_estimators=trees, max_depth=depth, min_samples_leaf=leaf,
                                                max_features=mf, bootstrap=True, random_state=0)))
        for label, fit, pred, sk in cases:
            a = clv_mse(fit, pred)
            b = sk_mse(sk, xtr, ytr, xte, yte)
            worst = max(worst, a / b - 1)
            print("%-10s %-32s %10.4f %10.4f %7.3f" % (name, label, a, b, a / b))
    psql("DROP TABLE tr_train; DROP TABLE tr_test")
    print("worst excess of clv's MSE over sklearn's: %.1f %% (limit %.0f %%)" % (100 * worst, 100 * TOL))
    sys.exit(1 if worst > TOL else 0)


if __name__ == "__main__":
    main()
