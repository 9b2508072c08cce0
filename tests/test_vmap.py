"""adlib.vmap: JAX's semantics, nesting, pytrees, composition with the derivatives in both
orders, per-example gradients, and clear errors. Every result is compared with a Python loop
(or autograd on such a loop)."""
import autograd
import autograd.numpy as agnp
import numpy as np
import pytest

import adlib
import adlib.numpy as anp
from adlib import grad, hessian, jacfwd, jacrev, jvp, vjp, vmap

rng = np.random.default_rng(0)


def loop(f, *xs):
    return np.stack([f(*x) for x in zip(*xs)])


def mlp_loss(params, x, y, m=anp):
    h = m.tanh(x @ params["W1"] + params["b1"])
    logits = h @ params["W2"] + params["b2"]
    return m.log(m.sum(m.exp(logits))) - logits[y]  # cross-entropy for label y


PARAMS = {"W1": rng.standard_normal((5, 4)) * 0.5, "b1": np.zeros(4),
          "W2": rng.standard_normal((4, 3)) * 0.5, "b2": 0.1 * np.ones(3)}
X, Y = rng.standard_normal((6, 5)), rng.integers(0, 3, 6)


def test_members_see_their_own_shapes_and_axes():
    xs = rng.standard_normal((4, 3, 2))

    def f(x):
        assert x.shape == (3, 2) and x.ndim == 2 and len(x) == 3
        return anp.sum(x, axis=-1) + x[0, 1] * anp.reshape(x, (6,))[2] + anp.max(x.T, axis=0)[1]
    expected = loop(lambda x: np.sum(x, -1) + x[0, 1] * x.reshape(6)[2] + np.max(x.T, 0)[1], xs)
    assert np.allclose(vmap(f)(xs), expected)


def test_in_axes_out_axes_and_unbatched_arguments():
    a, b = rng.standard_normal((3, 5)), rng.standard_normal(3)
    f = lambda a, b, c: anp.sin(a) * b + c  # noqa: E731
    got = vmap(f, in_axes=(1, None, None), out_axes=1)(a, b, 2.0)
    assert np.allclose(got, np.stack([np.sin(a[:, k]) * b + 2.0 for k in range(5)], axis=1))
    assert np.allclose(vmap(lambda x: 3.0, in_axes=0)(b), 3.0 * np.ones(3))  # broadcast


def test_pytrees_in_and_out_with_an_axes_tree():
    params = {"w": rng.standard_normal((4, 3)), "b": rng.standard_normal(4)}

    def f(p, x):
        return {"out": p["w"] @ x + p["b"], "pair": (anp.sum(x), x * 2)}
    xs = rng.standard_normal((5, 3))
    got = vmap(f, in_axes=({"w": None, "b": None}, 0))(params, xs)
    assert np.allclose(got["out"], xs @ params["w"].T + params["b"])
    assert np.allclose(got["pair"][0], xs.sum(1)) and np.allclose(got["pair"][1], 2 * xs)
    # a batched entry inside the tree, the rest not
    bs = rng.standard_normal((5, 4))
    got = vmap(f, in_axes=({"w": None, "b": 0}, 0))({"w": params["w"], "b": bs}, xs)
    assert np.allclose(got["out"], xs @ params["w"].T + bs)


def test_keyword_arguments_are_mapped_along_axis_0():
    got = vmap(lambda x, scale: x * scale)(np.ones((3, 2)), scale=np.arange(3.0))
    assert np.allclose(got, np.arange(3.0)[:, None] * np.ones((3, 2)))


def test_nested_vmap_is_a_double_loop():
    A = rng.standard_normal((3, 4, 5))
    f = lambda row: anp.sum(anp.exp(row) * row[::-1])  # noqa: E731
    expected = np.array([[np.sum(np.exp(r) * r[::-1]) for r in m] for m in A])
    assert np.allclose(vmap(vmap(f))(A), expected)
    # the outer map over the columns (in_axes=1), the inner over the rows
    got = vmap(vmap(f), in_axes=1)(A)
    assert got.shape == (4, 3) and np.allclose(got, expected.T)
    # an outer product by nesting with None
    x, y = rng.standard_normal(3), rng.standard_normal(4)
    outer = vmap(vmap(lambda a, b: a * b, in_axes=(None, 0)), in_axes=(0, None))(x, y)
    assert np.allclose(outer, np.outer(x, y))


def test_per_example_gradients_equal_a_loop_of_grad():
    per_example = vmap(grad(mlp_loss), in_axes=(None, 0, 0))(PARAMS, X, Y)
    for name in PARAMS:
        expected = loop(lambda x, y: grad(mlp_loss)(PARAMS, x, y)[name], X, Y)
        assert per_example[name].shape == (6,) + PARAMS[name].shape
        assert np.allclose(per_example[name], expected)
    ag = autograd.grad(lambda p, x, y: mlp_loss(p, x, y, agnp))
    assert np.allclose(per_example["W1"][2], ag(PARAMS, X[2], Y[2])["W1"])


