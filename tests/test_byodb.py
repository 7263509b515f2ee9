"""Bring your own database: from a URL to an access answer as the README tells a new user.

The schema is built here with raw SQL, independently of the shop generator, with other
naming conventions (mixed-case quoted identifiers), a uuid primary key, a composite key,
an IP address column, a JSON column and a many-to-many table. The test runs the
README's commands through Typer's runner (``tutela init``, ``db upgrade``, ``datasets
reflect --as-system``, the listed edits, ``dsr plan``, ``dsr run --type access``) on
PostgreSQL and on MariaDB, and counts the lines a person edits.
"""

from __future__ import annotations

import difflib
import json
import re
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from tutela.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
ALICE = uuid.UUID("6f1c2a9e-3b7d-4e21-9a55-1c0f7e2b8d41")
BOB = uuid.UUID("0b8e4d62-71a3-4c9f-b2d6-5e4a3f9c1a07")
ALICE_EMAIL = "Alice.Martin@Example.test"

POSTGRES_SCHEMA = (
    """CREATE TABLE "People" (
        "person_uuid" uuid PRIMARY KEY,
        "EmailAddress" varchar(254) NOT NULL UNIQUE,
        "DisplayName" varchar(120),
        "Motto" text,
        "LastSeenIp" inet,
        "Preferences" jsonb,
        "CreatedAt" timestamptz NOT NULL DEFAULT now())""",
    """CREATE TABLE "Groups" ("group_id" integer PRIMARY KEY, "Title" varchar(80) NOT NULL)""",
    """CREATE TABLE "Membership" (
        "person_uuid" uuid NOT NULL REFERENCES "People" ("person_uuid"),
        "group_id" integer NOT NULL REFERENCES "Groups" ("group_id"),
        "JoinedOn" date NOT NULL,
        PRIMARY KEY ("person_uuid", "group_id"))""",
)
MARIADB_SCHEMA = (
    """CREATE TABLE `People` (
        `person_uuid` uuid PRIMARY KEY,
        `EmailAddress` varchar(254) NOT NULL UNIQUE,
        `DisplayName` varchar(120),
        `Motto` text,
        `LastSeenIp` varchar(45),
        `Preferences` json,
        `CreatedAt` datetime(6) NOT NULL DEFAULT current_timestamp(6))""",
    """CREATE TABLE `Groups` (`group_id` integer PRIMARY KEY, `Title` varchar(80) NOT NULL)""",
    """CREATE TABLE `Membership` (
        `person_uuid` uuid NOT NULL,
        `group_id` integer NOT NULL,
        `JoinedOn` date NOT NULL,
        PRIMARY KEY (`person_uuid`, `group_id`),
        FOREIGN KEY (`person_uuid`) REFERENCES `People` (`person_uuid`),
        FOREIGN KEY (`group_id`) REFERENCES `Groups` (`group_id`))""",
)


def _build(url: str) -> None:
    engine = sa.create_engine(url)
    postgres = engine.dialect.name == "postgresql"
    people = sa.table(
        "People",
        *(sa.column(n) for n in ("person_uuid", "EmailAddress", "DisplayName", "Motto")),
        *(sa.column(n) for n in ("LastSeenIp", "Preferences")),
    )
    groups = sa.table("Groups", sa.column("group_id"), sa.column("Title"))
    membership = sa.table(
        "Membership", sa.column("person_uuid"), sa.column("group_id"), sa.column("JoinedOn")
    )
    with engine.begin() as connection:
        for statement in POSTGRES_SCHEMA if postgres else MARIADB_SCHEMA:
            connection.execute(sa.text(statement))
        connection.execute(
            people.insert(),
            [
                _person(ALICE, ALICE_EMAIL, "Alice Martin", "Carpe diem", "192.0.2.10"),
                _person(BOB, "bob@example.test", "Bob Stone", "Festina lente", "198.51.100.7"),
            ],
        )
        connection.execute(
            groups.insert(), [{"group_id": 1, "Title": "Chess"}, {"group_id": 2, "Title": "Choir"}]
        )
        connection.execute(
            membership.insert(),
            [
                {"person_uuid": str(ALICE), "group_id": 1, "JoinedOn": "2024-03-01"},
                {"person_uuid": str(ALICE), "group_id": 2, "JoinedOn": "2025-01-15"},
                {"person_uuid": str(BOB), "group_id": 1, "JoinedOn": "2023-09-09"},
            ],
        )
    engine.dispose()


