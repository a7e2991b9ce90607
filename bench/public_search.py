"""Public tender search on PostgreSQL: p50 and p95 of the search page and the API over N tenders.

Set-up, in a fresh bench database (BENCH_DATABASE_URL, default tender_bench, dropped and
re-created like every benchmark here, so never the DATABASE_URL of a working database): 100
agencies and N tenders (default 200,000; 5% drafts) with one to three lots each, written with
bulk_create (no services, no audit events). Titles and descriptions draw on 83 Russian, Kazakh
and English words followed by a tail of 4,000 made-up ones, with frequencies falling as 1/rank:
"поставка" is in most tenders, a tail word in a few hundredths of a percent. Then VACUUM
ANALYZE, as autovacuum would leave the table.

Measured, in this process through Django's test client (the whole stack but the socket:
middleware, view, form, queries, template or schema), with persistent database connections:
the list page /tenders/ and the API /api/v1/tenders for a fixed set of searches (no words,
common, rare, several words, a prefix, Kazakh, a tender number, filters, a later page). Each
repetition runs every search `--rounds` times; p50 and p95 are taken per repetition and the
median of the repetitions is reported. Also the database alone: the page's rows and its count,
capped as the page caps it (procurement.paging).

Baseline, in the same run and the same way: a plain indexed SELECT of one tender by number.

    python bench/public_search.py [--tenders 200000] [--repeat 3] [--rounds 5] [--reuse]

--reuse keeps a bench database that this script seeded with the same --tenders and --seed
(it migrates it forward) instead of seeding 200,000 tenders again, a minute or two.
Target (issue 7): p95 <= 50 ms over 200,000 tenders. Runs by hand, not in CI.
"""

import argparse
import datetime as dt
import itertools
import os
import random
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench._setup import DEFAULT_URL, fresh_database, median, result  # noqa: E402

AGENCIES = 100
BATCH = 5000
T0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
# Words by rank: the first ones are common (Zipf-like weights), the last ones rare.
HEAD_TEXT = (
    "поставка услуги медицинских товаров инсулин лекарственных средств оборудования ремонт "
    "строительство школы больницы мебели продуктов питания жиһаз тауарлар қызметтер сатып алу "
    "мектеп аурухана жөндеу құрылыс medical supplies insulin glargine syringes bandages "
    "computers office paper fuel diesel gasoline cleaning security catering transport "
    "автомобилей шприцы перевязочные компьютеров бумаги топлива уборка охрана питание "
    "reagents laboratory vaccines oxygen cylinders textbooks uniforms heating boilers "
    "асфальт дорог освещение водоснабжение канализации кровли окон дверей лифтов "
    "рентген томограф аппарат ультразвуковой дефибриллятор катетер стент имплант "
    "әлеуметтік нысандарға арналған өндірісі Қазақстан облысы ауданы қаласы"
)
HEAD = HEAD_TEXT.split()
SYLLABLE_TEXT = "ка ро ми на ст ле ви до за пе ту бы ше жа қа өр ұл ің ба ге ко ли мо ну ра ти "
SYLLABLES = (SYLLABLE_TEXT + "ka ro mi na le vi do za pe tu ge ko li mo nu ra ti be sa").split()
TAIL = 4000  # a long tail of rarer words, as real tender texts have


