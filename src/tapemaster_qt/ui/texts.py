"""What each logon outcome says to the person at the keyboard.

The services decide *what happened* (an enum plus data); the words are the UI's, in
the user's language: every text goes through Qt's translation (context "texts").
"""

from __future__ import annotations

from datetime import datetime

from tapemaster_qt.errors import QT_TRANSLATE_NOOP
from tapemaster_qt.records import EventKind
from tapemaster_qt.services.audit import kind_of as audit_kind
from tapemaster_qt.services.auth import LogonOutcome, LogonStatus
from tapemaster_qt.services.sessions import ActiveSession, EndReason, SessionState
from tapemaster_qt.ui.i18n import (
    error_text,  # noqa: F401  (texts.error_text too)
    plural_context,
)

texts = plural_context("texts")
"""Looks up this module's texts with plurals (the others: QCoreApplication.translate)."""



def apps() -> str:
    """The authenticator apps a user may know (their names are the same everywhere)."""
    return texts.tr("Google Authenticator, Microsoft Authenticator, 2FAS, Authy or Aegis")


def skew_text(offset_seconds: int) -> str:
    """``about 1 hour behind``, ``about 3 minutes ahead``... (services.totp.describe_skew's
    rounding, in the user's language)."""
    ahead = offset_seconds > 0
    seconds = abs(offset_seconds)
    if seconds < 90 * 60:
        minutes = max(1, round(seconds / 60))
        if seconds >= 55 * 60:
            return (texts.tr("about 1 hour ahead") if ahead
                    else texts.tr("about 1 hour behind"))
        return (texts.tr("about %n minute(s) ahead", "", minutes)
                if ahead else
                texts.tr("about %n minute(s) behind", "", minutes))
    quarters = round(seconds / 900)
    hours, rest = divmod(quarters * 15, 60)
    if rest:
        text = (texts.tr("about %n hour(s) {minutes} minutes ahead", "", hours) if ahead else
                texts.tr("about %n hour(s) {minutes} minutes behind", "", hours))
        return text.format(minutes=rest)
    return (texts.tr("about %n hour(s) ahead", "", hours) if ahead
            else texts.tr("about %n hour(s) behind", "", hours))


def wait_text(seconds: int) -> str:
    """``about 3 minutes``, ``about 2 hours``: how long until something can be tried."""
    seconds = abs(seconds)
    if seconds < 90 * 60:
        minutes = max(1, round(seconds / 60))
        if seconds >= 55 * 60:
            return texts.tr("about 1 hour")
        return texts.tr("about %n minute(s)", "", minutes)
    hours, rest = divmod(round(seconds / 900) * 15, 60)
    if rest:
        return texts.tr("about %n hour(s) {minutes} minutes", "", hours).format(minutes=rest)
    return texts.tr("about %n hour(s)", "", hours)


