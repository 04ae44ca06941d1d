"""platformdoor's state."""

from __future__ import annotations

from django.db import models


class Item(models.Model):
    """A named thing kept in one place; whoever holds a permission there may see or change it."""

    name = models.CharField(max_length=100)
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    # The lookup the kernel's scope layer (restrict, access_object) filters on.
    scope_path_field = "place__path"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["place", "name"], name="platformdoor_item_unique")]

    def __str__(self) -> str:
        return self.name
