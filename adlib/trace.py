"""Evaluation traces (Wengert lists): what AD records, shown as tables and drawn as a graph."""
import inspect

import numpy as np

from .core import JVP_RULES, NONDIFF, ReverseTrace, _as_float, _outputs, unbroadcast

_INFIX = {"add": "+", "subtract": "-", "multiply": "*", "divide": "/", "power": "**",
          "matmul": "@"}
BAR, DOT = "\u0304", "\u0307"  # combining bar (adjoint) and dot (tangent)


def _fmt(x, precision=4):
    x = np.asarray(getattr(x, "value", x), dtype=float)
    if x.ndim == 0:
        return np.format_float_positional(float(x), precision=precision, trim="-")
    return np.array2string(x, precision=precision, separator=", ", max_line_width=10**6)


class _Recorder(ReverseTrace):
    """A reverse trace that also keeps each operation's function and arguments."""

    def __init__(self):
        super().__init__()
        self.ops = []  # ops[k] = (fun, args, kwargs, {argnum: parent node}) or None for inputs

    def new_input(self, value):
        self.ops.append(None)
        return super().new_input(value)

    def lift(self, fun, ans, vals, kwargs, argnums, boxes):
        out = super().lift(fun, ans, vals, kwargs, argnums, boxes)
        if len(self.ops) < len(self.tape):  # recorded (operations without derivative are not)
            self.ops.append((fun, vals, kwargs, {i: boxes[i].node for i in argnums}))
        return out


