"""Generalisation hierarchies for the UCI Adult quasi-identifiers (the anonymisation benchmark).

The same trees are given to tutela and to the peer, so their losses compare. Each leaf maps
to its ancestors, nearest first; the top (``*``) is implicit. Missing values (``?``) are a
leaf of their own, under ``Unknown``.
"""

from __future__ import annotations

EDUCATION_GROUPS = {
    "Primary": ["Preschool", "1st-4th", "5th-6th"],
    "Secondary": ["7th-8th", "9th", "10th", "11th", "12th", "HS-grad"],
    "Undergraduate": ["Some-college", "Assoc-voc", "Assoc-acdm", "Bachelors"],
    "Graduate": ["Masters", "Prof-school", "Doctorate"],
}
EDUCATION_TOP = {
    "Primary": "School",
    "Secondary": "School",
    "Undergraduate": "Higher",
    "Graduate": "Higher",
}

MARITAL_GROUPS = {
    "Married": ["Married-civ-spouse", "Married-AF-spouse", "Married-spouse-absent"],
    "Never-married": ["Never-married"],
    "Previously-married": ["Divorced", "Separated", "Widowed"],
}
MARITAL_TOP = {
    "Married": "Has-married",
    "Previously-married": "Has-married",
    "Never-married": "Never",
}

OCCUPATION_GROUPS = {
    "White-collar": ["Adm-clerical", "Exec-managerial", "Prof-specialty", "Sales", "Tech-support"],
    "Blue-collar": [
        "Craft-repair",
        "Farming-fishing",
        "Handlers-cleaners",
        "Machine-op-inspct",
        "Transport-moving",
    ],
    "Service": ["Other-service", "Priv-house-serv", "Protective-serv", "Armed-Forces"],
    "Unknown": ["?"],
}

COUNTRY_GROUPS = {
    "North-America": ["United-States", "Canada", "Outlying-US(Guam-USVI-etc)"],
    "Latin-America": [
        "Mexico",
        "Puerto-Rico",
        "El-Salvador",
        "Cuba",
        "Jamaica",
        "Dominican-Republic",
        "Guatemala",
        "Columbia",
        "Haiti",
        "Nicaragua",
        "Peru",
        "Ecuador",
        "Trinadad&Tobago",
        "Honduras",
    ],
    "Europe": [
        "Germany",
        "England",
        "Italy",
        "Poland",
        "Portugal",
        "Greece",
        "France",
        "Ireland",
        "Yugoslavia",
        "Hungary",
        "Scotland",
        "Holand-Netherlands",
    ],
    "Asia": [
        "Philippines",
        "India",
        "China",
        "Vietnam",
        "Japan",
        "Taiwan",
        "Iran",
        "Hong",
        "Cambodia",
        "Thailand",
        "Laos",
        "South",
    ],
    "Unknown": ["?"],
}
COUNTRY_TOP = {
    "North-America": "Americas",
    "Latin-America": "Americas",
    "Europe": "Rest",
    "Asia": "Rest",
    "Unknown": "Rest",
}


def _tree(groups: dict[str, list[str]], top: dict[str, str] | None = None) -> dict[str, list[str]]:
    return {
        leaf: [group, top[group]] if top else [group]
        for group, leaves in groups.items()
        for leaf in leaves
    }


HIERARCHIES: dict[str, dict[str, list[str]]] = {
    "education": _tree(EDUCATION_GROUPS, EDUCATION_TOP),
    "marital-status": _tree(MARITAL_GROUPS, MARITAL_TOP),
    "occupation": _tree(OCCUPATION_GROUPS),
    "sex": {"Male": [], "Female": []},
    "native-country": _tree(COUNTRY_GROUPS, COUNTRY_TOP),
}
"""Category trees per quasi-identifier (``age`` is a number: intervals are built)."""
