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
    for a, b in zip(adlib.tree.tree_flatten(ours)[0], adlib.tree.tree_flatten(theirs)[0]):
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
    # subscripted names: v₋₁ cannot be read as a subtraction, as v-1 could
    assert t.names == ["v\u208b\u2081", "v\u2080"] + [f"v{chr(0x2080 + i)}" for i in range(1, 6)]
    assert "v-1" not in text and "log(v\u208b\u2081)" in text and "11.6521" in text
    assert np.isclose(t.tangents([1.0, 0.0])["v\u2085"], 5.5)
    adj = t.adjoints()
    assert np.isclose(adj["v\u208b\u2081"], 5.5) and np.isclose(adj["v\u2080"], 2 - np.cos(5.0))
    assert "v\u0304\u208b\u2081" in t.adjoint_table()
    header, ruling, *rows = t.tangent_table([1.0, 0.0]).splitlines()
    # each column has its heading over it, above a ruling as wide as the column
    starts = [i for i, c in enumerate(ruling) if c == "-" and (i == 0 or ruling[i - 1] == " ")]
    assert [header[i:].split("  ")[0] for i in starts] == [
        "node", "operation", "value", "tangent update", "tangent"]
    assert len(ruling) == len(header.rstrip())
    # how each tangent is computed, the local derivatives as numbers (Baydin et al., Table 2:
    # v̇2 = v̇-1 v0 + v-1 v̇0, v̇4 = v̇0 cos v0, v̇5 = v̇3 - v̇4)
    d = {k: "v\u0307" + k[1:] for k in t.names}  # v̇
    line = {r.split()[0]: r for r in rows}
    assert f"{d['v₂']} = 5 * {d['v₋₁']} + 2 * {d['v₀']}  " in line["v₂"]
    assert f"{d['v₄']} = {np.cos(5.0):.4f} * {d['v₀']}  " in line["v₄"]
    assert f"{d['v₅']} = {d['v₃']} - {d['v₄']}  " in line["v₅"]
    assert line["v₅"].split()[-1] == "5.5" and line["v₋₁"].split()[-3:] == ["=", "seed", "1"]


def test_trace_table_keeps_a_matrix_in_its_column():
    W = np.array([[1.0, -2.0], [3.0, 4.5]])
    text = adlib.trace(lambda W: anp.sum(anp.tanh(W * 2)), W).primal_table()
    lines = text.splitlines()
    first = next(i for i, s in enumerate(lines) if s.startswith("v\u2080 "))
    column = lines[first].index("[[")
    # the matrix's second row continues under its first, not at the left margin
    assert lines[first + 1].index("[") == column + 1 and lines[first + 1][:column].strip() == ""


def test_names_beyond_nine_have_subscript_digits():
    def f(x):
        for _ in range(11):
            x = anp.sin(x)
        return x
    assert adlib.trace(f, 0.3).names[-2:] == ["v\u2081\u2080", "v\u2081\u2081"]


def test_adjoint_table_shows_each_contribution_and_the_running_total():
    # x sin x: v0 = x gets 0.9975 (= sin x) from the product, then 0.1061 (= x cos x) via sin
    rows = [r.split() for r in adlib.trace(lambda x: x * anp.sin(x), 1.5)
            .adjoint_table().splitlines()]
    assert rows[0][-3:] == ["contribution", "running", "total"]
    updates = [r for r in rows if r[0] == "v\u0304\u2080" and r[1] == "+="]
    shares, totals = [float(r[-2]) for r in updates], [float(r[-1]) for r in updates]
    assert np.allclose(shares, [np.sin(1.5), 1.5 * np.cos(1.5)], atol=1e-4)
    assert np.allclose(totals, np.cumsum(shares), atol=1e-4)
    assert np.isclose(totals[-1], np.sin(1.5) + 1.5 * np.cos(1.5), atol=1e-4)


def _drawing(ax):
    """The texts of a drawing and their extents on the screen."""
    ax.figure.draw_without_rendering()
    return [(t.get_text(), t.get_window_extent()) for t in ax.texts if t.get_text()]


