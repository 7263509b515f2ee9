"""The demo's discovery steps: personal data found in a system, drift, moderated posts.

After the programme's systems are built with synthetic people, the tour discovers the
personal data of one database (the proposal as YAML), checks the whole programme against
its databases (`tutela check --against`), and moderates a few community posts in the four
languages (seed §9: special-category data about other people is held).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tutela.programme.models import Programme, System

POSTS = (
    ("p1", "en", "Thanks for the quick answer on the licence question!"),
    ("p2", "en", "Don't ask Mark, he is in hospital for his chemotherapy again."),
    ("p3", "fr", "Je suis diabétique et l'appli m'aide beaucoup."),
    ("p4", "nl", "Mijn collega Sanne is lid van de vakbond, vraag het haar."),
    ("p5", "de", "Ruf Herrn Becker an: 0151 23456789, er weiß es."),
)
"""Posts of a community forum: two about the author or nobody, three about someone else."""


def _declared_fields(system: System) -> int:
    return sum(len(c.fields) for d in system.datasets for c in d.collections)


Step = tuple[str, list[str] | Callable[[], list[str]], Callable[[], None] | None]


def discovery_steps(
    programme: Path, loaded: Programme, out: Path, environ: dict[str, str]
) -> list[Step]:
    """Discover, check against the databases, moderate: three steps of the tour."""
    connected = [s for s in loaded.systems if s.connector is not None and s.connector.url_env]
    if not connected:
        return []
    system = max(connected, key=_declared_fields)  # the richest database shows the most
    if system.connector is None or system.connector.url_env is None:
        return []
    variable = system.connector.url_env
    posts = out / "posts.jsonl"

    def write_posts() -> None:
        lines = [json.dumps({"id": i, "lang": lang, "text": text}) for i, lang, text in POSTS]
        posts.write_text("\n".join(lines) + "\n", encoding="utf-8")

    return [
        (
            f"Discover the personal data in {system.key}'s database (a proposal to review)",
            lambda: [
                *("discover", environ[variable]),
                *("--output", str(out / "discovered" / f"{system.key}.yml")),
            ],
            lambda: (out / "discovered").mkdir(parents=True, exist_ok=True),
        ),
        (
            "Check the programme against its databases (schema drift)",
            ["check", str(programme), "--against"],
            None,
        ),
        (
            "Moderate community posts: special-category data about others is held (seed §9)",
            ["moderate", str(posts)],
            write_posts,
        ),
    ]
