"""`cxscore serve`: the web app, its API and the survey pages on one port."""

from __future__ import annotations

import gc
from pathlib import Path

import typer

from cxscore.cli.common import ProjectOption, console, find_project, user_errors


def serve(
    host: str | None = typer.Option(
        None, "--host", help="Address to listen on (default: CXSCORE_HOST or 127.0.0.1)."
    ),
    port: int | None = typer.Option(None, "--port", help="Port (default: CXSCORE_PORT or 8000)."),
    root_path: str | None = typer.Option(
        None,
        "--root-path",
        help="Path prefix when served under a reverse proxy, e.g. /cx (CXSCORE_ROOT_PATH).",
    ),
    project: Path | None = ProjectOption,
) -> None:
    """Serve the web app (pages, JSON API, survey pages) until stopped with Ctrl-C.

    Settings come from environment variables (see docs/how-to/production.md); the options override them.
    X-Forwarded-* headers are trusted from CXSCORE_FORWARDED_ALLOW_IPS (default 127.0.0.1).
    """
    from dataclasses import replace

    import uvicorn

    from cxscore.service.app import create_app
    from cxscore.service.settings import WebSettings

    with user_errors():
        found = find_project(project)
        settings = WebSettings.from_env()
        settings = replace(
            settings,
            host=host or settings.host,
            port=port or settings.port,
            root_path=(root_path if root_path is not None else settings.root_path).rstrip("/"),
        )
        app = create_app(found, settings)
    console.print(
        f"Serving [bold]{found.name}[/] at http://{settings.host}:{settings.port}{settings.root_path}/ "
        "(Ctrl-C stops it)",
        highlight=False,
    )
    # What is loaded by now (modules, the app, its store) lives as long as the process: keep it out of
    # the garbage collector's full passes, which otherwise stop every thread for 150-350 ms every few
    # seconds under load (the survey load test measured them; with this, 13-41 ms).
    gc.freeze()
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        log_level="warning",
    )
