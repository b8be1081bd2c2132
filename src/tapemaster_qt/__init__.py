"""TapeMaster Qt: TapeTrack-style desktop logon with One Time Passwords and user administration."""

__version__ = "0.1.0"

APP_ID = "com.tapemasterqt.TapeMaster"
"""The reverse-DNS application id: the desktop entry's and AppStream file's names, the
name the programs give Qt (setDesktopFileName) and the macOS bundle identifier."""

PROGRAMS = ("TapeMaster", "Lite", "Checkpoint")
"""The programs a user's Client Access rights can allow, in TapeTrack's order."""
