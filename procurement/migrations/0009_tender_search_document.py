"""The public search reads each tender's words stored, not re-parsed (issue 7).

Migration 0008 indexed the expression `tender_document(number, title, description)`: the GIN
index found matches, but every plan that checks tenders one by one re-parsed their text, ~13 µs
a tender. "The newest 25 of 5,000 matches" walks the list's order (`tender_published_order`)
checking ~1,000 tenders: 35 ms over 200,000; the first 1,001 matches of a common word, for a
capped count, 13 ms. Now the words are the stored generated column `search_document`, which
PostgreSQL computes on every insert and update (so it is never stale), `tender_search` is a GIN
index over that column, and a check costs about a microsecond: the same walk takes 7 ms.

The column is not a model field: no query selects it, no insert names it (PostgreSQL refuses a
value for a generated column), and SQLite, which searches without it, has none. Queries name
it through `procurement.querysets.SearchDocument`.

PostgreSQL will not change the type of number, title or description while a generated column
reads them ("cannot alter type of a column used by a generated column"): a migration doing that,
or changing tender_document(), drops `search_document` first and adds it back after, as below.
Adding it rewrites the table under an exclusive lock: 20-30 s for 200,000 tenders.
"""

from django.db import migrations

ADD_DOCUMENT = """
ALTER TABLE procurement_tender ADD COLUMN search_document tsvector
GENERATED ALWAYS AS (tender_document(number, title, description)) STORED
"""
# `fastupdate = off` as in 0008: a search never scans a pending list of recent tenders.
DOCUMENT_INDEX = """
CREATE INDEX tender_search ON procurement_tender
USING gin (search_document) WITH (fastupdate = off)
"""
EXPRESSION_INDEX = """
CREATE INDEX tender_search ON procurement_tender
USING gin (tender_document(number, title, description)) WITH (fastupdate = off)
"""


def store_document(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS tender_search")
        schema_editor.execute(ADD_DOCUMENT)
        schema_editor.execute(DOCUMENT_INDEX)
        schema_editor.execute("ANALYZE procurement_tender")


def parse_document_again(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE procurement_tender DROP COLUMN search_document")
        schema_editor.execute(EXPRESSION_INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("procurement", "0008_tender_search_indexes"),
    ]

    operations = [
        migrations.RunPython(store_document, parse_document_again, elidable=False),
    ]
