"""The Python side of the shared contract (contract.json): the package's copy is the onboarding package's file, every
module reads its values from it, the session columns it names exist in a database Better-Auth migrated, and the
TypeScript side reads the same values (a Node process)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import psycopg

from better_auth_fastapi import contract, errors, tokens
from better_auth_fastapi.cache import CHANNEL
from better_auth_fastapi.invalidation import TRIGGERS_INSTALLED
from better_auth_fastapi.jwt_mode import _session_from_claims
from better_auth_fastapi.triggers import trigger_statements

ROOT = Path(__file__).resolve().parents[3]
SOURCE = ROOT / "packages" / "onboarding" / "src" / "contract.json"
COPY = Path(contract.__file__).with_name("contract.json")
FILE = json.loads(SOURCE.read_text("utf-8"))


def test_the_package_copy_is_the_onboarding_packages_file() -> None:
    # Fails while someone edits one and not the other: scripts/build-packages.mjs writes the copy.
    assert COPY.read_bytes() == SOURCE.read_bytes()


def test_every_error_the_package_answers_has_the_contracts_status_and_message() -> None:
    for code, (status, message) in errors.ERRORS.items():
        assert FILE["errors"][code] == {"status": status, "message": message}, code
        error = errors.AuthError(code)
        assert (error.status, error.message) == (status, message)
    assert errors.error_body("NOT_FOUND") == (404, {"code": "NOT_FOUND", "message": FILE["errors"]["NOT_FOUND"]["message"]})
    assert errors.error_body("INVALID_REQUEST", "name: required")[1]["message"] == "name: required"


def test_names_come_from_the_contract() -> None:
    cookies = FILE["cookies"]
    assert tokens.SESSION_COOKIE == f"{cookies['prefix']}.{cookies['sessionToken']}"
    assert tokens.session_cookie_name("https://docs.example") == cookies["securePrefix"] + tokens.SESSION_COOKIE
    assert CHANNEL == FILE["sessionChanges"]["channel"]
    sql = "\n".join(trigger_statements())
    changes = FILE["sessionChanges"]
    assert sql.count("CREATE OR REPLACE TRIGGER") == len(changes["tables"]) * len(changes["triggers"])
    assert f"FUNCTION {changes['function']}()" in sql
    for name in changes["triggers"].values():
        assert f"TRIGGER {name}" in sql and f"'{name}'" in TRIGGERS_INSTALLED, name


def test_a_token_with_the_contracts_claims_becomes_the_session() -> None:
    names = FILE["jwt"]["claims"]
    profile = {"pythonProficiency": "advanced", "developerRole": "devops", FILE["jwt"]["profileCompleted"]: True}
    session = _session_from_claims({"sub": "u1", names["email"]: "a@b.c", names["name"]: "A", names["sessionId"]: "s1",
                                    names["profile"]: profile, names["profileComplete"]: True})
    assert (session.user.id, session.user.email, session.user.name, session.session_id) == ("u1", "a@b.c", "A", "s1")
    assert session.profile is not None and session.profile.onboarding_completed
    assert session.profile.python_proficiency == "advanced"


def test_the_session_columns_read_here_exist_in_a_database_better_auth_migrated(database_url: str) -> None:
    # A Better-Auth upgrade that renamed one would otherwise surface as AUTH_UNAVAILABLE on every request.
    with psycopg.connect(database_url, autocommit=True) as conn:
        for entry in FILE["sessionColumns"].values():
            table = entry["table"].strip('"')
            present = {r[0] for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s", (table,)).fetchall()}
            for key, column in entry.items():
                if key != "table":
                    assert column.strip('"') in present, f"{table}.{column}"


def test_typescript_reads_the_same_values() -> None:
    script = """
import { ERRORS, SESSION_COOKIE, SECURE_SESSION_COOKIE, SESSION_CHANGES_CHANNEL, SESSION_CHANGE_TRIGGERS, JWT_CLAIMS }
  from "./packages/onboarding/src/contract.ts";
import { sessionChangeStatements } from "./packages/onboarding/src/session-changes.ts";
import { SERVER_ERRORS } from "./apps/server/src/http/errors.ts";
console.log(JSON.stringify({ ERRORS, SERVER_ERRORS, cookies: [SESSION_COOKIE, SECURE_SESSION_COOKIE],
  channel: SESSION_CHANGES_CHANNEL, triggers: SESSION_CHANGE_TRIGGERS, statements: sessionChangeStatements(), jwt: JWT_CLAIMS }));
"""
    out = subprocess.run(["node", "--import", "tsx", "--input-type=module", "-e", script], cwd=ROOT, check=True,
                         capture_output=True, text=True, timeout=60).stdout
    ts = json.loads(out.strip().splitlines()[-1])
    assert {c: (e["status"], e["message"]) for c, e in ts["ERRORS"].items()} == contract.ERRORS
    for code, entry in ts["SERVER_ERRORS"].items():
        assert (entry["status"], entry["message"]) == contract.ERRORS[code], code
    for code, pair in errors.ERRORS.items():
        if code in ts["SERVER_ERRORS"]:  # a code both servers answer reads the same on both
            assert (ts["SERVER_ERRORS"][code]["status"], ts["SERVER_ERRORS"][code]["message"]) == pair, code
    assert ts["cookies"] == [tokens.SESSION_COOKIE, tokens.SECURE_SESSION_COOKIE]
    assert ts["channel"] == CHANNEL
    assert ts["triggers"] == list(contract.TRIGGER_NAMES)
    assert ts["statements"] == trigger_statements()
    assert ts["jwt"] == contract.JWT_CLAIMS
