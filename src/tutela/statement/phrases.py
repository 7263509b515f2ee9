"""The fixed legal wording of the statement: legal bases, rights, recipients, safeguards.

Everything a person reads that does not come from the programme and is a fixed text lives
here, once, marked with ``N_`` and translated where it is shown with ``_``, so the
Markdown and HTML statements say the same thing in every language. Legal anchors are GDPR
articles; rule ids refer to GDPR.md.
"""

from __future__ import annotations

from collections.abc import Mapping

from tutela.i18n import N_
from tutela.programme.models import Art9Condition, LegalBasis, RightName

BASIS_TITLES: Mapping[LegalBasis, str] = {
    LegalBasis.CONSENT: N_("Consent (Art. 6(1)(a) GDPR)"),
    LegalBasis.CONTRACT: N_("Contract (Art. 6(1)(b) GDPR)"),
    LegalBasis.LEGAL_OBLIGATION: N_("Legal obligation (Art. 6(1)(c) GDPR)"),
    LegalBasis.VITAL_INTERESTS: N_("Vital interests (Art. 6(1)(d) GDPR)"),
    LegalBasis.PUBLIC_TASK: N_("Public task (Art. 6(1)(e) GDPR)"),
    LegalBasis.LEGITIMATE_INTERESTS: N_("Legitimate interests (Art. 6(1)(f) GDPR)"),
}
"""The name of each Art. 6(1) basis as the statement shows it (LB-1)."""

BASIS_MEANINGS: Mapping[LegalBasis, str] = {
    LegalBasis.CONSENT: N_("You gave your consent."),
    LegalBasis.CONTRACT: N_("We need it for a contract with you, or to prepare one."),
    LegalBasis.LEGAL_OBLIGATION: N_("The law requires it."),
    LegalBasis.VITAL_INTERESTS: N_("We must protect your life or that of another person."),
    LegalBasis.PUBLIC_TASK: N_(
        "We carry out a task in the public interest or exercise official authority."
    ),
    LegalBasis.LEGITIMATE_INTERESTS: N_("We pursue an interest that your rights do not override."),
}
"""What each basis means for the reader, in one sentence."""

BASIS_SHORT: Mapping[LegalBasis, str] = {
    LegalBasis.CONSENT: N_("Consent"),
    LegalBasis.CONTRACT: N_("Contract"),
    LegalBasis.LEGAL_OBLIGATION: N_("Legal obligation"),
    LegalBasis.VITAL_INTERESTS: N_("Vital interests"),
    LegalBasis.PUBLIC_TASK: N_("Public task"),
    LegalBasis.LEGITIMATE_INTERESTS: N_("Legitimate interests"),
}
"""Each basis in a word or two, for the purposes table (section 5 gives the article)."""

BASIS_REASONS: Mapping[LegalBasis, str] = {
    LegalBasis.CONSENT: N_("your consent"),
    LegalBasis.CONTRACT: N_("a contract with you"),
    LegalBasis.LEGAL_OBLIGATION: N_("a legal obligation"),
    LegalBasis.VITAL_INTERESTS: N_("vital interests"),
    LegalBasis.PUBLIC_TASK: N_("a task in the public interest"),
    LegalBasis.LEGITIMATE_INTERESTS: N_("our legitimate interests"),
}
"""Each basis in a few words, for the summary."""

