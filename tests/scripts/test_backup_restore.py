"""scripts/backup and scripts/restore end to end on real PostgreSQL: a system with a trail,
checkpoints and signed model cards is dumped and copied, restored into a fresh database and
an empty storage, and there the trail, its checkpoints and every document verify (pdfsig too);
one changed byte in a restored document is caught, and a second restore over it is refused."""

import os
import shutil
import subprocess
from collections.abc import Iterator

import psycopg
import pytest

from tests.conftest import REPO_DIR

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
VALID = "- Signature Validation: Signature is Valid."


def admin(sql: str) -> None:
    with psycopg.connect(ADMIN, autocommit=True, connect_timeout=3) as connection:
        connection.execute(sql)


@pytest.fixture
def databases() -> Iterator[tuple[str, str]]:
    """Two empty PostgreSQL databases of this test's own: the original and the restored."""
    try:
        admin("select 1")
    except psycopg.OperationalError:
        pytest.skip("needs PostgreSQL on 127.0.0.1:5432 (make test starts it in CI)")
    names = [f"warden_backup_{part}_{os.getpid()}" for part in ("original", "restored")]
    for name in names:
        admin(f"drop database if exists {name} with (force)")
        admin(f"create database {name}")
    yield tuple(f"postgres://postgres@127.0.0.1:5432/{name}" for name in names)  # type: ignore[misc]
    for name in names:
        admin(f"drop database if exists {name} with (force)")


def run(command: list[str], environment: dict[str, str], check: bool = True):
    done = subprocess.run(
        command,
        cwd=REPO_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    if check:
        assert done.returncode == 0, (command, done.stdout[-3000:], done.stderr[-3000:])
    return done


def test_a_backup_restores_into_a_fresh_database_and_storage_and_verifies(databases, tmp_path):
    original, restored = databases
    if shutil.which("pdfsig") is None:
        pytest.skip("pdfsig not found: apt-get install poppler-utils")
    base = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHON": str(REPO_DIR / ".venv/bin/python"),
        "WARDEN_VAR_DIR": str(tmp_path / "var"),  # one signing key for both, as in production
        "CELERY_BROKER_URL": "memory://",
    }
    before = {**base, "DATABASE_URL": original, "MEDIA_ROOT": str(tmp_path / "media-original")}
    after = {**base, "DATABASE_URL": restored, "MEDIA_ROOT": str(tmp_path / "media-restored")}
    python = base["PYTHON"]
    run([python, "manage.py", "migrate", "--noinput"], before)
    run([python, "manage.py", "demo_card"], before)  # a review, signed cards and checkpoints
    assert "trail intact" in run([python, "manage.py", "verify_trail"], before).stdout

    backup = tmp_path / "backup"
    run(["scripts/backup", str(backup)], before)
    assert (backup / "database.dump").read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    done = run(["scripts/restore", str(backup)], after)
    assert "trail intact" in done.stdout
    assert "restored from" in done.stdout
    cards = sorted((tmp_path / "media-restored").rglob("*.pdf"))
    assert cards, "the restore wrote no signed document"
    assert f"documents verified: {len(cards)} of {len(cards)}" in done.stdout
    checkpoints = list((tmp_path / "media-restored" / "trail-checkpoints").glob("*.json"))
    assert checkpoints, "the restore wrote no trail checkpoint"
    for card in cards:
        signature = run(["pdfsig", "-no-ocsp", str(card)], after).stdout
        assert VALID in signature, signature

    tampered = bytearray(cards[0].read_bytes())
    tampered[len(tampered) // 2] ^= 0x01
    cards[0].write_bytes(bytes(tampered))
    broken = run([python, "manage.py", "verify_documents"], after, check=False)
    assert broken.returncode == 1
    assert "NOT VALID" in broken.stderr

    again = run(["scripts/restore", str(backup)], after, check=False)
    assert again.returncode == 2
    assert "restore into an empty one" in again.stderr


def test_a_changed_file_in_a_backup_is_refused_before_anything_is_written(tmp_path):
    """The storage half alone: the manifest catches a copy altered after the backup."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "WARDEN_VAR_DIR": str(tmp_path / "var"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    python = str(REPO_DIR / ".venv/bin/python")
    source = tmp_path / "media" / "reports"
    source.mkdir(parents=True)
    (source / "card.pdf").write_bytes(b"%PDF-1.7 original")
    run([python, "manage.py", "storage_export", str(tmp_path / "copy")], environment)
    (tmp_path / "copy" / "files" / "reports" / "card.pdf").write_bytes(b"%PDF-1.7 changed!")
    shutil.rmtree(tmp_path / "media")
    done = run([python, "manage.py", "storage_import", str(tmp_path / "copy")], environment, False)
    assert done.returncode != 0
    assert "differs from the manifest" in done.stderr
    assert not (tmp_path / "media" / "reports" / "card.pdf").exists()
