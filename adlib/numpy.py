"""Differentiable NumPy: ``import adlib.numpy as anp``.

Each primitive is defined once, with its reverse-mode rule (VJP) and its
forward-mode rule (JVP) next to each other. Elementwise functions are given by
their local derivative alone, from which both rules follow. Names not defined
here (``zeros``, ``arange``, ``random``, ``pi``, ...) pass through to NumPy.
Plain ``numpy`` calls on traced values are routed here by NumPy's
``__array_ufunc__`` and ``__array_function__`` protocols.
"""
import builtins
import operator

import numpy as np

from .core import (NONDIFF, ArrayBox, Box, JVP_RULES, VJP_RULES, _shape, defjvp, defvjp,
                   primitive, unbox)


def __getattr__(name):  # zeros, ones, arange, eye, linspace, random, pi, float64, ...
    return getattr(np, name)


def _unbox(x):
    x = unbox(x)
    if isinstance(x, (list, tuple)):
        return type(x)(_unbox(v) for v in x)
    return x


def _nondiff(f):
    """A function whose value carries no derivative (comparisons, rounding, argmax...)."""
    def g(*args, **kwargs):
        return f(*_unbox(args), **{k: _unbox(v) for k, v in kwargs.items()})
    g.__name__ = f.__name__
    return g


# ---------------------------------------------------------------- elementwise, one argument

def _elementwise(ufunc, dfdx):
    """A primitive from its local derivative ``dfdx(ans, x)``: g * f'(x) and t * f'(x)."""
    f = primitive(ufunc)
    defvjp(f, lambda ans, x: lambda g: g * dfdx(ans, x))
    defjvp(f, lambda t, ans, x: t * dfdx(ans, x))
    return f


negative = _elementwise(np.negative, lambda ans, x: -1.0)
abs = absolute = _elementwise(np.absolute, lambda ans, x: sign(x))  # 0 at the kink
exp = _elementwise(np.exp, lambda ans, x: ans)
log = _elementwise(np.log, lambda ans, x: 1.0 / x)
log2 = _elementwise(np.log2, lambda ans, x: 1.0 / (x * np.log(2.0)))
log10 = _elementwise(np.log10, lambda ans, x: 1.0 / (x * np.log(10.0)))
log1p = _elementwise(np.log1p, lambda ans, x: 1.0 / (1.0 + x))
expm1 = _elementwise(np.expm1, lambda ans, x: ans + 1.0)
sqrt = _elementwise(np.sqrt, lambda ans, x: 0.5 / ans)
square = _elementwise(np.square, lambda ans, x: 2.0 * x)
reciprocal = _elementwise(np.reciprocal, lambda ans, x: -ans * ans)
sin = _elementwise(np.sin, lambda ans, x: cos(x))
cos = _elementwise(np.cos, lambda ans, x: -sin(x))
tan = _elementwise(np.tan, lambda ans, x: 1.0 + ans * ans)
arcsin = _elementwise(np.arcsin, lambda ans, x: 1.0 / sqrt(1.0 - x * x))
arccos = _elementwise(np.arccos, lambda ans, x: -1.0 / sqrt(1.0 - x * x))
arctan = _elementwise(np.arctan, lambda ans, x: 1.0 / (1.0 + x * x))
sinh = _elementwise(np.sinh, lambda ans, x: cosh(x))
cosh = _elementwise(np.cosh, lambda ans, x: sinh(x))
tanh = _elementwise(np.tanh, lambda ans, x: 1.0 - ans * ans)

# ---------------------------------------------------------------- elementwise, two arguments
# Both arguments may broadcast; the engine sums each cotangent back to its argument's shape.

_NUMBERS = (float, int, np.float64)


def _binary(ufunc, op):
    """Python's operator on plain numbers (much faster than a ufunc call), the ufunc otherwise,
    and wherever Python's arithmetic differs from IEEE 754's: 1.0 / 0.0 raises, 10.0 ** 400
    overflows, (-8.0) ** (1 / 3) is complex."""
    def raw(x, y):
        if x.__class__ in _NUMBERS and y.__class__ in _NUMBERS:
            try:
                ans = op(x, y)
                if ans.__class__ is not complex:
                    return ans
            except (ZeroDivisionError, OverflowError):
                pass
        return ufunc(x, y)
    raw.__name__ = ufunc.__name__
    return primitive(raw)


