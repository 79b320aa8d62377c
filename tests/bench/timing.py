"""Timing helpers shared by the Python benchmarks: percentiles of a list of step times."""
import time


def percentile(values, q):
    """Linear-interpolated percentile (numpy's default method), q in [0, 100]."""
    s = sorted(values)
    if not s:
        raise ValueError("no samples")
    pos = (len(s) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def summarize(times_ms):
    return {
        "median_ms": percentile(times_ms, 50),
        "p90_ms": percentile(times_ms, 90),
        "p99_ms": percentile(times_ms, 99),
    }


def time_calls(fn, warmup, runs):
    """Calls fn() warmup times untimed, then runs times; returns the timed durations in milliseconds."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    return times
