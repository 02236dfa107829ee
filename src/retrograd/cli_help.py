"""Help text and name matching for the ``retrograd`` command: every option's default shown,
names matched ignoring case, dashes and underscores."""
from __future__ import annotations

import argparse


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows every option's default (flags, and options whose default is None, say what
    happens in their own words)."""

    def _get_help_string(self, action):
        text = action.help or ""
        if ("default" in text.lower() or not action.option_strings or action.default is None
                or action.default is argparse.SUPPRESS or isinstance(action.default, bool)):
            return text
        return f"{text} (default: %(default)s)"


def show_defaults(parser: argparse.ArgumentParser) -> None:
    """Give ``parser`` the HelpFormatter, and options without help text one that states the
    default (argparse prints nothing for an option without help)."""
    parser.formatter_class = HelpFormatter
    for action in parser._actions:
        if action.option_strings and not action.help and action.default is not None \
                and not isinstance(action.default, bool) and action.default is not argparse.SUPPRESS:
            action.help = "default: %(default)s"


def canonical_name(name: str, names) -> str | None:
    """The entry of ``names`` equal to ``name`` ignoring case, dashes and underscores."""
    def key(text):
        return str(text).lower().replace("-", "").replace("_", "")

    return next((n for n in names if key(n) == key(name)), None)