def test_trace_draws_the_graph():
    import matplotlib
    matplotlib.use("Agg")
    ax = adlib.trace(seed_f, 2.0, 3.0).draw()
    labels = [t.get_text() for t in ax.texts if t.get_text()]  # arrows have no text
    assert len(labels) == 4 and labels[-1].startswith("v\u2082")  # x, y, x + y, (x + y) ** 2
    # a subtraction node shows U+2212: a hyphen alone on its line reads as a separator
    boxes = [t for t, _ in _drawing(adlib.trace(baydin_f, 2.0, 5.0).draw())]
    assert boxes[-1].split("\n")[:2] == ["v\u2085", "\u2212"]
    # and so does a negative number, in a box, an edge label or a note
    t = adlib.trace(baydin_f, 2.0, 5.0)
    texts = [s for s, _ in _drawing(t.draw(edge_labels=True, notes={"v\u2084": "a = -1.5"}))]
    assert "v\u2084\nsin\n\u22120.959" in texts and "\u22121" in texts and "a = \u22121.5" in texts
    assert not any("-" in s for s in texts)
    # a power with a constant exponent shows it, so that the edge label 2 v1 = 10 can be traced
    texts = [s for s, _ in _drawing(adlib.trace(seed_f, 2.0, 3.0).draw(edge_labels=True))]
    assert texts[3] == "v\u2082\n**2\n25" and "10" in texts


def test_edge_labels_of_long_edges_sit_in_the_first_gap():
    # Baydin's sin(x2) (column 1) feeds the output (column 3), passing v3 in column 2: its
    # label −1 must sit between columns 1 and 2, not beside v3
    import matplotlib
    matplotlib.use("Agg")
    ax = adlib.trace(baydin_f, 2.0, 5.0).draw(edge_labels=True)
    (label,) = [t for t in ax.texts if t.get_text() == "\u22121"]
    assert 1.0 < label.xy[0] < 1.6


def test_notes_and_labels_overlap_nothing():
    # the notes (under the boxes, or above one where an edge passes below) and the edge
    # labels overlap no box and no other text
    import matplotlib
    matplotlib.use("Agg")
    t = adlib.trace(baydin_f, 2.0, 5.0)
    notes = {k: f"v\u0307{k[1:]} = {float(d):.4g}" for k, d in t.tangents([1.0, 0.0]).items()}
    ax = t.draw(figsize=(8, 4.4), edge_labels=True, notes=notes, note_color="C4")
    texts = _drawing(ax)
    assert sorted(s for s, _ in texts if s in notes.values()) == sorted(notes.values())
    assert all(n.get_color() == "C4" for n in ax.texts if n.get_text() in notes.values())
    for i, (_, a) in enumerate(texts):
        for _, b in texts[i + 1:]:
            assert not a.overlaps(b)
    # nor does a note sit on an edge (all of Baydin's edges are straight)
    along = np.linspace(0, 1, 200)[:, None]
    for edge in (e for e in ax.texts if not e.get_text()):
        ends = ax.transData.transform([edge.xyann, edge.xy])
        points = ends[0] + along * (ends[1] - ends[0])
        for _, box in ((s, b) for s, b in texts if s in notes.values()):
            assert not box.count_contains(points)


@pytest.mark.parametrize("figsize", [(6, 2.6), (7, 3.4), (8, 4.4)])
def test_labels_keep_clear_of_the_edges_and_their_arrowheads(figsize):
    # Baydin's sin(x2) label 0.284 once sat 1 px from the head of its edge: every label and
    # note keeps some room (here 5 px) from every edge as drawn, arrowhead included
    import matplotlib
    matplotlib.use("Agg")
    t = adlib.trace(baydin_f, 2.0, 5.0)
    notes = {k: f"v\u0307{k[1:]} = {float(d):.4g}" for k, d in t.tangents([1.0, 0.0]).items()}
    for ax in (t.draw(figsize=figsize, edge_labels=True),
               t.draw(figsize=figsize, edge_labels=True, notes=notes)):
        texts = [b for s, b in _drawing(ax) if "\n" not in s]
        heads = [a.arrow_patch.get_path() for a in ax.texts if not a.get_text()]  # in pixels
        for path in heads:
            points = np.concatenate([seg(np.linspace(0, 1, 50)) for seg, _ in path.iter_bezier()])
            for b in texts:  # distance from the text's box to the path
                gap = np.hypot(np.maximum(np.maximum(b.x0 - points[:, 0], points[:, 0] - b.x1), 0),
                               np.maximum(np.maximum(b.y0 - points[:, 1], points[:, 1] - b.y1), 0))
                assert gap.min() >= 5


