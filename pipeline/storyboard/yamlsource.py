"""Parse YAML and remember where every key and value stands, so errors can point at the file."""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

Path_ = tuple[str | int, ...]
MAX_NODES = 100_000  # aliases can make a small file expand enormously ("billion laughs")


class _Loader(yaml.SafeLoader):
    """SafeLoader that reads dates as plain strings: no storyboard field is a date, and a bad one
    (2026-13-01) would otherwise raise from deep inside the constructor."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class SourceError(Exception):
    """The text is not YAML, or not YAML we accept; carries a 1-based position."""

    def __init__(self, line: int, col: int, message: str):
        self.line, self.col, self.message = line, col, message
        super().__init__(f"{line}:{col}: {message}")


@dataclass
class Located:
    """A parsed document and the 1-based (line, col) of each key and value, by path."""

    data: object
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """The best position for `path`: itself, else its nearest located ancestor."""
        table = self.keys if key else self.values
        for end in range(len(path), -1, -1):
            found = table.get(path[:end]) or self.values.get(path[:end])
            if found:
                return found
        return (1, 1)


def parse(text: str) -> Located:
    loader = None
    try:
        loader = _Loader(text)
        root = loader.get_single_node()
        if root is None:
            return Located(data=None)
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise SourceError(line, col, _yaml_message(exc)) from exc
    except yaml.YAMLError as exc:  # e.g. a second document, or a reader error without a mark
        raise SourceError(1, 1, f"not valid YAML ({' '.join(str(exc).split())}); fix it") from exc
    except (ValueError, TypeError, OverflowError) as exc:  # an explicitly tagged value that won't build
        raise SourceError(1, 1, f"a value could not be read ({exc}); fix or quote it") from exc
    except RecursionError as exc:
        raise SourceError(1, 1, "the document is nested too deeply; simplify it") from exc
    finally:
        if loader is not None:
            loader.dispose()
    located = Located(data=data)
    _walk(root, (), located, [0], frozenset())
    return located


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


def _walk(node: yaml.Node, path: Path_, out: Located, count: list[int], above: frozenset[int]) -> None:
    count[0] += 1
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    if count[0] > MAX_NODES:
        raise SourceError(line, col, "the document expands to too many values (aliases?); simplify it")
    if id(node) in above:
        raise SourceError(line, col, "an alias refers to a value that contains it; remove the loop")
    above = above | {id(node)}
    out.values.setdefault(path, (line, col))
    if isinstance(node, yaml.MappingNode):
        seen: dict[object, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else repr(key_node.value)
            if key in seen:
                mark = key_node.start_mark
                raise SourceError(mark.line + 1, mark.column + 1,
                                  f"`{key}` appears twice in this mapping; keep one")
            seen[key] = key_node
            child = (*path, key)
            out.keys.setdefault(child, (key_node.start_mark.line + 1, key_node.start_mark.column + 1))
            _walk(value_node, child, out, count, above)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), out, count, above)
