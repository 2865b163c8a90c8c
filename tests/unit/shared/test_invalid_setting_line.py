"""`hotline serve` with a setting its service refuses fails with one line naming the variable
and exit code 2, never a traceback (a newcomer's typo in a second terminal)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

HOTLINE = str(Path(sys.executable).with_name("hotline"))


@pytest.mark.parametrize("variable, value, says", [
    ("HOTLINE_INTAKE_NICENESS", "99", "HOTLINE_INTAKE_NICENESS: Input should be less than or equal to 19 (got '99')"),
    ("HOTLINE_INTAKE_SMTP_PORT", "abc", "HOTLINE_INTAKE_SMTP_PORT: Input should be a valid integer"),
    ("HOTLINE_KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "needs HOTLINE_KAFKA_SASL_USERNAME"),
])
def test_a_refused_setting_is_one_line(variable, value, says):
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), variable: value}
    done = subprocess.run([HOTLINE, "serve", "intake"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert done.stderr.startswith("Error: ") and says in done.stderr
