"""UnsubscribeFromReport: a recipient leaves a site's report through the link in it.

No user signs in: the link's signed token is checked by the caller, and names the site and
the address.
"""

from __future__ import annotations

from dataclasses import dataclass

from eventlens.domain.audit import ANONYMOUS
from eventlens.eventstore.catalog import Catalog


@dataclass(frozen=True, slots=True)
class UnsubscribeFromReport:
    container_id: str
    address: str


def unsubscribe_from_report(command: UnsubscribeFromReport, catalog: Catalog) -> bool:
    """True if the address was removed, False if it was not (or no longer) a recipient."""
    report = catalog.email_report(command.container_id)
    if report is None or not report.unsubscribe(command.address):
        return False
    catalog.record(report, actor=ANONYMOUS)  # a recipient, by the link: no user signed in
    return True
