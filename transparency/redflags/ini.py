"""A small reader for Cardinal's settings files (INI), keeping line numbers for error messages.

The format, as Cardinal documents it: optional ``key = value`` lines before any section (global
settings), then ``[SECTION]`` headers each followed by ``key = value`` lines. A line starting
with ``;`` or ``#`` is a comment; so is the rest of a line after a ``;`` or ``#`` that follows
a space (``threshold = 15 # default``, as Cardinal's own documentation writes). Keys and values
are case-sensitive and trimmed; a value in matching quotes loses them. Unlike Python's
``configparser``, nothing is lower-cased and ``%`` has no meaning, so that
``procurementMethodDetails`` values such as ``Licitación de Seguros`` can be keys.
"""

import re
from dataclasses import dataclass, field

from transparency.redflags.errors import RedFlagsError

GLOBAL = ""  # the name of the part before any section header
_INLINE_COMMENT = re.compile(r"\s[;#]")


@dataclass
class Entry:
    key: str
    value: str
    line: int


@dataclass
class Section:
    name: str
    line: int
    entries: list[Entry] = field(default_factory=list)


def parse_ini(text: str, *, source: str) -> dict[str, Section]:
    """Sections by name (``GLOBAL`` for the keys before any header), in file order."""
    sections = {GLOBAL: Section(GLOBAL, 0)}
    current = sections[GLOBAL]
    for number, raw in enumerate(text.splitlines(), 1):
        line = _strip_comment(raw.strip())
        if not line:
            continue
        if line.startswith("["):
            current = _start_section(sections, line, number, source)
        else:
            _add_entry(current, line, number, source)
    return sections


def _strip_comment(line: str) -> str:
    if line.startswith((";", "#")):
        return ""
    match = _INLINE_COMMENT.search(line)
    return line[: match.start()].rstrip() if match else line


def _start_section(sections: dict[str, Section], line: str, number: int, source: str) -> Section:
    if not line.endswith("]") or len(line) < 3:
        raise RedFlagsError(f"{source}, line {number}: a section header is [NAME], not {line!r}.")
    name = line[1:-1].strip()
    if name in sections:
        first = sections[name].line
        raise RedFlagsError(
            f"{source}, line {number}: section [{name}] was already opened on line {first}."
        )
    sections[name] = Section(name, number)
    return sections[name]


def _add_entry(section: Section, line: str, number: int, source: str) -> None:
    key, equals, value = line.partition("=")
    key, value = key.strip(), _unquote(value.strip())
    if not equals or not key:
        raise RedFlagsError(
            f"{source}, line {number}: expected [SECTION] or key = value, not {line!r}."
        )
    for entry in section.entries:
        if entry.key == key:
            where = f"[{section.name}]" if section.name else "the global settings"
            raise RedFlagsError(
                f"{source}, line {number}: {key} is set twice in {where} "
                f"(first on line {entry.line})."
            )
    section.entries.append(Entry(key, value, number))


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value
