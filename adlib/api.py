"""Everything users call, built from the three transformations ``vjp``, ``jvp`` and ``vmap``."""
import functools

import numpy as np

from .core import BOXES, BatchTrace, _as_float, _shape, jvp, unbox, vjp, zeros_like
from .tree import tree_flatten


def _select(f, args, kwargs, argnums):
    """``f`` as a function of the arguments numbered ``argnums`` alone."""
    def g(*xs):
        a = list(args)
        for n, x in zip(argnums, xs):
            a[n] = x
        return f(*a, **kwargs)
    return g, [args[n] for n in argnums]


def value_and_grad(f, argnum=0):
    """Like :func:`grad`, but returns ``(f(*args), gradient)`` from one evaluation."""
    argnums = (argnum,) if isinstance(argnum, int) else tuple(argnum)

    @functools.wraps(f)
    def value_and_grad_f(*args, **kwargs):
        g, xs = _select(f, args, kwargs, argnums)
        ans, vjp_fn = vjp(g, *xs)
        if ans.__class__ in (list, tuple, dict) or _shape(ans) != ():
            shape = _shape(ans) if ans.__class__ not in (list, tuple, dict) else type(ans).__name__
            raise TypeError(
                f"adlib.grad: f must return a real scalar, but it returned {shape}. For a "
                "vector output use adlib.jacrev (the full Jacobian) or adlib.vjp (a "
                "vector-Jacobian product); or reduce it first, e.g. anp.sum.")
        grads = vjp_fn(1.0)
        return ans, grads[0] if isinstance(argnum, int) else grads
    return value_and_grad_f


def grad(f, argnum=0):
    """Reverse-mode gradient of a real-scalar-valued ``f``.

    ``grad(f)(x)`` has the structure, shapes and floating dtype of ``x``.
    ``argnum`` picks the argument (an int), or several (a tuple, giving a
    tuple of gradients).

    >>> print(*grad(lambda x, y: (x + y) ** 2, argnum=(0, 1))(2.0, 3.0))
    10.0 10.0
    """
    vg = value_and_grad(f, argnum)

    @functools.wraps(f)
    def grad_f(*args, **kwargs):
        return vg(*args, **kwargs)[1]
    return grad_f


def derivative(f):
    """Forward-mode derivative ``f'(x)`` of a function of one scalar."""
    @functools.wraps(f)
    def df(x):
        if _shape(x) != ():
            raise TypeError("adlib.derivative: x must be a scalar; for arrays use "
                            "adlib.jvp, adlib.jacfwd or adlib.grad.")
        return jvp(f, (x,), (1.0,))[1]
    return df


# ---------------------------------------------------------------- batching

def _axes_of(axes, tree, what):
    """One axis per leaf of ``tree``: ``axes`` is an int or None for the whole tree, or a
    tree of them that matches ``tree`` (a prefix of it, as in JAX)."""
    if axes is None or isinstance(axes, int):
        return [axes] * len(tree_flatten(tree)[0])
    if isinstance(axes, dict) and isinstance(tree, dict) and set(axes) == set(tree):
        return [a for k in tree for a in _axes_of(axes[k], tree[k], what)]
    if isinstance(axes, (list, tuple)) and isinstance(tree, (list, tuple)) \
            and len(axes) == len(tree):
        return [a for ax, t in zip(axes, tree) for a in _axes_of(ax, t, what)]
    raise ValueError(f"adlib.vmap: {what} {axes!r} does not match the structure of its "
                     f"argument, a {type(tree).__name__}.")


def _axis(axis, ndim, what):
    if not -ndim <= axis < ndim:
        raise ValueError(f"adlib.vmap: {what} {axis} is out of range for a value with "
                         f"{ndim} dimension(s).")
    return axis % ndim


def vmap(f, in_axes=0, out_axes=0):
    """Vectorise ``f``: map it over an axis of its arguments, in one pass.

    ``vmap(f)(xs)`` equals ``anp.stack([f(x) for x in xs])``, but each primitive runs once on
    the whole batch (through its batching rule) instead of once per member. ``in_axes`` says
    which axis of each positional argument is mapped: an int, ``None`` (not mapped: the same
    value for every member), or a tuple with one entry per argument, each an int, ``None``, or
    a tree of them matching that argument. Keyword arguments are mapped along axis 0.
    ``out_axes`` is where the batch axis goes in each output: an int, or a tree of ints
    matching the output (a prefix of it). Inside, ``f`` sees the
    shapes of one member. ``vmap`` nests, and composes with :func:`grad`, :func:`jvp` and
    :func:`vjp` in either order.

    >>> import adlib.numpy as anp
    >>> vmap(lambda row: anp.sum(row ** 2))(np.array([[1.0, 2.0], [3.0, 4.0]]))
    array([ 5., 25.])
    """
    from . import numpy as anp

    @functools.wraps(f)
    def batched_f(*args, **kwargs):
        if isinstance(in_axes, (list, tuple)):
            if len(in_axes) != len(args):
                raise ValueError(f"adlib.vmap: in_axes has {len(in_axes)} entries but f was "
                                 f"called with {len(args)} positional arguments.")
            axes = list(in_axes)
        elif in_axes is None or isinstance(in_axes, int):
            axes = [in_axes] * len(args)
        else:
            raise TypeError("adlib.vmap: in_axes must be an int, None, or a tuple with one "
                            f"entry per positional argument, not {in_axes!r}.")
        leaves, unflatten = tree_flatten((args, kwargs))
        leaf_axes = _axes_of(axes, list(args), "in_axes") + [0] * len(tree_flatten(kwargs)[0])
        sizes, moved = [], list(leaves)
        for i, (leaf, ax) in enumerate(zip(leaves, leaf_axes)):
            if ax is None:
                continue
            ndim = len(_shape(leaf))
            if ndim == 0:
                raise ValueError("adlib.vmap: cannot map over an axis of a scalar argument; "
                                 "give it in_axes None.")
            ax = _axis(ax, ndim, "in_axes")
            sizes.append(_shape(leaf)[ax])
            moved[i] = anp.moveaxis(leaf, ax, 0) if ax else leaf
        if not sizes:
            raise ValueError("adlib.vmap: no argument is mapped: at least one entry of in_axes "
                             "must be an int.")
        if len(set(sizes)) > 1:
            raise ValueError(f"adlib.vmap: the mapped axes have different sizes {sizes}; "
                             "every mapped argument must have the same batch size.")
        trace = BatchTrace(sizes[0])
        moved = [trace.box(m) if ax is not None else m for m, ax in zip(moved, leaf_axes)]
        b_args, b_kwargs = unflatten(moved)
        out_tree = f(*b_args, **b_kwargs)
        outs, unflatten_out = tree_flatten(out_tree)
        result = []
        for out, axis in zip(outs, _axes_of(out_axes, out_tree, "out_axes")):
            if axis is None:
                raise ValueError("adlib.vmap: out_axes must be ints (every output is batched).")
            if out.__class__ in BOXES and out._trace is trace:
                out = out.value
            else:  # the same for every member
                out = anp.broadcast_to(out, (trace.size,) + _shape(out))
            ax = _axis(axis, len(_shape(out)), "out_axes")
            result.append(anp.moveaxis(out, 0, ax) if ax else out)
        return unflatten_out(result)
    return batched_f


