"""What the project layer adds to the pages the platform composes (agencyops/sections.py): the home view's
due, blocked, risks and decision sections, and the client page's projects. Called from ProjectsConfig.ready().
"""

from __future__ import annotations

from typing import Any

from agencyops import sections as registry


def client_projects(context: registry.SectionContext) -> list[Any]:
    """The client's most recent projects by launch (one query)."""
    from projects.models import Project

    return list(Project.objects.filter(client=context.subject).order_by("-launch_date")[:20])


def register() -> None:
    """Register the project layer's sections with the platform."""
    from projects.home_sections import home_sections_for_page

    for key, order in (("due", 10), ("blocked", 20), ("risks", 25), ("decisions", 30)):
        registry.section_register(
            registry.Section(
                page=registry.HOME,
                key=key,
                order=order,
                template=f"projects/home_sections.html#{key}",
                selector=home_sections_for_page,
            )
        )
    from projects.client_projects import portal_projects_section

    # The portal home: the client's projects, their health and dates, and what waits on the client.
    registry.section_register(
        registry.Section(
            page=registry.PORTAL_HOME,
            key="projects",
            order=5,
            template="projects/portal_sections.html#projects",
            selector=portal_projects_section,
        )
    )
    registry.section_register(
        registry.Section(
            page=registry.CLIENT,
            key="projects",
            order=10,
            template="projects/client_sections.html#projects",
            selector=client_projects,
        )
    )
