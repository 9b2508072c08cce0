"""Property-based tests: random programs built from primitives, differentiated by adlib and by
autograd, must agree (gradient, forward mode, and Hessian-vector products)."""
import autograd
import autograd.numpy as agnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import adlib
import adlib.numpy as anp

# autograd warns when a Hessian of a linear piece is constant: expected here
pytestmark = pytest.mark.filterwarnings("ignore:Output seems independent of input")

# Smooth operations defined on all of R (so any composition is differentiable everywhere).
UNARY = ["sin", "cos", "tanh", "arctan", "square", "negative", "exp_bounded", "softplus"]
BINARY = ["add", "subtract", "multiply", "logaddexp", "maximum_smooth"]


def apply(lib, op, *xs):
    if op == "exp_bounded":
        return lib.exp(lib.sin(xs[0]))
    if op == "softplus":
        return lib.logaddexp(xs[0], 0.0)
    if op == "maximum_smooth":  # a smooth stand-in that still mixes both arguments
        return lib.sqrt(lib.square(xs[0] - xs[1]) + 1.0) + xs[0] + xs[1]
    return getattr(lib, op)(*xs)


program = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(UNARY), st.integers(0, 100)),
        st.tuples(st.sampled_from(BINARY), st.integers(0, 100), st.integers(0, 100))),
    min_size=1, max_size=12)


def run(lib, prog, x):
    values = [x, lib.sin(x)]
    for op, *operands in prog:
        values.append(apply(lib, op, *(values[i % len(values)] for i in operands)))
    return lib.sum(values[-1] * np.linspace(0.5, 1.5, x.shape[0]))


vectors = st.lists(st.floats(-2.0, 2.0), min_size=1, max_size=4).map(np.array)


@settings(max_examples=60, deadline=None)
@given(program, vectors)
def test_random_programs_agree_with_autograd(prog, x):
    ours = lambda x: run(anp, prog, x)  # noqa: E731
    theirs = lambda x: run(agnp, prog, x)  # noqa: E731
    expected = autograd.grad(theirs)(x)
    assert np.allclose(adlib.grad(ours)(x), expected)
    v = np.cos(np.arange(x.shape[0]))
    assert np.allclose(adlib.jvp(ours, (x,), (v,))[1], expected @ v)
    assert np.allclose(adlib.hvp(ours, x, v), autograd.hessian(theirs)(x) @ v)


@settings(max_examples=30, deadline=None)
@given(st.floats(-3.0, 3.0), st.floats(-3.0, 3.0))
def test_seed_example_gradient_is_twice_the_sum(x, y):
    gx, gy = adlib.grad(lambda x, y: (x + y) ** 2, (0, 1))(x, y)
    assert np.isclose(gx, 2 * (x + y)) and np.isclose(gy, 2 * (x + y))
