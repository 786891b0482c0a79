"""The web app: chat page for staff at /, coach workspace at /coach (see server.create_app)."""

from __future__ import annotations

from assistant.ui.server import create_app, create_unavailable_app

__all__ = ["create_app", "create_unavailable_app"]
