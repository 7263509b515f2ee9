"""`tutela db`: tutela's own store (``TUTELA_DATABASE_URL``) and its schema."""

from __future__ import annotations

import typer

from tutela.cli.context import application
from tutela.cli.errors import command_group, user_errors

app = command_group("tutela's own store: bring its schema up to date.")


@app.command("upgrade")
@user_errors
def upgrade(context: typer.Context) -> None:
    """Apply the store's migrations not yet applied (Alembic) and print its revision.

    Safe to run again: nothing is done when the store is up to date. Run it once on
    a new store and after each upgrade of tutela (a deployment step): every other
    command refuses a store that is not set up or is at another revision.
    """
    import sqlalchemy as sa

    from tutela.store import migrate
    from tutela.store.engine import open_engine, store_error

    app_ = application(context)
    engine = open_engine(app_.settings.database_url, **app_.timeouts())
    try:
        migrate.upgrade(engine)
        revision = migrate.revision(engine)
    except sa.exc.SQLAlchemyError as error:
        raise store_error(error, engine.url) from None
    finally:
        engine.dispose()
    typer.echo(f"tutela's store is at revision {revision}")


@app.command("keygen")
@user_errors
def keygen() -> None:
    """Print a new store key for TUTELA_STORE_KEY (it seals identities and answers).

    Keep it with your other secrets: answers and identities sealed under a lost key
    cannot be opened, and a leaked key opens them.
    """
    from tutela.requests.sealing import StoreKey

    typer.echo(StoreKey.generate())
