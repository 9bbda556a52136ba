"""Use cases: each takes a unit of work, validates, writes, and returns frozen records. No Qt."""
