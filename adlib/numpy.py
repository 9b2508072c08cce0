"""Differentiable NumPy: ``import adlib.numpy as anp``.

Each primitive is defined once, with its reverse-mode rule (VJP), its forward-mode rule (JVP)
and its batching rule (for ``vmap``) next to each other. Most rules are generated: elementwise
functions are given by their local derivative alone, from which both derivative rules follow,
and their batching rule follows from broadcasting; reductions batch by shifting their axes.
Everything else (``mean``, ``tile``, ``sort``, ``einsum``...) is written with the primitives,
so its derivatives and batching come for free. Names not defined here (``zeros``, ``arange``,
``random``, ``pi``, ...) pass through to NumPy. Plain ``numpy`` calls on traced values are
routed here by NumPy's ``__array_ufunc__`` and ``__array_function__`` protocols.
"""
import builtins
import functools
import inspect
import operator

import numpy as np

from . import core
from .core import (BOXES, NONDIFF, VJP_RULES, JVP_RULES, ArrayBox, Box, _complex_error,
                   _shape, defbatch, defjvp, defvjp, primitive, unbox, unbroadcast)

_NoValue = np._NoValue


def __getattr__(name):  # zeros, ones, arange, eye, random, pi, float64, ...
    return getattr(np, name)


def _unbox(x):
    x = unbox(x)
    if isinstance(x, (list, tuple)):
        return type(x)(_unbox(v) for v in x)
    return x


def _is_traced(x):
    return x.__class__ in BOXES or (isinstance(x, (list, tuple))
                                    and builtins.any(_is_traced(v) for v in x))


def _ndim(x):
    return len(_shape(x))


def _size(x):
    return int(np.prod(_shape(x)))


def _asarray(x):
    """Lists become arrays (traced ones if they hold traced values); the rest is left alone."""
    if isinstance(x, (list, tuple)):
        return array(x) if _is_traced(x) else np.asarray(x)
    return x


def _array_args(f, n):
    """``f`` with its first ``n`` positional arguments turned into arrays, as NumPy does."""
    @functools.wraps(f)
    def g(*args, **kwargs):
        return f(*[_asarray(a) if i < n else a for i, a in enumerate(args)], **kwargs)
    return g


class _AllArguments(dict):
    """Rules for every argument of a function, made on demand for argument i."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, i):
        return self.make(i)


# ---------------------------------------------------------------- batching rules
# A batched argument carries the batch axis in front (axis 0), always.

def _align(batched, args):
    """Give batched arguments size-1 axes after the batch axis, so that all have one more axis
    than the highest-ranked member: NumPy's broadcasting then lines up members' axes."""
    rank = builtins.max(_ndim(a) - b for a, b in zip(args, batched))
    out = []
    for a, b in zip(args, batched):
        s = _shape(a)
        if b and len(s) - 1 < rank:
            a = reshape(a, s[:1] + (1,) * (rank - len(s) + 1) + s[1:])
        out.append(a)
    return out


def _batch_broadcast(f):
    """The batching rule of any function that broadcasts its arguments elementwise."""
    return lambda batched, *args, **kwargs: f(*_align(batched, args), **kwargs)


def _shift(axis, n):
    """A member's axis (or tuple of axes) as an axis of the batched value."""
    if isinstance(axis, tuple):
        return tuple(_shift(a, n) for a in axis)
    if not -n <= axis < n:
        raise np.exceptions.AxisError(axis, n)
    return axis % n + 1


def _batch_axis(f, flat=False):
    """The batching rule of a function of one array with an ``axis`` keyword: shift the axis
    past the batch axis. ``axis=None`` means every axis, or (``flat``) the flattened member."""
    def rule(batched, x, *args, axis=None, **kwargs):
        n = _ndim(x) - 1
        if axis is None and flat:
            x, axis = reshape(x, (_shape(x)[0], -1)), 1
        else:
            axis = tuple(range(1, n + 1)) if axis is None else _shift(axis, n)
        return f(x, *args, axis=axis, **kwargs)
    return rule


# ---------------------------------------------------------------- not differentiated
# Comparisons, rounding, argmax...: primitives whose values carry no derivative (in forward
# and reverse mode they return plain arrays), but which still batch.

_NUMBERS = (float, int, np.float64)


def _nondiff(f, batch=_batch_broadcast, fast=None, name=None):
    """A primitive without derivative; ``fast`` is Python's operator for plain numbers."""
    if fast is not None:
        npf = f

        def f(x, y):
            if x.__class__ in _NUMBERS and y.__class__ in _NUMBERS:
                return fast(x, y)
            return npf(x, y)
        f.__name__ = npf.__name__
    p = primitive(f, name, keywords=not isinstance(f, np.ufunc) and fast is None)
    p.nondiff = True
    if isinstance(npf if fast is not None else f, np.ufunc):  # for the tests: its arity
        p.elementwise = (npf if fast is not None else f).nin
    VJP_RULES[p] = _AllArguments(lambda i: NONDIFF)
    JVP_RULES[p] = _AllArguments(lambda i: NONDIFF)
    if batch is not None:
        defbatch(p, batch(p))
    return p


greater = _nondiff(np.greater, fast=operator.gt)
greater_equal = _nondiff(np.greater_equal, fast=operator.ge)
less = _nondiff(np.less, fast=operator.lt)
less_equal = _nondiff(np.less_equal, fast=operator.le)
equal = _nondiff(np.equal, fast=operator.eq)
not_equal = _nondiff(np.not_equal, fast=operator.ne)
(logical_and, logical_or, logical_xor, logical_not, bitwise_and, bitwise_or, bitwise_xor,
 invert, isnan, isinf, isfinite, isposinf, isneginf, signbit, sign, floor, ceil, rint, trunc,
 fix, floor_divide, isclose) = [_nondiff(f) for f in (
     np.logical_and, np.logical_or, np.logical_xor, np.logical_not, np.bitwise_and,
     np.bitwise_or, np.bitwise_xor, np.invert, np.isnan, np.isinf, np.isfinite, np.isposinf,
     np.isneginf, np.signbit, np.sign, np.floor, np.ceil, np.rint, np.trunc, np.fix,
     np.floor_divide, np.isclose)]
round = around = _nondiff(np.round)


