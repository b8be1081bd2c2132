"""Fixtures of the service tests: a logon service and a plain user with a password."""

from __future__ import annotations

import pytest

from helpers import rfc_totp
from tapemaster_qt.services import Context
from tapemaster_qt.services.admin import AdminService
from tapemaster_qt.services.auth import LogonService, LogonStatus
from unit.support import PASSWORD, enrol


@pytest.fixture
def logon(ctx: Context) -> LogonService:
    return LogonService(ctx)


@pytest.fixture
def alice(admin: AdminService) -> str:
    """``alice``: group DEFAULT, every program, no rights, no OTP, password PASSWORD."""
    admin.add_user({"user_id": "alice", "name": "Alice Archer"}, PASSWORD)
    return "alice"


@pytest.fixture
def otp_alice(alice: str, admin: AdminService, logon: LogonService, clock) -> bytes:
    """alice with OTP enabled and activated (at the clock's start, which then moves on
    by one step so the next code is fresh); returns her secret."""
    admin.set_otp(alice, True)
    secret = enrol(logon, alice)
    outcome = logon.logon(alice, PASSWORD, rfc_totp(secret, clock.now))
    assert outcome.status is LogonStatus.ACTIVATED
    clock.advance(30)
    return secret
