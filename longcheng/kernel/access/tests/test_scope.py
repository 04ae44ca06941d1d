"""The scoping layer: a community worker sees their own community and nothing else."""

from __future__ import annotations

import pytest

from longcheng.kernel.access.scope import Unscoped, access_object, has_perm, restrict, scope_paths
from longcheng.kernel.errors import NotFound
from longcheng.kernel.orgs.models import Organisation
from longcheng.kernel.people.models import Resident
from longcheng.kernel.workdays.models import DayOverride


@pytest.fixture
def two_people(city, rid):
    a = Resident.objects.create(resident_id=rid(seq=1), name="甲", gender="M", birth_date="1950-01-01", place=city["a"])
    b = Resident.objects.create(resident_id=rid(seq=3), name="乙", gender="M", birth_date="1950-01-01", place=city["b"])
    return a, b


def test_worker_lists_only_their_community(two_people, worker_a):
    a, b = two_people
    assert list(restrict(Resident.objects.all(), worker_a, "people.view")) == [a]


def test_out_of_scope_is_the_same_not_found_as_nonexistent(two_people, worker_a):
    a, b = two_people
    assert access_object(Resident, worker_a, a.pk, "people.view") == a
    with pytest.raises(NotFound) as outside:
        access_object(Resident, worker_a, b.pk, "people.view")
    with pytest.raises(NotFound) as missing:
        access_object(Resident, worker_a, 999999, "people.view")
    assert outside.value.as_dict() == missing.value.as_dict()


def test_city_admin_sees_everything_and_outsider_nothing(two_people, admin, outsider):
    assert restrict(Resident.objects.all(), admin, "people.view").count() == 2
    assert restrict(Resident.objects.all(), outsider, "people.view").count() == 0
    assert not has_perm(outsider, "people.view")


def test_overlapping_scopes_collapse_to_the_ancestor(city, make_user):
    user = make_user("multi", {"community_worker": [city["a"], city["yaoguan"]]})
    assert scope_paths(user, "people.view") == (city["yaoguan"].path,)


def test_a_permission_no_role_grants_gives_nothing(worker_a):
    assert not has_perm(worker_a, "ledger.post")
    assert scope_paths(worker_a, "no.such.permission") == ()


def test_restrict_fails_closed_on_a_model_without_a_scope(admin, worker_a):
    """A model that declares no scope is an error, not an unscoped list: not even for a superuser
    or for a user who holds the permission nowhere."""
    for user in (admin, worker_a):
        with pytest.raises(Unscoped):
            restrict(DayOverride.objects.all(), user, "people.view")
    with pytest.raises(Unscoped):
        access_object(DayOverride, admin, 1, "people.view")


def test_the_organisation_directory_is_public_by_a_named_exception(city, worker_a, outsider):
    elsewhere = Organisation.objects.create(kind="department", name="溧阳市民政局", place=city["liyang"])
    assert list(restrict(Organisation.objects.all(), worker_a, "orgs.view")) == [elsewhere]
    assert not restrict(Organisation.objects.all(), outsider, "orgs.view").exists()
    # Only orgs.view is public: another permission scopes organisations by their place.
    assert not restrict(Organisation.objects.all(), worker_a, "people.view").exists()
