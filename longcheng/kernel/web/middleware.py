"""Interface language: Chinese unless the person chose English.

Django's LocaleMiddleware follows the browser's Accept-Language, so an office PC with an English
Windows would show the platform in English although nobody asked for it. Pages therefore follow
only an explicit choice (the language cookie set by the switcher) and otherwise use LANGUAGE_CODE
(zh-hans). API clients are programs that ask explicitly, so /api/ keeps honouring Accept-Language.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/"):
            super().process_request(request)
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