def logon_message(outcome: LogonOutcome) -> str:
    status = outcome.status
    if status is LogonStatus.AUTHORIZATION_FAILURE:
        return texts.tr("Authorization Failure")
    if status is LogonStatus.REVOKED:
        return texts.tr("Access Revoked")
    if status is LogonStatus.PROGRAM_NOT_PERMITTED:
        return texts.tr("Access to {program} is not permitted").format(program=outcome.program)
    if status is LogonStatus.OTP_REQUIRED:
        return texts.tr("One Time Password required")
    if status is LogonStatus.BAD_OTP:
        return texts.tr("The One Time Password is not valid.")
    if status is LogonStatus.BAD_OTP_ENROLMENT:
        return texts.tr("The One Time Password is not valid. If you have not added TapeTrack to "
            "your authenticator app yet, log on without a code to see the QR code again "
            "and scan it.")
    if status is LogonStatus.OTP_REPLAY:
        return texts.tr("This code has already been used — wait for the next one")
    if status is LogonStatus.CLOCK_SKEW:
        how = skew_text(outcome.skew_seconds or 0)
        return texts.tr("That code belongs to another time: your device's clock is {how}. "
                        "Check the date, time and time zone on your device, then use the next code."
        ).format(how=how)
    if status is LogonStatus.CLOCK_BEHIND:
        wait = wait_text(outcome.wait_seconds or 60)
        return texts.tr("This computer's clock is behind the time of your last logon, so no One "
                        "Time Password can be accepted yet. Try again in {wait}, or ask your "
                        "administrator to check this computer's date and time.").format(wait=wait)
    if status is LogonStatus.MALFORMED_CODE:
        return texts.tr(
            "A One Time Password is the 6 digits your app shows, like 123456 or 123 456, "
            "or one of your recovery codes, like abcd-2345.")
    if status is LogonStatus.BAD_RECOVERY_CODE:
        return texts.tr(
            "That recovery code is not valid, or it was used already: each recovery code "
            "works once.")
    if status is LogonStatus.BAD_NEW_DEVICE_CODE:
        return texts.tr(
            "That is not the code your new phone shows for this QR code. Scan the QR code "
            "with the new phone (or type the Secret Key), then type the 6-digit code it "
            "shows.")
    return ""


def verify_message(outcome: LogonOutcome) -> str:
    """A refused code in the setup popup's Verify, where the QR is right there."""
    if outcome.status is LogonStatus.BAD_OTP_ENROLMENT:
        return texts.tr("That code does not match this QR code. Check that your app added the "
                        "account from this QR code (or this key), then type the code it shows now.")
    return logon_message(outcome)


def keep_codes_safe() -> str:
    return texts.tr(
        "Each recovery code logs you on once in place of a code from your app, if you lose "
        "your phone. Keep them somewhere safe that is not your phone, such as a password "
        "manager or a printed sheet in a locked drawer, and never share them: anyone with "
        "your password and one of these codes can log on as you. They are shown only now.")


def codes_left_text(left: int) -> str:
    """``9 recovery codes left``, ``1 recovery code left``, ``no recovery codes left``."""
    if left == 0:
        return texts.tr("no recovery codes left")
    return texts.tr("%n recovery code(s) left", "", left)


def session_ended_message(reason: str, by: str | None, program: str) -> str:
    """What the logon dialog says after the store ended the session (a heartbeat, or a
    check before an action)."""
    if reason == EndReason.DISCONNECTED and by:
        return texts.tr("You were logged out: an administrator ({by}) ended your session."
        ).format(by=by)
    why = {
        EndReason.DISABLED: texts.tr(
            "You were logged out: an administrator disabled your User-ID."),
        EndReason.REVOKED: texts.tr(
            "You were logged out: your User-ID was revoked (Access Revoked)."),
        EndReason.DELETED: texts.tr("You were logged out: your User-ID was deleted."),
        EndReason.PROGRAM_REMOVED: texts.tr(
            "You were logged out: an administrator removed your access to {program}."
        ).format(program=program),
        EndReason.OTP_CHANGED: texts.tr(
            "You were logged out: an administrator switched on or reset your One "
            "Time Password; log on again to set it up."),
        EndReason.INTEGRITY_FAILED: texts.tr(
            "You were logged out: your User-ID's record failed its integrity "
            "check — contact your administrator."),
        EndReason.DISCONNECTED: texts.tr(
            "You were logged out: an administrator ended your session."),
    }
    return why.get(reason) or texts.tr("You were logged out: your session was ended.")


def rights_removed() -> str:
    return texts.tr("An administrator removed your tapemaster rights; the administration "
                    "windows were closed.")


def session_end_reason(reason: str | None) -> str:
    """Why a session is ending, as Active Users says it."""
    return {
        EndReason.DISABLED: texts.tr("User-ID disabled"),
        EndReason.REVOKED: texts.tr("User-ID revoked"),
        EndReason.DELETED: texts.tr("User-ID deleted"),
        EndReason.PROGRAM_REMOVED: texts.tr("program access removed"),
        EndReason.OTP_CHANGED: texts.tr("One Time Password switched on or reset"),
        EndReason.INTEGRITY_FAILED: texts.tr("record failed its integrity check"),
        EndReason.DISCONNECTED: texts.tr("disconnected"),
    }.get(reason or "", reason or "")


