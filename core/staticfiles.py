"""The browser assets we take from npm packages, file by file.

A package's ``dist`` folder holds far more than we use, and not all of it is complete: @utrecht/design-tokens
5.0.1 ships ``background-image-icon.css``, which refers to SVG files the package doesn't contain, so
collecting the whole folder makes the manifest storage of a production install fail. This finder exposes
exactly the files named in ``settings.NPM_STATIC_FILES`` (public path → file under node_modules), which
refer to nothing outside themselves.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage


class NpmFilesFinder(BaseFinder):
    def _files(self) -> dict[str, Path]:
        root = Path(settings.BASE_DIR) / "node_modules"
        return {public: root / source for public, source in settings.NPM_STATIC_FILES.items()}

    def check(self, **kwargs):
        return [
            Error(f"{source} is missing: run `npm ci` (make run and make test do).", id="core.E001")
            for source in self._files().values()
            if not source.is_file()
        ]

    def find(self, path, find_all=False, **kwargs):
        source = self._files().get(path)
        if source is None or not source.is_file():
            return [] if find_all else None
        return [str(source)] if find_all else str(source)

    def list(self, ignore_patterns):
        for public, source in self._files().items():
            if source.is_file():
                storage = FileSystemStorage(location=str(source.parent))
                storage.prefix = str(Path(public).parent)
                yield source.name, storage