def _person(key: uuid.UUID, email: str, name: str, motto: str, ip: str) -> dict[str, str]:
    preferences = json.dumps({"newsletter": False, "theme": "dark"})
    return {
        "person_uuid": str(key),
        "EmailAddress": email,
        "DisplayName": name,
        "Motto": motto,
        "LastSeenIp": ip,
        "Preferences": preferences,
    }


# The edits the README lists under "Bring your own database", as (old line, new line)
# patterns on the files tutela wrote: the system's purposes, owner and country, and the
# categories of the two columns no rule could guess.
EDITS: tuple[tuple[str, str], ...] = (
    (r"owner: \"TODO: who answers for this system\"", 'owner: "Community team"'),
    (r"hosting_country: ZZ .*", "hosting_country: BE"),
    (r"purposes: \[\] .*", "purposes: [service]"),
    (r"(\{name: Motto, [^}]*?)\}", r"\1, data_categories: [user.content.public]}"),
    (r"(\{name: Preferences, [^}]*?)\}", r"\1, data_categories: [user.behavior]}"),
)


def _edit(text: str) -> str:
    for old, new in EDITS:
        text, count = re.subn(old, new, text, count=1)
        assert count == 1, f"the README's edit {old!r} found nothing to change"
    return text


def _invoke(args: list[str], env: dict[str, str]) -> Result:
    result = CliRunner().invoke(app, args, env=env)
    assert "Traceback" not in result.output
    assert result.exit_code == 0, result.output
    return result


def _byodb(url: str, tmp_path: Path) -> None:
    _build(url)
    env = {
        "COMMUNITY_URL": url,
        "TUTELA_DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite'}",
        "TUTELA_HASH_KEY": "byodb-test-key",
    }
    programme = tmp_path / "my-programme"
    systems = programme / "systems.yml"
    _invoke(["init", str(programme), "--organisation", "Example SA", "--country", "BE"], env)
    _invoke(["db", "upgrade"], env)  # tutela's own store, once
    reflect = ["datasets", "reflect", "--url-env", "COMMUNITY_URL", "--as-system", "community"]
    _invoke([*reflect, "-o", str(systems)], env)
    written = systems.read_text(encoding="utf-8")
    (email_line,) = [line for line in written.splitlines() if "{name: EmailAddress," in line]
    assert "identity: email" in email_line  # the README: reflect guesses it from the name
    assert "    connector: {type: sql, url_env: COMMUNITY_URL}\n" in written
    assert "url:" not in written
    edited = _edit(written)
    systems.write_text(edited, encoding="utf-8")
    assert _edited_lines(written, edited) <= 20

    email = f"email={ALICE_EMAIL.lower()}"
    plan = _invoke(["dsr", "plan", str(programme), "--type", "access", "--identity", email], env)
    assert "Membership" in plan.stdout
    access = ["--type", "access", "--identity", email]
    run = _invoke(["dsr", "run", str(programme), *access, "--format", "json"], env)
    _assert_alice(json.loads(run.stdout))


def _edited_lines(before: str, after: str) -> int:
    changed = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return sum(1 for line in changed if line.startswith("+") and not line.startswith("+++"))


def _assert_alice(document: dict[str, object]) -> None:
    (answer,) = document["results"]  # type: ignore[misc]
    collections = {c["collection"].rsplit(".", 1)[-1]: c for c in answer["collections"]}
    (person,) = collections["People"]["rows"]
    assert person["EmailAddress"] == ALICE_EMAIL
    assert person["DisplayName"] == "Alice Martin" and person["Motto"] == "Carpe diem"
    assert "192.0.2.10" in str(person["LastSeenIp"])
    assert "dark" in json.dumps(person["Preferences"])
    memberships = collections["Membership"]["rows"]
    assert sorted(int(row["group_id"]) for row in memberships) == [1, 2]
    assert {str(row["person_uuid"]) for row in memberships} == {str(ALICE)}


@pytest.mark.postgres
def test_byodb_postgres_access_answer_from_a_url_in_five_commands(
    postgres_url: str, tmp_path: Path
) -> None:
    _byodb(postgres_url, tmp_path)


@pytest.mark.mariadb
def test_byodb_mariadb_access_answer_from_a_url_in_five_commands(
    mariadb_url: str, tmp_path: Path
) -> None:
    _byodb(mariadb_url, tmp_path)


def test_readme_lists_the_edits_and_at_most_five_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Bring your own database", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^tutela .*$", section, flags=re.MULTILINE)
    assert 2 <= len(commands) <= 5, commands
    for needed in ("tutela init", "datasets reflect", "--as-system", "dsr plan", "--type access"):
        assert needed in section, needed
    for field in ("owner:", "hosting_country:", "purposes: [service]", "data_categories:"):
        assert field in section, field