def vocabulary(rnd: random.Random) -> list[str]:
    """The head words (most frequent first) and a tail of made-up ones, Zipf-weighted."""
    words, seen = list(HEAD), set(HEAD)
    while len(words) < len(HEAD) + TAIL:
        word = "".join(rnd.choices(SYLLABLES, k=rnd.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


STATUSES = ["enquiries"] * 15 + ["tendering"] * 20 + ["evaluation"] * 5 + ["complete"] * 40
STATUSES += ["cancelled"] * 8 + ["unsuccessful"] * 7 + ["draft"] * 5


def configure_environment(conn_max_age: int) -> None:
    os.environ.update(
        {
            "DJANGO_ENV": "development",
            "DJANGO_DEBUG": "0",  # no query log: what a server runs
            "LOG_LEVEL": "WARNING",
            "DB_CONN_MAX_AGE": str(conn_max_age),
        }
    )


def seeded_mark(count: int, seed: int) -> str:
    return f"public_search tenders={count} seed={seed}"


def reuse_database(mark: str) -> bool:
    """Set Django up on the bench database if this script seeded it with `mark`, migrated
    forward; False (nothing done) otherwise."""
    import psycopg

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    try:
        with psycopg.connect(url) as conn:
            row = conn.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
                " WHERE datname = current_database()"
            ).fetchone()
    except psycopg.OperationalError:
        return False
    if row is None or row[0] != mark:
        return False
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("VAR_DIR", str(ROOT / "var" / "bench"))
    manage = [sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"]
    subprocess.run(manage, check=True, env=os.environ)
    import django

    django.setup()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # as after seeding, whatever a migration rewrote
    return True


def mark_seeded(mark: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        name = connection.settings_dict["NAME"]
        cursor.execute(f'COMMENT ON DATABASE "{name}" IS %s', [mark])


# --- the data ---------------------------------------------------------------------------------


def tender_number(n: int) -> str:
    return f"T-{2025 + n // 500_000}-{n % 500_000 + 1:06d}"


def seed(count: int, rnd: random.Random, vocabulary: list[str]) -> list[str]:
    """Agencies, budget lines, N tenders and their lots; returns the tender numbers."""
    weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(vocabulary))))

    def words(low: int, high: int) -> str:
        return " ".join(rnd.choices(vocabulary, cum_weights=weights, k=rnd.randint(low, high)))

    from django.db import connection

    from procurement.models import BudgetLine, Lot, Procedure, Tender
    from suppliers.models import Organisation

    agencies = Organisation.objects.bulk_create(
        Organisation(
            kind="agency",
            bin=f"{900000000000 + n}",
            legal_name=f"Agency {n}",
            region="astana",
            address=f"Astana, Mangilik El {n}",
            contact_email=f"agency{n}@gov.kz",
            status="verified",
        )
        for n in range(AGENCIES)
    )
    lines = BudgetLine.objects.bulk_create(
        BudgetLine(
            agency=a,
            fiscal_year=2025,
            programme_code="001",
            name="Procurement",
            approved_amount=Decimal("1000000000000.00"),
        )
        for a in agencies
    )
    procedures = list(Procedure.objects.filter(code__in=["open_tender", "price_quotations"]))
    numbers = []
    for start in range(0, count, BATCH):
        tenders = []
        for n in range(start, min(start + BATCH, count)):
            published = T0 + dt.timedelta(minutes=rnd.randrange(60 * 24 * 700))
            status = rnd.choice(STATUSES)
            number = tender_number(n)
            numbers.append(number)
            tenders.append(
                Tender(
                    number=number,
                    agency=agencies[n % AGENCIES],
                    title=words(2, 7).capitalize(),
                    description=words(8, 30),
                    procedure=rnd.choice(procedures),
                    status=status,
                    published_at=None if status == "draft" else published,
                    enquiry_end=published + dt.timedelta(days=3),
                    submission_deadline=published + dt.timedelta(days=10),
                    created_at=published - dt.timedelta(days=1),
                )
            )
        Tender.objects.bulk_create(tenders)
        Lot.objects.bulk_create(
            Lot(
                tender=t,
                number=k,
                title=t.title[:100],
                amount=Decimal(rnd.randrange(100_000, 50_000_000)),
                budget_line=lines[i % AGENCIES],
            )
            for i, t in enumerate(tenders)
            for k in range(1, rnd.randint(1, 3) + 1)
        )
        print(f"  {min(start + BATCH, count):,} tenders", end="\r", flush=True)
    with connection.cursor() as cursor:  # what autovacuum leaves behind: statistics, visibility
        cursor.execute("VACUUM ANALYZE")
    print()
    return numbers


# --- the searches -----------------------------------------------------------------------------


def searches(numbers: list[str], rnd: random.Random, vocabulary) -> list[tuple[str, dict]]:
    number = rnd.choice(numbers)  # rnd is fresh here: the same tender whether seeded or reused
    return [
        ("no words (the list)", {}),
        ("a common word", {"q": "поставка"}),
        ("a mid word", {"q": "шприцы"}),
        ("a rare word", {"q": vocabulary[len(HEAD) + 1500]}),
        ("two words", {"q": "инсулин шприцы"}),
        ("three words", {"q": "medical supplies insulin"}),
        ("a prefix", {"q": "медицин"}),
        ("Kazakh, any case", {"q": "ЖИҺАЗ"}),
        ("a tender number", {"q": number}),
        ("digits of a number", {"q": number.rsplit("-", 1)[1]}),
        ("no match", {"q": "zzyzx"}),
        ("word + status + value", {"q": "ремонт", "status": "complete", "value_min": "1000000"}),
        ("word, page 5", {"q": "поставка", "page": "5"}),
        ("status only", {"status": "tendering"}),
    ]


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