def session_state(session: ActiveSession) -> str:
    """Active Users' State column."""
    if session.state is SessionState.ENDING:
        why = session_end_reason(session.reason)
        if session.ended_by:
            return texts.tr("Ending: {why} by {user}").format(
                why=why, user=session.ended_by)
        return texts.tr("Ending: {why}").format(why=why)
    if session.state is SessionState.NOT_RESPONDING:
        return texts.tr("Not responding")
    return texts.tr("Active")


def session_state_tip(session: ActiveSession) -> str:
    """The State cell's tooltip: what happens next."""
    if session.state is SessionState.ENDING:
        return texts.tr(
            "Its program logs out at its next heartbeat (within a minute) and says why.")
    if session.state is SessionState.NOT_RESPONDING:
        return texts.tr(
            "No heartbeat for over two minutes: the program is busy, suspended or gone. "
            "The session is removed once it has not been seen for five minutes.")
    return texts.tr("The program checked in within the last two minutes.")


def local_time(iso: str | None, *, never: str | None = None, seconds: bool = False) -> str:
    """A stored UTC timestamp in the user's local time, to the minute (or second);
    ``never`` (default: "never", translated) when there is none."""
    if not iso:
        return texts.tr("never") if never is None else never
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def yes_no(value: bool) -> str:
    """A True/False property's value as the grid shows it."""
    return texts.tr("True") if value else texts.tr("False")


# --- the audit log in words -------------------------------------------------------------
# One table: what each event (and each reason a logon was refused) reads as in the Audit
# Log and its CSV export. tests/unit/test_texts.py checks that every event the services
# write, and every one UI-CONTRACT.md names, has its words. Events that programs in
# progress add (sessions, recovery codes, store checks) are here already, so that a log
# written by a newer program still reads in words.

EVENT_WORDS: dict[str, str] = {
    "login_succeeded": QT_TRANSLATE_NOOP("texts", "Logged on"),
    "login_failed": QT_TRANSLATE_NOOP("texts", "Logon refused"),
    "logged_out": QT_TRANSLATE_NOOP("texts", "Logged out"),
    "otp_enrollment_shown": QT_TRANSLATE_NOOP("texts", "QR code shown"),
    "otp_activated": QT_TRANSLATE_NOOP("texts", "One Time Password activated"),
    "otp_enabled": QT_TRANSLATE_NOOP("texts", "One Time Password switched on"),
    "otp_disabled": QT_TRANSLATE_NOOP("texts", "One Time Password switched off"),
    "otp_replay_rejected": QT_TRANSLATE_NOOP("texts", "One Time Password used twice"),
    "otp_clock_skew": QT_TRANSLATE_NOOP("texts", "Device clock is off"),
    "account_revoked": QT_TRANSLATE_NOOP("texts", "User-ID revoked"),
    "account_unlocked": QT_TRANSLATE_NOOP("texts", "User-ID unlocked"),
    "password_changed": QT_TRANSLATE_NOOP("texts", "Password changed"),
    "user_created": QT_TRANSLATE_NOOP("texts", "User added"),
    "user_updated": QT_TRANSLATE_NOOP("texts", "User changed"),
    "user_deleted": QT_TRANSLATE_NOOP("texts", "User deleted"),
    "group_created": QT_TRANSLATE_NOOP("texts", "Group added"),
    "group_updated": QT_TRANSLATE_NOOP("texts", "Group changed"),
    "group_deleted": QT_TRANSLATE_NOOP("texts", "Group deleted"),
    "integrity_failed": QT_TRANSLATE_NOOP("texts", "Record changed outside TapeMaster"),
    "record_resealed": QT_TRANSLATE_NOOP("texts", "Record re-sealed"),
    "setting_changed": QT_TRANSLATE_NOOP("texts", "Setting changed"),
    "key_exported": QT_TRANSLATE_NOOP("texts", "Store key exported"),
    "key_imported": QT_TRANSLATE_NOOP("texts", "Store key imported"),
    "recovery_code_used": QT_TRANSLATE_NOOP("texts", "Recovery code used"),
    "recovery_codes_created": QT_TRANSLATE_NOOP("texts", "Recovery codes made"),
    "recovery_codes_revoked": QT_TRANSLATE_NOOP("texts", "Recovery codes revoked"),
    "session_ended": QT_TRANSLATE_NOOP("texts", "Session ended"),
    "store_key_restored": QT_TRANSLATE_NOOP("texts", "Store key written back"),
    "store_integrity_failed": QT_TRANSLATE_NOOP("texts", "Store changed outside TapeMaster"),
    "store_trusted": QT_TRANSLATE_NOOP("texts", "Store trusted on this computer"),
    "store_resealed": QT_TRANSLATE_NOOP("texts", "Store sealed"),
    "store_accepted": QT_TRANSLATE_NOOP("texts", "Store accepted as it is"),
    "store_backed_up": QT_TRANSLATE_NOOP("texts", "Store backed up"),
    "store_restored": QT_TRANSLATE_NOOP("texts", "Store restored"),
}
"""Each audit event, in words ("login_failed": a refusal without a known reason)."""

