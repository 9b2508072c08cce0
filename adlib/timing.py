"""Measuring speed and memory the way the book does, in one place.

Speed is the processor time of this process (``time.process_time``), not wall-clock time, so
other programs on the machine barely disturb it. Its clock ticks coarsely (about a microsecond
or more, and a call of the clock itself costs some), so a function that takes microseconds is
called repeatedly until one sample lasts at least ``min_time`` seconds, and the sample is divided
by the number of calls. The contenders are timed in interleaved rounds, so that a slow moment of
the machine hits all of them alike, and each keeps its best round: the best is the run least
disturbed by anything else. Only ratios of times taken this way are compared.

>>> from adlib.timing import best_times
>>> t_sum, t_sort = best_times([lambda: sum(range(100)), lambda: sorted(range(100))], rounds=3)
"""
import time
import tracemalloc

import numpy as np

__all__ = ["best_times", "best_time", "peak_memory"]


def _calls_per_sample(fn, min_time, clock):
    """How many calls of ``fn`` take at least ``min_time`` seconds."""
    number = 1
    while True:
        t0 = clock()
        for _ in range(number):
            fn()
        elapsed = clock() - t0
        if elapsed >= min_time:
            return number
        number = max(2 * number, int(1.2 * number * min_time / max(elapsed, 1e-9)))


def best_times(fns, rounds=9, min_time=0.003, clock=time.process_time):
    """Best time per call of each function in ``fns`` (seconds, an array), from interleaved
    rounds; each sample repeats its function until it lasts at least ``min_time``."""
    fns = list(fns)
    numbers = [_calls_per_sample(fn, min_time, clock) for fn in fns]
    best = np.full(len(fns), np.inf)
    for _ in range(rounds):
        for i, (fn, number) in enumerate(zip(fns, numbers)):
            t0 = clock()
            for _ in range(number):
                fn()
            best[i] = min(best[i], (clock() - t0) / number)
    return best


def best_time(fn, rounds=9, min_time=0.003, clock=time.process_time):
    """Best time per call of one function (seconds); see :func:`best_times`."""
    return float(best_times([fn], rounds, min_time, clock)[0])


def peak_memory(fn):
    """Peak bytes that Python and NumPy allocate while ``fn()`` runs, above what was allocated
    before it started (``tracemalloc`` sees NumPy's array buffers too)."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        fn()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
