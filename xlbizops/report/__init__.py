"""Headless report building with XlsxWriter: no Excel needed."""
