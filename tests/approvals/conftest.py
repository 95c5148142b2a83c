"""What the approvals tests share: a project of the first client, and that client's first contact, who
approves its work."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def project(team):
    return factories.project_create(
        actor=team["coordinator"], client=team["clients"][0], name="Spring launch"
    )


@pytest.fixture
def approver(team):
    return team["contacts"][0]
