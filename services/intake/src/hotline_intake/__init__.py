"""Hotline intake service."""

from pathlib import Path

#: The demo customer directory shipped with intake (Acme Corp and Globex Telecom), for local runs
#: and tests; `hotline.devstack.services.demo_directory_file()` finds it from outside.
DEMO_DIRECTORY_PATH = Path(__file__).resolve().parent / "demo_directory.yaml"
