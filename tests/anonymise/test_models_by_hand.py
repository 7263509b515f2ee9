"""Each privacy model, hierarchy and metric on tables small enough to check by hand (AN-3).

The expected figures are worked out in the comments beside each table, not computed with
tutela's code; the release-level tests then check that ``anonymise`` honours them.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from tutela.anonymise.hierarchies import (
    Codes,
    DateHierarchy,
    NumericHierarchy,
    SetHierarchy,
    TreeHierarchy,
)
from tutela.anonymise.metrics import RiskReport, class_spans, report
from tutela.anonymise.privacy import Achieved, PrivacyModel, achieved
from tutela.anonymise.release import ReleaseSpec, aggregate, anonymise
from tutela.anonymise.table import QuasiSpec, encode
from tutela.errors import AnonymisationError, ReleaseRefused

# Twelve patients in three classes (A: rows 0-3, B: rows 4-8, C: rows 9-11).
#   A: flu flu cold cancer      -> 3 distinct; shares .5 .25 .25
#   B: flu flu flu flu cold     -> 2 distinct; shares .8 .2
#   C: cold cancer hiv          -> 3 distinct; shares 1/3 each
# Whole table (sorted values cancer, cold, flu, hiv): 2, 3, 6, 1 of 12.
PATIENTS = {
    "age": ["21", "22", "23", "24", "31", "32", "33", "34", "35", "41", "42", "43"],
    "disease": " ".join(("flu flu cold cancer", "flu flu flu flu cold", "cold cancer hiv")).split(),
}
PATIENT_CLASSES = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2])


def measure(columns: dict[str, list[str]], classes: Codes, sensitive: str) -> Achieved:
    table = encode(columns, [QuasiSpec("age", "number")], [sensitive])
    return achieved(table, np.arange(table.rows), classes)


def test_AN_3_k_anonymity_is_the_smallest_class() -> None:
    # class sizes 4, 5, 3 -> k = 3
    found = measure(PATIENTS, PATIENT_CLASSES, "disease")
    assert found.k == 3 and found.classes == 3
    assert found.misses(PrivacyModel(k=3)) == []
    (why,) = found.misses(PrivacyModel(k=4))
    assert "smallest class has 3 records, below k=4" in why


def test_AN_3_distinct_l_diversity_is_the_fewest_values_in_a_class() -> None:
    # A 3, B 2, C 3 distinct diseases -> l = 2
    found = measure(PATIENTS, PATIENT_CLASSES, "disease")
    assert found.l_distinct == {"disease": 2}
    assert found.misses(PrivacyModel(k=3, l=2)) == []
    (why,) = found.misses(PrivacyModel(k=3, l=3))
    assert why == "distinct l-diversity of 'disease': 2, below l=3"


def test_AN_3_entropy_l_diversity_is_exp_of_the_lowest_class_entropy() -> None:
    # A: -(.5 ln .5 + 2 * .25 ln .25) = 1.5 ln 2 -> exp = 2^1.5 = 2.828
    # B: -(.8 ln .8 + .2 ln .2) = 0.5004      -> exp = 1.649  (the lowest)
    # C: ln 3                                  -> exp = 3
    found = measure(PATIENTS, PATIENT_CLASSES, "disease")
    expected = math.exp(-(0.8 * math.log(0.8) + 0.2 * math.log(0.2)))
    assert found.l_entropy["disease"] == pytest.approx(expected)
    assert expected == pytest.approx(1.6494, abs=1e-4)
    # distinct l=2 holds, entropy l=2 does not: entropy l-diversity is the stronger model
    assert found.misses(PrivacyModel(k=3, l=2, diversity="distinct")) == []
    (why,) = found.misses(PrivacyModel(k=3, l=2, diversity="entropy"))
    assert why.startswith("entropy l-diversity of 'disease': 1.649")


def test_AN_3_entropy_l_diversity_of_single_classes() -> None:
    model = PrivacyModel(k=2, l=2, diversity="entropy")
    table = encode(PATIENTS, [QuasiSpec("age", "number")], ["disease"])
    assert model.admits(table, np.array([0, 2]))  # flu, cold: exp(ln 2) = 2
    assert not model.admits(table, np.array([4, 5, 6, 8]))  # 3 flu 1 cold: exp(0.562) = 1.75
    assert not model.admits(table, np.array([0]))  # one record: below k


def test_AN_3_t_closeness_equal_distance_for_categories() -> None:
    # half the L1 distance to the whole table (2, 3, 6, 1)/12:
    # A (1, 1, 2, 0)/4: |3-2| + 0 + 0 + |0-1| twelfths           -> 2/12 / 2 = 1/12
    # B (0, 1, 4, 0)/5: 2/12 + 1/20 + 3/10 + 1/12 = 36/60        -> 0.3
    # C (1, 1, 0, 1)/3: 2/12 + 1/12 + 6/12 + 3/12 = 1            -> 0.5 (the largest)
    found = measure(PATIENTS, PATIENT_CLASSES, "disease")
    assert found.t["disease"] == pytest.approx(0.5)
    assert found.misses(PrivacyModel(k=3, t=0.5)) == []
    (why,) = found.misses(PrivacyModel(k=3, t=0.2))
    assert why == "t-closeness of 'disease': 0.5000, above t=0.2"
    table = encode(PATIENTS, [QuasiSpec("age", "number")], ["disease"])
    assert PrivacyModel(k=4, t=0.31).admits(table, np.arange(4, 9))  # B: 0.3
    assert not PrivacyModel(k=3, t=0.49).admits(table, np.arange(9, 12))  # C: 0.5


SALARIES = {"age": ["20", "21", "22", "30", "31", "32"], "salary": ["1", "1", "2", "3", "3", "3"]}


def test_AN_3_t_closeness_ordered_distance_for_numbers() -> None:
    # whole: 1 -> 2/6, 2 -> 1/6, 3 -> 3/6; m = 3 values, so divide by m - 1 = 2
    # X = rows 0-2 (2/3, 1/3, 0): differences 1/3, 1/6, -1/2; cumulative 1/3, 1/2, 0 -> 5/12
    # Y = rows 3-5 (0, 0, 1): differences -1/3, -1/6, 1/2; cumulative -1/3, -1/2, 0 -> 5/12
    classes = np.array([0, 0, 0, 1, 1, 1])
    assert measure(SALARIES, classes, "salary").t["salary"] == pytest.approx(5 / 12)
    # the same values as categories use the equal distance: (1/3 + 1/6 + 1/2) / 2 = 1/2
    letters = {**SALARIES, "salary": ["a", "a", "b", "c", "c", "c"]}
    assert measure(letters, classes, "salary").t["salary"] == pytest.approx(0.5)


def test_AN_3_small_cells_are_left_out_of_an_aggregate() -> None:
    # A 3, B 2, C 1 -> with min_cell 2, C is suppressed (1 cell, 1 record)
    columns = {"dept": ["A", "A", "A", "B", "B", "C"], "id": ["1", "2", "3", "4", "5", "6"]}
    table = aggregate(columns, ["dept"], min_cell=2)
    assert table.header == ("dept", "count")
    assert table.rows == [("A", "3"), ("B", "2")]
    assert (table.cells, table.suppressed_cells, table.suppressed_records) == (3, 1, 1)
    assert table.smallest == 2
    with pytest.raises(AnonymisationError, match="'team'"):
        aggregate(columns, ["team"], min_cell=2)


# Eleven records in five cities; the tree: city -> country -> *.
#   Paris 3, Lyon 3 (FR 6) | Gent 2, Liege 2 (BE 4) | Oslo 1 (NO 1)
CITY_TREE = {
    "Paris": ["FR"], "Lyon": ["FR"], "Gent": ["BE"], "Liege": ["BE"], "Oslo": ["NO"],
}  # fmt: skip
CITIES = {
    "city": ["Paris"] * 3 + ["Lyon"] * 3 + ["Gent"] * 2 + ["Liege"] * 2 + ["Oslo"],
    "income": ["<=50K", ">50K"] * 5 + ["<=50K"],
}
CITY = QuasiSpec("city", "category", tree=CITY_TREE)


def lattice_release(k: int, share: float) -> tuple[list[tuple[str, ...]], RiskReport]:
    spec = ReleaseSpec((CITY,), PrivacyModel(k=k), max_suppression=share, algorithm="lattice")
    release = anonymise(CITIES, spec)
    return release.rows, release.report


def test_AN_3_lattice_suppresses_within_the_budget() -> None:
    # k=3: at city level Gent, Liege, Oslo (5 records) are too small; at country level only
    # Oslo (1). A budget of 1 record (10% of 11) gives the country level, Oslo left out;
    # its GCP is 0.25 (FR and BE each cover 2 of 5 leaves: (2 - 1) / (5 - 1)).
    rows, risk = lattice_release(3, 0.1)
    assert Counter(row[0] for row in rows) == {"FR": 6, "BE": 4}
    assert risk.suppressed == 1 and risk.gcp == pytest.approx(0.25)
    # no budget: only '*' is 3-anonymous (GCP 1)
    rows, risk = lattice_release(3, 0.0)
    assert {row[0] for row in rows} == {"*"} and len(rows) == 11
    assert risk.gcp == pytest.approx(1.0) and risk.suppressed == 0
    # a budget of 5 records (50%): the exact cities with Gent, Liege and Oslo left out is
    # the least loss (GCP 0 on the 6 released)
    # (class ids 0..1 although the lattice's groups are 0..4: the report must not break)
    rows, risk = lattice_release(3, 0.5)
    assert Counter(row[0] for row in rows) == {"Paris": 3, "Lyon": 3}
    assert risk.suppressed == 5 and risk.gcp == 0.0


def test_AN_3_lattice_refuses_when_no_node_fits_the_budget() -> None:
    with pytest.raises(ReleaseRefused, match="suppression budget of 1 records"):
        lattice_release(12, 0.1)


@pytest.mark.parametrize(
    ("model", "sensitive", "expected"),
    [
        (PrivacyModel(k=12), (), "k-anonymity: the smallest class has 11 records, below k=12"),
        (PrivacyModel(k=2, l=3), ("income",), "distinct l-diversity of 'income': 2, below l=3"),
        (
            PrivacyModel(k=2, l=3, diversity="entropy"),
            ("income",),
            "entropy l-diversity of 'income': 1.99",
        ),
    ],
)
def test_AN_3_a_refused_release_names_what_failed(
    model: PrivacyModel, sensitive: tuple[str, ...], expected: str
) -> None:
    spec = ReleaseSpec((CITY,), model, sensitive=sensitive, algorithm="mondrian")
    with pytest.raises(ReleaseRefused) as refused:
        anonymise(CITIES, spec)
    message = str(refused.value)
    assert message.startswith(f"the release misses its model ({model.describe()}): ")
    assert expected in message


def test_AN_3_mondrian_release_is_k_anonymous_and_keeps_the_columns() -> None:
    spec = ReleaseSpec((CITY,), PrivacyModel(k=3), sensitive=("income",), algorithm="mondrian")
    release = anonymise(CITIES, spec)
    assert release.header == ("city", "income")
    sizes = Counter(row[0] for row in release.rows)
    assert min(sizes.values()) >= 3 and release.report.k == min(sizes.values())
    assert len(release.rows) == 11  # Mondrian suppresses nothing here


def test_numeric_hierarchy_spans_and_levels() -> None:
    # leaves 20, 30, 40, 60; the domain is 60 - 20 = 40 wide
    ages = NumericHierarchy("age", ["40", "20", "30", "60", "30"])
    assert ages.leaves == ("20", "30", "40", "60")
    assert ages.span(1, 1) == ("30", 0.0)
    assert ages.span(0, 2) == ("20-40", 0.5)  # (40 - 20) / 40
    assert ages.span(0, 3) == ("20-60", 1.0)
    # full-domain levels: exact, widths 2, 5, 10, 20, then '*'
    assert ages.levels[0].labels == ages.leaves
    tens = ages.levels[3]
    assert tens.labels == ("20-29", "30-39", "40-49", "60-69")
    twenties = ages.levels[4]
    assert list(twenties.groups) == [0, 0, 1, 2]  # 20 and 30 share 20-39
    assert twenties.labels == ("20-39", "40-59", "60-79")
    assert ages.levels[-1].labels == ("*",) and list(ages.levels[-1].ncp) == [1.0]
    with pytest.raises(AnonymisationError, match="'age' is numeric but holds 'forty'"):
        NumericHierarchy("age", ["20", "forty"])


# city -> country -> region; depth-first leaf order: Gent | Lyon, Paris | Oslo
TREE = {
    "Paris": ["FR", "EU"], "Lyon": ["FR", "EU"], "Gent": ["BE", "EU"], "Oslo": ["NO", "Nordic"],
}  # fmt: skip


def test_tree_hierarchy_labels_the_lowest_common_node_with_its_share_of_leaves() -> None:
    tree = TreeHierarchy("city", ["Paris", "Gent", "Lyon", "Oslo"], TREE)
    assert tree.leaves == ("Gent", "Lyon", "Paris", "Oslo")
    assert tree.span(2, 2) == ("Paris", 0.0)
    assert tree.span(1, 2) == ("FR", pytest.approx(1 / 3))  # 2 of 4 leaves: (2 - 1) / (4 - 1)
    assert tree.span(0, 2) == ("EU", pytest.approx(2 / 3))  # 3 of 4 leaves
    assert tree.span(0, 3) == ("*", 1.0)
    assert [level.labels for level in tree.levels[1:]] == [
        ("BE", "FR", "NO"),
        ("EU", "Nordic"),
        ("*",),
    ]


def test_tree_hierarchy_names_values_outside_the_tree() -> None:
    with pytest.raises(AnonymisationError) as outside:
        TreeHierarchy("city", ["Paris", "Rome", "Bern"], TREE)
    assert "'city': 2 value(s) have no place in its hierarchy ('Bern', 'Rome')" in str(
        outside.value
    )
    with pytest.raises(AnonymisationError, match="as many levels"):
        TreeHierarchy("city", ["Paris"], {"Paris": ["FR", "EU"], "Oslo": ["NO"]})


def test_set_hierarchy_shows_the_values_present() -> None:
    colours = SetHierarchy("colour", ["red", "green", "blue", "grey", "red"])
    assert colours.leaves == ("blue", "green", "grey", "red")
    assert colours.span(0, 3, np.array([0, 3, 3])) == ("blue|red", pytest.approx(1 / 3))
    assert colours.span(0, 3, np.array([0, 1, 2, 3])) == ("*", 1.0)
    assert colours.span(1, 1, np.array([1, 1])) == ("green", 0.0)


def test_date_hierarchy_spans_days_and_levels_by_calendar() -> None:
    dates = DateHierarchy("born", ["2024-01-01", "2024-01-31", "2024-03-01", "2026-01-01"])
    label, ncp = dates.span(0, 1)
    assert label == "2024-01-01..2024-01-31" and ncp == pytest.approx(30 / 731)
    assert dates.levels[1].labels == ("2024-01", "2024-03", "2026-01")
    assert dates.levels[2].labels == ("2024", "2026")
    with pytest.raises(AnonymisationError, match="'born' is a date but holds 'soon'"):
        DateHierarchy("born", ["2024-01-01", "soon"])


# Six people; released: class 0 = rows 0 and 2 (ages 20, 22), class 1 = rows 4 and 5
# (30, 31); suppressed: row 1 (21, inside class 0's span 20..22) and row 3 (23, outside).
#   f = (2, 2); F = (3, 2) (the suppressed 21 matches class 0)
#   GCP: class 0 (22 - 20) / (31 - 20) = 2/11, class 1 1/11 -> (2*2/11 + 2*1/11) / 4 = 3/22
#   discernibility: 2^2 + 2^2 + 2 suppressed * 6 records = 20
#   prosecutor: highest 1/2, average classes / released = 2/4
#   journalist: highest 1 / min F = 1/2, average (2 * 1/3 + 2 * 1/2) / 4 = 5/12
#   marketer: (2/3 + 2/2) / 4 = 5/12
#   average class size: (4 / 2) / k=2 = 1; sample uniqueness: all six ages unique = 1
RISK_AGES = {"age": ["20", "21", "22", "23", "30", "31"], "name": list("abcdef")}


def test_AN_3_metrics_by_hand() -> None:
    table = encode(RISK_AGES, [QuasiSpec("age", "number")])
    rows, classes = np.array([0, 2, 4, 5]), np.array([0, 0, 1, 1])
    spans = class_spans(table, rows, classes)
    assert [labels[0] for labels in spans.labels] == ["20-22", "30-31"]
    measured = achieved(table, rows, classes)
    risk = report(table, PrivacyModel(k=2), "hand", rows, classes, spans, measured)
    assert (risk.records, risk.released, risk.suppressed, risk.k) == (6, 4, 2, 2)
    assert risk.suppression == pytest.approx(2 / 6)
    assert risk.gcp == pytest.approx(3 / 22)
    assert risk.discernibility == 20
    assert risk.prosecutor_highest == 0.5 and risk.prosecutor_average == 0.5
    assert risk.records_at_risk == 0.0  # no record's 1/f exceeds 1/k
    assert risk.journalist_highest == 0.5
    assert risk.journalist_average == pytest.approx(5 / 12)
    assert risk.marketer == pytest.approx(5 / 12)
    assert risk.average_class_size == 1.0
    assert risk.sample_uniqueness == 1.0
    assert risk.utility["age"].distinct_after == 2 and risk.utility["age"].distinct_before == 6


def test_AN_3_sample_uniqueness_and_risks_of_a_lattice_release() -> None:
    # the 3-anonymous country release of the cities (Oslo suppressed): classes FR 6, BE 4
    #   sample uniqueness: only Oslo's record is unique among the 11 -> 1/11
    #   prosecutor highest 1/4, average 2/10; Oslo lies in neither span, so journalist = same
    #   discernibility 6^2 + 4^2 + 1 * 11 = 63; average class size (10 / 2) / 3 = 5/3
    _, risk = lattice_release(3, 0.1)
    assert risk.sample_uniqueness == pytest.approx(1 / 11)
    assert risk.prosecutor_highest == 0.25 and risk.prosecutor_average == 0.2
    assert risk.journalist_highest == 0.25
    assert risk.journalist_average == pytest.approx(0.2)
    assert risk.marketer == pytest.approx(0.2)
    assert risk.discernibility == 63
    assert risk.average_class_size == pytest.approx(5 / 3)


def test_AN_3_mondrian_classes_labelled_alike_are_one_released_class() -> None:
    # five jobs a..e under one node W, two records each; k=4: Mondrian cuts between children,
    # {a, b} (4 records) | {c, d, e} (6); both halves hold several children, so both read
    # "W": the released table has ONE class of 10 (k 10, discernibility 10^2 = 100)
    columns = {"job": [job for job in "abcde" for _ in range(2)]}
    tree = {job: ["W"] for job in "abcde"}
    spec = ReleaseSpec((QuasiSpec("job", tree=tree),), PrivacyModel(k=4), algorithm="mondrian")
    release = anonymise(columns, spec)
    assert {row[0] for row in release.rows} == {"W"}
    assert (release.report.classes, release.report.k) == (1, 10)
    assert release.report.discernibility == 100