def test_the_y_range_fits_the_drawing():
    # x sin x: one row of boxes and an arc over it, which once left the lower third empty
    import matplotlib
    matplotlib.use("Agg")
    ax = adlib.trace(lambda x: x * anp.sin(x), 1.5).draw(figsize=(5.5, 2.6), edge_labels=True)
    texts = [b for _, b in _drawing(ax)]
    arcs = [a.arrow_patch.get_window_extent() for a in ax.texts if not a.get_text()]
    frame = ax.get_window_extent()
    below = min(b.y0 for b in texts + arcs) - frame.y0
    above = frame.y1 - max(b.y1 for b in texts + arcs)
    assert max(below, above) < 0.3 * frame.height and abs(below - above) < 0.1 * frame.height


@pytest.mark.parametrize("figsize", [(7, 3.4), (8, 4.4)])
def test_edge_labels_stay_out_of_the_gap_between_converging_edges(figsize):
    # x1 -> v2 (label 5) and x2 -> v2 (label 2) converge on v2: a label between them could
    # belong to either, so each goes on the outer side of its edge
    import matplotlib
    matplotlib.use("Agg")
    ax = adlib.trace(baydin_f, 2.0, 5.0).draw(figsize=figsize, edge_labels=True)
    texts = dict(_drawing(ax))
    for label in ("5", "2"):
        x, y = ax.transData.inverted().transform(texts[label].get_points().mean(axis=0))
        # x1 at (0, 0.5), x2 at (0, -0.5), v2 at (1, 0)
        assert not -0.5 + 0.5 * x < y < 0.5 - 0.5 * x


def test_a_bent_edge_keeps_its_label_clear_after_the_layout_changes():
    # x -> x * sin(x) arcs over sin(x); tight_layout after draw(ax=...) resizes the axes, and
    # the arc (fixed in data coordinates) must still pass beside its label, not through it
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (_, ax) = plt.subplots(1, 2, figsize=(11, 2.9))
    adlib.trace(lambda x: anp.sin(x) * x, 1.5).draw(ax=ax, edge_labels=True)
    ax.set_title("a title")
    fig.tight_layout()
    fig.draw_without_rendering()
    labels = [t.get_window_extent() for t in ax.texts if t.get_text() and "\n" not in t.get_text()]
    edges = [t.arrow_patch.get_path() for t in ax.texts if not t.get_text()]  # in pixels
    assert len(labels) == len(edges) == 3
    for path in edges:
        points = np.concatenate([seg(np.linspace(0, 1, 50)) for seg, _ in path.iter_bezier()])
        assert not any(label.count_contains(points) for label in labels)
    plt.close(fig)


@pytest.mark.filterwarnings("ignore:divide by zero", "ignore:invalid value")
def test_scalar_inputs_follow_ieee_arithmetic_not_pythons():
    # Python raises on 1.0 / 0.0; NumPy (and autograd) give -inf for d(1/x) at 0
    assert grad(lambda x: 1.0 / x)(0.0) == autograd.grad(lambda x: 1.0 / x)(0.0) == -np.inf
    assert derivative(lambda x: 1.0 / x)(0.0) == -np.inf
    assert np.isnan(grad(lambda x: x ** (1.0 / 3.0))(-8.0))  # Python would go complex


# ---------------------------------------------------------------- once silently wrong (issue 10)