def measure(numbers: list[str], queries, *, repeat: int, rounds: int) -> dict:
    from django.test import Client

    from procurement.models import Tender
    from procurement.paging import list_page

    client = Client()
    page_url, api_url = "/tenders/", "/api/v1/tenders"

    def page(params):
        response = client.get(page_url, params)
        assert response.status_code == 200, response.status_code

    def api(params):
        response = client.get(api_url, params)
        assert response.status_code == 200, response.content[:200]

    def database(params):
        tenders = Tender.objects.published().select_related("agency", "procedure").with_value()
        tenders = tenders.matching(params.get("q", ""))
        if params.get("status"):
            tenders = tenders.filter(status=params["status"])
        tenders = tenders.value_between(params.get("value_min"), None).order_by(
            "-published_at", "-pk"
        )
        list_page(tenders, int(params.get("page", 1)), 25)  # rows and count, as the page

    def by_number(_params):
        Tender.objects.filter(number=random.choice(numbers)).values_list("pk", "title").first()

    kinds = {"page": page, "api": api, "sql": database, "baseline": by_number}
    for _name, params in queries:  # warm the caches and the connection
        for call in kinds.values():
            call(params)
    figures = {kind: {"p50": [], "p95": []} for kind in kinds}
    per_query = {name: {kind: [] for kind in kinds} for name, _ in queries}
    for _ in range(repeat):
        samples = {kind: [] for kind in kinds}
        for _ in range(rounds):
            for name, params in queries:
                for kind, call in kinds.items():
                    ms = timed(lambda call=call, params=params: call(params))
                    samples[kind].append(ms)
                    per_query[name][kind].append(ms)
        for kind in kinds:
            figures[kind]["p50"].append(statistics.median(samples[kind]))
            figures[kind]["p95"].append(p95(samples[kind]))
    summary = {kind: {q: median(v) for q, v in f.items()} for kind, f in figures.items()}
    return {"summary": summary, "per_query": per_query}


def matches(queries) -> dict[str, int]:
    from procurement.models import Tender

    return {
        name: Tender.objects.published().matching(params.get("q", "")).count()
        for name, params in queries
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tenders", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5, help="runs of each search per repeat")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--conn-max-age", type=int, default=60)
    parser.add_argument(
        "--reuse", action="store_true", help="keep a database seeded alike by an earlier run"
    )
    args = parser.parse_args()
    configure_environment(args.conn_max_age)
    rnd = random.Random(args.seed)
    random.seed(args.seed)
    words = vocabulary(rnd)
    mark = seeded_mark(args.tenders, args.seed)
    if args.reuse and reuse_database(mark):
        print(f"reusing the {args.tenders:,} tenders seeded earlier")
        numbers = [tender_number(n) for n in range(args.tenders)]
    else:
        fresh_database()
        started = time.perf_counter()
        print(f"seeding {args.tenders:,} tenders ...")
        numbers = seed(args.tenders, rnd, words)
        mark_seeded(mark)
        print(f"seeded in {time.perf_counter() - started:.0f} s")
    queries = searches(numbers, random.Random(args.seed), words)
    found = matches(queries)
    run = measure(numbers, queries, repeat=args.repeat, rounds=args.rounds)

    print(f"\n{'search':<24} {'matches':>8} {'page ms':>8} {'api ms':>8} {'sql ms':>8}")
    for name, _params in queries:
        row = run["per_query"][name]
        print(
            f"{name:<24} {found[name]:>8,} {statistics.median(row['page']):>8.1f} "
            f"{statistics.median(row['api']):>8.1f} {statistics.median(row['sql']):>8.1f}"
        )
    summary = run["summary"]
    base = summary["baseline"]
    print(
        f"\nover {args.tenders:,} tenders, {len(queries)} searches x {args.rounds} rounds, "
        f"median of {args.repeat} repetitions:"
    )
    for kind in ("page", "api", "sql", "baseline"):
        print(
            f"  {kind:<9} p50 {summary[kind]['p50']:7.2f} ms   p95 {summary[kind]['p95']:7.2f} ms"
        )
    print("target (issue 7): search p95 <= 50 ms over 200,000 tenders")
    for kind in ("page", "api", "sql"):
        for figure in ("p50", "p95"):
            result(
                f"public_search_{kind}_{figure}",
                summary[kind][figure],
                "ms",
                base[figure],
                higher_is_better=False,
            )


if __name__ == "__main__":
    main()