class trace:
    """Record the evaluation trace of ``f`` at ``args`` (numbers or arrays).

    ``print(trace(f, 2.0, 5.0))`` shows the primal trace, one elementary operation
    a line, named as in Baydin et al. (2018): inputs ``v-1, v0``, intermediates
    ``v1, v2, ...``. ``tangent_table(seed)`` adds the forward tangent trace for a
    seed direction, ``adjoint_table()`` shows the reverse adjoint trace, and
    ``draw()`` draws the computation graph.
    """

    def __init__(self, f, *args):
        self._rec = rec = _Recorder()
        self.inputs = [rec.new_input(_as_float(a)) for a in args]
        try:
            params = list(inspect.signature(f).parameters)[:len(args)]
        except (TypeError, ValueError):
            params = []
        self.input_names = params if len(params) == len(args) else [
            f"x{i + 1}" for i in range(len(args))]
        (self.value,), (self.output,), _ = _outputs(f(*self.inputs), rec, "trace")
        n = len(args)
        self.names = [f"v{i + 1 - n}" for i in range(len(rec.tape))]

    def _expr(self, k):
        op = self._rec.ops[k]
        if op is None:
            return self.input_names[k]
        fun, vals, kwargs, parents = op
        def const(a):  # an argument that does not depend on the inputs
            a = getattr(a, "value", a)
            if isinstance(a, (int, float)) and not isinstance(a, bool):
                return _fmt(a)
            return "const" if hasattr(a, "shape") else repr(a)
        parts = [self.names[parents[i]] if i in parents else const(a) for i, a in enumerate(vals)]
        if fun.__name__ in _INFIX and len(parts) == 2:
            return f"{parts[0]} {_INFIX[fun.__name__]} {parts[1]}"
        if fun.__name__ == "negative":
            return f"-{parts[0]}"
        if fun.__name__ == "getitem":
            return f"{parts[0]}[{vals[1]!r}]"
        try:  # keyword arguments are shown unless they have their default value
            defaults = {k: p.default for k, p in inspect.signature(fun.raw).parameters.items()}
        except (TypeError, ValueError, AttributeError):
            defaults = {}
        parts += [f"{key}={val!r}" for key, val in kwargs.items()
                  if not (isinstance(val, (bool, int, float, type(None)))
                          and key in defaults and defaults[key] == val)]
        return f"{fun.__name__.lstrip('_')}({', '.join(parts)})"

    def _nodes(self):
        """The nodes the output depends on, in evaluation order."""
        if self.output is None:
            return []
        needed = {self.output}
        for k in range(self.output, -1, -1):
            if k in needed:
                needed.update(p for p, _ in self._rec.tape[k])
        return sorted(needed | set(range(len(self.inputs))))

    def _table(self, header, rows):
        width = lambda c: len(str(c)) - str(c).count(BAR) - str(c).count(DOT)  # noqa: E731
        widths = [max(width(r[i]) for r in [header] + rows) for i in range(len(header))]
        line = lambda r: "  ".join(str(c) + " " * (w - width(c))  # noqa: E731
                                   for c, w in zip(r, widths)).rstrip()
        return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])

    def primal_table(self):
        rows = [[self.names[k], "=", self._expr(k), "=", _fmt(self._rec.values[k])]
                for k in self._nodes()]
        rows.append(["y", "=", self.names[self.output] if self.output is not None else "const",
                     "=", _fmt(self.value)])
        return self._table(["node", "", "operation", "", "value"], rows)

    def __str__(self):
        return "Forward primal trace\n" + self.primal_table()

    __repr__ = __str__

    def tangents(self, seed):
        """Tangent of every node for the input direction ``seed`` (one number or array per input)."""
        t = {}
        for k in self._nodes():
            op = self._rec.ops[k]
            if op is None:
                t[k] = _as_float(seed[k])
                continue
            fun, vals, kwargs, parents = op
            total = 0.0
            for i, p in parents.items():
                rule = JVP_RULES[fun][i]
                if rule is not NONDIFF:
                    total = total + rule(t[p], self._rec.values[k], *vals, **kwargs)
            t[k] = total
        return {self.names[k]: v for k, v in t.items()}

    def tangent_table(self, seed):
        """The primal and forward tangent traces side by side (Baydin et al., Table 2)."""
        t = self.tangents(seed)
        rows = [[self.names[k], self._expr(k), _fmt(self._rec.values[k]),
                 "v" + DOT + self.names[k][1:], _fmt(t[self.names[k]])] for k in self._nodes()]
        return self._table(["node", "operation", "value", "tangent", "value"], rows)

    def adjoints(self):
        """Adjoint of every node for output cotangent 1 (reverse mode)."""
        adj = self._rec.backward({self.output: 1.0}, keep_all=True)
        return {self.names[k]: adj[k] if adj[k] is not None else 0.0 for k in self._nodes()}

    def adjoint_table(self):
        """The reverse adjoint trace (Baydin et al., Table 3), one line per edge in the order
        of the backward sweep: node ``vk`` adds its share ``v̄k * ∂vk/∂vp`` (the
        ``contribution``) to the adjoint of its parent ``vp``; ``running total`` is ``v̄p``
        after that ``+=``. A node's total is complete before the sweep reaches it."""
        rec, adj = self._rec, self._rec.backward({self.output: 1.0}, keep_all=True)
        bar = lambda k: "v" + BAR + self.names[k][1:]  # noqa: E731
        rows = [[bar(self.output), "= y" + BAR, "", "", "1"]]
        running = {}
        for k in reversed(self._nodes()):
            for p, vjp in rec.tape[k]:
                share = vjp(adj[k])
                if np.shape(share) != np.shape(rec.values[p]):  # a broadcast argument
                    share = unbroadcast(share, np.shape(rec.values[p]))
                running[p] = share if p not in running else running[p] + share
                local = "" if np.ndim(adj[k]) else f"∂{self.names[k]}/∂{self.names[p]} = " \
                    f"{_fmt(vjp(1.0))}"
                rows.append([bar(p), f"+= {bar(k)} * ∂{self.names[k]}/∂{self.names[p]}", local,
                             _fmt(share), _fmt(running[p])])
        rows += [[bar(k), "total", "", "", _fmt(adj[k])] for k in range(len(self.inputs))]
        return self._table(["adjoint", "update", "local derivative", "contribution",
                            "running total"], rows)

    def draw(self, ax=None, figsize=(7, 3.5), edge_labels=False):
        """Draw the computation graph with matplotlib; returns the axes.

        Inputs are blue, operations yellow; each box shows the node's name, operation and
        value. With ``edge_labels=True`` each edge of a scalar graph carries its local
        derivative ``∂vk/∂vp``.
        """
        import matplotlib.pyplot as plt
        nodes, tape = self._nodes(), self._rec.tape
        depth = {}
        for k in nodes:
            depth[k] = 1 + max((depth[p] for p, _ in tape[k]), default=-1)
        columns = {}
        for k in nodes:
            columns.setdefault(depth[k], []).append(k)
        pos = {k: (d, -(i - (len(col) - 1) / 2)) for d, col in columns.items()
               for i, k in enumerate(col)}
        if ax is None:
            ax = plt.figure(figsize=figsize).add_subplot()
        labels = []  # (point on the edge, the edge's direction, text)
        for k in nodes:
            for p, vjp in tape[k]:
                # an edge along a row would run behind the nodes between its ends: bend it
                bend = -0.35 if depth[k] - depth[p] > 1 and pos[k][1] == pos[p][1] else 0.0
                ax.annotate("", xy=pos[k], xytext=pos[p], arrowprops=dict(
                    arrowstyle="-|>", color="0.4", shrinkA=22, shrinkB=22,
                    connectionstyle=f"arc3,rad={bend}"))
                if edge_labels and np.ndim(self._rec.values[k]) == 0:
                    # 40% of the way along a bent edge, which arcs over the nodes in between;
                    # on a straight edge, 40% of the way across the first gap between columns
                    # (further along, it passes a node in between, and its label would sit
                    # beside, or under, that node)
                    (x0, y0), (x1, y1) = pos[p], pos[k]
                    t = 0.4 if bend else 0.4 / (x1 - x0)
                    lift = 2 * t * (1 - t) * abs(bend) * (x1 - x0)  # the arc's bulge there
                    labels.append(((x0 + t * (x1 - x0), y0 + t * (y1 - y0) + lift),
                                   (x1 - x0, y1 - y0), _fmt(vjp(1.0), 3)))
            op = self._rec.ops[k]
            label = self.input_names[k] if op is None else _INFIX.get(
                op[0].__name__, op[0].__name__.lstrip("_"))
            ax.text(*pos[k], f"{self.names[k]}\n{label}\n{_fmt(self._rec.values[k], 3)}",
                    ha="center", va="center", fontsize=9, bbox=dict(
                        boxstyle="round,pad=0.4", fc="#dbe9f6" if op is None else "#fdf1d6",
                        ec="0.3"))
        ax.set_xlim(-0.6, max(depth.values(), default=0) + 0.6)
        ax.set_ylim(-max(len(c) for c in columns.values()) / 2 - 0.3,
                    max(len(c) for c in columns.values()) / 2 + 0.3)
        for (x, y), direction, text in labels:
            # beside the edge, never on it: a stub of line next to a number reads as a minus
            # sign. The offset is along the edge's normal on the screen, on its upper side.
            dx, dy = ax.transData.transform(direction) - ax.transData.transform((0.0, 0.0))
            nx, ny = (-dy, dx) if dx > 0 or (dx == 0 and dy < 0) else (dy, -dx)
            norm = np.hypot(nx, ny)
            nx, ny = nx / norm, ny / norm
            ax.annotate(text, (x, y), xytext=(4 * nx, 4 * ny), textcoords="offset points",
                        ha="center" if abs(nx) < 0.5 else ("left" if nx > 0 else "right"),
                        va="bottom" if ny > 0.3 else ("top" if ny < -0.3 else "center"),
                        fontsize=8, color="#b03030")
        ax.axis("off")
        return ax
