"""Addresses of this site's own pages written in a message's text ("Review it: /accidents/queue/5/")
shown as links in the inbox. Only site-relative paths become links: never another site's address
(no scheme, no "//"), and the text is escaped first, so a message cannot inject markup."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# A path of letters, digits, _ and - segments ending in "/", starting the text or after a space or
# a colon (Chinese "：" included); "//host" and "a/b" are left as text.
SITE_PATH = re.compile(r"(?:(?<=^)|(?<=[\s:：(（]))(/(?:[A-Za-z0-9_-]+/)+)")


@register.filter(needs_autoescape=True)
def site_links(text: Any, autoescape: bool = True) -> SafeString:
    escaped = str(conditional_escape(text) if autoescape else text)
    return mark_safe(SITE_PATH.sub(lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>', escaped))
