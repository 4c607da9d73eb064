"""migrations.rollback with Django: each migration `migrate APP PREVIOUS` and `migrate APP NAME`
again, Django's own contrib migrations round-tripping cleanly, an irreversible RunPython and a
lossy reverse found. Django comes from the Wagtail site's venv (`make realapps`), not parity's."""

from __future__ import annotations

from pathlib import Path

import pytest

from parity.project import Project
from parity.run import RunOptions, run
from tests.integration.test_real_apps import WAGTAIL, installed

MANAGE = """import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
from django.core.management import execute_from_command_line
execute_from_command_line(sys.argv)
"""
SETTINGS = """import os
SECRET_KEY = "not-a-secret-settings-for-a-migrations-test"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"{notes}]
DATABASES = {{"default": {{"ENGINE": "django.db.backends.postgresql", "HOST": os.environ["PGHOST"],
    "PORT": os.environ["PGPORT"], "NAME": os.environ["PGDATABASE"], "USER": os.environ["PGUSER"],
    "PASSWORD": os.environ["PGPASSWORD"]}}}}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
"""
NOTES = {
    "0001_initial.py": """from django.db import migrations, models
class Migration(migrations.Migration):
    initial = True
    operations = [migrations.CreateModel("Note", [
        ("id", models.BigAutoField(primary_key=True)), ("title", models.CharField(max_length=200))],
        options={"indexes": [models.Index(fields=["title"], name="notes_title")]})]
""",
    # A data migration without reverse_code: Django refuses to unapply it (IrreversibleError).
    "0002_titles.py": """from django.db import migrations
def forwards(apps, schema_editor):
    apps.get_model("notes", "Note").objects.filter(title="").update(title="untitled")
class Migration(migrations.Migration):
    dependencies = [("notes", "0001_initial")]
    operations = [migrations.RunPython(forwards)]
""",
    # A reverse that takes more than the forward added: the round trip loses an index.
    "0003_pinned.py": """from django.db import migrations
class Migration(migrations.Migration):
    dependencies = [("notes", "0002_titles")]
    operations = [migrations.RunSQL("ALTER TABLE notes_note ADD COLUMN pinned boolean",
        "ALTER TABLE notes_note DROP COLUMN pinned; DROP INDEX notes_title")]
""",
}
PROFILE = """host: {{venv: {venv}}}
database:
  version: '15'
  {shape}
  env: {{PGHOST: '{{host}}', PGPORT: '{{port}}', PGUSER: '{{user}}', PGPASSWORD: '{{password}}', PGDATABASE: '{{name}}'}}
migrations: {{command: [python, manage.py, migrate, --noinput], run_in: host, rollback: {rollback}}}
"""


def django_project(root: Path, notes: bool, baseline_rolls_back: bool = True) -> Path:
    """A Django project of contenttypes and auth (and the notes app); prod rolls back, and local too
    unless told not to."""
    root.mkdir()
    (root / "manage.py").write_text(MANAGE)
    (root / "settings.py").write_text(SETTINGS.format(notes=', "notes"' if notes else ""))
    if notes:
        (root / "notes" / "migrations").mkdir(parents=True)
        (root / "notes" / "__init__.py").write_text("")
        (root / "notes" / "migrations" / "__init__.py").write_text("")
        for name, text in NOTES.items():
            (root / "notes" / "migrations" / name).write_text(text)
    (root / "profiles").mkdir()
    venv = WAGTAIL / ".venv"
    (root / "profiles" / "local.yaml").write_text(PROFILE.format(venv=venv, shape="ssl: 'off'",
                                                                 rollback=str(baseline_rolls_back).lower()))
    (root / "profiles" / "prod.yaml").write_text(PROFILE.format(venv=venv, shape="ssl: required\n  superuser: false",
                                                                rollback="true"))
    return root


@pytest.fixture(scope="module")
def django_venv() -> None:
    installed(WAGTAIL / ".venv" / ".installed")


def test_djangos_own_migrations_round_trip_one_at_a_time(django_venv: None, tmp_path: Path, no_leaks: None) -> None:
    # Only prod rolls back: 14 migrations down and up are 28 Django processes.
    project = django_project(tmp_path / "contrib", notes=False, baseline_rolls_back=False)
    result = run(Project.at(project), RunOptions(target="prod")).result
    assert result.verdict == "parity", (result.divergences, result.failures)
    migrations = result.profiles["prod"].steps["migrations"]
    assert migrations.facts["rollback"]["broken"] == []
    ids = [r.id for r in migrations.revisions]
    assert "contenttypes.0001_initial" in ids and "auth.0012_alter_user_first_name_max_length" in ids
    for revision in migrations.revisions:
        assert revision.rollback is not None, revision.id
        assert (revision.rollback.downgrade, revision.rollback.upgrade) == ("ok", "ok"), revision
        assert revision.rollback.schema_changes == [], revision


def test_an_irreversible_django_migration_and_a_lossy_reverse_are_found(
    django_venv: None, tmp_path: Path, no_leaks: None
) -> None:
    result = run(Project.at(django_project(tmp_path / "notes", notes=True)), RunOptions(target="prod")).result
    assert result.divergences == []  # the same code on both sides
    failures = {f.subject: f for f in result.failures}
    assert set(failures) == {"notes.0002_titles", "notes.0003_pinned"}, result.failures
    irreversible, lossy = failures["notes.0002_titles"], failures["notes.0003_pinned"]
    assert irreversible.step == "rollback" and irreversible.target.startswith("downgrade failed")
    assert "IrreversibleError" in irreversible.detail and "is not reversible" in irreversible.detail
    assert lossy.target.startswith("the round trip changed the schema: indexes of"), lossy.target
    prod = {r.id: r for r in result.profiles["prod"].steps["migrations"].revisions}
    assert prod["notes.0001_initial"].rollback is None  # below the irreversible one: never reached
    # Back at the head: the migration undone comes back on.
    assert prod["notes.0003_pinned"].rollback is not None and prod["notes.0003_pinned"].rollback.upgrade == "ok"
