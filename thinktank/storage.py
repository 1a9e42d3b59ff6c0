"""Writing uploaded files under ``UPLOAD_DIR``: a file is stored whole or not at all."""

import os
from pathlib import Path

from thinktank.errors import StorageUnavailable


def write_new_file(directory: Path, name: str, data: bytes) -> Path:
    """Create ``directory/name`` (which must not exist yet) holding ``data``.

    The bytes are flushed to the disk before this returns, so a database row
    committed afterwards never points at a file the disk refused later. If
    the storage cannot take the file, any part written is removed and
    ``StorageUnavailable`` is raised."""
    path = directory / name
    try:
        directory.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        raise StorageUnavailable(f"cannot create {path}: {error}") from error
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        path.unlink(missing_ok=True)
        raise StorageUnavailable(f"cannot write {path}: {error}") from error
    return path
