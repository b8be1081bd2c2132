"""TOTP: RFC 6238 vectors, provisioning URI, verification window and skew diagnosis."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlparse

import pytest

from helpers import label_from_uri, rfc_totp, secret_from_uri
from tapemaster_qt.services import totp

SHA1_SEED = b"12345678901234567890"
SHA256_SEED = b"12345678901234567890123456789012"
SHA512_SEED = SHA1_SEED * 3 + b"1234"

# RFC 6238 Appendix B: (time, sha1, sha256, sha512)
RFC_VECTORS = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


@pytest.mark.parametrize(
    ("t", "digest", "seed", "column"),
    [(row[0], d, s, i) for row in RFC_VECTORS
     for i, (d, s) in enumerate(((hashlib.sha1, SHA1_SEED), (hashlib.sha256, SHA256_SEED),
                                 (hashlib.sha512, SHA512_SEED)), start=1)],
)
def test_rfc6238_appendix_b(t: int, digest, seed: bytes, column: int) -> None:
    expected = next(r for r in RFC_VECTORS if r[0] == t)[column]
    assert totp.code_at(seed, totp.time_step(t), digits=8, digest=digest) == expected


def test_eighteen_vectors_are_covered() -> None:
    assert len(RFC_VECTORS) * 3 == 18


def test_new_secret_is_160_bits_and_fresh() -> None:
    a, b = totp.new_secret(), totp.new_secret()
    assert len(a) == 20 and a != b
    assert len(totp.to_base32(a)) == 32 and "=" not in totp.to_base32(a)


def test_grouped_secret_reads_in_fours() -> None:
    assert totp.group_secret("ABCDEFGHIJKLMNOP") == "ABCD EFGH IJKL MNOP"


@pytest.mark.parametrize(
    ("issuer", "user_id"),
    [("TapeTrack", "alice"), ("ACME Tape Co", "bob.smith"), ("A&B: Tapes", "c-d"),
     ("Bänder GmbH", "x1"), ("東京テープ", "user"), ("100%", "p")],
)
def test_provisioning_uri_encodes_label_and_issuer(issuer: str, user_id: str) -> None:
    secret = totp.new_secret()
    uri = totp.provisioning_uri(secret, user_id, issuer)
    parsed = urlparse(uri)
    assert parsed.scheme == "otpauth" and parsed.netloc == "totp"
    # The path has exactly one unencoded ':' and no raw space, '&' or non-ASCII.
    assert parsed.path.count(":") == 1
    assert " " not in uri and uri.isascii()
    assert label_from_uri(uri) == f"{issuer}:{user_id}"
    query = parse_qs(parsed.query)
    assert query["issuer"] == [issuer]
    assert secret_from_uri(uri) == secret
    assert uri.startswith("otpauth://totp/") and uri.count("&") == 1


def test_uri_shape_is_exact() -> None:
    secret = bytes(range(20))
    b32 = totp.to_base32(secret)
    assert totp.provisioning_uri(secret, "alice", "TapeTrack") == (
        f"otpauth://totp/TapeTrack:alice?secret={b32}&issuer=TapeTrack"
    )
    assert totp.provisioning_uri(secret, "a", "My Co") == (
        f"otpauth://totp/My%20Co:a?secret={b32}&issuer=My%20Co"
    )


def test_match_step_accepts_current_and_neighbours_only() -> None:
    secret = totp.new_secret()
    now = 1_800_000_015.0
    step = totp.time_step(now)
    for d in (-1, 0, 1):
        code = rfc_totp(secret, (step + d) * 30)
        assert totp.match_step(secret, code, now) in {step + d, step + 1, step, step - 1}
    far = rfc_totp(secret, (step + 2) * 30)
    if far not in {rfc_totp(secret, (step + d) * 30) for d in (-1, 0, 1)}:
        assert totp.match_step(secret, far, now) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("123456", "123456"), ("123 456", "123456"), (" 123456 ", "123456"),
     ("１２３４５６", "123456"), ("١٢٣٤٥٦", "123456"), ("12345", None), ("1234567", None),
     ("12345a", None), ("¹²³⁴⁵⁶", None), ("", None), ("9" * 100, None)],
)
def test_normalize_code(text: str, expected: str | None) -> None:
    assert totp.normalize_code(text) == expected


@pytest.mark.parametrize("offset_steps", [2, -2, 20, -30, 120, -120, 240, -330, 28 * 30, -56 * 30])
def test_skew_diagnosis_finds_offset(offset_steps: int) -> None:
    secret = b"skew-test-secret-0001"
    now = 1_800_000_000.0
    code = rfc_totp(secret, now + offset_steps * 30)
    if totp.match_step(secret, code, now) is not None:
        pytest.fail("the skewed code collided with the window; pick another secret")
    result = totp.diagnose_skew(secret, code, now)
    assert result is not None
    assert result[0] == offset_steps * 30


def test_skew_diagnosis_none_for_random_code() -> None:
    secret = b"skew-test-secret-0002"
    candidates = {rfc_totp(secret, s * 30) for s in totp.skew_candidates(60_000_000)}
    window = {rfc_totp(secret, s * 30) for s in range(59_999_999, 60_000_002)}
    code = next(f"{n:06d}" for n in range(10**6) if f"{n:06d}" not in candidates | window)
    assert totp.diagnose_skew(secret, code, 60_000_000 * 30) is None


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(3600, "about 1 hour ahead"), (-3600, "about 1 hour behind"),
     (-120, "about 2 minutes behind"), (600, "about 10 minutes ahead"),
     (5 * 3600 + 1800, "about 5 hours 30 minutes ahead"), (-14 * 3600, "about 14 hours behind")],
)
def test_describe_skew(seconds: int, text: str) -> None:
    assert totp.describe_skew(seconds) == text


@pytest.mark.skipif(shutil.which("oathtool") is None,
                    reason="oathtool (Debian package) is not installed")
def test_codes_match_oathtool() -> None:
    secret = totp.new_secret()
    b32 = totp.to_base32(secret)
    for t in (0, 59, 1_111_111_109, 1_800_000_000, 2_000_000_000):
        when = datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        out = subprocess.run(
            ["oathtool", "--totp", "--base32", "--now", when, b32],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        assert totp.code_at(secret, totp.time_step(t)) == out
