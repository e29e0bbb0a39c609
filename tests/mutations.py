"""Random mutations of example storyboards, and the one verdict on loading each: a storyboard error or a bug.

Shared by tests/test_loader_fuzz.py (a few thousand, in the suite) and bench/fuzz_loader.py (50,000). A
mutation either edits the parsed document (a value of another type, a dropped, added or misspelt key, a shot
dropped, repeated or pointing at another shot) and writes it back as YAML, or edits the text (a value
replaced by a YAML snippet such as `!!timestamp x` or `"\\ud800"`, a line dropped, repeated or swapped,
characters inserted): some mistakes only exist as text.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from pathlib import Path

import yaml

from pipeline import PipelineError, StoryboardError, load
from pipeline.plan import to_json
from pipeline.storyboard.model import Audio, Shot, Storyboard, Transition

ROOT = Path(__file__).parent.parent
EXAMPLES = [*sorted((ROOT / "storyboards").glob("*.yaml")), ROOT / "pipeline/storyboard/templates/starter.yaml"]
KEYS = sorted({*Storyboard.model_fields, *Shot.model_fields, *Audio.model_fields, *Transition.model_fields,
               "shot", "promt", "x", ""})
FILES = ["assets/rocket/pad.jpg", "assets/short-film/music.m4a", "assets/short-film/title.mp4", "assets",
         ".", "missing.png", "/dev/null", "x" * 300 + ".png", "a\x00b.png", "../" * 40 + "etc/passwd",
         "https://cdn.example.com/a.png", "http://", "none", "None", "NONE", " none "]
SNIPPETS = ["!!float", "!!timestamp x", "!!timestamp 2026-01-01", "!!binary aGk=", "!!binary x", "!!int x",
            "!!str", "!!null", "!!bool", "!!set {a}", "!!omap [a: 1]", "!!python/none", "!foo x", '"\\ud800"',
            '"a \\udfff b"', '"\\U0001F680 rocket launch"', '"\\x00"', "~", "None", "NULL", ".nan", ".inf", "-.inf",
            "0x1F", "0o17", "1_000", "1e400", "2026-13-01", "2026-01-01", "12:30:00", "16:9", "[]", "{}", "[a, b]",
            "{shot: x}", "{shot: [x]}", "{shot: }", "{x: 1}", "&a x", "*a", "|", ">", "? x", "''", '""', "1952",
            "-1", "0", "true", "yes", "no", "on", "9s", "5", "9.0", "5s ", "none", "dolly", "ken burns"]


def values(rng: random.Random, ids: list[str]) -> object:
    """A value of some type, to put where another was."""
    choices: list[Callable[[], object]] = [
        lambda: None, lambda: rng.choice([True, False]), lambda: rng.randint(-10**12, 10**12),
        lambda: rng.choice([0, 1, -1, 5, 9, 3600, 10**30]), lambda: rng.choice([0.0, -0.5, 1e308, 5.5, 1e-9]),
        lambda: float(rng.choice(["nan", "inf", "-inf"])), lambda: [], lambda: {},
        lambda: [rng.choice(["push_in", 5, None])], lambda: {rng.choice(KEYS): rng.choice([None, 1, "x"])},
        lambda: "", lambda: " ", lambda: "x" * rng.choice([1, 2, 3, 300, 6000]), lambda: rng.choice(FILES),
        lambda: rng.choice(["🚀🚀🚀🚀", "ａｂｃｄ", "e\u0301\u0301\u0301", "\u202eevil", "line\nbreak -->\n\n",
                            "tab\there", "日本語のプロンプト"]),
        lambda: {"shot": rng.choice([*ids, "nobody", "", None, 5])},
    ]
    return rng.choice(choices)()


def _mappings(doc: object, path: tuple = ()) -> list[tuple[tuple, dict]]:
    found = [(path, doc)] if isinstance(doc, dict) else []
    children = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    for key, child in children:
        found += _mappings(child, (*path, key))
    return found


def mutate_document(doc: object, rng: random.Random) -> object:
    """One edit of the parsed document (it may no longer be a storyboard)."""
    doc = copy.deepcopy(doc)
    shots = doc.get("shots") if isinstance(doc, dict) else None
    ids = [s.get("id") for s in shots if isinstance(s, dict) and isinstance(s.get("id"), str)] if isinstance(
        shots, list) else []
    places = _mappings(doc)
    if not places:
        return values(rng, ids)
    _, mapping = rng.choice(places)
    keys = list(mapping)
    op = rng.randrange(6)
    if op == 0 and keys:  # a value of another type
        mapping[rng.choice(keys)] = values(rng, ids)
    elif op == 1 and keys:  # a key dropped
        del mapping[rng.choice(keys)]
    elif op == 2:  # a key added (maybe one that belongs elsewhere)
        mapping[rng.choice(KEYS)] = values(rng, ids)
    elif op == 3 and keys:  # a key misspelt
        key = rng.choice(keys)
        mapping[str(key)[:-1] or "x"] = mapping.pop(key)
    elif op == 4 and isinstance(shots, list) and shots:  # a shot dropped, repeated or moved
        i = rng.randrange(len(shots))
        rng.choice([lambda: shots.pop(i), lambda: shots.insert(i, copy.deepcopy(shots[i])),
                    lambda: shots.insert(rng.randrange(len(shots)), shots.pop(i))])()
    elif isinstance(shots, list) and shots and isinstance(shot := rng.choice(shots), dict):  # a shot reference
        shot[rng.choice(["start", "end"])] = {"shot": rng.choice([*ids, "nobody"]) if ids else "nobody"}
    return doc


def mutate_text(text: str, rng: random.Random) -> str:
    """One edit of the text: a value replaced by a YAML snippet, or a line or character edit."""
    lines = text.splitlines(keepends=True) or [""]
    i = rng.randrange(len(lines))
    op = rng.randrange(6)
    if op <= 1 and ":" in lines[i] and not lines[i].lstrip().startswith("#"):
        head = lines[i].split(":", 1)[0]
        lines[i] = f"{head}: {rng.choice(SNIPPETS)}\n"
    elif op == 2:
        del lines[i]
    elif op == 3:
        lines.insert(i, lines[i])
    elif op == 4:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    else:
        at = rng.randrange(len(text) + 1)
        return text[:at] + rng.choice([":", "-", " ", "\n", "[", "{", "'", '"', "&a ", "*a", "#", "\t", "!!str ",
                                       "\x00", "\ufeff", "\ud800"]) + text[at:]
    return "".join(lines)


def mutant(rng: random.Random, sources: dict[Path, tuple[str, object]]) -> str:
    """An example with one to four mutations, text or document ones."""
    text, doc = sources[rng.choice(list(sources))]
    for _ in range(rng.randint(1, 4)):
        if rng.random() < 0.5 or (doc := doc if doc is not _STALE else _parsed(text)) is _STALE:
            text, doc = mutate_text(text, rng), _STALE
        else:
            doc = mutate_document(doc, rng)
            text = yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False)
    return text


_STALE = object()  # the text changed since it was last parsed, or is no longer YAML
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ten times faster at making mutants
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _parsed(text: str) -> object:
    try:
        return yaml.load(text, Loader=_Loader)
    except Exception:  # noqa: BLE001 - not YAML any more: only text mutations from here
        return _STALE


def sources() -> dict[Path, tuple[str, object]]:
    return {p: (p.read_text(encoding="utf-8"), _parsed(p.read_text(encoding="utf-8"))) for p in EXAMPLES}


def folder_for(base: Path) -> Path:
    """A folder beside the examples' media, so mutated examples still find (or mistake) their files."""
    base.mkdir(parents=True, exist_ok=True)
    if not (base / "assets").exists():
        (base / "assets").symlink_to(ROOT / "storyboards/assets")
    return base


def verdict(path: Path, provider: str | None = None) -> str | None:
    """None when loading ends well (a plan, or a storyboard error with positions), else the bug's name."""
    try:
        project = load(path, provider=provider)
        json.dumps(to_json(project.plan())).encode("utf-8")
    except StoryboardError as exc:
        if not exc.problems or not all(p.file == str(path) and p.line >= 1 and p.col >= 1 and p.message
                                       for p in exc.problems):
            return "StoryboardError without a position"
    except PipelineError:
        return None
    except Exception as exc:  # noqa: BLE001 - anything else is what the fuzzing looks for
        return type(exc).__name__
    return None


def run(count: int, seed: int, folder: Path, on_crash: Callable[[str, str], None] | None = None) -> dict[str, int]:
    """Load `count` mutants; the crashes by exception name (empty when there are none)."""
    rng, examples, crashes = random.Random(seed), sources(), {}
    path = folder_for(folder) / "mutant.yaml"
    for _ in range(count):
        text = mutant(rng, examples)
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        name = verdict(path, provider=rng.choice([None, None, "luma"]))
        if name:
            crashes[name] = crashes.get(name, 0) + 1
            if on_crash:
                on_crash(name, text)
    return crashes
