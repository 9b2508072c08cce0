"""Speed of adlib against its peers, measured in one process, interleaved.

    python benchmarks/run.py          # prints a Markdown table (paste it into the README)

Peers: autograd (same design: operator overloading on NumPy), micrograd (a minimal scalar
engine), hand-written NumPy backpropagation, and a Python loop of adlib itself where the row
measures batching (vmap). The contenders of a row are timed in interleaved rounds (so that a
slow moment of the machine hits all of them alike) with ``adlib.timing.best_times``; the table
shows the best round of each, and every claim is a ratio of two times taken in the same rounds.
BLAS runs on one thread, so that the ratios do not depend on the number of cores.
"""
import os

os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = "1"  # before NumPy loads

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import autograd  # noqa: E402
import autograd.numpy as agnp  # noqa: E402
import numpy as np  # noqa: E402
from micrograd.engine import Value  # noqa: E402

import adlib  # noqa: E402
import adlib.numpy as anp  # noqa: E402
from adlib.timing import best_times  # noqa: E402

sys.setrecursionlimit(100_000)  # micrograd's backward pass is recursive


def timed(contenders, rounds):
    t = best_times(contenders.values(), rounds=rounds, clock=time.perf_counter)
    return dict(zip(contenders, t))


# ---------------------------------------------------------------- scalar code
def scalar_program(x, y, steps, relu=None):
    """Python-overhead-bound scalar code: seven elementary operations a step."""
    s = x
    for i in range(steps):
        s = s * 0.5 + x * y - (y * 0.25) ** 2 / (1.0 + i)
    return s


def relu_program(x, y, steps, relu):
    """ReLU-heavy scalar code: six operations a step, one of them a maximum."""
    s = x
    for i in range(steps):
        s = relu(s * 0.9 - y * 0.05) + x * 0.01
    return s


def bench_scalar(rounds, program, ops, steps=1000):
    """``program(x, y, steps, relu)`` differentiated by adlib, autograd and micrograd."""
    relus = {"adlib": lambda z: anp.maximum(z, 0.0), "autograd": lambda z: agnp.maximum(z, 0.0),
             "micrograd": lambda z: z.relu()}

    def micrograd_grad():
        x, y = Value(0.3), Value(-1.2)
        program(x, y, steps, relus["micrograd"]).backward()
        return x.grad, y.grad
    ours = adlib.grad(lambda x, y: program(x, y, steps, relus["adlib"]), (0, 1))
    theirs = autograd.grad(lambda x, y: program(x, y, steps, relus["autograd"]), (0, 1))
    assert np.allclose(ours(0.3, -1.2), theirs(0.3, -1.2))
    assert np.allclose(ours(0.3, -1.2), micrograd_grad())
    t = timed({"adlib": lambda: ours(0.3, -1.2), "autograd": lambda: theirs(0.3, -1.2),
               "micrograd": micrograd_grad}, rounds)
    return {k: v / (steps * ops) for k, v in t.items()}


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
    return timed({"loss": lambda: loss(params, np), "adlib": lambda: ours(params),
                  "autograd": lambda: theirs(params), "by hand": lambda: by_hand(params)},
                 rounds)


# ---------------------------------------------------------------- forward mode, Jacobians, Hessians
def tanh_layers(n, layers, seed, scalar):
    """x -> tanh(W_k ... tanh(W_1 x)), of width n; summed to a scalar (of its squares) or not."""
    rng = np.random.default_rng(seed)
    Ws = [rng.standard_normal((n, n)) / np.sqrt(n) for _ in range(layers)]

    def f(x, lib):
        for W in Ws:
            x = lib.tanh(W @ x)
        return lib.sum(x ** 2) if scalar else x
    return f


def rosenbrock(x, lib):
    return lib.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def bench_jvp(rounds, n=200):
    f = tanh_layers(n, 10, 1, scalar=False)
    rng = np.random.default_rng(1)
    x, v = rng.standard_normal(n), rng.standard_normal(n)
    theirs = autograd.make_jvp(lambda x: f(x, agnp))
    assert np.allclose(adlib.jvp(lambda x: f(x, anp), (x,), (v,))[1], theirs(x)(v)[1])
    return timed({"adlib": lambda: adlib.jvp(lambda x: f(x, anp), (x,), (v,)),
                  "autograd": lambda: theirs(x)(v)}, rounds)


def bench_jacobian(rounds, make, f, n, loop):
    """adlib's ``make`` (hessian or jacfwd: one batched pass of n tangents) against autograd's
    (a loop of n reverse sweeps of a recorded tape) and adlib's own loop of n JVPs."""
    x = np.random.default_rng(2).standard_normal(n)
    ours, theirs = make[0](lambda x: f(x, anp)), make[1](lambda x: f(x, agnp))
    one_at_a_time = lambda: np.stack([loop(lambda x: f(x, anp), x, e)  # noqa: E731
                                      for e in np.eye(n)], axis=-1)
    assert np.allclose(ours(x), theirs(x)) and np.allclose(one_at_a_time(), theirs(x))
    return timed({"adlib": lambda: ours(x), "autograd": lambda: theirs(x),
                  "loop": one_at_a_time}, rounds)


