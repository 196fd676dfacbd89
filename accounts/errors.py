"""The one error of account and library changes, told to operators and to librarians."""

from __future__ import annotations


class AccountError(ValueError):
    """A refused change: ``field`` names the input at fault; ``str()`` is the English
    message (command line), ``chinese`` the one shown on the console's pages."""

    def __init__(self, field: str, english: str, chinese: str) -> None:
        super().__init__(f"{field}: {english}")
        self.field = field
        self.english = english
        self.chinese = chinese
