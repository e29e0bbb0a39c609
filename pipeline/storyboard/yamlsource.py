"""Parse YAML and find where every key and value stands, so errors can point at the file."""

from __future__ import annotations

import functools
import re

import yaml

from .diagnose import dotted

Path_ = tuple[str | int, ...]
Tables = tuple[dict[Path_, tuple[int, int]], dict[Path_, tuple[int, int]]]  # (keys, values): (line, col)
MAX_NODES = 100_000  # aliases can make a small file expand enormously ("billion laughs")


class _Loader(yaml.SafeLoader):
    """SafeLoader that reads dates as plain strings: no storyboard field is a date, and a bad one
    (2026-13-01) would otherwise raise from deep inside the constructor."""


_NO_DATES = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.yaml_implicit_resolvers = _NO_DATES
# libyaml's parser, where PyYAML was built with it, reads a storyboard about 4x faster and gives the same
# nodes and marks; a document it refuses is read again by the Python parser, whose messages are the ones
# users (and tests/broken) see.
_FAST = None
if hasattr(yaml, "CSafeLoader"):
    class _FastLoader(yaml.CSafeLoader):
        yaml_implicit_resolvers = _NO_DATES

    _FAST = _FastLoader


_YAML = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_YAML + name: what for name, what in [
    ("str", "text"), ("int", "a whole number"), ("float", "a number"), ("bool", "true or false"),
    ("null", "null"), ("merge", "a merge key (<<)")]}
_STR = _YAML + "str"
_ALLOWED = {yaml.ScalarNode: set(_SCALAR_TAGS), yaml.SequenceNode: {_YAML + "seq"}, yaml.MappingNode: {_YAML + "map"}}
# What PyYAML's scalar constructors raise for a value its tag does not fit (`!!float` with no value, `!!bool`
# with `x`, `0x_` read as an int): translated here, where the node's position is known.
_UNREADABLE = (ValueError, TypeError, IndexError, KeyError, AttributeError, OverflowError)


class SourceError(Exception):
    """The text is not YAML, or not YAML we accept; carries a 1-based position."""

    def __init__(self, line: int, col: int, message: str):
        self.line, self.col, self.message = line, col, message
        super().__init__(f"{line}:{col}: {message}")


