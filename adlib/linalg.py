"""``anp.linalg``: differentiable linear algebra, on one matrix or a stack of them.

Each decomposition is one primitive. Those with several outputs (``eigh``, ``svd``) return
them packed into one array, which the public function unpacks by indexing, so that the engine
only ever handles primitives with one output. Decompositions that read one triangle of their
input (``cholesky``, ``eigh``) first build the symmetric matrix from that triangle, so that
their derivatives, like their values, ignore the other triangle, as NumPy does.
"""
import collections

import numpy as np

from . import numpy as anp
from .core import _shape, defbatch, defjvp, defvjp, primitive
from .numpy import _align, _batch_broadcast, _ndim

__all__ = ["solve", "inv", "det", "slogdet", "cholesky", "eigh", "eigvalsh", "svd", "norm",
           "matrix_power", "multi_dot", "pinv", "lstsq", "cond", "vector_norm", "matrix_norm",
           "outer", "diagonal", "trace", "matmul", "vecdot", "matrix_transpose", "matrix_rank"]

SlogdetResult = collections.namedtuple("SlogdetResult", "sign logabsdet")
EighResult = collections.namedtuple("EighResult", "eigenvalues eigenvectors")
SVDResult = collections.namedtuple("SVDResult", "U S Vh")


def _mT(a):
    return anp.swapaxes(a, -1, -2)


def _mat(x):
    """(...) -> (..., 1, 1): a number per matrix, ready to scale a stack of matrices."""
    return anp.expand_dims(anp.expand_dims(x, -1), -1)


def _vector_rhs(b):
    return _ndim(b) == 1  # NumPy 2 reads b as a vector only when it is 1-D


def _solve_raw(a, b):
    return np.linalg.solve(a, b)


def _solve_batch(batched, a, b):
    vector = _ndim(b) - batched[1] == 1
    b = anp.expand_dims(b, -1) if vector else b
    out = _solve(*_align(batched, [a, b]))
    return anp.squeeze(out, -1) if vector else out


def _solve_vjp_a(ans, a, b):
    def vjp(g):
        if _vector_rhs(b):
            return -(_solve(_mT(a), anp.expand_dims(g, -1)) * anp.expand_dims(ans, -2))
        return -(_solve(_mT(a), g) @ _mT(ans))
    return vjp


def _solve_vjp_b(ans, a, b):
    def vjp(g):
        if _vector_rhs(b):
            return anp.squeeze(_solve(_mT(a), anp.expand_dims(g, -1)), -1)
        return _solve(_mT(a), g)
    return vjp


def _solve_jvp_a(t, ans, a, b):
    if _vector_rhs(b):
        return -anp.squeeze(_solve(a, t @ anp.expand_dims(ans, -1)), -1)
    return -_solve(a, t @ ans)


_solve = primitive(_solve_raw, "solve")
defvjp(_solve, _solve_vjp_a, _solve_vjp_b)
defjvp(_solve, _solve_jvp_a, lambda t, ans, a, b: _solve(a, t))
defbatch(_solve, _solve_batch)


def solve(a, b):
    return _solve(a, b)


_inv = primitive(np.linalg.inv, "inv", keywords=False)
defvjp(_inv, lambda ans, a: lambda g: -_mT(ans) @ g @ _mT(ans))
defjvp(_inv, lambda t, ans, a: -ans @ t @ ans)
defbatch(_inv, _batch_broadcast(_inv))

_det = primitive(np.linalg.det, "det", keywords=False)
defvjp(_det, lambda ans, a: lambda g: _mat(g * ans) * _mT(_inv(a)))
defjvp(_det, lambda t, ans, a: ans * anp.sum(_mT(_inv(a)) * t, axis=(-2, -1)))
defbatch(_det, _batch_broadcast(_det))


def inv(a):
    return _inv(a)


def det(a):
    return _det(a)


def _logabsdet_raw(a):
    return np.linalg.slogdet(a)[1]


_logabsdet = primitive(_logabsdet_raw, "slogdet")
defvjp(_logabsdet, lambda ans, a: lambda g: _mat(g) * _mT(_inv(a)))
defjvp(_logabsdet, lambda t, ans, a: anp.sum(_mT(_inv(a)) * t, axis=(-2, -1)))
defbatch(_logabsdet, _batch_broadcast(_logabsdet))
def _slogdet_sign(a):
    return np.linalg.slogdet(a)[0]


_sign_of_det = anp._nondiff(_slogdet_sign, name="slogdet_sign")


def slogdet(a):
    return SlogdetResult(_sign_of_det(a), _logabsdet(a))


