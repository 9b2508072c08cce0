"""The systematic sweep: every primitive in adlib's rule tables, and every NumPy function that
adlib.numpy builds from them, checked the same way:

* its value equals NumPy's (and SciPy's), with the same dtype, on N-d inputs with batch
  dimensions and negative axes;
* ``check_grads`` at order 2, forward and reverse mode, against central differences;
* the gradient, ``jacfwd`` and ``jacrev`` against autograd wherever autograd has the function;
* ``vmap`` against a Python loop, batching all arguments or only some, and ``vmap(grad(f))``
  against a loop of ``grad``.

The list of primitives is read from the rule tables, so a new primitive is swept automatically:
an elementwise one (made by ``_elementwise`` or ``_binary``) gets its inputs generated, any
other must be given at least one case below, or ``test_every_primitive_has_a_case`` fails.
"""
import warnings

import autograd
import autograd.numpy as agnp
import autograd.scipy.special as agsp
import numpy as np
import pytest
import scipy.special as sps

import adlib
import adlib.numpy as anp
import adlib.scipy.special as asp
from adlib import core

pytestmark = pytest.mark.filterwarnings("ignore:Output seems independent of input")

PRIMITIVES = {f for table in (core.VJP_RULES, core.JVP_RULES, core.BATCH_RULES) for f in table}
LIBS = {"numpy": (np, sps), "adlib": (anp, asp), "autograd": (agnp, agsp)}


def rng(seed=0):
    return np.random.default_rng(seed)


class Case:
    """``build(m, s)`` makes the function from a NumPy-like module m and a SciPy-special-like s;
    ``args`` are its inputs. ``grads=False`` for functions without derivative."""

    def __init__(self, name, build, args, grads=True, autograd=True, check=None):
        self.name, self.build, self.args = name, build, args
        self.grads, self.autograd, self.check = grads, autograd, check or {}

    def fn(self, lib):
        return self.build(*LIBS[lib])

    def __repr__(self):
        return self.name


def U(lo, hi):
    return lambda *shape: rng(len(shape) + int(10 * lo)).uniform(lo, hi, shape)


R = lambda *shape: rng(sum(shape) + 1).standard_normal(shape)  # noqa: E731
POS = U(0.5, 2.0)
SPD = lambda n: (lambda a: a @ a.T + n * np.eye(n))(R(n, n))  # noqa: E731
DISTINCT = lambda *shape: rng(7).permutation(np.prod(shape)).reshape(shape) * 0.3 + R(*shape) * 0.01  # noqa: E731,E501


# ---------------------------------------------------------------- elementwise: generated

DOMAINS = [(0.2, 0.8), (1.2, 2.0), (-0.8, -0.2)]


def _domain(f, nargs):
    """The first candidate interval on which f and its derivative are finite (so that the
    inputs are inside its domain: log needs x > 0, arccosh x > 1, logit 0 < x < 1)."""
    for lo, hi in DOMAINS:
        xs = [np.linspace(lo, hi, 7)] * nargs
        with np.errstate(all="ignore"):
            try:
                value = f(*xs)
                d = adlib.jacfwd(lambda x: f(*([x] + xs[1:])))(xs[0])
            except Exception:  # noqa: BLE001
                continue
        if np.all(np.isfinite(value)) and np.all(np.isfinite(d)):
            return lo, hi
    raise AssertionError(f"no domain found for {f.__name__}")


def elementwise_cases(p):
    name, n = p.__name__, p.elementwise
    for module, mod_name in ((anp, "m"), (asp, "s")):
        if getattr(module, name, None) is p:
            break
    else:
        raise AssertionError(f"{name} is not public in adlib.numpy or adlib.scipy.special")
    pick = (lambda m, s: getattr(m, name)) if mod_name == "m" else (
        lambda m, s: getattr(s, name))
    nondiff = getattr(p, "nondiff", False)
    if nondiff and name.startswith(("bitwise", "logical", "invert")):  # on booleans
        B = lambda *shape: R(*shape) > 0  # noqa: E731
        if n == 1:
            return [Case(f"{name}{s}", pick, [B(*s)], grads=False) for s in [(), (3,), (2, 3)]]
        return [Case(f"{name}{a}{b}", pick, [B(*a), B(*b)], grads=False)
                for a, b in [((3,), ()), ((2, 1), (3,))]]
    lo, hi = _domain(p, n)
    D = U(lo, hi)
    if n == 1:
        return [Case(f"{name}{s}", pick, [D(*s)], grads=not nondiff) for s in [(), (3,), (2, 3)]]
    shapes = [((), ()), ((3,), ()), ((2, 1), (3,)), ((4, 2, 3), (2, 3))]
    return [Case(f"{name}{a}{b}", pick, [D(*a), U(lo + 0.01, hi - 0.01)(*b)], grads=not nondiff)
            for a, b in shapes]


