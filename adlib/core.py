"""The engine: boxes, traces, primitives, and the two modes of AD.

A *trace* is one differentiation in progress (one call of ``vjp`` or ``jvp``).
Each trace has a *level*, taken from a counter that only grows, so a trace
started inside another has the higher level. While ``f`` runs, its inputs are
wrapped in a :class:`Box` that remembers the value, the trace and a node:

* in reverse mode the node is the box's index on the trace's *tape*, a list
  (the Wengert list) whose entry ``k`` holds ``(parent_index, vjp)`` pairs;
* in forward mode the node is the box's *tangent*.

A *primitive* unwraps the boxes of the highest level only, computes its value
(recursively, so boxes of lower levels are handled by their own traces), and
wraps the answer in a new box of that level. Because each trace only ever sees
its own boxes, nested derivatives never mix up their perturbations (no
*perturbation confusion*), and because the derivative rules are themselves
written with primitives, derivatives of derivatives come for free.
"""
import itertools

import numpy as np

_levels = itertools.count(1)
VJP_RULES = {}  # primitive -> {argnum: vjpmaker(ans, *args, **kwargs) -> (g -> cotangent)}
JVP_RULES = {}  # primitive -> {argnum: jvpmaker(tangent, ans, *args, **kwargs) -> tangent_out}
NONDIFF = object()  # marks an argument with no derivative (an index, a flag, a condition)


class Box:
    """A value being differentiated: ``value`` plus the ``trace`` and ``node`` that follow it."""

    __slots__ = ("value", "trace", "node")
    __array_priority__ = 100.0

    def __init__(self, value, trace, node):
        self.value = value
        self.trace = trace
        self.node = node

    def __repr__(self):
        return f"Box({self.value!r}, level={self.trace.level})"

    # Python numbers and NumPy arrays cannot hold a derivative: converting would lose it.
    def __float__(self, *args, **kwargs):
        raise TypeError(
            "adlib: a traced value was converted to a plain number or NumPy array, which would "
            "lose its derivative. This happens with in-place assignment into a NumPy array "
            "(`y[0] = x`), np.array([...]) or np.asarray of traced values, float(x), or "
            "math.sin(x). Build arrays functionally instead: `y = anp.stack([x, ...])` or "
            "`anp.array([...])`, `anp.concatenate`, `anp.where(mask, x, y)`; and use "
            "adlib.numpy or numpy functions (np.sin) rather than the math module.")

    __int__ = __complex__ = __index__ = __array__ = item = __float__

    def __bool__(self):
        return bool(self.value)

    __hash__ = object.__hash__


Box.shape = ()  # a scalar


class ArrayBox(Box):
    """A traced array. Only arrays are indexable: were scalars sequences too, NumPy would
    report ``y[0] = x`` as "setting an array element with a sequence", hiding the error above."""

    __slots__ = ()
    shape = property(lambda self: self.value.shape)


BOXES = (Box, ArrayBox)


def new_box(value, trace, node):
    c = value.__class__
    if c is ArrayBox or (c is np.ndarray and value.ndim):
        return ArrayBox(value, trace, node)
    return Box(value, trace, node)


def primitive(raw):
    """Make ``raw`` (a function on plain values) a primitive that ``adlib`` can trace.

    Its derivatives are then given with :func:`defvjp` and :func:`defjvp`.
    """
    def wrapped(*args, **kwargs):
        top = None
        for a in args:
            if a.__class__ in BOXES and (top is None or a.trace.level > top.level):
                top = a.trace
        if top is None:
            return raw(*args, **kwargs)
        vals, argnums, nested = list(args), [], False
        for i, a in enumerate(args):
            if a.__class__ in BOXES:
                if a.trace is top:
                    argnums.append(i)
                    vals[i] = a = a.value
                nested = nested or a.__class__ in BOXES
        ans = wrapped(*vals, **kwargs) if nested else raw(*vals, **kwargs)
        return top.lift(wrapped, ans, vals, kwargs, argnums, args)

    wrapped.__name__ = getattr(raw, "__name__", "primitive")
    wrapped.__qualname__ = getattr(raw, "__qualname__", wrapped.__name__)
    wrapped.__doc__ = getattr(raw, "__doc__", None)
    wrapped.raw = raw
    return wrapped


