#!/usr/bin/env python3
"""Golden values for io.github.qalign.diagnostics.SplitRhat (test resource diagnostics/rhat.json).

An independent NumPy transcription of the rank-normalized split-R-hat of Vehtari et al. (2021) as ArviZ computes
it (arviz/stats/diagnostics.py: _split_chains, _z_scale, _rhat, _rhat_rank; az.rhat(method="rank"|"split")),
with scipy's rankdata(method="average") and norm.ppf replaced by NumPy ranks and the standard library's
statistics.NormalDist().inv_cdf (ArviZ and SciPy are not installed here).
    python3 qalign-core/src/test/scripts/rhat_golden.py
"""
import json
from statistics import NormalDist

import numpy as np


def split_chains(a):
    half = a.shape[1] // 2
    return np.concatenate([a[:, :half], a[:, -half:]])


def rankdata_average(x):
    order = np.argsort(x, kind="mergesort")
    ranks = np.empty(len(x))
    xs = x[order]
    i = 0
    while i < len(x):
        j = i
        while j + 1 < len(x) and xs[j + 1] == xs[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def z_scale(a):
    r = rankdata_average(a.ravel()).reshape(a.shape)
    ppf = NormalDist().inv_cdf
    return np.vectorize(ppf)((r - 0.375) / (a.size + 0.25))


def rhat(a):
    n = a.shape[1]
    b = n * np.var(a.mean(axis=1), ddof=1)
    w = np.mean(np.var(a, axis=1, ddof=1))
    return float(np.sqrt((b / w + n - 1) / n))


def rhat_rank(a):
    bulk = rhat(z_scale(split_chains(a)))
    tail = rhat(z_scale(split_chains(np.abs(a - np.median(a)))))
    return max(bulk, tail)


def ar1(rng, phi, n, mu=0.0, sd=1.0):
    x = np.empty(n)
    x[0] = rng.standard_normal()
    for t in range(1, n):
        x[t] = phi * x[t - 1] + np.sqrt(1 - phi * phi) * rng.standard_normal()
    return mu + sd * x


rng = np.random.default_rng(20261130)
cases = {
    "stationary_ar1": np.array([ar1(rng, 0.6, 301) for _ in range(4)]),
    "shifted_mean": np.array([ar1(rng, 0.3, 200, mu=0.5 * c) for c in range(4)]),
    "different_spread": np.array([ar1(rng, 0.3, 200, sd=1 + 2 * (c % 2)) for c in range(4)]),
    "drifting": np.array([np.linspace(0, 3, 150) + rng.standard_normal(150) for _ in range(3)]),
    "discrete_ties": rng.integers(0, 4, size=(4, 100)).astype(float),
    "one_chain": np.array([ar1(rng, 0.5, 400)]),
}
out = {k: {"chains": v.tolist(), "rank": rhat_rank(v), "split": rhat(split_chains(v))} for k, v in cases.items()}
with open("qalign-core/src/test/resources/diagnostics/rhat.json", "w") as f:
    json.dump(out, f)
for k, v in out.items():
    print(k, v["rank"], v["split"])