# ---------------------------------------------------------------- everything else: by hand

def axis_cases(name, pick, grads=True, flat_none=False, autograd=True):
    out = []
    for axis in (None, 0, -1, (0, -1), (1, 2)):
        if flat_none and isinstance(axis, tuple):
            continue
        for keep in ((False, True) if not flat_none else (None,)):
            kw = {"axis": axis} if keep is None else {"axis": axis, "keepdims": keep}
            out.append(Case(f"{name}-{kw}", lambda m, s, kw=kw: lambda x: pick(m, s)(x, **kw),
                            [DISTINCT(2, 3, 4)], grads=grads, autograd=autograd))
    return out


M = lambda f: lambda m, s: f(m)  # noqa: E731
CASES = {
    "where": [Case("where", M(lambda m: lambda x, y: m.where(x > y, x, y * 2.0)),
                    [R(2, 3), R(3)]),
               Case("where-scalar", M(lambda m: lambda x, y: m.where(x > 0, x, y)), [R(4), 0.5],
                    autograd=False)],  # autograd's where cannot broadcast a scalar cotangent
    "clip": [Case("clip", M(lambda m: lambda x: m.clip(x, -0.5, 0.4)), [DISTINCT(3, 4)]),
                  Case("clip-traced-bounds", M(lambda m: lambda x, lo, hi: m.clip(x, lo, hi)),
                       [DISTINCT(3, 4), -0.41, 0.43], autograd=False),
                  Case("clip-kw", M(lambda m: lambda x: m.clip(x, a_min=None, a_max=0.3)),
                       [DISTINCT(5)])],
    "astype": [Case("astype-float32", M(lambda m: lambda x: (x * 2.0).astype(np.float32)),
                       [R(3)], autograd=False, check={"eps": 1e-2, "rtol": 1e-3, "atol": 1e-4})],
    "astype_int": [Case("astype-int", M(lambda m: lambda x: x.astype(int)), [R(2, 3) * 5],
                         grads=False)],
    "sum": axis_cases("sum", M(lambda m: m.sum)) + [
        Case("sum-where-initial", M(lambda m: lambda x: m.sum(x, axis=-1, initial=2.0,
                                                              where=np.array([1, 0, 1], bool))),
             [R(4, 3)], autograd=False)],
    "prod": axis_cases("prod", M(lambda m: m.prod)) + [
        Case("prod-zeros", M(lambda m: lambda x: m.prod(x * np.array([1.0, 0.0, 1.0]), axis=1)),
             [POS(2, 3)], autograd=False)],
    "max": axis_cases("max", M(lambda m: m.max)) + [
        Case("max-initial-where", M(lambda m: lambda x: m.max(
            x, axis=0, initial=-1.0, where=np.array([True, False, True]))), [DISTINCT(2, 3)],
             autograd=False)],
    "min": axis_cases("min", M(lambda m: m.min)),
    "cumsum": axis_cases("cumsum", M(lambda m: m.cumsum), flat_none=True),
    "reshape": [Case("reshape", M(lambda m: lambda x: m.reshape(x, (4, -1))), [R(2, 3, 2)]),
                     Case("ravel", M(lambda m: m.ravel), [R(2, 3)]),
                     Case("expand_dims", M(lambda m: lambda x: m.expand_dims(x, -1)), [R(2, 3)]),
                     Case("squeeze", M(lambda m: lambda x: m.squeeze(x, 1)), [R(3, 1, 2)])],
    "broadcast_to": [Case("broadcast_to", M(lambda m: lambda x: m.broadcast_to(x, (2, 4, 3))),
                            [R(4, 1)], autograd=False)],  # autograd: "extra leading dims"
    "transpose": [Case("transpose", M(lambda m: m.transpose), [R(2, 3, 4)]),
                       Case("transpose-axes", M(lambda m: lambda x: m.transpose(x, (1, -1, 0))),
                            [R(2, 3, 4)], autograd=False),  # autograd: no negative axes
                       Case("transpose-axes-positive", M(lambda m: lambda x: m.transpose(
                           x, (1, 2, 0))), [R(2, 3, 4)]),
                       Case("swapaxes", M(lambda m: lambda x: m.swapaxes(x, 0, -1)), [R(2, 3, 4)]),
                       Case("moveaxis", M(lambda m: lambda x: m.moveaxis(x, 0, -1)), [R(2, 3, 4)])],
    "getitem": [
        Case("getitem-slices", M(lambda m: lambda x: x[1:, ::-2, None]), [R(3, 5)]),
        Case("getitem-int", M(lambda m: lambda x: x[-1]), [R(3, 4)]),
        Case("getitem-ellipsis", M(lambda m: lambda x: x[..., 1]), [R(2, 3, 4)]),
        Case("getitem-array", M(lambda m: lambda x: x[np.array([0, 2, 0]), 1:]), [R(3, 4)]),
        Case("getitem-mask", M(lambda m: lambda x: x[np.array([True, False, True])]), [R(3, 4)]),
        Case("getitem-split-advanced", M(lambda m: lambda x: x[[0, 1], :, [2, 0]]), [R(2, 3, 4)]),
        Case("getitem-int-and-array", M(lambda m: lambda x: x[0, :, [1, 2]]), [R(2, 3, 4)])],
    "untake": [Case("untake", M(lambda m: lambda g: anp._untake(
        g, (np.array([0, 2, 0]), slice(1, None)), (3, 4)) if m is anp else
        _untake_np(g, (np.array([0, 2, 0]), slice(1, None)), (3, 4))), [R(3, 3)],
        autograd=False)],
    "concatenate": [
        Case("concatenate", M(lambda m: lambda x, y: m.concatenate([x, y, x], axis=-1)),
             [R(2, 3), R(2, 2)]),
        Case("stack", M(lambda m: lambda x, y: m.stack([x, y], axis=1)), [R(3), R(3)]),
        Case("hstack", M(lambda m: lambda x, y: m.hstack([x, y])), [R(3), R(2)]),
        Case("vstack", M(lambda m: lambda x, y: m.vstack([x, y])), [R(3), R(2, 3)])],
    "matmul": [Case(f"matmul{a}{b}", M(lambda m: m.matmul), [R(*a), R(*b)])
               for a, b in [((3, 4), (4, 2)), ((4,), (4, 2)), ((3, 4), (4,)), ((4,), (4,)),
                            ((2, 3, 4), (4, 2)), ((3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)),
                            ((4,), (2, 4, 3))]],
    "einsum": [
        Case("einsum-matmul", M(lambda m: lambda a, b: m.einsum("ij,jk->ik", a, b)),
             [R(2, 3), R(3, 4)]),
        # autograd's einsum rule fails on repeated subscripts
        Case("einsum-trace", M(lambda m: lambda a: m.einsum("ii", a)), [R(3, 3)], autograd=False),
        Case("einsum-diag", M(lambda m: lambda a: m.einsum("ii->i", a)), [R(3, 3)],
             autograd=False),
        Case("einsum-sumout", M(lambda m: lambda a, b: m.einsum("ij,j->", a, b)), [R(2, 3), R(3)]),
        Case("einsum-ellipsis", M(lambda m: lambda a, b: m.einsum("...ij,...jk->...ik", a, b)),
             [R(2, 1, 3, 4), R(5, 4, 2)]),
        Case("einsum-implicit", M(lambda m: lambda a, b, c: m.einsum("ij,jk,kl", a, b, c)),
             [R(2, 3), R(3, 4), R(4, 2)]),
        Case("tensordot", M(lambda m: lambda a, b: m.tensordot(a, b, axes=([0, 2], [1, 0]))),
             [R(2, 3, 4), R(4, 2, 5)]),
        Case("tensordot-int", M(lambda m: lambda a, b: m.tensordot(a, b, 2)),
             [R(2, 3, 4), R(3, 4, 5)]),
        Case("inner", M(lambda m: m.inner), [R(2, 3), R(4, 3)]),
        Case("dot-nd", M(lambda m: m.dot), [R(2, 3, 4), R(3, 4, 2)])],
    "solve": [
        Case("solve-vector", M(lambda m: m.linalg.solve), [SPD(3), R(3)]),
        Case("solve-matrix", M(lambda m: m.linalg.solve), [SPD(3), R(3, 2)]),
        Case("solve-stack", M(lambda m: m.linalg.solve), [np.stack([SPD(3), 2 * SPD(3)]), R(3)],
             autograd=False),  # autograd follows NumPy 1's rule for a vector b
        Case("solve-stack-matrix", M(lambda m: m.linalg.solve),
             [np.stack([SPD(3), 2 * SPD(3)]), R(2, 3, 2)])],
    "inv": [Case("inv", M(lambda m: m.linalg.inv), [SPD(3)]),
            Case("inv-stack", M(lambda m: m.linalg.inv), [np.stack([SPD(3), R(3, 3) + 4 * np.eye(3)])])],
    "det": [Case("det", M(lambda m: m.linalg.det), [R(3, 3) + 3 * np.eye(3)]),
            Case("det-stack", M(lambda m: m.linalg.det),
                 [np.stack([SPD(2), 2 * SPD(2), R(2, 2) + 3 * np.eye(2)])])],
    "slogdet": [Case("slogdet", M(lambda m: lambda a: m.linalg.slogdet(a)[1]),
                            [np.stack([SPD(3), R(3, 3) - 3 * np.eye(3)])])],
    "slogdet_sign": [Case("slogdet-sign", M(lambda m: lambda a: m.linalg.slogdet(a)[0]),
                      [R(3, 3) - 3 * np.eye(3)], grads=False)],
    "cholesky": [Case("cholesky", M(lambda m: lambda a: m.linalg.cholesky(a + m.swapaxes(a, -1, -2))),
                      [np.stack([SPD(3), 2 * SPD(3)])])],
    "eigh": [Case("eigh", M(lambda m: lambda a: m.concatenate([
        m.linalg.eigh(a + a.T)[0], m.ravel(m.linalg.eigh(a + a.T)[1] ** 2)])), [DISTINCT(3, 3)]),
        Case("eigvalsh-lower", M(lambda m: lambda a: m.linalg.eigvalsh(a)), [SPD(3) + np.triu(R(3, 3), 1)],
             autograd=False)],
    "svd": [Case(f"svd{shape}", M(lambda m: lambda a: m.concatenate([
        m.ravel(m.linalg.svd(a, full_matrices=False)[0] ** 2), m.linalg.svd(a, full_matrices=False)[1],
        m.ravel(m.linalg.svd(a, full_matrices=False)[2] ** 2)])), [DISTINCT(*shape)])
        for shape in [(3, 3), (4, 2), (2, 4)]] + [
        Case("svd-values", M(lambda m: lambda a: m.linalg.svd(a, compute_uv=False)), [DISTINCT(3, 2)])],
    "polygamma": [Case("polygamma", lambda m, s: lambda x: s.polygamma(1, x), [POS(3)])],
    "logsumexp": axis_cases("logsumexp", lambda m, s: s.logsumexp) + [
        Case("logsumexp-b", lambda m, s: lambda a: s.logsumexp(a, b=np.array([1.0, 2.0, 0.5])),
             [R(3)], autograd=False)],
    "argmax": axis_cases("argmax", M(lambda m: m.argmax), grads=False, flat_none=True),
    "argmin": axis_cases("argmin", M(lambda m: m.argmin), grads=False, flat_none=True),
    "argsort": axis_cases("argsort", M(lambda m: m.argsort), grads=False, flat_none=True),
    "any": [Case("any", M(lambda m: lambda x: m.any(x > 0.5, axis=-1)), [R(2, 3)], grads=False)],
    "all": [Case("all", M(lambda m: lambda x: m.all(x > -0.5, axis=0)), [R(2, 3)], grads=False)],
    "count_nonzero": [Case("count_nonzero", M(lambda m: lambda x: m.count_nonzero(x > 0, axis=1)),
                           [R(2, 3)], grads=False)],
    "isclose": [Case("isclose", M(lambda m: lambda x, y: m.isclose(x, y, atol=0.5)),
                     [R(3), R(3)], grads=False)],
    "pinv": [Case("pinv", M(lambda m: m.linalg.pinv), [R(4, 3)], autograd=False),
             Case("pinv-wide-stack", M(lambda m: m.linalg.pinv), [R(2, 2, 3)], autograd=False)],
    "matrix_rank": [Case("matrix_rank", M(lambda m: m.linalg.matrix_rank), [R(2, 3, 3)],
                         grads=False)],
    "searchsorted": [Case("searchsorted", M(lambda m: lambda x: m.searchsorted(
        np.array([-1.0, 0.0, 2.0]), x)), [R(2, 3)], grads=False)],
    "isposinf": [Case("isposinf", M(lambda m: lambda x: m.isposinf(x * np.array([np.inf, 1.0]))),
                      [R(2)], grads=False)],
    "isneginf": [Case("isneginf", M(lambda m: lambda x: m.isneginf(x * np.array([np.inf, 1.0]))),
                      [R(2)], grads=False)],
    "fix": [Case("fix", M(lambda m: m.fix), [R(2, 3) * 3], grads=False)],
    "round": [Case("round", M(lambda m: lambda x: m.round(x, 1)), [R(2, 3)], grads=False)],
}
NOT_BATCHED = set()  # every primitive has a batching rule (some refuse, with the reason)


