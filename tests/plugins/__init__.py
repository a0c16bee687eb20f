"""Fixtures shared across test folders, registered by the root conftest (`pytest_plugins`).

A folder's own conftest keeps only what is local to that folder; test modules import the
types these plugins define (never a conftest or another test module)."""
