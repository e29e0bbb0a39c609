"""The error tree drawn in errors.py names every PipelineError the package defines, with its module."""

from __future__ import annotations

import importlib
import pkgutil

import pipeline
from pipeline import errors


def subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    return found | {s for c in found for s in subclasses(c)}


def test_every_pipeline_error_is_in_the_drawn_tree():
    for module in pkgutil.walk_packages(pipeline.__path__, "pipeline."):
        if not module.name.endswith("__main__"):  # running it would start the CLI
            importlib.import_module(module.name)
    classes = {c for c in subclasses(errors.PipelineError) if c.__module__.startswith("pipeline.")}
    assert {"RunFailed", "KeyframeURLError", "EncoderMismatch"} <= {c.__name__ for c in classes}
    lines = errors.__doc__.splitlines()
    for cls in classes:
        line = next((x for x in lines if f" {cls.__name__} " in x), None)
        assert line is not None, f"{cls.__name__} ({cls.__module__}) is missing from the tree in errors.py"
        where = cls.__module__.removeprefix("pipeline.")
        assert where == "errors" or f"{where}:" in line, f"{cls.__name__}: its line should name {where}"
