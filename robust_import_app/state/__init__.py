"""Reflex states: thin handlers over :mod:`robust_import_app.library`."""
