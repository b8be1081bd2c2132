"""Hostile input (issue 4): whatever a user or an administrator types -- control
characters, NULs, lone surrogates, right-to-left marks, 10,000 characters, odd spellings
of True and 3 -- gets a clear outcome and never a partial write.

- Logon fields (User-ID, password, code): always a :class:`LogonOutcome`, and the store
  changes exactly as that outcome says (its audit rows, one failure counted or reset,
  one session for a success; nothing at all for a malformed code).
- Every Identity field through ``add_user`` and ``update_user``: either stored as asked
  (normalised as documented: NFC and trimmed text, blank e-mail is none, ``yes``/``1``/
  ``t`` are True, ``٣`` is role 3...) or a ValidationError, ConflictError,
  NotAuthorizedError or NotFoundError with a one-line message, and then the store is
  byte-for-byte as before.
- CSV import: all rows or none, with a message saying why.

Examples are derandomized: CI sees the same ones every run. Each property records its
class in ``build/reliability/hostile.json``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpers import rfc_totp
from hostile import (
    PROPERTY,
    assert_stored_as_asked,
    bools,
    emails,
    groups,
    hostile_class,
    identity,
    mostly,
    names,
    new_audit,
    odd_text,
    programs,
    refused,
    roles,
    snapshot,
    users_of,
    valid_user_id,
)
from tapemaster_qt.services import Actor, Context
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.auth import LogonOutcome, LogonService, LogonStatus
from tapemaster_qt.services.passwords import normalize
from tapemaster_qt.services.transfer import CSV_COLUMNS, csv_rows
from unit.support import PASSWORD, skewed_code

PROPERTY_LOGON = settings(PROPERTY, max_examples=250)

# --- logon fields -------------------------------------------------------------------------

EVENTS = {
    LogonStatus.SUCCESS: ["login_succeeded"],
    LogonStatus.ENROLMENT: ["otp_enrollment_shown", "login_succeeded"],
    LogonStatus.ACTIVATED: ["otp_activated", "recovery_codes_created", "login_succeeded"],
    LogonStatus.RECOVERY: ["recovery_code_used", "login_succeeded"],
    LogonStatus.BAD_RECOVERY_CODE: ["login_failed"],
    LogonStatus.AUTHORIZATION_FAILURE: ["login_failed"],
    LogonStatus.REVOKED: ["login_failed"],
    LogonStatus.PROGRAM_NOT_PERMITTED: ["login_failed"],
    LogonStatus.OTP_REQUIRED: ["login_failed"],
    LogonStatus.BAD_OTP: ["login_failed"],
    LogonStatus.BAD_OTP_ENROLMENT: ["login_failed"],
    LogonStatus.OTP_REPLAY: ["otp_replay_rejected", "login_failed"],
    LogonStatus.CLOCK_SKEW: ["otp_clock_skew", "login_failed"],
    LogonStatus.MALFORMED_CODE: [],
}
COUNTED = {LogonStatus.AUTHORIZATION_FAILURE, LogonStatus.REVOKED, LogonStatus.BAD_OTP,
           LogonStatus.BAD_OTP_ENROLMENT, LogonStatus.OTP_REPLAY, LogonStatus.CLOCK_SKEW,
           LogonStatus.BAD_RECOVERY_CODE}
"""Counted toward revocation and in the failures since the last logon (a revoked
User-ID's attempts too: revocation must not stop the count)."""
CODE_TOKENS = ["{now}", "{now_spaced}", "{replay}", "{skew}", "{recovery}",
               "{recovery_used}"]
LOGON_USERS = ["alice", "otp-new", "otp-on", "otp-on", "tapemaster"]
LOOK_ALIKES = ["ALICE", "alice ", " alice", "alice\x00", "al\u200fice", "ａlice", "nobody"]


@pytest.fixture
def logon_site(ctx: Context, admin: AdminService, logon: LogonService, clock) -> dict:
    admin.add_user({"user_id": "alice"}, PASSWORD)
    for user_id in ("otp-new", "otp-on"):
        admin.add_user({"user_id": user_id, "otp_enabled": True}, PASSWORD)
    secrets = {u: ctx.store.decrypt_otp_secret(ctx.store.get_user(u))
               for u in ("otp-new", "otp-on")}
    code = rfc_totp(secrets["otp-on"], clock.now)
    activated = logon.logon("otp-on", PASSWORD, code)
    assert activated.status is LogonStatus.ACTIVATED
    return {"secrets": secrets, "last_code": {"otp-on": code},
            "recovery": list(activated.recovery_codes), "used": []}


def check_logon_effects(before: dict, after: dict, outcome: LogonOutcome,
                        target: str | None, threshold: int) -> None:
    status = outcome.status
    assert status in EVENTS, f"{status} is new: say here what it writes"
    rows = new_audit(before, after)
    if status is LogonStatus.MALFORMED_CODE:
        assert after == before  # a typo costs nothing and writes nothing
        return
    users_before, users_after = users_of(before), users_of(after)
    changed = {u for u in users_after if users_after[u] != users_before.get(u)}
    assert changed <= ({target} if target else set()), changed
    codes_before = [r for r in before["recovery_codes"] if r["user_id"] == target]
    codes_after = [r for r in after["recovery_codes"] if r["user_id"] == target]
    assert [r for r in after["recovery_codes"] if r["user_id"] != target] == \
        [r for r in before["recovery_codes"] if r["user_id"] != target]
    if status is LogonStatus.ACTIVATED:  # ten new codes, none of them spent
        assert not codes_before and len(codes_after) == 10
    elif status is LogonStatus.RECOVERY:  # exactly the one typed is gone
        assert len(codes_after) == len(codes_before) - 1
        assert all(r in codes_before for r in codes_after)
    else:
        assert codes_after == codes_before
    assert [(r["user_id"], r["event"]) for r in rows[:len(EVENTS[status])]] == \
        [(target, e) for e in EVENTS[status]], (status, rows)
    extra = [r["event"] for r in rows[len(EVENTS[status]):]]
    assert len(after["sessions"]) == len(before["sessions"]) + int(outcome.succeeded)
    if target is None:
        # An unknown User-ID: the answers a real one gets to wrong passwords, its
        # failures counted under a keyed hash (the failure that crosses the threshold
        # is audited like a revocation).
        assert status in (LogonStatus.AUTHORIZATION_FAILURE, LogonStatus.REVOKED)
        assert rows[0]["detail"] == "unknown_user"
        assert extra in ([], ["account_revoked"])
        assert not extra or status is LogonStatus.AUTHORIZATION_FAILURE
        return
    old, new = users_before[target], users_after[target]
    if outcome.succeeded:
        assert new["failed_logons"] == new["failures_since_logon"] == 0 and not extra
    elif status in COUNTED:
        assert new["failed_logons"] == old["failed_logons"] + 1
        assert new["failures_since_logon"] == old["failures_since_logon"] + 1
        revokes = new["failed_logons"] > threshold and not old["revoked"]
        assert extra == (["account_revoked"] if revokes else [])
        assert bool(new["revoked"]) == (revokes or bool(old["revoked"]))
    else:
        assert new["failed_logons"] == old["failed_logons"] and not extra


def test_logon_fields(ctx: Context, logon: LogonService, clock, logon_site: dict,
                      data_dir: Path) -> None:
    secrets, last_code = logon_site["secrets"], logon_site["last_code"]
    recovery_codes, used = logon_site["recovery"], logon_site["used"]
    threshold = int(ctx.store.setting("lockout_threshold"))
    support = AdminService(ctx, Actor.for_cli())
    with hostile_class("logon fields (User-ID, password, code)") as tally:

        @PROPERTY_LOGON
        @given(user_id=mostly(st.sampled_from(LOGON_USERS),
                              st.one_of(st.sampled_from(LOOK_ALIKES), odd_text), 7),
               password=mostly(st.sampled_from([PASSWORD, "Ａlice-Secret-42"]),
                               st.one_of(st.sampled_from([PASSWORD + "\x00",
                                                          PASSWORD + "\ud800", ""]),
                                         odd_text), 6),
               code=mostly(st.one_of(st.sampled_from(CODE_TOKENS), st.just(""),
                                     st.from_regex(r"[0-9]{3}[ \u00a0]?[0-9]{3}",
                                                   fullmatch=True)),
                           odd_text, 8),
               unlock=st.booleans())
        # The outcomes random text rarely reaches, always tried first.
        @example("otp-on", PASSWORD, "{replay}", True)
        @example("otp-on", PASSWORD, "{skew}", True)
        @example("otp-on", "Ａlice-Secret-42", "{now_spaced}", True)
        @example("otp-on", PASSWORD, "{replay}", True)
        @example("otp-on", PASSWORD, "{recovery}", True)
        @example("otp-on", PASSWORD, "{recovery_used}", True)
        @example("otp-new", PASSWORD, "{recovery}", True)
        @example("otp-new", PASSWORD, "", True)
        @example("alice\x00", PASSWORD, "", True)
        @example("al\u200fice", PASSWORD, "", True)
        @example("alice", PASSWORD + "\ud800", "", True)
        @example("alice", "x" * 10_000, "1" * 10_000, True)
        @example("\u202e" * 10_000, PASSWORD, "\x00" * 6, True)
        def run(user_id: str, password: str, code: str, unlock: bool) -> None:
            tally()
            if code != "{replay}":
                clock.advance(31)  # a fresh time step
            for user in ctx.store.list_users():
                if user.revoked and unlock:  # keep every state reachable (via the CLI:
                    support.unlock(user.user_id)  # tapemaster may be the revoked one)
            owner = user_id if user_id in secrets else "otp-on"
            recovery_code = None
            if code == "{recovery}" and recovery_codes:
                # otp-on's next unused code, typed as people type it: any case, with or
                # without the dash, spaces around.
                recovery_code = recovery_codes[0]
                variants = [recovery_code, recovery_code.upper(), f" {recovery_code[:4]}-"
                            f"{recovery_code[4:]} ", f"{recovery_code[:4]} {recovery_code[4:]}"]
                code = variants[len(used) % len(variants)]
            elif code == "{recovery_used}" and used:
                code = used[-1]
            elif code in ("{recovery}", "{recovery_used}"):
                code = "zzzz-zzzz"
            if code in CODE_TOKENS:
                secret = secrets[owner]
                if code == "{skew}":
                    code = skewed_code(secret, clock, 300)
                elif code == "{replay}" and owner in last_code:
                    code = last_code[owner]
                else:
                    code = rfc_totp(secret, clock.now)
                    if code == "{now_spaced}":
                        code = f"{code[:3]} {code[3:]}"
            target = user_id if user_id in {u.user_id for u in ctx.store.list_users()} \
                else None
            before = snapshot(data_dir)
            outcome = logon.logon(user_id, password, code)
            after = snapshot(data_dir)
            assert isinstance(outcome, LogonOutcome) and isinstance(outcome.status,
                                                                    LogonStatus)
            assert outcome.succeeded == (outcome.session is not None)
            if outcome.succeeded:
                assert normalize(password) == PASSWORD
                if outcome.status is LogonStatus.RECOVERY:
                    assert user_id == "otp-on" and recovery_code is not None
                    used.append(recovery_codes.pop(0))
                elif code and owner == user_id:
                    last_code[owner] = code
            check_logon_effects(before, after, outcome, target, threshold)
            if outcome.succeeded:
                tally.accept()

        run()


# --- Identity fields through the admin service ---------------------------------------------


@pytest.fixture
def actors(ctx: Context, admin: AdminService) -> dict[str, AdminService]:
    admin.add_group("OPS", "Operations")
    admin.add_user({"user_id": "alice", "email": "alice@example.com"}, PASSWORD)
    admin.add_user({"user_id": "bob", "group_id": "OPS"}, PASSWORD)
    admin.add_user({"user_id": "deputy", "tapemaster_rights": True}, PASSWORD)
    admin.add_user({"user_id": "clerk"}, PASSWORD)
    return {"tapemaster": admin, "cli": AdminService(ctx, Actor.for_cli()),
            "deputy": AdminService(ctx, Actor.for_user("deputy")),
            "clerk": AdminService(ctx, Actor.for_user("clerk"))}


def test_identity_fields_when_adding(ctx: Context, actors: dict[str, AdminService],
                                     data_dir: Path) -> None:
    with hostile_class("Identity fields: add user") as tally:

        @PROPERTY
        @given(actor=st.sampled_from(["tapemaster"] * 4 + ["cli", "deputy", "clerk"]),
               user_id=mostly(valid_user_id, st.one_of(
                   odd_text, st.sampled_from(["alice", "ALICE", "tapemaster", "-x", ""]))),
               fields=identity,
               password=mostly(st.sampled_from([None, "Good-Pass-2026", "pässwörd-ﬁ-٣"]),
                               odd_text))
        # Everything spelled oddly but validly, in one user: stored as documented.
        @example("tapemaster", "odd.ball-1", {
            "name": "  e\u0301clair  ", "email": " ann@site.example ", "description": "李",
            "group_id": " OPS ", "role": "٣", "admin_rights": " yes ", "tapemaster_rights": "T",
            "disabled": "0", "no_timeout": "y", "programs": " lite ;CHECKPOINT,,",
            "otp_enabled": "TRUE"}, "pässwörd-ﬁ-٣")
        def run(actor: str, user_id: str, fields: dict, password: str | None) -> None:
            tally()
            fields = {"user_id": user_id, **fields}
            before = snapshot(data_dir)
            created, error = refused(lambda: actors[actor].add_user(fields, password),
                                     data_dir)
            if error is not None:
                return
            tally.accept()
            after = snapshot(data_dir)
            assert created.user_id == user_id
            assert set(users_of(after)) - set(users_of(before)) == {user_id}
            assert all(users_of(after)[u] == row for u, row in users_of(before).items())
            row = users_of(after)[user_id]
            assert_stored_as_asked(row, fields)
            assert row["password_hash"] is not None or password is None
            assert not row["otp_activated"] and not row["revoked"]
            events = [(r["user_id"], r["event"]) for r in new_audit(before, after)]
            assert events == [(user_id, "user_created")] + (
                [(user_id, "otp_enabled")] if row["otp_enabled"] else [])

        run()


def test_identity_fields_when_editing(ctx: Context, actors: dict[str, AdminService],
                                      data_dir: Path) -> None:
    with hostile_class("Identity fields: Properties (update user)") as tally:

        @PROPERTY
        @given(actor=st.sampled_from(["tapemaster"] * 4 + ["cli", "deputy", "clerk"]),
               target=mostly(st.sampled_from(["alice", "bob", "tapemaster", "deputy", "clerk"]),
                             st.one_of(st.sampled_from(["nobody", "ALICE"]), odd_text)),
               fields=identity, renew=st.booleans())
        def run(actor: str, target: str, fields: dict, renew: bool) -> None:
            tally()
            before = snapshot(data_dir)
            _, error = refused(
                lambda: actors[actor].update_user(target, fields, renew_otp=renew), data_dir)
            if error is not None:
                return
            tally.accept()
            after = snapshot(data_dir)
            old, new = users_of(before)[target], users_of(after)[target]
            assert all(users_of(after)[u] == row for u, row in users_of(before).items()
                       if u != target)
            assert_stored_as_asked(new, fields)
            untouched = {"user_id", "password_hash", "failed_logons", "revoked", "created",
                         "last_logon", "last_failed_logon"}
            assert {k: new[k] for k in untouched} == {k: old[k] for k in untouched}
            rows = new_audit(before, after)
            assert {r["user_id"] for r in rows} <= {target}
            assert {r["event"] for r in rows} <= {"user_updated", "otp_enabled", "otp_disabled"}
            if new == old:
                assert rows == []

        run()


# --- CSV import ------------------------------------------------------------------------------

COLUMN_VALUES = {
    "user_id": mostly(valid_user_id, st.one_of(
        st.sampled_from(["alice", "tapemaster", ""]), odd_text), 9),
    "name": names.map(lambda v: v or ""), "email": emails.map(lambda v: v or ""),
    "description": names.map(lambda v: v or ""),
    "group_id": groups.map(lambda v: v or ""), "role": roles.map(str),
    "admin_rights": bools.map(str), "tapemaster_rights": bools.map(str),
    "disabled": bools.map(str), "no_timeout": bools.map(str),
    "programs": programs.map(lambda v: v if isinstance(v, str) else ",".join(sorted(v))),
    "otp_enabled": bools.map(str), "group_description": names.map(lambda v: v or ""),
}


def groups_of(snap: dict) -> dict[str, dict]:
    return {row["group_id"]: row for row in snap["groups"]}


@st.composite
def csv_texts(draw: st.DrawFn) -> str:
    header = draw(st.one_of(
        st.just(list(CSV_COLUMNS)),
        st.lists(st.sampled_from(CSV_COLUMNS), min_size=1, max_size=12, unique=True),
        st.lists(st.sampled_from([*CSV_COLUMNS, "bogus", "USER_ID", " name ", "",
                                  "user_id\x00", "na\nme"]), min_size=1, max_size=6),
    ))
    if "user_id" not in header and draw(st.booleans()):
        header = ["user_id", *header]
    rows = []
    clean = draw(st.integers(0, 9)) < 4  # often a file a spreadsheet would write
    for _ in range(draw(st.integers(0, 4))):
        row = [draw(COLUMN_VALUES.get(c.strip().lower(), odd_text)) for c in header]
        shape = "ok" if clean else draw(st.sampled_from(["ok", "ok", "short", "long",
                                                         "blank"]))
        if shape == "short" and row:
            row.pop()
        elif shape == "long":
            row.append("extra")
        elif shape == "blank":
            row = []
        rows.append(row)
    out = io.StringIO()
    style = "csv" if clean else draw(st.sampled_from(["csv", "raw", "crlf"]))
    if style == "raw":  # no quoting at all: commas and quotes inside fields break it
        out.write("\n".join(",".join(r) for r in [header, *rows]) + "\n")
    else:
        writer = csv.writer(out, lineterminator="\r\n" if style == "crlf" else "\n")
        writer.writerows([header, *rows])
    text = out.getvalue()
    if clean:
        return draw(st.sampled_from(["", "\ufeff"])) + text
    text = draw(st.sampled_from(["", "\ufeff", "\ufeff\ufeff", "\x00"])) + text
    junk = draw(st.sampled_from(["", '"unclosed', "\x00\x00", "a" * 200_000, '"a""b"',
                                 "\r", "\u2028"]))
    return text + junk


def test_csv_import_is_all_or_nothing(ctx: Context, actors: dict[str, AdminService],
                                      data_dir: Path) -> None:
    with hostile_class("CSV import") as tally:

        @PROPERTY
        @given(text=mostly(csv_texts(), odd_text, 9),
               actor=st.sampled_from(["tapemaster"] * 4 + ["deputy", "cli", "clerk"]))
        def run(text: str, actor: str) -> None:
            tally()
            before = snapshot(data_dir)
            count, error = refused(
                lambda: actors[actor].import_users(list(csv_rows(text))), data_dir)
            if error is not None:
                return
            tally.accept()
            rows = [fields for _, fields in csv_rows(text)]
            wanted = [f for f in rows if f.get("user_id") != "tapemaster"]
            after = snapshot(data_dir)
            added = set(users_of(after)) - set(users_of(before))
            assert count == len(wanted) == len(added)
            assert added == {f["user_id"] for f in wanted}
            assert all(users_of(after)[u] == row for u, row in users_of(before).items())
            for fields in wanted:
                known = {k: v for k, v in fields.items()
                         if k not in ("user_id", "group_description")}
                assert_stored_as_asked(users_of(after)[fields["user_id"]], known,
                                       blank_group="DEFAULT")
                assert users_of(after)[fields["user_id"]]["password_hash"] is None
            events = [(r["user_id"], r["event"]) for r in new_audit(before, after)]
            # A group the store lacked is created with the users (all or nothing).
            new_groups = set(groups_of(after)) - set(groups_of(before))
            named = {(f.get("group_id") or "").strip() for f in wanted} - {""}
            assert new_groups == named - set(groups_of(before))
            assert sorted(events) == sorted([(u, "user_created") for u in added]
                                            + [(None, "group_created")] * len(new_groups))

        run()
