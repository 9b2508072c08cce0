"""Evaluation traces (Wengert lists): what AD records, shown as tables and drawn as a graph."""
import inspect
import re

import numpy as np

from .core import JVP_RULES, NONDIFF, ReverseTrace, _as_float, _outputs, unbroadcast

_INFIX = {"add": "+", "subtract": "-", "multiply": "*", "divide": "/", "power": "**",
          "matmul": "@"}
# in a drawing the operation stands alone on its line: a hyphen there reads as a separator
_SYMBOL = dict(_INFIX, subtract="\u2212")
BAR, DOT = "\u0304", "\u0307"  # combining bar (adjoint) and dot (tangent)
# node names with subscripts, v₋₁ rather than v-1, which reads as a subtraction
_SUBSCRIPT = str.maketrans("-0123456789", "\u208b\u2080\u2081\u2082\u2083\u2084\u2085\u2086"
                                          "\u2087\u2088\u2089")


def _number(x, precision=4):
    """A number for a drawing: its minus sign is U+2212, as is the subtraction's."""
    return _fmt(x, precision).replace("-", "\u2212")


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
    a line, named as in Baydin et al. (2018) with subscripts: inputs ``v₋₁, v₀``,
    intermediates ``v₁, v₂, ...`` (the names are in ``names``, in the order of the
    tape). ``tangent_table(seed)`` adds the forward tangent trace for a seed direction,
    ``adjoint_table()`` shows the reverse adjoint trace, and ``draw()`` draws the
    computation graph. ``tangents(seed)`` and ``adjoints()`` return the numbers, by
    node name.
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
        self.names = ["v" + str(i + 1 - n).translate(_SUBSCRIPT) for i in range(len(rec.tape))]

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
        # A cell may span several lines (a matrix): its continuation lines stay in its column.
        width = lambda s: len(s) - s.count(BAR) - s.count(DOT)  # noqa: E731
        split = lambda r: [str(c).split("\n") for c in r]  # noqa: E731
        widths = [max(width(s) for r in [header] + rows for s in str(r[i]).split("\n"))
                  for i in range(len(header))]

        def lines(r):
            cells = split(r)
            return ["  ".join(s + " " * (w - width(s)) for s, w in
                              zip((c[j] if j < len(c) else "" for c in cells), widths)).rstrip()
                    for j in range(max(map(len, cells)))]

        ruling = lines(["-" * w if h else " " * w for h, w in zip(header, widths)])
        return "\n".join(lines(header) + ruling + [s for r in rows for s in lines(r)])

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
        """Tangent of every node for the input direction ``seed`` (one number or array per
        input), by node name."""
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
        """The primal and forward tangent traces side by side (Baydin et al., Table 2): each
        node's tangent is the sum over its parents of local derivative times parent tangent;
        ``tangent update`` shows that sum, the local derivatives as numbers (as ``∂vk/∂vp``
        where a node is an array)."""
        t = self.tangents(seed)
        dot = lambda k: "v" + DOT + self.names[k][1:]  # noqa: E731
        rows = []
        for k in self._nodes():
            op = self._rec.ops[k]
            terms = []
            for i, p in ({} if op is None else op[3]).items():
                rule = JVP_RULES[op[0]][i]
                if rule is NONDIFF:
                    continue
                if np.ndim(self._rec.values[k]) or np.ndim(self._rec.values[p]):
                    terms.append(f"+ ∂{self.names[k]}/∂{self.names[p]} * {dot(p)}")
                    continue
                d = float(rule(1.0, self._rec.values[k], *op[1], **op[2]))
                sign = "-" if d < 0 else "+"  # as in the operation column
                coef = "" if abs(d) == 1 else f"{_fmt(abs(d))} * "
                terms.append(f"{sign} {coef}{dot(p)}")
            update = "seed" if op is None else (" ".join(terms) or "0")
            if update[:2] in ("+ ", "- "):  # a leading sign: no "+", and "-" on its term
                update = update[2:] if update[0] == "+" else "-" + update[2:]
            rows.append([self.names[k], self._expr(k), _fmt(self._rec.values[k]),
                         f"{dot(k)} = {update}", _fmt(t[self.names[k]])])
        return self._table(["node", "operation", "value", "tangent update", "tangent"], rows)

    def adjoints(self):
        """Adjoint of every node for output cotangent 1 (reverse mode), by node name."""
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

    def draw(self, ax=None, figsize=(7, 3.5), edge_labels=False, notes=None, note_color="C0"):
        """Draw the computation graph with matplotlib; returns the axes.

        Inputs are blue, operations yellow; each box shows the node's name, operation and
        value. With ``edge_labels=True`` each edge of a scalar graph carries its local
        derivative ``∂vk/∂vp``. ``notes`` maps node names to texts written under the boxes
        (above one where an edge passes below it), in ``note_color``; for instance the
        tangents, ``notes={k: f"{t:.4g}" for k, t in tr.tangents(seed).items()}``.
        """
        import matplotlib.pyplot as plt
        from matplotlib.patches import ConnectionStyle
        from matplotlib.path import Path

        class Through(ConnectionStyle.Arc3):
            """A quadratic Bezier curve through a control point given in data coordinates,
            so that the curve, and a label placed by it, keep their shape when the axes
            are resized (matplotlib's arc3 bulges by a fraction of the length on the screen)."""
            def __init__(self, control):
                super().__init__()
                self.control = control

            def connect(self, posA, posB):
                c = ax.transData.transform(self.control)
                return Path([posA, c, posB], [Path.MOVETO, Path.CURVE3, Path.CURVE3])

        nodes, tape = self._nodes(), self._rec.tape
        depth, columns = {}, {}
        for k in nodes:
            depth[k] = 1 + max((depth[p] for p, _ in tape[k]), default=-1)
            columns.setdefault(depth[k], []).append(k)
        pos = {k: np.array([d, (len(col) - 1) / 2 - i]) for d, col in columns.items()
               for i, k in enumerate(col)}

        def control(p, k):
            """An edge along a row would run behind the nodes between its ends: it arcs over.
            Any other edge is straight: its control point is its midpoint."""
            (x0, y0), (x1, y1) = pos[p], pos[k]
            lift = 0.45 * (x1 - x0) if x1 - x0 > 1 and y0 == y1 else 0.0
            return np.array([(x0 + x1) / 2, (y0 + y1) / 2 + lift])

        def curve(p, k, c, t):
            """Points of an edge, in data coordinates, at the parameters t."""
            t = np.asarray(t)[..., None]
            return (1 - t) ** 2 * pos[p] + 2 * t * (1 - t) * c + t ** 2 * pos[k]

        if ax is None:
            ax = plt.figure(figsize=figsize).add_subplot()
        edges = [(p, k, vjp, control(p, k)) for k in nodes for p, vjp in tape[k]]
        arrows = [ax.annotate("", xy=pos[k], xytext=pos[p], arrowprops=dict(
            arrowstyle="-|>", color="0.4", shrinkA=22, shrinkB=22,
            connectionstyle=Through(c))) for p, k, _, c in edges]
        boxes = {}
        for k in nodes:
            op = self._rec.ops[k]
            label = self.input_names[k] if op is None else _SYMBOL.get(
                op[0].__name__, op[0].__name__.lstrip("_"))
            if op is not None and op[0].__name__ in _INFIX and len(op[1]) == 2:
                # a constant operand is shown, ** 2 as "**2": the edges carry only the inputs
                const = [_number(a) if i not in op[3] and np.ndim(a) == 0 else ""
                         for i, a in enumerate(op[1])]
                label = const[0] + label + const[1]
            text = f"{self.names[k]}\n{label}\n{_number(self._rec.values[k], 3)}"
            boxes[k] = ax.text(*pos[k], text, ha="center", va="center", fontsize=9, bbox=dict(
                boxstyle="round,pad=0.4", fc="#dbe9f6" if op is None else "#fdf1d6", ec="0.3"))
        ax.set_xlim(-0.6, max(depth.values(), default=0) + 0.6)
        # the y-range fits the content: the rows of boxes, with room under them for notes,
        # and the arcs over a row with their labels
        top = (max(len(c) for c in columns.values()) - 1) / 2
        pad = 0.8 if notes else 0.55
        ax.set_ylim(-top - pad, max([top + pad] + [curve(e[0], e[1], e[3], 0.5)[1] + 0.45
                                                   for e in edges]))
        ax.axis("off")
        if not (notes or edge_labels):
            return ax

        # Notes and edge labels go where they keep room from the edges, the boxes and each
        # other: a label wedged between two edges, or a note on an edge, could belong to either.
        # Each is anchored at a point in data coordinates, offset by a few points.
        fig = ax.figure
        fig.draw_without_rendering()  # lay out the boxes
        to_display, px = ax.transData.transform, fig.dpi / 72  # pixels per point

        # the edges as drawn, arrowheads included (a label by a head reads as on the edge)
        paths = [np.concatenate([seg(np.linspace(0, 1, 100)) for seg, _ in
                                 a.arrow_patch.get_path().iter_bezier()]) for a in arrows]
        taken = [boxes[k].get_bbox_patch().get_window_extent() for k in nodes]

        def room(text, skip=None, own=None):
            """Room around a text, in pixels: from the edges and the boxes, and twice as much
            from the other notes and labels (two labels side by side read as one); a label
            needs half as much from its own edge ``skip`` (it sits 4 points beside it)."""
            bb = text.get_window_extent()
            gaps = [np.min(np.hypot(np.maximum(np.maximum(bb.x0 - q[:, 0], q[:, 0] - bb.x1), 0),
                                    np.maximum(np.maximum(bb.y0 - q[:, 1], q[:, 1] - bb.y1), 0)))
                    * (2 if i == skip else 1) + (1 if i == skip else 0)  # 1 px: rounding
                    for i, q in enumerate(paths)]
            gaps += [np.hypot(max(bb.x0 - o.x1, o.x0 - bb.x1, 0),
                              max(bb.y0 - o.y1, o.y0 - bb.y1, 0)) / (1 if j < len(nodes) else 2)
                     for j, o in enumerate(taken) if j != own]
            return min(gaps, default=np.inf)

        def place(text, candidates, skip=None, own=None):
            """Put text at the first candidate with 8 points of room, or else the roomiest."""
            best = None
            for xy, offset, ha, va in candidates:
                text.xy, text.xyann = xy, offset
                text.set_ha(ha)
                text.set_va(va)
                r = room(text, skip, own)
                if best is None or r > best[0]:
                    best = (r, xy, offset, ha, va)
                if r >= 8 * px:
                    break
            _, text.xy, text.xyann, ha, va = best
            text.set_ha(ha)
            text.set_va(va)
            taken.append(text.get_window_extent())

        for j, k in enumerate(nodes):
            if notes and self.names[k] in notes:
                half = boxes[k].get_bbox_patch().get_window_extent().height / 2 / px
                text = re.sub(r"-(?=[\d.])", "\u2212", str(notes[self.names[k]]))  # U+2212
                note = ax.annotate(text, pos[k], (0, 0),
                                   textcoords="offset points", fontsize=9, fontweight="bold",
                                   color=note_color)
                place(note, [(pos[k], (0, -half - 3), "center", "top"),
                             (pos[k], (0, half + 3), "center", "bottom")], own=j)
        middle = np.mean(ax.get_ylim())
        for i, (p, k, vjp, c) in enumerate(edges):
            if not edge_labels or np.ndim(self._rec.values[k]):
                continue
            # on a straight edge, in the first gap between columns (further along it passes a
            # node in between, and its label would sit beside that node); on a bent one, which
            # arcs over the nodes in between, around its middle
            span = pos[k][0] - pos[p][0] if c[1] == (pos[p][1] + pos[k][1]) / 2 else 1.0
            candidates = []
            for side, off in ((1, 4), (-1, 4), (1, 7), (-1, 7)):  # beside the edge, never on
                for t in np.array([0.4, 0.5, 0.3, 0.6, 0.25]) / span:  # it (a stub of line
                    point, ahead = curve(p, k, c, [t, t + 1e-3])  # next to a number reads as
                    d = to_display(ahead) - to_display(point)     # a minus sign), on the side
                    n = np.array([-d[1], d[0]]) / np.hypot(*d)    # away from the middle of
                    n *= side if (n[1] >= 0) == (point[1] >= middle) else -side  # the graph
                    candidates.append((                           # first, further out last
                        point, tuple(off * n),
                        "center" if abs(n[0]) < 0.1 else ("left" if n[0] > 0 else "right"),
                        "bottom" if n[1] > 0.3 else ("top" if n[1] < -0.3 else "center")))
            label = ax.annotate(_number(vjp(1.0), 3), candidates[0][0], (0, 0),
                                textcoords="offset points", fontsize=8, color="#b03030")
            place(label, candidates, skip=i)
        return ax
