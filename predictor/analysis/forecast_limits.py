#!/usr/bin/env python3
"""How much of persistence's 30-minute error could any forecaster remove, given what it knows?

Two oracles on each SWF log's held-out last 20% (the same idle-core series as SwfCapacity:
5-minute steps, idle = MaxProcs - cores of jobs with start <= t < start + run, clamped at 0):

* knows-every-submitted-job: told exactly when every job already submitted at t starts and
  ends; misses only jobs submitted after t. Its MAE is what new arrivals alone cost.
* knows-every-release: told exactly which running jobs end within the horizon (the cores they
  free), fitted linearly (least absolute deviations on the first 80%) to the idle change.
  Freed cores are mostly refilled from the queue at once, so this knowledge helps little.

Also counts, at sampled steps with a non-empty queue, how often the oldest waiting job would
fit in the idle cores: real queues hold jobs that wait whatever the free cores (held, limits).

Usage: python3 forecast_limits.py LOG [LOG ...]      (numpy only)
"""
import gzip
import sys

import numpy as np

STEP = 300


def load(path):
    opener = gzip.open if path.endswith(".gz") else open
    rows, max_procs = [], None
    with opener(path, "rt", errors="replace") as f:
        for line in f:
            if line.lstrip().startswith(";"):
                if "MaxProcs" in line:
                    max_procs = int(line.split(":")[1].split()[0])
                continue
            p = line.split()
            if len(p) < 18:
                continue
            submit, wait, run, procs = float(p[1]), float(p[2]), float(p[3]), float(p[4])
            if wait >= 0 and run > 0 and procs > 0:
                rows.append((submit, submit + wait, submit + wait + run, procs))
    jobs = np.array(rows)
    return jobs[:, 0], jobs[:, 1], jobs[:, 2], jobs[:, 3], max_procs


def cumulative(n, frm, to, weight):
    """Sum of weight over jobs whose [frm, to) covers each step instant."""
    d = np.zeros(n + 1)
    k0 = np.clip(np.ceil(frm / STEP).astype(int), 0, n)
    k1 = np.clip(np.ceil(to / STEP).astype(int), 0, n)
    m = k1 > k0
    np.add.at(d, k0[m], weight[m])
    np.add.at(d, k1[m], -weight[m])
    return np.cumsum(d)[:n]


def lad_fit(x, y, iterations=50):
    """Least absolute deviations by iteratively reweighted least squares."""
    w = np.ones(len(y))
    beta = None
    for _ in range(iterations):
        s = np.sqrt(w)
        beta = np.linalg.lstsq(x * s[:, None], y * s, rcond=None)[0]
        w = 1 / np.maximum(np.abs(y - x @ beta), 1e-3)
    return beta


def main(paths, horizon=6):
    print("log      persistence MAE   knows-every-submitted-job   knows-every-release   oldest waiting job fits")
    for path in paths:
        submit, start, end, procs, total = load(path)
        n = int(submit.max() // STEP) + 1
        idle = np.maximum(0, total - cumulative(n, start, end, procs))
        test = np.arange(int(n * 0.8), n - horizon)
        persistence = np.mean(np.abs(idle[test + horizon] - idle[test]))

        order = np.argsort(submit)
        s, st, en, pr = submit[order], start[order], end[order], procs[order]
        arrivals = np.empty(len(test))
        for i, t in enumerate(test):
            lo = np.searchsorted(s, t * STEP, side="right")
            hi = np.searchsorted(s, (t + horizon) * STEP, side="right")
            later = slice(lo, hi)
            target = (t + horizon) * STEP
            arrivals[i] = pr[later][(st[later] <= target) & (en[later] > target)].sum()

        released = cumulative(n, np.maximum(start, end - horizon * STEP), end, procs)
        steps = np.arange(int(n * 0.1), n - horizon)
        change = idle[steps + horizon] - idle[steps]
        x = np.c_[released[steps], np.ones(len(steps))]
        train = steps < int(n * 0.8)
        beta = lad_fit(x[train], change[train])
        release_mae = np.mean(np.abs(change[~train] - x[~train] @ beta))

        fits = queued = 0
        for t in test[::50]:
            now = t * STEP
            waiting = np.where((submit <= now) & (start > now))[0]
            if len(waiting):
                queued += 1
                oldest = waiting[np.argmin(submit[waiting])]
                fits += procs[oldest] <= idle[t]
        name = path.rsplit("/", 1)[-1].split("-")[0]
        print(f"{name:8s} {persistence:8.2f} cores      {arrivals.mean() / persistence:6.2f} x persistence"
              f"          {release_mae / persistence:6.2f} x persistence      {fits}/{queued} sampled steps")


if __name__ == "__main__":
    main(sys.argv[1:])
