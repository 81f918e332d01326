from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.operations.stack import Stack, production_stack


@pytest.fixture
def stack(committed_database, tmp_path: Path) -> Iterator[Stack]:
    with production_stack(tmp_path) as served:
        yield served
