"""The OCDS 1.1.5 release schema with the bid extension merged in, as a validator with format
checking (dates must be RFC 3339), from ../shared/ocds (see its README). Closed codelists are
enums in the schema, so a value outside one fails validation."""

import json
from functools import cache
from pathlib import Path

import json_merge_patch
import pytest
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SHARED = Path(__file__).resolve().parents[3] / "shared" / "ocds"
RELEASE_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"


def need_shared() -> Path:
    if not SHARED.exists():
        pytest.skip(f"the OCDS schemas are not here: {SHARED} (../shared/ocds beside the checkout)")
    return SHARED


def _load(path: Path) -> dict:
    return json.loads(path.read_text())


@cache
def _schemas() -> tuple[dict, dict, dict]:
    folder = need_shared()
    release = json_merge_patch.merge(
        _load(folder / "schema-1.1.5" / "release-schema.json"),
        _load(folder / "bid-extension-1.1.5" / "release-schema.json"),
    )
    package = _load(folder / "schema-1.1.5" / "release-package-schema.json")
    records = _load(folder / "schema-1.1.5" / "record-package-schema.json")
    return release, package, records


def _validator(schema: dict) -> Draft4Validator:
    release = _schemas()[0]
    registry = Registry().with_resource(RELEASE_URL, Resource(release, specification=DRAFT4))
    return Draft4Validator(schema, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER)


def errors(document: dict, kind: str) -> list[str]:
    release, package, records = _schemas()
    schema = {"release": release, "release-package": package, "record-package": records}[kind]
    return [
        f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
        for e in _validator(schema).iter_errors(document)
    ]