def _symmetric(a, lower):
    """The symmetric matrix that NumPy's cholesky and eigh read from one triangle of a."""
    if lower:
        return anp.tril(a) + _mT(anp.tril(a, -1))
    return anp.triu(a) + _mT(anp.triu(a, 1))


def _phi(x):
    """The lower triangle with the diagonal halved (Murray, 2016)."""
    return anp.tril(x) - 0.5 * x * np.eye(_shape(x)[-1])


def _cholesky_vjp(L, s):
    def vjp(g):
        p = _phi(_mT(L) @ g)
        x = _mT(_solve(_mT(L), _mT(_solve(_mT(L), p))))  # L^-T p L^-1
        return 0.5 * (x + _mT(x))
    return vjp


def _cholesky_jvp(t, L, s):
    z = _mT(_solve(L, _mT(_solve(L, t))))  # L^-1 t L^-T
    return L @ _phi(z)


_cholesky = primitive(np.linalg.cholesky, "cholesky", keywords=False)
defvjp(_cholesky, _cholesky_vjp)
defjvp(_cholesky, _cholesky_jvp)
defbatch(_cholesky, _batch_broadcast(_cholesky))


def cholesky(a, /, *, upper=False):
    L = _cholesky(_symmetric(a, not upper))
    return _mT(L) if upper else L


def _pairwise(values, m, diagonal_zero=True):
    """m_ij / (v_j - v_i) off the diagonal (0 on it). Where two values are equal the quotient
    has no limit: 0 if m_ij is 0 there (the derivative does not depend on it), else NaN, an
    honest 'undefined' (the eigen- or singular vectors of a repeated value are not unique)."""
    d = anp.expand_dims(values, -2) - anp.expand_dims(values, -1)
    n = _shape(values)[-1]
    eye = np.eye(n, dtype=bool)
    tie = (d == 0) & ~eye
    safe = anp.where(tie | eye, 1.0, d)
    q = anp.where(tie, anp.where(m == 0, 0.0, np.nan), m / safe)
    return anp.where(eye, 0.0, q)


def _eigh_raw(s):
    w, v = np.linalg.eigh(s)
    return np.concatenate([w[..., None, :], v], axis=-2)


def _eigh_vjp(ans, s):
    w, v = ans[..., 0, :], ans[..., 1:, :]

    def vjp(g):
        gw, gv = g[..., 0, :], g[..., 1:, :]
        inner = anp.expand_dims(gw, -2) * np.eye(_shape(gw)[-1]) + _pairwise(w, _mT(v) @ gv)
        return v @ inner @ _mT(v)
    return vjp


def _eigh_jvp(t, ans, s):
    w, v = ans[..., 0, :], ans[..., 1:, :]
    p = _mT(v) @ t @ v
    dw = anp.diagonal(p, axis1=-2, axis2=-1)
    return anp.concatenate([anp.expand_dims(dw, -2), v @ _pairwise(w, p)], axis=-2)


_eigh = primitive(_eigh_raw, "eigh")
defvjp(_eigh, _eigh_vjp)
defjvp(_eigh, _eigh_jvp)
defbatch(_eigh, _batch_broadcast(_eigh))


def eigh(a, UPLO="L"):
    packed = _eigh(_symmetric(a, UPLO.upper() == "L"))
    return EighResult(packed[..., 0, :], packed[..., 1:, :])


def eigvalsh(a, UPLO="L"):
    return eigh(a, UPLO).eigenvalues


def _svd_raw(a):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    lead = s.shape[:-1]
    return np.concatenate([u.reshape(lead + (-1,)), s, vh.reshape(lead + (-1,))], axis=-1)


def _svd_unpack(packed, m, n):
    k = min(m, n)
    u = anp.reshape(packed[..., :m * k], _shape(packed)[:-1] + (m, k))
    s = packed[..., m * k:m * k + k]
    vh = anp.reshape(packed[..., m * k + k:], _shape(packed)[:-1] + (k, n))
    return u, s, vh


def _svd_pack(u, s, vh):
    lead = _shape(s)[:-1]
    return anp.concatenate([anp.reshape(u, lead + (-1,)), s, anp.reshape(vh, lead + (-1,))], -1)


