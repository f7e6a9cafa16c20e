"""``veille users``: add, list and remove accounts, and issue bearer tokens."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

import psycopg

from api.accounts import ROLES, AccountError, add_user, issue_token, roles_of
from api.credentials import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from storage import accounts


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = sub.add_parser("add", help="create an account")
    add.add_argument("--email", required=True)
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--home", help="the home, for family, family_manager, resident, volunteer")
    add.add_argument("--organisation", help="the care organisation, for care_staff")
    add.add_argument("--name", default="", help="display name")
    add.add_argument("--language", default="fr", choices=("fr", "en"))
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    token = sub.add_parser("token", help="print a new bearer token (last line), shown once")
    token.add_argument("--email", required=True)
    token.add_argument("--scope", choices=ROLES, help="the role it acts as (default: strongest)")
    token.add_argument("--name", default="", help="what the token is for")
    sub.add_parser("list", help="list accounts and their roles")
    remove = sub.add_parser("remove", help="delete an account, its sessions and tokens")
    remove.add_argument("--email", required=True)


def run(args: argparse.Namespace, database_url: str) -> int:
    with psycopg.connect(database_url, autocommit=True) as conn:
        try:
            return _ACTIONS[args.action](conn, args)
        except (AccountError, psycopg.errors.IntegrityError) as exc:
            print(f"veille users {args.action}: {str(exc).splitlines()[0]}", file=sys.stderr)
            return 1


def _add(conn: accounts.Conn, args: argparse.Namespace) -> int:
    password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else None
    if password is not None and not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise AccountError(
            f"a password has {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters"
        )
    user_id = add_user(
        conn,
        args.email,
        args.role,
        home_id=args.home,
        organisation=args.organisation,
        password=password,
        display_name=args.name,
        language=args.language,
    )
    print(f"added user {user_id}: {args.email.strip().lower()} ({args.role})")
    return 0


def _token(conn: accounts.Conn, args: argparse.Namespace) -> int:
    user = accounts.user_by_email(conn, args.email.strip().lower())
    if user is None:
        raise AccountError(f"no account {args.email!r}")
    token_id, secret = issue_token(conn, user, datetime.now(UTC), args.scope, args.name)
    print(f"token {token_id} for {user.email}; shown once, keep it secret:")
    print(secret)
    return 0


def _list(conn: accounts.Conn, args: argparse.Namespace) -> int:
    for user in accounts.list_users(conn):
        homes = ", ".join(f"{m.home_id}:{m.role}" for m in accounts.memberships(conn, user.id))
        held = ", ".join(r for r in roles_of(conn, user) if r in ("administrator", "care_staff"))
        print(f"{user.email}\t{user.display_name}\t{held}\t{homes}")
    return 0


def _remove(conn: accounts.Conn, args: argparse.Namespace) -> int:
    if not accounts.remove_user(conn, args.email.strip().lower()):
        raise AccountError(f"no account {args.email!r}")
    print(f"removed {args.email}")
    return 0


_ACTIONS = {"add": _add, "token": _token, "list": _list, "remove": _remove}
