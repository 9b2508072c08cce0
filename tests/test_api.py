"""The public API: worked examples, nesting, containers, bad input, deep programs, traces."""
import gc
import weakref

import autograd
import autograd.numpy as agnp
import numpy as np
import pytest

import adlib
import adlib.numpy as anp
from adlib import derivative, grad, hessian, hvp, jacfwd, jacrev, jvp, value_and_grad, vjp


def seed_f(x, y):  # the seed article's example
    return (x + y) ** 2


def baydin_f(x1, x2):  # Baydin et al. (2018), Table 2
    return anp.log(x1) + x1 * x2 - anp.sin(x2)


def test_seed_example():
    assert grad(seed_f, (0, 1))(2.0, 3.0) == pytest.approx((10.0, 10.0))  # 2 (x + y)


def test_baydin_example_against_published_values():
    value, (d1, d2) = value_and_grad(baydin_f, (0, 1))(2.0, 5.0)
    assert round(float(value), 3) == 11.652
    assert (round(float(d1), 3), round(float(d2), 3)) == (5.5, 1.716)
    assert np.allclose(jvp(baydin_f, (2.0, 5.0), (1.0, 0.0))[1], 5.5)


def test_perturbation_confusion():
    # Siskind & Pearlmutter (2005): d/dx [x * (d/dy (x + y))(1)] at 1 is 1, not 2
    assert derivative(lambda x: x * derivative(lambda y: x + y)(1.0))(1.0) == 1.0
    assert grad(lambda x: x * grad(lambda y: x + y)(1.0))(1.0) == 1.0
    assert grad(lambda x: x * derivative(lambda y: x * y)(1.0))(3.0) == 6.0  # d/dx x^2
    assert derivative(lambda x: x * grad(lambda y: x * y)(1.0))(3.0) == 6.0


@pytest.mark.parametrize("x", [0.3, 1.7])
def test_every_nesting_order_to_third_order(x):
    f, d3 = (lambda t: anp.sin(t) * t), (lambda t: -3 * np.sin(t) - t * np.cos(t))
    for outer in (grad, derivative):
        for middle in (grad, derivative):
            for inner in (grad, derivative):
                assert np.isclose(outer(middle(inner(f)))(x), d3(x))


def test_jacobians_in_every_mix_of_modes():
    f = lambda x: anp.tanh(x) * anp.sum(x ** 2)  # noqa: E731
    g = lambda x: agnp.tanh(x) * agnp.sum(x ** 2)  # noqa: E731
    x = np.array([0.1, -0.4, 0.9])
    expected = autograd.jacobian(autograd.jacobian(g))(x)
    for outer in (jacfwd, jacrev):
        for inner in (jacfwd, jacrev):
            assert outer(inner(f))(x).shape == (3, 3, 3)
            assert np.allclose(outer(inner(f))(x), expected)


def test_hessian_and_hvp_against_autograd():
    f = lambda x: anp.sum(anp.sin(x) * x[0] ** 2) + anp.prod(x)  # noqa: E731
    g = lambda x: agnp.sum(agnp.sin(x) * x[0] ** 2) + agnp.prod(x)  # noqa: E731
    x, v = np.array([0.5, 1.5, -1.0]), np.array([1.0, -2.0, 0.5])
    assert np.allclose(hessian(f)(x), autograd.hessian(g)(x))
    assert np.allclose(hvp(f, x, v), autograd.hessian(g)(x) @ v)


def test_vjp_and_jvp_are_transposes():
    f = lambda x: anp.matmul(np.arange(6.0).reshape(2, 3), anp.exp(x))  # noqa: E731
    x, u, v = np.array([0.1, 0.2, 0.3]), np.array([1.0, -1.0]), np.array([0.5, 0.0, 2.0])
    out, vjp_fn = vjp(f, x)
    (ct,) = vjp_fn(u)
    assert np.isclose(ct @ v, u @ jvp(f, (x,), (v,))[1])


