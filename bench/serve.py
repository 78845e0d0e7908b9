"""Serve a WSGI app under Granian with the settings given as JSON.

The benchmark runs the baseline and httpbin through this script with ``cookie-api``'s own
settings (``api.cli.server_settings``), so that every app runs under the same server. It needs
only Granian and the app, so it also runs in httpbin's separate virtualenv.

    python bench/serve.py TARGET --port PORT --settings JSON [--factory] [--app-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from granian import Granian


def main() -> None:
    """Start Granian on 127.0.0.1 and serve until stopped."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", help="module:attribute, e.g. baseline_app:create_app")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--settings", required=True, help="Granian keyword arguments as JSON")
    parser.add_argument("--factory", action="store_true", help="the target is an app factory")
    parser.add_argument("--app-dir", help="directory to import the target from")
    args = parser.parse_args()
    if args.app_dir:
        sys.path.insert(0, args.app_dir)
    Granian(
        args.target,
        address="127.0.0.1",
        port=args.port,
        factory=args.factory,
        working_dir=Path(args.app_dir) if args.app_dir else None,
        **json.loads(args.settings),
    ).serve()


if __name__ == "__main__":
    main()
