"""The standalone offline verifier, run as an auditor would: a subprocess over an export dir."""

import ast
import base64
import hashlib
import importlib.util
import json
import random
import struct
import subprocess
import sys
from pathlib import Path

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from audit.merkle import (
    consistency_proof_from_leaves,
    consistency_proof_ranges,
    root_from_leaf_hashes,
    verify_consistency,
)
from audit.notes import checkpoint_body, public_key_pem, sign_note, verifier_key

PROJECT = Path(__file__).resolve().parents[2]
TOOL = PROJECT / "tools" / "verify_audit_export.py"
ORIGIN = "audit.example.org/tenders"
KEY = Ed25519PrivateKey.generate()
OTHER_KEY = Ed25519PrivateKey.generate()
N = 40
SIZES = (1, 7, 8, 20, 40)


def load_tool():
    spec = importlib.util.spec_from_file_location("verify_audit_export", TOOL)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while decorating
    spec.loader.exec_module(module)
    return module


tool = load_tool()


def payload(seq: int) -> bytes:
    return rfc8785.dumps(
        {
            "seq": seq,
            "action": "tender.published",
            "recorded_at": "2025-01-02T03:04:05.000006Z",
            "data": {"amount": "12.50", "title": f"Tender {seq} \u2013 Stra\u00dfe"},
        }
    )


def entry_lines(payloads: list[bytes]) -> list[dict]:
    chain, lines = bytes(32), []
    for seq, data in enumerate(payloads):
        leaf = hashlib.sha256(b"\x00" + data).digest()
        chain = hashlib.sha256(chain + leaf).digest()
        lines.append(
            {
                "seq": seq,
                "payload": base64.b64encode(data).decode(),
                "leaf_hash": leaf.hex(),
                "chain_hash": chain.hex(),
                "action": "ignored by the verifier",
            }
        )
    return lines


def checkpoint(size: int, payloads: list[bytes], key=KEY, name=ORIGIN, root=None) -> dict:
    leaves = [hashlib.sha256(b"\x00" + p).digest() for p in payloads[:size]]
    root = root_from_leaf_hashes(leaves) if root is None else root
    return {"size": size, "note": sign_note(checkpoint_body(ORIGIN, size, root), name, key)}


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


def write_export(directory: Path, entries: list[dict], checkpoints: list[dict], **manifest):
    directory.mkdir(exist_ok=True)
    write_jsonl(directory / "entries.jsonl", entries)
    write_jsonl(directory / "checkpoints.jsonl", checkpoints)
    fields = {
        "origin": ORIGIN,
        "entries": len(entries),
        "checkpoints": len(checkpoints),
        "key": verifier_key(ORIGIN, KEY.public_key()),
    }
    (directory / "manifest.json").write_text(json.dumps(fields | manifest), encoding="utf-8")


@pytest.fixture
def export(tmp_path):
    """A valid export of N entries with checkpoints at SIZES, plus key files."""
    payloads = [payload(seq) for seq in range(N)]
    directory = tmp_path / "export"
    write_export(directory, entry_lines(payloads), [checkpoint(s, payloads) for s in SIZES])
    (tmp_path / "log.pub").write_bytes(public_key_pem(KEY))
    (tmp_path / "log.vkey").write_text(verifier_key(ORIGIN, KEY.public_key()) + "\n")
    return directory, payloads


def run(directory: Path, key_file: Path, *extra: str) -> subprocess.CompletedProcess:
    command = [sys.executable, str(TOOL), str(directory), "--public-key", str(key_file), *extra]
    return subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, check=False)


def run_in_process(capsys, directory: Path, key_file: Path, *extra: str) -> tuple[int, str]:
    status = tool.main([str(directory), "--public-key", str(key_file), *extra])
    return status, capsys.readouterr().out.strip()


