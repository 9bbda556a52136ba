"""ReportLab paperwork: a frozen record in, PDF bytes out. No Qt, no database."""
