import sys

from reperes.matching.cli import run

sys.exit(run())