def defvjp(fun, *vjpmakers, argnums=None):
    """Give ``fun`` its reverse-mode rules, one per argument.

    ``vjpmaker(ans, *args, **kwargs)`` returns a function that maps the output
    cotangent ``g`` to that argument's cotangent. ``None`` marks an argument
    through which no derivative flows.
    """
    rules = VJP_RULES.setdefault(fun, {})
    for i, maker in zip(argnums or itertools.count(), vjpmakers):
        rules[i] = NONDIFF if maker is None else maker


def defjvp(fun, *jvpmakers, argnums=None):
    """Give ``fun`` its forward-mode rules: ``jvpmaker(tangent, ans, *args, **kwargs)``."""
    rules = JVP_RULES.setdefault(fun, {})
    for i, maker in zip(argnums or itertools.count(), jvpmakers):
        rules[i] = NONDIFF if maker is None else maker


def _rule(table, mode, fun, i):
    try:
        return table[fun][i]
    except KeyError:
        raise NotImplementedError(
            f"adlib: {fun.__name__} has no {mode} rule for argument {i}. "
            f"Define one with adlib.{'defvjp' if mode == 'reverse-mode' else 'defjvp'}.") from None


def unbroadcast(g, shape):
    """Sum ``g`` down to ``shape``: the adjoint of broadcasting a value of that shape."""
    while np.ndim(g) > len(shape):
        g = g.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


def _shape(x):
    c = x.__class__
    if c is float or c is np.float64:
        return ()
    return x.shape if c is np.ndarray or c in BOXES else np.shape(x)


class ReverseTrace:
    """Records a tape of elementary operations; ``backward`` walks it in reverse."""

    def __init__(self):
        self.level = next(_levels)
        self.tape = []    # tape[k] = [(parent index, vjp), ...]; inputs have no parents
        self.values = []  # values[k]: the primal value of node k (for shapes, and trace())

    def new_input(self, value):
        self.tape.append([])
        self.values.append(value)
        return new_box(value, self, len(self.tape) - 1)

    def lift(self, fun, ans, vals, kwargs, argnums, boxes):
        parents = []
        for i in argnums:
            maker = _rule(VJP_RULES, "reverse-mode", fun, i)
            if maker is not NONDIFF:
                parents.append((boxes[i].node, maker(ans, *vals, **kwargs)))
        self.tape.append(parents)
        self.values.append(ans)
        return new_box(ans, self, len(self.tape) - 1)

    def backward(self, out, g, keep_all=False):
        """Adjoints for cotangent ``g`` on node ``out``: of the inputs (nodes without parents),
        or of every node with ``keep_all``.

        The tape is already in evaluation order, so a reverse sweep visits every
        node after all its consumers: no graph search, no recursion. An adjoint is
        dropped once passed on to its parents, so memory follows the live values.
        """
        adjoint = [None] * (out + 1)
        adjoint[out] = g
        tape, values = self.tape, self.values
        for k in range(out, -1, -1):
            g = adjoint[k]
            if g is None or not tape[k]:
                continue
            if not keep_all:
                adjoint[k] = None
            for p, vjp in tape[k]:
                c = vjp(g)
                if _shape(c) != _shape(values[p]):
                    c = unbroadcast(c, _shape(values[p]))
                adjoint[p] = c if adjoint[p] is None else adjoint[p] + c
        return adjoint


class ForwardTrace:
    """Carries a tangent alongside every value (dual numbers, generalised)."""

    def __init__(self):
        self.level = next(_levels)

    def new_input(self, value, tangent):
        return new_box(value, self, tangent)

    def lift(self, fun, ans, vals, kwargs, argnums, boxes):
        t = None
        for i in argnums:
            maker = _rule(JVP_RULES, "forward-mode", fun, i)
            if maker is not NONDIFF:
                ti = maker(boxes[i].node, ans, *vals, **kwargs)
                t = ti if t is None else t + ti
        if t is None:
            return ans
        if _shape(t) != _shape(ans):
            t = t + np.zeros(_shape(ans))  # a scalar tangent broadcast against an array
        return new_box(ans, self, t)


# ---------------------------------------------------------------- containers

def _leaf(xs):
    return xs[0]


