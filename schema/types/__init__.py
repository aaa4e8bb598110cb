"""Strawberry types, one module per feature."""