def test_complex_values_are_refused_as_inputs_and_as_intermediates():
    with pytest.raises(TypeError, match="adlib: an intermediate result is complex"):
        grad(lambda x: anp.abs(1j * x) ** 2)(1.5)
    dft = np.exp(-2j * np.pi * np.outer(np.arange(4), np.arange(4)) / 4)
    with pytest.raises(TypeError, match="adlib.*complex"):
        grad(lambda x: anp.sum(anp.abs(dft @ x) ** 2))(np.arange(4.0))
    with pytest.raises(TypeError, match="adlib.*complex"):
        adlib.vmap(lambda x: x * 1j)(np.ones(3))
    with pytest.raises(TypeError, match="adlib.*complex"):
        x = np.ones(2)
        adlib.jvp(lambda x: x.astype(complex), (x,), (x,))


@pytest.mark.parametrize("k", [2, 3])
def test_linear_algebra_on_a_stack_of_matrices(k):
    S = np.array([[2.0, 0.5], [0.3, 1.5]])
    b = np.array([1.0, -2.0])
    for ours, theirs in [
            (lambda S: anp.sum(anp.linalg.det(anp.stack([S * (i + 1) for i in range(k)]))),
             lambda S: sum(np.linalg.det(S * (i + 1)) for i in range(k))),
            (lambda S: anp.sum(anp.linalg.inv(anp.stack([S * (i + 1) for i in range(k)])) ** 2),
             lambda S: sum(np.sum(np.linalg.inv(S * (i + 1)) ** 2) for i in range(k))),
            (lambda S: anp.sum(anp.linalg.solve(anp.stack([S * (i + 1) for i in range(k)]), b)),
             lambda S: sum(np.sum(np.linalg.solve(S * (i + 1), b)) for i in range(k)))]:
        assert np.isclose(ours(S), theirs(S))
        adlib.check_grads(ours, S, order=2)


def test_clip_with_traced_bounds():
    x = np.array([-2.0, 0.0, 2.0])
    d_lo, d_hi = grad(lambda lo, hi: anp.sum(anp.clip(x, lo, hi)), (0, 1))(-1.0, 1.0)
    assert (d_lo, d_hi) == (1.0, 1.0)  # one element clipped at each bound


def test_inner_and_the_spectral_norm():
    A, B = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(4, 3)
    assert np.allclose(anp.inner(A, B), A @ B.T)
    assert np.allclose(grad(lambda A: anp.sum(anp.inner(A, B) ** 2))(A),
                       autograd.grad(lambda A: agnp.sum(agnp.inner(A, B) ** 2))(A))
    M = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert np.isclose(anp.linalg.norm(M, 2, axis=(0, 1)), np.linalg.svd(M)[1][0])
    u, s, vt = np.linalg.svd(M)
    assert np.allclose(grad(lambda M: anp.linalg.norm(M, 2, axis=(0, 1)))(M),
                       np.outer(u[:, 0], vt[0]))  # d sigma_max = u1 v1^T


def test_integer_casts_follow_numpy():
    assert grad(lambda x: x.astype(int) * x)(2.7) == 2.0  # value 2 * x: derivative 2
    f = lambda x: anp.sum(x.astype(int) * x)  # noqa: E731
    assert f(np.array([1.5, 2.5])) == np.sum(np.array([1.5, 2.5]).astype(int) * [1.5, 2.5])
    assert adlib.vjp(f, np.array([1.5, 2.5]))[0] == 1 * 1.5 + 2 * 2.5


def test_powers_with_exponent_zero_at_zero():
    assert grad(lambda x: x ** 0)(0.0) == 0.0
    c = np.array([1.0, 2.0, 3.0])
    assert grad(lambda x: anp.sum(c * x ** np.arange(3)))(0.0) == 2.0  # d/dx (1 + 2x + 3x^2)
    assert hessian(lambda x: x ** 1)(0.0) == 0.0
    assert hessian(lambda x: anp.sum(c * x ** np.arange(3.0)))(0.0) == 6.0


def test_a_function_without_return_is_an_error():
    def f(x):
        x * 2.0
    for transform in (grad, adlib.derivative, adlib.jacfwd, adlib.jacrev):
        with pytest.raises(TypeError, match="adlib.*returned None.*return"):
            transform(f)(1.0)