REASON_WORDS: dict[str, str] = {
    "unknown_user": QT_TRANSLATE_NOOP("texts", "Unknown User-ID"),
    "bad_password": QT_TRANSLATE_NOOP("texts", "Wrong password"),
    "otp_required": QT_TRANSLATE_NOOP("texts", "One Time Password missing"),
    "bad_otp": QT_TRANSLATE_NOOP("texts", "Wrong One Time Password"),
    "disabled": QT_TRANSLATE_NOOP("texts", "Logon refused: User-ID disabled"),
    "revoked": QT_TRANSLATE_NOOP("texts", "Logon refused: User-ID revoked"),
    "program_not_permitted": QT_TRANSLATE_NOOP("texts", "Logon refused: program not permitted"),
    "integrity_failed": QT_TRANSLATE_NOOP("texts",
                                          "Logon refused: record changed outside TapeMaster"),
}
"""A refused logon (``login_failed``), by the reason its detail starts with."""

_DETAIL_WORDS: dict[str, str] = {
    "bad_password": QT_TRANSLATE_NOOP("texts", "wrong password"),
    "bad_otp": QT_TRANSLATE_NOOP("texts", "wrong One Time Password"),
    "disabled": QT_TRANSLATE_NOOP("texts", "User-ID disabled"),
    "revoked": QT_TRANSLATE_NOOP("texts", "User-ID revoked"),
    "integrity_failed": QT_TRANSLATE_NOOP("texts", "record changed outside TapeMaster"),
    "clock skew": QT_TRANSLATE_NOOP("texts", "the device's clock is off"),
    "replayed code": QT_TRANSLATE_NOOP("texts", "code already used"),
    "otp secret unreadable": QT_TRANSLATE_NOOP("texts", "One Time Password secret unreadable"),
    "inactivity": QT_TRANSLATE_NOOP("texts", "no activity for too long"),
    "exit": QT_TRANSLATE_NOOP("texts", "program closed"),
    "otp": QT_TRANSLATE_NOOP("texts", "with a One Time Password"),
    "recovery code": QT_TRANSLATE_NOOP("texts", "with a recovery code"),
}
"""Parts of a logon's, a refused logon's or a log out's detail (between ``;``) in
words."""

_BY_THE_USER = "by the user"
_DETAIL_WORDS[_BY_THE_USER] = QT_TRANSLATE_NOOP("texts", "by the user")


