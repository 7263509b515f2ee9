"""Human labels for the fideslang default data categories, and the groups they fall in.

fideslang names its categories for engineers (``User Contact Email``); a privacy statement
needs plain words (GDPR Art. 12(1): "clear and plain language"; Art. 13(1)(c), 14(1)(d)).
:data:`CATEGORY_LABELS` gives every ``user.*`` default category a label written to sit
inside a sentence (``e-mail address``), and :data:`GROUP_LABELS` names the groups the
statement's summary and its table of personal data use (Art. 12(1), WP260 ¶35-38: a
layered notice). Both are marked with ``N_`` and translated where they are shown.

``system.*`` categories are about systems, not people: they have no label, so
``tutela check`` (``readability/missing-description``) reports a purpose that names one.
"""

from __future__ import annotations

from collections.abc import Mapping

from tutela.i18n import N_

CATEGORY_LABELS: Mapping[str, str] = {
    "user": N_("personal data"),
    "user.account": N_("account data"),
    "user.account.settings": N_("account settings"),
    "user.account.username": N_("user name"),
    "user.authorization": N_("log-in data"),
    "user.authorization.credentials": N_("account password"),
    "user.authorization.biometric": N_("biometric log-in data"),
    "user.authorization.password": N_("password"),
    "user.behavior": N_("behaviour data"),
    "user.behavior.browsing_history": N_("pages visited"),
    "user.behavior.media_consumption": N_("media you watch or listen to"),
    "user.behavior.purchase_history": N_("purchase history"),
    "user.behavior.search_history": N_("search history"),
    "user.biometric": N_("biometric data"),
    "user.biometric.fingerprint": N_("fingerprint"),
    "user.biometric.retinal": N_("retina scan"),
    "user.biometric.voice": N_("voice recording"),
    "user.biometric.health": N_("biometric health data"),
    "user.childrens": N_("children's data"),
    "user.contact": N_("contact details"),
    "user.contact.address": N_("postal address"),
    "user.contact.address.city": N_("city"),
    "user.contact.address.country": N_("country"),
    "user.contact.address.postal_code": N_("postal code"),
    "user.contact.address.state": N_("state or region"),
    "user.contact.address.street": N_("street and number"),
    "user.contact.email": N_("e-mail address"),
    "user.contact.phone_number": N_("phone number"),
    "user.contact.url": N_("website address"),
    "user.contact.fax_number": N_("fax number"),
    "user.contact.organization": N_("organisation you work for"),
    "user.content": N_("content"),
    "user.content.private": N_("private messages and files"),
    "user.content.public": N_("posts you publish"),
    "user.content.self_image": N_("photo of you"),
    "user.criminal_history": N_("criminal record"),
    "user.demographic": N_("demographic data"),
    "user.demographic.age_range": N_("age range"),
    "user.demographic.date_of_birth": N_("date of birth"),
    "user.demographic.gender": N_("gender"),
    "user.demographic.language": N_("language"),
    "user.demographic.marital_status": N_("marital status"),
    "user.demographic.political_opinion": N_("political opinions"),
    "user.demographic.profile": N_("profile data"),
    "user.demographic.race_ethnicity": N_("racial or ethnic origin"),
    "user.demographic.religious_belief": N_("religious beliefs"),
    "user.demographic.sexual_orientation": N_("sexual orientation"),
    "user.demographic.trade_union_membership": N_("trade union membership"),
    "user.device": N_("device data"),
    "user.device.cookie": N_("cookie contents"),
    "user.device.cookie_id": N_("cookie identifier"),
    "user.device.device_id": N_("device identifier"),
    "user.device.ip_address": N_("IP address"),
    "user.financial": N_("financial data"),
    "user.financial.bank_account": N_("bank account details"),
    "user.financial.credit_card": N_("credit card details"),
    "user.government_id": N_("government identifiers"),
    "user.government_id.birth_certificate": N_("birth certificate"),
    "user.government_id.drivers_license_number": N_("driving licence number"),
    "user.government_id.immigration": N_("immigration identifier"),
    "user.government_id.national_identification_number": N_("national identification number"),
    "user.government_id.passport_number": N_("passport number"),
    "user.government_id.vehicle_registration": N_("vehicle registration"),
    "user.health_and_medical": N_("health data"),
    "user.health_and_medical.genetic": N_("genetic data"),
    "user.health_and_medical.insurance_beneficiary_id": N_("health insurance number"),
    "user.health_and_medical.record_id": N_("medical record number"),
    "user.job_title": N_("job title"),
    "user.location": N_("location"),
    "user.location.imprecise": N_("approximate location"),
    "user.location.precise": N_("precise location"),
    "user.name": N_("name"),
    "user.name.first": N_("first name"),
    "user.name.last": N_("last name"),
    "user.payment": N_("payment data"),
    "user.privacy_preferences": N_("privacy choices"),
    "user.sensor": N_("sensor data"),
    "user.social": N_("social media data"),
    "user.telemetry": N_("telemetry"),
    "user.unique_id": N_("unique identifier"),
    "user.unique_id.pseudonymous": N_("pseudonymous identifier"),
    "user.user_sensor": N_("data from your device's sensors"),
    "user.workplace": N_("workplace"),
}
"""The label of each ``user.*`` fideslang default category, for use inside a sentence."""

GROUP_LABELS: Mapping[str, str] = {
    "user.account": N_("account data"),
    "user.authorization": N_("log-in data"),
    "user.behavior": N_("usage data"),
    "user.biometric": N_("biometric data"),
    "user.childrens": N_("children's data"),
    "user.contact": N_("contact details"),
    "user.content": N_("messages and recordings"),
    "user.criminal_history": N_("criminal records"),
    "user.demographic": N_("demographic data"),
    "user.device": N_("connection data"),
    "user.financial": N_("financial data"),
    "user.government_id": N_("government identifiers"),
    "user.health_and_medical": N_("health data"),
    "user.job_title": N_("job title"),
    "user.location": N_("location data"),
    "user.payment": N_("payment data"),
    "user.privacy_preferences": N_("privacy choices"),
    "user.sensor": N_("sensor data"),
    "user.social": N_("social media data"),
    "user.telemetry": N_("telemetry"),
    "user.unique_id": N_("identifiers"),
    "user.user_sensor": N_("data from your device's sensors"),
    "user.workplace": N_("workplace"),
}
"""The label of each group of default categories (a category directly under ``user``)."""

MERGED_GROUPS: Mapping[str, str] = {"user.name": "user.contact"}
"""Top-level categories shown inside another group: a name is identification data."""


def group_of(key: str, parents: Mapping[str, str | None]) -> str:
    """The group ``key`` falls in: its ancestor directly under ``user`` (or ``system``).

    ``parents`` maps the programme's own categories to their parents, so an extension
    such as ``user.payment.card_summary`` joins ``user.payment``. ``user.name`` is shown
    with contact details (:data:`MERGED_GROUPS`).
    """
    chain = [key]
    seen = {key}
    while (parent := parents.get(chain[-1]) or _default_parent(chain[-1])) and parent not in seen:
        chain.append(parent)
        seen.add(parent)
    top = chain[-2] if len(chain) > 1 else key
    return MERGED_GROUPS.get(top, top)


def _default_parent(key: str) -> str | None:
    return key.rsplit(".", 1)[0] if "." in key else None


def has_label(key: str) -> bool:
    """Whether tutela ships a human label for the default category ``key``."""
    return key in CATEGORY_LABELS