def _untake_np(g, idx, shape):
    out = np.zeros(shape)
    np.add.at(out, idx, g)
    return out


# Functions adlib.numpy builds from the primitives: the same checks.
COMPOSITES = [
    Case("mean", M(lambda m: lambda x: m.mean(x, axis=(0, -1))), [R(2, 3, 4)]),
    Case("var-ddof", M(lambda m: lambda x: m.var(x, axis=-1, ddof=1)), [R(2, 4)]),
    Case("std", M(lambda m: lambda x: m.std(x, axis=0, keepdims=True)), [R(3, 2)]),
    Case("average", M(lambda m: lambda x: m.average(x, axis=0, weights=np.array([1., 2., 3.]))),
         [R(3, 2)], autograd=False),
    Case("ptp", M(lambda m: lambda x: m.ptp(x, axis=1)), [DISTINCT(2, 3)], autograd=False),
    Case("cumprod", M(lambda m: lambda x: m.cumprod(x, axis=-1)), [POS(2, 5)]),
    Case("cumprod-flat-zero", M(lambda m: lambda x: m.cumprod(x * np.array([1., 0., 1., 1.]))),
         [POS(4)], autograd=False),
    Case("sort", M(lambda m: lambda x: m.sort(x, axis=0)), [DISTINCT(3, 4)], autograd=False),
    Case("sort-flat", M(lambda m: lambda x: m.sort(x, axis=None)), [DISTINCT(2, 3)],
         autograd=False),
    Case("diff", M(lambda m: lambda x: m.diff(x, n=2, axis=0)), [R(4, 3)]),
    Case("diff-prepend", M(lambda m: lambda x: m.diff(x, prepend=0.5)), [R(2, 3)],
         autograd=False),
    Case("tile", M(lambda m: lambda x: m.tile(x, (2, 1, 3))), [R(2, 3)]),
    # autograd's repeat rule is wrong for axis=-1 and refuses a list of repeats
    Case("repeat", M(lambda m: lambda x: m.repeat(x, 2, axis=-1)), [R(2, 3)], autograd=False),
    Case("repeat-flat", M(lambda m: lambda x: m.repeat(x, [1, 0, 2, 1])), [R(2, 2)],
         autograd=False),
    Case("roll", M(lambda m: lambda x: m.roll(x, -1, axis=1)), [R(2, 3)]),
    Case("roll-flat", M(lambda m: lambda x: m.roll(x, 2)), [R(2, 3)]),
    Case("tril", M(lambda m: lambda x: m.tril(x, -1)), [R(3, 4)]),
    Case("triu-stack", M(lambda m: lambda x: m.triu(x, 1)), [R(2, 3, 3)]),
    Case("kron", M(lambda m: m.kron), [R(2, 3), R(3, 2)]),
    Case("cross", M(lambda m: m.cross), [R(2, 3), R(3)], autograd=False),  # autograd: broadcasting
    Case("cross-same-shape", M(lambda m: m.cross), [R(2, 3), R(2, 3)]),
    Case("vdot", M(lambda m: m.vdot), [R(2, 3), R(2, 3)]),
    Case("outer", M(lambda m: m.outer), [R(3), R(2)]),
    Case("dot", M(lambda m: m.dot), [R(3, 4), R(4)]),
    Case("mod", M(lambda m: lambda x: m.mod(x, 0.7)), [U(0.1, 3.0)(5)]),
    Case("append", M(lambda m: lambda x, y: m.append(x, y, axis=0)), [R(2, 3), R(1, 3)]),
    Case("take", M(lambda m: lambda x: m.take(x, np.array([2, 0, 2]), axis=1)), [R(2, 3)]),
    Case("take_along_axis", M(lambda m: lambda x: m.take_along_axis(
        x, np.array([[0, 2], [1, 1]]), axis=1)), [R(2, 3)], autograd=False),
    Case("pad", M(lambda m: lambda x: m.pad(x, ((1, 0), (2, 1)))), [R(2, 3)], autograd=False),
    Case("pad-reflect", M(lambda m: lambda x: m.pad(x, 2, mode="reflect")), [R(4)],
         autograd=False),
    Case("linspace", M(lambda m: lambda a, b: m.linspace(a, b, 5)), [R(), R()],
         autograd=False),
    Case("linspace-arrays", M(lambda m: lambda a, b: m.linspace(a, b, 4, axis=-1)),
         [R(2), R(2)], autograd=False),
    Case("column_stack", M(lambda m: lambda x, y: m.column_stack([x, y])), [R(3), R(3, 2)]),
    Case("atleast_3d", M(lambda m: m.atleast_3d), [R(3)]),
    Case("split", M(lambda m: lambda x: m.split(x, 2, axis=1)[1]), [R(2, 4)]),
    Case("array_split", M(lambda m: lambda x: m.array_split(x, 3)[0]), [R(5)]),
    Case("rollaxis", M(lambda m: lambda x: m.rollaxis(x, 2)), [R(2, 3, 4)]),
    Case("fliplr", M(lambda m: m.fliplr), [R(2, 3)]),
    Case("flip", M(lambda m: lambda x: m.flip(x, (0, 2))), [R(2, 3, 4)]),
    Case("nan_to_num", M(lambda m: m.nan_to_num),
         [np.array([0.3, np.nan, np.inf, -np.inf, -0.5])], autograd=False),
    Case("diagonal-offset", M(lambda m: lambda x: m.diagonal(x, 1, 0, 2)), [R(3, 2, 4)],
         autograd=False),
    Case("trace", M(lambda m: m.trace), [R(3, 3)]),
    Case("diag-vector-k", M(lambda m: lambda x: m.diag(x, -1)), [R(3)], autograd=False),
    Case("diag-matrix", M(lambda m: m.diag), [R(3, 3)]),
    Case("norm-vector-orders", M(lambda m: lambda x: m.stack(
        [m.linalg.norm(x, o) for o in (None, 1, 3, np.inf, -np.inf)])), [DISTINCT(5)],
         autograd=False),
    Case("norm-matrix-orders", M(lambda m: lambda x: m.stack(
        [m.linalg.norm(x, o, axis=(0, 1)) for o in ("fro", 1, -1, np.inf, 2, -2, "nuc")])),
         [DISTINCT(3, 3)], autograd=False),
    Case("matrix_power", M(lambda m: lambda x: m.linalg.matrix_power(x, 3)), [R(3, 3)],
         autograd=False),
    Case("softmax", lambda m, s: lambda x: s.softmax(x, axis=-1), [R(2, 3)], autograd=False),
    Case("multigammaln", lambda m, s: lambda x: s.multigammaln(x, 3), [POS(3) + 2.0],
         autograd=False),
    Case("median", M(lambda m: lambda x: m.median(x, axis=0)), [DISTINCT(3, 2)], autograd=False),
    Case("percentile", M(lambda m: lambda x: m.percentile(x, [10.0, 75.0])), [DISTINCT(5)],
         autograd=False),
    Case("quantile-keepdims", M(lambda m: lambda x: m.quantile(x, 0.3, axis=1, keepdims=True)),
         [DISTINCT(2, 4)], autograd=False),
    Case("select", M(lambda m: lambda x: m.select([x < 0, x > 1], [2 * x, x ** 2], 0.5)),
         [DISTINCT(5) - 0.5], autograd=False),
    Case("rot90", M(lambda m: lambda x: m.rot90(x, 3)), [R(2, 3)]),
    Case("nansum", M(lambda m: m.nansum), [np.array([0.3, np.nan, -0.7])], autograd=False),
    Case("nanmean", M(lambda m: lambda x: m.nanmean(x, axis=0)),
         [np.array([[0.3, np.nan], [-0.7, 1.1]])], autograd=False),
    Case("nanmax", M(lambda m: m.nanmax), [np.array([0.3, np.nan, -0.7])], autograd=False),
    Case("cumulative_sum", M(lambda m: lambda x: m.cumulative_sum(x, include_initial=True)),
         [R(4)], autograd=False),
    Case("meshgrid", M(lambda m: lambda x, y: m.meshgrid(x, y)[1] * m.meshgrid(x, y)[0]),
         [R(3), R(2)], autograd=False),
    Case("trapezoid", M(lambda m: lambda y, x: m.trapezoid(y, x)), [R(5), np.arange(5.0) ** 1.5],
         autograd=False),
    Case("polyval", M(lambda m: m.polyval), [R(3), R(4)], autograd=False),
    Case("cov", M(lambda m: m.cov), [R(3, 5)], autograd=False),
    Case("corrcoef", M(lambda m: m.corrcoef), [R(3, 6)], autograd=False),
    Case("vecdot", M(lambda m: m.vecdot), [R(2, 3), R(3)], autograd=False),
    Case("heaviside", M(lambda m: lambda x2: m.heaviside(np.array([-1.0, 0.0, 2.0]), x2)),
         [R(3)], autograd=False),
    Case("copysign", M(lambda m: m.copysign), [R(4), R(4)], autograd=False),
    Case("float_power", M(lambda m: m.float_power), [POS(3), R(3)], autograd=False),
    Case("convolve", M(lambda m: m.convolve), [R(5), R(3)], autograd=False),
    Case("convolve-same", M(lambda m: lambda a, v: m.convolve(a, v, "same")), [R(4), R(3)],
         autograd=False),
    Case("correlate", M(lambda m: m.correlate), [R(5), R(3)], autograd=False),
    Case("interp", M(lambda m: lambda x, fp: m.interp(x, np.array([0.0, 1.0, 2.0]), fp)),
         [U(0.1, 1.9)(4), R(3)], autograd=False),
    Case("lstsq", M(lambda m: lambda a, b: m.linalg.lstsq(a, b)[0]), [R(4, 2), R(4)],
         autograd=False),
    Case("cond", M(lambda m: m.linalg.cond), [SPD(3)], autograd=False),
    Case("vector_norm", M(lambda m: lambda x: m.linalg.vector_norm(x, axis=(0, 2), ord=3)),
         [DISTINCT(2, 3, 2)], autograd=False),
    Case("matrix_norm", M(lambda m: lambda x: m.linalg.matrix_norm(x, ord="nuc")),
         [DISTINCT(2, 3, 3)], autograd=False),
    Case("log_softmax", lambda m, s: lambda x: s.log_softmax(x, axis=0), [R(2, 3)],
         autograd=False),
]

