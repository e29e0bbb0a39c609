"""`pipeline init`: a commented starter storyboard."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ..errors import PipelineError
from ..files import write_atomic


def write(path: Path) -> Path:
    """Write the starter to `path` (.yaml added when missing); never overwrite an existing file."""
    if not path.name:
        raise PipelineError("give the storyboard's name, e.g. `pipeline init film`")
    if path.is_dir():
        raise PipelineError(f"`{path}` is a folder; give the storyboard's name, e.g. `pipeline init {path / 'film'}`")
    if path.suffix not in (".yaml", ".yml"):
        path = path.with_name(path.name + ".yaml")
    if path.exists():
        raise PipelineError(f"{path} already exists; choose another name or remove it first")
    write_atomic(path, resources.files(__package__).joinpath("templates/starter.yaml").read_bytes())
    return path
