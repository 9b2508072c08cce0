"""adlib: automatic differentiation, forward and reverse mode, on NumPy.

>>> import adlib, adlib.numpy as anp
>>> print(adlib.grad(lambda x: anp.sum(anp.sin(x) ** 2))(0.5))  # 2 sin x cos x = sin 2x
0.8414709848078965

Every derivative function is built from three transformations: :func:`jvp` (forward mode),
:func:`vjp` (reverse mode) and :func:`vmap` (batching). :func:`grad`, :func:`jacfwd`,
:func:`jacrev`, :func:`hessian` and :func:`hvp` compose them, and any of them nests inside any
other.
adlib differentiates real-valued code: a complex value entering a trace is an error.
"""
from . import numpy  # noqa: F401  (installs the array methods and operators of traced values)
from .api import (derivative, grad, hessian, hvp, jacfwd, jacrev, ravel_pytree, value_and_grad,
                  vmap)
from .check import check_grads
from .core import Box, defbatch, defjvp, defvjp, jvp, primitive, unbroadcast, vjp
from .trace import trace

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "vmap", "derivative", "jacfwd", "jacrev",
           "hessian", "hvp", "ravel_pytree", "primitive", "defvjp", "defjvp", "defbatch",
           "check_grads", "trace", "unbroadcast", "Box"]
__version__ = "0.2.0"
