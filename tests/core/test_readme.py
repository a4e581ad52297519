"""The README's configuration table lists every environment variable the settings read."""

import re
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def test_every_environment_variable_is_documented():
    settings_source = (BASE_DIR / "tiktokplanner" / "settings.py").read_text()
    names = set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z_]+)\"", settings_source))
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DJANGO_ENV"} <= names  # the pattern still matches
    readme = (BASE_DIR / "README.md").read_text()
    undocumented = sorted(name for name in names if f"`{name}`" not in readme)
    assert undocumented == []


def test_readme_shows_the_two_commands():
    readme = (BASE_DIR / "README.md").read_text()
    assert "make run" in readme
    assert "make test" in readme