def test_containers_keep_their_structure():
    params = {"W": np.ones((2, 3)), "layers": [np.zeros(3), (1.0, np.arange(2.0))]}

    def loss(p, lib):
        return lib.sum(lib.tanh(p["W"] @ (p["layers"][0] + 1.0))) * p["layers"][1][0] \
            + lib.sum(p["layers"][1][1] ** 2)
    ours = grad(lambda p: loss(p, anp))(params)
    theirs = autograd.grad(lambda p: loss(p, agnp))(params)
    assert set(ours) == {"W", "layers"} and isinstance(ours["layers"], list)
    assert isinstance(ours["layers"][1], tuple)
    for a, b in zip(adlib.core.tree_flatten(ours)[0], adlib.core.tree_flatten(theirs)[0]):
        assert np.shape(a) == np.shape(b) and np.allclose(a, b)
        assert np.result_type(a).kind == "f"


def test_broadcasting_sums_back_to_each_shape():
    f = lambda a, b, c: anp.sum(a * b + c)  # noqa: E731
    a, b, c = np.ones((3, 1)), np.arange(4.0), 2.0
    ga, gb, gc = grad(f, (0, 1, 2))(a, b, c)
    assert ga.shape == (3, 1) and gb.shape == (4,) and np.shape(gc) == ()
    assert np.allclose(ga, 6.0) and np.allclose(gb, 3.0) and gc == 12.0


def test_plain_numpy_code_is_differentiable():
    x = np.linspace(-1.0, 1.0, 4)
    assert np.allclose(grad(lambda x: np.sum(np.sin(x) ** 2))(x), np.sin(2 * x))
    assert np.allclose(grad(lambda x: np.mean(np.maximum(x, 0.0) @ np.ones(4)))(x), x > 0)


def test_grad_of_non_scalar_output_says_what_to_use():
    with pytest.raises(TypeError, match="scalar.*jacrev.*vjp"):
        grad(lambda x: x * 2.0)(np.ones(3))


def test_integer_inputs_give_float_gradients():
    assert grad(lambda x: x ** 2)(3) == 6.0
    g = grad(lambda x: anp.sum(x ** 2))(np.arange(3))
    assert g.dtype.kind == "f" and np.allclose(g, [0.0, 2.0, 4.0])


def test_complex_inputs_are_refused():
    with pytest.raises(TypeError, match="adlib.*complex"):
        grad(lambda x: x * 2.0)(1j)


@pytest.mark.parametrize("x", [1.0, np.ones(3)])
def test_in_place_assignment_is_an_error_not_a_zero_gradient(x):
    def f(x):
        y = np.zeros((2, 3))
        y[0] = x
        return np.sum(y)
    with pytest.raises(TypeError, match=r"in-place assignment.*anp\.stack"):
        grad(f)(x)


def test_function_without_a_rule_is_named():
    with pytest.raises(NotImplementedError, match=r"numpy\.linalg\.qr"):
        grad(lambda a: np.sum(np.linalg.qr(a)[0]))(np.eye(2))
    with pytest.raises(NotImplementedError, match=r"numpy\.add\.reduce"):
        grad(lambda a: np.add.reduce(a))(np.ones(2))


def test_independent_output_gives_zero_gradient_of_the_right_shape():
    g = grad(lambda x: 3.0)(np.ones((2, 4)))
    assert g.shape == (2, 4) and not g.any()
    assert grad(lambda x, y: x * 2.0, 1)(1.0, 5.0) == 0.0
    assert jacrev(lambda x: np.ones(2))(np.ones(3)).shape == (2, 3)


def test_a_chain_of_100000_operations_without_recursion():
    def chain(x):
        for _ in range(100_000):
            x = x * 0.99999 + 0.00001 * x
        return x
    assert np.isclose(grad(chain)(2.0), 1.0)  # the map is exactly x -> x
    assert np.isclose(derivative(chain)(2.0), 1.0)


def test_repeated_calls_give_the_same_answer_and_release_the_tape():
    probe = []

    def f(x):
        big = anp.exp(x) * 1.0
        probe.append(weakref.ref(big.value))  # an intermediate the tape holds on to
        return anp.sum(big)
    g = grad(f)
    x = np.linspace(0, 1, 1000)
    first, second = g(x), g(x)
    assert np.array_equal(first, second) and np.allclose(first, np.exp(x))
    gc.collect()
    assert all(ref() is None for ref in probe), "the tape outlived the call"


