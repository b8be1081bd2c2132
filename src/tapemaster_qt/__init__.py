"""TapeMaster Qt: TapeTrack-style desktop logon with One Time Passwords and user administration."""

__version__ = "0.1.0"

PROGRAMS = ("TapeMaster", "Lite", "Checkpoint")
"""The programs a user's Client Access rights can allow, in TapeTrack's order."""
