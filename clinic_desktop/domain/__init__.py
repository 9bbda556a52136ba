"""Pure clinical rules, value objects and DTOs: no Qt, no SQLAlchemy, no ReportLab."""