ALL = [c for p in sorted(PRIMITIVES, key=lambda p: p.__name__)
       if hasattr(p, "elementwise") for c in elementwise_cases(p)] + \
    [c for cases in CASES.values() for c in cases] + COMPOSITES


def test_every_primitive_has_a_case():
    unbatchable = {"nonzero", "allclose", "array_equal"}  # refuse vmap: tested in test_vmap
    missing = [p.__name__ for p in PRIMITIVES if not hasattr(p, "elementwise")
               and p.__name__ not in CASES and p.__name__ not in unbatchable]
    assert not missing, f"primitives without a case in the sweep: {missing}"


def test_every_primitive_has_both_derivative_rules_and_a_batching_rule():
    for p in PRIMITIVES:
        assert p in core.VJP_RULES and p in core.JVP_RULES, p.__name__
        assert p in core.BATCH_RULES or p.__name__ in NOT_BATCHED, p.__name__


def _value(f, args):
    """f's value computed while traced: inside vjp, or (for boolean inputs, which are not
    differentiated) as the only member of a batch."""
    if all(np.result_type(a).kind == "f" for a in args):
        return adlib.vjp(f, *args)[0]
    return adlib.vmap(f)(*[np.stack([a]) for a in args])[0]


def check_value_matches_numpy(case):
    with np.errstate(all="ignore"):
        expected = case.fn("numpy")(*case.args)
        plain = case.fn("adlib")(*case.args)  # untraced: NumPy's own result
        traced = _value(case.fn("adlib"), case.args)
    for got in (plain, traced):
        assert np.shape(got) == np.shape(expected)
        assert np.allclose(got, expected, equal_nan=True)
        assert np.result_type(got) == np.result_type(expected) or case.name.startswith("astype")


