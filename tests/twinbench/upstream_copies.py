"""Git copies of upstream fixtures, for the data builds that read upstream repositories (``twinbench.upstream``)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def git_copy(source: Path, where: Path) -> tuple[Path, str]:
    """A committed git repository at ``where`` holding ``source``'s files: its git directory and HEAD commit."""
    shutil.copytree(source, where)
    git = ["git", "-C", str(where), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "fixture"], check=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    return where / ".git", head
