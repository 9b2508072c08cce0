"""Containers ("pytrees"): nested lists, tuples and dicts of arrays, flattened to a list of
leaves and rebuilt, so that every transformation accepts and returns them."""
import numpy as np


def _leaf(xs):
    return xs[0]


def _none(xs):
    return None


def tree_flatten(tree):
    """Leaves of nested lists, tuples and dicts, and a function that rebuilds the tree.
    ``None`` is an empty subtree (no leaves), as in JAX."""
    if tree.__class__ is float or tree.__class__ is np.ndarray:
        return [tree], _leaf
    if tree is None:
        return [], _none
    if isinstance(tree, (list, tuple)):
        parts = [tree_flatten(t) for t in tree]
        leaves = [leaf for p in parts for leaf in p[0]]
        kind = type(tree)

        def unflatten(xs):
            out, i = [], 0
            for p in parts:
                n = len(p[0])
                out.append(p[1](xs[i:i + n]))
                i += n
            return kind(out) if kind in (list, tuple) else kind(*out)
        return leaves, unflatten
    if isinstance(tree, dict):
        keys = list(tree)
        leaves, unflat = tree_flatten([tree[k] for k in keys])
        return leaves, lambda xs: dict(zip(keys, unflat(xs)))
    return [tree], _leaf


def tree_map(f, tree, *rest):
    leaves, unflatten = tree_flatten(tree)
    others = [tree_flatten(r)[0] for r in rest]
    return unflatten([f(*xs) for xs in zip(leaves, *others)])
