"""An agency's brand colour: a hex colour that white text stays readable on (pure; no ORM).

The portal paints its header, buttons and links in the agency's colour with white text on top, so the
colour must pass WCAG's 4.5:1 contrast for normal text against white. A colour that does not is refused
with the figure and what to do, rather than quietly darkened.
"""

from __future__ import annotations

import math
import re

# WCAG 2.x, "contrast (minimum)" for normal text.
MIN_CONTRAST_WITH_WHITE = 4.5
_HEX = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def normalise_hex_colour(value: str) -> str | None:
    """``#1F4E79``, ``1f4e79`` or ``#1f5`` as ``#1f4e79`` / ``#11ff55``; None when it is not a hex colour."""
    match = _HEX.fullmatch(value.strip())
    if match is None:
        return None
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return f"#{digits}"


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(hex_colour: str) -> float:
    """WCAG relative luminance of a normalised ``#rrggbb`` colour (0 black … 1 white)."""
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def contrast_with_white(hex_colour: str) -> float:
    """The contrast ratio of white text on this colour (1 … 21)."""
    return 1.05 / (relative_luminance(hex_colour) + 0.05)


def brand_colour_problem(value: str) -> str | None:
    """Why ``value`` cannot be the brand colour, in the words the settings page shows; None when it can."""
    colour = normalise_hex_colour(value)
    if colour is None:
        return f"“{value.strip()[:20]}” is not a colour. Write it as a hex code, e.g. #1f4e79."
    ratio = contrast_with_white(colour)
    if ratio < MIN_CONTRAST_WITH_WHITE:
        shown = math.floor(ratio * 10) / 10  # never round a failing 4.48 up to a passing-looking 4.5
        return (
            f"{colour} is too light for the white text on buttons: contrast {shown}:1, "
            f"at least {MIN_CONTRAST_WITH_WHITE}:1 is needed. Choose a darker shade."
        )
    return None
