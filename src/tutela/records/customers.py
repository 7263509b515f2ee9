"""The DPA register and the processor systems behind it (Art. 28, Art. 30(2), PR-1..PR-4).

``dpa_register`` names each controller (customer) the organisation processes for, and the
systems holding that customer's data as a processor. This module checks those references,
finds the processor systems no customer names, and works out the sub-processors of a
processor system: the recipients of ``kind: processor`` that hold its data, namely those

- listing one of the system's ``purposes`` (a processor system may name the service it
  provides, e.g. ``provide_scanning``), or
- receiving a data category that the organisation holds only as a processor: a category
  of the system's fields (or a narrower or broader one) that no system of ``role:
  controller`` holds. Such a recipient can only have it from the processor systems; the
  hosting provider of the scan store listing ``user.it_asset`` is one.

A category the organisation also holds as a controller (a name, an e-mail address) says
nothing about whose data a recipient gets, so it does not make a sub-processor.
"""

from __future__ import annotations

from tutela.errors import PolicyError, PolicyErrors
from tutela.programme.models import ControllerCustomer, Programme, Recipient, System
from tutela.taxonomy.vocabulary import covers


def check_register(programme: Programme) -> None:
    """Raise :class:`PolicyErrors` for each DPA register entry the records cannot use.

    A customer key given twice, a system the programme does not declare, or a system of
    ``role: controller`` (the register names the systems processing for the customer,
    Art. 30(2)(a)-(b); a processor deciding purposes is a controller, Art. 28(10)).
    """
    errors = [*_duplicates(programme), *_bad_systems(programme)]
    if errors:
        raise PolicyErrors(errors)


def _duplicates(programme: Programme) -> list[PolicyError]:
    keys = [customer.key for customer in programme.dpa_register]
    return [
        PolicyError(
            f"customer '{key}' is written {keys.count(key)} times in the DPA register",
            path=f"dpa_register[{key}]",
            hint="give each customer one entry, with a key of its own",
        )
        for key in dict.fromkeys(keys)
        if keys.count(key) > 1
    ]


def _bad_systems(programme: Programme) -> list[PolicyError]:
    systems = {system.key: system for system in programme.systems}
    errors: list[PolicyError] = []
    for customer in programme.dpa_register:
        for index, key in enumerate(customer.systems):
            path = f"dpa_register[{customer.key}].systems[{index}]"
            system = systems.get(key)
            if system is None:
                message = f"customer '{customer.key}' names system '{key}', which is not declared"
                hint = "name a system of `systems:` that processes the customer's data"
            elif system.role != "processor":
                message = (
                    f"customer '{customer.key}' names system '{key}', which has role: "
                    f"{system.role}; the register names systems processing for the customer"
                )
                hint = "set `role: processor` on the system, or take it out of this entry"
            else:
                continue
            errors.append(PolicyError(message, path=path, hint=hint))
    return errors


def customer_systems(programme: Programme, customer: ControllerCustomer) -> list[System]:
    """The systems holding ``customer``'s data, in the entry's order."""
    systems = {system.key: system for system in programme.systems}
    return [systems[key] for key in customer.systems if key in systems]


def unregistered_systems(programme: Programme) -> list[System]:
    """The processor systems that no DPA register entry names (Art. 30(2)(a) gap)."""
    named = {key for customer in programme.dpa_register for key in customer.systems}
    return [s for s in programme.systems if s.role == "processor" and s.key not in named]


def system_categories(system: System) -> list[str]:
    """The data categories of the system's fields, in order of first appearance."""
    found = (
        category
        for dataset in system.datasets
        for collection in dataset.collections
        for field in collection.fields
        for category in field.data_categories
    )
    return list(dict.fromkeys(found))


def processor_only_categories(programme: Programme, system: System) -> list[str]:
    """The system's categories that no ``role: controller`` system holds."""
    held = [c for s in programme.systems if s.role == "controller" for c in system_categories(s)]
    return [c for c in system_categories(system) if not any(_related(c, h) for h in held)]


def sub_processors(programme: Programme, systems: list[System]) -> list[Recipient]:
    """The processors holding data of ``systems`` (the rule of this module, Art. 28(2))."""
    return [
        recipient
        for recipient in programme.recipients
        if recipient.kind == "processor"
        and any(_holds_data_of(programme, recipient, system) for system in systems)
    ]


def _holds_data_of(programme: Programme, recipient: Recipient, system: System) -> bool:
    if set(recipient.purposes) & set(system.purposes):
        return True
    only = processor_only_categories(programme, system)
    return any(_related(mine, theirs) for mine in only for theirs in recipient.categories)


def _related(one: str, other: str) -> bool:
    return covers(one, other) or covers(other, one)
