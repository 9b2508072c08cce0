"""adlib: automatic differentiation, forward and reverse mode, on NumPy.

>>> import adlib, adlib.numpy as anp
>>> adlib.grad(lambda x: anp.sum(anp.sin(x) ** 2))(0.5)  # 2 sin x cos x = sin 2x
0.8414709848078965

Everything is built from two functions: :func:`jvp` (forward mode) and
:func:`vjp` (reverse mode). :func:`grad`, :func:`jacfwd`, :func:`jacrev`,
:func:`hessian` and :func:`hvp` compose them, and any of them nests inside any
other.
"""
from . import numpy  # noqa: F401  (installs the array methods and operators of traced values)
from .api import derivative, grad, hessian, hvp, jacfwd, jacrev, value_and_grad
from .check import check_grads
from .core import Box, defjvp, defvjp, jvp, primitive, unbroadcast, vjp
from .trace import trace

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "derivative", "jacfwd", "jacrev",
           "hessian", "hvp", "primitive", "defvjp", "defjvp", "check_grads", "trace",
           "unbroadcast", "Box"]
__version__ = "0.1.0"