def _axis_by_keyword(npf, flat=False):
    """A non-differentiable reduction with NumPy's signature; the primitive gets the axis by
    keyword, as its batching rule wants."""
    p = _nondiff(npf, batch=lambda p: _batch_axis(p, flat=flat))
    signature = inspect.signature(npf)

    def public(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        a, *rest = bound.arguments.values()
        return p(a, **dict(zip(list(bound.arguments)[1:], rest)))
    public.__name__ = npf.__name__
    return public


argmax, argmin, argsort = (_axis_by_keyword(f, flat=True) for f in (np.argmax, np.argmin,
                                                                   np.argsort))
any, all, count_nonzero = (_axis_by_keyword(f) for f in (np.any, np.all, np.count_nonzero))
def _unbatchable(why):
    def batch(p):
        def rule(batched, *args, **kwargs):
            raise NotImplementedError(f"adlib.vmap: {p.__name__} cannot be batched: {why}")
        return rule
    return batch


nonzero = _nondiff(np.nonzero, batch=_unbatchable(
    "its result's shape depends on the values, so it differs between members. Keep the "
    "shape fixed: select with anp.where(mask, x, 0) and reduce, instead of indexing."))
allclose, array_equal = (_nondiff(f, batch=_unbatchable(
    "it returns one Python bool, not a value per member; use anp.isclose or == and reduce "
    "with anp.all(..., axis=...).")) for f in (np.allclose, np.array_equal))


def _astype_int(x, dtype):
    return np.asarray(x).astype(dtype)


_cast_nondiff = _nondiff(_astype_int, name="astype_int")

# ---------------------------------------------------------------- elementwise, one argument


def _elementwise(ufunc, dfdx):
    """A primitive from its local derivative ``dfdx(ans, x)``: g * f'(x) and t * f'(x)."""
    f = primitive(ufunc, keywords=False)
    defvjp(f, lambda ans, x: lambda g: g * dfdx(ans, x))
    defjvp(f, lambda t, ans, x: t * dfdx(ans, x))
    defbatch(f, _batch_broadcast(f))
    f.elementwise = 1  # for the tests: the number of arguments
    return f


_LN2 = np.log(2.0)
negative = _elementwise(np.negative, lambda ans, x: -1.0)
abs = absolute = fabs = _elementwise(np.absolute, lambda ans, x: sign(x))  # 0 at the kink
exp = _elementwise(np.exp, lambda ans, x: ans)
exp2 = _elementwise(np.exp2, lambda ans, x: ans * _LN2)
log = _elementwise(np.log, lambda ans, x: 1.0 / x)
log2 = _elementwise(np.log2, lambda ans, x: 1.0 / (x * _LN2))
log10 = _elementwise(np.log10, lambda ans, x: 1.0 / (x * np.log(10.0)))
log1p = _elementwise(np.log1p, lambda ans, x: 1.0 / (1.0 + x))
expm1 = _elementwise(np.expm1, lambda ans, x: ans + 1.0)
sqrt = _elementwise(np.sqrt, lambda ans, x: 0.5 / ans)
cbrt = _elementwise(np.cbrt, lambda ans, x: 1.0 / (3.0 * ans * ans))
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
arcsinh = _elementwise(np.arcsinh, lambda ans, x: 1.0 / sqrt(x * x + 1.0))
arccosh = _elementwise(np.arccosh, lambda ans, x: 1.0 / sqrt(x * x - 1.0))
arctanh = _elementwise(np.arctanh, lambda ans, x: 1.0 / (1.0 - x * x))
deg2rad = radians = _elementwise(np.deg2rad, lambda ans, x: np.pi / 180.0)
rad2deg = degrees = _elementwise(np.rad2deg, lambda ans, x: 180.0 / np.pi)
# sinc' = (cos(pi x) - sinc x) / x; at x = 0 its Taylor polynomial, so that the derivatives of
# sinc' there (sinc's second to fourth) are right too, not those of a constant
sinc = _elementwise(np.sinc, lambda ans, x: where(
    x == 0, -np.pi**2 / 3 * x + np.pi**4 / 30 * x**3,
    (cos(np.pi * x) - ans) / where(x == 0, 1.0, x)))


def _identity(x):
    return x


def positive(x):
    return x if _is_traced(x) else np.positive(x)


def real(x):  # traced values are real (complex is refused)
    return x if _is_traced(x) else np.real(x)


def conj(x):
    return x if _is_traced(x) else np.conj(x)


conjugate = conj


def imag(x):
    return zeros_like(x) if _is_traced(x) else np.imag(x)


# ---------------------------------------------------------------- elementwise, two arguments
# Both arguments may broadcast; the engine sums each cotangent back to its argument's shape.

def _binary(ufunc, op):
    """Python's operator on plain numbers (much faster than a ufunc call), the ufunc otherwise,
    and wherever Python's arithmetic differs from IEEE 754's: 1.0 / 0.0 raises, 10.0 ** 400
    overflows, (-8.0) ** (1 / 3) is complex."""
    def raw(x, y):
        if x.__class__ in _NUMBERS and y.__class__ in _NUMBERS:
            try:
                ans = op(x, y)
                if ans.__class__ is np.float64:
                    return ans
                if ans.__class__ is float:  # a NumPy float, as np.add would give
                    return np.float64(ans)
            except (ZeroDivisionError, OverflowError):
                pass
        return ufunc(x, y)
    raw.__name__ = ufunc.__name__
    f = primitive(raw, keywords=False)
    defbatch(f, _batch_broadcast(f))
    f.elementwise = 2
    return f


def _elementwise2(ufunc, dx, dy, op=None):
    """A two-argument primitive from its partial derivatives ``dx(ans, x, y)``, ``dy(ans, x, y)``
    (``op``: a faster equivalent on plain numbers, as for :func:`_binary`)."""
    f = _binary(ufunc, op or ufunc)
    defvjp(f, lambda ans, x, y: lambda g: g * dx(ans, x, y),
           lambda ans, x, y: lambda g: g * dy(ans, x, y))
    defjvp(f, lambda t, ans, x, y: t * dx(ans, x, y), lambda t, ans, x, y: t * dy(ans, x, y))
    return f


def _split(x, y):
    """Where x == y, share the derivative of max/min equally between them."""
    return (x > y) + 0.5 * (x == y)


def _pymax(x, y):
    return x if x >= y or x != x else y  # NaN propagates, as in np.maximum


def _pymin(x, y):
    return x if x <= y or x != x else y


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
    """d(x ** y)/dx = y x^(y-1), which is 0 where y = 0, even at x = 0 (not 0 * inf); x ** 2
    is so common that its derivative skips the power."""
    if y.__class__ in _NUMBERS:
        return 2.0 * x if y == 2 else 0.0 * x if y == 0 else y * x ** (y - 1)
    return y * x ** where(y == 0, 1.0, y - 1.0)


power = _elementwise2(np.power, lambda ans, x, y: _dpower(x, y),
                      lambda ans, x, y: ans * log(where(x > 0, x, 1.0)), operator.pow)

remainder = mod = _binary(np.remainder, operator.mod)  # x - floor(x / y) * y
defvjp(remainder, lambda ans, x, y: lambda g: g, lambda ans, x, y: lambda g: -g * floor(x / y))
defjvp(remainder, lambda t, ans, x, y: t, lambda t, ans, x, y: -t * floor(x / y))

fmod = _binary(np.fmod, np.fmod)  # x - trunc(x / y) * y
defvjp(fmod, lambda ans, x, y: lambda g: g, lambda ans, x, y: lambda g: -g * trunc(x / y))
defjvp(fmod, lambda t, ans, x, y: t, lambda t, ans, x, y: -t * trunc(x / y))

maximum = _elementwise2(np.maximum, lambda ans, x, y: _split(x, y),
                        lambda ans, x, y: _split(y, x), _pymax)
minimum = _elementwise2(np.minimum, lambda ans, x, y: _split(y, x),
                        lambda ans, x, y: _split(x, y), _pymin)


def _nan_split(x, y, split):
    """fmax/fmin ignore a NaN: the derivative goes to the other argument."""
    return where(isnan(y), 1.0, where(isnan(x), 0.0, split))


fmax = _elementwise2(np.fmax, lambda ans, x, y: _nan_split(x, y, _split(x, y)),
                     lambda ans, x, y: _nan_split(y, x, _split(y, x)))
fmin = _elementwise2(np.fmin, lambda ans, x, y: _nan_split(x, y, _split(y, x)),
                     lambda ans, x, y: _nan_split(y, x, _split(x, y)))
logaddexp = _elementwise2(np.logaddexp, lambda ans, x, y: exp(x - ans),
                          lambda ans, x, y: exp(y - ans))
logaddexp2 = _elementwise2(np.logaddexp2, lambda ans, x, y: exp2(x - ans),
                           lambda ans, x, y: exp2(y - ans))
hypot = _elementwise2(np.hypot, lambda ans, x, y: x / ans, lambda ans, x, y: y / ans)
arctan2 = _elementwise2(np.arctan2, lambda ans, y, x: x / (x * x + y * y),
                        lambda ans, y, x: -y / (x * x + y * y))


def _where(c, x, y):
    if c.__class__ in (bool, np.bool_) and x.__class__ in _NUMBERS and y.__class__ in _NUMBERS:
        return np.float64(x if c else y)
    return np.where(c, x, y)


_where3 = primitive(_where, "where")
defvjp(_where3, None, lambda ans, c, x, y: lambda g: where(c, g, 0.0),
       lambda ans, c, x, y: lambda g: where(c, 0.0, g))
defjvp(_where3, None, lambda t, ans, c, x, y: where(c, t, 0.0),
       lambda t, ans, c, x, y: where(c, 0.0, t))
defbatch(_where3, _batch_broadcast(_where3))


def where(condition, x=_NoValue, y=_NoValue):
    if x is _NoValue and y is _NoValue:
        return nonzero(condition)
    return _where3(condition, x, y)


def _clip_raw(x, lo, hi):
    return np.clip(x, lo, hi)


_clip = primitive(_clip_raw, "clip")
defvjp(_clip, lambda ans, x, lo, hi: lambda g: g * _inside(x, lo, hi),
       lambda ans, x, lo, hi: lambda g: g * _lo_wins(x, lo, hi),
       lambda ans, x, lo, hi: lambda g: g * _hi_wins(x, lo, hi))
defjvp(_clip, lambda t, ans, x, lo, hi: t * _inside(x, lo, hi),
       lambda t, ans, x, lo, hi: t * _lo_wins(x, lo, hi),
       lambda t, ans, x, lo, hi: t * _hi_wins(x, lo, hi))
defbatch(_clip, _batch_broadcast(_clip))


# np.clip is minimum(maximum(x, lo), hi): where lo > hi, the result is hi whatever x is.
def _inside(x, lo, hi):
    return ((x >= lo) if lo is not None else True) & ((x <= hi) if hi is not None else True)


def _lo_wins(x, lo, hi):
    return (x < lo) & ((lo <= hi) if hi is not None else True)


def _hi_wins(x, lo, hi):
    return (x > hi) | ((lo > hi) if lo is not None else False)


def clip(a, a_min=_NoValue, a_max=_NoValue, out=None, *, min=_NoValue, max=_NoValue):
    _no_out(out, "clip")
    lo = min if a_min is _NoValue else a_min
    hi = max if a_max is _NoValue else a_max
    lo, hi = (None if v is _NoValue else v for v in (lo, hi))
    if lo is None and hi is None:
        raise ValueError("adlib: clip needs a lower bound, an upper bound, or both.")
    return _clip(_asarray(a), lo, hi)


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """NaN and infinities replaced by numbers; the derivative is 1 where x is finite, else 0."""
    big = np.finfo(np.result_type(unbox(x), float))
    posinf = big.max if posinf is None else posinf
    neginf = big.min if neginf is None else neginf
    return where(isnan(x), nan, where(isposinf(x), posinf, where(isneginf(x), neginf, x)))


# ---------------------------------------------------------------- casts

def _cast_raw(x, dtype):
    return np.asarray(x).astype(dtype) if np.ndim(x) else np.dtype(dtype).type(x)


_cast = primitive(_cast_raw, "astype")
defvjp(_cast, lambda ans, x, dtype: lambda g: _cast(g, dtype=np.result_type(unbox(x))))
defjvp(_cast, lambda t, ans, x, dtype: _cast(t, dtype=dtype))
defbatch(_cast, _batch_broadcast(_cast))


def astype(x, dtype, **kwargs):
    """x in ``dtype``: a float dtype keeps the derivative; an integer or bool cast is a
    piecewise-constant function of x, without derivative; complex is refused."""
    kind = np.dtype(dtype).kind
    if kind == "c":
        raise _complex_error(f"astype({np.dtype(dtype)})")
    if kind == "f":
        return x if np.result_type(unbox(x)) == dtype else _cast(x, dtype=dtype)
    return _cast_nondiff(x, dtype=dtype)


def _with_dtype(x, dtype):
    return x if dtype is None else astype(x, dtype)


# ---------------------------------------------------------------- reductions

def _no_out(out, name):
    if out is not None:
        raise TypeError(f"adlib: {name}(..., out=...) writes in place, which cannot be "
                        "differentiated; assign the result to a new name instead.")


def _reduced_shape(shape, axis, keepdims=True):
    return np.sum(np.broadcast_to(0.0, shape), axis=axis, keepdims=keepdims).shape


def _restore(g, x, axis, keepdims):
    """Put back the axes a reduction removed, then broadcast g to x's shape."""
    if not keepdims and axis is not None:
        g = reshape(g, _reduced_shape(_shape(x), axis))
    return broadcast_to(g, _shape(x))


def _sum_raw(x, axis=None, keepdims=False):
    if x.__class__ is np.ndarray:  # the method skips np.sum's Python-level dispatch
        return x.sum(axis=axis, keepdims=keepdims)
    return np.sum(x, axis=axis, keepdims=keepdims)


_sum = primitive(_sum_raw, "sum")
defvjp(_sum, lambda ans, x, axis=None, keepdims=False: lambda g: _restore(g, x, axis, keepdims))
defjvp(_sum, lambda t, ans, x, axis=None, keepdims=False: _sum(t, axis=axis, keepdims=keepdims))
defbatch(_sum, _batch_axis(_sum))


def _keep(keepdims):
    return False if keepdims is _NoValue else keepdims


def _reduction(p, name, neutral, combine):
    """NumPy's signature for a sum-like reduction ``p``: where= fills the left-out entries with
    the neutral element, initial= is combined with the result."""
    def public(a, axis=None, dtype=None, out=None, keepdims=_NoValue, initial=_NoValue,
               where=_NoValue):
        _no_out(out, name)
        a = _asarray(a)
        if where is not _NoValue:
            a = _where3(where, a, neutral)
        r = p(a, axis=axis, keepdims=_keep(keepdims))
        if initial is not _NoValue:
            r = combine(r, initial)
        return _with_dtype(r, dtype)
    public.__name__ = name
    return public


sum = _reduction(_sum, "sum", 0.0, add)


def _exclusive_products(x):
    """Products of all the other entries along the last axis, exactly even where entries are
    zero: the product of the entries before times the product of the entries after."""
    n = _shape(x)[-1]
    ones = np.ones(_shape(x)[:-1] + (1,))
    before = concatenate([ones, cumprod(x[..., :-1], axis=-1)], axis=-1)
    after = concatenate([cumprod(x[..., :0:-1], axis=-1)[..., ::-1], ones], axis=-1)
    return before * after if n else x


def _prod_others(ans, x, axis, keepdims):
    """d prod / dx: the product of the other factors, as ans / x where no factor is zero."""
    if np.all(unbox(x) != 0):
        return _restore(ans, x, axis, keepdims) / x
    nd = _ndim(x)
    axes = tuple(range(nd)) if axis is None else tuple(
        a % nd for a in (axis if isinstance(axis, tuple) else (axis,)))
    rest = tuple(a for a in range(nd) if a not in axes)
    moved = transpose(x, rest + axes)  # the reduced axes last, merged into one
    flat = reshape(moved, _shape(moved)[:len(rest)] + (-1,))
    others = reshape(_exclusive_products(flat), _shape(moved))
    return transpose(others, tuple(np.argsort(rest + axes)))


def _prod_raw(x, axis=None, keepdims=False):
    return np.prod(x, axis=axis, keepdims=keepdims)


_prod = primitive(_prod_raw, "prod")
defvjp(_prod, lambda ans, x, axis=None, keepdims=False: lambda g: _restore(
    g, x, axis, keepdims) * _prod_others(ans, x, axis, keepdims))
defjvp(_prod, lambda t, ans, x, axis=None, keepdims=False: _sum(
    t * _prod_others(ans, x, axis, keepdims), axis=axis, keepdims=keepdims))
defbatch(_prod, _batch_axis(_prod))


prod = _reduction(_prod, "prod", 1.0, multiply)


def _extremum(npf, name):
    def raw(x, axis=None, keepdims=False):
        return npf(x, axis=axis, keepdims=keepdims)
    raw.__name__ = name
    f = primitive(raw)

    def share(ans, x, axis, keepdims):  # ties share the derivative equally
        hit = x == _restore(ans, x, axis, keepdims)
        return hit / _sum(hit, axis=axis, keepdims=True)
    defvjp(f, lambda ans, x, axis=None, keepdims=False:
           lambda g: _restore(g, x, axis, keepdims) * share(ans, x, axis, keepdims))
    defjvp(f, lambda t, ans, x, axis=None, keepdims=False:
           _sum(t * share(ans, x, axis, keepdims), axis=axis, keepdims=keepdims))
    defbatch(f, _batch_axis(f))

    def public(a, axis=None, out=None, keepdims=_NoValue, initial=_NoValue, where=_NoValue):
        _no_out(out, name)
        a = _asarray(a)
        if where is not _NoValue:
            if initial is _NoValue:
                raise ValueError(f"adlib: {name}(..., where=...) needs an initial value, "
                                 "as in NumPy.")
            a = _where3(where, a, initial)
        m = f(a, axis=axis, keepdims=_keep(keepdims))
        if initial is not _NoValue:
            m = (maximum if name == "max" else minimum)(m, initial)
        return m
    public.__name__ = name
    return f, public


_max, max = _extremum(np.max, "max")
_min, min = _extremum(np.min, "min")
amax, amin = max, min


def ptp(a, axis=None, out=None, keepdims=_NoValue):
    return max(a, axis, out, keepdims) - min(a, axis, out, keepdims)


def _count(x, axis):
    """How many elements a reduction over ``axis`` combines into each result."""
    return _size(x) // int(np.prod(_reduced_shape(_shape(x), axis, False)))


def mean(a, axis=None, dtype=None, out=None, keepdims=_NoValue, *, where=_NoValue):
    _no_out(out, "mean")
    a = _asarray(a)
    if where is not _NoValue:
        count = _sum(broadcast_to(astype(where, float), _shape(a)), axis=axis,
                     keepdims=_keep(keepdims))
        return _with_dtype(sum(a, axis, keepdims=keepdims, where=where) / count, dtype)
    return _with_dtype(_sum(a, axis=axis, keepdims=_keep(keepdims)) / _count(a, axis), dtype)


def average(a, axis=None, weights=None, returned=False, *, keepdims=_NoValue):
    if weights is None:
        avg = mean(a, axis, keepdims=keepdims)
        total = np.full(_shape(avg), float(_count(a, axis)))
    else:
        if _ndim(weights) == 1 and _ndim(a) > 1:  # weights along the one axis
            weights = reshape(weights, tuple(-1 if k == axis % _ndim(a) else 1
                                             for k in range(_ndim(a))))
        total = sum(broadcast_to(weights, _shape(a)), axis, keepdims=keepdims)
        avg = sum(a * weights, axis, keepdims=keepdims) / total
    return (avg, total) if returned else avg


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=_NoValue, *, where=_NoValue,
        mean=_NoValue, correction=_NoValue):
    _no_out(out, "var")
    a = _asarray(a)
    ddof = ddof if correction is _NoValue else correction
    if where is not _NoValue:
        w = broadcast_to(astype(where, float), _shape(a))
        m = sum(a, axis, keepdims=True, where=where) / _sum(w, axis=axis, keepdims=True)
        d = a - m
        return _with_dtype(sum(d * d, axis, keepdims=keepdims, where=where)
                           / (_sum(w, axis=axis, keepdims=_keep(keepdims)) - ddof), dtype)
    m = _sum(a, axis=axis, keepdims=True) / _count(a, axis) if mean is _NoValue else mean
    d = a - m
    return _with_dtype(_sum(d * d, axis=axis, keepdims=_keep(keepdims))
                       / (_count(a, axis) - ddof), dtype)


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=_NoValue, *, where=_NoValue,
        mean=_NoValue, correction=_NoValue):
    v = var(a, axis, dtype, out, ddof, keepdims, where=where, mean=mean, correction=correction)
    # sqrt has an infinite slope at 0, where the spread is 0 (one element, or all equal): there
    # the derivative taken is 0, as for |x| at 0, not 0 * inf = NaN
    positive = v > 0
    return _where3(positive, sqrt(_where3(positive, v, 1.0)), 0.0)


