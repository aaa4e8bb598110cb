"""Reading a live SQLite database's files from a test, without breaking the database.

Closing any descriptor of a database file drops every POSIX lock this process holds on it,
and SQLite's connections here rely on those locks: another process (a `tenantry` command a
test runs) would then take the database for unused and remove its write-ahead log under
them. Later tests' writes went to the removed file, and `tenantry audit-export` read stale
rows. SQLite's own connections know this and keep their descriptors open; a plain `open()`
or `shutil.copyfile()` does not. These helpers read in another process.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_COPY = "import shutil, sys; shutil.copyfile(sys.argv[1], sys.argv[2])"
_READ = "import sys; sys.stdout.buffer.write(open(sys.argv[1], 'rb').read())"


def read_elsewhere(file: Path) -> bytes:
    """The file's bytes, read by another process."""
    done = subprocess.run([sys.executable, "-c", _READ, str(file)], capture_output=True, check=True)
    return done.stdout


def copy_elsewhere(file: Path, to: Path) -> None:
    """A copy of the file, made by another process."""
    subprocess.run([sys.executable, "-c", _COPY, str(file), str(to)], check=True)
