"""Stores hold persistence: they take a session, only ``flush()``, and return domain objects."""