def read_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def expected_ok(entries: int, checkpoints: int, size: int, payloads: list[bytes]) -> str:
    leaves = [hashlib.sha256(b"\x00" + p).digest() for p in payloads[:size]]
    root = root_from_leaf_hashes(leaves).hex()
    return f"OK: {entries} entries, {checkpoints} checkpoints, latest size {size} root {root}"


# --- the auditor's view: subprocess runs ---------------------------------------------------


def test_valid_export_verifies_with_a_pem_key(export, tmp_path):
    directory, payloads = export
    result = run(directory, tmp_path / "log.pub")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == expected_ok(N, len(SIZES), N, payloads) + "\n"
    assert result.stderr == ""


def test_valid_export_verifies_with_a_vkey_file(export, tmp_path):
    directory, payloads = export
    result = run(directory, tmp_path / "log.vkey", "--origin", ORIGIN)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == expected_ok(N, len(SIZES), N, payloads)


def test_changing_one_payload_byte_fails_at_that_entry(export, tmp_path):
    directory, _ = export
    rows = read_rows(directory / "entries.jsonl")
    data = base64.b64decode(rows[13]["payload"])
    rows[13]["payload"] = base64.b64encode(data.replace(b"12.50", b"12.51")).decode()
    write_jsonl(directory / "entries.jsonl", rows)
    result = run(directory, tmp_path / "log.pub")
    assert result.returncode == 1
    assert result.stdout.startswith(
        "FAIL: entry seq=13: leaf hash does not match payload (stored "
        f"{rows[13]['leaf_hash']}, computed "
    )


def test_a_deleted_entry_fails_at_its_seq(export, tmp_path):
    directory, _ = export
    rows = read_rows(directory / "entries.jsonl")
    write_jsonl(directory / "entries.jsonl", rows[:13] + rows[14:])
    result = run(directory, tmp_path / "log.pub")
    assert result.returncode == 1
    assert result.stdout.startswith("FAIL: entry seq=13: missing or out of order")


def test_two_swapped_entries_fail_at_the_first_of_them(export, tmp_path):
    directory, _ = export
    rows = read_rows(directory / "entries.jsonl")
    rows[13], rows[14] = rows[14], rows[13]
    write_jsonl(directory / "entries.jsonl", rows)
    result = run(directory, tmp_path / "log.pub")
    assert result.returncode == 1
    assert result.stdout.startswith("FAIL: entry seq=13: ")


def test_a_checkpoint_signed_by_another_key_fails(export, tmp_path):
    directory, payloads = export
    rows = read_rows(directory / "checkpoints.jsonl")
    rows[3] = checkpoint(20, payloads, key=OTHER_KEY)
    write_jsonl(directory / "checkpoints.jsonl", rows)
    result = run(directory, tmp_path / "log.pub")
    assert result.returncode == 1
    assert result.stdout == f"FAIL: checkpoint size=20: note has no signature by {ORIGIN}\n"


def test_a_correctly_signed_checkpoint_with_a_wrong_root_fails(export, tmp_path):
    directory, payloads = export
    rows = read_rows(directory / "checkpoints.jsonl")
    wrong = root_from_leaf_hashes([hashlib.sha256(b"\x00" + p).digest() for p in payloads[:19]])
    rows[3] = checkpoint(20, payloads, root=wrong)
    write_jsonl(directory / "checkpoints.jsonl", rows)
    result = run(directory, tmp_path / "log.pub")
    assert result.returncode == 1
    assert result.stdout.startswith(
        f"FAIL: checkpoint size=20: root hash does not match the first 20 entries "
        f"(signed {wrong.hex()}, computed "
    )


def test_a_checkpoint_larger_than_the_log_fails(export, tmp_path):
    directory, payloads = export
    rows = read_rows(directory / "checkpoints.jsonl")
    rows.append(checkpoint(41, [*payloads, payload(40)]))
    write_jsonl(directory / "checkpoints.jsonl", rows)
    result = run(directory, tmp_path / "log.pub")
    assert result.returncode == 1
    assert result.stdout == "FAIL: checkpoint size=41: larger than the log (40 entries exported)\n"


