"""What each logon outcome says to the person at the keyboard.

The services decide *what happened* (an enum plus data); the words are the UI's.
"""

from __future__ import annotations

from datetime import datetime

from tapemaster_qt.records import EventKind
from tapemaster_qt.services.audit import kind_of as audit_kind
from tapemaster_qt.services.auth import LogonOutcome, LogonStatus
from tapemaster_qt.services.sessions import ActiveSession, EndReason, SessionState
from tapemaster_qt.services.totp import describe_skew

APPS = "Google Authenticator, Microsoft Authenticator, 2FAS, Authy or Aegis"


def logon_message(outcome: LogonOutcome) -> str:
    status = outcome.status
    if status is LogonStatus.AUTHORIZATION_FAILURE:
        return "Authorization Failure"
    if status is LogonStatus.REVOKED:
        return "Access Revoked"
    if status is LogonStatus.PROGRAM_NOT_PERMITTED:
        return f"Access to {outcome.program} is not permitted"
    if status is LogonStatus.OTP_REQUIRED:
        return "One Time Password required"
    if status is LogonStatus.BAD_OTP:
        return "The One Time Password is not valid."
    if status is LogonStatus.BAD_OTP_ENROLMENT:
        return ("The One Time Password is not valid. If you have not added TapeTrack to "
                "your authenticator app yet, log on without a code to see the QR code again "
                "and scan it.")
    if status is LogonStatus.OTP_REPLAY:
        return "This code has already been used — wait for the next one"
    if status is LogonStatus.CLOCK_SKEW:
        how = describe_skew(outcome.skew_seconds or 0)
        return (f"That code belongs to another time: your device's clock is {how}. "
                "Check the date, time and time zone on your device, then use the next code.")
    if status is LogonStatus.CLOCK_BEHIND:
        wait = describe_skew(-(outcome.wait_seconds or 60)).removesuffix(" behind")
        return (f"This computer's clock is behind the time of your last logon, so no One "
                f"Time Password can be accepted yet. Try again in {wait}, or ask your "
                "administrator to check this computer's date and time.")
    if status is LogonStatus.MALFORMED_CODE:
        return ("A One Time Password is the 6 digits your app shows, like 123456 or 123 456, "
                "or one of your recovery codes, like abcd-2345.")
    if status is LogonStatus.BAD_RECOVERY_CODE:
        return ("That recovery code is not valid, or it was used already: each recovery code "
                "works once.")
    if status is LogonStatus.BAD_NEW_DEVICE_CODE:
        return ("That is not the code your new phone shows for this QR code. Scan the QR code "
                "with the new phone (or type the Secret Key), then type the 6-digit code it "
                "shows.")
    return ""


def verify_message(outcome: LogonOutcome) -> str:
    """A refused code in the setup popup's Verify, where the QR is right there."""
    if outcome.status is LogonStatus.BAD_OTP_ENROLMENT:
        return ("That code does not match this QR code. Check that your app added the "
                "account from this QR code (or this key), then type the code it shows now.")
    return logon_message(outcome)


KEEP_CODES_SAFE = (
    "Each recovery code logs you on once in place of a code from your app, if you lose "
    "your phone. Keep them somewhere safe that is not your phone, such as a password "
    "manager or a printed sheet in a locked drawer, and never share them: anyone with "
    "your password and one of these codes can log on as you. They are shown only now.")


def codes_left_text(left: int) -> str:
    """``9 recovery codes left``, ``1 recovery code left``, ``no recovery codes left``."""
    if left == 0:
        return "no recovery codes left"
    return f"{left} recovery code{'s' if left != 1 else ''} left"


def session_ended_message(reason: str, by: str | None, program: str) -> str:
    """What the logon dialog says after the store ended the session (a heartbeat, or a
    check before an action)."""
    why = {
        EndReason.DISABLED: "an administrator disabled your User-ID.",
        EndReason.REVOKED: "your User-ID was revoked (Access Revoked).",
        EndReason.DELETED: "your User-ID was deleted.",
        EndReason.PROGRAM_REMOVED: f"an administrator removed your access to {program}.",
        EndReason.OTP_CHANGED: ("an administrator switched on or reset your One Time "
                                "Password; log on again to set it up."),
        EndReason.INTEGRITY_FAILED: ("your User-ID's record failed its integrity check — "
                                     "contact your administrator."),
        EndReason.DISCONNECTED: (f"an administrator ({by}) ended your session." if by
                                 else "an administrator ended your session."),
    }.get(reason, "your session was ended.")
    return f"You were logged out: {why}"


