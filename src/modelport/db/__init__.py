"""Metadata store: SQLAlchemy engine, session scope and ORM tables."""
