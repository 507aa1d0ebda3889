"""The registry's models: agencies, branches, workers, filings, employment and credit.

Models stay thin: rules live in ``registry.services`` (writes) and
``registry.selectors`` (reads). Invariants that the database can hold are
constraints here. Each model lives in the module of its sub-domain; this
package imports every one of them, so Django finds them and callers keep
writing ``from registry.models import Worker``.

- ``choices``: ``District``, ``FilingStatus``.
- ``agencies``: ``Agency``, ``Branch``.
- ``workers``: ``ServiceCategory``, ``Worker``.
- ``filings``: ``Filing``, ``FilingTransition``, ``TransferRequest``.
- ``employment``: ``Employment``.
- ``credit``: ``CreditRecord``.
- ``staff``: ``AgencyStaff``, ``RegulatorProfile``.
- ``cards``: ``CardSequence``, ``CardBatch``, ``IssuedCard``.
- ``rosters``: ``RosterImport``.
- ``pages``: ``WorkerTraceLookupPage``, ``AgencyCreditLookupPage``.
- ``insurance``: ``Insurance``.
- ``visits``: ``ServiceVisit``, ``VisitRating``.
"""

from registry.models.agencies import Agency, Branch
from registry.models.cards import CardBatch, CardSequence, IssuedCard
from registry.models.choices import District, FilingStatus
from registry.models.credit import CreditRecord
from registry.models.employment import Employment
from registry.models.filings import Filing, FilingTransition, TransferRequest
from registry.models.insurance import Insurance
from registry.models.pages import AgencyCreditLookupPage, WorkerTraceLookupPage
from registry.models.rosters import RosterImport
from registry.models.staff import AgencyStaff, RegulatorProfile
from registry.models.visits import ServiceVisit, VisitRating
from registry.models.workers import ServiceCategory, Worker

__all__ = [
    "Agency",
    "AgencyCreditLookupPage",
    "AgencyStaff",
    "Branch",
    "CardBatch",
    "CardSequence",
    "CreditRecord",
    "District",
    "Employment",
    "Filing",
    "FilingStatus",
    "FilingTransition",
    "Insurance",
    "IssuedCard",
    "RegulatorProfile",
    "RosterImport",
    "ServiceCategory",
    "ServiceVisit",
    "TransferRequest",
    "VisitRating",
    "Worker",
    "WorkerTraceLookupPage",
]