class Located:
    """A parsed document and the 1-based (line, col) of each key and value, by path.

    The positions are found when first asked, by reading the text again: most storyboards have nothing to
    point at, and a long film's table of them (a few hundred bytes a shot) would be held through every check.
    """

    def __init__(self, data: object, text: str = "", kind: type | None = None):
        self.data, self._text, self._kind = data, text, kind

    @functools.cached_property
    def _tables(self) -> tuple[dict[Path_, tuple[int, int]], dict[Path_, tuple[int, int]]]:
        tables: tuple[dict, dict] = ({}, {})
        if self._kind is not None:
            _read(self._text, self._kind, tables)
        return tables

    @property
    def keys(self) -> dict[Path_, tuple[int, int]]:
        return self._tables[0]

    @property
    def values(self) -> dict[Path_, tuple[int, int]]:
        return self._tables[1]

    def where(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """The best position for `path`: itself, else its nearest located ancestor."""
        table = self.keys if key else self.values
        for end in range(len(path), -1, -1):
            found = table.get(path[:end]) or self.values.get(path[:end])
            if found:
                return found
        return (1, 1)


def parse(text: str) -> Located:
    """The document; the nodes are checked (positions, tags, text) before any value is built."""
    if _FAST is not None:
        try:
            return _parse(text, _FAST)
        except SourceError:
            pass  # said as the Python parser says it
    return _parse(text, _Loader)


def _parse(text: str, kind: type) -> Located:
    return Located(_read(text, kind), text, kind)


def _read(text: str, kind: type, tables: Tables | None = None) -> object:
    """The document's data, its nodes checked; with `tables`, (keys, values) filled with their positions."""
    loader = None
    try:
        loader = kind(text)
        root = loader.get_single_node()
        if root is None:
            return None
        _walk(root, (), tables, [0], frozenset(), loader)
        return loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise SourceError(line, col, _yaml_message(exc)) from exc
    except yaml.YAMLError as exc:  # e.g. a second document, or a reader error without a mark
        raise SourceError(1, 1, f"not valid YAML ({' '.join(str(exc).split())}); fix it") from exc
    except RecursionError as exc:
        raise SourceError(1, 1, "the document is nested too deeply; simplify it") from exc
    finally:
        if loader is not None:
            loader.dispose()


def _check_node(node: yaml.Node, loader: _Loader, path: Path_) -> None:
    """Refuse, at the node, a tag no storyboard uses, a scalar its tag does not fit, and a lone surrogate."""
    if node.tag == _STR and type(node) is yaml.ScalarNode and not _SURROGATE.search(node.value):
        return  # most nodes of a storyboard: plain text, with nothing to refuse
    try:
        _check_scalar_or_tag(node, loader)
    except SourceError as exc:
        raise SourceError(exc.line, exc.col, f"{dotted(path)}: {exc.message}") from exc


def _check_scalar_or_tag(node: yaml.Node, loader: _Loader) -> None:
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    tag = node.tag.replace(_YAML, "!!")
    if node.tag in _SCALAR_TAGS and not isinstance(node, yaml.ScalarNode):
        raise SourceError(line, col, f"`{tag}` marks {_SCALAR_TAGS[node.tag]}, not a list or mapping; remove it")
    if node.tag not in _ALLOWED[type(node)]:
        raise SourceError(line, col, f"the YAML tag `{tag}` has no use in a storyboard; remove it "
                                     "(put the value in quotes if it is text)")
    if not isinstance(node, yaml.ScalarNode):
        return
    node.value = _joined_surrogates(node.value, line, col)
    if node.tag not in (_YAML + "str", _YAML + "merge"):
        try:
            loader.construct_object(node)
        except _UNREADABLE as exc:
            shown = f"`{node.value[:40]}`" if node.value else "an empty value"
            raise SourceError(line, col, f"{shown} cannot be read as {_SCALAR_TAGS[node.tag]} (`{tag}`); "
                                         "remove the tag or fix the value") from exc


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _joined_surrogates(text: str, line: int, col: int) -> str:
    """Text with escaped UTF-16 pairs ("\\ud83d\\ude80") joined; a lone half cannot be written to any file."""
    if not _SURROGATE.search(text):
        return text
    try:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError as exc:
        half = text[exc.start // 2]
        raise SourceError(line, col, f"the text holds a lone surrogate (\\u{ord(half):04x}, half of a UTF-16 "
                                     "pair), which no file or player can hold; remove the escape or write the "
                                     "character itself") from exc


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    if "constructor for the tag" in (exc.problem or ""):
        return f"YAML tags are not supported ({exc.problem}); remove the tag"
    what = exc.problem or "unreadable"
    opened = exc.context_mark
    if exc.context and opened and exc.problem_mark and opened.line != exc.problem_mark.line:
        what += f" ({exc.context} that began at {opened.line + 1}:{opened.column + 1})"
    elif exc.context:
        what = f"{exc.context}: {what}"
    return f"YAML syntax error: {what}; fix the syntax here (check indentation, colons, brackets and quotes)"


def _walk(node: yaml.Node, path: Path_, out: Tables | None, count: list[int], above: frozenset[int],
          loader: _Loader) -> None:
    count[0] += 1
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    if count[0] > MAX_NODES:
        raise SourceError(line, col, "the document expands to too many values (aliases?); simplify it")
    if not isinstance(node, yaml.ScalarNode):  # only a list or mapping can contain itself
        if id(node) in above:
            raise SourceError(line, col, "an alias refers to a value that contains it; remove the loop")
        above = above | {id(node)}
    if out is not None:
        out[1].setdefault(path, (line, col))
    _check_node(node, loader, path)
    if isinstance(node, yaml.MappingNode):
        seen: dict[object, yaml.Node] = {}
        for key_node, value_node in node.value:
            _check_node(key_node, loader, path)
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else repr(key_node.value)
            if key in seen:
                mark = key_node.start_mark
                raise SourceError(mark.line + 1, mark.column + 1,
                                  f"`{key}` appears twice in this mapping; keep one")
            seen[key] = key_node
            child = (*path, key)
            if out is not None:
                out[0].setdefault(child, (key_node.start_mark.line + 1, key_node.start_mark.column + 1))
            _walk(value_node, child, out, count, above, loader)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), out, count, above, loader)
