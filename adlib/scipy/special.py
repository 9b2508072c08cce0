"""``adlib.scipy.special``: special functions with their derivatives (as in autograd.scipy)."""
import numpy as np
import scipy.special as sps

from .. import numpy as anp
from ..core import _shape, defbatch, defjvp, defvjp, primitive
from ..numpy import _batch_axis, _elementwise, _elementwise2, _restore

__all__ = ["logsumexp", "expit", "logit", "softmax", "log_softmax", "gammaln", "digamma",
           "polygamma", "erf", "erfc", "erfinv", "erfcinv", "gamma", "rgamma", "beta", "betaln",
           "xlogy", "xlog1py", "multigammaln", "i0", "i1"]

expit = _elementwise(sps.expit, lambda ans, x: ans * (1.0 - ans))
logit = _elementwise(sps.logit, lambda ans, x: 1.0 / (x * (1.0 - x)))
erf = _elementwise(sps.erf, lambda ans, x: 2.0 / np.sqrt(np.pi) * anp.exp(-x * x))
erfc = _elementwise(sps.erfc, lambda ans, x: -2.0 / np.sqrt(np.pi) * anp.exp(-x * x))


def _polygamma_raw(n, x):
    return sps.polygamma(n, x)


polygamma = primitive(_polygamma_raw, "polygamma")  # d/dx psi^(n)(x) = psi^(n+1)(x); n is an integer
defvjp(polygamma, None, lambda ans, n, x: lambda g: g * polygamma(n + 1, x))
defjvp(polygamma, None, lambda t, ans, n, x: t * polygamma(n + 1, x))
defbatch(polygamma, anp._batch_broadcast(polygamma))
gammaln = _elementwise(sps.gammaln, lambda ans, x: polygamma(0, x))
digamma = psi = _elementwise(sps.digamma, lambda ans, x: polygamma(1, x))


erfinv = _elementwise(sps.erfinv, lambda ans, x: np.sqrt(np.pi) / 2.0 * anp.exp(ans * ans))
erfcinv = _elementwise(sps.erfcinv, lambda ans, x: -np.sqrt(np.pi) / 2.0 * anp.exp(ans * ans))
gamma = _elementwise(sps.gamma, lambda ans, x: ans * polygamma(0, x))
rgamma = _elementwise(sps.rgamma, lambda ans, x: -ans * polygamma(0, x))
i0 = _elementwise(sps.i0, lambda ans, x: i1(x))
# I1' = I0 - I1 / x; at x = 0 its Taylor polynomial, so that higher derivatives are right there
i1 = _elementwise(sps.i1, lambda ans, x: anp.where(
    x == 0, 0.5 + 3 / 16 * x**2 + 5 / 384 * x**4, i0(x) - ans / anp.where(x == 0, 1.0, x)))


betaln = _elementwise2(sps.betaln, lambda ans, a, b: polygamma(0, a) - polygamma(0, a + b),
                       lambda ans, a, b: polygamma(0, b) - polygamma(0, a + b))
beta = _elementwise2(sps.beta, lambda ans, a, b: ans * (polygamma(0, a) - polygamma(0, a + b)),
                     lambda ans, a, b: ans * (polygamma(0, b) - polygamma(0, a + b)))
xlogy = _elementwise2(sps.xlogy, lambda ans, x, y: anp.log(y), lambda ans, x, y: x / y)
xlog1py = _elementwise2(sps.xlog1py, lambda ans, x, y: anp.log1p(y),
                        lambda ans, x, y: x / (1.0 + y))


def multigammaln(a, d):
    """log of the multivariate gamma function of dimension d, from gammaln."""
    return d * (d - 1) / 4.0 * np.log(np.pi) + anp.sum(
        anp.stack([gammaln(a - j / 2.0) for j in range(d)]), axis=0)


def _logsumexp_raw(a, axis=None, keepdims=False):
    return sps.logsumexp(a, axis=axis, keepdims=keepdims)


def _softmax_of(ans, a, axis, keepdims):
    return anp.exp(a - _restore(ans, a, axis, keepdims))


_logsumexp = primitive(_logsumexp_raw, "logsumexp")  # stable: SciPy subtracts the maximum first
defvjp(_logsumexp, lambda ans, a, axis=None, keepdims=False: lambda g: _restore(
    g, a, axis, keepdims) * _softmax_of(ans, a, axis, keepdims))
defjvp(_logsumexp, lambda t, ans, a, axis=None, keepdims=False: anp.sum(
    t * _softmax_of(ans, a, axis, keepdims), axis=axis, keepdims=keepdims))
defbatch(_logsumexp, _batch_axis(_logsumexp))


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    """log(sum(b * exp(a))) over ``axis``, without overflow."""
    if return_sign:
        raise NotImplementedError("adlib: logsumexp(..., return_sign=True) is not supported.")
    a = anp._asarray(a)
    if b is None:
        return _logsumexp(a, axis=axis, keepdims=keepdims)
    # b may hold zeros or negative weights, so no log(b): the weighted sum, shifted by the max
    # of a (its derivative through the shift cancels), keeps a zero weight's gradient finite.
    a = a + np.zeros(np.broadcast_shapes(_shape(a), _shape(b)))
    m = anp.max(a, axis=axis, keepdims=True)
    s = anp.sum(b * anp.exp(a - m), axis=axis, keepdims=keepdims)
    return anp.log(s) + (m if keepdims else anp.reshape(m, _shape(s)))


def log_softmax(x, axis=None):
    return x - logsumexp(x, axis=axis, keepdims=True)


def softmax(x, axis=None):
    return anp.exp(log_softmax(x, axis))
