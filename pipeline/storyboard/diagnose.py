"""Turn pydantic's validation errors into messages that say what is wrong and what to do."""

from __future__ import annotations

import difflib
import re

from pydantic import BaseModel

from .model import IMAGE_TAG, SHOT_TAG

Loc = tuple[str | int, ...]
_TYPE_NAMES = {
    "string_type": "text", "bool_type": "true or false", "bool_parsing": "true or false",
    "int_type": "a whole number", "int_parsing": "a whole number", "float_type": "a number",
    "float_parsing": "a number", "list_type": "a list", "model_type": "a mapping of keys",
    "model_attributes_type": "a mapping of keys", "dict_type": "a mapping of keys",
    "finite_number": "a finite number",
}
_BOUNDS = {"greater_than": "more than {gt}", "greater_than_equal": "at least {ge}",
           "less_than": "less than {lt}", "less_than_equal": "at most {le}"}


def yaml_path(loc: Loc) -> Loc:
    """pydantic's location without the union tags it inserts (they are not keys in the file)."""
    return tuple(part for part in loc if part not in (IMAGE_TAG, SHOT_TAG))


def dotted(path: Loc) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the storyboard"


def describe(error: dict, model: type[BaseModel]) -> str:
    """One validation error as 'FIELD: what is wrong; what to do'."""
    path, kind, ctx = yaml_path(error["loc"]), error["type"], error.get("ctx") or {}
    name = dotted(path)
    got = _shown(error.get("input"))
    if kind == "extra_forbidden":
        return f"{name}: unknown key; {_did_you_mean(path, model)}"
    if kind == "missing":
        return f"{name}: is required; add it"
    if kind == "literal_error":
        expected = re.sub(r"'([^']*)'", r"`\1`", str(ctx["expected"]))
        return f"{name}: {got} is not allowed; use one of {expected}"
    if kind == "string_type" and isinstance(error.get("input"), int | float):
        return f"{name}: {_not_text(error['input'])}"
    if kind in _TYPE_NAMES:
        return f"{name}: must be {_TYPE_NAMES[kind]}, not {got}; fix the value"
    if kind in _BOUNDS:
        return f"{name}: {got} is out of range; use a value {_BOUNDS[kind].format(**ctx)}"
    if kind == "too_short" and path == ("shots",):
        return "shots: the storyboard has no shots; add at least one"
    if kind == "string_too_short":
        return f"{name}: is empty; give a value"
    if kind == "string_pattern_mismatch":
        return f"{name}: {got} is not an http(s) URL; give the public address, e.g. https://cdn.example.com/film/"
    return f"{name}: {error['msg'][0].lower()}{error['msg'][1:]}"


def _not_text(value: int | float) -> str:
    """Why a number or a yes where text belongs: YAML read the unquoted word as something else."""
    if isinstance(value, bool):
        return "must be text, and YAML reads this word as true or false (yes, no, on, off do); put it in quotes"
    return f"must be text, and YAML reads `{value}` as a number; put it in quotes: \"{value}\""


def _did_you_mean(path: Loc, model: type[BaseModel]) -> str:
    allowed = _fields_at(path[:-1], model)
    close = difflib.get_close_matches(str(path[-1]), allowed, n=1, cutoff=0.6)
    if close:
        return f"did you mean `{close[0]}`?"
    return f"remove it (allowed here: {', '.join(allowed)})" if allowed else "remove it"


def _fields_at(path: Loc, model: type[BaseModel]) -> list[str]:
    """The keys allowed at `path`, following nested models through lists and optionals."""
    current = model
    for part in path:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part)
        current = _model_in(field.annotation) if field else None
        if current is None:
            return []
    return [f.alias or name for name, f in current.model_fields.items()]  # as written in the file (`in`)


def _model_in(annotation) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or getattr(annotation, "__metadata__", ()):
        found = _model_in(arg)
        if found:
            return found
    origin = getattr(annotation, "__origin__", None)
    return _model_in(origin) if origin not in (None, list, dict) and origin is not annotation else None


def _shown(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    return f"`{text[:60]}…`" if len(text) > 60 else f"`{text}`"