ART9_CONDITIONS: Mapping[Art9Condition, str] = {
    Art9Condition.EXPLICIT_CONSENT: N_("your explicit consent (Art. 9(2)(a) GDPR)"),
    Art9Condition.EMPLOYMENT: N_("employment and social security law (Art. 9(2)(b) GDPR)"),
    Art9Condition.VITAL_INTERESTS: N_("the protection of vital interests (Art. 9(2)(c) GDPR)"),
    Art9Condition.NOT_FOR_PROFIT: N_("the activities of a not-for-profit body (Art. 9(2)(d))"),
    Art9Condition.MADE_PUBLIC: N_("data you have manifestly made public (Art. 9(2)(e) GDPR)"),
    Art9Condition.LEGAL_CLAIMS: N_("legal claims (Art. 9(2)(f) GDPR)"),
    Art9Condition.SUBSTANTIAL_PUBLIC_INTEREST: N_("a substantial public interest (Art. 9(2)(g))"),
    Art9Condition.HEALTH_CARE: N_("health or social care (Art. 9(2)(h) GDPR)"),
    Art9Condition.PUBLIC_HEALTH: N_("public health (Art. 9(2)(i) GDPR)"),
    Art9Condition.ARCHIVING_RESEARCH: N_("archiving, research or statistics (Art. 9(2)(j) GDPR)"),
}
"""The Art. 9(2) condition relied on for special categories of data."""

RIGHT_NAMES: Mapping[RightName, str] = {
    "access": N_("access"),
    "rectification": N_("rectification"),
    "erasure": N_("erasure"),
    "restriction": N_("restriction"),
    "objection": N_("objection"),
    "portability": N_("portability"),
}
"""Each right in one word, for the summary."""

RIGHTS: Mapping[RightName, tuple[str, tuple[str, ...]]] = {
    "access": (
        N_("Access (Art. 15 GDPR)"),
        (
            N_(
                "You can ask whether we process your personal data, and get a copy in a"
                " structured, commonly used and machine-readable format with how we process it."
            ),
            N_("The first copy is free."),
        ),
    ),
    "rectification": (
        N_("Rectification (Art. 16 GDPR)"),
        (N_("You can ask us to correct inaccurate personal data or complete incomplete data."),),
    ),
    "erasure": (
        N_("Erasure (Art. 17 GDPR)"),
        (
            N_(
                "You can ask us to erase your personal data, for example when we no longer need it."
            ),
            N_("We keep only what the law or legal claims require, and some services may end."),
        ),
    ),
    "restriction": (
        N_("Restriction (Art. 18 GDPR)"),
        (
            N_(
                "You can ask us to halt (“freeze”) the processing of your personal data, for"
                " example while its accuracy or lawfulness is disputed."
            ),
            N_(
                "While it is restricted we only store it, or process it with your consent, for"
                " legal claims, to protect another person or for an important public interest."
            ),
        ),
    ),
    "objection": (
        N_("Objection (Art. 21 GDPR)"),
        (N_("You can object to some processing: see “Your right to object” below."),),
    ),
    "portability": (
        N_("Data portability (Art. 20 GDPR)"),
        (
            N_(
                "You can get the data you gave us, or we recorded from your use of our services,"
                " in a structured, commonly used and machine-readable format."
            ),
            N_(
                "We can also send it to another controller. This applies to automated"
                " processing based on consent or a contract."
            ),
        ),
    ),
}
"""Each right's title and the sentences saying what it lets the reader do."""

RECIPIENT_GROUPS: Mapping[str, str] = {
    "processor": N_("Service providers that act on our instructions"),
    "controller": N_("Organisations that use the data for their own purposes"),
    "joint_controller": N_("Organisations that decide with us how the data is used"),
    "affiliate": N_("Companies of our group"),
    "public_authority": N_("Public authorities, where the law requires it"),
}
"""Each kind of recipient in a few words, for the summary."""

RECIPIENT_KINDS: Mapping[str, str] = {
    "processor": N_("Processor"),
    "controller": N_("Independent controller"),
    "joint_controller": N_("Joint controller"),
    "public_authority": N_("Public authority"),
    "affiliate": N_("Company of our group"),
}
"""How each kind of recipient is described (AC-3)."""

SCC_MODULES: Mapping[str, str] = {
    "M1": N_("module 1"),
    "M2": N_("module 2"),
    "M3": N_("module 3"),
    "M4": N_("module 4"),
}
"""The modules of the 2021 standard contractual clauses (TR-4)."""

