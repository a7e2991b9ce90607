from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from audit.actions import Action


class Entry(models.Model):
    """One event of the append-only log. Never updated, never deleted (database triggers).

    `payload` holds the exact canonical bytes that were hashed; the other columns are
    copies for queries, and verification checks that they agree with the payload.
    """

    seq = models.PositiveBigIntegerField(primary_key=True)
    recorded_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=True,
    )
    action = models.CharField(max_length=80, choices=Action.choices, db_index=True)
    subject_type = models.CharField(max_length=80)
    subject_id = models.CharField(max_length=64)
    payload = models.BinaryField()
    data = models.JSONField(default=dict)
    leaf_hash = models.BinaryField(max_length=32)
    chain_hash = models.BinaryField(max_length=32)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["seq"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "seq"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(seq__gte=0), name="entry_seq_gte_0")
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def get_absolute_url(self) -> str:
        return reverse("audit:entry-detail", args=[self.seq])


class LogHead(models.Model):
    """The single row every writer locks: the next seq and the last chain hash.

    Locking one row (SELECT ... FOR UPDATE) serialises writers across processes and
    machines on PostgreSQL; on SQLite the IMMEDIATE transaction already holds the
    database's write lock.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.PositiveBigIntegerField(default=0)
    chain_hash = models.BinaryField(max_length=32, default=bytes(32))

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="loghead_single_row")]

    def __str__(self) -> str:
        return f"log head at size {self.size}"


class TreeState(models.Model):
    """How far the Merkle node table has been built: its size and compact range (frontier)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.PositiveBigIntegerField(default=0)
    frontier = models.BinaryField(default=b"")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="treestate_single_row")
        ]

    def __str__(self) -> str:
        return f"tree built to size {self.size}"


class MerkleNode(models.Model):
    """A perfect subtree's hash (level >= 1), so proofs need O(log n) lookups, not O(n) hashing.

    Derived data: verification never trusts it, and a wrong node only yields a proof that
    fails against a signed checkpoint.
    """

    level = models.PositiveSmallIntegerField()
    index = models.PositiveBigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["level", "index"], name="merklenode_level_index")
        ]

    def __str__(self) -> str:
        return f"node {self.level}/{self.index}"


class Checkpoint(models.Model):
    """A signed tree head in the C2SP tlog-checkpoint format."""

    tree_size = models.PositiveBigIntegerField(unique=True)
    root_hash = models.BinaryField(max_length=32)
    note = models.TextField()
    issued_at = models.DateTimeField(db_index=True)
    reason = models.CharField(max_length=80, default="scheduled")

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["tree_size"]

    def __str__(self) -> str:
        return f"checkpoint {self.tree_size}"


class VerificationRun(models.Model):
    """The outcome of one full verification, shown on the auditor's status page."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    ok = models.BooleanField()
    entries = models.PositiveBigIntegerField()
    checkpoints = models.PositiveIntegerField()
    message = models.TextField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return (
            f"verification {'passed' if self.ok else 'FAILED'} at {self.finished_at:%Y-%m-%d %H:%M}"
        )
