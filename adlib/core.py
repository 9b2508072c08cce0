"""The engine: boxes, traces, primitives, and the three transformations.

A *trace* is one transformation in progress: one call of ``vjp`` (reverse mode), ``jvp``
(forward mode) or ``vmap`` (batching). Each trace has a *level*, taken from a counter that
only grows, so a trace started inside another has the higher level. While ``f`` runs, its
inputs are wrapped in a :class:`Box` that remembers the value, the trace and a node:

* in reverse mode the node is the box's index on the trace's *tape*, a list
  (the Wengert list) whose entry ``k`` holds ``(parent_index, vjp)`` pairs;
* in forward mode the node is the box's *tangent*;
* in a batch trace the value carries one more axis in front, the batch axis, and there is no
  node: the box's ``shape`` is that of one member of the batch.

A *primitive* unwraps the boxes of the highest level only and applies that trace's rule:
reverse and forward mode compute the value (recursively, so boxes of lower levels are handled
by their own traces) and record a derivative; a batch trace applies the primitive to the whole
batch at once. Because each trace only ever sees its own boxes, nested transformations never
mix up their perturbations (no *perturbation confusion*), and because the rules are themselves
written with primitives, they compose: derivatives of derivatives, batches of derivatives,
derivatives of batches.
"""
import itertools

import numpy as np

from .tree import tree_flatten

_levels = itertools.count(1)
VJP_RULES = {}    # primitive -> {argnum: vjpmaker(ans, *args, **kwargs) -> (g -> cotangent)}
JVP_RULES = {}    # primitive -> {argnum: jvpmaker(tangent, ans, *args, **kwargs) -> tangent}
BATCH_RULES = {}  # primitive -> rule(batched, *args, **kwargs) -> value with the batch axis first
NONDIFF = object()  # marks an argument with no derivative (an index, a flag, a condition)
LIST_TO_ARRAY = None  # set by adlib.numpy: makes a list of traced values one traced array


class Box:
    """A value being transformed: ``value`` plus the ``_trace`` and ``node`` that follow it."""

    __slots__ = ("value", "_trace", "node")
    __array_priority__ = 100.0

    def __init__(self, value, trace, node):
        self.value = value
        self._trace = trace
        self.node = node

    def __repr__(self):
        return f"{type(self).__name__}({self.value!r}, level={self._trace.level})"

    # Python numbers and NumPy arrays cannot hold a derivative: converting would lose it.
    def __float__(self, *args, **kwargs):
        raise TypeError(
            "adlib: a traced value was converted to a plain number or NumPy array, which would "
            "lose its derivative. Usual causes: in-place assignment into a NumPy array "
            "(y[0] = x), np.array([...]) or np.sum([...]) of traced values, float(x) or "
            "math.sin(x), or a NumPy array indexed by a traced value. Use adlib.numpy instead: "
            "build arrays with anp.stack, anp.array([...]) or anp.concatenate, select with "
            "anp.where(mask, x, y), index with anp.take(array, i), and use anp.sum([...]), "
            "anp.sin, ...")

    __int__ = __complex__ = __array__ = item = tolist = __float__

    def __index__(self):
        raise TypeError(
            "adlib: a traced value was used as an integer (an index or a size). To index a "
            "constant array with a traced (for instance batched) index, use anp.take(array, i) "
            "or anp.take_along_axis; sizes must be plain integers.")

    def __bool__(self):
        return bool(self.value)

    __hash__ = object.__hash__


Box.shape = ()  # a scalar


class ArrayBox(Box):
    """A traced array. Only arrays are indexable: were scalars sequences too, NumPy would
    report ``y[0] = x`` as "setting an array element with a sequence", hiding the error above."""

    __slots__ = ()
    shape = property(lambda self: self.value.shape)

    def __setitem__(self, index, value):
        raise TypeError(
            "adlib: traced arrays cannot be assigned to in place (x[i] = v), because the "
            "assignment would erase the derivative of what it overwrites. Build a new array "
            "instead: anp.where(mask, v, x), anp.concatenate([...]), or x + anp.zeros_like(x) "
            "with the change added at the index.")


class BatchBox(Box):
    """A member of a batch (``vmap``): the value has the batch axis in front, which ``shape``
    hides, so the function sees the shape of one member."""

    __slots__ = ()
    shape = property(lambda self: self.value.shape[1:])

    def __bool__(self):
        raise TypeError(
            "adlib.vmap: Python control flow (if, while, and, or) on a batched value: each "
            "member of the batch may take a different branch. Compute both branches and select "
            "with anp.where(condition, a, b).")


class BatchArrayBox(BatchBox, ArrayBox):
    __slots__ = ()


