"""`tutela translations missing`: what a translator still has to translate.

Prints a translation file (``translations: - language: fr, texts: {path: text}``) with
every text people read that has no value in the language yet, each given in the
statement's first language, ready to be translated and saved in the programme folder
(Art. 12(1); WP260 ¶13).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tutela.cli.errors import command_group, user_errors
from tutela.errors import ConfigurationError

app = command_group("List the programme's texts a language still lacks.")


@app.command("missing")
@user_errors
def missing(
    path: Annotated[
        Path,
        typer.Argument(metavar="PROGRAMME", help="The programme folder (or one YAML file)."),
    ],
    language: Annotated[
        str, typer.Option("--lang", "-l", help="The language to translate into (fr, nl, de).")
    ],
) -> None:
    """Print a translation file of every text PROGRAMME lacks in --lang, to translate.

    Each value is the text in the statement's first language: replace it with its
    translation and save the file in the programme folder (e.g. translations/fr.yml).
    Exit 0 also when nothing is missing (the file then lists no texts).
    """
    from io import StringIO

    from ruamel.yaml import YAML

    from tutela.checks.rules.languages import missing_languages
    from tutela.programme.loader import load
    from tutela.programme.translations import keyed_path, texts
    from tutela.programme.types import LANGUAGE

    if not LANGUAGE.match(language):
        raise ConfigurationError(f"--lang {language!r} is not a language code such as fr or nl")
    programme = load(path).programme
    first = programme.statement.languages[0] if programme.statement else "en"
    wanted = {
        keyed_path(programme, where): text.in_language(first)
        for where, text in texts(programme)
        if language in missing_languages(text, [first, language])
    }
    document = {"translations": [{"language": language, "texts": wanted}]}
    writer = YAML(typ="safe", pure=True)
    writer.default_flow_style = False
    writer.allow_unicode = True
    writer.width = 90
    out = StringIO()
    writer.dump(document, out)
    typer.echo(out.getvalue(), nl=False)
