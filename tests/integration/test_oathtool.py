"""An independent authenticator: oath-toolkit's ``oathtool`` reads the Secret Key from
the enrolment outcome, as a user's app would, and its codes log the user on."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

import pytest

from tapemaster_qt.services import Context
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.auth import LogonService, LogonStatus

pytestmark = pytest.mark.skipif(shutil.which("oathtool") is None,
                                reason="oathtool (oath-toolkit) is not installed")

PASSWORD = "Alice-Secret-42"


def _oathtool(secret_b32: str, unix_time: float) -> str:
    when = datetime.fromtimestamp(unix_time, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return subprocess.run(
        ["oathtool", "--totp", "--base32", "--now", when, secret_b32],
        capture_output=True, text=True, check=True, timeout=30,
    ).stdout.strip()


@pytest.mark.parametrize("issuer", ["TapeTrack", "ACME Tape Vault"])
def test_oathtool_codes_activate_and_log_on(ctx: Context, admin: AdminService, clock,
                                            issuer: str) -> None:
    if issuer != "TapeTrack":
        admin.set_setting("issuer", issuer)
    admin.add_user({"user_id": "alice.a", "otp_enabled": True}, PASSWORD)
    logon = LogonService(ctx)
    enrolment = logon.logon("alice.a", PASSWORD)
    assert enrolment.status is LogonStatus.ENROLMENT
    [secret_b32] = parse_qs(urlparse(enrolment.provisioning_uri).query)["secret"]
    assert enrolment.secret_key.replace(" ", "") == secret_b32

    activation = logon.logon("alice.a", PASSWORD, _oathtool(secret_b32, clock.now))
    assert activation.status is LogonStatus.ACTIVATED
    clock.advance(30)
    code = _oathtool(secret_b32, clock.now)
    assert logon.logon("alice.a", PASSWORD, code[:3] + " " + code[3:]).status \
        is LogonStatus.SUCCESS
    # Typed from the grouped Secret Key by hand, as the popup shows it.
    clock.advance(30)
    assert logon.logon("alice.a", PASSWORD,
                       _oathtool(enrolment.secret_key.replace(" ", ""), clock.now)).status \
        is LogonStatus.SUCCESS
