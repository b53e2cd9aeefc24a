"""Profile requirements that change, seen from Python: the auth server's migration (`npm run migrate`) to a new
required question recomputes the stored completeness, and the backend, which reads that flag, refuses the readers
it made incomplete with 403 PROFILE_INCOMPLETE, its session cache included, on its own port and through the proxy;
migrating back lets them in again. Real Node server, real backend, a database of this module's own.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ROOT, Reader, Stack, create_database, drop_database, free_port, start_backend, start_node

PROFILE_FIELDS = ROOT / "packages" / "onboarding" / "src" / "profile-fields.json"


def migrate(database_url: str, secret: str, profile_fields: Path | None = None) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "BETTER_AUTH_SECRET": secret}
    if profile_fields is not None:
        env["PROFILE_FIELDS"] = str(profile_fields)
    subprocess.run(["node", "--import", "tsx", "apps/server/src/cli/migrate.ts"], cwd=ROOT, env=env, check=True, capture_output=True)


@pytest.fixture(scope="module")
def own_stack(admin_url: str, secret: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("requirements")
    name, url = create_database(admin_url, secret)
    started = []
    try:
        node_port = free_port()
        backend = start_backend(url, secret, f"http://127.0.0.1:{node_port}", tmp)
        started.append(backend)
        node = start_node(url, secret, backend.url, tmp, node_port)
        started.append(node)
        yield Stack(node, backend, url, secret)
    finally:
        # Every process is stopped before its database goes: a backend left running reconnects to it for good.
        for process in reversed(started):
            process.stop()
        drop_database(admin_url, name)


@pytest.fixture(scope="module")
def new_question(tmp_path_factory: pytest.TempPathFactory) -> Path:
    fields = json.loads(PROFILE_FIELDS.read_text())
    fields["preferredEditor"] = {
        "column": "preferred_editor",
        "enumType": "preferred_editor",
        "question": "Which editor do you use?",
        "input": "radio",
        "values": {"vscode": "VS Code", "vim": "Vim"},
    }
    path = tmp_path_factory.mktemp("fields") / "profile-fields.json"
    path.write_text(json.dumps(fields))
    return path


def status_within(reader: Reader, base_url: str, expected: int, seconds: float = 2.0) -> tuple[int, dict]:
    """The backend's answer to /api/me once it is ``expected``, or the last one after ``seconds`` (the change
    notification reaches its cache asynchronously, within milliseconds)."""
    deadline = time.monotonic() + seconds
    while True:
        r = reader.http.get(f"{base_url}/api/me")
        if r.status_code == expected or time.monotonic() > deadline:
            return r.status_code, r.json()
        time.sleep(0.02)


def test_a_new_required_question_makes_complete_readers_incomplete_in_python(own_stack: Stack, new_question: Path) -> None:
    readers = [Reader(own_stack).sign_up().onboard("beginner", "robotics"), Reader(own_stack).sign_up().onboard()]
    bases = [own_stack.backend.url, own_stack.node.url]
    for reader in readers:
        for base in bases:
            # Read once, so the session is in the backend's cache when the requirements change.
            assert status_within(reader, base, 200)[0] == 200

    migrate(own_stack.database_url, own_stack.secret, new_question)
    for reader in readers:
        for base in bases:
            status, body = status_within(reader, base, 403)
            assert (status, body.get("code")) == (403, "PROFILE_INCOMPLETE"), base

    migrate(own_stack.database_url, own_stack.secret)
    for reader in readers:
        for base in bases:
            status, body = status_within(reader, base, 200)
            assert status == 200, base
            assert body["profile"]["onboardingCompleted"] is True
