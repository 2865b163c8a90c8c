"""Run every `bench/*_bench.py` module that defines `main()`, in name order."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    failures = 0
    for module in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if not module.name.endswith("_bench"):
            continue
        bench = importlib.import_module(f"bench.{module.name}")
        if callable(getattr(bench, "main", None)):
            print(f"== {module.name} ==", flush=True)
            try:
                bench.main()
            except Exception as error:  # one broken benchmark must not hide the others
                failures += 1
                print(f"{module.name} failed: {error!r}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
