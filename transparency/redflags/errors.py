"""The one error the red-flag engine raises: its message is a whole sentence for the auditor."""


class RedFlagsError(Exception):
    """Bad input (unreadable file, a line that is not JSON) or bad settings."""
