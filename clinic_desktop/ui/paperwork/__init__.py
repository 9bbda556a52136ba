"""Paperwork on screen: previewing, printing and saving the printed sheets, and recording a signed consent."""
