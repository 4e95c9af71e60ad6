"""The SPARQL endpoint and its pages: ``create_app(data, settings)`` builds the Starlette app; binding a
port is the business of ``kgtool serve``.

Importing this package loads no web library (the query workers, :mod:`kgtool.server.worker`, live in
it too); :func:`create_app` imports Starlette when called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    from starlette.applications import Starlette

__all__ = ["Settings", "create_app"]


def create_app(data, settings: Settings | None = None, on_ready=None) -> Starlette:
    """The app serving ``data`` (a pyoxigraph Store or an rdflib Graph), see :func:`kgtool.server.app.create_app`."""
    from .app import create_app as build

    return build(data, settings, on_ready)