def _split(x, y):
    """Where x == y, share the derivative of max/min equally between them."""
    return (x > y) + 0.5 * (x == y)


add = _binary(np.add, operator.add)
defvjp(add, lambda ans, x, y: lambda g: g, lambda ans, x, y: lambda g: g)
defjvp(add, lambda t, ans, x, y: t, lambda t, ans, x, y: t)

subtract = _binary(np.subtract, operator.sub)
defvjp(subtract, lambda ans, x, y: lambda g: g, lambda ans, x, y: lambda g: -g)
defjvp(subtract, lambda t, ans, x, y: t, lambda t, ans, x, y: -t)

multiply = _binary(np.multiply, operator.mul)
defvjp(multiply, lambda ans, x, y: lambda g: g * y, lambda ans, x, y: lambda g: g * x)
defjvp(multiply, lambda t, ans, x, y: t * y, lambda t, ans, x, y: x * t)

divide = true_divide = _binary(np.divide, operator.truediv)
defvjp(divide, lambda ans, x, y: lambda g: g / y, lambda ans, x, y: lambda g: -g * ans / y)
defjvp(divide, lambda t, ans, x, y: t / y, lambda t, ans, x, y: -t * ans / y)

def _dpower(x, y):
    """d(x ** y)/dx = y x^(y-1); x ** 2 is so common that its derivative skips the power."""
    return 2.0 * x if y.__class__ in _NUMBERS and y == 2 else y * x ** (y - 1)


power = _binary(np.power, operator.pow)
defvjp(power, lambda ans, x, y: lambda g: g * _dpower(x, y),
       lambda ans, x, y: lambda g: g * ans * log(where(x > 0, x, 1.0)))
defjvp(power, lambda t, ans, x, y: t * _dpower(x, y),
       lambda t, ans, x, y: t * ans * log(where(x > 0, x, 1.0)))

maximum = primitive(np.maximum)
defvjp(maximum, lambda ans, x, y: lambda g: g * _split(x, y),
       lambda ans, x, y: lambda g: g * _split(y, x))
defjvp(maximum, lambda t, ans, x, y: t * _split(x, y), lambda t, ans, x, y: t * _split(y, x))

minimum = primitive(np.minimum)
defvjp(minimum, lambda ans, x, y: lambda g: g * _split(y, x),
       lambda ans, x, y: lambda g: g * _split(x, y))
defjvp(minimum, lambda t, ans, x, y: t * _split(y, x), lambda t, ans, x, y: t * _split(x, y))

logaddexp = primitive(np.logaddexp)
defvjp(logaddexp, lambda ans, x, y: lambda g: g * exp(x - ans),
       lambda ans, x, y: lambda g: g * exp(y - ans))
defjvp(logaddexp, lambda t, ans, x, y: t * exp(x - ans), lambda t, ans, x, y: t * exp(y - ans))

arctan2 = primitive(np.arctan2)
defvjp(arctan2, lambda ans, y, x: lambda g: g * x / (x * x + y * y),
       lambda ans, y, x: lambda g: -g * y / (x * x + y * y))
defjvp(arctan2, lambda t, ans, y, x: t * x / (x * x + y * y),
       lambda t, ans, y, x: -t * y / (x * x + y * y))

where = primitive(np.where)
defvjp(where, None, lambda ans, c, x, y: lambda g: where(c, g, 0.0),
       lambda ans, c, x, y: lambda g: where(c, 0.0, g))
defjvp(where, None, lambda t, ans, c, x, y: where(c, t, 0.0),
       lambda t, ans, c, x, y: where(c, 0.0, t))

def _clip(x, lo=None, hi=None):
    return np.clip(x, lo, hi)