def test_none_leaves_pass_through():
    g = grad(lambda p: p["w"] ** 2 + (0.0 if p["b"] is None else p["b"]))({"w": 3.0, "b": None})
    assert g == {"w": 6.0, "b": None}


def test_float32_inputs_get_float32_derivatives():
    x = np.ones(3, np.float32)
    assert grad(lambda x: anp.sum(anp.sin(x) * 2.0))(x).dtype == np.float32
    assert grad(lambda x: anp.sin(x) * 2.0)(np.float32(1.0)).dtype == np.float32
    assert autograd.grad(lambda x: agnp.sum(agnp.sin(x) * 2.0))(x).dtype == np.float32
    assert adlib.jvp(lambda x: anp.sin(x), (x,), (x,))[1].dtype == np.float32


def test_prod_with_zero_factors():
    x = np.array([2.0, 0.0, 3.0])
    assert np.allclose(grad(anp.prod)(x), [0.0, 6.0, 0.0])
    assert np.allclose(hessian(anp.prod)(x), autograd.hessian(lambda x: x[0] * x[1] * x[2])(x))
    y = np.array([2.0, 0.0, 0.0])
    assert np.allclose(hessian(anp.prod)(y), autograd.hessian(lambda x: x[0] * x[1] * x[2])(y))
    m = np.array([[1.0, 0.0, 2.0], [0.0, 0.0, 3.0]])
    assert np.allclose(grad(lambda m: anp.sum(anp.prod(m, axis=1)))(m), [[0, 2, 0], [0, 0, 0]])


# ---------------------------------------------------------------- clear errors (issue 10)

def _setitem(x):
    x[0] = 0.0
    return x


@pytest.mark.parametrize("call,kind,pattern", [
    (lambda: grad(lambda p: p["w"] ** 2)({"w": 3.0, "act": "relu"}), TypeError,
     r"adlib: cannot differentiate with respect to 'relu'.*closure"),
    (lambda: jacfwd(lambda p: p["w"])({"w": np.ones(2)}), TypeError,
     r"adlib.jacfwd.*dict.*ravel_pytree"),
    (lambda: hessian(lambda p: anp.sum(p["w"] ** 2))({"w": np.ones(2)}), TypeError,
     r"adlib.*dict.*ravel_pytree"),
    (lambda: grad(lambda x: x * 1j)(1.0), TypeError, r"adlib.*complex"),
    (lambda: grad(lambda x: anp.sum(np.clip(x, a_min=0, a_max=1, out=np.ones(2))))(np.ones(2)),
     TypeError, r"adlib: clip\(\.\.\., out=\.\.\.\)"),
    (lambda: grad(lambda x: np.max(x, where=x > 0))(np.ones(2)), ValueError,
     r"adlib: max\(\.\.\., where=\.\.\.\) needs an initial"),
    (lambda: grad(lambda x: anp.sum(_setitem(x)))(np.ones(3)), TypeError,
     r"adlib: traced arrays cannot be assigned to in place.*anp.where"),
    (lambda: grad(lambda a, b: np.sum([a, b]))(1.0, 2.0), TypeError,
     r"adlib:.*anp.sum\(\[\.\.\.\]\)"),
    (lambda: grad(lambda x: anp.sum(x.fill(0.0)))(np.ones(2)), AttributeError,
     r"adlib: traced arrays have no attribute .fill"),
    (lambda: grad(lambda x: anp.sum(x.sort()))(np.ones(2)), TypeError, r"adlib.*anp.sort"),
])
def test_errors_name_adlib_and_say_what_to_do(call, kind, pattern):
    with pytest.raises(kind, match=pattern):
        call()


