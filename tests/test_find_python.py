import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "find-python"


@pytest.mark.skipif(
    any(list(Path(d).glob("python3.1[2-9]")) for d in ("/usr/bin", "/usr/local/bin")),
    reason="this machine has a system-wide Python 3.12+, which the script rightly finds",
)
def test_find_python_explains_what_to_install_when_no_recent_python_exists(tmp_path):
    result = subprocess.run(
        ["/bin/bash", str(SCRIPT)], env={"PATH": str(tmp_path)}, capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert "Python 3.12 or newer" in result.stderr
    assert result.stdout == ""


def test_find_python_ignores_an_older_interpreter_given_explicitly(tmp_path):
    old = tmp_path / "python3"
    old.write_text("#!/bin/sh\nexit 1\n")  # stands for 3.11: the version check fails
    old.chmod(0o755)
    result = subprocess.run(
        ["/bin/bash", str(SCRIPT)], env={"PATH": str(tmp_path), "PYTHON": str(old)}, capture_output=True, text=True
    )
    assert result.returncode == 1
