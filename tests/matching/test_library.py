import re
import subprocess
import sys
from pathlib import Path

import reperes.matching

PACKAGE = Path(reperes.matching.__file__).parent


def test_the_package_imports_nothing_from_django():
    code = (
        "import sys, reperes.matching, reperes.matching.cli, reperes.matching.synthetic, reperes.matching.evaluate; "
        "sys.exit(any(name == 'django' or name.startswith('django.') for name in sys.modules))"
    )
    subprocess.run([sys.executable, "-c", code], cwd=PACKAGE.parents[1], check=True)


def test_no_module_mentions_a_django_import():
    for path in PACKAGE.glob("*.py"):
        assert not re.search(r"^\s*(from|import)\s+django\b", path.read_text(), re.MULTILINE), path
