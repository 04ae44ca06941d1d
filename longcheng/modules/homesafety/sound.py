"""The console's alarm sound, on or muted per operator: the choice is kept on the server
(OperatorSettings), so the desk an operator signs in at next rings as that operator chose. The sound
itself is made in the browser (static/homesafety/alert.js, Web Audio API: no sound file)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from longcheng.kernel.access.scope import require_perm
from longcheng.kernel.audit.actions import record
from longcheng.kernel.errors import KernelError
from longcheng.kernel.forms import refusal
from longcheng.kernel.web.decorators import staff_view

from .models import OperatorSettings

VIEW = "homesafety.view"


def is_muted(user: Any) -> bool:
    return OperatorSettings.objects.filter(user=user, alert_muted=True).exists()


def do_set_alert_sound(*, muted: bool, acting_user: Any) -> OperatorSettings:
    """Mute (or sound again) the operator's own alarm alert; audited, since a muted console hears
    no SOS."""
    require_perm(acting_user, VIEW)
    with transaction.atomic():
        own, _created = OperatorSettings.objects.select_for_update().get_or_create(user=acting_user)
        if own.alert_muted != muted:
            before = own.alert_muted
            own.alert_muted = muted
            own.save(update_fields=["alert_muted"])
            record(acting_user, "homesafety.console.sound", own, before={"alert_muted": before},
                   after={"alert_muted": muted})
    return own


class SoundForm(forms.Form):
    muted = forms.BooleanField(required=False, label=gettext_lazy("Mute the alarm sound"))


@staff_view(VIEW)
@require_POST
def console_sound(request: HttpRequest) -> HttpResponse:
    form = SoundForm(request.POST)
    try:
        if not form.is_valid():
            raise refusal(form)
        own = do_set_alert_sound(muted=form.cleaned_data["muted"], acting_user=request.user)
    except KernelError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, str(error.message))
        return redirect(reverse("homesafety:console"))
    messages.success(request, _("Alarm sound muted: new critical alarms only flash the title.") if own.alert_muted
                     else _("Alarm sound on: a new critical alarm sounds and flashes the title."))
    return redirect(reverse("homesafety:console"))
