"""Entries whose content is withheld from the public API for a while: a bid's submission or
withdrawal names the bidder, and before the opening nobody may learn who bid. The entry stays
in the log and in every proof (its leaf hash is served, so inclusion and consistency still
verify); only its payload and data wait until the app that owns them says they may be shown.

Apps register a rule for their actions in AppConfig.ready, so the audit app imports none of
them: `register(action, rule)` where `rule(entries, user) -> {seq: reason}` says, for a batch
of entries, which are withheld from this user and why.
"""

from collections.abc import Callable, Iterable

Rule = Callable[[list, object], dict[int, str]]
_rules: dict[str, Rule] = {}


def register(action: str, rule: Rule) -> None:
    _rules[action] = rule


def withheld(entries: Iterable, user) -> dict[int, str]:
    """{seq: why} for the entries this user may not read yet."""
    by_action: dict[str, list] = {}
    for entry in entries:
        if entry.action in _rules:
            by_action.setdefault(entry.action, []).append(entry)
    found: dict[int, str] = {}
    for action, batch in by_action.items():
        found.update(_rules[action](batch, user))
    return found
