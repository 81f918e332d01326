"""List imports: dropout lists (SIEI / RIO) and partner lists brought into the registry.

reading.py opens a file within limits checked before parsing, fields.py maps and validates its
columns, plan.py decides each line against the file and the registry without writing, and
services.py commits a plan all or nothing, in the request or in the background (worker.py)."""
