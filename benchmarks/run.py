"""Speed of adlib against its peers, measured in one process, interleaved.

    python benchmarks/run.py          # prints a Markdown table (paste it into the README)

Peers: autograd (same design: operator overloading on NumPy), micrograd (a minimal scalar
engine) and hand-written NumPy backpropagation. Each contender is timed once per round, the
rounds interleaved so that a slow moment on the machine hits all of them alike; the table shows
the best round of each, and every claim is a ratio of two times taken in the same rounds.
Install the peers with `pip install -r benchmarks/requirements.txt`.
"""
import argparse
import sys
import time

import autograd
import autograd.numpy as agnp
import numpy as np
from micrograd.engine import Value

import adlib
import adlib.numpy as anp

sys.setrecursionlimit(100_000)  # micrograd's backward pass is recursive


def best_times(contenders, rounds):
    best = {name: float("inf") for name in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


# ---------------------------------------------------------------- scalar code
OPS_PER_STEP = 7


def scalar_program(x, y, steps):
    """Python-overhead-bound scalar code: seven elementary operations a step."""
    s = x
    for i in range(steps):
        s = s * 0.5 + x * y - (y * 0.25) ** 2 / (1.0 + i)
    return s


def bench_scalar(rounds, steps=1000):
    def micrograd_grad():
        x, y = Value(0.3), Value(-1.2)
        scalar_program(x, y, steps).backward()
        return x.grad, y.grad
    ours = adlib.grad(lambda x, y: scalar_program(x, y, steps), (0, 1))
    theirs = autograd.grad(lambda x, y: scalar_program(x, y, steps), (0, 1))
    assert np.allclose(ours(0.3, -1.2), theirs(0.3, -1.2))
    assert np.allclose(ours(0.3, -1.2), micrograd_grad())
    t = best_times({"adlib": lambda: ours(0.3, -1.2), "autograd": lambda: theirs(0.3, -1.2),
                    "micrograd": micrograd_grad}, rounds)
    return {k: v / (steps * OPS_PER_STEP) for k, v in t.items()}


# ---------------------------------------------------------------- MLP
def bench_mlp(rounds, width=1024, batch=256, n_in=1024, n_out=10):
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((batch, n_in)), rng.standard_normal((batch, n_out))
    params = [rng.standard_normal((n_in, width)) / np.sqrt(n_in), np.zeros(width),
              rng.standard_normal((width, width)) / np.sqrt(width), np.zeros(width),
              rng.standard_normal((width, n_out)) / np.sqrt(width), np.zeros(n_out)]

    def loss(p, lib):
        h1 = lib.tanh(X @ p[0] + p[1])
        h2 = lib.tanh(h1 @ p[2] + p[3])
        return lib.mean((h2 @ p[4] + p[5] - Y) ** 2)

    def by_hand(p):  # the backward pass a person would write
        h1 = np.tanh(X @ p[0] + p[1])
        h2 = np.tanh(h1 @ p[2] + p[3])
        r = h2 @ p[4] + p[5] - Y
        d_out = 2.0 * r / r.size
        d2 = (d_out @ p[4].T) * (1.0 - h2 ** 2)
        d1 = (d2 @ p[2].T) * (1.0 - h1 ** 2)
        return [X.T @ d1, d1.sum(0), h1.T @ d2, d2.sum(0), h2.T @ d_out, d_out.sum(0)]

    ours = adlib.grad(lambda p: loss(p, anp))
    theirs = autograd.grad(lambda p: loss(p, agnp))
    for a, b, c in zip(ours(params), theirs(params), by_hand(params)):
        assert np.allclose(a, b) and np.allclose(a, c)
    return best_times({"loss": lambda: loss(params, np), "adlib": lambda: ours(params),
                       "autograd": lambda: theirs(params), "by hand": lambda: by_hand(params)},
                      rounds)


# ---------------------------------------------------------------- forward mode and Hessians
def bench_jvp(rounds, n=200, layers=10):
    rng = np.random.default_rng(1)
    Ws = [rng.standard_normal((n, n)) / np.sqrt(n) for _ in range(layers)]

    def f(x, lib):
        for W in Ws:
            x = lib.tanh(W @ x)
        return x
    x, v = rng.standard_normal(n), rng.standard_normal(n)
    theirs = autograd.make_jvp(lambda x: f(x, agnp))
    assert np.allclose(adlib.jvp(lambda x: f(x, anp), (x,), (v,))[1], theirs(x)(v)[1])
    return best_times({"adlib": lambda: adlib.jvp(lambda x: f(x, anp), (x,), (v,)),
                       "autograd": lambda: theirs(x)(v)}, rounds)


def bench_hessian(rounds, f, n=20):
    """adlib.hessian (forward over reverse: n re-runs of the gradient, each carrying one
    tangent) against autograd.hessian (reverse over reverse: the gradient's tape is recorded
    once and swept n times), with adlib's own reverse over reverse alongside."""
    x = np.random.default_rng(2).standard_normal(n)
    ours, theirs = adlib.hessian(lambda x: f(x, anp)), autograd.hessian(lambda x: f(x, agnp))
    rev_rev = adlib.jacrev(adlib.grad(lambda x: f(x, anp)))
    assert np.allclose(ours(x), theirs(x)) and np.allclose(rev_rev(x), theirs(x))
    return best_times({"adlib": lambda: ours(x), "autograd": lambda: theirs(x),
                       "adlib rev-rev": lambda: rev_rev(x)}, rounds)


def tanh_net(n=20, layers=10):
    """The jvp benchmark's network at width n, summed to a scalar."""
    rng = np.random.default_rng(3)
    Ws = [rng.standard_normal((n, n)) / np.sqrt(n) for _ in range(layers)]

    def f(x, lib):
        for W in Ws:
            x = lib.tanh(W @ x)
        return lib.sum(x ** 2)
    return f


def rosenbrock(x, lib):
    return lib.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
    s, m = bench_scalar(rounds), bench_mlp(max(3, rounds // 3))
    j = bench_jvp(rounds)
    h, hr = bench_hessian(rounds, tanh_net()), bench_hessian(rounds, rosenbrock)
    us, ms = 1e6, 1e3
    rows = [
        ("scalar code, grad, time per operation", f"{s['adlib'] * us:.2f} µs",
         f"autograd {s['autograd'] * us:.2f} µs; micrograd {s['micrograd'] * us:.2f} µs",
         f"{s['adlib'] / s['autograd']:.2f}x autograd; {s['adlib'] / s['micrograd']:.2f}x "
         "micrograd", "≤ 0.5x autograd; ≤ 1.5x micrograd"),
        ("MLP 1024-1024-1024-10, batch 256, grad", f"{m['adlib'] * ms:.1f} ms",
         f"autograd {m['autograd'] * ms:.1f} ms; by hand {m['by hand'] * ms:.1f} ms; "
         f"loss alone {m['loss'] * ms:.1f} ms",
         f"{m['adlib'] / m['autograd']:.2f}x autograd; {m['adlib'] / m['by hand']:.2f}x by hand;"
         f" {m['adlib'] / m['loss']:.2f}x the loss", "≤ 1x autograd; ≤ 1.1x by hand"),
        ("jvp, 10 tanh layers of width 200", f"{j['adlib'] * ms:.2f} ms",
         f"autograd {j['autograd'] * ms:.2f} ms", f"{j['adlib'] / j['autograd']:.2f}x autograd",
         "≤ 1x autograd"),
    ]
    for name, t, target in (("hessian 20 x 20, 10 tanh layers", h, "≤ 1x autograd"),
                            ("hessian 20 x 20, Rosenbrock", hr, "(no target)")):
        rows.append((name, f"{t['adlib'] * ms:.2f} ms",
                     f"autograd {t['autograd'] * ms:.2f} ms; adlib reverse-over-reverse "
                     f"{t['adlib rev-rev'] * ms:.2f} ms",
                     f"{t['adlib'] / t['autograd']:.2f}x autograd", target))
    print("| benchmark | adlib | peers | ratio | target |")
    print("| --- | --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"\nBest of {rounds} interleaved rounds (MLP: {max(3, rounds // 3)}); "
          f"NumPy {np.__version__}, Python {sys.version.split()[0]}.")


if __name__ == "__main__":
    main()