def test_grad_of_a_function_that_uses_vmap():
    def batch_loss(p):
        return anp.mean(vmap(mlp_loss, in_axes=(None, 0, 0))(p, X, Y))
    g = grad(batch_loss)(PARAMS)
    expected = autograd.grad(lambda p: agnp.mean(agnp.stack(
        [mlp_loss(p, x, y, agnp) for x, y in zip(X, Y)])))(PARAMS)
    for name in PARAMS:
        assert np.allclose(g[name], expected[name])


def test_jvp_and_vjp_in_both_orders():
    f = lambda x: anp.tanh(x) * anp.sum(x ** 2)  # noqa: E731
    xs, ts = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    expected = loop(lambda x, t: jvp(f, (x,), (t,))[1], xs, ts)
    assert np.allclose(vmap(lambda x, t: jvp(f, (x,), (t,))[1])(xs, ts), expected)
    # jvp of a vmapped function
    assert np.allclose(jvp(vmap(f), (xs,), (ts,))[1], expected)
    # vmap of a VJP: rows of the Jacobian; and the VJP of a vmapped function
    x = xs[0]
    _, pull = vjp(f, x)
    assert np.allclose(vmap(lambda u: pull(u)[0])(np.eye(3)), autograd.jacobian(
        lambda x: agnp.tanh(x) * agnp.sum(x ** 2))(x))
    _, pull_all = vjp(vmap(f), xs)
    assert np.allclose(pull_all(ts)[0], loop(lambda x, t: vjp(f, x)[1](t)[0], xs, ts))


def test_hessians_inside_and_outside_vmap():
    f = lambda x: anp.sum(anp.sin(x) * x[0] ** 2) + anp.prod(x)  # noqa: E731
    g = lambda x: agnp.sum(agnp.sin(x) * x[0] ** 2) + agnp.prod(x)  # noqa: E731
    xs = rng.standard_normal((3, 4))
    assert np.allclose(vmap(hessian(f))(xs), loop(autograd.hessian(g), xs))
    h = hessian(lambda x: anp.sum(vmap(f)(anp.reshape(x, (2, 2)))))(xs[0])
    assert np.allclose(h, autograd.hessian(lambda x: g(x[:2]) + g(x[2:]))(xs[0]))


def test_jacobians_of_tree_outputs():
    f = lambda x: {"a": anp.sin(x), "b": anp.sum(x) * x[:2]}  # noqa: E731
    x = rng.standard_normal(3)
    for jac in (jacfwd, jacrev):
        J = jac(f)(x)
        assert np.allclose(J["a"], np.diag(np.cos(x)))
        assert np.allclose(J["b"], autograd.jacobian(lambda x: agnp.sum(x) * x[:2])(x))


def test_clear_errors():
    with pytest.raises(ValueError, match="adlib.vmap.*different sizes"):
        vmap(lambda a, b: a + b)(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="adlib.vmap.*no argument is mapped"):
        vmap(lambda a: a, in_axes=None)(np.ones(3))
    with pytest.raises(ValueError, match="adlib.vmap.*in_axes .* does not match"):
        vmap(lambda p: p["w"], in_axes=({"v": 0},))({"w": np.ones(3)})
    with pytest.raises(ValueError, match="adlib.vmap.*out of range"):
        vmap(lambda a: a, in_axes=2)(np.ones((3, 2)))
    with pytest.raises(TypeError, match="adlib.vmap.*control flow.*anp.where"):
        vmap(lambda x: x if x > 0 else -x)(np.ones(3))

    with pytest.raises(NotImplementedError, match="nonzero cannot be batched.*anp.where"):
        vmap(lambda x: anp.sum(x[anp.nonzero(x > 0)]))(np.ones((2, 3)))
    with pytest.raises(NotImplementedError, match="boolean mask.*anp.where"):
        vmap(lambda x, m: anp.sum(x[m]))(np.ones((2, 3)), np.ones((2, 3), bool))

    @adlib.primitive
    def mystery(x):
        return 2.0 * x
    with pytest.raises(NotImplementedError, match="adlib.vmap: mystery has no batching rule"
                                                  ".*adlib.defbatch"):
        vmap(mystery)(np.ones(3))


def test_a_batching_rule_written_by_hand():
    @adlib.primitive
    def cube(x):
        return x ** 3
    adlib.defvjp(cube, lambda ans, x: lambda g: 3.0 * g * x ** 2)
    adlib.defjvp(cube, lambda t, ans, x: 3.0 * t * x ** 2)
    adlib.defbatch(cube, lambda batched, x: cube(x))  # elementwise: the batch is more elements
    xs = rng.standard_normal((4, 3))
    assert np.allclose(vmap(cube)(xs), xs ** 3)
    assert np.allclose(jacfwd(cube)(xs[0]), np.diag(3 * xs[0] ** 2))
    assert np.allclose(vmap(grad(lambda x: anp.sum(cube(x))))(xs), 3 * xs ** 2)