def tree_flatten(tree):
    """Leaves of nested lists, tuples and dicts, and a function that rebuilds the tree."""
    if tree.__class__ is float or tree.__class__ is np.ndarray:
        return [tree], _leaf
    if isinstance(tree, (list, tuple)):
        parts = [tree_flatten(t) for t in tree]
        leaves = [leaf for p in parts for leaf in p[0]]
        kind = type(tree)

        def unflatten(xs):
            out, i = [], 0
            for p in parts:
                n = len(p[0])
                out.append(p[1](xs[i:i + n]))
                i += n
            return kind(out) if kind in (list, tuple) else kind(*out)
        return leaves, unflatten
    if isinstance(tree, dict):
        keys = list(tree)
        leaves, unflat = tree_flatten([tree[k] for k in keys])
        return leaves, lambda xs: dict(zip(keys, unflat(xs)))
    return [tree], _leaf


def tree_map(f, tree, *rest):
    leaves, unflatten = tree_flatten(tree)
    others = [tree_flatten(r)[0] for r in rest]
    return unflatten([f(*xs) for xs in zip(leaves, *others)])


def _as_float(x):
    """Inputs are differentiated as NumPy floats: ints become float64, complex is refused.
    (A Python float would follow Python's arithmetic, where 1.0 / 0.0 raises instead of
    giving inf as NumPy and IEEE 754 do.)"""
    if isinstance(x, Box) or x.__class__ is np.float64:
        return x
    if x.__class__ is float:
        return np.float64(x)
    dtype = np.result_type(x)
    if dtype.kind in "biu":
        return np.asarray(x, dtype=float) if np.ndim(x) else np.float64(x)
    if dtype.kind != "f":
        raise TypeError(f"adlib: can only differentiate with respect to real floating-point "
                        f"values, got dtype {dtype}. Pass floats (e.g. np.asarray(x, float)).")
    return x


def zeros_like(x):
    z = np.zeros(np.shape(x), dtype=np.result_type(x, float))
    return z if z.ndim else z[()]


def unbox(x):
    """The plain value inside any number of boxes."""
    while isinstance(x, Box):
        x = x.value
    return x


def _out_value(out, trace):
    """The output's value, and its node if it depends on this trace's inputs."""
    if isinstance(out, Box) and out.trace is trace:
        return out.value, out.node
    if isinstance(out, (list, tuple, dict)):
        raise TypeError("adlib: the function must return a single array or number, "
                        f"not a {type(out).__name__}.")
    return out, None


# ---------------------------------------------------------------- the two modes

def vjp(f, *primals):
    """Reverse mode. Returns ``(f(*primals), vjp_fn)``.

    ``vjp_fn(g)`` returns a tuple with one cotangent per primal: ``g`` times
    the Jacobian of ``f`` at ``primals`` (a vector-Jacobian product). The
    primals may be numbers, arrays, or nested lists/tuples/dicts of them.
    """
    trace = ReverseTrace()
    leaves, unflatten = tree_flatten(primals)
    leaves = [_as_float(x) for x in leaves]
    boxed = [trace.new_input(x) for x in leaves]
    out, node = _out_value(f(*unflatten(boxed)), trace)

    def vjp_fn(g):
        if _shape(g) != _shape(out):
            raise ValueError(f"adlib: the cotangent has shape {_shape(g)} but the output of "
                             f"f has shape {_shape(out)}; they must match.")
        adjoint = trace.backward(node, g) if node is not None else []
        return unflatten([adjoint[b.node] if b.node < len(adjoint) and adjoint[b.node]
                          is not None else zeros_like(x) for b, x in zip(boxed, leaves)])
    return out, vjp_fn


def jvp(f, primals, tangents):
    """Forward mode. Returns ``(f(*primals), tangent_out)``: the Jacobian of
    ``f`` at ``primals`` applied to ``tangents`` (a Jacobian-vector product)."""
    leaves, unflatten = tree_flatten(tuple(primals))
    t_leaves = tree_flatten(tuple(tangents))[0]
    if len(t_leaves) != len(leaves):
        raise ValueError("adlib: tangents must have the same structure as primals.")
    trace, boxed = ForwardTrace(), []
    for x, t in zip(leaves, t_leaves):
        x, t = _as_float(x), _as_float(t)
        if _shape(x) != _shape(t):
            raise ValueError(f"adlib: a tangent has shape {_shape(t)} but its primal has shape "
                             f"{_shape(x)}; they must match.")
        boxed.append(trace.new_input(x, t))
    out, tangent = _out_value(f(*unflatten(boxed)), trace)
    return out, zeros_like(out) if tangent is None else tangent