def _svd_vjp(ans, a):
    """Townsend (2016), 'Differentiating the singular value decomposition', for real a."""
    m, n = _shape(a)[-2:]
    u, s, vh = _svd_unpack(ans, m, n)
    v = _mT(vh)

    def vjp(g):
        gu, gs, gvh = _svd_unpack(g, m, n)
        gv = _mT(gvh)
        s2 = s * s
        j = _pairwise(s2, _mT(u) @ gu - _mT(gu) @ u)
        k = _pairwise(s2, _mT(v) @ gv - _mT(gv) @ v)
        srow, scol = anp.expand_dims(s, -2), anp.expand_dims(s, -1)
        core = j * srow + anp.expand_dims(gs, -2) * np.eye(_shape(s)[-1]) + scol * k
        out = u @ core @ vh
        out = out + (gu - u @ (_mT(u) @ gu)) / srow @ vh        # (I - U Uᵀ) Ū S⁻¹ Vᵀ
        return out + u @ ((_mT(gv) - (_mT(gv) @ v) @ vh) / scol)  # U S⁻¹ V̄ᵀ (I - V Vᵀ)
    return vjp


def _svd_jvp(t, ans, a):
    m, n = _shape(a)[-2:]
    u, s, vh = _svd_unpack(ans, m, n)
    v = _mT(vh)
    p = _mT(u) @ t @ v
    ds = anp.diagonal(p, axis1=-2, axis2=-1)
    srow, scol = anp.expand_dims(s, -2), anp.expand_dims(s, -1)
    s2 = s * s
    du = u @ _pairwise(s2, p * srow + scol * _mT(p)) + (t @ v - u @ p) / srow
    dv = v @ _pairwise(s2, scol * p + _mT(p) * srow) + (_mT(t) @ u - v @ _mT(p)) / srow
    return _svd_pack(du, ds, _mT(dv))


_svd = primitive(_svd_raw, "svd")
defvjp(_svd, _svd_vjp)
defjvp(_svd, _svd_jvp)
defbatch(_svd, _batch_broadcast(_svd))


def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    m, n = _shape(a)[-2:]
    if compute_uv and full_matrices and m != n:
        raise NotImplementedError(
            "adlib: svd(a, full_matrices=True) of a non-square matrix has no derivative (the "
            "extra singular vectors are not unique); pass full_matrices=False.")
    u, s, vh = _svd_unpack(_svd(a), m, n)
    return SVDResult(u, s, vh) if compute_uv else s


def norm(x, ord=None, axis=None, keepdims=False):
    """Vector and matrix norms, as np.linalg.norm (2 and nuclear norms through the SVD)."""
    x = anp._asarray(x)
    nd = _ndim(x)
    if axis is None:
        if ord is None or (ord in ("fro", "f") and nd == 2):
            out = anp.sqrt(anp.sum(x * x))
            return anp.reshape(out, (1,) * nd) if keepdims else out
        axis = tuple(range(nd))
    axes = tuple(a % nd for a in ((axis,) if isinstance(axis, (int, np.integer)) else axis))
    if len(axes) == 1:
        out = _vector_norm(x, ord, axes[0])
    elif len(axes) == 2:
        out = _matrix_norm(x, ord, axes)
    else:
        raise ValueError("Improper number of dimensions to norm.")
    if keepdims:
        out = anp.reshape(out, tuple(1 if i in axes else d for i, d in enumerate(_shape(x))))
    return out


def _vector_norm(x, ord, axis):
    if ord is None or ord == 2:
        return anp.sqrt(anp.sum(x * x, axis=axis))
    if ord == np.inf:
        return anp.max(anp.abs(x), axis=axis)
    if ord == -np.inf:
        return anp.min(anp.abs(x), axis=axis)
    if ord == 0:
        return anp.sum(anp.astype(x != 0, float), axis=axis)
    if ord == 1:
        return anp.sum(anp.abs(x), axis=axis)
    if isinstance(ord, str):
        raise ValueError(f"Invalid norm order '{ord}' for vectors")
    return anp.sum(anp.abs(x) ** ord, axis=axis) ** (1.0 / ord)


def _matrix_norm(x, ord, axes):
    r, c = axes
    if ord is None or ord in ("fro", "f"):
        return anp.sqrt(anp.sum(x * x, axis=axes))
    if ord in (1, -1):
        f = anp.max if ord == 1 else anp.min
        return f(anp.sum(anp.abs(x), axis=r), axis=c - 1 if c > r else c)
    if ord in (np.inf, -np.inf):
        f = anp.max if ord == np.inf else anp.min
        return f(anp.sum(anp.abs(x), axis=c), axis=r - 1 if r > c else r)
    if ord in (2, -2, "nuc"):
        s = svd(anp.moveaxis(x, axes, (-2, -1)), compute_uv=False)
        return {2: anp.max, -2: anp.min, "nuc": anp.sum}[ord](s, axis=-1)
    raise ValueError(f"Invalid norm order {ord!r} for matrices")


