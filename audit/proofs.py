"""Inclusion and consistency proofs served from the node table, against signed sizes."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from audit import merkle
from audit.models import Checkpoint, TreeState
from audit.tree import range_hasher


def built_size() -> int:
    state = TreeState.objects.filter(pk=1).only("size").first()
    return state.size if state else 0


def _check_size(size: int, name: str) -> None:
    limit = built_size()
    if size > limit:
        message = _("Proofs are served for tree sizes up to the latest checkpoint (%(n)d).") % {
            "n": limit
        }
        raise ValidationError({name: [ValidationError(message, code="beyond_checkpoint")]})


def inclusion_proof(index: int, size: int) -> list[bytes]:
    if not 0 <= index < size:
        message = _("The index must be at least 0 and below the size.")
        raise ValidationError({"index": [ValidationError(message, code="invalid_range")]})
    _check_size(size, "size")
    return merkle.inclusion_proof(index, size, range_hasher(size))


def consistency_proof(first: int, second: int) -> list[bytes]:
    if not 0 < first <= second:
        message = _("The first size must be at least 1 and not above the second.")
        raise ValidationError({"first": [ValidationError(message, code="invalid_range")]})
    _check_size(second, "second")
    return merkle.consistency_proof(first, second, range_hasher(second))


def latest_checkpoint() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-tree_size").first()
