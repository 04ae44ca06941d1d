"""A resident's family links on a page: parents, children, spouses and guardians, linked through the
same action as the API (people.actions.do_link_relative), reached from the resident's page. The
relative is named by their ID number and must be registered in the user's area: the form is no
look-up of the city's registry."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from longcheng.kernel import privacy
from longcheng.kernel.access.requests import StaffRequest
from longcheng.kernel.access.scope import access_object, restrict
from longcheng.kernel.errors import KernelError
from longcheng.kernel.people import actions as people_actions
from longcheng.kernel.people.models import RelationKind, Relationship, Resident
from longcheng.kernel.people.validators import validate_resident_id

from .decorators import staff_view
from .views import attach_error


class FamilyLinkForm(forms.Form):
    relative = forms.CharField(label=gettext_lazy("Relative's resident ID number"), max_length=25,
                               help_text=gettext_lazy("The relative must be registered in your area; register them "
                                                      "first if they are not."))
    kind = forms.ChoiceField(label=gettext_lazy("The relative is the resident's"), choices=RelationKind.choices)
    is_guardian = forms.BooleanField(label=gettext_lazy("Guardian"), required=False)
    is_family_contact = forms.BooleanField(label=gettext_lazy("Family contact"), required=False)


def _relative(user: object, number: str) -> Resident:
    """The resident with this ID number within the user's area; any other number reads the same."""
    normalised = validate_resident_id(number, field="relative")
    found = restrict(Resident.objects.filter(resident_id=normalised), user, "people.view").first()
    if found is None:
        raise KernelError(_("No resident with this ID number is registered in your area; register them first."),
                          code="not_found", field="relative")
    return found


@staff_view("people.manage")
def resident_family(request: StaffRequest, pk: int) -> HttpResponse:
    person = access_object(Resident, request.user, pk, "people.manage")
    form = FamilyLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            relative = _relative(request.user, data["relative"])
            people_actions.do_link_relative(person, relative, kind=data["kind"], is_guardian=data["is_guardian"],
                                            is_family_contact=data["is_family_contact"], acting_user=request.user)
        except KernelError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("%(relative)s is linked as %(kind)s.") % {
                "relative": privacy.shown_name(request.user, relative), "kind": RelationKind(data["kind"]).label})
            return redirect("web:resident_family", pk=person.pk)
    links = list(Relationship.objects.filter(person=person).select_related("relative__place").order_by("kind", "pk"))
    for link in links:
        link.shown_name = privacy.shown_name(request.user, link.relative)  # type: ignore[attr-defined]
    return render(request, "web/resident_family.html", {
        "person": person, "shown_name": privacy.shown_name(request.user, person), "links": links, "form": form,
    }, status=400 if form.errors else 200)
