"""Art. 9 moderation (seed §9): sensitive data about other people is held, the author's own is not.

Tables per class and language: held posts about a third person, allowed self-statements,
allowed general statements and hard negatives; contact data of others vs the author's own;
span offsets; the lexicon loader's errors; and `tutela moderate` through Typer's runner.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tutela.cli.main import app
from tutela.discovery import moderation_lexicon
from tutela.discovery.moderation import MODERATION_CLASSES, moderate
from tutela.discovery.moderation_language import guess
from tutela.errors import ConfigurationError

HELD = [
    # (lang, class, post, the phrase the span covers)
    ("en", "health", "My colleague has breast cancer, keep it quiet.", "has breast cancer"),
    ("en", "health", "Heard that our CTO is on antidepressants.", "is on antidepressants"),
    ("en", "health", "She's pregnant again!", "'s pregnant"),
    ("en", "health", "The new intern is in rehab.", "is in rehab"),
    ("en", "health", "Jan's HIV status is all over the office.", "HIV status"),
    ("en", "religion", "Our landlady converted to Islam.", "converted to Islam"),
    ("en", "religion", "Omar prays at the mosque five times a week.", "prays at the mosque"),
    ("en", "trade_union", "My manager Tom is a shop steward.", "is a shop steward"),
    ("en", "trade_union", "Her husband joined the union last year.", "joined the union"),
    ("en", "sexual_orientation", "My brother-in-law is gay, everyone knows.", "is gay"),
    ("en", "sexual_orientation", "The guy from accounting came out as bi.", "came out as bi"),
    ("en", "political_opinion", "My neighbour votes for Reform.", "votes for Reform"),
    ("en", "political_opinion", "Our boss is a communist.", "is a communist"),
    ("en", "ethnic_origin", "My colleague is of Moroccan descent.", "is of Moroccan descent"),
    ("en", "genetic_biometric", "My sister carries the BRCA gene.", "carries the BRCA gene"),
    ("en", "genetic_biometric", "Someone posted the fingerprints of Jan.", "fingerprints"),
    ("fr", "health", "Ma voisine est enceinte de jumeaux.", "est enceinte"),
    ("fr", "health", "On lui a diagnostiqué un diabète.", "lui a diagnostiqué un diabète"),
    ("fr", "religion", "Mon chef est musulman, il fait le ramadan.", "est musulman"),
    ("fr", "trade_union", "Sophie est syndiquée à la CGT.", "est syndiquée"),
    ("fr", "sexual_orientation", "Mon collègue est homo, paraît-il.", "est homo"),
    ("fr", "political_opinion", "Mon beau-frère vote RN depuis des années.", "vote RN"),
    (
        "fr",
        "ethnic_origin",
        "La nouvelle stagiaire est d'origine algérienne.",
        "est d'origine algérienne",
    ),
    ("fr", "genetic_biometric", "Son test ADN a été publié.", "test ADN"),
    ("nl", "health", "Volgens mij heeft Jan kanker.", "heeft Jan kanker"),
    ("nl", "health", "Mijn collega is zwanger.", "is zwanger"),
    ("nl", "religion", "Haar broer is moslim geworden.", "is moslim"),
    ("nl", "trade_union", "Mijn buurman is lid van de vakbond.", "is lid van de vakbond"),
    ("nl", "sexual_orientation", "Ik weet dat Lisa lesbisch is.", "lesbisch is"),
    ("nl", "political_opinion", "Mijn schoonvader stemt op de PVV.", "stemt op de PVV"),
    ("nl", "ethnic_origin", "Onze stagiair is van Turkse afkomst.", "is van Turkse afkomst"),
    ("nl", "genetic_biometric", "De vingerafdrukken van Piet liggen op straat.", "vingerafdrukken"),
    ("de", "health", "Ich glaube, dass mein Nachbar Krebs hat.", "Krebs hat"),
    ("de", "health", "Seit Jahren hat meine Chefin Depressionen.", "hat meine Chefin Depressionen"),
    ("de", "religion", "Mein Kollege ist Muslim.", "ist Muslim"),
    ("de", "trade_union", "Thomas ist in der IG Metall.", "ist in der IG Metall"),
    ("de", "sexual_orientation", "Mein Bruder ist schwul.", "ist schwul"),
    ("de", "political_opinion", "Mein Schwiegervater wählt AfD.", "wählt AfD"),
    (
        "de",
        "ethnic_origin",
        "Er hat einen Migrationshintergrund.",
        "hat einen Migrationshintergrund",
    ),
    ("de", "genetic_biometric", "Seine Fingerabdrücke liegen bei der Polizei.", "Fingerabdrücke"),
]

ALLOWED = [
    # the author speaking of themselves
    ("en", "I have cancer and I'm fighting it."),
    ("en", "I'm gay and proud."),
    ("en", "I joined the union last week."),
    ("en", "My DNA test came back today."),
    ("fr", "Je suis diabétique depuis l'enfance."),
    ("fr", "J'ai adhéré à la CFDT."),
    ("nl", "Ik ben lid van de vakbond."),
    ("nl", "Ik ben homo en trots."),
    ("de", "Ich bin Muslim."),
    ("de", "Mein DNA-Test ist da."),
    # general statements, not about a person
    ("en", "The union negotiated a raise."),
    ("en", "Religion should stay out of politics."),
    ("en", "Health insurance prices rose again."),
    ("fr", "La religion n'a rien à faire en politique."),
    ("nl", "De PVV heeft de verkiezingen gewonnen."),
    ("de", "Krebs ist eine schreckliche Krankheit."),
    # hard negatives
    ("en", "The Ajax fans were singing all night."),
    ("en", "Meet me at Union Station at noon."),
    ("en", "Croatia joined the European Union in 2013."),
    ("en", "Black Friday deals start tomorrow."),
    ("en", "Her car is black."),
    ("en", "The party starts at 8."),
    ("en", "We went to a gay-friendly bar."),
    ("en", "Dr. Martens boots are back in fashion."),
    ("en", "The cancer research charity run is on Sunday."),
    ("en", "The practice's opening hours changed."),
    ("en", "The Prime Minister is a member of the Conservative party."),
    ("fr", "Le cabinet est fermé le lundi."),
    ("fr", "Il est parti tôt de la fête."),
    ("fr", "Elle est d'origine modeste."),
    ("fr", "Il y a un cancer de la bureaucratie."),
    ("nl", "De fans van Ajax zongen de hele nacht."),
    ("nl", "Wij wonen in de Kerkstraat."),
    ("de", "Der Bundeskanzler ist Mitglied der SPD."),
    ("de", "Am Black Friday gibt es Rabatte."),
    ("de", "Wir wohnen in der Kirchstraße."),
]

CONTACT = [
    # (post, held): a third party's contact data is held, the author's own is not
    ("Jan's number is 0470 12 34 56, spam him.", True),
    ("Her address is Kerkstraat 12, 9000 Gent.", True),
    ("Son adresse mail est marie.dupont@example.com", True),
    ("Bel hem op 0470 12 34 56.", True),
    ("Zijn IBAN is BE68 5390 0754 7034.", True),
    ("Call me on 0470 12 34 56 if you want the bike.", False),
    ("Écris-moi à marie.dupont@example.com", False),
    ("Mijn nummer is 0470 12 34 56.", False),
    ("The shop is at Kerkstraat 12, 9000 Gent.", False),
]


@pytest.mark.parametrize(
    ("lang", "kind", "post", "phrase"), HELD, ids=[f"{h[0]}-{h[1]}-{i}" for i, h in enumerate(HELD)]
)
def test_art9_special_category_data_about_another_person_is_held(
    lang: str, kind: str, post: str, phrase: str
) -> None:
    verdict = moderate(post, lang)
    assert verdict.hold and kind in verdict.classes, verdict
    phrases = [post[span.start : span.end] for span in verdict.spans if span.kind == kind]
    assert any(phrase in found and len(found) < len(phrase) + 12 for found in phrases), phrases


@pytest.mark.parametrize(
    ("lang", "post"), ALLOWED, ids=[f"{a[0]}-{i}" for i, a in enumerate(ALLOWED)]
)
def test_art9_self_statements_general_statements_and_hard_negatives_are_allowed(
    lang: str, post: str
) -> None:
    verdict = moderate(post, lang)
    assert not verdict.hold, verdict
    assert verdict.classes == () and verdict.spans == ()


@pytest.mark.parametrize(("lang", "kind", "post", "phrase"), HELD[::4])
def test_art9_verdicts_hold_without_a_language_given(
    lang: str, kind: str, post: str, phrase: str
) -> None:
    assert kind in moderate(post).classes


@pytest.mark.parametrize(("post", "held"), CONTACT)
def test_art9_contact_data_of_a_third_party_is_held_and_the_authors_own_allowed(
    post: str, held: bool
) -> None:
    verdict = moderate(post)
    assert verdict.hold is held, verdict
    assert verdict.classes == (("contact_data",) if held else ())


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Mijn collega is zwanger, maar dat weet niemand van het team.", "nl"),
        ("Ma collègue est enceinte mais personne ne le sait dans l'équipe.", "fr"),
        ("Meine Kollegin ist schwanger, aber das weiß im Team niemand.", "de"),
        ("My colleague is pregnant but nobody in the team knows it.", "en"),
    ],
)
def test_art9_the_language_is_guessed_from_function_words(text: str, language: str) -> None:
    assert guess(text)[0] == language
    assert moderate(text).lang == language


def test_art9_classes_are_sorted_unique_and_spans_ordered() -> None:
    post = "My boss is gay. My boss is a Muslim and my boss is gay."
    verdict = moderate(post, "en")
    assert verdict.classes == ("religion", "sexual_orientation")
    assert [span.start for span in verdict.spans] == sorted(span.start for span in verdict.spans)
    assert set(verdict.classes) <= set(MODERATION_CLASSES)
    assert verdict.as_json("p1") == {
        "id": "p1",
        "hold": True,
        "classes": ["religion", "sexual_orientation"],
        "spans": [span.as_json() for span in verdict.spans],
    }


def test_art9_an_unknown_lexicon_term_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broken = moderation_lexicon.LexiconFile.model_validate(
        {"language": "en", "classes": {"health": {"predicates": ["is {nonsense}"]}}}
    )
    monkeypatch.setattr(moderation_lexicon, "read_file", lambda name: broken)
    moderation_lexicon.lexicon.cache_clear()
    try:
        with pytest.raises(ConfigurationError, match="unknown term"):
            moderation_lexicon.lexicon("en")
    finally:
        monkeypatch.undo()
        moderation_lexicon.lexicon.cache_clear()


def test_art9_a_language_without_lexicon_is_refused_by_the_loader() -> None:
    with pytest.raises(ConfigurationError, match="no moderation lexicon"):
        moderation_lexicon.lexicon("es")


def _posts(tmp_path: Path, *lines: str | bytes) -> Path:
    path = tmp_path / "posts.jsonl"
    path.write_bytes(
        b"\n".join(line if isinstance(line, bytes) else line.encode() for line in lines)
    )
    return path


def test_art9_cli_prints_one_json_verdict_per_post() -> None:
    posts = "\n".join(
        json.dumps(post)
        for post in (
            {"id": 1, "text": "My colleague has cancer.", "lang": "en"},
            {"id": "b", "text": "Ich bin Muslim."},
        )
    )
    result = CliRunner().invoke(app, ["moderate", "-", "--format", "json"], input=posts)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines == [
        {
            "id": 1,
            "hold": True,
            "classes": ["health"],
            "spans": [{"start": 13, "end": 23, "class": "health"}],
        },
        {"id": "b", "hold": False, "classes": [], "spans": []},
    ]


def test_art9_cli_text_format_lists_the_decision_and_the_phrase(tmp_path: Path) -> None:
    path = _posts(tmp_path, json.dumps({"id": 7, "text": "Mijn broer is homo.", "lang": "nl"}))
    result = CliRunner().invoke(app, ["moderate", str(path), "--format", "text"])
    assert result.exit_code == 0, result.output
    assert "HOLD" in result.stdout and "sexual_orientation" in result.stdout
    assert "'is homo'" in result.stdout


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"not json", "line 2: not JSON"),
        (b"[1, 2]", "line 2: a JSON list, not an object"),
        (b'{"text": "x"}', 'line 2: no "id"'),
        (b'{"id": 3}', 'line 2: "text" is missing or not a string'),
        (b'{"id": 3, "text": 5}', 'line 2: "text" is missing or not a string'),
        (b'{"id": 3, "text": "caf\xe9"}', "line 2: not UTF-8"),
        (b'{"id": 3, "text": "' + b"a" * 100_001 + b'"}', 'line 2: "text" is longer than'),
        (b'{"id": 3, "text": "x", "lang": 5}', 'line 2: "lang" is not a string'),
    ],
)
def test_art9_cli_reports_a_bad_line_by_number_and_judges_the_others(
    tmp_path: Path, line: bytes, message: str
) -> None:
    good = json.dumps({"id": 1, "text": "Hello", "lang": "en"}).encode()
    path = _posts(tmp_path, good, line, good)
    result = CliRunner().invoke(app, ["moderate", str(path)])
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stdout.splitlines()) == 2
    assert "Traceback" not in result.output


def test_art9_cli_says_when_a_language_is_guessed(tmp_path: Path) -> None:
    path = _posts(tmp_path, json.dumps({"id": 1, "text": "Mein Bruder ist schwul.", "lang": "es"}))
    result = CliRunner().invoke(app, ["moderate", str(path)])
    assert result.exit_code == 0
    assert "line 1: lang 'es' has no lexicon: read as de" in result.stderr
    assert json.loads(result.stdout)["classes"] == ["sexual_orientation"]


def test_art9_cli_an_unreadable_file_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["moderate", str(tmp_path / "missing.jsonl")])
    assert result.exit_code == 2
    assert "no such file" in result.output.lower()


BROADER_HELD = [
    # vocabulary: conditions, unions, parties, ethnic groups, in all four languages
    ("en", "health", "My neighbour Tom has been on chemotherapy since March."),
    ("en", "health", "The janitor is HIV-positive."),
    ("en", "health", "My sister-in-law is 12 weeks pregnant."),
    ("en", "health", "Our cashier suffers from narcolepsy."),
    ("en", "trade_union", "My landlord is a member of SIPTU."),
    ("en", "political_opinion", "Our treasurer Helen is a paid-up member of the Green Party."),
    ("en", "ethnic_origin", "My neighbour Li Wei is ethnically Uyghur."),
    ("en", "ethnic_origin", "The new tenant is Roma."),
    ("fr", "health", "Le gardien de l'immeuble est séropositif."),
    ("fr", "trade_union", "Pierre est délégué CGT depuis dix ans."),
    ("fr", "trade_union", "Isabelle vient d'adhérer à la CFDT."),
    ("fr", "political_opinion", "Notre trésorière Hélène est militante chez les Verts."),
    ("fr", "ethnic_origin", "Ma voisine est ouïghoure."),
    ("nl", "trade_union", "Pieter de Vries is kaderlid bij het ABVV."),
    ("nl", "trade_union", "Els is vorige maand lid geworden van de FNV."),
    ("nl", "ethnic_origin", "De huisbaas weigerde Dragan omdat hij een Roma is."),
    ("nl", "ethnic_origin", "Mijn buurvrouw Mei is Oeigoers."),
    ("de", "trade_union", "Thomas aus der Logistik ist Vertrauensmann der Gewerkschaft."),
    ("de", "political_opinion", "Helga ist aktives Mitglied bei den Grünen."),
    ("de", "ethnic_origin", "Der Vermieter hat ihn abgelehnt, weil er Rom ist."),
    ("de", "ethnic_origin", "Meine Nachbarin ist Uigurin."),
    ("de", "genetic_biometric", "Claudia trägt die BRCA1-Genmutation."),
    # structure: relative clause, apposition, coordination, third party as object
    ("en", "health", "My colleague who sits next to me has cancer."),
    ("en", "health", "My colleague, who sits next to me, has cancer."),
    ("en", "health", "The doctor who treats me has cancer."),
    ("en", "sexual_orientation", "Jan, our new intern, is gay."),
    ("en", "sexual_orientation", "The guy that I work with is gay."),
    ("en", "religion", "My wife and I are Catholic."),
    ("en", "religion", "I saw Jan at the mosque."),
    ("fr", "health", "Julie, la caissière, est enceinte."),
    ("fr", "health", "Ma collègue qui est assise à côté de moi a un cancer."),
    ("nl", "health", "Mijn collega die naast me zit heeft kanker."),
    ("de", "health", "Mein Kollege, der neben mir sitzt, hat Krebs."),
]

BROADER_ALLOWED = [
    ("en", "I am 12 weeks pregnant."),
    ("en", "I saw a fire at the mosque."),
    ("en", "I told my sister that I have cancer."),
    ("en", "Discrimination based on ethnic origin is prohibited."),
    ("en", "HIV testing is free this week."),
    ("en", "The union strike starts Monday."),
    ("en", "Turkish coffee is the best."),
    ("fr", "Je suis séropositif depuis 2010."),
    ("fr", "La discrimination fondée sur l'origine ethnique est interdite."),
    ("nl", "Discriminatie op basis van etnische afkomst is verboden."),
    ("nl", "Ik ben lid geworden van de FNV."),
    ("de", "Ich bin Mitglied bei den Grünen."),
    ("de", "Rom ist eine schöne Stadt."),
    ("de", "Die Gewerkschaft ver.di streikt am Montag."),
]


@pytest.mark.parametrize(
    ("lang", "kind", "post"),
    BROADER_HELD,
    ids=[f"{h[0]}-{h[1]}-{i}" for i, h in enumerate(BROADER_HELD)],
)
def test_art9_broader_vocabulary_and_structures_about_others_are_held(
    lang: str, kind: str, post: str
) -> None:
    assert kind in moderate(post, lang).classes


@pytest.mark.parametrize(
    ("lang", "post"), BROADER_ALLOWED, ids=[f"{a[0]}-{i}" for i, a in enumerate(BROADER_ALLOWED)]
)
def test_art9_broader_self_and_general_statements_stay_allowed(lang: str, post: str) -> None:
    assert not moderate(post, lang).hold