def bench_per_example(rounds, batch=256, sizes=(64, 64, 10)):
    """Per-example gradients of a cross-entropy MLP: vmap(grad) against a loop of grad."""
    rng = np.random.default_rng(4)
    params = {"W1": rng.standard_normal(sizes[:2]) / 8, "b1": np.zeros(sizes[1]),
              "W2": rng.standard_normal(sizes[1:]) / 8, "b2": np.zeros(sizes[2])}
    X, Y = rng.standard_normal((batch, sizes[0])), rng.integers(0, sizes[2], batch)

    def loss(p, x, y):
        z = anp.tanh(x @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
        return anp.log(anp.sum(anp.exp(z - anp.max(z)))) + anp.max(z) - z[y]
    g = adlib.grad(loss)
    batched = adlib.vmap(g, in_axes=(None, 0, 0))
    loop = lambda: [g(params, x, y) for x, y in zip(X, Y)]  # noqa: E731
    assert np.allclose(batched(params, X, Y)["W1"], np.stack([d["W1"] for d in loop()]))
    return timed({"adlib": lambda: batched(params, X, Y), "loop": loop}, rounds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
    us, ms = 1e6, 1e3
    jvp_loop = lambda f, x, e: adlib.jvp(f, (x,), (e,))[1]  # noqa: E731
    hvp_loop = lambda f, x, e: adlib.hvp(f, x, e)  # noqa: E731
    s, r = bench_scalar(rounds, scalar_program, 7), bench_scalar(rounds, relu_program, 6)
    m, j = bench_mlp(max(3, rounds // 3)), bench_jvp(rounds)
    h1 = bench_jacobian(rounds, (adlib.hessian, autograd.hessian),
                        tanh_layers(20, 10, 3, scalar=True), 20, hvp_loop)
    h2 = bench_jacobian(rounds, (adlib.hessian, autograd.hessian), rosenbrock, 50, hvp_loop)
    jf = bench_jacobian(rounds, (adlib.jacfwd, autograd.jacobian),
                        tanh_layers(100, 2, 5, scalar=False), 100, jvp_loop)
    pe = bench_per_example(max(3, rounds // 3))
    rows = []
    for name, t in (("scalar code, grad, time per operation", s),
                    ("ReLU scalar code, grad, time per operation", r)):
        rows.append((name, f"{t['adlib'] * us:.2f} µs",
                     f"autograd {t['autograd'] * us:.2f} µs; micrograd {t['micrograd'] * us:.2f} µs",
                     f"{t['adlib'] / t['autograd']:.2f}x autograd; "
                     f"{t['adlib'] / t['micrograd']:.2f}x micrograd",
                     "≤ 0.5x autograd; ≤ 1.5x micrograd"))
    rows += [
        ("MLP 1024-1024-1024-10, batch 256, grad", f"{m['adlib'] * ms:.1f} ms",
         f"autograd {m['autograd'] * ms:.1f} ms; by hand {m['by hand'] * ms:.1f} ms; "
         f"loss alone {m['loss'] * ms:.1f} ms",
         f"{m['adlib'] / m['autograd']:.2f}x autograd; {m['adlib'] / m['by hand']:.2f}x by hand;"
         f" {m['adlib'] / m['loss']:.2f}x the loss", "≤ 1x autograd; ≤ 1.1x by hand"),
        ("jvp, 10 tanh layers of width 200", f"{j['adlib'] * ms:.2f} ms",
         f"autograd {j['autograd'] * ms:.2f} ms", f"{j['adlib'] / j['autograd']:.2f}x autograd",
         "≤ 1x autograd")]
    for name, t, what in (("hessian 20 x 20, 10 tanh layers", h1, "hvp"),
                          ("hessian 50 x 50, Rosenbrock", h2, "hvp"),
                          ("jacfwd 100 -> 100, 2 tanh layers", jf, "jvp")):
        rows.append((name, f"{t['adlib'] * ms:.2f} ms",
                     f"autograd {t['autograd'] * ms:.2f} ms; a loop of adlib {what}s "
                     f"{t['loop'] * ms:.2f} ms",
                     f"{t['adlib'] / t['autograd']:.2f}x autograd; "
                     f"{t['adlib'] / t['loop']:.2f}x the loop", "≤ 0.5x autograd"))
    rows.append(("per-example gradients, MLP 64-64-10, batch 256", f"{pe['adlib'] * ms:.2f} ms",
                 f"a loop of adlib.grad {pe['loop'] * ms:.2f} ms",
                 f"{pe['adlib'] / pe['loop']:.3f}x the loop", "≤ 0.25x the loop"))
    print("| benchmark | adlib | peers | ratio | target |")
    print("| --- | --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"\nBest of {rounds} interleaved rounds (MLP and per-example: {max(3, rounds // 3)}); "
          f"one BLAS thread; NumPy {np.__version__}, Python {sys.version.split()[0]}.")


if __name__ == "__main__":
    main()
