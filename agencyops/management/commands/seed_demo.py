"""Load the demo agency (Brightside Creative) unless it is already there."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from agencyops.demo import DemoSummary, demo_seed


def describe_demo(summary: DemoSummary) -> list[str]:
    """The lines that tell a person how to log in to the demo."""
    width = max(len(login.who) for login in summary.logins)
    agency = summary.agency
    lines = [f"Demo agency: {agency.name} (/{agency.slug}/). Password for every login: {summary.password}"]
    lines += [f"  {login.who.ljust(width)}  {login.email}" for login in summary.logins]
    return lines


class Command(BaseCommand):
    help = "Create the demo agency Brightside Creative with its team, clients and portal logins (once)."

    def handle(self, *args: Any, **options: Any) -> None:
        summary = demo_seed()
        if summary.created:
            self.stdout.write(self.style.SUCCESS("Created the demo agency."))
        else:
            self.stdout.write("The demo agency is already there; nothing changed.")
        for line in describe_demo(summary):
            self.stdout.write(line)
