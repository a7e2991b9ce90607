"""Indexes of the public tender search (issue 7).

- `tender_published_order`: the list's order, newest first, over published tenders (both
  databases).
- On PostgreSQL only (SQLite has no GIN and searches without an index): the function
  `tender_document(number, title, description)`, the words a tender is found by, and
  `tender_search`, a GIN index over it.

Why a function rather than the expression inline: re-parsing a tender's text costs ~13 µs, and
the planner, told the built-in functions' cost, would walk `tender_published_order` for the
newest 25 matches re-parsing every tender on the way: fine for a word in most tenders, every
tender read for a word in none (80 ms over 5,000 tenders, seconds over 200,000). Declared
with its real cost (COST 1000, and plpgsql so that it is not inlined), the function makes the
planner take the index unless most tenders match. `fastupdate = off`: a search never scans a
pending list of recent tenders (tenders are written seldom and read all the time).

Changing the document means a new migration replacing the function and rebuilding the index.
"""

from django.db import migrations, models

DOCUMENT = """
CREATE FUNCTION tender_document(number text, title text, description text)
RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE COST 1000
AS $$
BEGIN
    -- 'simple': lower case, no stemming, no stop words, so Russian and Kazakh words match as
    -- typed; punctuation splits words the way the search splits what is typed.
    RETURN to_tsvector(
        'pg_catalog.simple'::regconfig,
        regexp_replace(
            coalesce(number, '') || ' ' || coalesce(title, '') || ' ' || coalesce(description, ''),
            '[[:punct:]]+', ' ', 'g'
        )
    );
END
$$
"""
INDEX = """
CREATE INDEX tender_search ON procurement_tender
USING gin (tender_document(number, title, description)) WITH (fastupdate = off)
"""


def add_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DOCUMENT)
        schema_editor.execute(INDEX)


def remove_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS tender_search")
        schema_editor.execute("DROP FUNCTION IF EXISTS tender_document(text, text, text)")


class Migration(migrations.Migration):
    dependencies = [
        ("procurement", "0007_award_stage"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="tender",
            index=models.Index(
                condition=models.Q(("status", "draft"), _negated=True),
                fields=["-published_at", "-id"],
                name="tender_published_order",
            ),
        ),
        migrations.RunPython(add_search_index, remove_search_index, elidable=False),
    ]
