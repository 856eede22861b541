"""Task Bench for the Python peers: the same dependence patterns, kernel, tags and checksums as
Shatter's taskbench workload (cli/.../workloads/TaskBenchPattern.java and TaskBenchKernel.java),
and the 'taskbench: {json}' line the METG sweep (metg.py) parses.

    python3 taskbench_common.py --selftest    # the hand-written edges of TaskBenchPatternTest
"""
import argparse
import json
import math
import struct
import sys
import time

TYPES = ["trivial", "no_comm", "stencil_1d", "stencil_1d_periodic", "dom", "tree", "fft", "all_to_all", "nearest"]
HEADER_BYTES = 16
MASK = (1 << 64) - 1


class Pattern:
    """Point p of step t reads points of step t-1, clipped to that step's points (Task Bench's core.cc)."""

    def __init__(self, kind, width, steps, radix=3):
        if kind not in TYPES:
            raise ValueError(f"--type {kind!r} is not a pattern; use one of {', '.join(TYPES)}")
        if width < 1 or steps < 1:
            raise ValueError("--width and --steps must be at least 1")
        if kind == "fft" and width < 2:
            raise ValueError("--type fft needs --width of at least 2")
        if kind == "nearest" and radix < 1:
            raise ValueError("--type nearest needs --radix of at least 1")
        self.kind, self.width, self.steps, self.radix = kind, width, steps, radix

    def width_at(self, t):
        if t < 0:
            return 0
        if self.kind == "dom":
            return min(self.width, t + 1, self.steps - t)
        if self.kind == "tree":
            return min(self.width, 1 << min(t, 62))
        return self.width

    def offset_at(self, t):
        return max(0, t + self.width - self.steps) if t >= 0 and self.kind == "dom" else 0

    def points(self, t):
        o = self.offset_at(t)
        return range(o, o + self.width_at(t))

    def has(self, t, p):
        o = self.offset_at(t)
        return o <= p < o + self.width_at(t)

    def dependencies(self, t, p):
        if t == 0:
            return []
        w, k = self.width, self.kind
        if k == "trivial":
            raw = []
        elif k == "no_comm":
            raw = [p]
        elif k in ("stencil_1d", "stencil_1d_periodic"):
            raw = list(range(max(0, p - 1), min(w - 1, p + 1) + 1))
            if k == "stencil_1d_periodic":
                if p == 0:
                    raw.append(w - 1)
                elif p == w - 1:
                    raw.append(0)
        elif k == "dom":
            raw = list(range(max(0, p - 1), p + 1))
        elif k == "tree":
            raw = [p // 2]
        elif k == "fft":
            sets = math.ceil(math.log2(w))
            s = (t + sets - 1) % sets
            raw = [d for d in (p - (1 << s), p, p + (1 << s)) if 0 <= d < w]
        elif k == "all_to_all":
            raw = list(range(w))
        else:  # nearest
            raw = list(range(max(0, p - self.radix // 2), min(w - 1, p + (self.radix - 1) // 2) + 1))
        return sorted({d for d in raw if self.has(t - 1, d)})

    def task_count(self):
        return sum(self.width_at(t) for t in range(self.steps))


def compute(iterations, seed):
    """The kernel: 8 independent multiply-adds per iteration, as TaskBenchKernel.compute."""
    a0, a1, a2, a3, a4, a5, a6, a7 = (seed + i for i in range(8))
    for _ in range(iterations):
        a0 = a0 * 0.999999 + 0.5
        a1 = a1 * 0.999999 + 0.5
        a2 = a2 * 0.999999 + 0.5
        a3 = a3 * 0.999999 + 0.5
        a4 = a4 * 0.999999 + 0.5
        a5 = a5 * 0.999999 + 0.5
        a6 = a6 * 0.999999 + 0.5
        a7 = a7 * 0.999999 + 0.5
    return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7


def mix(z):
    z &= MASK
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & MASK
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & MASK
    return z ^ (z >> 31)


def run_task(step, point, expected, inputs, iterations, output_bytes):
    """Checks the inputs' tags against the pattern's edges, runs the kernel, returns the output bytes."""
    if len(inputs) != len(expected):
        raise RuntimeError(f"task (step {step}, point {point}) received {len(inputs)} inputs, its pattern defines {len(expected)}")
    checksum = mix(step * 1_000_003 + point)
    for i, data in enumerate(inputs):
        in_step, in_point, in_sum = struct.unpack_from(">iiq", data)
        if in_step != step - 1 or in_point != expected[i]:
            raise RuntimeError(f"task (step {step}, point {point}) expected input {i + 1} from (step {step - 1}, point "
                               f"{expected[i]}) but received (step {in_step}, point {in_point})")
        checksum = mix(checksum ^ (in_sum & MASK))
    result = compute(iterations, float((point + step) % 16))
    checksum = mix(checksum ^ struct.unpack(">Q", struct.pack(">d", result))[0])
    signed = checksum - (1 << 64) if checksum >= 1 << 63 else checksum
    return struct.pack(">iiq", step, point, signed) + bytes(max(0, output_bytes - HEADER_BYTES))


def parse_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--type", default="stencil_1d", choices=TYPES)
    p.add_argument("--width", type=int, default=2)
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--iterations", type=int, default=1000)
    p.add_argument("--output-bytes", type=int, default=HEADER_BYTES)
    p.add_argument("--radix", type=int, default=3)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--calibrate", action="store_true", help="time the kernel alone on one core and print its rate")
    a = p.parse_args()
    if a.output_bytes < HEADER_BYTES or a.iterations < 0 or a.workers < 1:
        p.error(f"--output-bytes must be at least {HEADER_BYTES}, --iterations not negative, --workers at least 1")
    try:
        a.pattern = Pattern(a.type, a.width, a.steps, a.radix)
    except ValueError as e:
        p.error(str(e))
    return a


def calibrate():
    """The kernel's rate on one core in one long task (iterations/s), as the efficiency's denominator."""
    compute(20000, 1.0)
    n, best = 400000, 0.0
    for _ in range(3):
        t0 = time.perf_counter()
        compute(n, 1.0)
        best = max(best, n / (time.perf_counter() - t0))
    return best


def report(system, a, workers, in_pool_s, extra=None):
    figures = {"system": system, "type": a.type, "width": a.width, "steps": a.steps, "radix": a.radix,
               "iterations": a.iterations, "output_bytes": a.output_bytes, "tasks": a.pattern.task_count(),
               "workers": workers, "in_pool_s": in_pool_s}
    figures.update(extra or {})
    print("taskbench: " + json.dumps(figures), flush=True)


def selftest():
    """The hand-written cases of the Java TaskBenchPatternTest: the Python port must agree."""
    def d(kind, w, t, p, steps=10, radix=3):
        return Pattern(kind, w, steps, radix).dependencies(t, p)
    cases = [
        (d("stencil_1d", 4, 1, 0), [0, 1]), (d("stencil_1d", 4, 1, 3), [2, 3]),
        (d("stencil_1d_periodic", 4, 1, 0), [0, 1, 3]), (d("stencil_1d_periodic", 4, 1, 3), [0, 2, 3]),
        (d("stencil_1d_periodic", 2, 1, 0), [0, 1]),
        (Pattern("dom", 3, 6).dependencies(4, 1), [0, 1]), (Pattern("dom", 3, 6).dependencies(5, 2), [1, 2]),
        (Pattern("dom", 3, 6).dependencies(1, 1), [0]), (Pattern("dom", 3, 6).task_count(), 12),
        (Pattern("tree", 8, 6).dependencies(2, 3), [1]), (Pattern("tree", 8, 6).dependencies(4, 7), [3]),
        (d("fft", 8, 1, 3), [2, 3, 4]), (d("fft", 8, 2, 3), [1, 3, 5]), (d("fft", 8, 3, 5), [1, 5]),
        (d("fft", 5, 3, 0), [0, 4]), (d("fft", 5, 3, 2), [2]),
        (d("all_to_all", 3, 1, 1), [0, 1, 2]), (d("no_comm", 4, 3, 2), [2]), (d("trivial", 4, 3, 2), []),
        (d("nearest", 8, 1, 4, radix=5), [2, 3, 4, 5, 6]), (d("nearest", 8, 1, 4, radix=4), [2, 3, 4, 5]),
        (d("nearest", 8, 1, 7, radix=5), [5, 6, 7]),
    ]
    bad = [(got, want) for got, want in cases if got != want]
    if bad:
        raise SystemExit(f"taskbench_common selftest: {bad}")
    print("taskbench_common selftest: ok")


if __name__ == "__main__":
    if sys.argv[1:] == ["--selftest"]:
        selftest()
    else:
        raise SystemExit(__doc__)