def _cumsum_raw(x, axis=None):
    return np.cumsum(x, axis=axis)


_cumsum = primitive(_cumsum_raw, "cumsum")  # its adjoint sums from the other end: a reversed cumsum
defvjp(_cumsum, lambda ans, x, axis=None: lambda g: reshape(
    flip(_cumsum(flip(g, axis), axis=axis), axis), _shape(x)))
defjvp(_cumsum, lambda t, ans, x, axis=None: _cumsum(t, axis=axis))
defbatch(_cumsum, _batch_axis(_cumsum, flat=True))


def cumsum(a, axis=None, dtype=None, out=None):
    _no_out(out, "cumsum")
    return _with_dtype(_cumsum(_asarray(a), axis=axis), dtype)


def cumprod(a, axis=None, dtype=None, out=None):
    """Running products, as a scan of log2(n) elementwise products (each position multiplied
    by the one 1, 2, 4, ... places before it). Not a primitive: its derivatives, exact even at
    zeros, follow from those of multiply."""
    _no_out(out, "cumprod")
    a = _asarray(a)
    if axis is None:
        a, axis = ravel(a), 0
    a = moveaxis(a, axis, -1)
    n, k = _shape(a)[-1], 1
    while k < n:
        a = concatenate([a[..., :k], a[..., k:] * a[..., :-k]], axis=-1)
        k *= 2
    return _with_dtype(moveaxis(a, -1, axis), dtype)


# ---------------------------------------------------------------- shapes
# These are linear, so the forward rule applies the function itself to the tangent.

def _linear(f, vjpmaker, batch):
    defvjp(f, vjpmaker)
    defjvp(f, lambda t, ans, x, *args, **kwargs: f(t, *args, **kwargs))
    defbatch(f, batch)


def _reshape_raw(x, shape):
    return x.reshape(shape) if x.__class__ is np.ndarray else np.reshape(x, shape)


_reshape = primitive(_reshape_raw, "reshape")
_linear(_reshape, lambda ans, x, shape: lambda g: _reshape(g, _shape(x)),
        lambda batched, x, shape: _reshape(x, _shape(x)[:1] + shape))


def reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    shape = newshape if shape is None else shape
    if order != "C":
        raise NotImplementedError("adlib: reshape supports order='C' only.")
    return _reshape(_asarray(a), (shape,) if isinstance(shape, (int, np.integer)) else
                    tuple(shape))


def _broadcast_raw(x, shape):
    x = np.asarray(x)
    if x.dtype.kind == "f":  # one C call, and a writeable result (np.broadcast_to's is not)
        return x + np.zeros(shape, x.dtype)
    return np.broadcast_to(x, shape).copy()


def _broadcast_batch(batched, x, shape):
    s = _shape(x)
    x = _reshape(x, s[:1] + (1,) * (len(shape) - len(s) + 1) + s[1:])
    return _broadcast(x, s[:1] + shape)


_broadcast = primitive(_broadcast_raw, "broadcast_to")
_linear(_broadcast, lambda ans, x, shape: lambda g: g, _broadcast_batch)  # engine sums g back


def broadcast_to(array, shape, subok=False):
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    return _broadcast(array, shape)


def broadcast_arrays(*args, subok=False):
    shape = np.broadcast_shapes(*(_shape(a) for a in args))
    return [broadcast_to(a, shape) for a in args]


def _transpose_raw(x, axes=None):
    return x.transpose(axes) if x.__class__ is np.ndarray else np.transpose(x, axes)


def _transpose_batch(batched, x, axes=None):
    n = _ndim(x) - 1
    return _transpose(x, (0,) + (tuple(range(n, 0, -1)) if axes is None else _shift(axes, n)))


_transpose = primitive(_transpose_raw, "transpose")
_linear(_transpose, lambda ans, x, axes=None: lambda g: _transpose(
    g, None if axes is None else tuple(np.argsort(axes))), _transpose_batch)


def transpose(a, axes=None):
    if axes is not None:
        n = _ndim(a)
        axes = tuple(ax % n for ax in axes)
    return _transpose(_asarray(a), axes)


def matrix_transpose(x):
    return swapaxes(x, -1, -2)


permute_dims = transpose


