#!/usr/bin/env python3
"""Which recalibration of the broker's survival odds holds on later time? (chose StackedRecalibration)

Reads the cases SurvivalCaseDump writes (benchmarks: step, run index, slot cores, idle cores,
the model's raw odds, E's odds, survived) and replays, on the validation or the test period,
logistic regressions per run length on [1, logit(model), logit(E), margin/total, idle/total]
(or the first three), refitted every day on the cases resolved by then from the last W days,
optionally weighted by age (half-life H days), as StackedRecalibration does online. Prints per
candidate: Brier, Brier skill against E, log loss, the worst calibration gap among bins >= 0.8
with at least 500 cases, the share answered >= 0.9 and the realised survival of those.

Usage: python3 stacking_windows.py CASES.gz [test|val] [--cap P]      (numpy only)
"""
import gzip
import sys

import numpy as np

DAY = 288
BINS = [0, .1, .2, .3, .4, .5, .6, .7, .8, .9, .95, .99, 1.0000001]
RUN_STEPS = np.array([2, 8, 24])


def logit(p):
    p = np.clip(p, 1e-3, 1 - 1e-3)
    return np.log(p / (1 - p))


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def fit(x, y, w=None, ridge=1e-4, iterations=50):
    if w is None:
        w = np.ones(len(y))
    b = np.zeros(x.shape[1])
    for _ in range(iterations):
        q = sigmoid(x @ b)
        g = x.T @ (w * (q - y)) / w.sum() + ridge * b
        h = (x * (w * q * (1 - q))[:, None]).T @ x / w.sum() + ridge * np.eye(x.shape[1])
        step = np.linalg.solve(h, g)
        b -= step
        if np.abs(step).max() < 1e-8:
            break
    return b


def score(p, y, bar=0.9):
    brier = np.mean((p - y) ** 2)
    pc = np.clip(p, 1e-3, 1 - 1e-3)
    log_loss = -np.mean(y * np.log(pc) + (1 - y) * np.log(1 - pc))
    gap = 0
    for lo, hi in zip(BINS[:-1], BINS[1:]):
        m = (p >= lo) & (p < hi)
        if lo >= 0.8 and m.sum() >= 500:
            gap = max(gap, abs(p[m].mean() - y[m].mean()))
    taken = p >= bar
    return brier, log_loss, gap, taken.mean(), y[taken].mean() if taken.any() else float("nan")


def main():
    path = sys.argv[1]
    period = sys.argv[2] if len(sys.argv) > 2 and not sys.argv[2].startswith("--") else "test"
    cap = float(sys.argv[sys.argv.index("--cap") + 1]) if "--cap" in sys.argv else 1.0
    with gzip.open(path, "rt") as f:
        meta = {k: int(v) for k, v in (kv.split("=") for kv in f.readline().split()[2:])}
    d = np.loadtxt(path, comments="#")
    t, r, k, idle, pm, pe, y = d.T
    r = r.astype(int)
    lo, hi = (meta["valFrom"], meta["valTo"]) if period == "val" else (meta["testFrom"], meta["testTo"])
    scored = (t >= lo) & (t < hi)
    total = meta["total"]
    x = np.column_stack([np.ones(len(t)), logit(pm), logit(pe), (idle - k) / total, idle / total])
    e_brier = score(pe[scored], y[scored])[0]

    def report(label, p):
        brier, log_loss, gap, taken, realised = score(p[scored], y[scored])
        print(f"{label:34s} Brier {brier:.4f} skill {1 - brier / e_brier:+.3f} log loss {log_loss:.3f} "
              f"worst gap {gap:.3f} taken {taken:.2f} realised {realised:.3f}", flush=True)

    def rolling(window_days, columns, half_life_days):
        p = np.full(len(t), np.nan)
        for run in range(3):
            idx = np.where(r == run)[0]
            ts = t[idx]
            for day in range(lo, hi, DAY):
                a = np.searchsorted(ts, day - window_days * DAY)
                b = np.searchsorted(ts, day - RUN_STEPS[run] + 1)  # resolved by the start of the day
                c, e = np.searchsorted(ts, day), np.searchsorted(ts, day + DAY)
                if e <= c:
                    continue
                rows = idx[a:b]
                w = None if half_life_days is None else 0.5 ** ((day - t[rows]) / (half_life_days * DAY))
                coefficients = fit(x[rows][:, columns], y[rows], w)
                p[idx[c:e]] = np.minimum(cap, sigmoid(x[idx[c:e]][:, columns] @ coefficients))
        return p

    report("E", pe)
    report("model, raw", pm)
    for window, half_life in ((14, None), (21, None), (30, 7), (30, 10), (60, 14)):
        for columns in ([0, 1, 2], [0, 1, 2, 3, 4]):
            name = f"{window} days" + ("" if half_life is None else f", half-life {half_life}") + f", {len(columns)} inputs"
            report(name, rolling(window, columns, half_life))


if __name__ == "__main__":
    main()
