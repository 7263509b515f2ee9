"""`tutela moderation`: the queue of community posts held for staff (seed §9).

Posts are held by ``POST /api/v1/moderation`` (``tutela moderate`` only prints verdicts).
``queue`` lists the held posts without their text, ``show`` prints one with its text while
it is held (unsealed with the store key), ``decide`` allows or removes it with a reason:
the text is purged and the decision ledgered (:mod:`tutela.discovery.moderation_queue`).
Exit 4 for an unknown post, a decision already made otherwise or a missing reason, 6 when
the store fails, 7 without the store key.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from tutela.cli.context import application
from tutela.cli.errors import command_group, user_errors
from tutela.cli.requests import ActorOpt, FormatOpt, who
from tutela.errors import RequestError

if TYPE_CHECKING:
    from tutela.ports import HeldPost

app = command_group("The moderation queue: posts held for Art. 9 data about others.")
QueueIdArg = Annotated[str, typer.Argument(metavar="ID", help="The post's queue id.")]


@app.command("queue")
@user_errors
def queue(
    context: typer.Context,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="At most.")] = 50,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Skip the oldest.")] = 0,
    output_format: FormatOpt = "text",
) -> None:
    """List the held posts, oldest first: ids, when received, the classes; never the text."""
    page = application(context).moderation_desk().queue(limit, offset)
    if output_format == "json":
        items = [_document(post) for post in page.posts]
        typer.echo(json.dumps({"total": page.total, "items": items}, indent=2))
        return
    for post in page.posts:
        classes = ", ".join(post.classes)
        typer.echo(f"{post.id}  {post.received_at:%Y-%m-%d %H:%M}  {post.lang}  {classes}")
    typer.echo(f"{page.total} held" if page.total else "no post is held")


@app.command("show")
@user_errors
def show(context: typer.Context, identifier: QueueIdArg, output_format: FormatOpt = "text") -> None:
    """Print one queued post with its text while it is held (decided: the text is purged)."""
    shown = application(context).moderation_desk().show(identifier)
    if output_format == "json":
        typer.echo(json.dumps({**_document(shown.post), "text": shown.text}, indent=2))
        return
    post = shown.post
    typer.echo(f"{post.id}  {post.status}  post {post.post}  {post.lang}")
    typer.echo(f"held for: {', '.join(post.classes)}")
    if post.decided_at is not None:
        typer.echo(f"decided {post.decided_at:%Y-%m-%d %H:%M} by {post.decided_by}: {post.reason}")
    typer.echo("" if shown.text is None else f"\n{shown.text}")


@app.command("decide")
@user_errors
def decide(
    context: typer.Context,
    identifier: QueueIdArg,
    allow: Annotated[bool, typer.Option("--allow", help="Allow the post.")] = False,
    remove: Annotated[bool, typer.Option("--remove", help="Remove the post.")] = False,
    reason: Annotated[
        str, typer.Option("--reason", help="Why, kept with the decision (no personal data).")
    ] = "",
    actor: ActorOpt = None,
    output_format: FormatOpt = "text",
) -> None:
    """Allow or remove a held post with a reason: its text is purged, the decision ledgered."""
    if allow == remove:
        raise RequestError("say --allow or --remove (one of them)")
    decision = "allow" if allow else "remove"
    desk = application(context).moderation_desk()
    post = desk.decide(identifier, decision, who(actor), reason)
    if output_format == "json":
        typer.echo(json.dumps(_document(post), indent=2))
        return
    typer.echo(f"{post.id}  {post.status} by {post.decided_by}")


def _document(post: HeldPost) -> dict[str, object]:
    return {
        "id": post.id,
        "post": post.post,
        "received_at": post.received_at.isoformat(),
        "lang": post.lang,
        "classes": list(post.classes),
        "spans": [{"start": s, "end": e, "class": k} for s, e, k in post.spans],
        "digest": post.digest,
        "status": post.status,
        "decided_at": None if post.decided_at is None else post.decided_at.isoformat(),
        "decided_by": post.decided_by,
        "reason": post.reason,
    }