RIGHTS_REMOVED = ("An administrator removed your tapemaster rights; the administration "
                  "windows were closed.")


def session_end_reason(reason: str | None) -> str:
    """Why a session is ending, as Active Users says it."""
    return {
        EndReason.DISABLED: "User-ID disabled",
        EndReason.REVOKED: "User-ID revoked",
        EndReason.DELETED: "User-ID deleted",
        EndReason.PROGRAM_REMOVED: "program access removed",
        EndReason.OTP_CHANGED: "One Time Password switched on or reset",
        EndReason.INTEGRITY_FAILED: "record failed its integrity check",
        EndReason.DISCONNECTED: "disconnected",
    }.get(reason or "", reason or "")


def session_state(session: ActiveSession) -> str:
    """Active Users' State column."""
    if session.state is SessionState.ENDING:
        why = session_end_reason(session.reason)
        if session.ended_by:
            why += f" by {session.ended_by}"
        return f"Ending: {why}"
    if session.state is SessionState.NOT_RESPONDING:
        return "Not responding"
    return "Active"


def session_state_tip(session: ActiveSession) -> str:
    """The State cell's tooltip: what happens next."""
    if session.state is SessionState.ENDING:
        return "Its program logs out at its next heartbeat (within a minute) and says why."
    if session.state is SessionState.NOT_RESPONDING:
        return ("No heartbeat for over two minutes: the program is busy, suspended or gone. "
                "The session is removed once it has not been seen for five minutes.")
    return "The program checked in within the last two minutes."


def local_time(iso: str | None, *, never: str = "never", seconds: bool = False) -> str:
    """A stored UTC timestamp in the user's local time, to the minute (or second)."""
    if not iso:
        return never
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def yes_no(value: bool) -> str:
    return "True" if value else "False"


# --- the audit log in words -------------------------------------------------------------
# One table: what each event (and each reason a logon was refused) reads as in the Audit
# Log and its CSV export. tests/unit/test_texts.py checks that every event the services
# write, and every one UI-CONTRACT.md names, has its words. Events that programs in
# progress add (sessions, recovery codes, store checks) are here already, so that a log
# written by a newer program still reads in words.

EVENT_WORDS: dict[str, str] = {
    "login_succeeded": "Logged on",
    "login_failed": "Logon refused",
    "logged_out": "Logged out",
    "otp_enrollment_shown": "QR code shown",
    "otp_activated": "One Time Password activated",
    "otp_enabled": "One Time Password switched on",
    "otp_disabled": "One Time Password switched off",
    "otp_replay_rejected": "One Time Password used twice",
    "otp_clock_skew": "Device clock is off",
    "account_revoked": "User-ID revoked",
    "account_unlocked": "User-ID unlocked",
    "password_changed": "Password changed",
    "user_created": "User added",
    "user_updated": "User changed",
    "user_deleted": "User deleted",
    "group_created": "Group added",
    "group_updated": "Group changed",
    "group_deleted": "Group deleted",
    "integrity_failed": "Record changed outside TapeMaster",
    "record_resealed": "Record re-sealed",
    "setting_changed": "Setting changed",
    "key_exported": "Store key exported",
    "key_imported": "Store key imported",
    "recovery_code_used": "Recovery code used",
    "recovery_codes_created": "Recovery codes made",
    "recovery_codes_revoked": "Recovery codes revoked",
    "session_ended": "Session ended",
    "store_key_restored": "Store key written back",
    "store_integrity_failed": "Store changed outside TapeMaster",
    "store_trusted": "Store trusted on this computer",
    "store_resealed": "Store sealed",
    "store_accepted": "Store accepted as it is",
    "store_backed_up": "Store backed up",
    "store_restored": "Store restored",
}
"""Each audit event, in words ("login_failed": a refusal without a known reason)."""