def _inside(x, lo, hi):
    return ((x >= lo) if lo is not None else True) & ((x <= hi) if hi is not None else True)


clip = primitive(_clip)
defvjp(clip, lambda ans, x, lo=None, hi=None: lambda g: g * _inside(x, lo, hi), None, None)
defjvp(clip, lambda t, ans, x, lo=None, hi=None: t * _inside(x, lo, hi), None, None)

# ---------------------------------------------------------------- reductions


def _restore(g, x, axis, keepdims):
    """Put back the axes a reduction removed, then broadcast g to x's shape."""
    if not keepdims and axis is not None:
        g = reshape(g, np.sum(np.broadcast_to(0.0, _shape(x)), axis=axis, keepdims=True).shape)
    return broadcast_to(g, _shape(x))


def _sum(x, axis=None, keepdims=False):
    if x.__class__ is np.ndarray:  # the method skips np.sum's Python-level dispatch
        return x.sum(axis=axis, keepdims=keepdims)
    return np.sum(x, axis=axis, keepdims=keepdims)


sum = primitive(_sum)
defvjp(sum, lambda ans, x, axis=None, keepdims=False: lambda g: _restore(g, x, axis, keepdims))
defjvp(sum, lambda t, ans, x, axis=None, keepdims=False: sum(t, axis, keepdims))


def _prod(x, axis=None, keepdims=False):
    return np.prod(x, axis=axis, keepdims=keepdims)


prod = primitive(_prod)  # the derivative divides by x: exact where no factor is zero
defvjp(prod, lambda ans, x, axis=None, keepdims=False:
       lambda g: _restore(g * ans, x, axis, keepdims) / x)
defjvp(prod, lambda t, ans, x, axis=None, keepdims=False: ans * sum(t / x, axis, keepdims))


def _extremum(npf):
    def raw(x, axis=None, keepdims=False):
        return npf(x, axis=axis, keepdims=keepdims)
    raw.__name__ = npf.__name__
    f = primitive(raw)

    def share(ans, x, axis, keepdims):  # ties share the derivative equally
        hit = x == _restore(ans, x, axis, keepdims)
        return hit / np.sum(hit, axis=axis, keepdims=True)
    defvjp(f, lambda ans, x, axis=None, keepdims=False:
           lambda g: _restore(g, x, axis, keepdims) * share(ans, x, axis, keepdims))
    defjvp(f, lambda t, ans, x, axis=None, keepdims=False:
           sum(t * share(ans, x, axis, keepdims), axis, keepdims))
    return f


max = amax = _extremum(np.max)
min = amin = _extremum(np.min)


def _count(x, axis):
    """How many elements a reduction over ``axis`` combines into each result."""
    return np.size(_unbox(x)) // np.size(np.sum(np.broadcast_to(0.0, _shape(x)), axis=axis))


def mean(x, axis=None, keepdims=False):
    return sum(x, axis, keepdims) / _count(x, axis)


def var(x, axis=None, ddof=0, keepdims=False):
    d = x - mean(x, axis, keepdims=True)
    return sum(d * d, axis, keepdims) / (_count(x, axis) - ddof)


def std(x, axis=None, ddof=0, keepdims=False):
    return sqrt(var(x, axis, ddof, keepdims))


# ---------------------------------------------------------------- linear algebra

def _matmul_vjp(ans, x, y):
    """Cotangents of x @ y: G yᵀ and xᵀ G, with 1-D operands read as a row (x) or a column
    (y), as matmul itself reads them."""
    nx, ny = np.ndim(_unbox(x)), np.ndim(_unbox(y))
    if nx == 1 and ny == 1:
        return lambda g: g * y, lambda g: g * x
    if nx == 2 and ny == 1:
        return lambda g: outer(g, y), lambda g: g @ x
    if nx == 1 and ny == 2:
        return lambda g: y @ g, lambda g: outer(x, g)
    if nx == 2 and ny == 2:
        return lambda g: g @ transpose(y), lambda g: transpose(x) @ g
    x2 = x if nx > 1 else reshape(x, (1, -1))  # batched: promote, multiply, sum, restore
    y2 = y if ny > 1 else reshape(y, (-1, 1))
    sx, sy = _shape(x2), _shape(y2)
    promoted = np.broadcast_shapes(sx[:-2], sy[:-2]) + (sx[-2], sy[-1])
    g2 = lambda g: reshape(g, promoted)  # noqa: E731
    return (lambda g: reshape(_sumto(g2(g) @ swapaxes(y2, -1, -2), x2), _shape(x)),
            lambda g: reshape(_sumto(swapaxes(x2, -1, -2) @ g2(g), y2), _shape(y)))