def matrix_power(a, n):
    a = anp._asarray(a)
    if n < 0:
        a, n = inv(a), -n
    out = anp.broadcast_to(np.eye(_shape(a)[-1]), _shape(a)) if n == 0 else a
    for _ in range(n - 1):
        out = out @ a
    return out


def multi_dot(arrays, *, out=None):
    anp._no_out(out, "multi_dot")
    result = arrays[0]
    for a in arrays[1:]:
        result = anp.dot(result, a)
    return result


def _pinv_raw(a, rcond=None):
    return np.linalg.pinv(a) if rcond is None else np.linalg.pinv(a, rcond)


def _pinv_vjp(p, a, rcond=None):
    """From dP = -P dA P + P Pᵀ dAᵀ (I - A P) + (I - P A) dAᵀ Pᵀ P (Golub & Pereyra, 1973),
    which holds where the rank of A does not change."""
    def vjp(g):
        pt = _mT(p)
        return (-pt @ g @ pt + (_mT(g) - a @ (p @ _mT(g))) @ (p @ pt)
                + (pt @ p) @ (_mT(g) - (_mT(g) @ p) @ a))
    return vjp


def _pinv_jvp(t, p, a, rcond=None):
    tt = _mT(t)
    return (-p @ t @ p + (p @ _mT(p)) @ (tt - (tt @ a) @ p)
            + (tt - p @ (a @ tt)) @ (_mT(p) @ p))


_pinv = primitive(_pinv_raw, "pinv")
defvjp(_pinv, _pinv_vjp)
defjvp(_pinv, _pinv_jvp)
defbatch(_pinv, _batch_broadcast(_pinv))


def pinv(a, rcond=None, hermitian=False, *, rtol=None):
    """The pseudo-inverse; its derivative exists where the rank of ``a`` is locally constant
    (full rank, typically)."""
    return _pinv(a) if rcond is None and rtol is None else _pinv(
        a, rcond=rcond if rcond is not None else rtol)


_matrix_rank = anp._nondiff(np.linalg.matrix_rank, name="matrix_rank")


def matrix_rank(A, tol=None, hermitian=False, *, rtol=None):
    return _matrix_rank(A) if tol is None and rtol is None else _matrix_rank(A, tol=tol, rtol=rtol)


def lstsq(a, b, rcond=None):
    """As np.linalg.lstsq: (x, residuals, rank, singular values); x = pinv(a) @ b."""
    x = pinv(a) @ b
    m, n = _shape(a)[-2:]
    rank = matrix_rank(a)
    full = m > n and (rank == n if rank.__class__ not in anp.BOXES else True)
    residuals = anp.sum((a @ x - b) ** 2, axis=0) if full else np.zeros(0)
    return x, residuals, rank, svd(a, compute_uv=False)


def cond(x, p=None):
    if p in (None, 2, -2):
        s = svd(x, compute_uv=False)
        ratio = s[..., 0] / s[..., -1]
        return 1.0 / ratio if p == -2 else ratio
    return norm(x, p, axis=(-2, -1)) * norm(inv(x), p, axis=(-2, -1))


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    """The norm of the entries over ``axis`` (all axes by default), as one vector."""
    x = anp._asarray(x)
    nd = _ndim(x)
    axes = tuple(range(nd)) if axis is None else tuple(
        a % nd for a in ((axis,) if isinstance(axis, (int, np.integer)) else axis))
    rest = tuple(a for a in range(nd) if a not in axes)
    moved = anp.transpose(x, rest + axes)
    out = _vector_norm(anp.reshape(moved, _shape(moved)[:len(rest)] + (-1,)), ord, -1)
    if keepdims:
        out = anp.reshape(out, tuple(1 if i in axes else d for i, d in enumerate(_shape(x))))
    return out


def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    return norm(x, ord, axis=(-2, -1), keepdims=keepdims)


def outer(x1, x2, /):
    return anp.outer(x1, x2)


def diagonal(x, /, *, offset=0):
    return anp.diagonal(x, offset, -2, -1)


def trace(x, /, *, offset=0, dtype=None):
    return anp.trace(x, offset, -2, -1, dtype)


def matmul(x1, x2, /):
    return anp.matmul(x1, x2)


def vecdot(x1, x2, /, *, axis=-1):
    return anp.vecdot(x1, x2, axis=axis)


def matrix_transpose(x, /):
    return _mT(x)


def __getattr__(name):  # qr, eig, ...: NumPy's, without derivatives
    return getattr(np.linalg, name)
