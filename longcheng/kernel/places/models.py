"""The administrative tree: city → district / county-level city / development zone → street / town →
community / village → grid.

Each place keeps a materialised `path` of its ancestors' codes, so "everything inside this place" is
one indexed prefix query; scoping a worker to their community relies on it on every list page.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District / county-level city")
    ZONE = "zone", _("Development zone")
    STREET = "street", _("Street / town")
    COMMUNITY = "community", _("Community / village")
    GRID = "grid", _("Grid")


# Which levels may sit directly under which: a development zone administers streets/towns of its own.
ALLOWED_CHILDREN: dict[str, set[str]] = {
    Level.CITY: {Level.DISTRICT, Level.ZONE},
    Level.DISTRICT: {Level.STREET, Level.ZONE},
    Level.ZONE: {Level.STREET},
    Level.STREET: {Level.COMMUNITY},
    Level.COMMUNITY: {Level.GRID},
    Level.GRID: set(),
}

PATH_SEPARATOR = "."


class Place(models.Model):
    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        help_text=_("GB/T 2260 (or township/village statistical) code where one exists, otherwise a local code."),
    )
    official_code = models.BooleanField(_("official code"), default=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    # e.g. "320400.320412.320412101.": a place's path is a prefix of every descendant's path.
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    # The place's outline as a GeoJSON geometry (Polygon or MultiPolygon, WGS 84 longitude/latitude),
    # loaded by the places import (kernel.places.importer); None where no outline was loaded.
    outline = models.JSONField(_("outline"), null=True, blank=True)

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["path"]
        indexes = [models.Index(fields=["level", "path"])]

    def __str__(self) -> str:
        return self.name

    # The scoping layer filters any model by "<field>__path__startswith"; places scope by themselves.
    scope_path_field = "path"

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id and self.parent else ""
        return f"{prefix}{self.code}{PATH_SEPARATOR}"

    def ancestors(self) -> models.QuerySet[Place]:
        codes = [c for c in self.path.split(PATH_SEPARATOR) if c][:-1]
        return Place.objects.filter(code__in=codes).order_by("depth")

    def descendants(self, *, include_self: bool = False) -> models.QuerySet[Place]:
        qs = Place.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    def full_name(self) -> str:
        return "".join(p.name for p in [*self.ancestors(), self] if p.level != Level.CITY) or self.name
