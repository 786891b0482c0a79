"""Errors that carry a Dutch message a non-technical colleague (or operator) can act on."""

from __future__ import annotations


class DigihulpError(Exception):
    """Base class. `str(exc)` is the Dutch message, already phrased for the person who sees it."""


class ConfigError(DigihulpError):
    """Settings or folders are wrong (CLI exit code 2)."""


class ModelError(DigihulpError):
    """The embedding model is missing, damaged or could not be installed."""


class IndexProblem(DigihulpError):
    """The index is missing, damaged, or built with another model."""


class StoreUnavailable(DigihulpError):
    """The Chroma server (or the on-disk index) cannot be reached right now."""