def test_numpy_keyword_arguments_and_methods():
    x = np.array([[0.6, -2.2, 3.1], [1.3, 4.4, -1.2]])  # away from the jumps of % and round
    checks = [
        (lambda x: np.clip(x, a_min=0.0, a_max=2.0), lambda x: np.clip(x, 0.0, 2.0)),
        (lambda x: np.max(x, axis=1, initial=3.5), lambda x: np.maximum(np.max(x, 1), 3.5)),
        (lambda x: np.sum(x, where=x > 0), lambda x: np.sum(np.where(x > 0, x, 0.0))),
        (lambda x: np.var(x, ddof=1), lambda x: np.sum((x - x.mean()) ** 2) / 5),
        (lambda x: np.diag(x[:, :2], k=1), lambda x: np.array([x[0, 1]])),
        (lambda x: np.trace(x, offset=1), lambda x: x[0, 1] + x[1, 2]),
        (lambda x: x.trace(), lambda x: x[0, 0] + x[1, 1]),
        (lambda x: x % 1.5, lambda x: x - np.floor(x / 1.5) * 1.5),
        (lambda x: x.cumsum(axis=1), lambda x: np.cumsum(x, 1)),
        (lambda x: x.swapaxes(0, 1), lambda x: x.T),
        (lambda x: x.diagonal(), lambda x: np.array([x[0, 0], x[1, 1]])),
        (lambda x: x.real + x.round() + x.argmax(), lambda x: x + np.round(x) + 4),
        (lambda x: anp.sort(x, axis=0), lambda x: np.sort(x, axis=0)),
        (lambda x: anp.mean([x[0], x[1]]), lambda x: np.mean(x)),
        (lambda x: anp.array([x[0, 0], 2.0 * x[1, 1]]), lambda x: np.array([x[0, 0], 2 * x[1, 1]])),
    ]
    for ours, reference in checks:
        assert np.allclose(adlib.vjp(ours, x)[0], reference(x))
        w = np.random.default_rng(1).standard_normal(np.shape(reference(x)))
        adlib.check_grads(lambda x: anp.sum(ours(x) * w), x, order=2)


# ---------------------------------------------------------------- found by a cold review

def test_numpy_conveniences_behave_as_in_numpy():
    x = np.array([1.0, 2.0, 3.0])
    f = lambda x: anp.sum(anp.array(x, ndmin=2).T * x)  # noqa: E731
    assert adlib.vjp(f, x)[0] == f(x) == 36.0
    assert np.allclose(grad(f)(x), autograd.grad(
        lambda x: agnp.sum(agnp.reshape(x, (1, 3)).T * x))(x))
    X, idx = np.arange(12.0).reshape(3, 4), np.array([[0, 3]])
    assert np.array_equal(anp.take_along_axis(X, idx, 1), np.take_along_axis(X, idx, 1))
    g = grad(lambda X: anp.sum(anp.take_along_axis(X, idx, 1)))(X)
    assert np.array_equal(g, np.tile([1.0, 0.0, 0.0, 1.0], (3, 1)))
    assert np.array_equal(anp.take(x, [-1, 5], mode="clip"), np.take(x, [-1, 5], mode="clip"))
    assert np.array_equal(anp.take(x, [4], mode="wrap"), np.take(x, [4], mode="wrap"))
    assert np.array_equal(anp.asarray([1.0, 2.0]) * 2, [2.0, 4.0])
    a = np.ones(2)
    b = anp.copy(a)
    b[0] = 99.0
    assert a[0] == 1.0
    z = np.array([1 + 2j])
    assert anp.imag(z)[0] == 2.0 and anp.real(z)[0] == 1.0 and anp.conj(z)[0] == 1 - 2j
    lin = lambda a: anp.linspace(a, 0.0, 3, dtype=int)  # noqa: E731
    assert np.array_equal(adlib.vjp(lin, -1.9)[0], np.linspace(-1.9, 0.0, 3, dtype=int))
    with np.errstate(divide="ignore"):
        assert np.isinf(1.0 / anp.maximum(0.0, 0.0))
    with pytest.raises(NotImplementedError, match="adlib: pad"):
        anp.pad(x, 1, mode="reflect", reflect_type="odd")


def test_std_where_the_spread_is_zero_has_derivative_zero():
    assert np.array_equal(grad(lambda x: anp.sum(anp.std(x, axis=0)))(np.ones((1, 3))),
                          np.zeros((1, 3)))
    assert grad(anp.std)(3.5) == 0.0
    adlib.check_grads(lambda x: anp.std(x, axis=1), np.array([[1.0, 2.0, 4.0]]), order=2)


