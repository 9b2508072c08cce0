"""Every primitive of adlib.numpy, in both modes and at second order, against autograd and
against central finite differences (adlib.check_grads)."""
import autograd
import autograd.numpy as agnp
import numpy as np
import pytest

import adlib
import adlib.numpy as anp

# autograd warns when a Hessian of a linear piece is constant: expected here
pytestmark = pytest.mark.filterwarnings("ignore:Output seems independent of input")

rng = np.random.default_rng(0)
R = lambda *shape: rng.standard_normal(shape)  # noqa: E731
POS = lambda *shape: rng.uniform(0.5, 2.0, shape)  # noqa: E731
UNIT = lambda *shape: rng.uniform(-0.8, 0.8, shape)  # noqa: E731
AWAY = lambda *shape: rng.uniform(0.3, 1.5, shape) * rng.choice([-1, 1], shape)  # noqa: E731

UNARY = {  # name: domain
    "negative": R, "abs": AWAY, "exp": R, "log": POS, "log2": POS, "log10": POS, "log1p": POS,
    "expm1": R, "sqrt": POS, "square": R, "reciprocal": POS, "sin": R, "cos": R, "tan": UNIT,
    "arcsin": UNIT, "arccos": UNIT, "arctan": R, "sinh": R, "cosh": R, "tanh": R,
}
BINARY = {
    "add": (R, R), "subtract": (R, R), "multiply": (R, R), "divide": (R, POS), "power": (POS, R),
    "maximum": (R, R), "minimum": (R, R), "logaddexp": (R, R), "arctan2": (R, POS),
}
# Each case: name, expr(numpy_module) -> function, arguments. expr(anp) is traced by adlib,
# expr(agnp) by autograd.
FUNCTIONS = []
for n, d in UNARY.items():
    FUNCTIONS.append((n, lambda m, n=n: getattr(m, n), [d(3, 2)]))
for n, (d1, d2) in BINARY.items():  # broadcasting (3, 1) against (4,)
    FUNCTIONS.append((n, lambda m, n=n: getattr(m, n), [d1(3, 1), d2(4)]))
    FUNCTIONS.append((n + "-scalar", lambda m, n=n: getattr(m, n), [d1(3), d2()]))
for axis in (None, 0, 1, (0, 1)):
    for keep in (False, True):
        for n in ("sum", "mean", "max", "min", "var", "std", "prod"):
            FUNCTIONS.append((f"{n}-axis{axis}-keep{keep}",
                              lambda m, n=n, a=axis, k=keep: lambda x: getattr(m, n)(
                                  x, axis=a, keepdims=k), [AWAY(3, 4)]))
