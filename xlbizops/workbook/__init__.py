"""Workbook files without Excel: package parts (package), writing cells safely
(writing), dynamic-array metadata (dynamic_arrays), the headless refresh (refresh) and
the file adapter of the ribbon actions (book)."""
