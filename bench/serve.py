"""Serve an app under Granian with the settings given as JSON.

The benchmark runs the floor, httpbin and other settings through this script, so that every app
runs under the same server as ``cookie-api`` (``api.cli.server_settings``). With ``--adapt`` a
WSGI app is served over ASGI behind ``api/asgi.py``, as ``cookie-api`` serves ours; that file is
loaded by its path, so httpbin's own virtualenv needs only Granian and a2wsgi, not this project.

    python bench/serve.py TARGET --port PORT --settings JSON [--factory] [--app-dir DIR] [--adapt]
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

from granian import Granian
from granian.http import HTTP1Settings

BENCH_DIR = Path(__file__).resolve().parent
ADAPTER = BENCH_DIR.parent / "api" / "asgi.py"
# The same body limit as cookie-api's default, for apps that have none of their own.
ADAPTED_MAX_BODY = 64 * 1024


def load(target: str, factory: bool) -> Any:
    """The object ``module:attribute`` names, called first when it is a factory."""
    module_name, _, attribute = target.partition(":")
    found = getattr(importlib.import_module(module_name), attribute)
    return found() if factory else found


def adapted_app() -> Any:
    """The WSGI app named in the environment, behind cookie-api's ASGI adapter."""
    spec = importlib.util.spec_from_file_location("cookie_api_asgi", ADAPTER)
    adapter = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(adapter)
    app_dir = os.environ.get("BENCH_SERVE_APP_DIR")
    if app_dir:
        sys.path.insert(0, app_dir)
    app = load(os.environ["BENCH_SERVE_TARGET"], os.environ["BENCH_SERVE_FACTORY"] == "1")
    return adapter.InlineWSGI(app, max_body=ADAPTED_MAX_BODY)


def main() -> None:
    """Start Granian on 127.0.0.1 and serve until stopped."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", help="module:attribute, e.g. baseline_app:create_app")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--settings", required=True, help="Granian keyword arguments as JSON")
    parser.add_argument("--factory", action="store_true", help="the target is an app factory")
    parser.add_argument("--app-dir", help="directory to import the target from")
    parser.add_argument("--adapt", action="store_true", help="serve a WSGI target over ASGI")
    args = parser.parse_args()
    target, factory, working_dir = args.target, args.factory, args.app_dir
    if args.adapt:
        # Granian's workers import the target afresh: tell them through the environment.
        os.environ["BENCH_SERVE_TARGET"] = args.target
        os.environ["BENCH_SERVE_FACTORY"] = "1" if args.factory else "0"
        os.environ["BENCH_SERVE_APP_DIR"] = args.app_dir or ""
        target, factory, working_dir = "serve:adapted_app", True, str(BENCH_DIR)
    settings = json.loads(args.settings)
    if "http1_settings" in settings:  # JSON on the command line, an object for Granian
        settings["http1_settings"] = HTTP1Settings(**settings["http1_settings"])
    Granian(
        target,
        address="127.0.0.1",
        port=args.port,
        factory=factory,
        working_dir=Path(working_dir) if working_dir else None,
        **settings,
    ).serve()


if __name__ == "__main__":
    main()
