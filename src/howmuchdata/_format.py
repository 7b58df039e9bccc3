"""Numbers as the commands print them: significant digits without exponents for large scores.

Errors in the target's units (a negated RMSE of a price, say) run into the thousands, where
Python's ``g`` format switches to an exponent (``-1.114e+04``). These helpers keep the same
significant digits but write such values out with thousands separators (``-11,140``), so one
table or sentence never mixes ``-1.248e+04`` with ``-9466``.
"""

from __future__ import annotations

import math


def sig(value: float, digits: int = 4) -> str:
    """``value`` to ``digits`` significant digits, large values written out.

    Examples
    --------
    >>> sig(0.98254), sig(-1093.2), sig(-11140.4), sig(7325.8, 3)
    ('0.9825', '-1,093', '-11,140', '7,330')
    """
    v = float(value)
    if not math.isfinite(v):
        return str(v)
    text = f"{v:,.{digits}g}"
    if "e+" in text:  # at least 10**digits: round to the digits, then write it out
        return f"{float(f'{v:.{digits}g}'):,.0f}"
    return text


def span(lo: float, hi: float, digits: int = 4) -> str:
    """An interval of scores: ``0.91 – 0.95``, or ``-612 to -354`` when a bound is negative (a
    dash between minus signs reads as a subtraction). Both bounds get the decimals of the
    one that needs more for ``digits`` significant digits, so that ``0.5560 – 0.8293`` does
    not read ``0.556 – 0.8293``.

    Examples
    --------
    >>> span(0.556, 0.82934), span(-612.4, -354.2), span(0.0, 0.25)
    ('0.5560 – 0.8293', '-612.4 to -354.2', '0.00 – 0.25')
    """
    a, b = bounds(lo, hi, digits)
    return f"{a} to {b}" if a.startswith("-") or b.startswith("-") else f"{a} – {b}"


def bounds(lo: float, hi: float, digits: int = 4) -> tuple[str, str]:
    """The two bounds of an interval as :func:`sig` writes them, with the decimals of the one
    that shows more (values in the thousands keep none)."""
    a, b = sig(lo, digits), sig(hi, digits)
    if not all(math.isfinite(float(v)) for v in (lo, hi)):
        return a, b
    keep = max(_decimals(text) for text in (a, b))
    return tuple(  # type: ignore[return-value]
        text if "," in text else f"{float(v):.{keep}f}" for v, text in ((lo, a), (hi, b))
    )


def _decimals(text: str) -> int:
    """How many decimals ``text`` (a number as :func:`sig` writes it) shows."""
    return len(text.split(".")[1]) if "." in text else 0


def fixed(value: float, decimals: int = 4) -> str:
    """``value`` with ``decimals`` decimals below 10, fewer as it grows (at most six digits in
    all), with thousands separators: ``0.9719``, ``-715.40``, ``-11,689``. Scores in [0, 1]
    keep their aligned decimals; an error in the thousands does not print ``-11689.4629``.

    Examples
    --------
    >>> fixed(0.97191), fixed(-715.3985), fixed(-11689.4629), fixed(2489.566, 3)
    ('0.9719', '-715.40', '-11,689', '2,489.6')
    """
    v = float(value)
    if not math.isfinite(v):
        return str(v)
    whole = len(f"{abs(v):.0f}")  # digits before the point
    keep = decimals if whole <= 1 else min(decimals, max(0, 5 - whole))
    return f"{v:,.{keep}f}"


def size_span(lo: float, hi: float) -> str:
    """An interval of sample sizes as the command line and the report print it: ``"1,200 –
    4,800"``, ``"1,200 or more"`` when its far end is out of reach, ``"out of reach"`` when
    both are.

    >>> size_span(1200, 4800), size_span(1200, float("inf")), size_span(float("inf"), float("inf"))
    ('1,200 – 4,800', '1,200 or more', 'out of reach')
    """
    if not math.isfinite(lo):
        return "out of reach"
    if not math.isfinite(hi):
        return f"{lo:,.0f} or more"
    return f"{lo:,.0f} – {hi:,.0f}"
