"""The application's look: calm, high-contrast, sized in points so it scales with the screen."""

STYLESHEET = """
QWidget { font-size: 10.5pt; }
QLabel#chartName { font-size: 17pt; font-weight: 600; }
QLabel#chartSubtitle { font-size: 11pt; color: #3c4043; }
QLabel#muted { color: #5f6368; }
QLabel#subheading { font-weight: 600; margin-top: 6px; }
QLabel#placeholder { color: #5f6368; font-size: 12pt; }
QGroupBox { font-weight: 600; border: 1px solid #dadce0; border-radius: 6px; margin-top: 12px; padding: 8px; }
QGroupBox::title { subcontrol-origin: margin; left: 8px; padding: 0 4px; }
QGroupBox QLabel { font-weight: normal; }
QWidget#chartBody { background: #ffffff; }
QLineEdit { padding: 5px; }
QTableView { gridline-color: #e8eaed; }
QTableView::item:selected, QTreeView::item:selected { background: #d2e3fc; color: #202124; }
"""
