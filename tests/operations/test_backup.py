"""Backups that restore (docs/deployment.md): `manage.py backup`, then `manage.py restore` into
a new, empty database, serve the same youth file, its access log and the sessions; a damaged or
foreign file is refused and changes nothing. On SQLite and, with DATABASE_URL, on PostgreSQL
(pg_dump and pg_restore)."""

import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from reperes.operations.backup import SUFFIX
from reperes.privacy.models import AccessLog
from reperes.registry.models import Youth
from tests.registry.factories import YouthFactory


@contextmanager
def new_instance(tmp_path: Path) -> Iterator[None]:
    """The test's connection on a new, empty database, as a server rebuilt from scratch has."""
    saved = connection.settings_dict["NAME"]
    connection.close()
    if connection.vendor == "sqlite":
        name = str(tmp_path / "restored.sqlite3")
    else:
        name = f"{saved}_restored"
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.settings_dict["NAME"] = name
    ContentType.objects.clear_cache()
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = saved
        if connection.vendor != "sqlite":
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        ContentType.objects.clear_cache()


def _file(page: bytes) -> str:
    """The youth's file as shown, without what changes on every answer (tokens, nonces) and
    without « qui a consulté » (this very read is in it)."""
    text = re.sub(r'(nonce|value|content)="[^"]*"', "", page.decode())
    return text.split("Qui a consulté")[0]


def _reads() -> list[tuple]:
    return list(AccessLog.objects.order_by("pk").values_list("pk", "user_id", "at", "youth_id", "sections", "action"))


def test_a_backup_restored_on_a_new_instance_serves_the_same_file_log_and_session(
    committed_database, client, tmp_path
):
    youth = YouthFactory(followed=True, first_names="Inès", last_name="Sauvegardée")
    client.force_login(youth.referent)  # a session, kept in the database
    url = reverse("registry:youth_detail", args=[youth.pk])
    before = client.get(url)
    assert before.status_code == 200 and "SAUVEGARDÉE" in before.content.decode().upper()
    reads = _reads()
    assert reads, "the read was logged"

    target = tmp_path / f"reperes{SUFFIX[connection.vendor]}"
    call_command("backup", output=target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # every youth's file is in it
    with pytest.raises(CommandError, match="existe déjà"):
        call_command("backup", output=target)

    with new_instance(tmp_path):
        assert connection.introspection.table_names() == []
        call_command("restore", str(target), yes=True)
        assert _reads() == reads
        after = client.get(url)  # the same session: nobody logs in again after a restore
        assert after.status_code == 200
        assert _file(after.content) == _file(before.content)
        assert len(_reads()) == len(reads) + 1  # and the restored instance logs its reads


def test_a_restore_brings_the_database_back_to_the_backup(committed_database, tmp_path):
    kept = YouthFactory(last_name="Gardée")
    saved = sorted(Youth.objects.values_list("pk", "last_name"))
    target = tmp_path / f"reperes{SUFFIX[connection.vendor]}"
    call_command("backup", output=target)
    YouthFactory(last_name="Ajoutée")  # after the backup
    Youth.objects.filter(pk=kept.pk).update(last_name="Modifiée")
    call_command("restore", str(target), yes=True)
    assert sorted(Youth.objects.values_list("pk", "last_name")) == saved


def test_a_damaged_or_foreign_backup_is_refused_and_changes_nothing(committed_database, tmp_path):
    YouthFactory(last_name="Intacte")
    saved = sorted(Youth.objects.values_list("pk", "last_name"))
    suffix = SUFFIX[connection.vendor]
    damaged = tmp_path / f"abimee{suffix}"
    damaged.write_bytes(
        b"PGDMP" + b"\x00" * 200 if connection.vendor != "sqlite" else b"SQLite format 3\x00" + b"x" * 200
    )
    with pytest.raises(CommandError):
        call_command("restore", str(damaged), yes=True)
    foreign = tmp_path / "autre.zip"
    foreign.write_bytes(b"PK")
    with pytest.raises(CommandError, match="n'est pas une sauvegarde de cette base"):
        call_command("restore", str(foreign), yes=True)
    with pytest.raises(CommandError, match="n'existe pas"):
        call_command("restore", str(tmp_path / f"absente{suffix}"), yes=True)
    assert sorted(Youth.objects.values_list("pk", "last_name")) == saved


def test_the_restore_asks_before_replacing_everything(committed_database, tmp_path, monkeypatch):
    target = tmp_path / f"reperes{SUFFIX[connection.vendor]}"
    call_command("backup", output=target)
    YouthFactory(last_name="Nouvelle")
    monkeypatch.setattr("builtins.input", lambda prompt: "oui")
    with pytest.raises(CommandError, match="annulée"):
        call_command("restore", str(target))
    assert Youth.objects.filter(last_name="Nouvelle").exists()
