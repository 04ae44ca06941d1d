"""A feature request is scoped through the kernel device's homesafety binding (a reverse relation):
the kernel's path finder must ask the database rather than guess from what is loaded."""

from __future__ import annotations

from typing import Any

from longcheng.kernel.access.scope import paths_of

from ..models import Device, FeatureRequest


def test_a_feature_request_with_its_device_loaded_still_finds_the_elders_community(world: Any) -> None:
    FeatureRequest.objects.create(device=world["band"], feature="calling", enable=True, requested_by="李梅",
                                  family_consent=True)
    # The kernel device is in memory; its binding to a homesafety device is a reverse relation.
    loaded = FeatureRequest.objects.select_related("device").get()
    assert loaded.device.pk == Device.objects.get(serial="WB-1").pk
    found = paths_of([loaded])
    assert found == {(FeatureRequest, loaded.pk): world["city"]["a"].path}