matmul = primitive(np.matmul)
defvjp(matmul, lambda ans, x, y: _matmul_vjp(ans, x, y)[0],
       lambda ans, x, y: _matmul_vjp(ans, x, y)[1])
defjvp(matmul, lambda t, ans, x, y: t @ y, lambda t, ans, x, y: x @ t)


def _sumto(g, like):
    from .core import unbroadcast
    return unbroadcast(g, _shape(like))


def dot(a, b):
    if np.ndim(_unbox(a)) == 0 or np.ndim(_unbox(b)) == 0:
        return multiply(a, b)
    if np.ndim(_unbox(a)) <= 2 and np.ndim(_unbox(b)) <= 2:
        return matmul(a, b)
    raise NotImplementedError("adlib: dot of arrays with more than 2 dimensions is not "
                              "supported; use anp.matmul (batched) instead.")


def outer(a, b):
    return reshape(a, (-1, 1)) * reshape(b, (1, -1))


def inner(a, b):
    return sum(a * b, axis=-1)


def _mT(a):
    return swapaxes(a, -1, -2)


def _solve(a, b):
    return np.linalg.solve(a, b)


solve = primitive(_solve)


def _solve_adjoint(ans, a, b):
    def vjp_a(g):
        w = solve(_mT(a), g)
        return -(outer(w, ans) if np.ndim(_unbox(ans)) == 1 else w @ _mT(ans))
    return vjp_a


defvjp(solve, _solve_adjoint, lambda ans, a, b: lambda g: solve(_mT(a), g))
defjvp(solve, lambda t, ans, a, b: -solve(a, t @ ans), lambda t, ans, a, b: solve(a, t))

inv = primitive(np.linalg.inv)
defvjp(inv, lambda ans, a: lambda g: -_mT(ans) @ g @ _mT(ans))
defjvp(inv, lambda t, ans, a: -ans @ t @ ans)

det = primitive(np.linalg.det)
defvjp(det, lambda ans, a: lambda g: g * ans * _mT(inv(a)))
defjvp(det, lambda t, ans, a: ans * sum(_mT(inv(a)) * t, axis=(-2, -1)))


def norm(x, ord=None, axis=None, keepdims=False):
    if ord not in (None, 2, "fro") or (ord == 2 and np.ndim(_unbox(x)) > 1 and axis is None):
        raise NotImplementedError("adlib: only the 2-norm of vectors and the Frobenius norm "
                                  "are supported by anp.linalg.norm.")
    return sqrt(sum(x * x, axis, keepdims))


class _Linalg:
    """``anp.linalg``: solve, inv, det and norm are differentiable; the rest is NumPy's."""
    solve, inv, det, norm = staticmethod(solve), staticmethod(inv), staticmethod(det), \
        staticmethod(norm)

    def __getattr__(self, name):
        return getattr(np.linalg, name)


linalg = _Linalg()

# ---------------------------------------------------------------- shapes and indexing
# These are linear, so the forward rule applies the function itself to the tangent.


def _linear(f, vjpmaker):
    defvjp(f, vjpmaker)
    defjvp(f, lambda t, ans, x, *args, **kwargs: f(t, *args, **kwargs))


def _reshape(x, shape):
    return x.reshape(shape) if x.__class__ is np.ndarray else np.reshape(x, shape)


reshape = primitive(_reshape)
_linear(reshape, lambda ans, x, shape: lambda g: reshape(g, _shape(x)))

