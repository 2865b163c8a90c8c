"""`wiring.yield_cpu`: a service that yields the CPU (intake, by HOTLINE_INTAKE_NICENESS) runs
at a higher nice value, and so do the threads it starts afterwards (Linux nice is per thread)."""

import subprocess
import sys

import pytest

from hotline_intake.settings import IntakeSettings

PROBE = """
import os, threading
from hotline.wiring import yield_cpu
before = os.nice(0)
yield_cpu({n})
seen = []
worker = threading.Thread(target=lambda: seen.append(os.nice(0)))
worker.start(); worker.join()
print(before, os.nice(0), seen[0])
"""


@pytest.mark.parametrize("niceness", [0, 3])
def test_the_process_and_its_later_threads_yield(niceness):
    out = subprocess.run([sys.executable, "-c", PROBE.format(n=niceness)], capture_output=True,
                         text=True, check=True).stdout.split()
    before, after, thread = map(int, out)
    assert after == thread == min(before + niceness, 19)


def test_intake_yields_by_default_and_can_compete_equally(monkeypatch):
    assert IntakeSettings().niceness == 5
    monkeypatch.setenv("HOTLINE_INTAKE_NICENESS", "0")
    assert IntakeSettings().niceness == 0
    monkeypatch.setenv("HOTLINE_INTAKE_NICENESS", "20")
    with pytest.raises(ValueError, match="niceness"):
        IntakeSettings()
