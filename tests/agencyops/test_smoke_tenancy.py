import pytest
from django_scopes import scope
from django_scopes.exceptions import ScopeError

from agencyops.models import Client


@pytest.mark.django_db
def test_querying_clients_outside_a_tenant_scope_raises(team):
    with pytest.raises(ScopeError):
        list(Client.objects.all())


@pytest.mark.django_db
def test_a_tenant_scope_sees_only_its_own_clients(team, other_team):
    with scope(agency=team["agency"].pk):
        names = sorted(Client.objects.values_list("name", flat=True))
    assert names == ["Acme Dental", "Birch Bakery"]
    with scope(agency=other_team["agency"].pk):
        assert Client.objects.filter(pk=team["clients"][0].pk).count() == 0
