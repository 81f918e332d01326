"""Phone numbers as people read and dial them: « 03 29 19 49 31 », and a tel: link.

{% load phones %} then {{ number|phone }} (the display), {{ number|tel_uri }} (« tel:+33329194931 »)
or {{ number|phone_link }} (both, as a link). Numbers are stored as typed (« 0329194931 »,
« +33 (0)3 29 19 49 31 », « 03.29.19.49.31 »); one that is not French is shown as typed."""

import re

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

_SEPARATORS = re.compile(r"[\s.\-/]+")


def _national(number: str) -> str | None:
    """The ten digits of a French number (« 0329194931 »), or None when it is not one."""
    compact = _SEPARATORS.sub("", number or "").replace("(0)", "")
    if compact.startswith("+33"):
        compact = "0" + compact[3:]
    elif compact.startswith("0033"):
        compact = "0" + compact[4:]
    if len(compact) == 10 and compact.isdigit() and compact[0] == "0" and compact[1] != "0":
        return compact
    return None


@register.filter
def phone(number: str) -> str:
    """« 0329194931 » → « 03 29 19 49 31 »; anything else as typed."""
    national = _national(number)
    if national is None:
        return (number or "").strip()
    return " ".join(national[i : i + 2] for i in range(0, 10, 2))


@register.filter
def tel_uri(number: str) -> str:
    """The tel: address of a number (international form for a French one); empty without digits."""
    national = _national(number)
    if national is not None:
        return "tel:+33" + national[1:]
    dialable = re.sub(r"[^\d+]", "", number or "")
    return f"tel:{dialable}" if any(ch.isdigit() for ch in dialable) else ""


@register.filter
def phone_link(number: str) -> SafeString:
    """A link that dials the number on a phone, showing it grouped by two digits."""
    uri = tel_uri(number)
    if not uri:
        return format_html("{}", phone(number))
    return format_html('<a href="{}">{}</a>', uri, phone(number))