def test_a_consistently_rewritten_history_is_caught_by_the_next_checkpoint(export, tmp_path):
    # Rewriting entry 13 and recomputing every later leaf and chain hash leaves the hash
    # chain intact; only the signed checkpoints can expose it.
    directory, payloads = export
    payloads[13] = payloads[13].replace(b"12.50", b"99.99")
    write_jsonl(directory / "entries.jsonl", entry_lines(payloads))
    result = run(directory, tmp_path / "log.pub")
    assert result.returncode == 1
    assert result.stdout.startswith("FAIL: checkpoint size=20: root hash does not match")


def test_missing_files_and_keys_are_usage_errors(export, tmp_path):
    directory, _ = export
    assert run(tmp_path / "nowhere", tmp_path / "log.pub").returncode == 2
    assert run(directory, tmp_path / "missing.pub").returncode == 2
    (directory / "manifest.json").unlink()
    result = run(directory, tmp_path / "log.pub")
    assert result.returncode == 2
    assert "manifest.json" in result.stderr
    no_args = subprocess.run(
        [sys.executable, str(TOOL)], cwd=PROJECT, capture_output=True, check=False
    )
    assert no_args.returncode == 2


def test_tool_imports_only_the_standard_library_and_cryptography():
    tree = ast.parse(TOOL.read_text())
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            roots.add((node.module or "").split(".")[0])
    assert roots - sys.stdlib_module_names == {"cryptography"}


# --- more tampering and edge cases, run in-process for speed --------------------------------


def test_a_wrong_chain_hash_fails_at_that_entry(export, tmp_path, capsys):
    directory, _ = export
    rows = read_rows(directory / "entries.jsonl")
    rows[5]["chain_hash"] = "00" * 32
    write_jsonl(directory / "entries.jsonl", rows)
    status, out = run_in_process(capsys, directory, tmp_path / "log.pub")
    assert status == 1
    assert out.startswith("FAIL: entry seq=5: chain hash does not match (stored 0000")


def test_a_payload_whose_seq_disagrees_with_its_line_fails(export, tmp_path, capsys):
    directory, payloads = export
    payloads[6] = payload(7)
    write_jsonl(directory / "entries.jsonl", entry_lines(payloads))
    status, out = run_in_process(capsys, directory, tmp_path / "log.pub")
    assert (status, out) == (1, "FAIL: entry seq=6: payload says seq=7")


def test_a_payload_that_is_not_rfc8785_canonical_fails(export, tmp_path, capsys):
    directory, payloads = export
    payloads[2] = json.dumps({"seq": 2, "b": 1, "a": 2}).encode()  # spaces, unsorted keys
    write_jsonl(directory / "entries.jsonl", entry_lines(payloads))
    status, out = run_in_process(capsys, directory, tmp_path / "log.pub")
    assert (status, out) == (1, "FAIL: entry seq=2: payload is not RFC 8785 canonical JSON")


def test_malformed_entry_lines_fail_with_their_location(export, tmp_path, capsys):
    directory, _ = export
    rows = read_rows(directory / "entries.jsonl")
    for mutate, message in [
        (lambda r: r.update(payload="not base64!"), "entry seq=3: payload is not standard base64"),
        (lambda r: r.update(leaf_hash="abc"), "entry seq=3: leaf_hash is not 64 hex digits"),
        (lambda r: r.pop("chain_hash"), "entry seq=3: chain_hash is not 64 hex digits"),
        (lambda r: r.update(seq="3"), "entry seq=3: missing or out of order (line 4 has seq='3')"),
    ]:
        bad = [dict(r) for r in rows]
        mutate(bad[3])
        write_jsonl(directory / "entries.jsonl", bad)
        assert run_in_process(capsys, directory, tmp_path / "log.pub") == (1, f"FAIL: {message}")
    (directory / "entries.jsonl").write_text("{not json\n")
    status, out = run_in_process(capsys, directory, tmp_path / "log.pub")
    assert status == 1
    assert out.startswith("FAIL: entries.jsonl line 1: not valid JSON")


