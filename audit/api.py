"""The audit log, public and read-only: entries, checkpoints, inclusion and consistency proofs."""

import base64
import datetime as dt
import json

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from accounts.auth import OPTIONAL_AUTH
from audit import keys, proofs
from audit.models import Checkpoint, Entry
from audit.withholding import withheld
from config.api_errors import ERROR_RESPONSES

router = Router(tags=["audit log"])


class EntryOut(Schema):
    seq: int
    recorded_at: dt.datetime
    action: str
    actor: int | None
    subject_type: str
    subject_id: str
    data: dict | None = Field(None, description="null while the entry is withheld")
    payload: str | None = Field(
        None,
        description="base64 of the exact canonical bytes that were hashed; null while withheld",
    )
    withheld: str | None = Field(
        None,
        description="why the content is not shown yet (a bid before its tender's opening); the "
        "leaf hash is given, so the inclusion proof still verifies",
    )
    leaf_hash: str = Field(..., description="hex SHA-256(0x00 || payload)")
    chain_hash: str = Field(..., description="hex SHA-256(previous chain_hash || leaf_hash)")


class EntryPage(Schema):
    entries: list[EntryOut]
    next_after: int | None = Field(None, description="pass as `after` for the next page")


class CheckpointOut(Schema):
    tree_size: int
    root_hash: str
    note: str
    issued_at: dt.datetime
    reason: str


class InclusionProofOut(Schema):
    index: int
    size: int
    leaf_hash: str
    root_hash: str | None = Field(
        None, description="the signed root for this size, when a checkpoint has it"
    )
    proof: list[str]


class EntryWithProofOut(EntryOut):
    checkpoint: CheckpointOut | None
    inclusion_proof: list[str] | None


class ConsistencyProofOut(Schema):
    first: int
    second: int
    proof: list[str]


class CheckpointKeyOut(Schema):
    name: str
    verifier_key: str
    public_key_pem: str


class PageQuery(Schema):
    after: int = Field(-1, ge=-1, description="return entries with seq greater than this")
    limit: int = Field(100, ge=1, le=1000)


def entry_out(entry: Entry, withheld: str | None = None) -> dict:
    payload = bytes(entry.payload)
    if withheld:
        return {
            "seq": entry.seq,
            "recorded_at": entry.recorded_at,
            "action": entry.action,
            "actor": None,
            "subject_type": entry.subject_type,
            "subject_id": entry.subject_id,
            "data": None,
            "payload": None,
            "withheld": withheld,
            "leaf_hash": bytes(entry.leaf_hash).hex(),
            "chain_hash": bytes(entry.chain_hash).hex(),
        }
    return {
        "seq": entry.seq,
        "recorded_at": entry.recorded_at,
        "action": entry.action,
        "actor": entry.actor_id,
        "subject_type": entry.subject_type,
        "subject_id": entry.subject_id,
        # From the hashed bytes, not the query copy: what you read is what was signed.
        "data": json.loads(payload)["data"],
        "payload": base64.b64encode(payload).decode(),
        "leaf_hash": bytes(entry.leaf_hash).hex(),
        "chain_hash": bytes(entry.chain_hash).hex(),
    }


def checkpoint_out(checkpoint: Checkpoint) -> dict:
    return {
        "tree_size": checkpoint.tree_size,
        "root_hash": bytes(checkpoint.root_hash).hex(),
        "note": checkpoint.note,
        "issued_at": checkpoint.issued_at,
        "reason": checkpoint.reason,
    }


@router.get(
    "/entries",
    auth=OPTIONAL_AUTH,
    response={200: EntryPage, **ERROR_RESPONSES},
    summary="Entries in order, page by page",
)
def list_entries(request, page: Query[PageQuery]):
    entries = list(Entry.objects.filter(seq__gt=page.after).order_by("seq")[: page.limit])
    next_after = entries[-1].seq if len(entries) == page.limit else None
    hidden = withheld(entries, request.auth)
    return {"entries": [entry_out(e, hidden.get(e.seq)) for e in entries], "next_after": next_after}


@router.get(
    "/entries/{seq}",
    auth=OPTIONAL_AUTH,
    response={200: EntryWithProofOut, **ERROR_RESPONSES},
    summary="One entry with its inclusion proof against the latest checkpoint",
)
def get_entry(request, seq: int):
    entry = get_object_or_404(Entry, seq=seq)
    hidden = withheld([entry], request.auth)
    checkpoint = proofs.latest_checkpoint()
    covered = checkpoint is not None and seq < checkpoint.tree_size
    proof = proofs.inclusion_proof(seq, checkpoint.tree_size) if covered else None
    return {
        **entry_out(entry, hidden.get(entry.seq)),
        "checkpoint": checkpoint_out(checkpoint) if covered else None,
        "inclusion_proof": [h.hex() for h in proof] if proof is not None else None,
    }


@router.get(
    "/checkpoints/latest",
    response={200: CheckpointOut, **ERROR_RESPONSES},
    summary="The newest signed checkpoint",
)
def latest_checkpoint(request):
    return checkpoint_out(get_object_or_404(Checkpoint.objects.order_by("-tree_size")[:1]))


@router.get(
    "/checkpoints/{tree_size}",
    response={200: CheckpointOut, **ERROR_RESPONSES},
    summary="The checkpoint of one size",
)
def get_checkpoint(request, tree_size: int):
    return checkpoint_out(get_object_or_404(Checkpoint, tree_size=tree_size))


@router.get(
    "/key", response=CheckpointKeyOut, summary="The checkpoint signing key (verify notes with it)"
)
def checkpoint_key(request):
    from audit.notes import public_key_pem

    return {
        "name": keys.key_name(),
        "verifier_key": keys.verifier_key(),
        "public_key_pem": public_key_pem(keys.verifying_key()).decode(),
    }


@router.get(
    "/proofs/inclusion",
    response={200: InclusionProofOut, **ERROR_RESPONSES},
    summary="RFC 9162 inclusion proof of entry `index` in the tree of `size` entries",
)
def inclusion(request, index: int = Query(..., ge=0), size: int = Query(..., ge=1)):
    proof = proofs.inclusion_proof(index, size)
    entry = get_object_or_404(Entry, seq=index)
    checkpoint = Checkpoint.objects.filter(tree_size=size).first()
    return {
        "index": index,
        "size": size,
        "leaf_hash": bytes(entry.leaf_hash).hex(),
        "root_hash": bytes(checkpoint.root_hash).hex() if checkpoint else None,
        "proof": [h.hex() for h in proof],
    }


@router.get(
    "/proofs/consistency",
    response={200: ConsistencyProofOut, **ERROR_RESPONSES},
    summary="RFC 9162 consistency proof between tree sizes `first` and `second`",
)
def consistency(request, first: int = Query(..., ge=1), second: int = Query(..., ge=1)):
    proof = proofs.consistency_proof(first, second)
    return {"first": first, "second": second, "proof": [h.hex() for h in proof]}
