"""Everything users call, built from the two primitives ``vjp`` and ``jvp``."""
import functools

import numpy as np

from .core import _as_float, _shape, jvp, unbox, vjp


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
        if _shape(ans) != () or np.iscomplexobj(unbox(ans)):
            raise TypeError(
                f"adlib.grad: f must return a real scalar, but it returned shape {_shape(ans)}. "
                "For a vector output use adlib.jacrev (the full Jacobian) or adlib.vjp "
                "(a vector-Jacobian product); or reduce it first, e.g. anp.sum.")
        grads = vjp_fn(1.0)
        return ans, grads[0] if isinstance(argnum, int) else grads
    return value_and_grad_f


def grad(f, argnum=0):
    """Reverse-mode gradient of a real-scalar-valued ``f``.

    ``grad(f)(x)`` has the structure, shapes and a floating dtype of ``x``.
    ``argnum`` picks the argument (an int), or several (a tuple, giving a
    tuple of gradients).

    >>> grad(lambda x, y: (x + y) ** 2, argnum=(0, 1))(2.0, 3.0)
    (10.0, 10.0)
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


def _basis(x):
    """The standard basis of the space of ``x``, one array (of x's shape) at a time."""
    x = _as_float(x)
    n = int(np.prod(_shape(x)))
    for i in range(n):
        e = np.zeros(n)
        e[i] = 1.0
        yield e.reshape(_shape(x)) if _shape(x) else e[0]


def jacfwd(f, argnum=0):
    """Jacobian by forward mode, one JVP per input component. Shape ``out.shape + in.shape``."""
    from . import numpy as anp

    @functools.wraps(f)
    def jac(*args, **kwargs):
        g, (x,) = _select(f, args, kwargs, (argnum,))
        cols = [jvp(g, (x,), (e,)) for e in _basis(x)]
        out = cols[0][0] if cols else g(x)
        return anp.reshape(anp.stack([c[1] for c in cols], axis=-1),
                           _shape(out) + _shape(x))
    return jac


def jacrev(f, argnum=0):
    """Jacobian by reverse mode, one VJP per output component. Shape ``out.shape + in.shape``."""
    from . import numpy as anp

    @functools.wraps(f)
    def jac(*args, **kwargs):
        g, (x,) = _select(f, args, kwargs, (argnum,))
        out, vjp_fn = vjp(g, x)
        rows = [vjp_fn(e)[0] for e in _basis(out)]
        return anp.reshape(anp.stack(rows), _shape(out) + _shape(x))
    return jac


def hessian(f, argnum=0):
    """Hessian of a scalar ``f``: forward mode over reverse mode, ``jacfwd(grad(f))``."""
    return jacfwd(grad(f, argnum), argnum)


def hvp(f, x, v):
    """Hessian-vector product ``H(x) v`` of a scalar ``f``, without forming ``H``:
    one forward-mode pass through the reverse-mode gradient (Pearlmutter's trick)."""
    return jvp(grad(f), (x,), (v,))[1]
