"""The key that signs console sessions: ``DIANCANG_SECRET_KEY``, else one kept in the data dir.

A generated key is written to a private temporary file and hard-linked into place, so the
key file appears whole or not at all, and two processes starting together share one key.
"""

from __future__ import annotations

import os
import secrets
import tempfile

from diancang.settings import Settings


def session_secret(settings: Settings) -> str:
    if settings.secret_key:
        return settings.secret_key
    path = settings.secret_key_file
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(secrets.token_hex(32) + "\n")
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process was first: use its key
        finally:
            os.unlink(temporary)
    return path.read_text(encoding="ascii").strip()