def test_fan_out_accumulates():
    def f(x):
        return sum(x * float(k) for k in range(1, 101))  # x used 100 times
    assert grad(f)(1.0) == 5050.0


def test_argnum_tuple_and_value_and_grad():
    value, (gx, gy) = value_and_grad(lambda x, y: x * anp.sin(y), (0, 1))(2.0, 0.5)
    assert np.isclose(value, 2 * np.sin(0.5))
    assert np.isclose(gx, np.sin(0.5)) and np.isclose(gy, 2 * np.cos(0.5))


def test_cotangent_shape_is_checked():
    _, vjp_fn = vjp(lambda x: x * 2.0, np.ones(3))
    with pytest.raises(ValueError, match="cotangent"):
        vjp_fn(np.ones(2))


def test_custom_primitive_and_check_grads():
    @adlib.primitive
    def softplus(x):
        return np.logaddexp(x, 0.0)
    adlib.defvjp(softplus, lambda ans, x: lambda g: g * anp.exp(x - ans))
    adlib.defjvp(softplus, lambda t, ans, x: t * anp.exp(x - ans))
    adlib.check_grads(softplus, np.array([-800.0, -1.0, 0.0, 2.0, 800.0]), order=2)
    assert np.allclose(grad(lambda x: anp.sum(softplus(x)))(np.array([800.0])), 1.0)

    @adlib.primitive
    def quotient(u, v):
        return u / v
    adlib.defvjp(quotient, lambda ans, u, v: lambda g: g / v,
                 lambda ans, u, v: lambda g: g * u / v ** 2)  # the sign is wrong
    adlib.defjvp(quotient, lambda t, ans, u, v: t / v, lambda t, ans, u, v: -t * u / v ** 2)
    with pytest.raises(AssertionError, match=r"(?s)reverse-mode.*quotient.*analytic"):
        adlib.check_grads(quotient, 1.5, 2.0, modes=("rev",))
    adlib.check_grads(quotient, 1.5, 2.0, modes=("fwd",), order=1)


def test_missing_rule_is_an_error():
    @adlib.primitive
    def mystery(x):
        return x * 2.0
    with pytest.raises(NotImplementedError, match="mystery.*defvjp"):
        grad(mystery)(1.0)


def test_trace_tables_follow_baydin():
    t = adlib.trace(baydin_f, 2.0, 5.0)
    text = str(t)
    assert "v-1" in text and "log(v-1)" in text and "11.6521" in text
    assert np.isclose(t.tangents([1.0, 0.0])["v5"], 5.5)
    adj = t.adjoints()
    assert np.isclose(adj["v-1"], 5.5) and np.isclose(adj["v0"], 2 - np.cos(5.0))
    assert "v\u0304-1" in t.adjoint_table()
    assert "tangent" in t.tangent_table([1.0, 0.0])


def test_trace_draws_the_graph():
    import matplotlib
    matplotlib.use("Agg")
    ax = adlib.trace(seed_f, 2.0, 3.0).draw()
    labels = [t.get_text() for t in ax.texts if t.get_text()]  # arrows have no text
    assert len(labels) == 4 and labels[-1].startswith("v2")  # x, y, x + y, (x + y) ** 2


@pytest.mark.filterwarnings("ignore:divide by zero", "ignore:invalid value")
def test_scalar_inputs_follow_ieee_arithmetic_not_pythons():
    # Python raises on 1.0 / 0.0; NumPy (and autograd) give -inf for d(1/x) at 0
    assert grad(lambda x: 1.0 / x)(0.0) == autograd.grad(lambda x: 1.0 / x)(0.0) == -np.inf
    assert derivative(lambda x: 1.0 / x)(0.0) == -np.inf
    assert np.isnan(grad(lambda x: x ** (1.0 / 3.0))(-8.0))  # Python would go complex