def test_python_numbers_do_not_leak_into_derivatives():
    with np.errstate(all="ignore"):
        assert np.isnan(grad(lambda x: anp.maximum(x, 0.0) ** 0.5)(-1.0))
        assert np.isnan(grad(lambda x: anp.minimum(x, -8.0) ** (1 / 3))(0.0))
        assert np.isnan(anp.minimum(0.0, -8.0) ** (1 / 3))


def test_keyword_and_list_arguments():
    x = np.array([0.5, 1.5])
    assert np.allclose(grad(lambda x: anp.sum(anp.linalg.inv(a=anp.diag(x))))(x), -1 / x ** 2)
    with pytest.raises(TypeError, match=r"adlib: exp\(\.\.\., out=\.\.\.\)"):
        grad(lambda x: anp.sum(anp.exp(x, out=None)))(x)
    with pytest.raises(TypeError, match=r"adlib: exp\(\.\.\., where=\.\.\.\)"):
        adlib.vmap(lambda x: anp.exp(x, where=x > 0))(np.ones((2, 2)))
    assert np.allclose(grad(lambda x: anp.sum(np.exp(x, dtype=float)))(x), np.exp(x))
    g = grad(lambda a, b: anp.sum(anp.exp([a, b]) + anp.maximum([a, b], 1.0)), (0, 1))(0.5, 2.0)
    assert np.allclose(g, [np.exp(0.5), np.exp(2.0) + 1.0])
    for f in (anp.diff, anp.flip, anp.trace, anp.zeros_like, anp.linalg.norm):
        arg = [[1.0, 2.0], [4.0, 8.0]]
        assert np.allclose(f(arg), getattr(np.linalg if f is anp.linalg.norm else np,
                                           f.__name__)(arg))
    assert np.allclose(adlib.vmap(lambda i: anp.take(np.arange(6.0), i))(np.array([1, 4])),
                       [1.0, 4.0])
    got = adlib.vmap(lambda x: (x, 2 * x), out_axes=(0, 1))(np.ones((3, 2)))
    assert got[0].shape == (3, 2) and got[1].shape == (2, 3)
    assert round(adlib.vjp(lambda x: x * 1.0, 1.26)[0], 1) == 1.3


def test_more_of_numpy():
    x = np.array([0.3, 1.2, -0.7, 2.5, 0.1])
    for name, f in [("median", lambda m, x: m.median(x)),
                    ("percentile", lambda m, x: m.percentile(x, [10, 90])),
                    ("convolve", lambda m, x: m.convolve(x, x[:3], "same")),
                    ("interp", lambda m, x: m.interp(x, [0.0, 1.0, 2.0], [1.0, 3.0, 2.0])),
                    ("cov", lambda m, x: m.cov(m.stack([x, x ** 2]))),
                    ("pinv", lambda m, x: m.linalg.pinv(m.reshape(x[:4], (2, 2))))]:
        assert np.allclose(adlib.vjp(lambda x: f(anp, x), x)[0], f(np, x)), name
        w = np.random.default_rng(0).standard_normal(np.shape(f(np, x)))
        adlib.check_grads(lambda x: anp.sum(f(anp, x) * w), x, order=2)


def test_check_grads_catches_modes_that_are_not_transposes():
    @adlib.primitive
    def scale(x):
        return 2.0 * x
    adlib.defjvp(scale, lambda t, ans, x: 2.0 * t)
    adlib.defvjp(scale, lambda ans, x: lambda g: 2.0 * g * (1 + 1e-7))  # off by 1e-7
    adlib.check_grads(scale, 0.7, modes=("rev",), order=1)  # finite differences miss it
    with pytest.raises(AssertionError, match=r"not each other's transpose.*order 1"):
        adlib.check_grads(scale, 0.7, order=1)