def test_checkpoints_out_of_order_or_with_wrong_origin_or_size_fail(export, tmp_path, capsys):
    directory, payloads = export
    other_origin = checkpoint(8, payloads)
    other_origin["note"] = sign_note(checkpoint_body("evil.example/log", 8, bytes(32)), ORIGIN, KEY)
    cases = [
        ([checkpoint(8, payloads), checkpoint(7, payloads)], "checkpoint size=7: does not come"),
        ([checkpoint(8, payloads), checkpoint(8, payloads)], "checkpoint size=8: does not come"),
        ([other_origin], "checkpoint size=8: origin 'evil.example/log' is not"),
        ([{"size": 9, "note": checkpoint(8, payloads)["note"]}], "checkpoint size=9: the signed"),
        ([{"size": -1, "note": ""}], "checkpoints.jsonl line 1: size is not"),
        ([{"size": 3}], "checkpoint size=3: note is missing"),
        ([], "checkpoints.jsonl: no checkpoints"),
    ]
    for rows, message in cases:
        write_jsonl(directory / "checkpoints.jsonl", rows)
        status, out = run_in_process(capsys, directory, tmp_path / "log.pub")
        assert status == 1
        assert out.startswith(f"FAIL: {message}"), out


def test_the_manifest_key_is_never_trusted_over_the_given_key(export, tmp_path, capsys):
    directory, payloads = export
    attacker_vkey = verifier_key(ORIGIN, OTHER_KEY.public_key())
    write_jsonl(
        directory / "checkpoints.jsonl", [checkpoint(s, payloads, key=OTHER_KEY) for s in SIZES]
    )
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["key"] = attacker_vkey
    (directory / "manifest.json").write_text(json.dumps(manifest))
    status = tool.main([str(directory), "--public-key", str(tmp_path / "log.pub")])
    captured = capsys.readouterr()
    assert status == 1
    assert captured.out.startswith(f"FAIL: checkpoint size=1: note has no signature by {ORIGIN}")
    assert "differs from --public-key" in captured.err


def test_a_key_name_other_than_the_origin_comes_from_the_vkey_or_matching_manifest(
    export, tmp_path, capsys
):
    directory, payloads = export
    name = "keys.example.org/audit-2025"
    write_jsonl(
        directory / "checkpoints.jsonl", [checkpoint(s, payloads, name=name) for s in SIZES]
    )
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["key"] = verifier_key(name, KEY.public_key())
    (directory / "manifest.json").write_text(json.dumps(manifest))
    (tmp_path / "named.vkey").write_text(verifier_key(name, KEY.public_key()))
    assert run_in_process(capsys, directory, tmp_path / "named.vkey")[0] == 0
    assert run_in_process(capsys, directory, tmp_path / "log.pub")[0] == 0
    status, out = run_in_process(capsys, directory, tmp_path / "log.vkey")
    assert (status, out) == (1, f"FAIL: checkpoint size=1: note has no signature by {ORIGIN}")


def test_an_origin_given_on_the_command_line_must_match_the_checkpoints(export, tmp_path, capsys):
    directory, _ = export
    status, out = run_in_process(capsys, directory, tmp_path / "log.pub", "--origin", "x.org/y")
    assert status == 1
    assert out.startswith(f"FAIL: checkpoint size=1: origin '{ORIGIN}' is not 'x.org/y'")


def test_manifest_counts_must_match_the_export(export, tmp_path, capsys):
    directory, _ = export
    manifest = json.loads((directory / "manifest.json").read_text())
    (directory / "manifest.json").write_text(json.dumps(manifest | {"entries": N + 1}))
    status, out = run_in_process(capsys, directory, tmp_path / "log.pub")
    assert (status, out) == (1, f"FAIL: manifest.json: says entries={N + 1}, found {N}")