BOXES = (Box, ArrayBox, BatchBox, BatchArrayBox)


def _complex_error(what):
    return TypeError(
        f"adlib: {what} is complex. adlib differentiates real-valued code only: a complex "
        "value may not enter a trace, as an input or as an intermediate result. Split it into "
        "real and imaginary parts (two real arrays) and write the arithmetic on those.")


def new_box(value, trace, node):
    c = value.__class__
    if c is float or c is np.float64:
        return Box(value, trace, node)
    if c is np.ndarray:
        if value.dtype.kind == "c":
            raise _complex_error("an intermediate result")
        return ArrayBox(value, trace, node) if value.ndim else Box(value, trace, node)
    if c in BOXES:  # a box of a lower level: its shape is what this level sees
        return ArrayBox(value, trace, node) if value.shape else Box(value, trace, node)
    if np.iscomplexobj(value):
        raise _complex_error("an intermediate result")
    return Box(value, trace, node)


def primitive(raw, name=None, keywords=True):
    """Make ``raw`` (a function on plain values) a primitive that ``adlib`` can trace.

    Its derivatives are then given with :func:`defvjp` and :func:`defjvp`, and its batching rule
    (for :func:`adlib.vmap`) with :func:`defbatch`. Only positional arguments are traced.
    ``name`` (default: raw's) is how traces and error messages call it; ``keywords=False``
    refuses keyword arguments with a clear error (for NumPy's ufuncs: out=, where=, ...).
    """
    def wrapped(*args, **kwargs):
        if kwargs and not keywords:
            raise TypeError(
                f"adlib: {wrapped.__name__}(..., {'=..., '.join(kwargs)}=...) is not supported "
                "on traced values: pass only the arrays (for a dtype, cast the result with "
                ".astype; instead of out= or where=, assign the result, or use anp.where).")
        traced_kw = kwargs and [k for k, v in kwargs.items() if _holds_box(v)]
        if traced_kw:  # its rules would be skipped and the body traced instead
            raise TypeError(
                f"adlib: {wrapped.__name__}() got the traced keyword argument "
                f"{traced_kw[0]!r}: only positional arguments of a primitive are "
                "differentiated; pass it positionally.")
        top = None
        for a in args:
            if a.__class__ in BOXES and (top is None or a._trace.level > top.level):
                top = a._trace
        if top is None:
            try:
                return raw(*args, **kwargs)
            except TypeError:  # a list of traced values, which NumPy cannot convert?
                if not any(_holds_box(a) for a in args) or LIST_TO_ARRAY is None:
                    raise
                return wrapped(*[LIST_TO_ARRAY(a) if _holds_box(a) else a for a in args],
                               **kwargs)
        vals, argnums, nested = list(args), [], False
        for i, a in enumerate(args):
            if a.__class__ in BOXES:
                if a._trace is top:
                    argnums.append(i)
                    vals[i] = a = a.value
                nested = nested or a.__class__ in BOXES
        if top.batch:
            return top.process(wrapped, vals, kwargs, argnums)
        ans = wrapped(*vals, **kwargs) if nested else raw(*vals, **kwargs)
        return top.lift(wrapped, ans, vals, kwargs, argnums, args)

    wrapped.__name__ = name or getattr(raw, "__name__", "primitive")
    wrapped.__qualname__ = name or getattr(raw, "__qualname__", wrapped.__name__)
    wrapped.__doc__ = getattr(raw, "__doc__", None)
    wrapped.__module__ = getattr(raw, "__module__", None) or __name__
    wrapped.raw = raw
    return wrapped


def _holds_box(x):
    """A traced value, or a list or tuple with one somewhere inside."""
    return x.__class__ in BOXES or isinstance(x, (list, tuple)) and any(map(_holds_box, x))


def defvjp(fun, *vjpmakers, argnums=None):
    """Give ``fun`` its reverse-mode rules, one per argument.

    ``vjpmaker(ans, *args, **kwargs)`` returns a function that maps the output
    cotangent ``g`` to that argument's cotangent. ``None`` marks an argument
    through which no derivative flows. The rules are for arguments 0, 1, 2, ... in order,
    or for the argument numbers in ``argnums``.
    """
    rules = VJP_RULES.setdefault(fun, {})
    for i, maker in zip(argnums or itertools.count(), vjpmakers):
        rules[i] = NONDIFF if maker is None else maker


def defjvp(fun, *jvpmakers, argnums=None):
    """Give ``fun`` its forward-mode rules: ``jvpmaker(tangent, ans, *args, **kwargs)`` returns
    the output's tangent for that argument's ``tangent``; ``None`` and ``argnums`` as in
    :func:`defvjp`."""
    rules = JVP_RULES.setdefault(fun, {})
    for i, maker in zip(argnums or itertools.count(), jvpmakers):
        rules[i] = NONDIFF if maker is None else maker


