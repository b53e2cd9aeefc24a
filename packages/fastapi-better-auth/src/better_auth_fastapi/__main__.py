"""``python -m better_auth_fastapi install-triggers``: the session cache's change triggers, for a Better-Auth
database whose server does not run the onboarding plugin's migration (which installs them too)."""

from __future__ import annotations

import argparse
import os
import sys

import psycopg

from .cache import CHANNEL
from .errors import SchemaError
from .triggers import install_change_triggers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m better_auth_fastapi")
    commands = parser.add_subparsers(dest="command", required=True)
    install = commands.add_parser(
        "install-triggers",
        help="install the change triggers the session cache relies on (idempotent)",
        description='Installs a NOTIFY trigger on session, "user" and (if present) user_profile, so that session '
        "caches hear of every sign-out and profile change. Run it after Better-Auth's migration, and again after "
        "adding the onboarding plugin's table.",
    )
    # The environment by default: a URL on the command line carries the password into the process list.
    install.add_argument("--database-url", default=os.environ.get("DATABASE_URL"), help="default: $DATABASE_URL")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("set DATABASE_URL or pass --database-url")
    try:
        tables = install_change_triggers(args.database_url)
    except (SchemaError, psycopg.Error) as exc:
        print(f"install-triggers: {exc}", file=sys.stderr)
        return 1
    print(f"change triggers installed on {', '.join(tables)} (channel {CHANNEL})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