def _broadcast_to(x, shape):
    return x + np.zeros(shape)  # one C call, and a writeable result (np.broadcast_to's is not)


broadcast_to = primitive(_broadcast_to)
_linear(broadcast_to, lambda ans, x, shape: lambda g: g)  # the engine sums g back to x's shape

def _transpose(x, axes=None):
    return x.transpose(axes) if x.__class__ is np.ndarray else np.transpose(x, axes)


transpose = primitive(_transpose)
_linear(transpose, lambda ans, x, axes=None: lambda g: transpose(
    g, None if axes is None else np.argsort(axes)))

swapaxes = primitive(np.swapaxes)
_linear(swapaxes, lambda ans, x, a, b: lambda g: swapaxes(g, a, b))

flip = primitive(np.flip)
_linear(flip, lambda ans, x, axis=None: lambda g: flip(g, axis))


def _cumsum(x, axis=None):
    return np.cumsum(x, axis=axis)


cumsum = primitive(_cumsum)  # its adjoint sums from the other end: a reversed cumsum
_linear(cumsum, lambda ans, x, axis=None: lambda g: reshape(
    flip(cumsum(flip(g, axis), axis), axis), _shape(x)))


def _shape_after(npf, x, *args):
    return npf(np.broadcast_to(0.0, _shape(x)), *args).shape  # no data is copied


def ravel(x):
    return reshape(x, (-1,))


def expand_dims(x, axis):
    if not isinstance(x, Box):
        return np.expand_dims(x, axis)
    return reshape(x, _shape_after(np.expand_dims, x, axis))


def squeeze(x, axis=None):
    return reshape(x, _shape_after(np.squeeze, x, axis))


def atleast_2d(x):
    return x if np.ndim(_unbox(x)) >= 2 else reshape(x, _shape_after(np.atleast_2d, x))


def _getitem(x, idx):
    return x[idx]


def _untake_raw(g, idx, shape):
    out = np.zeros(shape, dtype=np.result_type(g, float))
    if all(isinstance(i, (int, slice, type(None), type(Ellipsis)))
           for i in (idx if isinstance(idx, tuple) else (idx,))):
        out[idx] = g  # basic indexing picks each element at most once
    else:
        np.add.at(out, idx, g)  # integer arrays may repeat an index: the shares accumulate
    return out


getitem = primitive(_getitem)
_untake = primitive(_untake_raw)
_linear(getitem, lambda ans, x, idx: lambda g: _untake(g, idx, _shape(x)))
_linear(_untake, lambda ans, g, idx, shape: lambda h: getitem(h, idx))


def _concatenate(axis, *xs):
    return np.concatenate(xs, axis=axis)


_concat = primitive(_concatenate)


def _piece(i, axis, xs):
    """Where argument i of _concatenate(axis, *xs) sits in the result."""
    axis = axis % len(_shape(xs[0]))
    start = builtins.sum(_shape(x)[axis] for x in xs[:i - 1])
    return (slice(None),) * axis + (slice(start, start + _shape(xs[i - 1])[axis]),)


class _PerArgument(dict):
    """Rules for a function of any number of arguments: made on demand for argument i."""

    def __init__(self, make):
        super().__init__({0: NONDIFF})
        self.make = make

    def __missing__(self, i):
        return self.make(i)


VJP_RULES[_concat] = _PerArgument(
    lambda i: lambda ans, axis, *xs: lambda g: getitem(g, _piece(i, axis, xs)))
JVP_RULES[_concat] = _PerArgument(
    lambda i: lambda t, ans, axis, *xs: _untake(t, _piece(i, axis, xs), _shape(ans)))


def concatenate(arrays, axis=0):
    return _concat(axis, *arrays)


def stack(arrays, axis=0):
    if not _contains_box(arrays):
        return np.stack(arrays, axis)
    return concatenate([expand_dims(a, axis) for a in arrays], axis)


def hstack(arrays):
    return concatenate(arrays, 0 if np.ndim(_unbox(arrays[0])) == 1 else 1)