REASON_WORDS: dict[str, str] = {
    "unknown_user": "Unknown User-ID",
    "bad_password": "Wrong password",
    "otp_required": "One Time Password missing",
    "bad_otp": "Wrong One Time Password",
    "disabled": "Logon refused: User-ID disabled",
    "revoked": "Logon refused: User-ID revoked",
    "program_not_permitted": "Logon refused: program not permitted",
    "integrity_failed": "Logon refused: record changed outside TapeMaster",
}
"""A refused logon (``login_failed``), by the reason its detail starts with."""

_DETAIL_WORDS: dict[str, str] = {
    "bad_password": "wrong password",
    "bad_otp": "wrong One Time Password",
    "disabled": "User-ID disabled",
    "revoked": "User-ID revoked",
    "integrity_failed": "record changed outside TapeMaster",
    "clock skew": "the device's clock is off",
    "replayed code": "code already used",
    "otp secret unreadable": "One Time Password secret unreadable",
    "inactivity": "no activity for too long",
    "exit": "program closed",
    "otp": "with a One Time Password",
    "recovery code": "with a recovery code",
}
"""Parts of a logon's, a refused logon's or a log out's detail (between ``;``) in
words."""


def kind_words(kind: EventKind) -> str:
    """What a kind of audit row reads as."""
    event, reason = kind
    if reason is not None and reason in REASON_WORDS:
        return REASON_WORDS[reason]
    return EVENT_WORDS.get(event, event)


def audit_words(event: str, detail: str) -> tuple[str, str]:
    """An audit row's event and detail in words. A refused logon's first reason is the
    event's words; the detail says the rest."""
    kind = audit_kind(event, detail)
    parts = [p.strip() for p in detail.split(";")] if detail else []
    if kind[1] is not None and kind[1] in REASON_WORDS:
        parts = parts[1:]
    elif event == "logged_out" and not parts:
        parts = ["by the user"]
    if event not in ("login_succeeded", "login_failed", "logged_out"):
        return kind_words(kind), detail  # a detail written for people already
    return kind_words(kind), "; ".join(_DETAIL_WORDS.get(p, p) for p in parts if p)


def kinds_in_words(text: str) -> frozenset[EventKind]:
    """The kinds whose words contain ``text`` (ignoring case): what a filter typed as
    it is read on screen ("wrong password") finds besides the stored text."""
    needle = text.strip().casefold()
    if not needle:
        return frozenset()
    found = {(event, None) for event, words in EVENT_WORDS.items()
             if event != "login_failed" and needle in words.casefold()}
    found |= {("login_failed", reason) for reason, words in REASON_WORDS.items()
              if needle in words.casefold()}
    return frozenset(found)


def random_password_message(user_id: str, password: str, *, new_user: bool = False
                            ) -> tuple[str, str]:
    """Random Password Set's message for the user: (subject, text). It holds the
    password: it goes to the clipboard or a new e-mail, never to a log."""
    who = user_id or "(your User-ID)"
    opening = ("A User-ID has been made for you for TapeMaster, Checkpoint and Lite."
               if new_user else
               "Your password for TapeMaster, Checkpoint and Lite has been reset.")
    lines = [
        "Hello,",
        "",
        opening,
        "",
        f"User-ID:  {who}",
        f"Password: {password}",
        "",
        "Log on with it, then choose a password of your own with File ▸ Reset Password.",
        "If you did not expect this message, tell your administrator.",
    ]
    subject = "Your new TapeMaster User-ID" if new_user else "Your new TapeMaster password"
    return subject, "\n".join(lines)


def ago(iso: str | None, now: datetime | None = None) -> str:
    """How long before ``now`` a stored time was, in words ("3 minutes ago")."""
    if not iso:
        return ""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return ""
    seconds = ((now or datetime.now(moment.tzinfo)) - moment).total_seconds()
    if seconds < 0:
        return "in the future (a clock is wrong)"
    for size, unit in ((86_400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"


def session_details(session: ActiveSession) -> list[tuple[str, str]]:
    """Active Users ▸ Properties: a session's details, label and text."""
    return [
        ("User-ID", session.user_id),
        ("State", session_state(session)),
        ("Program", session.program),
        ("Computer", session.host),
        ("Process ID", str(session.pid)),
        ("Logged on", f"{local_time(session.since, seconds=True)} ({ago(session.since)})"),
        ("Last seen", f"{local_time(session.last_seen, seconds=True)} "
                      f"({ago(session.last_seen)})"),
        ("Session", str(session.id)),
    ]
