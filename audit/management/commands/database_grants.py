"""The SQL that gives the application's own PostgreSQL role what it needs and no more: it reads and writes the
app's tables, but may only add to the audit trail (SELECT and INSERT; no UPDATE, DELETE or TRUNCATE, and as it
owns nothing it can't switch the append-only triggers off either). Migrations run as the owning role; run this
(as that role) after every `migrate`, since new tables need their grants too.

    manage.py database_grants --role planner_app | psql "$OWNER_DATABASE_URL"
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

APPEND_ONLY_TABLES = ["approvals_auditevent", "audit_auditcheckpoint"]


def grants(role: str, database: str) -> list[str]:
    quoted = connection.ops.quote_name(role)
    return [
        f"GRANT CONNECT ON DATABASE {connection.ops.quote_name(database)} TO {quoted};",
        f"GRANT USAGE ON SCHEMA public TO {quoted};",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted};",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted};",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {', '.join(APPEND_ONLY_TABLES)} FROM {quoted};",
    ]


class Command(BaseCommand):
    help = "Print the grants for the application's least-privileged PostgreSQL role (audit trail: insert only)."

    def add_arguments(self, parser):
        parser.add_argument("--role", required=True, help="The role the web, worker and scheduler log in as.")

    def handle(self, *args, role, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Database roles are PostgreSQL's; the embedded SQLite default has none.")
        self.stdout.write("\n".join(grants(role, connection.settings_dict["NAME"])))