def vstack(arrays):
    return concatenate([atleast_2d(a) for a in arrays], 0)


def array(obj, dtype=None):
    """Like ``np.array``, but a (nested) list of traced values becomes a traced array."""
    if isinstance(obj, (list, tuple)) and _contains_box(obj):
        return stack([array(o) for o in obj])
    return obj if isinstance(obj, Box) else np.array(obj, dtype=dtype)


def _contains_box(obj):
    return isinstance(obj, Box) or (isinstance(obj, (list, tuple))
                                    and builtins.any(_contains_box(o) for o in obj))


def diagonal(x):
    """The main diagonal of a matrix."""
    n = builtins.min(_shape(x))
    return x[np.arange(n), np.arange(n)]


def trace(x):
    return sum(diagonal(x))


def diag(v):
    """A diagonal matrix from a vector, or the diagonal of a matrix (as np.diag)."""
    if np.ndim(_unbox(v)) == 2:
        return diagonal(v)
    return np.eye(_shape(v)[0]) * v


def copy(x):
    return x  # traced values are never mutated, so sharing is safe


# ---------------------------------------------------------------- piecewise constant

sign = _nondiff(np.sign)
floor, ceil, rint, round = _nondiff(np.floor), _nondiff(np.ceil), _nondiff(np.rint), \
    _nondiff(np.round)
argmax, argmin, argsort = _nondiff(np.argmax), _nondiff(np.argmin), _nondiff(np.argsort)


# ---------------------------------------------------------------- what NumPy dispatches to

UFUNCS = {
    np.add: add, np.subtract: subtract, np.multiply: multiply, np.divide: divide,
    np.power: power, np.negative: negative, np.absolute: abs, np.exp: exp, np.log: log,
    np.log2: log2, np.log10: log10, np.log1p: log1p, np.expm1: expm1, np.sqrt: sqrt,
    np.square: square, np.reciprocal: reciprocal, np.sin: sin, np.cos: cos, np.tan: tan,
    np.arcsin: arcsin, np.arccos: arccos, np.arctan: arctan, np.sinh: sinh, np.cosh: cosh,
    np.tanh: tanh, np.maximum: maximum, np.minimum: minimum, np.logaddexp: logaddexp,
    np.arctan2: arctan2, np.matmul: matmul, np.positive: lambda x: x,
}
NONDIFF_UFUNCS = {
    np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal,
    np.logical_and, np.logical_or, np.logical_not, np.logical_xor, np.isnan, np.isinf,
    np.isfinite, np.sign, np.floor, np.ceil, np.rint, np.trunc, np.signbit, np.floor_divide,
}
FUNCTIONS = {
    np.sum: sum, np.prod: prod, np.max: max, np.min: min, np.mean: mean, np.var: var,
    np.std: std, np.dot: dot, np.outer: outer, np.inner: inner, np.where: where,
    np.clip: clip, np.reshape: reshape, np.ravel: ravel, np.transpose: transpose,
    np.swapaxes: swapaxes, np.flip: flip, np.expand_dims: expand_dims, np.squeeze: squeeze,
    np.broadcast_to: broadcast_to, np.concatenate: concatenate, np.stack: stack,
    np.hstack: hstack, np.vstack: vstack, np.atleast_2d: atleast_2d, np.copy: copy,
    np.linalg.solve: solve, np.linalg.inv: inv, np.linalg.det: det, np.linalg.norm: norm,
    np.cumsum: cumsum, np.diagonal: diagonal, np.trace: trace, np.diag: diag,
}
NONDIFF_FUNCTIONS = {
    np.shape, np.ndim, np.size, np.result_type, np.iscomplexobj, np.isrealobj,
    np.zeros_like, np.ones_like, np.full_like, np.empty_like, np.argmax, np.argmin,
    np.argsort, np.round, np.around, np.isclose, np.allclose, np.array_equal,
    np.count_nonzero, np.nonzero, np.sign, np.floor, np.ceil,
}
SUPPORTED = sorted({f.__name__ for f in list(UFUNCS) + list(FUNCTIONS)} | {
    "getitem (indexing and slicing)", "array", "atleast_2d", "hstack", "vstack"})


