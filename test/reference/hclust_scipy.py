#!/usr/bin/env python3
"""Expected values of test/sql/hclust.sql from scipy.cluster.hierarchy.

Prints the INSERT that test/sql/hclust.sql pastes (so the test needs no Python): for the
data sets below (the same formulas as the test's SQL), every linkage, scipy's linkage
matrix Z (rows 'idx1 idx2 height size', heights with 17 significant digits) and the
partitions of fcluster(Z, k, 'maxclust') for a few k.

    /usr/bin/python3 test/reference/hclust_scipy.py
"""
import math

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage


def data_blobs(n=100):
    # hclust.sql: ((i % 4) * 3 + sin(i * 1.3), (i % 3) * 2 + cos(i * 0.7), sin(i * i * 0.01))
    return np.array([[(i % 4) * 3 + math.sin(i * 1.3),
                      (i % 3) * 2 + math.cos(i * 0.7),
                      math.sin(i * i * 0.01)] for i in range(1, n + 1)])


def data_spend(n=60):
    # hclust.sql: (exp(2 + sin(i * 0.9) * 1.5), (i % 7) + 1): skewed, for log_zscore
    return np.array([[math.exp(2 + math.sin(i * 0.9) * 1.5), (i % 7) + 1.0]
                     for i in range(1, n + 1)])


def zscore(x):
    return (x - x.mean(axis=0)) / x.std(axis=0)


def main():
    cases = []
    blobs = data_blobs()
    for method in ('ward', 'single', 'complete', 'average'):
        cases.append(('blobs', method, 'none', blobs))
    cases.append(('blobs', 'ward', 'zscore', zscore(blobs)))
    cases.append(('spend', 'ward', 'log_zscore', zscore(np.log1p(data_spend()))))
    cases.append(('spend', 'average', 'zscore', zscore(data_spend())))
    rows = []
    for name, method, scaling, x in cases:
        z = linkage(x, method)
        zs = '|'.join('%d %d %.17g %d' % (a, b, h, s) for a, b, h, s in z)
        cuts = []
        for k in (2, 3, 5, 8):
            lab = fcluster(z, k, 'maxclust')
            cuts.append('%d:%s' % (k, ','.join(str(v) for v in lab)))
        rows.append("    ('%s', '%s', '%s',\n     '%s',\n     '%s')"
                    % (name, method, scaling, zs, ';'.join(cuts)))
    print('INSERT INTO hc_scipy (data, method, scaling, z, cuts) VALUES')
    print(',\n'.join(rows) + ';')


if __name__ == '__main__':
    main()
