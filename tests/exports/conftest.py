# The copy of the test database another process can open, shared with the registry's worker tests.
from tests.registry.test_worker import committed_database  # noqa: F401