def kind_words(kind: EventKind) -> str:
    """What a kind of audit row reads as, in the user's language."""
    event, reason = kind
    if reason is not None and reason in REASON_WORDS:
        return texts.tr(REASON_WORDS[reason])
    return texts.tr(EVENT_WORDS[event]) if event in EVENT_WORDS else event


def audit_words(event: str, detail: str) -> tuple[str, str]:
    """An audit row's event and detail in words. A refused logon's first reason is the
    event's words; the detail says the rest."""
    kind = audit_kind(event, detail)
    parts = [p.strip() for p in detail.split(";")] if detail else []
    if kind[1] is not None and kind[1] in REASON_WORDS:
        parts = parts[1:]
    elif event == "logged_out" and not parts:
        parts = [_BY_THE_USER]
    if event not in ("login_succeeded", "login_failed", "logged_out"):
        return kind_words(kind), detail  # a detail written for people already (English)
    return kind_words(kind), "; ".join(
        texts.tr(_DETAIL_WORDS[p]) if p in _DETAIL_WORDS else p for p in parts if p)


def kinds_in_words(text: str) -> frozenset[EventKind]:
    """The kinds whose words contain ``text`` (ignoring case): what a filter typed as
    it is read on screen ("wrong password") finds besides the stored text."""
    needle = text.strip().casefold()
    if not needle:
        return frozenset()
    def matches(words: str) -> bool:  # as shown (the user's language) or in English
        return needle in words.casefold() or needle in texts.tr(words).casefold()

    found = {(event, None) for event, words in EVENT_WORDS.items()
             if event != "login_failed" and matches(words)}
    found |= {("login_failed", reason) for reason, words in REASON_WORDS.items()
              if matches(words)}
    return frozenset(found)


def random_password_message(user_id: str, password: str, *, new_user: bool = False
                            ) -> tuple[str, str]:
    """Random Password Set's message for the user: (subject, text). It holds the
    password: it goes to the clipboard or a new e-mail, never to a log."""
    who = user_id or texts.tr("(your User-ID)")
    opening = (texts.tr("A User-ID has been made for you for TapeMaster, Checkpoint and "
                        "Lite.")
               if new_user else
               texts.tr("Your password for TapeMaster, Checkpoint and Lite has been reset."))
    lines = [
        texts.tr("Hello,"),
        "",
        opening,
        "",
        texts.tr("User-ID:  {user}").format(user=who),
        texts.tr("Password: {password}").format(password=password),
        "",
        texts.tr("Log on with it, then choose a password of your own with File ▸ Reset "
                 "Password."),
        texts.tr("If you did not expect this message, tell your administrator."),
    ]
    subject = (texts.tr("Your new TapeMaster User-ID") if new_user
               else texts.tr("Your new TapeMaster password"))
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
        return texts.tr("in the future (a clock is wrong)")
    if seconds >= 86_400:
        return texts.tr("%n day(s) ago", "", int(seconds // 86_400))
    if seconds >= 3600:
        return texts.tr("%n hour(s) ago", "", int(seconds // 3600))
    if seconds >= 60:
        return texts.tr("%n minute(s) ago", "", int(seconds // 60))
    return texts.tr("just now")


def session_details(session: ActiveSession) -> list[tuple[str, str]]:
    """Active Users ▸ Properties: a session's details, label and text."""
    def when(iso: str | None) -> str:
        return texts.tr("{time} ({ago})").format(time=local_time(iso, seconds=True),
                                                 ago=ago(iso))

    return [
        (texts.tr("User-ID"), session.user_id),
        (texts.tr("State"), session_state(session)),
        (texts.tr("Program"), session.program),
        (texts.tr("Computer"), session.host),
        (texts.tr("Process ID"), str(session.pid)),
        (texts.tr("Logged on"), when(session.since)),
        (texts.tr("Last seen"), when(session.last_seen)),
        (texts.tr("Session"), str(session.id)),
    ]
