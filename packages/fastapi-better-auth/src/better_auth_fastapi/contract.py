"""The contract shared with the auth server, read from ``contract.json`` (package data).

Its one home is ``packages/onboarding/src/contract.json`` in the auth server's repository: the onboarding plugin
(TypeScript) imports it, and this package ships a byte-for-byte copy (scripts/build-packages.mjs writes it; a test on
each side fails while the copy differs). It holds every error code with its status and message, the change
notifications' channel, trigger names and payload keys, the session cookie's name, the session columns read here,
and the JWT claims the onboarding plugin puts in a token.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

CONTRACT: dict[str, Any] = json.loads(resources.files(__package__).joinpath("contract.json").read_text("utf-8"))

#: Every error code: ``(status, message)``; a status of ``None`` is the framework's own (``HTTP_ERROR``).
ERRORS: dict[str, tuple[int | None, str]] = {
    code: (entry["status"], entry["message"]) for code, entry in CONTRACT["errors"].items()
}

_changes = CONTRACT["sessionChanges"]
CHANNEL: str = _changes["channel"]
FUNCTION_NAME: str = _changes["function"]
ROW_TRIGGER: str = _changes["triggers"]["row"]
TRUNCATE_TRIGGER: str = _changes["triggers"]["truncate"]
TRIGGER_NAMES: tuple[str, str] = (ROW_TRIGGER, TRUNCATE_TRIGGER)
#: SQL names of the tables a cached session is read from; the last is the onboarding plugin's (optional).
CHANGE_TABLES: tuple[str, ...] = tuple(_changes["tables"])
OPTIONAL_CHANGE_TABLES: tuple[str, ...] = tuple(_changes["optionalTables"])
#: The keys of a notification's payload: ``token``, ``user``, ``all`` and a listener's own ``probe``.
PAYLOAD: dict[str, str] = dict(_changes["payload"])

_cookies = CONTRACT["cookies"]
COOKIE_PREFIX: str = _cookies["prefix"]
SESSION_COOKIE: str = f"{_cookies['prefix']}.{_cookies['sessionToken']}"
SECURE_SESSION_COOKIE: str = f"{_cookies['securePrefix']}{SESSION_COOKIE}"

#: Better-Auth's ``session`` and ``"user"`` tables as SQL names: ``table`` and each column read here.
SESSION_COLUMNS: dict[str, str] = dict(CONTRACT["sessionColumns"]["session"])
USER_COLUMNS: dict[str, str] = dict(CONTRACT["sessionColumns"]["user"])

#: The claims of the onboarding plugin's JWT payload, and the key of the profile's completion inside ``profile``.
JWT_CLAIMS: dict[str, str] = dict(CONTRACT["jwt"]["claims"])
JWT_PROFILE_COMPLETED: str = CONTRACT["jwt"]["profileCompleted"]
