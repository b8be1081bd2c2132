"""What each logon outcome says to the person at the keyboard.

The services decide *what happened* (an enum plus data); the words are the UI's.
"""

from __future__ import annotations

from datetime import datetime

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