FUNCTIONS += [
    ("matmul-2x2", lambda m: m.matmul, [R(3, 4), R(4, 2)]),
    ("matmul-1x2", lambda m: m.matmul, [R(4), R(4, 2)]),
    ("matmul-2x1", lambda m: m.matmul, [R(3, 4), R(4)]),
    ("matmul-1x1", lambda m: m.matmul, [R(4), R(4)]),
    ("matmul-batched", lambda m: m.matmul, [R(2, 3, 4), R(4, 2)]),
    ("dot", lambda m: m.dot, [R(3, 4), R(4)]),
    ("dot-scalar", lambda m: m.dot, [R(), R(3)]),
    ("outer", lambda m: m.outer, [R(3), R(2)]),
    ("inner", lambda m: m.inner, [R(3), R(3)]),
    ("solve-vector", lambda m: m.linalg.solve, [R(3, 3) + 3 * np.eye(3), R(3)]),
    ("solve-matrix", lambda m: m.linalg.solve, [R(3, 3) + 3 * np.eye(3), R(3, 2)]),
    ("inv", lambda m: m.linalg.inv, [R(3, 3) + 3 * np.eye(3)]),
    ("det", lambda m: m.linalg.det, [R(3, 3) + 3 * np.eye(3)]),
    ("norm", lambda m: m.linalg.norm, [R(5)]),
    ("reshape", lambda m: lambda x: m.reshape(x, (4, 3)), [R(3, 4)]),
    ("ravel", lambda m: m.ravel, [R(3, 4)]),
    ("transpose", lambda m: m.transpose, [R(3, 4)]),
    ("transpose-axes", lambda m: lambda x: m.transpose(x, (1, 2, 0)), [R(2, 3, 4)]),
    ("T", lambda m: lambda x: x.T, [R(3, 4)]),
    ("swapaxes", lambda m: lambda x: m.swapaxes(x, 0, 2), [R(2, 3, 4)]),
    # autograd has no rule for flip: compare with the equivalent slice
    ("flip", lambda m: (lambda x: m.flip(x, 1)) if m is anp else (lambda x: x[:, ::-1]),
     [R(3, 4)]),
    ("expand_dims", lambda m: lambda x: m.expand_dims(x, 1), [R(3, 4)]),
    ("squeeze", lambda m: lambda x: m.squeeze(x, 1), [R(3, 1, 4)]),
    ("broadcast_to", lambda m: lambda x: m.broadcast_to(x, (3, 4)), [R(3, 1)]),
    ("concatenate", lambda m: lambda x, y: m.concatenate([x, y, x], axis=1), [R(2, 3), R(2, 2)]),
    ("stack", lambda m: lambda x, y: m.stack([x, y], axis=1), [R(3), R(3)]),
    ("hstack", lambda m: lambda x, y: m.hstack([x, y]), [R(3), R(2)]),
    ("vstack", lambda m: lambda x, y: m.vstack([x, y]), [R(3), R(2, 3)]),
    ("getitem-slice", lambda m: lambda x: x[1:, ::2], [R(3, 4)]),
    ("getitem-int", lambda m: lambda x: x[1], [R(3, 4)]),
    ("getitem-array", lambda m: lambda x: x[np.array([0, 2, 0]), 1:], [R(3, 4)]),
    ("getitem-mask", lambda m: lambda x: x[np.array([True, False, True])], [R(3, 4)]),
    ("where", lambda m: lambda x, y: m.where(np.array([True, False, True]), x, y), [R(3), R(3)]),
    ("clip", lambda m: lambda x: m.clip(x, -0.5, 0.5), [AWAY(3, 4)]),
    ("cumsum", lambda m: lambda x: m.cumsum(x, axis=1), [R(3, 4)]),
    ("cumsum-flat", lambda m: m.cumsum, [R(3, 4)]),
    # autograd's rule for diagonal is limited to other axes: compare with the same indexing
    ("diagonal", lambda m: m.diagonal if m is anp else (lambda x: x[np.arange(3), np.arange(3)]),
     [R(3, 4)]),
    ("trace", lambda m: m.trace, [R(3, 3)]),
    ("diag-vector", lambda m: m.diag, [R(3)]),
    ("diag-matrix", lambda m: m.diag, [R(3, 3)]),
]


def scalarise(f, weights):
    """A scalar function from f, so that grad/hessian apply: <weights, f(x)>."""
    return lambda *xs: (f(*xs) * weights).sum()


@pytest.mark.parametrize("name,expr,args", FUNCTIONS, ids=[f[0] for f in FUNCTIONS])
def test_against_autograd_and_finite_differences(name, expr, args):
    f, g = expr(anp), expr(agnp)
    out = np.asarray(f(*args))
    assert np.allclose(out, g(*args)), "forward value differs from autograd's"
    w = np.random.default_rng(1).standard_normal(out.shape)
    fs, gs = scalarise(f, w), scalarise(g, w)
    argnums = tuple(range(len(args)))
    # first order, reverse and forward, against autograd
    for a, b in zip(adlib.grad(fs, argnums)(*args), autograd.grad(gs, argnums)(*args)):
        assert np.allclose(a, b)
    for i in argnums:
        assert np.allclose(adlib.jacfwd(f, i)(*args), autograd.jacobian(g, i)(*args))
        assert np.allclose(adlib.jacrev(f, i)(*args), autograd.jacobian(g, i)(*args))
        # second order, forward over reverse, against autograd
        assert np.allclose(adlib.hessian(fs, i)(*args), autograd.hessian(gs, i)(*args))
    # both modes against central finite differences, to second order
    adlib.check_grads(f, *args, modes=("fwd", "rev"), order=2)
