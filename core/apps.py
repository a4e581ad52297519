from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Cross-cutting web pieces: home page, language switch, health endpoint, formatting tags."""

    name = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.db.backends.signals import connection_created

        connection_created.connect(_private_sqlite_file, dispatch_uid="private-sqlite-file")


def _private_sqlite_file(sender, connection, **kwargs):
    """The embedded database holds everything, personal data included: readable by this app's own user only.
    SQLite gives its -wal and -shm files the database file's mode, so one chmod covers all three."""
    import os
    from pathlib import Path

    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    path = Path(name)
    if path.exists() and path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)