def defbatch(fun, rule):
    """Give ``fun`` its batching rule, for :func:`adlib.vmap`.

    ``rule(batched, *args, **kwargs)`` receives the arguments as ``fun`` would, except that
    those with ``batched[i]`` true carry one more axis in front, the batch axis. It returns
    ``fun``'s result for every member of the batch at once, with the batch axis in front, and
    is written with primitives (so that it can itself be differentiated and batched again).
    """
    BATCH_RULES[fun] = rule


def _rule(table, mode, fun, i):
    try:
        return table[fun][i]
    except KeyError:
        raise NotImplementedError(
            f"adlib: {fun.__name__} has no {mode} rule for argument {i}. "
            f"Define one with adlib.{'defvjp' if mode == 'reverse-mode' else 'defjvp'}.") from None


_SCALARS = (float, np.float64)


def _shape(x):
    c = x.__class__
    if c is float or c is np.float64:
        return ()
    return x.shape if c is np.ndarray or c in BOXES else np.shape(x)


def unbroadcast(g, shape):
    """Sum ``g`` down to ``shape``: the adjoint of broadcasting a value of that shape."""
    while len(_shape(g)) > len(shape):
        g = g.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and _shape(g)[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


class ReverseTrace:
    """Records a tape of elementary operations; ``backward`` walks it in reverse."""

    batch = False

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
        rules = VJP_RULES.get(fun)
        for i in argnums:
            maker = rules[i] if rules and i in rules else _rule(VJP_RULES, "reverse-mode", fun, i)
            if maker is not NONDIFF:
                parents.append((boxes[i].node, maker(ans, *vals, **kwargs)))
        if not parents:
            return ans  # a comparison, a rounding, an index: no derivative flows
        self.tape.append(parents)
        self.values.append(ans)
        return new_box(ans, self, len(self.tape) - 1)

    def backward(self, seeds, keep_all=False):
        """Adjoints for the cotangents ``seeds`` ({node: cotangent}): of the inputs (nodes
        without parents), or of every node with ``keep_all``.

        The tape is already in evaluation order, so a reverse sweep visits every
        node after all its consumers: no graph search, no recursion. An adjoint is
        dropped once passed on to its parents, so memory follows the live values.
        """
        out = max(seeds)
        adjoint = [None] * (out + 1)
        for node, g in seeds.items():
            adjoint[node] = g if adjoint[node] is None else adjoint[node] + g
        tape, values = self.tape, self.values
        for k in range(out, -1, -1):
            g = adjoint[k]
            if g is None or not tape[k]:
                continue
            if not keep_all:
                adjoint[k] = None
            for p, vjp in tape[k]:
                c = vjp(g)
                if (c.__class__ not in _SCALARS or values[p].__class__ not in _SCALARS) \
                        and _shape(c) != _shape(values[p]):
                    c = unbroadcast(c, _shape(values[p]))
                adjoint[p] = c if adjoint[p] is None else adjoint[p] + c
        return adjoint


class ForwardTrace:
    """Carries a tangent alongside every value (dual numbers, generalised)."""

    batch = False

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


class BatchTrace:
    """Applies every primitive to a whole batch at once (vectorisation, ``vmap``)."""

    batch = True

    def __init__(self, size):
        self.level = next(_levels)
        self.size = size

    def box(self, value):
        if value.__class__ is np.ndarray and value.dtype.kind == "c":
            raise _complex_error("a batched value")
        return (BatchArrayBox if len(_shape(value)) > 1 else BatchBox)(value, self, None)

    def process(self, fun, vals, kwargs, argnums):
        rule = BATCH_RULES.get(fun)
        if rule is None:
            raise NotImplementedError(
                f"adlib.vmap: {fun.__name__} has no batching rule, so it cannot be applied to a "
                "batched value: under adlib.vmap, or in jacfwd, jacrev and hessian when a "
                "derivative rule applies it to the batch of tangents or cotangents. Give it one "
                f"with adlib.defbatch({fun.__name__}, rule).")
        batched = [False] * len(vals)
        for i in argnums:
            batched[i] = True
        return self.box(rule(batched, *vals, **kwargs))


def _as_float(x):
    """Inputs are differentiated as NumPy floats: ints become float64, complex is refused.
    (A Python float would follow Python's arithmetic, where 1.0 / 0.0 raises instead of
    giving inf as NumPy and IEEE 754 do.)"""
    if x.__class__ in BOXES or x.__class__ is np.float64:
        return x
    if x.__class__ is float:
        return np.float64(x)
    try:
        dtype = np.result_type(x)
    except TypeError:
        dtype = None
    if dtype is None or dtype.kind not in "biufc" or isinstance(x, (str, bytes)):
        raise TypeError(
            f"adlib: cannot differentiate with respect to {x!r} (a {type(x).__name__}): "
            "arguments that are differentiated must be numbers or arrays, or lists, tuples and "
            "dicts of them. Pass other settings through a closure, or as an argument that "
            "argnum does not select.")
    if dtype.kind in "biu":
        return np.asarray(x, dtype=float) if np.ndim(x) else np.float64(x)
    if dtype.kind == "c":
        raise _complex_error(f"an input (dtype {dtype})")
    return x


def zeros_like(x):
    dt = np.result_type(unbox(x))
    z = np.zeros(_shape(x), dtype=dt if dt.kind == "f" else float)
    return z if z.ndim else z[()]


def unbox(x):
    """The plain value inside any number of boxes."""
    while x.__class__ in BOXES:
        x = x.value
    return x


def _cast_like(g, x):
    """``g`` in the floating dtype of ``x`` (a float32 input gets a float32 derivative), and a
    scalar where ``x`` is one."""
    dt = np.result_type(unbox(x))
    if dt.kind == "f" and np.result_type(unbox(g)) != dt:
        g = g.astype(dt)
    return g[()] if g.__class__ is np.ndarray and not g.ndim else g


def _outputs(out, trace, what):
    """The leaves of f's output, their nodes on ``trace`` (None for a constant), and the
    function that rebuilds the output's structure."""
    if out is None:
        raise TypeError(f"adlib.{what}: f returned None. Did it forget a `return`?")
    leaves, unflatten = tree_flatten(out)
    nodes = []
    for leaf in leaves:
        if leaf.__class__ in BOXES and leaf._trace is trace:
            nodes.append(leaf.node)
            continue
        try:
            kind = np.result_type(unbox(leaf)).kind
        except TypeError:
            kind = None
        if kind == "c":
            raise _complex_error("the output of f")
        if kind is None or kind not in "biuf":
            raise TypeError(f"adlib.{what}: f returned {leaf!r}, which is not a number or array "
                            "(or a list, tuple or dict of them).")
        nodes.append(None)
    return [x.value if n is not None else x for x, n in zip(leaves, nodes)], nodes, unflatten


# ---------------------------------------------------------------- the two modes

def vjp(f, *primals):
    """Reverse mode. Returns ``(f(*primals), vjp_fn)``.

    ``vjp_fn(g)`` returns a tuple with one cotangent per primal: ``g`` times
    the Jacobian of ``f`` at ``primals`` (a vector-Jacobian product). The
    primals, the output and ``g`` may be numbers, arrays, or nested lists, tuples
    and dicts of them (``g`` with the structure and shapes of the output).
    """
    trace = ReverseTrace()
    leaves, unflatten = tree_flatten(primals)
    leaves = [_as_float(x) for x in leaves]
    boxed = [trace.new_input(x) for x in leaves]
    outs, nodes, unflatten_out = _outputs(f(*unflatten(boxed)), trace, "vjp")
    out = unflatten_out(outs)

    def vjp_fn(g):
        gs = tree_flatten(g)[0]
        if len(gs) != len(outs) or any(_shape(a) != _shape(b) for a, b in zip(gs, outs)):
            raise ValueError(
                "adlib: the cotangent must have the structure and shapes of f's output: got "
                f"shapes {[_shape(a) for a in gs]}, but the output has {[_shape(b) for b in outs]}.")
        if any(np.iscomplexobj(unbox(a)) for a in gs):
            raise _complex_error("the cotangent given to vjp_fn")
        seeds = {}
        for node, gi in zip(nodes, gs):
            if node is not None:
                seeds[node] = gi if node not in seeds else seeds[node] + gi
        adjoint = trace.backward(seeds) if seeds else []
        return unflatten([
            _cast_like(adjoint[b.node], x) if b.node < len(adjoint) and adjoint[b.node]
            is not None else zeros_like(x) for b, x in zip(boxed, leaves)])
    return out, vjp_fn


def jvp(f, primals, tangents):
    """Forward mode. Returns ``(f(*primals), tangent_out)``: the Jacobian of
    ``f`` at ``primals`` applied to ``tangents`` (a Jacobian-vector product).
    Primals, tangents and the output may be nested lists, tuples and dicts."""
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
    outs, nodes, unflatten_out = _outputs(f(*unflatten(boxed)), trace, "jvp")
    tangent = [_cast_like(t, o) if t is not None else zeros_like(o) for t, o in zip(nodes, outs)]
    return unflatten_out(outs), unflatten_out(tangent)
