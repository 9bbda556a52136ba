"""One unit of work per user action: everything commits together or nothing does."""

from __future__ import annotations

from types import TracebackType
from typing import Callable

from sqlalchemy.orm import Session, sessionmaker


class UnitOfWork:
    """A session that rolls back unless `commit()` is called before the block ends.

        with db.write() as uow:
            uow.session.add(thing)
            uow.commit()
    """

    def __init__(self, factory: sessionmaker[Session], on_commit: Callable[[dict], None] | None = None) -> None:
        self._factory = factory
        self._on_commit = on_commit
        self.session: Session

    def __enter__(self) -> "UnitOfWork":
        self.session = self._factory()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()

    def commit(self) -> None:
        self.session.commit()
        if self._on_commit is not None:
            self._on_commit(self.session.info)

    def flush(self) -> None:
        self.session.flush()
