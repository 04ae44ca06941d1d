"""A family member signs in and lands on the family page, shown without the staff header (no
dashboard, no navigation of staff pages, no API tokens); a user who also holds a staff role keeps the
dashboard."""

from __future__ import annotations

from typing import Any

from django.test import Client

from longcheng.kernel.access.models import RoleAssignment

PASSWORD = "Longcheng-Family-2026!"


def _sign_in(user: Any) -> tuple[Client, Any]:
    user.set_password(PASSWORD)
    user.save()
    client = Client()
    response = client.post("/login/", {"username": user.username, "password": PASSWORD}, follow=True)
    return client, response


def test_a_family_member_lands_on_the_family_page_without_the_staff_header(world: Any) -> None:
    client, response = _sign_in(world["family"])
    assert response.redirect_chain[-1][0] == "/homesafety/family/"
    page = response.content.decode()
    assert "王秀英" in page and 'class="main"' not in page and "/account/tokens/" not in page
    assert "退出" in page  # signing out stays within reach
    assert client.get("/")["Location"] == "/homesafety/family/"


def test_a_user_with_a_staff_role_as_well_keeps_the_dashboard(world: Any) -> None:
    family = world["family"]
    RoleAssignment.objects.create(user=family, role="homesafety_operator").places.add(world["city"]["a"])
    client, response = _sign_in(family)
    assert response.redirect_chain[-1][0] == "/" and response.status_code == 200
    assert 'class="main"' in response.content.decode()


def test_staff_see_the_staff_header(world: Any) -> None:
    client, response = _sign_in(world["operator"])
    assert response.redirect_chain[-1][0] == "/" and 'class="main"' in response.content.decode()
