import sqlalchemy as sa


def test_fresh_database_is_empty_and_writable(database_url: str) -> None:
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        assert sa.inspect(connection).get_table_names() == []
        connection.execute(sa.text("CREATE TABLE probe (id INTEGER PRIMARY KEY)"))
        connection.execute(sa.text("INSERT INTO probe (id) VALUES (1)"))
        assert connection.execute(sa.text("SELECT count(*) FROM probe")).scalar_one() == 1
    engine.dispose()
