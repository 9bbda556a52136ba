"""Errors the domain raises, each carrying a message a nurse or physician can act on."""

from __future__ import annotations


class ClinicError(Exception):
    """Base of every error the application expects and shows to a person (never a traceback)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(ClinicError):
    """Input that cannot be accepted; `field` names the form field it belongs beside (or "")."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class ValidationErrors(ClinicError):
    """Several invalid fields at once, so a form can mark every one of them in a single pass."""

    def __init__(self, errors: list[ValidationError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = list(errors)

    def for_field(self, field: str) -> str | None:
        """The message for one field, if that field was invalid."""
        return next((e.message for e in self.errors if e.field == field), None)


class NotFound(ClinicError):
    """A patient, series, session or other record that does not exist (or no longer does)."""


class RuleViolation(ClinicError):
    """A clinical rule refuses the action (e.g. a dose above the hard limit)."""


class ConcurrentChange(ClinicError):
    """Someone else saved the same record first: nothing was overwritten and the user's input is kept."""
