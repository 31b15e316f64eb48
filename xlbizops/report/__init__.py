"""Headless report building with openpyxl: no Excel needed."""
