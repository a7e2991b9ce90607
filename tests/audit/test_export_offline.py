import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

from audit import keys
from audit.services.checkpoints import issue_checkpoint

ROOT = Path(__file__).resolve().parents[2]


def test_the_offline_tool_verifies_an_export(grow_log, tmp_path, settings):
    grow_log(9)
    issue_checkpoint()
    grow_log(4)
    issue_checkpoint()
    call_command("export_audit_log", str(tmp_path / "export"), stdout=open("/dev/null", "w"))  # noqa: SIM115
    public_key = keys.public_key_path(settings.AUDIT_CHECKPOINT_KEY)
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "verify_audit_export.py"),
            str(tmp_path / "export"),
            "--public-key",
            str(public_key),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("OK: 13 entries, 2 checkpoints")
