"""PySide6 screens, dialogs and table models. Calls services; never storage."""
