"""Differentiable SciPy functions: ``from adlib.scipy import special`` (needs SciPy)."""
from . import special  # noqa: F401
