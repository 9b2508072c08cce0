"""Checking derivative rules against central finite differences."""
import numpy as np

from .core import _as_float, jvp, vjp
from .tree import tree_flatten, tree_map


def _vdot(a, b):
    """Inner product of two trees of arrays with the same structure."""
    return float(sum(np.vdot(x, y) for x, y in zip(tree_flatten(a)[0], tree_flatten(b)[0])))


def _random_like(x, rng):
    r = rng.standard_normal(np.shape(x))
    return r if r.ndim else float(r)


def check_grads(f, *args, modes=("fwd", "rev"), order=2, eps=1e-6, rtol=1e-5, atol=1e-6,
                _level=1):
    """Check ``f``'s forward and reverse derivatives against central finite differences.

    In a random direction ``v``, the JVP must equal ``(f(x + eps v) - f(x - eps v)) / 2 eps``;
    for a random output cotangent ``u``, ``<u, J v>`` computed by the VJP must agree too. When
    both modes are checked, they must also be each other's transpose, ``<u, J v> = <J^T u, v>``,
    to near round-off (no finite difference involved). With ``order=2`` (or more) the same is
    checked for the derivatives themselves, so rules that are right at first order but not
    differentiable again are caught. Raises ``AssertionError`` naming the function, the mode,
    the order of the derivative that failed and both numbers when they disagree.
    """
    args = tree_map(_as_float, args)
    rng = np.random.default_rng(0)
    v = tree_map(lambda x: _random_like(x, rng), args)
    shift = lambda s: tree_map(lambda x, d: x + s * eps * d, args, v)  # noqa: E731
    numeric = (np.asarray(f(*shift(1.0))) - np.asarray(f(*shift(-1.0)))) / (2 * eps)
    name = getattr(f, "__name__", repr(f))

    def compare(mode, analytic, expected):
        if not np.allclose(analytic, expected, rtol=rtol, atol=atol):
            raise AssertionError(
                f"check_grads: the {mode} derivative of {name} disagrees with central finite "
                f"differences (a derivative of order {_level})\n  at arguments: {args}\n"
                f"  analytic: {np.asarray(analytic)}\n  numeric:  {np.asarray(expected)}")

    if "fwd" in modes:
        tangent = jvp(f, args, v)[1]
        compare("forward-mode (jvp)", tangent, numeric)
    u = _random_like(numeric, rng)
    if "rev" in modes:
        u_jt_v = _vdot(vjp(f, *args)[1](u), v)
        compare("reverse-mode (vjp)", u_jt_v, np.vdot(u, numeric))
        if "fwd" in modes:  # the same sum of products in another order: equal to round-off
            dt = np.asarray(tangent).dtype
            tol = 1e4 * np.finfo(dt if dt.kind == "f" else float).eps
            scale = 1.0 + np.linalg.norm(u) * np.linalg.norm(tangent)
            if not np.isclose(np.vdot(u, tangent), u_jt_v, rtol=tol, atol=tol * scale):
                raise AssertionError(
                    f"check_grads: the forward and reverse derivatives of {name} are not each "
                    f"other's transpose (a derivative of order {_level}): <u, J v> = "
                    f"{np.vdot(u, tangent)} but <J^T u, v> = {u_jt_v}")
    if order > 1:
        if "fwd" in modes:
            def tangent_of_f(*xs):
                return jvp(f, xs, v)[1]
            tangent_of_f.__name__ = f"jvp({name})"
            check_grads(tangent_of_f, *args, modes=modes, order=order - 1, eps=eps,
                        rtol=rtol, atol=atol, _level=_level + 1)
        if "rev" in modes:
            def cotangent_of_f(*xs):
                from . import numpy as anp
                cts = tree_flatten(vjp(f, *xs)[1](u))[0]
                return sum(anp.sum(c * d) for c, d in zip(cts, tree_flatten(v)[0]))
            cotangent_of_f.__name__ = f"vjp({name})"
            check_grads(cotangent_of_f, *args, modes=modes, order=order - 1, eps=eps,
                        rtol=rtol, atol=atol, _level=_level + 1)