# ---------------------------------------------------------------- Jacobians

def _one_array(x, what, argnum):
    if isinstance(x, (list, tuple, dict)):
        raise TypeError(
            f"adlib.{what} differentiates with respect to one array, but argument {argnum} is "
            f"a {type(x).__name__}. Flatten it into one vector with adlib.ravel_pytree, or "
            "differentiate with respect to one entry at a time.")
    return _as_float(x)


def _basis(shape, dtype=float):
    """The standard basis of arrays of ``shape``, stacked along a new first axis."""
    n = int(np.prod(shape))
    return np.eye(n, dtype=dtype).reshape((n,) + shape)


def jacfwd(f, argnum=0):
    """Jacobian by forward mode: one batched JVP that pushes every basis vector of the input
    through ``f`` at once (``vmap`` of :func:`jvp`). Shape ``out.shape + in.shape``."""
    from . import numpy as anp

    @functools.wraps(f)
    def jac(*args, **kwargs):
        g, (x,) = _select(f, args, kwargs, (argnum,))
        x = _one_array(x, "jacfwd", argnum)
        cols = vmap(lambda t: jvp(g, (x,), (t,))[1], out_axes=-1)(_basis(_shape(x)))
        leaves, unflatten = tree_flatten(cols)
        return unflatten([anp.reshape(c, _shape(c)[:-1] + _shape(x)) for c in leaves])
    return jac


def jacrev(f, argnum=0):
    """Jacobian by reverse mode: one forward pass, then one batched VJP that pulls every basis
    vector of the output back at once (``vmap`` of the VJP). Shape ``out.shape + in.shape``."""
    from . import numpy as anp

    @functools.wraps(f)
    def jac(*args, **kwargs):
        g, (x,) = _select(f, args, kwargs, (argnum,))
        x = _one_array(x, "jacrev", argnum)
        out, vjp_fn = vjp(g, x)
        leaves, unflatten = tree_flatten(out)
        rows = []
        for i, leaf in enumerate(leaves):
            def pull(e, i=i):
                return vjp_fn(unflatten([e if j == i else zeros_like(other)
                                         for j, other in enumerate(leaves)]))[0]
            rows.append(anp.reshape(vmap(pull)(_basis(_shape(leaf))), _shape(leaf) + _shape(x)))
        return unflatten(rows)
    return jac


def hessian(f, argnum=0):
    """Hessian of a scalar ``f``: forward mode over reverse mode, ``jacfwd(grad(f))``: one
    batched pass of forward mode through the gradient computation."""
    return jacfwd(grad(f, argnum), argnum)


def hvp(f, x, v):
    """Hessian-vector product ``H(x) v`` of a scalar ``f``, without forming ``H``:
    one forward-mode pass through the reverse-mode gradient (Pearlmutter's trick).
    ``x`` and ``v`` may be trees (dicts, lists) of arrays with the same structure."""
    return jvp(grad(f), (x,), (v,))[1]


def ravel_pytree(tree):
    """One flat vector of all the leaves of ``tree``, and the function that turns such a
    vector back into a tree (for :func:`jacfwd`, :func:`hessian` and optimisers that want
    one vector).

    >>> flat, unravel = ravel_pytree({"w": np.ones((2, 2)), "b": 0.5})
    >>> flat, unravel(flat)["w"].shape
    (array([1. , 1. , 1. , 1. , 0.5]), (2, 2))
    """
    from . import numpy as anp
    leaves, unflatten = tree_flatten(tree)
    shapes = [_shape(x) for x in leaves]
    dtypes = [np.result_type(unbox(x)) for x in leaves]
    flat = anp.concatenate([anp.reshape(x, (-1,)) for x in leaves]) if leaves else np.zeros(0)

    def unravel(v):
        out, i = [], 0
        for s, dt in zip(shapes, dtypes):
            n = int(np.prod(s))
            leaf = anp.reshape(v[i:i + n], s)
            out.append(anp.astype(leaf, dt) if dt.kind == "f" else leaf)
            i += n
        return unflatten(out)
    return flat, unravel