def _name(f):
    module = getattr(f, "__module__", None) or "numpy"
    for public in ("numpy.linalg", "numpy.fft", "numpy"):  # not the private submodule
        if module.startswith(public):
            return f"{public}.{f.__name__}"
    return f"{module}.{f.__name__}"


def _no_rule(what):
    return NotImplementedError(
        f"adlib: {what} has no derivative rule in adlib, so it cannot be applied to a traced "
        "value. Use a supported function (listed in adlib.numpy.SUPPORTED), or give it rules "
        "with adlib.primitive, adlib.defvjp and adlib.defjvp.")


def _array_ufunc(self, ufunc, method, *inputs, **kwargs):
    if "out" in kwargs:
        raise TypeError(f"adlib: numpy.{ufunc.__name__}(..., out=...) writes in place, which "
                        "cannot be differentiated; assign the result to a new name instead.")
    if method != "__call__":
        raise _no_rule(f"numpy.{ufunc.__name__}.{method}")
    if ufunc in UFUNCS:
        return UFUNCS[ufunc](*inputs, **kwargs)
    if ufunc in NONDIFF_UFUNCS:
        return ufunc(*_unbox(inputs), **kwargs)
    raise _no_rule(f"numpy.{ufunc.__name__}")


def _array_function(self, func, types, args, kwargs):
    if func in FUNCTIONS:
        return FUNCTIONS[func](*args, **kwargs)
    if func in NONDIFF_FUNCTIONS:
        return func(*_unbox(args), **{k: _unbox(v) for k, v in kwargs.items()})
    raise _no_rule(_name(func))


def _install_box_methods():
    """Operators and array methods of traced values, all routed to the primitives above."""
    B = Box
    B.__array_ufunc__ = _array_ufunc
    B.__array_function__ = _array_function
    B.__add__, B.__radd__ = lambda s, o: add(s, o), lambda s, o: add(o, s)
    B.__sub__, B.__rsub__ = lambda s, o: subtract(s, o), lambda s, o: subtract(o, s)
    B.__mul__, B.__rmul__ = lambda s, o: multiply(s, o), lambda s, o: multiply(o, s)
    B.__truediv__, B.__rtruediv__ = lambda s, o: divide(s, o), lambda s, o: divide(o, s)
    B.__pow__, B.__rpow__ = lambda s, o: power(s, o), lambda s, o: power(o, s)
    B.__matmul__, B.__rmatmul__ = lambda s, o: matmul(s, o), lambda s, o: matmul(o, s)
    B.__neg__, B.__pos__, B.__abs__ = negative, lambda s: s, abs
    for name in ("lt", "le", "gt", "ge", "eq", "ne"):
        op = getattr(operator, name)
        setattr(B, f"__{name}__", lambda s, o, op=op: op(_unbox(s), _unbox(o)))
    ArrayBox.__getitem__ = getitem
    ArrayBox.__len__ = lambda s: len(_unbox(s))
    ArrayBox.__iter__ = lambda s: (s[i] for i in range(len(s)))
    B.ndim = property(lambda s: np.ndim(_unbox(s)))
    B.size = property(lambda s: np.size(_unbox(s)))
    B.dtype = property(lambda s: np.result_type(_unbox(s)))
    B.T = property(lambda s: transpose(s))
    B.sum, B.mean, B.prod, B.max, B.min, B.var, B.std = sum, mean, prod, max, min, var, std
    B.dot, B.ravel, B.flatten, B.squeeze, B.clip, B.copy = dot, ravel, ravel, squeeze, clip, copy
    B.reshape = lambda s, *shape: reshape(s, shape[0] if len(shape) == 1 else shape)
    B.transpose = lambda s, *axes: transpose(
        s, (axes[0] if len(axes) == 1 and not isinstance(axes[0], int) else axes) or None)
    B.astype = lambda s, dtype, **kw: s  # only floating dtypes are traced


_install_box_methods()