def test_an_empty_log_checkpoint_and_entries_after_the_last_checkpoint_verify(tmp_path, capsys):
    payloads = [payload(seq) for seq in range(10)]
    directory = tmp_path / "export"
    rows = [checkpoint(0, payloads), checkpoint(4, payloads), checkpoint(6, payloads)]
    write_export(directory, entry_lines(payloads), rows)
    (tmp_path / "log.pub").write_bytes(public_key_pem(KEY))
    status = tool.main([str(directory), "--public-key", str(tmp_path / "log.pub")])
    captured = capsys.readouterr()
    assert status == 0
    assert captured.out.strip() == expected_ok(10, 3, 6, payloads)
    assert "the last 4 entries are not covered by a checkpoint" in captured.err


def test_every_size_as_a_checkpoint_and_random_checkpoint_sets_verify(tmp_path, capsys):
    payloads = [payload(seq) for seq in range(70)]
    (tmp_path / "log.pub").write_bytes(public_key_pem(KEY))
    rng = random.Random(9162)
    sets = [list(range(71))] + [sorted(rng.sample(range(1, 71), k)) for k in (2, 3, 5, 9, 17)]
    for i, sizes in enumerate(sets):
        directory = tmp_path / f"export{i}"
        write_export(directory, entry_lines(payloads), [checkpoint(s, payloads) for s in sizes])
        status, out = run_in_process(capsys, directory, tmp_path / "log.pub")
        assert (status, out) == (0, expected_ok(70, len(sizes), sizes[-1], payloads))


# --- the tool's duplicated code agrees with the package's --------------------------------


def test_tool_consistency_collection_matches_the_package_for_every_pair_up_to_50():
    leaves = [hashlib.sha256(b"\x00" + payload(i)).digest() for i in range(50)]
    roots = [root_from_leaf_hashes(leaves[:n]) for n in range(51)]
    for first in range(1, 50):
        tree = tool.Frontier()
        for leaf in leaves[:first]:
            tree.append(leaf)
        collectors = [tool.ProofCollector(first, n, tree) for n in range(first + 1, 51)]
        for leaf in leaves[first:]:
            tree.append(leaf)
            for collector in collectors:
                collector.capture(tree)
            assert tree.root() == roots[tree.size]
        for second, collector in enumerate(collectors, start=first + 1):
            assert tool.consistency_ranges(first, second) == consistency_proof_ranges(first, second)
            proof = collector.proof()
            assert proof == consistency_proof_from_leaves(first, leaves[:second])
            assert tool.verify_consistency(first, second, roots[first], roots[second], proof)
            assert verify_consistency(first, second, roots[first], roots[second], proof)
            assert not tool.verify_consistency(first, second, roots[second], roots[first], proof)


def test_tool_canonical_json_matches_rfc8785_including_numbers():
    rng = random.Random(8785)
    floats = [0.1, 1e21, 1e-7, 1e-6, 5e-324, 1.7976931348623157e308, 123456789012345680000.0]
    while len(floats) < 3000:
        (value,) = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))
        if value == value and abs(value) != float("inf"):
            floats.append(value)
    floats += [rng.uniform(-1e6, 1e6) for _ in range(500)] + [-0.0, 2.0**53, -(2.0**52)]
    for value in floats:
        assert tool.es6_number(value).encode() == rfc8785.dumps(value), value
    document = {
        "\u20ac": 1,
        "\U0001f600": [True, False, None],
        "\ufb01": '\x00\x1f"\\/ \u2028\u00e9',
        "a": {"z": -12, "10": 9007199254740991},
        "": "",
    }
    assert tool.canonical_json(document).encode() == rfc8785.dumps(document)
