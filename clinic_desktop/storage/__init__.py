"""Persistence: SQLAlchemy 2 typed ORM, engine and pragmas, unit of work, Alembic migrations. No Qt."""