def check_grads_order_2_both_modes(case):
    adlib.check_grads(case.fn("adlib"), *case.args, modes=("fwd", "rev"), order=2, **case.check)


def _ours_and_theirs(case):
    f = case.fn("adlib")
    try:
        g = case.fn("autograd")
    except AttributeError:  # autograd does not have the function
        g = None
    out = np.asarray(case.fn("numpy")(*case.args))
    w = rng(1).standard_normal(out.shape)
    return (lambda *xs: anp.sum(f(*xs) * w)), (lambda *xs: agnp.sum(g(*xs) * w)), f, g


def check_against_autograd(case):
    fs, gs, f, g = _ours_and_theirs(case)
    if g is None:
        return "autograd does not have this function"
    argnums = tuple(range(len(case.args)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            expected = autograd.grad(gs, argnums)(*case.args)
        except NotImplementedError as e:
            return f"autograd has no rule: {e}"
    for a, b in zip(adlib.grad(fs, argnums)(*case.args), expected):
        assert np.shape(a) == np.shape(b) and np.allclose(a, b)
    i = int(np.argmax([np.size(a) for a in case.args]))  # the biggest argument
    jac = autograd.jacobian(g, i)(*case.args)
    assert np.allclose(adlib.jacfwd(f, i)(*case.args), jac)
    assert np.allclose(adlib.jacrev(f, i)(*case.args), jac)


def _loop(f, args, in_axes):
    size = next(np.shape(a)[ax] for a, ax in zip(args, in_axes) if ax is not None)
    return np.stack([f(*[a if ax is None else np.take(a, k, axis=ax)
                         for a, ax in zip(args, in_axes)]) for k in range(size)])


def _batched_args(case, seed=3):
    """Each argument stacked into a batch of 3 (different members), along axis 0."""
    r = rng(seed)
    return [np.stack([a, ~a, a]) if np.result_type(a) == bool else
            np.stack([a * (1.0 + 0.1 * r.standard_normal()) for _ in range(3)])
            for a in case.args]


def check_vmap_against_a_loop(case):
    f = case.fn("adlib")
    batched = _batched_args(case)
    n = len(case.args)
    layouts = [(0,) * n, (0,) + (None,) * (n - 1)]
    if n > 1:
        layouts.append((None,) * (n - 1) + (0,))
    for in_axes in layouts:
        args = [b if ax == 0 else a for a, b, ax in zip(case.args, batched, in_axes)]
        with np.errstate(all="ignore"):
            expected = _loop(f, args, in_axes)
            got = adlib.vmap(f, in_axes=in_axes)(*args)
        assert np.shape(got) == np.shape(expected), in_axes
        assert np.allclose(got, expected, equal_nan=True), in_axes
    if np.ndim(case.args[0]) >= 1:  # the batch along the last axis, and out_axes
        moved = [np.moveaxis(batched[0], 0, -1)] + list(case.args[1:])
        in_axes = (-1,) + (None,) * (n - 1)
        expected = np.moveaxis(_loop(f, moved, in_axes), 0, -1)
        got = adlib.vmap(f, in_axes=in_axes, out_axes=-1)(*moved)
        assert np.allclose(got, expected, equal_nan=True)


def check_vmap_of_grad_against_a_loop(case):
    fs = _ours_and_theirs(case)[0]
    batched = _batched_args(case)
    g = adlib.grad(fs, tuple(range(len(case.args))))
    with np.errstate(all="ignore"):
        expected = [np.stack(parts) for parts in zip(*[g(*[b[k] for b in batched])
                                                        for k in range(3)])]
        got = adlib.vmap(g)(*batched)
    for a, b in zip(got, expected):
        assert np.allclose(a, b)


@pytest.mark.parametrize("case", ALL, ids=repr)
def test_sweep(case):
    """Every check that applies to the case, in one test (the checks say which one failed)."""
    checks = [check_value_matches_numpy, check_vmap_against_a_loop]
    if case.grads:
        checks += [check_grads_order_2_both_modes, check_vmap_of_grad_against_a_loop]
        if case.autograd:
            checks.append(check_against_autograd)
    for check in checks:
        try:
            check(case)
        except AssertionError as err:
            raise AssertionError(f"{check.__name__}: {err}") from err
