"""The `pipeline` command: parsing, one module per group of commands, the live progress view.

The only place that prints, prompts or exits."""

from .app import main

__all__ = ["main"]
