"""scripts/backup and scripts/restore end to end on real PostgreSQL: a system with a trail,
checkpoints and signed model cards is dumped and copied, restored into a fresh database and
an empty storage (a media folder, or a fresh bucket on an S3 server on loopback), and there the
trail, its checkpoints and every document verify (pdfsig too); one changed byte in a restored
document is caught, and a second restore over it is refused."""

import os
import shutil
import subprocess
from collections.abc import Iterator

import psycopg
import pytest

from tests.conftest import REPO_DIR
from tests.object_store import ObjectStoreServer

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


def backed_up_and_restored(before: dict[str, str], after: dict[str, str], backup) -> str:
    """Seed the original (a review, signed cards and checkpoints), back it up into `backup`
    and restore that into the fresh database and storage; the restore's output."""
    python = before["PYTHON"]
    run([python, "manage.py", "migrate", "--noinput"], before)
    run([python, "manage.py", "demo_card"], before)
    assert "trail intact" in run([python, "manage.py", "verify_trail"], before).stdout
    run(["scripts/backup", str(backup)], before)
    assert (backup / "database.dump").read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    done = run(["scripts/restore", str(backup)], after).stdout
    assert "trail intact" in done and "restored from" in done
    return done


def environment_of(tmp_path) -> dict[str, str]:
    """What both systems share: settings, the signing key (one, as in production), no broker."""
    if shutil.which("pdfsig") is None:
        pytest.skip("pdfsig not found: apt-get install poppler-utils")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHON": str(REPO_DIR / ".venv/bin/python"),
        "WARDEN_VAR_DIR": str(tmp_path / "var"),  # one signing key for both, as in production
        "CELERY_BROKER_URL": "memory://",
    }


def test_a_backup_restores_into_a_fresh_database_and_storage_and_verifies(databases, tmp_path):
    original, restored = databases
    base = environment_of(tmp_path)
    before = {**base, "DATABASE_URL": original, "MEDIA_ROOT": str(tmp_path / "media-original")}
    after = {**base, "DATABASE_URL": restored, "MEDIA_ROOT": str(tmp_path / "media-restored")}
    python = base["PYTHON"]
    backup = tmp_path / "backup"
    done = backed_up_and_restored(before, after, backup)
    cards = sorted((tmp_path / "media-restored").rglob("*.pdf"))
    assert cards, "the restore wrote no signed document"
    assert f"documents verified: {len(cards)} of {len(cards)}" in done
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


def test_a_bucket_is_backed_up_and_restored_into_a_fresh_bucket_and_verifies(
    databases, tmp_path, object_store
):
    """The same with every file in S3: the copy is read from the original bucket through the
    storage API and written into an empty one; nothing lands on either system's disk."""
    original, restored = databases
    base = environment_of(tmp_path)
    fresh = f"{object_store.bucket}-restored"
    object_store.client.create_bucket(Bucket=fresh)  # type: ignore[attr-defined]
    stored = object_store.environment()
    before = {**base, **stored, "DATABASE_URL": original}
    after = {**base, **stored, "DATABASE_URL": restored, "WARDEN_S3_BUCKET": fresh}
    done = backed_up_and_restored(before, after, tmp_path / "backup")

    keys = object_store.keys()
    cards = [key for key in keys if key.endswith(".pdf")]
    assert cards and any(key.startswith("trail-checkpoints/") for key in keys)
    copied = ObjectStoreServer(object_store.endpoint_url, fresh, object_store.sent,
                               object_store.client)  # fmt: skip
    assert copied.keys() == keys
    assert f"documents verified: {len(cards)} of {len(cards)}" in done
    on_disk = list((tmp_path / "var").rglob("*.pdf"))  # the systems' own folders, not the backup
    assert not on_disk, f"signed documents written to disk: {on_disk}"

    body = object_store.client.get_object(Bucket=fresh, Key=cards[0])["Body"].read()  # type: ignore[attr-defined]
    card = tmp_path / "card.pdf"
    card.write_bytes(body)
    assert VALID in run(["pdfsig", "-no-ocsp", str(card)], after).stdout
    tampered = bytearray(body)
    tampered[len(tampered) // 2] ^= 0x01
    object_store.client.put_object(Bucket=fresh, Key=cards[0], Body=bytes(tampered))  # type: ignore[attr-defined]
    python = base["PYTHON"]
    broken = run([python, "manage.py", "verify_documents"], after, check=False)
    assert broken.returncode == 1 and "NOT VALID" in broken.stderr


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