SAFEGUARDS: Mapping[str, str] = {
    "adequacy": N_("Adequacy decision"),
    "scc": N_("Standard contractual clauses"),
    "bcr": N_("Binding corporate rules"),
    "certification": N_("Approved certification with binding commitments"),
    "code_of_conduct": N_("Approved code of conduct with binding commitments"),
    "ad_hoc": N_("Clauses authorised by a supervisory authority"),
    "derogation": N_("Derogation for a specific situation"),
}
"""Each Chapter V transfer tool, worded for the reader (TR-2)."""

SAFEGUARD_ARTICLES: Mapping[str, str] = {
    "adequacy": N_("adequacy decisions, Art. 45 GDPR"),
    "dpf": N_("the EU-U.S. Data Privacy Framework, adequacy decision 2023/1795 (Art. 45 GDPR)"),
    "scc": N_("standard contractual clauses, Art. 46(2)(c) GDPR and Decision (EU) 2021/914"),
    "bcr": N_("binding corporate rules, Art. 47 GDPR"),
    "certification": N_("certifications, Art. 46(2)(f) GDPR"),
    "code_of_conduct": N_("codes of conduct, Art. 46(2)(e) GDPR"),
    "ad_hoc": N_("authorised clauses, Art. 46(3)(a) GDPR"),
    "derogation": N_("derogations, Art. 49 GDPR"),
}
"""The article each transfer tool rests on, said once below the transfers table."""

SAFEGUARD_KINDS: Mapping[str, str] = {
    "adequacy": N_("adequacy decisions"),
    "dpf": N_("the EU-U.S. Data Privacy Framework"),
    "scc": N_("standard contractual clauses"),
    "bcr": N_("binding corporate rules"),
    "certification": N_("certifications"),
    "code_of_conduct": N_("codes of conduct"),
    "ad_hoc": N_("authorised clauses"),
    "derogation": N_("derogations for specific situations"),
}
"""The transfer tools in a few words, for the summary."""

COOKIE_CATEGORIES: Mapping[str, str] = {
    "necessary": N_("Necessary"),
    "preferences": N_("Preferences"),
    "statistics": N_("Statistics"),
    "marketing": N_("Marketing"),
}

ANONYMISATION_METHODS: Mapping[str, str] = {
    "aggregation": N_("aggregation into statistics"),
    "k_anonymity": N_("generalisation to k-anonymity"),
    "l_diversity": N_("generalisation to k-anonymity with l-diversity"),
    "t_closeness": N_("generalisation to k-anonymity with t-closeness"),
    "differential_privacy": N_("differential privacy"),
}

CHANNELS: Mapping[str, str] = {
    "email": N_("e-mail"),
    "sms": N_("SMS"),
    "phone": N_("phone"),
    "post": N_("post"),
    "push": N_("push notifications"),
}
"""Direct-marketing channels (MK-1)."""

USE_PHRASES: tuple[tuple[str, str], ...] = (
    ("essential", N_("to provide our services")),
    ("essential.service.security", N_("to keep people, systems and data secure")),
    ("essential.fraud_detection", N_("to prevent fraud")),
    ("essential.legal_obligation", N_("to comply with the law")),
    ("third_party_sharing.legal_obligation", N_("to comply with the law")),
    ("essential.service.operations.improve", N_("to improve our services")),
    ("analytics", N_("to measure the use of our websites and services")),
    ("functional.storage", N_("to remember your settings")),
    ("functional", N_("to improve our services")),
    ("personalize", N_("to personalise our services")),
    ("marketing", N_("to market our products")),
    ("sales", N_("to manage our business relationships")),
    ("operations", N_("to manage our business relationships")),
    ("employment", N_("to recruit and employ people")),
    ("finance", N_("to manage our finances")),
    ("collect", N_("to collect personal data for these purposes")),
    ("third_party_sharing", N_("to share data with third parties")),
    ("train_ai_system", N_("to train AI systems")),
)
"""Why, in a few words, for each fideslang data use: the longest prefix of a use that is
listed gives its phrase; the summary lists the phrases in this order."""
