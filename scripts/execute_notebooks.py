#!/usr/bin/env python3
"""Execute the book's notebooks in place, top to bottom in one fresh kernel each, and normalise them.

    python scripts/execute_notebooks.py                      # every book/*.ipynb
    python scripts/execute_notebooks.py book/forward-mode.ipynb [...]

Each notebook runs with its own folder (book/) as the working directory, in a ``python3``
kernel of *this* Python environment (whatever kernelspecs the machine has), with a per-cell
timeout. Then the metadata is normalised (see nbio.py): kernelspec python3 / "Python 3", no
timestamps, widget state or Python patch version, stable cell ids, so re-executing a notebook
whose outputs did not change leaves the file byte-identical. A notebook whose execution fails
is left untouched and the script exits 1.
"""
import argparse
import pathlib
import sys
import time

from ipykernel.kernelspec import RESOURCES, get_kernel_dict
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError
from traitlets import default

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import nbio  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent


class CurrentEnvKernelSpecManager(KernelSpecManager):
    """Resolves ``python3`` to ipykernel in the running interpreter, never to a user-wide spec."""

    def get_kernel_spec(self, kernel_name):
        if kernel_name == "python3":
            return KernelSpec(resource_dir=RESOURCES, **get_kernel_dict())
        return super().get_kernel_spec(kernel_name)


class CurrentEnvKernelManager(KernelManager):
    @default("kernel_spec_manager")
    def _kernel_spec_manager_default(self):
        return CurrentEnvKernelSpecManager(data_dir=self.data_dir)


def execute(path, timeout):
    nb = nbio.read(path)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    client = NotebookClient(
        nb,
        kernel_name="python3",
        kernel_manager_class=CurrentEnvKernelManager,
        timeout=timeout,
        allow_errors=False,
        record_timing=False,
        store_widget_state=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return nbio.write(nb, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebooks", nargs="*", type=pathlib.Path)
    ap.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    args = ap.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "book").glob("*.ipynb"))
    if not paths:
        print("no notebooks to execute")
        return 1
    failed = []
    for path in paths:
        path = path.resolve()
        if path.suffix != ".ipynb" or not path.exists():
            print(f"{path}: not a notebook")
            failed.append(path)
            continue
        rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        t0 = time.perf_counter()
        try:
            changed = execute(path, args.timeout)
        except (CellExecutionError, CellTimeoutError) as exc:
            print(f"FAILED {rel} ({time.perf_counter() - t0:.1f} s), left unchanged:\n{exc}")
            failed.append(path)
            continue
        state = "updated" if changed else "unchanged"
        print(f"executed {rel} in {time.perf_counter() - t0:.1f} s ({state})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
