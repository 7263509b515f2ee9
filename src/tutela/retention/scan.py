"""Processor customers' choices for their scan data: 24 h, 48 h after the scan, or kept (seed §9).

Each customer of the DPA register has one choice: the one set with ``tutela retention
scan-policy`` (stored, source ``cli``), else the register's ``scan_retention`` (source
``register``), else ``keep`` (source ``default``): a customer who chose nothing keeps its
data, as its agreement says. A rule ``per_customer`` deletes a customer's scan data when
the chosen period has passed since the scan's end; the customer is found in the systems
by its ``account``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from tutela.errors import RequestError
from tutela.programme.durations import Duration
from tutela.programme.models import ControllerCustomer, Programme
from tutela.retention.ports import ScanPolicy
from tutela.retention.targets import Target, cutoff

KEEP = "keep"
"""The choice of a customer whose scan data is kept (until it deletes it or the service ends)."""


def rule_choices(programme: Programme) -> list[str]:
    """The periods the programme's ``per_customer`` rules offer, in their order, once each."""
    found: list[str] = []
    for rule in programme.retention:
        if rule.per_customer:
            found += [choice for choice in rule.choices if choice not in found]
    return found


def valid_choice(programme: Programme, text: object) -> str:
    """``text`` as one of the offered choices is written (``48 hours`` → ``48h``), or ``keep``.

    Raises :class:`RequestError` listing the choices for anything else.
    """
    offered = rule_choices(programme)
    allowed = ", ".join([*offered, KEEP])
    if isinstance(text, str) and len(text) <= 40:
        if text.strip().lower() == KEEP:
            return KEEP
        try:
            wanted = Duration.parse(text)
        except ValueError:
            wanted = None
        for choice in offered:
            if wanted is not None and Duration.parse(choice) == wanted:
                return choice
    raise RequestError(f"a scan-data choice is one of: {allowed}")


def register_customer(programme: Programme, key: object) -> ControllerCustomer:
    """The DPA register's customer keyed ``key``; RequestError naming the keys there are."""
    for customer in programme.dpa_register:
        if isinstance(key, str) and customer.key == key:
            return customer
    known = ", ".join(c.key for c in programme.dpa_register[:20]) or "(the register is empty)"
    raise RequestError(f"no customer with that key in the DPA register; name one of: {known}")


def policies(programme: Programme, stored: Mapping[str, ScanPolicy]) -> list[ScanPolicy]:
    """Every register customer's choice: stored, else the register's, else ``keep``."""
    found = []
    for customer in programme.dpa_register:
        chosen = stored.get(customer.key)
        if chosen is not None:
            found.append(chosen)
        elif customer.scan_retention:
            found.append(ScanPolicy(customer.key, customer.scan_retention, "register"))
        else:
            found.append(ScanPolicy(customer.key, KEEP, "default"))
    return found


def customer_cutoffs(
    programme: Programme, chosen: Sequence[ScanPolicy], target: Target, now: datetime
) -> list[tuple[str, str, datetime]]:
    """For a target ``per_customer``: (customer key, account, cutoff) of each customer swept.

    Customers who keep their data, have no ``account``, or whose ``systems`` leave out the
    target's system are not listed: their rows are kept.
    """
    customers = {c.key: c for c in programme.dpa_register}
    found = []
    for policy in chosen:
        customer = customers.get(policy.customer)
        if customer is None or policy.choice == KEEP or not customer.account:
            continue
        if customer.systems and target.system not in customer.systems:
            continue
        found.append((customer.key, customer.account, cutoff(Duration.parse(policy.choice), now)))
    return found
