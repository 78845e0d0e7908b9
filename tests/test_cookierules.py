"""The engine package stands alone: no web framework is loaded with it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(
    "cookierules" if path.stem == "__init__" else f"cookierules.{path.stem}"
    for path in (ROOT / "cookierules").glob("*.py")
)
FRAMEWORKS = ("flask", "werkzeug", "flask_restx", "marshmallow", "api", "schemas")


def test_importing_every_engine_module_loads_no_web_framework():
    script = (
        "import importlib, json, sys\n"
        f"for name in {MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = set(json.loads(result.stdout))
    assert "cookierules" in loaded
    assert loaded.isdisjoint(FRAMEWORKS), loaded & set(FRAMEWORKS)


def test_the_schemas_import_on_their_own():
    """`import schemas.cookies` failed with a circular import through api/."""
    script = "import schemas.cookies, sys; print('api' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
