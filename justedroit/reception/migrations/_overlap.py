"""SQL shared by the reception migrations (a module starting with `_` is not a migration)."""

ACTIVE = "('booked', 'seen', 'no_show')"


def sqlite_overlap(name: str, column: str, on_update: bool) -> str:
    """A SQLite trigger refusing an active appointment overlapping another active one with the
    same `column` (agent, resource, household): the SQLite twin of a PostgreSQL exclusion
    constraint."""
    event = f"UPDATE OF status, starts_at, ends_at, {column}" if on_update else "INSERT"
    same_row = "AND a.id <> NEW.id" if on_update else ""
    return (
        f"CREATE TRIGGER {name}_{'upd' if on_update else 'ins'} BEFORE {event} "
        "ON reception_appointment "
        f"WHEN NEW.status IN {ACTIVE} AND NEW.{column} IS NOT NULL AND EXISTS ("
        "SELECT 1 FROM reception_appointment a "
        f"WHERE a.{column} = NEW.{column} AND a.status IN {ACTIVE} {same_row} "
        "AND a.starts_at < NEW.ends_at AND NEW.starts_at < a.ends_at) "
        f"BEGIN SELECT RAISE(ABORT, '{name}'); END"
    )


def postgresql_exclusion(name: str, column: str) -> str:
    return (
        f"ALTER TABLE reception_appointment ADD CONSTRAINT {name} "
        f"EXCLUDE USING gist ({column} WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
        f"WHERE ({column} IS NOT NULL AND status IN {ACTIVE})"
    )
