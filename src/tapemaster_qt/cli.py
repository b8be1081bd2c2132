"""``tapemaster-admin``: the admin CLI for support staff and scripts (UI-CONTRACT.md).

Exit codes: 0 success, 1 refused or failed (one clear line on stderr), 2 usage error.
Passwords come only from standard input. It acts with the authority of whoever can
open the store (audit actor ``cli:<os-user>@<host>``) and never prints an OTP secret.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from tapemaster_qt import PROGRAMS, __version__, location, logsetup, paths, terminal
from tapemaster_qt.errors import StoreTamperedError, TapeMasterError, ValidationError
from tapemaster_qt.fields import SHOW_FIELDS
from tapemaster_qt.fileio import write_text_atomically

PROG = "tapemaster-admin"
MAX_LIMIT = 1_000_000_000
# By name: run as "python -m tapemaster_qt.cli" __name__ is "__main__", outside our logs.
logger = logging.getLogger("tapemaster_qt.cli")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        # The message may repeat an argument ("unrecognized arguments: ...").
        self.exit(2, f"{self.prog}: error: {terminal.escape(message)}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description="Administer a TapeMaster Qt user store.")
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--data-dir", metavar="DIR", help="the store folder (SQLite)")
    where.add_argument("--store", metavar="LOCATION",
                       help="a store folder, or a postgresql:// URL for a site's shared "
                            f"store (default: ${location.STORE_ENV}, "
                            f"${paths.DATA_DIR_ENV}, the site configuration file, "
                            "then the per-user folder)")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    init = sub.add_parser("init", help="create a store and set tapemaster's password (a "
                                       "PostgreSQL store: as its owner role)")
    init.add_argument("--password-stdin", action="store_true", required=True)
    sub.add_parser("upgrade", help="bring the store's schema up to this version's (a "
                                   "PostgreSQL store: as its owner role, after a backup)")

    user = sub.add_parser("user", help="manage users").add_subparsers(
        dest="action", required=True, parser_class=_Parser)
    add = user.add_parser("add", help="add a user")
    add.add_argument("user_id", metavar="USER_ID")
    add.add_argument("--name", default="")
    add.add_argument("--email")
    add.add_argument("--description", default="")
    add.add_argument("--group")
    add.add_argument("--role", type=int, choices=range(8), default=7, metavar="0-7")
    add.add_argument("--admin-rights", action="store_true")
    add.add_argument("--tapemaster-rights", action="store_true")
    add.add_argument("--no-timeout", action="store_true")
    add.add_argument("--programs", default=",".join(PROGRAMS),
                     help="comma-separated: TapeMaster,Lite,Checkpoint")
    add.add_argument("--password-stdin", action="store_true", required=True)
    lst = user.add_parser("list", help="list users")
    lst.add_argument("--json", action="store_true")
    show = user.add_parser("show", help="show one user")
    show.add_argument("user_id", metavar="USER_ID")
    show.add_argument("--json", action="store_true")
    passwd = user.add_parser("passwd", help="set a user's password (restores access)")
    passwd.add_argument("user_id", metavar="USER_ID")
    passwd.add_argument("--password-stdin", action="store_true", required=True)
    for name, text in (("unlock", "restore a revoked user"), ("disable", "disable a user"),
                       ("enable", "enable a disabled user"), ("delete", "delete a user")):
        user.add_parser(name, help=text).add_argument("user_id", metavar="USER_ID")
    reseal = user.add_parser(
        "reseal", help="accept a record that failed its integrity check: shows what differs "
                       "from its last-known-good copy, clears its password, rights, client "
                       "access and OTP, and leaves it revoked")
    reseal.add_argument("user_id", metavar="USER_ID")
    reseal.add_argument("--password-stdin", action="store_true",
                        help="tapemaster only: its new password, from standard input")
    imp = user.add_parser("import", help="add users from a CSV file (as user export writes)")
    imp.add_argument("file", metavar="FILE.csv")
    exp = user.add_parser("export", help="write all users as CSV or XML")
    exp.add_argument("--format", choices=("csv", "xml"), default="csv")
    exp.add_argument("--output", metavar="FILE")

    group = sub.add_parser("group", help="manage groups").add_subparsers(
        dest="action", required=True, parser_class=_Parser)
    gadd = group.add_parser("add", help="add a group")
    gadd.add_argument("group_id", metavar="GROUP_ID")
    gadd.add_argument("--description", default="")
    glist = group.add_parser("list", help="list groups")
    glist.add_argument("--json", action="store_true")

    otp = sub.add_parser("otp", help="One Time Password").add_subparsers(
        dest="action", required=True, parser_class=_Parser)
    otp.add_parser("enable", help="enable OTP (a new secret)").add_argument("user_id")
    otp.add_parser("disable", help="disable OTP (destroys the secret)").add_argument("user_id")
    status = otp.add_parser("status", help="show OTP state")
    status.add_argument("user_id", metavar="USER_ID")
    status.add_argument("--json", action="store_true")
    rec = otp.add_parser("recovery", help="how many recovery codes a user has left; "
                                          "--revoke destroys them")
    rec.add_argument("user_id", metavar="USER_ID")
    rec.add_argument("--revoke", action="store_true",
                     help="destroy the user's unused recovery codes")

    audit = sub.add_parser("audit", help="show the audit log (newest last)")
    audit.add_argument("--user", metavar="USER_ID")
    audit.add_argument("--limit", type=_positive, default=50, metavar="N")
    audit.add_argument("--json", action="store_true")
    audit.add_argument("--verify", action="store_true",
                       help="check the whole log's hash chain instead (exit 1 when broken)")

    store = sub.add_parser("store", help="the store as a whole").add_subparsers(
        dest="action", required=True, parser_class=_Parser)
    store.add_parser("verify", help="check everything: this account's trust record, "
                                    "rollback, the digest, every seal, the audit chain")
    store.add_parser("accept", help="after review: trust the store as it is now (a moved "
                                    "key, a new store id, a restored copy, records put back)")

    settings = sub.add_parser("settings", help="store settings").add_subparsers(
        dest="action", required=True, parser_class=_Parser)
    settings.add_parser("show", help="show the settings")
    sset = settings.add_parser("set", help="change a setting (issuer, lockout_threshold)")
    sset.add_argument("name")
    sset.add_argument("value")

    session = sub.add_parser("session", help="sessions of running programs").add_subparsers(
        dest="action", required=True, parser_class=_Parser)
    slist = session.add_parser("list", help="who is logged on where, and each session's "
                                            "state")
    slist.add_argument("--json", action="store_true")
    send = session.add_parser("end", help="end a session: its program logs out at its next "
                                          "heartbeat (within a minute) and says why")
    send.add_argument("session_id", metavar="SESSION_ID", type=_session_id)

    sub.add_parser("info", help="where the store and its key are")

    key = sub.add_parser("key", help="carry the store key to another desktop").add_subparsers(
        dest="action", required=True, parser_class=_Parser)
    kexp = key.add_parser("export", help="write the store key to a new file, wrapped with a "
                                         "passphrase read from standard input")
    kexp.add_argument("--output", metavar="FILE", required=True)
    kexp.add_argument("--passphrase-stdin", action="store_true", required=True)
    kimp = key.add_parser("import", help="keep a key exported on another desktop in this "
                                         "desktop's keyring (or owner-only key file)")
    kimp.add_argument("file", metavar="FILE")
    kimp.add_argument("--passphrase-stdin", action="store_true", required=True)

    bkp = sub.add_parser("backup", help="write a consistent copy of the store to a new file "
                                        "(programs may keep running)")
    bkp.add_argument("file", metavar="FILE")
    rst = sub.add_parser("restore", help="put a backup in place of the store (the current "
                                         "store is kept aside; running programs must be "
                                         "restarted)")
    rst.add_argument("--accept-findings", action="store_true",
                     help="restore a backup whose own checks fail (changed after it was "
                          "written), after review")
    rst.add_argument("file", metavar="FILE")
    return p


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    if value > MAX_LIMIT:  # SQLite's integers end at 2**63; nobody reads a billion rows
        raise argparse.ArgumentTypeError(f"must be at most {MAX_LIMIT}")
    return value


def _session_id(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 2**63:
        raise argparse.ArgumentTypeError(f"not a session id: {text!r} (see 'session list')")
    return int(text)


def _read_password(what: str = "password") -> str:
    try:
        line = sys.stdin.readline()
    except UnicodeDecodeError:
        raise ValidationError(f"The {what} on standard input is not UTF-8 text.") from None
    if not line:
        raise ValidationError(f"No {what} on standard input.")
    return line.rstrip("\r\n")


def _bool(value: bool) -> str:
    return "True" if value else "False"


def _say(line: str, *, err: bool = False) -> None:
    """Print one line: every field in it escaped (terminal.escape), so nothing from the
    store, the environment or an argument can break the line or steer the terminal."""
    print(terminal.escape(line), file=sys.stderr if err else sys.stdout)


def _print_json(data: Any) -> None:
    sys.stdout.write(terminal.json_text(data) + "\n")


def _write_output(text: str, output: str | None) -> None:
    if output is None:
        # Redirected, the export is data and stays byte for byte what it is; on a
        # terminal its control characters are shown escaped (as ls does with names).
        sys.stdout.write(terminal.escape_lines(text) if sys.stdout.isatty() else text)
        return
    try:
        write_text_atomically(output, text)
    except OSError as exc:
        raise ValidationError(
            f"{output} cannot be written ({exc.strerror or type(exc).__name__}); "
            "nothing was exported."
        ) from None


def run(args: argparse.Namespace, where: location.StoreLocation) -> int:
    from tapemaster_qt.services import Actor, Context
    from tapemaster_qt.services.admin import AdminService
    from tapemaster_qt.services.audit import AuditLog
    from tapemaster_qt.services.setup import set_initial_password
    from tapemaster_qt.services.transfer import csv_rows, users_to_csv, users_to_xml
    from tapemaster_qt.store import open_store

    folder = where.folder
    if args.command in ("backup", "restore") and folder is None:
        raise ValidationError(
            "A shared PostgreSQL store is backed up and restored by its database server "
            "(pg_dump, pg_restore: see the README), not by tapemaster-admin.")
    if args.command == "restore":
        assert folder is not None
        return _restore(folder, args.file, args.accept_findings)
    if (folder is not None and args.command != "init"
            and not os.path.lexists(paths.store_path(folder))):
        raise ValidationError(
            f"There is no user store in {folder}; create one with '{PROG} init --password-stdin'."
        )
    if args.command == "init":
        password = _read_password()
        # Refuse a weak password before open_store creates the store and its key.
        from tapemaster_qt.services.passwords import check_rules
        from tapemaster_qt.store import BUILTIN_USER

        check_rules(password, BUILTIN_USER)
    # Only init and upgrade may create or change a server's schema (as its owner role);
    # an SQLite store is created and migrated by whichever program opens it.
    with open_store(where, upgrade=args.command in ("init", "upgrade"),
                    program=PROG) as store:
        ctx = Context(store, program=PROG)
        actor = Actor.for_cli()
        admin = AdminService(ctx, actor)
        cmd, action = args.command, getattr(args, "action", None)

        if cmd == "init":
            set_initial_password(ctx, password, actor=actor.name)
            _say(f"Initialised the store in {where}; the store key is in the "
                 f"{store.key_description()}.")
        elif cmd == "upgrade":
            from tapemaster_qt.store.migrations import schema_version

            _say(f"The store {where} is at schema version {schema_version()}, this "
                 "program's.")
        elif cmd == "backup":
            from tapemaster_qt.services import maintenance

            report = maintenance.backup(ctx, actor, args.file)
            _say(f"Backed up the store ({report.users} users, {report.audit_events} audit "
                 f"events, {report.size:,} bytes) to {report.path}, readable by its owner "
                 "only. It holds password hashes and encrypted secrets, not the store key "
                 f"(that is in the {store.key_description()}): keep both safe.")
        elif cmd == "info":
            _say(f"Store:       {store.location}")
            try:
                _say(f"Store key:   {store.key_description()}")
            except TapeMasterError as exc:
                _say(f"Store key:   REFUSED: {exc.message}")
            _say(f"Users:       {store.count_users()}")
            _say(f"Version:     {__version__}")
        elif cmd == "store":
            _store_command(action, ctx, actor)
        elif cmd == "user":
            _user_command(args, action, admin, csv_rows, users_to_csv, users_to_xml)
        elif cmd == "group":
            if action == "add":
                group = admin.add_group(args.group_id, args.description)
                _say(f"Added group {group.group_id}.")
            else:
                groups = admin.list_groups()
                if args.json:
                    _print_json([{"group_id": g.group_id, "description": g.description,
                                  "members": g.members} for g in groups])
                else:
                    for g in groups:
                        mark = "" if g.integrity_ok else "  TAMPERED"
                        _say(f"{g.group_id:<10}  {g.members:>6} users  {g.description}{mark}")
        elif cmd == "otp":
            if action == "enable":
                admin.set_otp(args.user_id, True)
                _say(f"One Time Password enabled for {args.user_id}; a new secret was made. "
                     "The QR code appears at their next logon.")
            elif action == "disable":
                admin.set_otp(args.user_id, False)
                _say(f"One Time Password disabled for {args.user_id}; the secret was destroyed.")
            elif action == "recovery" and args.revoke:
                count = admin.revoke_recovery_codes(args.user_id)
                _say(f"Revoked {count} recovery code{'s' if count != 1 else ''} of "
                     f"{args.user_id}. They can make new ones in File ▸ One Time Password.")
            elif action == "recovery":
                u = admin.get_user(args.user_id)
                _say(f"{u.user_id}: {u.recovery_codes_left} recovery code"
                     f"{'s' if u.recovery_codes_left != 1 else ''} left")
            else:
                u = admin.get_user(args.user_id)
                if args.json:
                    _print_json({"user_id": u.user_id, "otp_enabled": u.otp_enabled,
                                 "otp_activated": u.otp_activated,
                                 "recovery_codes_left": u.recovery_codes_left})
                else:
                    _say(f"{u.user_id}: One Time Password {_bool(u.otp_enabled)}, "
                         f"Activated {_bool(u.otp_activated)}, "
                         f"recovery codes left {u.recovery_codes_left}")
        elif cmd == "audit":
            log = AuditLog(ctx, actor)
            if args.verify:
                chain = log.chain(whole=True)
                if not chain.ok:
                    checked = f" ({chain.checked} row(s) checked)" if chain.checked else ""
                    raise StoreTamperedError(
                        f"The audit log was changed outside TapeMaster: {chain.problem}"
                        f"{checked}.")
                _say(f"The audit log's hash chain is intact: {chain.checked} row(s) "
                     "checked against the sealed head.")
                return 0
            events = log.recent(user_id=args.user, limit=args.limit)
            tail = log.chain()
            if not tail.ok:
                _say(f"{PROG}: warning: the audit log was changed outside TapeMaster: "
                     f"{tail.problem}; check it with '{PROG} audit --verify'.", err=True)
            if args.json:
                _print_json([{"ts": e.ts, "actor": e.actor, "user_id": e.user_id,
                              "program": e.program, "host": e.host, "event": e.event,
                              "detail": e.detail} for e in events])
            else:
                for e in events:
                    _say(f"{e.ts}  {e.event:<22} {e.user_id or '-':<16} {e.actor:<24} "
                         f"{e.program}@{e.host}  {e.detail}".rstrip())
        elif cmd == "key":
            _key_command(args, action, ctx, actor, where)
        elif cmd == "session":
            _session_command(args, action, admin)
        elif cmd == "settings":
            if action == "set":
                admin.set_setting(args.name, args.value)
                _say(f"{args.name} = {admin.settings()[args.name]}")
            else:
                for name, value in admin.settings().items():
                    _say(f"{name} = {value}")
    return 0


def _key_command(args: argparse.Namespace, action: str, ctx: Any, actor: Any,
                 where: location.StoreLocation) -> None:
    from tapemaster_qt.services import sitekey

    passphrase = _read_password("passphrase")
    if action == "export":
        sitekey.export_key(ctx, actor, passphrase, Path(args.output))
        _say(f"Exported the key of the store {where} to {args.output}, wrapped with the "
             "passphrase. Carry the file and the passphrase separately; on the other "
             f"desktop: {PROG} key import FILE --passphrase-stdin")
        return
    path = Path(args.file)
    try:
        if path.stat().st_size > 1024 * 1024:
            raise ValidationError(f"{path} is not a TapeMaster Qt key file (too large).")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ValidationError(f"{path}: no such file.") from None
    except OSError as exc:
        raise ValidationError(f"{path} cannot be read ({exc.strerror}).") from None
    kept = sitekey.import_key(ctx, actor, passphrase, data, name=str(path))
    _say(f"Imported the key of the store {where}; it is now in the {kept}.")


def _restore(folder: Path, file: str, accept_findings: bool) -> int:
    from tapemaster_qt.services import Actor, maintenance

    report = maintenance.restore(folder, file, Actor.for_cli(), PROG,
                                 accept_findings=accept_findings)
    kept = ", ".join(str(p) for p in report.kept_as)
    _say(f"Restored the store in {folder} from {report.source} ({report.users} users)."
         + (f" The store it replaced is kept as {kept}." if kept else ""))
    for finding in report.findings:
        _say(f"  accepted: {finding}")
    if report.sessions:
        _say(f"{len(report.sessions)} program(s) had the store open; each tells its user "
             "that the store was replaced and must be restarted:")
        for s in report.sessions:
            _say(f"  {s.user_id} in {s.program} on {s.host} (process {s.pid})")
    return 0


def _user_command(args: argparse.Namespace, action: str, admin: Any, csv_rows: Any,
                  users_to_csv: Any, users_to_xml: Any) -> None:
    if action == "add":
        password = _read_password()
        fields = {
            "user_id": args.user_id, "name": args.name, "email": args.email,
            "description": args.description, "role": args.role,
            "admin_rights": args.admin_rights, "tapemaster_rights": args.tapemaster_rights,
            "no_timeout": args.no_timeout, "programs": args.programs,
        }
        if args.group is not None:
            fields["group_id"] = args.group
        user = admin.add_user(fields, password)
        _say(f"Added user {user.user_id} to group {user.group_id}.")
    elif action == "list":
        users = admin.export_users()
        if args.json:
            _print_json([u.as_json() for u in users])
        else:
            _say(f"{'User-ID':<16}  {'Group':<10}  {'OTP':<9}  {'State':<8}  Name")
            for u in users:
                otp = ("activated" if u.otp_activated else "enabled") if u.otp_enabled else "-"
                state = "revoked" if u.revoked else "disabled" if u.disabled else "ok"
                if not u.integrity_ok:
                    state = "TAMPERED"
                _say(f"{u.user_id:<16}  {u.group_id or '-':<10}  {otp:<9}  {state:<8}  {u.name}")
    elif action == "show":
        u = admin.get_user(args.user_id)
        if args.json:
            _print_json(u.as_json())
        else:
            for field in SHOW_FIELDS:
                _say(f"{field.label + ':':<25}{field.text(u)}")
    elif action == "passwd":
        admin.reset_password(args.user_id, _read_password())
        _say(f"Password set for {args.user_id}; the User-ID is not revoked.")
    elif action == "unlock":
        admin.unlock(args.user_id)
        _say(f"Unlocked {args.user_id}.")
    elif action in ("disable", "enable"):
        admin.set_disabled(args.user_id, action == "disable")
        _say(f"{args.user_id} is {'disabled' if action == 'disable' else 'enabled'}.")
    elif action == "delete":
        admin.delete_users([args.user_id])
        _say(f"Deleted {args.user_id}.")
    elif action == "reseal":
        from tapemaster_qt.services.admin import describe_review

        password = _read_password() if args.password_stdin else None
        done = admin.reseal(args.user_id, password)
        _say(f"Re-sealed {args.user_id}. How it differed from its last-known-good copy:")
        for line in describe_review(done.review):
            _say(f"  {line}")
        _say(f"Then: {'; '.join(done.resets)}. Review it, then unlock it and set a "
             "password (Reset Password, or user passwd).")
    elif action == "import":
        from tapemaster_qt.services.transfer import MAX_IMPORT_BYTES

        path = Path(args.file)
        try:
            if path.stat().st_size > MAX_IMPORT_BYTES:
                raise ValidationError(
                    f"{path} is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB.")
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise ValidationError(f"{path}: no such file.") from None
        except UnicodeDecodeError:
            raise ValidationError(f"{path} is not UTF-8 text.") from None
        except OSError as exc:
            raise ValidationError(f"{path} cannot be read ({exc.strerror}).") from None
        groups_before = {g.group_id for g in admin.list_groups()}
        count = admin.import_users(list(csv_rows(text)))
        created = sorted({g.group_id for g in admin.list_groups()} - groups_before)
        if created:
            _say(f"Created group(s) {', '.join(created)}.")
        _say(f"Imported {count} user(s). They have no password yet: set one with "
             f"'{PROG} user passwd USER_ID --password-stdin' or Reset Password.")
    elif action == "export":
        users = admin.export_users()
        text = (users_to_xml(users) if args.format == "xml"
                else users_to_csv(users, admin.group_descriptions()))
        _write_output(text, args.output)
        if args.output:
            _say(f"Exported {len(users)} user(s) to {args.output}.", err=True)


SESSION_STATES = {"active": "active", "not_responding": "not responding",
                  "ending": "ending"}
END_REASONS = {
    "disabled": "User-ID disabled", "revoked": "User-ID revoked",
    "deleted": "User-ID deleted", "program_removed": "program access removed",
    "otp_changed": "One Time Password switched on or reset",
    "integrity_failed": "record failed its integrity check",
    "disconnected": "disconnected", "logged_out": "logged out",
}


def _session_command(args: argparse.Namespace, action: str, admin: Any) -> None:
    if action == "end":
        ended = admin.end_session(args.session_id)
        _say(f"Session {ended.id} of {ended.user_id} ({ended.program} on {ended.host}) "
             "ends at its next heartbeat: the program logs out within a minute and says "
             "why.")
        return
    shown = admin.active_sessions()
    if args.json:
        _print_json([{
            "id": s.id, "user_id": s.user_id, "program": s.program, "host": s.host,
            "pid": s.pid, "since": s.since, "last_seen": s.last_seen,
            "state": str(s.state), "reason": None if s.reason is None else str(s.reason),
            "ended_by": s.ended_by,
        } for s in shown])
        return
    _say(f"{'ID':>10}  {'User-ID':<16}  {'Program':<10}  {'Host':<20}  {'PID':>7}  "
         f"{'Last seen (UTC)':<19}  State")
    for s in shown:
        state = SESSION_STATES.get(str(s.state), str(s.state))
        if s.reason is not None:
            state += f": {END_REASONS.get(str(s.reason), str(s.reason))}"
            if s.ended_by:
                state += f" by {s.ended_by}"
        # Hosts and programs are what each desktop reported: _say escapes them.
        _say(f"{s.id:>10}  {s.user_id:<16}  {s.program:<10}  {s.host:<20}  {s.pid:>7}  "
             f"{s.last_seen[:19].replace('T', ' '):<19}  {state}")


def _store_command(action: str, ctx: Any, actor: Any) -> None:
    from tapemaster_qt.services.integrity import StoreReview

    review = StoreReview(ctx, actor)
    if action == "verify":
        report = review.verify()
        _print_report(report)
        if not report.ok:
            raise StoreTamperedError(
                "The store does not pass every check (above); after review restore a "
                f"backup, or accept it with '{PROG} store accept', re-seal each tampered "
                "record and set each setting again.")
        _say("Every check passed.")
        return
    report = review.accept()
    _say(f"Accepted the store {report.location} as it is now "
         f"(generation {report.generation}, key in the {report.key}).")
    for line in report.accepted:
        _say(f"  accepted: {line}")
    for user_id in report.tampered_users:
        _say(f"  still tampered (review, then '{PROG} user reseal'): {user_id}")
    for line in report.setting_problems:
        _say(f"  still refused ('{PROG} settings set'): {line}")


def _print_report(report: Any) -> None:
    _say(f"Store:          {report.location} (id {report.store_id})")
    _say(f"Store key:      {report.key}")
    _say(f"Trusted key:    {report.trusted_key or 'never opened by this account'}")
    if report.mark is not None:
        seen = f"this account has seen {report.mark}"
    elif report.trusted_key is not None:
        seen = "this account's mark was made with the trusted key, not this one"
    else:
        seen = "this account never opened it"
    _say(f"Generation:     {report.generation if report.generation is not None else '?'}"
         f" ({seen})")
    for line in report.findings:
        _say(f"PROBLEM: {line}")
    for line in report.setting_problems:
        _say(f"PROBLEM: {line}")
    if report.tampered_users:
        _say("PROBLEM: records failing their integrity check: "
             + ", ".join(report.tampered_users))
    if report.tampered_groups:
        _say("PROBLEM: groups failing their integrity check: "
             + ", ".join(report.tampered_groups))
    if report.audit is not None:
        if report.audit.ok:
            _say(f"Audit log:      hash chain intact ({report.audit.checked} row(s))")
        else:
            _say(f"PROBLEM: {report.audit.problem}")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        where = location.resolve(args.store, args.data_dir)
    except TapeMasterError as exc:
        _say(f"{PROG}: error: {exc.message}", err=True)
        return 1
    log_path = logsetup.configure(where.log_dir(), stderr_prefix=PROG)
    if logsetup.problem():
        _say(f"{PROG}: warning: {logsetup.problem()}", err=True)
    if where.is_default and paths.legacy_data_dirs():
        # Windows: move 0.1.0's store (only the per-user default, never a chosen store)
        from tapemaster_qt.store.relocate import settle_default_store

        assert where.folder is not None
        settled = settle_default_store(where.folder)
        if settled.notice:
            _say(f"{PROG}: note: {settled.notice}", err=True)
        where = where.moved_to(settled.folder)
    logger.info("%s %s on the store %s (from %s)", PROG, __version__, where, where.source)
    try:
        return run(args, where)
    except TapeMasterError as exc:
        _say(f"{PROG}: error: {exc.message}", err=True)
        return 1
    except KeyboardInterrupt:
        _say(f"{PROG}: interrupted", err=True)
        return 1
    except OSError as exc:
        _say(f"{PROG}: error: {exc.strerror or exc} ({exc.filename or 'file'})", err=True)
        return 1
    except Exception:
        logger.exception("Unexpected error in %s", PROG)
        where = f" (details in {log_path})" if log_path else ""
        _say(f"{PROG}: error: an unexpected error occurred{where}", err=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