def moveaxis(a, source, destination):
    n = _ndim(a)
    src = [s % n for s in np.atleast_1d(source)]
    dst = [d % n for d in np.atleast_1d(destination)]
    order = [i for i in range(n) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return a if order == list(range(n)) else transpose(a, tuple(order))


def swapaxes(a, axis1, axis2):
    order = list(range(_ndim(a)))
    order[axis1], order[axis2] = order[axis2], order[axis1]
    return transpose(a, tuple(order))


def rollaxis(a, axis, start=0):
    n = _ndim(a)
    axis, start = axis % n, start % (n + 1)
    return moveaxis(a, axis, start - 1 if start > axis else start)


def ravel(a, order="C"):
    return reshape(a, (-1,), order)


flatten = ravel


def _shape_after(npf, x, *args, **kwargs):
    return npf(np.broadcast_to(0.0, _shape(x)), *args, **kwargs).shape  # no data is copied


def expand_dims(a, axis):
    return reshape(a, _shape_after(np.expand_dims, a, axis))


def squeeze(a, axis=None):
    return reshape(a, _shape_after(np.squeeze, a, axis))


def atleast_1d(*arys):
    out = [reshape(a, _shape_after(np.atleast_1d, a)) for a in arys]
    return out[0] if len(out) == 1 else out


def atleast_2d(*arys):
    out = [reshape(a, _shape_after(np.atleast_2d, a)) for a in arys]
    return out[0] if len(out) == 1 else out


def atleast_3d(*arys):
    out = [reshape(a, _shape_after(np.atleast_3d, a)) for a in arys]
    return out[0] if len(out) == 1 else out


def copy(a, order="K", subok=False):
    if _is_traced(a):
        return array(a)  # traced values are never mutated, so sharing is safe
    return np.copy(a, order=order, subok=subok)


def asarray(a, dtype=None, order=None, **kwargs):
    if _is_traced(a):
        return array(a, dtype=dtype)
    return np.asarray(a, dtype=dtype, order=order, **kwargs)


asanyarray = ascontiguousarray = asarray


# ---------------------------------------------------------------- indexing

def _index_tuple(idx):
    return idx if isinstance(idx, tuple) else (idx,)


def _is_advanced(i):
    return isinstance(i, (list, np.ndarray)) or i.__class__ in BOXES


def _batch_position(idx):
    """Where the batch axis lands in x[(slice(None),) + idx]: in front, unless idx holds
    advanced indices (arrays; integers too, once an array is present) that are not next to
    each other, because NumPy then puts their dimensions first."""
    idx = _index_tuple(idx)
    arrays = [i for i in idx if _is_advanced(i)]
    if not arrays:
        return 0
    adv = [k for k, i in enumerate(idx) if _is_advanced(i) or isinstance(i, (int, np.integer))]
    if adv == list(range(adv[0], adv[-1] + 1)):
        return 0
    parts = [np.nonzero(a)[0] if np.asarray(a).dtype == bool else np.asarray(a)
             for a in (idx[k] for k in adv)]
    return np.broadcast(*parts).ndim if len(parts) > 1 else parts[0].ndim


def _getitem_raw(x, idx):
    return x[idx]


def _getitem_batch(batched, x, idx):
    if batched[1]:
        if not np.issubdtype(np.result_type(unbox(idx)), np.integer):
            raise NotImplementedError(
                "adlib.vmap: indexing with a batched boolean mask selects a different number of "
                "elements in each member, so the result has no fixed shape. Keep the shape "
                "fixed: anp.where(mask, x, 0) (then reduce), instead of x[mask].")
        if not batched[0]:  # the same array for all: pick its rows
            return getitem(x, idx)
        return getitem(x, (np.arange(_shape(x)[0]).reshape(
            (-1,) + (1,) * (_ndim(idx) - 1)), idx))
    return moveaxis(getitem(x, (slice(None),) + _index_tuple(idx)), _batch_position(idx), 0)


def _untake_raw(g, idx, shape):
    out = np.zeros(shape, dtype=np.result_type(g, float))
    if builtins.all(isinstance(i, (int, slice, type(None), type(Ellipsis)))
                    for i in _index_tuple(idx)):
        out[idx] = g  # basic indexing picks each element at most once
    else:
        np.add.at(out, idx, g)  # integer arrays may repeat an index: the shares accumulate
    return out


def _untake_batch(batched, g, idx, shape):
    size = _shape(g if batched[0] else idx)[0]
    if not batched[0]:
        g = broadcast_to(g, (size,) + _shape(g))
    if batched[1]:
        rows = np.arange(size).reshape((-1,) + (1,) * (_ndim(idx) - 1))
        return _untake(g, (rows, idx), (size,) + shape)
    g = moveaxis(g, 0, _batch_position(idx))
    return _untake(g, (slice(None),) + _index_tuple(idx), (size,) + shape)


getitem = primitive(_getitem_raw, "getitem")
_untake = primitive(_untake_raw, "untake")
_linear(getitem, lambda ans, x, idx: lambda g: _untake(g, idx, _shape(x)), _getitem_batch)
_linear(_untake, lambda ans, g, idx, shape: lambda h: getitem(h, idx), _untake_batch)


def _index(x, idx):
    if isinstance(idx, tuple) and builtins.any(i.__class__ in BOXES for i in idx):
        raise NotImplementedError(
            "adlib: an index tuple with traced entries (x[i, j] with i or j batched) is not "
            "supported; index one axis at a time, or use anp.take_along_axis.")
    return getitem(x, idx)


def _axis_index(axis, ndim, index):
    """An index tuple that applies ``index`` along ``axis`` and takes every other axis whole."""
    return (slice(None),) * (axis % ndim) + (index,)


def take(a, indices, axis=None, out=None, mode="raise"):
    """As np.take; the indices may be traced (batched)."""
    _no_out(out, "take")
    a = _asarray(a)
    if axis is None:
        a, axis = ravel(a), 0
    n = _shape(a)[axis]
    if mode == "wrap":
        indices = remainder(indices, n)
    elif mode == "clip":
        indices = _clip(indices, 0, n - 1)
    elif mode != "raise":
        raise ValueError(f"adlib: take mode must be 'raise', 'wrap' or 'clip', not {mode!r}.")
    if indices.__class__ not in BOXES:
        return getitem(a, _axis_index(axis, _ndim(a), indices))
    picked = getitem(moveaxis(a, axis, 0), indices)  # index dims first, then a's other axes
    k = _ndim(indices)
    return moveaxis(picked, tuple(range(k)), tuple(range(axis % _ndim(a), axis % _ndim(a) + k)))


def take_along_axis(arr, indices, axis=-1):
    """As np.take_along_axis, as one integer index into the flattened array (so that the
    indices may be batched, as those of ``sort`` are under ``vmap``). Indices and array
    broadcast against each other along the other axes, as in NumPy."""
    arr = _asarray(arr)
    if axis is None:
        return getitem(ravel(arr), indices)
    shape, ishape = _shape(arr), _shape(indices)
    nd = len(shape)
    axis %= nd
    out = [k if d == axis else np.broadcast_shapes((n,), (k,))[0]
           for d, (n, k) in enumerate(zip(shape, ishape))]
    strides = np.cumprod((shape[1:] + (1,))[::-1])[::-1]  # C order, in elements
    flat = 0
    for d in range(nd):
        if d == axis:
            part = remainder(indices, shape[d])  # negative indices count from the end
        else:  # a size-1 axis of arr is broadcast: always its element 0
            part = (np.arange(out[d]) if shape[d] > 1 else np.zeros(out[d], int)).reshape(
                [-1 if k == d else 1 for k in range(nd)])
        flat = flat + part * int(strides[d])
    return getitem(ravel(arr), broadcast_to(flat, tuple(out)))


def flip(m, axis=None):
    nd = _ndim(m)
    axes = range(nd) if axis is None else [a % nd for a in np.atleast_1d(axis)]
    return getitem(m, tuple(slice(None, None, -1) if i in axes else slice(None)
                            for i in range(nd)))


def fliplr(m):
    return flip(m, 1)


def flipud(m):
    return flip(m, 0)


def roll(a, shift, axis=None):
    if axis is None:
        return reshape(roll(ravel(a), shift, 0), _shape(a))
    for s, ax in np.broadcast(np.atleast_1d(shift), np.atleast_1d(axis)):
        n = _shape(a)[ax]
        a = getitem(a, _axis_index(ax, _ndim(a), (np.arange(n) - s) % n))
    return a


def repeat(a, repeats, axis=None):
    if axis is None:
        a, axis = ravel(a), 0
    n = _shape(a)[axis]
    return getitem(a, _axis_index(axis, _ndim(a), np.repeat(np.arange(n), repeats)))


def tile(A, reps):
    reps = tuple(np.atleast_1d(reps))
    shape = _shape(A)
    d = builtins.max(len(reps), len(shape))
    shape, reps = (1,) * (d - len(shape)) + shape, (1,) * (d - len(reps)) + reps
    spread = reshape(A, tuple(x for n in shape for x in (1, n)))  # (1, n0, 1, n1, ...)
    wide = broadcast_to(spread, tuple(x for r, n in zip(reps, shape) for x in (r, n)))
    return reshape(wide, tuple(r * n for r, n in zip(reps, shape)))


def diagonal(a, offset=0, axis1=0, axis2=1):
    a = moveaxis(a, (axis1, axis2), (-2, -1))
    rows, cols = _shape(a)[-2:]
    n = builtins.max(0, builtins.min(rows + builtins.min(offset, 0),
                                     cols - builtins.max(offset, 0)))
    i = np.arange(n)
    return getitem(a, (Ellipsis, i - builtins.min(offset, 0), i + builtins.max(offset, 0)))


def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    _no_out(out, "trace")
    return _with_dtype(_sum(diagonal(a, offset, axis1, axis2), axis=-1), dtype)


def diag(v, k=0):
    """A diagonal matrix from a vector, or the diagonal of a matrix (as np.diag)."""
    if _ndim(v) == 2:
        return diagonal(v, k)
    n = _shape(v)[0]
    i = np.arange(n)
    rows, cols = i - builtins.min(k, 0), i + builtins.max(k, 0)
    return _untake(v, (rows, cols), (n + builtins.abs(k),) * 2)


def _tri_mask(x, k, lower):
    if _ndim(x) < 2:
        raise ValueError("adlib: tril and triu need a matrix (or a stack of matrices).")
    rows, cols = _shape(x)[-2:]
    mask = np.tri(rows, cols, k, dtype=bool)
    return mask if lower else ~np.tri(rows, cols, k - 1, dtype=bool)


def tril(m, k=0):
    return _where3(_tri_mask(m, k, True), m, 0.0)


def triu(m, k=0):
    return _where3(_tri_mask(m, k, False), m, 0.0)


def sort(a, axis=-1, kind=None, order=None, *, stable=None):
    if axis is None:
        a, axis = ravel(a), -1
    return take_along_axis(a, argsort(a, axis=axis), axis)


def diff(a, n=1, axis=-1, prepend=_NoValue, append=_NoValue):
    nd = _ndim(a)
    axis %= nd
    parts = [a]
    for extra, where_ in ((prepend, 0), (append, 1)):
        if extra is not _NoValue:
            shape = list(_shape(a))
            shape[axis] = 1
            extra = broadcast_to(extra, tuple(shape)) if _ndim(extra) == 0 else extra
            parts.insert(where_ * len(parts), extra)
    a = concatenate(parts, axis) if len(parts) > 1 else a
    for _ in range(n):
        a = getitem(a, _axis_index(axis, nd, slice(1, None))) \
            - getitem(a, _axis_index(axis, nd, slice(None, -1)))
    return a


def pad(array, pad_width, mode="constant", **kwargs):
    """Padding as indexing (modes edge, reflect, symmetric, wrap) or as concatenation with
    constant blocks (mode constant)."""
    array = _asarray(array)
    unsupported = set(kwargs) - {"constant_values", "reflect_type"}
    if unsupported or kwargs.get("reflect_type", "even") != "even":
        raise NotImplementedError(f"adlib: pad does not support {sorted(kwargs)} "
                                  "(constant_values and reflect_type='even' only).")
    nd = _ndim(array)
    widths = np.broadcast_to(np.asarray(pad_width, dtype=int), (nd, 2))
    constants = np.broadcast_to(np.asarray(kwargs.get("constant_values", 0.0), float), (nd, 2))
    for ax, (before, after) in enumerate(widths):
        n = _shape(array)[ax]
        if mode == "constant":
            blocks = []
            for w, c in ((before, constants[ax, 0]), (after, constants[ax, 1])):
                shape = list(_shape(array))
                shape[ax] = w
                blocks.append(np.full(shape, c))
            array = concatenate([blocks[0], array, blocks[1]], ax)
        elif mode in ("edge", "reflect", "symmetric", "wrap"):
            index = np.pad(np.arange(n), (before, after), mode=mode)
            array = getitem(array, _axis_index(ax, nd, index))
        else:
            raise NotImplementedError(f"adlib: pad mode {mode!r} is not supported (constant, "
                                      "edge, reflect, symmetric and wrap are).")
    return array


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """As np.linspace, with start and stop traced: start + k * step, computed as NumPy does."""
    if not (_is_traced(start) or _is_traced(stop)):
        return np.linspace(start, stop, num, endpoint, retstep, dtype, axis)
    div = (num - 1) if endpoint else num
    shape = np.broadcast_shapes(_shape(start), _shape(stop))
    k = np.arange(num, dtype=float).reshape((-1,) + (1,) * len(shape))
    delta = stop - start
    step = delta / div if div > 0 else delta * np.nan
    y = k * step + start if div > 0 else k * delta + start
    if endpoint and num > 1:
        y = concatenate([y[:-1], expand_dims(broadcast_to(stop, shape), 0)], 0)
    y = moveaxis(y, 0, axis) if axis else y
    if dtype is not None and np.dtype(dtype).kind in "iub":
        y = floor(y)  # NumPy 2 rounds towards -inf for integer dtypes
    y = _with_dtype(y, dtype)
    return (y, step) if retstep else y


# ---------------------------------------------------------------- joining and splitting

def _concatenate_raw(axis, *xs):
    return np.concatenate(xs, axis=axis)


def _piece(i, axis, xs):
    """Where argument i of _concatenate(axis, *xs) sits in the result."""
    axis = axis % len(_shape(xs[0]))
    start = builtins.sum(_shape(x)[axis] for x in xs[:i - 1])
    return (slice(None),) * axis + (slice(start, start + _shape(xs[i - 1])[axis]),)


def _concat_batch(batched, axis, *xs):
    size = next(_shape(x)[0] for x, b in zip(xs, batched[1:]) if b)
    xs = [x if b else broadcast_to(x, (size,) + _shape(x)) for x, b in zip(xs, batched[1:])]
    return _concat(_shift(axis, _ndim(xs[0]) - 1), *xs)


_concat = primitive(_concatenate_raw, "concatenate")
VJP_RULES[_concat] = _AllArguments(lambda i: NONDIFF if i == 0 else (
    lambda ans, axis, *xs: lambda g: getitem(g, _piece(i, axis, xs))))
JVP_RULES[_concat] = _AllArguments(lambda i: NONDIFF if i == 0 else (
    lambda t, ans, axis, *xs: _untake(t, _piece(i, axis, xs), _shape(ans))))
defbatch(_concat, _concat_batch)


def concatenate(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    _no_out(out, "concatenate")
    arrays = [_asarray(a) for a in arrays]
    if axis is None:
        arrays, axis = [ravel(a) for a in arrays], 0
    if not _is_traced(arrays):
        return np.concatenate(arrays, axis=axis, dtype=dtype)
    return _with_dtype(_concat(axis, *arrays), dtype)


def stack(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    _no_out(out, "stack")
    arrays = [_asarray(a) for a in arrays]
    if not _is_traced(arrays):
        return np.stack(arrays, axis, dtype=dtype)
    return concatenate([expand_dims(a, axis) for a in arrays], axis, dtype=dtype)


def hstack(tup, *, dtype=None, casting="same_kind"):
    arrs = [atleast_1d(a) for a in tup]
    return concatenate(arrs, 0 if _ndim(arrs[0]) == 1 else 1, dtype=dtype)


def vstack(tup, *, dtype=None, casting="same_kind"):
    return concatenate([atleast_2d(a) for a in tup], 0, dtype=dtype)


row_stack = vstack


def dstack(tup):
    return concatenate([atleast_3d(a) for a in tup], 2)


def column_stack(tup):
    return concatenate([reshape(a, (-1, 1)) if _ndim(a) < 2 else a for a in tup], 1)


def append(arr, values, axis=None):
    if axis is None:
        return concatenate([ravel(arr), ravel(values)], 0)
    return concatenate([arr, values], axis)


def array_split(ary, indices_or_sections, axis=0):
    n = _shape(ary)[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        k = int(indices_or_sections)
        sizes = [n // k + 1] * (n % k) + [n // k] * (k - n % k)
        cuts = np.cumsum([0] + sizes)
    else:
        cuts = [0] + list(indices_or_sections) + [n]
    nd = _ndim(ary)
    return [getitem(ary, _axis_index(axis, nd, slice(a, b))) for a, b in zip(cuts[:-1], cuts[1:])]


def split(ary, indices_or_sections, axis=0):
    if isinstance(indices_or_sections, (int, np.integer)) \
            and _shape(ary)[axis] % indices_or_sections:
        raise ValueError("array split does not result in an equal division")
    return array_split(ary, indices_or_sections, axis)


def hsplit(ary, indices_or_sections):
    return split(ary, indices_or_sections, 1 if _ndim(ary) > 1 else 0)


def vsplit(ary, indices_or_sections):
    return split(ary, indices_or_sections, 0)


def dsplit(ary, indices_or_sections):
    return split(ary, indices_or_sections, 2)


def array(obj, dtype=None, *, copy=True, order="K", subok=False, ndmin=0, like=None):
    """Like ``np.array``, but a (nested) list of traced values becomes a traced array."""
    if not _is_traced(obj):
        return np.array(obj, dtype=dtype, copy=copy, order=order, subok=subok, ndmin=ndmin)
    out = stack([array(o) for o in obj]) if isinstance(obj, (list, tuple)) else obj
    if _ndim(out) < ndmin:
        out = reshape(out, (1,) * (ndmin - _ndim(out)) + _shape(out))
    return _with_dtype(out, dtype)


def _like(npf):
    def like(a, *args, **kwargs):  # the shape of one member, under vmap too
        proto = np.zeros((), dtype=np.result_type(unbox(a)))
        return npf(np.broadcast_to(proto, _shape(a)), *args, **kwargs)
    like.__name__ = npf.__name__
    return like


zeros_like, ones_like, empty_like = (
    _like(np.zeros_like), _like(np.ones_like), _like(np.empty_like))


def full_like(a, fill_value, dtype=None, **kwargs):
    if _is_traced(fill_value):  # the shape of a, the value (and derivative) of fill_value
        return _with_dtype(broadcast_to(fill_value, _shape(a)), dtype)
    return _like(np.full_like)(a, fill_value, dtype=dtype, **kwargs)


def shape(a):
    return _shape(a)


def ndim(a):
    return _ndim(a)


def size(a, axis=None):
    return _size(a) if axis is None else _shape(a)[axis]


# ---------------------------------------------------------------- products

def _matmul_vjp(ans, x, y):
    """Cotangents of x @ y: G yᵀ and xᵀ G, with 1-D operands read as a row (x) or a column
    (y), as matmul itself reads them."""
    nx, ny = _ndim(x), _ndim(y)
    if nx == 1 and ny == 1:
        return lambda g: g * y, lambda g: g * x
    if nx == 2 and ny == 1:
        return lambda g: outer(g, y), lambda g: g @ x
    if nx == 1 and ny == 2:
        return lambda g: y @ g, lambda g: outer(x, g)
    if nx == 2 and ny == 2:
        return lambda g: g @ _transpose(y), lambda g: _transpose(x) @ g
    x2 = x if nx > 1 else reshape(x, (1, -1))  # batched: promote, multiply, sum, restore
    y2 = y if ny > 1 else reshape(y, (-1, 1))
    sx, sy = _shape(x2), _shape(y2)
    promoted = np.broadcast_shapes(sx[:-2], sy[:-2]) + (sx[-2], sy[-1])
    g2 = lambda g: reshape(g, promoted)  # noqa: E731
    return (lambda g: reshape(unbroadcast(g2(g) @ swapaxes(y2, -1, -2), sx), _shape(x)),
            lambda g: reshape(unbroadcast(swapaxes(x2, -1, -2) @ g2(g), sy), _shape(y)))


def _matmul_batch(batched, x, y):
    """Promote 1-D members to matrices (so the batch axis is never read as a matrix axis),
    align the ranks, multiply, and drop the promoted axes."""
    rx, ry = _ndim(x) - batched[0], _ndim(y) - batched[1]
    x = expand_dims(x, -2) if rx == 1 else x
    y = expand_dims(y, -1) if ry == 1 else y
    out = matmul(*_align(batched, [x, y]))
    out = squeeze(out, -2) if rx == 1 else out
    return squeeze(out, -1) if ry == 1 else out


matmul = primitive(np.matmul, keywords=False)
defvjp(matmul, lambda ans, x, y: _matmul_vjp(ans, x, y)[0],
       lambda ans, x, y: _matmul_vjp(ans, x, y)[1])
defjvp(matmul, lambda t, ans, x, y: t @ y, lambda t, ans, x, y: x @ t)
defbatch(matmul, _matmul_batch)

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _einsum_raw(spec, *operands):
    return np.einsum(spec, *operands, optimize=len(operands) > 2)


def _einsum_parse(spec):
    ins, out = spec.split("->")
    return ins.split(","), out


def _einsum_vjp(i):
    """The cotangent of operand i: an einsum of g with the other operands, into operand i's
    subscripts. A letter repeated in operand i (a diagonal) gets a fresh letter tied to it by
    an identity matrix; a letter only operand i has (summed out) gets a vector of ones."""
    def maker(ans, spec, *ops):
        ins, out = _einsum_parse(spec)
        target, k = ins[i - 1], i - 1

        def vjp(g):
            sizes = dict(zip(target, _shape(ops[k])))
            others = [s for j, s in enumerate(ins) if j != k] + [out]
            free = iter(c for c in _LETTERS if c not in spec)
            terms, extra, seen, result = [out], [g], set(), ""
            for j, s in enumerate(ins):
                if j != k:
                    terms.append(s)
                    extra.append(ops[j])
            for c in target:
                if c in seen:
                    d = next(free)
                    terms.append(c + d)
                    extra.append(np.eye(sizes[c]))
                    result += d
                    continue
                seen.add(c)
                result += c
                if not builtins.any(c in s for s in others):
                    terms.append(c)
                    extra.append(np.ones(sizes[c]))
            return _einsum(",".join(terms) + "->" + result, *extra)
        return vjp
    return maker


def _einsum_batch(batched, spec, *ops):
    ins, out = _einsum_parse(spec)
    b = next(c for c in _LETTERS if c not in spec)
    ins = [b + s if flag else s for s, flag in zip(ins, batched[1:])]
    return _einsum(",".join(ins) + "->" + b + out, *ops)


_einsum = primitive(_einsum_raw, "einsum")
VJP_RULES[_einsum] = _AllArguments(lambda i: NONDIFF if i == 0 else _einsum_vjp(i))
JVP_RULES[_einsum] = _AllArguments(lambda i: NONDIFF if i == 0 else (
    lambda t, ans, spec, *ops: _einsum(spec, *(t if j == i - 1 else o
                                               for j, o in enumerate(ops)))))
defbatch(_einsum, _einsum_batch)


def _einsum_explicit(subscripts, shapes):
    """Subscripts without spaces, ellipses or implicit output: "ij,jk->ik"."""
    s = subscripts.replace(" ", "")
    ins, out = (s.split("->") + [None])[:2]
    ins = ins.split(",")
    if len(ins) != len(shapes):
        raise ValueError(f"adlib.einsum: {len(ins)} operand subscripts for {len(shapes)} operands.")
    free = [c for c in _LETTERS if c not in s]
    n_ell = builtins.max([len(sh) - len(t.replace("...", "")) for t, sh in zip(ins, shapes)
                          if "..." in t] + [0])
    ell = "".join(free[:n_ell])
    ins = [t.replace("...", ell[n_ell - (len(sh) - len(t.replace("...", ""))):])
           for t, sh in zip(ins, shapes)]
    if out is None:
        letters = "".join(ins)
        out = ell + "".join(sorted(c for c in set(letters) if letters.count(c) == 1
                                   and c not in ell))
    else:
        out = out.replace("...", ell)
    return ",".join(ins) + "->" + out


def einsum(*operands, out=None, optimize=False, **kwargs):
    """Einstein summation (subscripts as a string) on traced arrays: one primitive, whose VJP
    for each operand is again an einsum."""
    _no_out(out, "einsum")
    subscripts, *ops = operands
    if not isinstance(subscripts, str):
        raise NotImplementedError("adlib.einsum: give the subscripts as a string "
                                  "(\"ij,jk->ik\"), not as lists of axes.")
    ops = [_asarray(o) for o in ops]
    if not _is_traced(ops):
        return np.einsum(subscripts, *ops, optimize=optimize, **kwargs)
    return _einsum(_einsum_explicit(subscripts, [_shape(o) for o in ops]), *ops)


def _contract(a, b, axes_a, axes_b):
    """tensordot: contract axes_a of a with axes_b of b, as one einsum."""
    na, nb = _ndim(a), _ndim(b)
    axes_a, axes_b = [x % na for x in axes_a], [x % nb for x in axes_b]
    sa = list(_LETTERS[:na])
    sb = list(_LETTERS[na:na + nb])
    for x, y in zip(axes_a, axes_b):
        sb[y] = sa[x]
    out = [c for k, c in enumerate(sa) if k not in axes_a] + \
        [c for k, c in enumerate(sb) if k not in axes_b]
    return einsum(f"{''.join(sa)},{''.join(sb)}->{''.join(out)}", a, b)


def tensordot(a, b, axes=2):
    if isinstance(axes, (int, np.integer)):
        return _contract(a, b, list(range(_ndim(a) - axes, _ndim(a))), list(range(axes)))
    axes_a, axes_b = axes
    return _contract(a, b, list(np.atleast_1d(axes_a)), list(np.atleast_1d(axes_b)))


def dot(a, b, out=None):
    _no_out(out, "dot")
    a, b = _asarray(a), _asarray(b)
    if _ndim(a) == 0 or _ndim(b) == 0:
        return multiply(a, b)
    if _ndim(a) <= 2 and _ndim(b) <= 2:
        return matmul(a, b)
    return _contract(a, b, [-1], [-2 if _ndim(b) > 1 else -1])


def inner(a, b):
    if _ndim(a) == 0 or _ndim(b) == 0:
        return multiply(a, b)
    return _contract(a, b, [-1], [-1])


def outer(a, b, out=None):
    _no_out(out, "outer")
    return reshape(a, (-1, 1)) * reshape(b, (1, -1))


def vdot(a, b):
    return _sum(ravel(a) * ravel(b))


def kron(a, b):
    d = builtins.max(_ndim(a), _ndim(b))
    sa = (1,) * (d - _ndim(a)) + _shape(a)
    sb = (1,) * (d - _ndim(b)) + _shape(b)
    pa = reshape(a, tuple(x for n in sa for x in (n, 1)))
    pb = reshape(b, tuple(x for n in sb for x in (1, n)))
    return reshape(pa * pb, tuple(m * n for m, n in zip(sa, sb)))


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = moveaxis(a, axisa, -1), moveaxis(b, axisb, -1)
    if _shape(a)[-1] != 3 or _shape(b)[-1] != 3:
        raise NotImplementedError("adlib: cross supports vectors of 3 components only.")
    a0, a1, a2 = (a[..., k] for k in range(3))
    b0, b1, b2 = (b[..., k] for k in range(3))
    c = stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], -1)
    return moveaxis(c, -1, axisc)


# ---------------------------------------------------------------- more of NumPy, composed

def select(condlist, choicelist, default=0):
    out = default
    for cond, choice in zip(condlist[::-1], choicelist[::-1]):
        out = _where3(cond, choice, out)
    return broadcast_to(out, np.broadcast_shapes(*(_shape(c) for c in condlist),
                                                 *(_shape(c) for c in choicelist)))


def rot90(m, k=1, axes=(0, 1)):
    k %= 4
    if k == 0:
        return m
    if k == 2:
        return flip(flip(m, axes[0]), axes[1])
    order = list(range(_ndim(m)))
    order[axes[0]], order[axes[1]] = order[axes[1]], order[axes[0]]
    if k == 1:
        return transpose(flip(m, axes[1]), order)
    return flip(transpose(m, order), axes[1])


def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
             keepdims=False):
    """The 'linear' method of np.quantile: between the two nearest order statistics."""
    _no_out(out, "quantile")
    if method != "linear":
        raise NotImplementedError("adlib: quantile supports method='linear' only.")
    a = _asarray(a)
    shape = _shape(a)
    axes = (tuple(range(len(shape))) if axis is None
            else np.lib.array_utils.normalize_axis_tuple(axis, len(shape)))
    # the reduced axes, moved to the front and merged into one
    srt = sort(reshape(moveaxis(a, axes, tuple(range(len(axes)))), (-1,) + tuple(
        s for i, s in enumerate(shape) if i not in axes)), axis=0)
    n = _shape(srt)[0]
    box = q = _asarray(q)
    while box.__class__ in BOXES:  # the order statistics picked depend on q's value
        if box._trace.batch:
            raise NotImplementedError("adlib: vmap over the q of quantile (or percentile) is "
                                      "not supported; pass all the q at once as an array.")
        box = box.value
    q_val = np.asarray(box, dtype=float)
    lo = np.floor(q_val * (n - 1)).astype(int)
    hi = np.minimum(lo + 1, n - 1)
    frac = reshape(q * (n - 1) - lo, q_val.shape + (1,) * (_ndim(srt) - 1))  # traced q too
    out = take(srt, lo, 0) * (1.0 - frac) + take(srt, hi, 0) * frac
    if keepdims:
        out = reshape(out, q_val.shape + tuple(1 if i in axes else s for i, s in enumerate(shape)))
    return out


def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
               keepdims=False):
    return quantile(a, _asarray(q) / 100.0, axis, out, overwrite_input, method, keepdims)


def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    return quantile(a, 0.5, axis, out, overwrite_input, keepdims=keepdims)


def _nan_to(a, value):
    a = _asarray(a)
    return _where3(isnan(a), value, a)


def nansum(a, axis=None, dtype=None, out=None, keepdims=_NoValue, **kwargs):
    return sum(_nan_to(a, 0.0), axis, dtype, out, keepdims, **kwargs)


def nanmean(a, axis=None, dtype=None, out=None, keepdims=_NoValue, **kwargs):
    count = sum(astype(logical_not(isnan(a)), float), axis, keepdims=keepdims)
    return nansum(a, axis, dtype, out, keepdims, **kwargs) / count


def nanmax(a, axis=None, out=None, keepdims=_NoValue, **kwargs):
    return max(_nan_to(a, -np.inf), axis, out, keepdims, **kwargs)


def nanmin(a, axis=None, out=None, keepdims=_NoValue, **kwargs):
    return min(_nan_to(a, np.inf), axis, out, keepdims, **kwargs)


def cumulative_sum(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
    x = _asarray(x)
    if axis is None:
        if _ndim(x) > 1:
            raise ValueError("adlib: cumulative_sum needs axis for arrays of 2 or more "
                             "dimensions, as in NumPy.")
        axis = 0
    c = cumsum(x, axis, dtype, out)
    if include_initial:
        shape = list(_shape(c))
        shape[axis] = 1
        c = concatenate([np.zeros(shape), c], axis)
    return c


def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    n = len(xi)
    where_ = list(range(n))  # the output axis along which input k varies
    if indexing == "xy" and n > 1:
        where_[0], where_[1] = 1, 0
    grids = [reshape(x, tuple(-1 if d == w else 1 for d in range(n)))
             for x, w in zip(xi, where_)]
    if sparse:
        return grids
    full = np.broadcast_shapes(*(_shape(g) for g in grids))
    return [broadcast_to(g, full) for g in grids]


def trapezoid(y, x=None, dx=1.0, axis=-1):
    y = _asarray(y)
    nd = _ndim(y)
    first = getitem(y, _axis_index(axis, nd, slice(1, None)))
    last = getitem(y, _axis_index(axis, nd, slice(None, -1)))
    if x is None:
        d = dx
    else:
        d = diff(x, axis=axis if _ndim(x) == nd else -1)
        if _ndim(d) == 1 and nd > 1:
            d = reshape(d, tuple(-1 if k == axis % nd else 1 for k in range(nd)))
    return sum((first + last) * d / 2.0, axis=axis)


def polyval(p, x):
    y = zeros_like(x) if _is_traced(x) else np.zeros_like(np.asarray(x, float))
    for c in p:
        y = y * x + c
    return y


def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *,
        dtype=None):
    if fweights is not None or aweights is not None:
        raise NotImplementedError("adlib: cov does not support weights.")
    X = atleast_2d(_asarray(m))
    if not rowvar and _shape(X)[0] != 1:
        X = transpose(X)
    if y is not None:
        Y = atleast_2d(_asarray(y))
        if not rowvar and _shape(Y)[0] != 1:
            Y = transpose(Y)
        X = concatenate([X, Y], 0)
    ddof = (0 if bias else 1) if ddof is None else ddof
    d = X - mean(X, axis=1, keepdims=True)
    c = (d @ transpose(d)) / (_shape(X)[1] - ddof)
    return _with_dtype(squeeze(c), dtype)


def corrcoef(x, y=None, rowvar=True, *, dtype=None):
    c = cov(x, y, rowvar, dtype=dtype)
    if _ndim(c) == 0:
        return c / c
    d = sqrt(diagonal(c))
    return _clip(c / outer(d, d), -1.0, 1.0)  # as NumPy, which clips round-off


def vecdot(x1, x2, /, *, axis=-1):
    return sum(_asarray(x1) * _asarray(x2), axis=axis)


def heaviside(x1, x2):
    """0 for x1 < 0, x2 at x1 == 0, 1 for x1 > 0: the derivative flows to x2 only."""
    return _where3(equal(x1, 0), x2, astype(greater(x1, 0), float))


def copysign(x1, x2):
    return _where3(signbit(x2), -abs(x1), abs(x1))


def float_power(x1, x2):
    return power(astype(_asarray(x1), np.float64), astype(_asarray(x2), np.float64))


def _convolution_matrix(v, n):
    """The (n + m - 1, n) matrix V with V @ a = np.convolve(a, v), gathered from v."""
    m = _shape(v)[0]
    k = np.arange(n + m - 1)[:, None] - np.arange(n)[None, :]
    inside = (k >= 0) & (k < m)
    return _where3(inside, take(v, np.clip(k, 0, m - 1)), 0.0)


def convolve(a, v, mode="full"):
    """np.convolve as a matrix product with a gathered (Toeplitz) matrix of v."""
    a, v = atleast_1d(_asarray(a)), atleast_1d(_asarray(v))
    n, m = _shape(a)[0], _shape(v)[0]
    full = _convolution_matrix(v, n) @ a
    if mode == "full":
        return full
    length = builtins.max(n, m) if mode == "same" else builtins.max(n, m) - builtins.min(n, m) + 1
    start = (builtins.min(n, m) - 1) // 2 if mode == "same" else builtins.min(n, m) - 1
    if mode not in ("same", "valid"):
        raise ValueError(f"adlib: convolve mode must be 'full', 'same' or 'valid', not {mode!r}.")
    return full[start:start + length]


def correlate(a, v, mode="valid"):
    a, v = atleast_1d(_asarray(a)), atleast_1d(_asarray(v))
    if _shape(v)[0] > _shape(a)[0]:  # NumPy swaps the two (which matters for mode="same")
        return flip(correlate(v, a, mode), 0)
    return convolve(a, flip(v, 0), mode)


def _searchsorted_raw(a, v, side="left"):
    return np.searchsorted(a, v, side=side)


searchsorted = _nondiff(_searchsorted_raw, name="searchsorted",
                        batch=lambda p: lambda batched, a, v, **kw: _no_batched_sorted(
                            p, batched, a, v, **kw))


def _no_batched_sorted(p, batched, a, v, **kwargs):
    if batched[0]:
        raise NotImplementedError("adlib.vmap: searchsorted (and interp) need the sorted array "
                                  "to be the same for the whole batch (in_axes None).")
    return p(a, v, **kwargs)


def interp(x, xp, fp, left=None, right=None, period=None):
    """Piecewise-linear interpolation; differentiable in x and fp (xp is a constant)."""
    if period is not None or _is_traced(xp):
        raise NotImplementedError("adlib: interp supports constant xp (not traced) and no "
                                  "period.")
    xp = np.asarray(xp, float)
    x, fp = _asarray(x), _asarray(fp)
    i = _clip(searchsorted(xp, x), 1, len(xp) - 1)
    x0, x1 = take(xp, i - 1), take(xp, i)
    w = (x - x0) / (x1 - x0)
    y = take(fp, i - 1) * (1.0 - w) + take(fp, i) * w
    lo = take(fp, 0) if left is None else left
    hi = take(fp, -1) if right is None else right
    return _where3(x < xp[0], lo, _where3(x > xp[-1], hi, y))


# ---------------------------------------------------------------- what NumPy dispatches to

# NumPy's functions accept lists wherever they take arrays; so do these.
for _name, _n in [("var", 1), ("std", 1), ("average", 1), ("ptp", 1), ("cumprod", 1),
                  ("moveaxis", 1), ("swapaxes", 1), ("rollaxis", 1), ("expand_dims", 1),
                  ("squeeze", 1), ("flip", 1), ("fliplr", 1), ("flipud", 1), ("roll", 1),
                  ("repeat", 1), ("tile", 1), ("diagonal", 1), ("trace", 1), ("diag", 1),
                  ("tril", 1), ("triu", 1), ("sort", 1), ("diff", 1), ("nan_to_num", 1),
                  ("append", 2), ("array_split", 1), ("split", 1), ("zeros_like", 1),
                  ("ones_like", 1), ("empty_like", 1), ("full_like", 1), ("tensordot", 2),
                  ("inner", 2), ("outer", 2), ("vdot", 2), ("kron", 2), ("cross", 2),
                  ("broadcast_to", 1)]:
    globals()[_name] = _array_args(globals()[_name], _n)

from . import linalg  # noqa: E402  (linear algebra, built on the primitives above)

_UFUNC_NAMES = """add subtract multiply divide true_divide power remainder mod fmod negative
positive absolute fabs exp exp2 log log2 log10 log1p expm1 sqrt cbrt square reciprocal sin cos
tan arcsin arccos arctan sinh cosh tanh arcsinh arccosh arctanh deg2rad rad2deg radians degrees
maximum minimum fmax fmin logaddexp logaddexp2 hypot arctan2 matmul conjugate sinc""".split()
_NONDIFF_UFUNC_NAMES = """greater greater_equal less less_equal equal not_equal logical_and
logical_or logical_xor logical_not bitwise_and bitwise_or bitwise_xor invert isnan isinf isfinite
signbit sign floor ceil rint trunc floor_divide""".split()
_FUNCTION_NAMES = """sum prod max min amax amin ptp mean average var std cumsum cumprod dot outer
inner vdot kron cross tensordot einsum where clip nan_to_num reshape ravel transpose
matrix_transpose permute_dims moveaxis swapaxes rollaxis flip fliplr flipud roll expand_dims
squeeze broadcast_to broadcast_arrays concatenate stack hstack vstack dstack column_stack append
split array_split hsplit vsplit dsplit atleast_1d atleast_2d atleast_3d copy asarray asanyarray
ascontiguousarray diagonal trace diag tril triu sort diff pad tile repeat take take_along_axis
linspace real imag conj round around fix isposinf isneginf isclose argmax argmin argsort any all
count_nonzero nonzero allclose array_equal zeros_like ones_like empty_like full_like shape ndim
size select rot90 quantile percentile median nansum nanmean nanmax nanmin cumulative_sum
meshgrid trapezoid polyval cov corrcoef vecdot heaviside copysign float_power convolve correlate
searchsorted interp""".split()
UFUNCS = {getattr(np, n): globals()[n] for n in _UFUNC_NAMES}
NONDIFF_UFUNCS = {getattr(np, n) for n in _NONDIFF_UFUNC_NAMES}
FUNCTIONS = {getattr(np, n): globals()[n] for n in _FUNCTION_NAMES if hasattr(np, n)}
FUNCTIONS.update({getattr(np.linalg, n): getattr(linalg, n) for n in linalg.__all__})
FUNCTIONS[np.astype] = astype
UFUNCS.update({getattr(np, n): globals()[n] for n in _NONDIFF_UFUNC_NAMES})
UFUNCS.update({getattr(np, n): globals()[n] for n in ("heaviside", "copysign", "float_power")})
NONDIFF_FUNCTIONS = {np.result_type, np.iscomplexobj, np.isrealobj, np.isscalar}
_NONDIFF_NAMES = set(_NONDIFF_UFUNC_NAMES) | {
    "round", "around", "fix", "isposinf", "isneginf", "isclose", "argmax", "argmin", "argsort",
    "any", "all", "count_nonzero", "nonzero", "allclose", "array_equal", "zeros_like",
    "ones_like", "empty_like", "full_like", "shape", "ndim", "size", "imag"}
SUPPORTED = sorted((set(_UFUNC_NAMES) | set(_FUNCTION_NAMES)) - _NONDIFF_NAMES
                   | {f"linalg.{n}" for n in linalg.__all__}
                   | {"getitem (indexing and slicing)", "array", "astype"})


def _name(f):
    module = getattr(f, "__module__", None) or "numpy"
    for private, public in (("numpy.lib.scimath", "numpy.emath"), ("numpy.linalg",) * 2,
                            ("numpy.fft",) * 2, ("numpy",) * 2):  # not the private submodule
        if module.startswith(private):
            return f"{public}.{f.__name__}"
    return f"{module}.{f.__name__}"


def _no_rule(what, name=None):
    from .scipy import special  # (a late import: adlib.scipy imports this module)
    hint = (f"Use adlib.scipy.special.{name}" if name in special.__all__ else
            "Use a supported function (listed in adlib.numpy.SUPPORTED)")
    return NotImplementedError(
        f"adlib: {what} has no derivative rule in adlib, so it cannot be applied to a traced "
        f"value. {hint}, or give it rules with adlib.primitive, adlib.defvjp and adlib.defjvp.")


def _array_ufunc(self, ufunc, method, *inputs, **kwargs):
    _no_out(kwargs.pop("out", None), f"numpy.{ufunc.__name__}")
    if method != "__call__":
        raise _no_rule(f"numpy.{ufunc.__name__}.{method}")
    if ufunc in UFUNCS:
        dtype = kwargs.pop("dtype", None)
        return _with_dtype(UFUNCS[ufunc](*inputs, **kwargs), dtype)
    name = ufunc.__name__
    raise _no_rule(f"numpy.{name}" if getattr(np, name, None) is ufunc else
                   f"the ufunc {name} (not one of NumPy's)", name)


def _array_function(self, func, types, args, kwargs):
    if func in FUNCTIONS:
        return FUNCTIONS[func](*args, **kwargs)
    if func in NONDIFF_FUNCTIONS:
        return func(*_unbox(args), **{k: _unbox(v) for k, v in kwargs.items()})
    raise _no_rule(_name(func))


def _method(f):
    return lambda self, *args, **kwargs: f(self, *args, **kwargs)


def _no_method(self, name):
    if hasattr(np.ndarray, name) and not name.startswith("__"):
        hint = f"use anp.{name}(x) instead" if name in globals() else \
            "adlib.numpy.SUPPORTED lists what traced arrays support"
        raise AttributeError(f"adlib: traced arrays have no attribute .{name} (it writes in "
                             f"place, or has no derivative rule in adlib); {hint}.")
    raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


def _in_place_sort(self, *args, **kwargs):
    raise TypeError("adlib: x.sort() sorts in place, which traced arrays cannot do; use "
                    "x = anp.sort(x) instead.")


def _install_box_methods():
    """Operators and array methods of traced values, all routed to the primitives above."""
    B = Box
    B.__array_ufunc__ = _array_ufunc
    B.__array_function__ = _array_function
    for name, f in [("add", add), ("sub", subtract), ("mul", multiply), ("truediv", divide),
                    ("pow", power), ("matmul", matmul), ("mod", remainder),
                    ("floordiv", floor_divide), ("and", bitwise_and), ("or", bitwise_or),
                    ("xor", bitwise_xor)]:
        setattr(B, f"__{name}__", f)  # f(self, other)
        setattr(B, f"__r{name}__", lambda s, o, f=f: f(o, s))
    B.__divmod__ = lambda s, o: (floor_divide(s, o), remainder(s, o))
    B.__rdivmod__ = lambda s, o: (floor_divide(o, s), remainder(o, s))
    B.__round__ = lambda s, ndigits=None: round(s, ndigits or 0)
    B.itemsize = property(lambda s: np.result_type(unbox(s)).itemsize)
    B.nbytes = property(lambda s: _size(s) * s.itemsize)
    B.__neg__, B.__pos__, B.__abs__, B.__invert__ = negative, _identity, abs, invert
    for name, f in [("lt", less), ("le", less_equal), ("gt", greater), ("ge", greater_equal),
                    ("eq", equal), ("ne", not_equal)]:
        setattr(B, f"__{name}__", f)
    ArrayBox.__getitem__ = _index
    ArrayBox.__len__ = lambda s: _shape(s)[0]
    ArrayBox.__iter__ = lambda s: (s[i] for i in range(_shape(s)[0]))
    B.ndim = property(_ndim)
    B.size = property(_size)
    B.dtype = property(lambda s: np.result_type(unbox(s)))
    B.T = property(lambda s: transpose(s))
    B.mT = property(matrix_transpose)
    B.real = property(_identity)
    B.imag = property(imag)
    for name in ("sum", "mean", "prod", "max", "min", "var", "std", "ptp", "cumsum", "cumprod",
                 "argmax", "argmin", "argsort", "any", "all", "nonzero", "clip", "round",
                 "repeat", "take", "diagonal", "trace", "squeeze", "swapaxes", "dot", "astype",
                 "conj", "conjugate", "copy", "ravel", "flatten"):
        setattr(B, name, _method(globals()[name]))
    B.reshape = lambda s, *shape, **kw: reshape(s, shape[0] if len(shape) == 1 else shape, **kw)
    B.transpose = lambda s, *axes: transpose(
        s, (axes[0] if len(axes) == 1 and not isinstance(axes[0], int) else axes) or None)
    B.sort = _in_place_sort
    B.__getattr__ = _no_method


_install_box_methods()
core.LIST_TO_ARRAY = array