def test_second_probe_cases():
    """A reader's probe against autograd, SciPy and NumPy found these; each was silently wrong."""
    import adlib.scipy.special as asp
    import autograd.scipy.special as ags
    import scipy.special as sps
    # a traced keyword argument would skip the primitive's rules: refused
    @adlib.primitive
    def ste_round(x):
        return np.round(x)
    adlib.defvjp(ste_round, lambda ans, x: lambda g: g)
    assert grad(lambda x: ste_round(x))(1.3) == 1.0
    with pytest.raises(TypeError, match="adlib: ste_round.*keyword argument 'x'"):
        grad(lambda x: ste_round(x=x))(1.3)
    # higher derivatives at the removable point of sinc and i1 (Taylor coefficients)
    d = adlib.derivative
    assert np.isclose(d(d(anp.sinc))(0.0), -np.pi**2 / 3)
    assert np.isclose(d(d(d(d(anp.sinc))))(0.0), np.pi**4 / 5)
    assert np.isclose(d(d(d(asp.i1)))(0.0), 3 / 8)
    # quantile: the derivative in q, tuple axes and keepdims as NumPy
    v = np.array([0.3, -1.2, 0.7, 1.1, 0.5])
    fd = (np.quantile(v, 0.3 + 1e-6) - np.quantile(v, 0.3 - 1e-6)) / 2e-6
    assert np.isclose(grad(lambda q: anp.quantile(v, q))(0.3), fd)
    A = np.random.default_rng(0).standard_normal((3, 4, 5))
    for axis, keep in [(None, True), ((0, 2), False), ((0, 2), True)]:
        want = np.quantile(A, [0.2, 0.7], axis=axis, keepdims=keep)
        got = anp.quantile(A, [0.2, 0.7], axis=axis, keepdims=keep)
        assert got.shape == want.shape and np.allclose(got, want)
    with pytest.raises(NotImplementedError, match="adlib: vmap over the q"):
        adlib.vmap(lambda q: anp.quantile(v, q))(np.array([0.3, 0.6]))
    # correlate when v is longer than a (NumPy swaps them)
    for a, w in [([1.0, 2.0], [1.0, 10.0, 100.0]), (np.arange(1.0, 5), np.arange(1.0, 6))]:
        for mode in ("valid", "same", "full"):
            assert np.allclose(anp.correlate(a, w, mode), np.correlate(a, w, mode))
    # logsumexp with weights b, negative or zero
    a, b = np.array([1.0, 0.0]), np.array([2.0, -1.0])
    assert np.isclose(asp.logsumexp(a, b=b), sps.logsumexp(a, b=b))
    assert np.allclose(grad(lambda a: asp.logsumexp(a, b=b))(a),
                       autograd.grad(lambda a: ags.logsumexp(a, b=b))(a))
    assert np.allclose(grad(lambda b: asp.logsumexp(a, b=b))(np.array([1.0, 0.0])),
                       [1.0, np.exp(-1.0)])
    # clip with lo > hi gives hi, whatever x is; so does its derivative
    clip3 = lambda t: anp.clip(t[0], t[1], t[2])  # noqa: E731
    for t in ([0.5, 2.0, 1.0], [1.5, 2.0, 1.0], [-1.0, 0.0, 1.0]):
        t = np.array(t)
        fd = [(np.clip(*(t + 1e-6 * e)) - np.clip(*(t - 1e-6 * e))) / 2e-6 for e in np.eye(3)]
        assert np.allclose(grad(clip3)(t), fd)
    # a complex cotangent is refused, not silently cut to its real part
    with pytest.raises(TypeError, match="adlib: the cotangent given to vjp_fn is complex"):
        adlib.vjp(lambda x: x * 2, np.array([1.0, 2.0]))[1](np.array([1j, 1 + 2j]))
    # errors name the function that was called, and the adlib one to use instead
    with pytest.raises(NotImplementedError, match=r"ufunc expit.*adlib\.scipy\.special\.expit"):
        grad(lambda x: sps.expit(x))(0.3)
    with pytest.raises(NotImplementedError, match=r"numpy\.emath\.sqrt"):
        grad(lambda x: np.emath.sqrt(x))(0.3)
