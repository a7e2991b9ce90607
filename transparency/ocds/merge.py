"""Compiling releases into one (OCDS 1.1 merging): later releases win field by field; arrays
of objects with ids merge by id; other arrays and values are replaced; null removes."""

EXTENSION_URL = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/"
    "v1.1.5/extension.json"
)


def _is_identified(value) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) and "id" in v for v in value)
    )


def merge_into(target: dict, source: dict) -> dict:
    for key, value in source.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict):
            current = target.get(key)
            target[key] = merge_into(current if isinstance(current, dict) else {}, value)
        elif _is_identified(value) and _is_identified(target.get(key) or [None]):
            by_id = {item["id"]: item for item in target.get(key, [])}
            for item in value:
                by_id[item["id"]] = merge_into(dict(by_id.get(item["id"], {})), item)
            target[key] = list(by_id.values())
        else:
            target[key] = value
    return target


def compile_releases(releases: list[dict]) -> dict:
    """The compiled release of one ocid, from its releases in date order."""
    compiled: dict = {}
    for release in sorted(releases, key=lambda r: (r["date"], r["id"])):
        body = {k: v for k, v in release.items() if k not in ("id", "tag")}
        merge_into(compiled, body)
    compiled["id"] = f"{compiled['ocid']}-compiled"
    compiled["tag"] = ["compiled"]
    return compiled
