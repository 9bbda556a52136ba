"""Patient search: what a typed query finds, keyset paging, and query plans that stay on the indexes."""

from __future__ import annotations

import random
import re
from datetime import date, datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, text
from sqlalchemy.dialects import sqlite

from clinic_desktop.domain.access import Principal
from clinic_desktop.domain.enums import Sex
from clinic_desktop.domain.patients import PatientInput
from clinic_desktop.domain.text import format_mrn, search_key
from clinic_desktop.storage import patient_queries
from clinic_desktop.storage.models import Patient

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)

#: (family, given, date of birth) registered through the service for the search-semantics tests.
PEOPLE = [
    ("Nguyễn", "Văn An", "1975-02-14"),
    ("O'Brien", "Siobhán", "1969-11-30"),
    ("Moreau", "Zoë", "1990-07-04"),
    ("王", "小明", "1985-09-09"),
    ("Smith", "Anna", "1980-05-01"),
    ("Smith", "Andrew", "1980-01-05"),
    ("Smithson", "Anton", "1972-03-03"),
    ("Smithers", "Bob", "1961-12-12"),
    ("Annable", "Carl", "1958-06-21"),
    ("García-López", "María José", "1999-12-31"),
]


@pytest.fixture
def people(services, staff) -> dict[str, object]:
    """The PEOPLE registered in order; returns each chart keyed by "Family, Given"."""
    charts = {}
    for family, given_names, born in PEOPLE:
        chart = services.patients.register(staff["front_desk"], PatientInput(
            given_names=given_names, family_name=family, date_of_birth=born, sex=Sex.FEMALE))
        charts[f"{family}, {given_names}"] = chart
    return charts


@pytest.fixture
def desk(staff) -> Principal:
    """The front desk, who keeps the patient list and searches it."""
    return staff["front_desk"]


def found(services, desk, query: str) -> list[str]:
    """Everyone the query finds (all pages), as "Family, Given" in list order."""
    names, after = [], None
    while True:
        page = services.patients.search(desk, query, after, limit=3)
        names += [f"{r.family_name}, {r.given_names}" for r in page.rows]
        if page.after is None:
            return names
        after = page.after


# --- what a query finds -------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "expected"), [
    ("NGUY", ["Nguyễn, Văn An"]),
    ("nguyễn", ["Nguyễn, Văn An"]),
    ("obrien", ["O'Brien, Siobhán"]),
    ("O'Br", ["O'Brien, Siobhán"]),
    ("o\u2019brien", ["O'Brien, Siobhán"]),
    ("zoe", ["Moreau, Zoë"]),
    ("ZOË", ["Moreau, Zoë"]),
    ("王", ["王, 小明"]),
    ("siobhan", ["O'Brien, Siobhán"]),
    ("garcia lo", ["García-López, María José"]),
    ("maria jo", ["García-López, María José"]),
])
def test_name_prefix_is_case_accent_and_punctuation_insensitive(services, desk, people, query, expected):
    """A prefix of the family or given name finds the patient however it is cased, accented or punctuated."""
    assert found(services, desk, query) == expected


def test_name_prefix_matches_family_or_given_names(services, desk, people):
    """"an" finds family names and given names that begin with it, in family-then-given order."""
    assert found(services, desk, "an") == ["Annable, Carl", "Smith, Andrew", "Smith, Anna", "Smithson, Anton"]
    assert found(services, desk, "smith") == ["Smith, Andrew", "Smith, Anna", "Smithers, Bob", "Smithson, Anton"]


def test_comma_means_family_then_given(services, desk, people):
    """"Smith, An" is family "Smith…" and given "An…"; a bare "Smith," is just the family prefix."""
    assert found(services, desk, "Smith, An") == ["Smith, Andrew", "Smith, Anna", "Smithson, Anton"]
    assert found(services, desk, "smith, anna") == ["Smith, Anna"]
    assert found(services, desk, "Smith,") == found(services, desk, "Smith")
    assert found(services, desk, "An, Smith") == []


@pytest.mark.parametrize("query", ["Anna Smith", "Smith Anna", "anna smi", "SMITH ANN"])
def test_two_words_match_given_and_family_in_either_order(services, desk, people, query):
    """"Anna Smith" and "Smith Anna" both find Anna Smith, and only her."""
    assert found(services, desk, query) == ["Smith, Anna"]


def test_mrn_digits_search_by_prefix(services, desk, people):
    """Digits search the MRN: a whole MRN finds one patient, a shorter prefix everyone it begins."""
    anna = people["Smith, Anna"]
    assert found(services, desk, anna.mrn) == ["Smith, Anna"]
    assert found(services, desk, anna.mrn[:-1]) == ["Smith, Anna"]  # without the check digit
    assert len(found(services, desk, anna.mrn[:3])) == len(PEOPLE)
    assert found(services, desk, "9" * 8) == []


@pytest.mark.parametrize("query", ["1980-05-01", "05/01/1980", "5/1/1980", " 1980-05-01 "])
def test_date_of_birth_iso_or_us_order(services, desk, people, query):
    """A date of birth typed ISO or US-style (month first) finds who was born that day, not on 1 January 5."""
    assert found(services, desk, query) == ["Smith, Anna"]


def test_us_date_is_month_first(services, desk, people):
    """01/05/1980 is January 5th: Andrew, not Anna."""
    assert found(services, desk, "01/05/1980") == ["Smith, Andrew"]


@pytest.mark.parametrize("query", ["", "   "])
def test_empty_query_lists_everyone_in_name_order(services, desk, people, query):
    """Nothing typed lists every patient, ordered by folded family then given name."""
    expected = sorted(people, key=lambda k: (search_key(k.split(", ")[0]), search_key(k.split(", ")[1])))
    assert found(services, desk, query) == expected
    assert services.patients.count(desk, query) == len(PEOPLE)


@pytest.mark.parametrize("query", ["zz", "13/45/1980", "2026-02-30", "Smith, Zed", "-", "'"])
def test_no_match_and_impossible_dates_find_nobody_or_fall_back_safely(services, desk, people, query):
    """Queries that match no one return an empty last page, never an error."""
    page = services.patients.search(desk, query)
    assert page.after is None
    assert services.patients.count(desk, query) == len(page.rows)


@pytest.mark.parametrize("query", ["", "an", "smith", "Smith, An", "Anna Smith", "1980-05-01", "100"])
def test_count_matches_the_pages(services, desk, people, query):
    """count(query) is the number of rows the pages of that query hold."""
    assert services.patients.count(desk, query) == len(found(services, desk, query))


# --- keyset paging -----------------------------------------------------------------------------------------

FAMILIES = ["Smith", "Nguyễn", "O'Brien", "Müller", "Mueller", "Zoë", "王", "Ángel", "angel", "Abbott", "Smith-Jones"]
GIVENS = ["Anna", "Ann", "Zoë", "Zoe", "Ólafur", "李", "Mary Ann", "Jo", "José"]


def insert_patients(db, names: list[tuple[str, str]], start: int = 1) -> None:
    """Patients inserted in one Core statement, keys folded as the service folds them."""
    rows = [dict(mrn=format_mrn(start + i), given_names=g, family_name=f, preferred_name="",
                 given_key=search_key(g), family_key=search_key(f),
                 date_of_birth=date(1940 + (start + i) % 60, 1 + (start + i) % 12, 1 + (start + i) % 28),
                 sex=Sex.OTHER, phone="", email="", address="", emergency_contact_name="",
                 emergency_contact_phone="", emergency_contact_relation="", escort_name="", escort_phone="",
                 row_version=1, created_at=NOW)
            for i, (f, g) in enumerate(names)]
    if not rows:
        return  # insert() with no rows would insert one row of defaults
    with db.write() as uow:
        uow.session.execute(insert(Patient), rows)
        uow.commit()


def expected_order(db, query: str) -> list[int]:
    """Ids matching a single-word name query in list order, computed in Python from the stored keys."""
    key = search_key(query)
    with db.read() as uow:
        rows = uow.session.execute(text("SELECT id, family_key, given_key FROM patients")).all()
    hits = [r for r in rows if r.family_key.startswith(key) or r.given_key.startswith(key)]
    return [r.id for r in sorted(hits, key=lambda r: (r.family_key, r.given_key, r.id))]


def page_ids(services, desk, query: str, limit: int) -> list[int]:
    ids, after, pages = [], None, 0
    while True:
        page = services.patients.search(desk, query, after, limit=limit)
        pages += 1
        assert len(page.rows) <= limit
        assert (page.after is None) or len(page.rows) == limit
        ids += [r.id for r in page.rows]
        if page.after is None:
            return ids
        after = page.after
        assert pages < 10_000, "paging does not terminate"


def test_keyset_paging_returns_everyone_once_in_name_order(db, services, desk):
    """Three hundred patients, many with the very same name, page out each exactly once in list order."""
    rng = random.Random(20260302)
    names = [(rng.choice(FAMILIES), rng.choice(GIVENS)) for _ in range(300)]
    names += [("Smith", "Anna")] * 25  # a run of identical names longer than a page
    insert_patients(db, names)
    for query, limit in [("", 7), ("", 1), ("", 100), ("", 325), ("", 1000), ("smi", 4), ("an", 9), ("zoe", 2)]:
        ids = page_ids(services, desk, query, limit)
        assert len(ids) == len(set(ids)), (query, limit)
        assert ids == expected_order(db, query), (query, limit)
        assert services.patients.count(desk, query) == len(ids)
    assert len(page_ids(services, desk, "", 13)) == 325


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.tuples(st.sampled_from(FAMILIES), st.sampled_from(GIVENS)), max_size=40),
       limit=st.integers(min_value=1, max_value=8),
       query=st.sampled_from(["", "a", "mü", "o'b", "zo", "smith"]))
def test_keyset_paging_property(db, services, desk, names, limit, query):
    """For any list of names (duplicates included), any page size and query: each match once, in order."""
    with db.write() as uow:
        uow.session.execute(delete(Patient))
        uow.commit()
    insert_patients(db, names)
    ids = page_ids(services, desk, query, limit)
    assert ids == expected_order(db, query)
    assert services.patients.count(desk, query) == len(ids)


# --- query plans ----------------------------------------------------------------------------------------------

PLAN_PATIENTS = 2000


@pytest.fixture
def big_db(db):
    """Two thousand patients with generated names and birth dates (no ANALYZE has been run)."""
    rng = random.Random(7)
    syllables = ["an", "be", "ka", "lo", "mi", "no", "ra", "si", "tu", "vo", "ye", "zu", "smi", "th"]

    def word() -> str:
        return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))).capitalize()

    insert_patients(db, [(word(), word()) for _ in range(PLAN_PATIENTS)])
    with db.read() as uow:
        stat_tables = uow.session.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"))
        assert stat_tables.scalar() == 0
    return db


def mrn_index(conn) -> str:
    """The name SQLite gave the unique index behind uq_patients_mrn."""
    for _, name, unique, *_ in conn.exec_driver_sql("PRAGMA index_list('patients')"):
        columns = [r[2] for r in conn.exec_driver_sql(f"PRAGMA index_info('{name}')")]
        if unique and columns == ["mrn"]:
            return name
    raise AssertionError("no unique index on patients.mrn")


def query_plan(conn, query: str, after: tuple | None, literal: bool) -> list[str]:
    """EXPLAIN QUERY PLAN of the search statement: literal values inlined, or bound as the app binds them."""
    stmt = patient_queries.search_statement(query, after, 101)
    if literal:
        sql = str(stmt.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql).all()
    else:
        compiled = stmt.compile(dialect=conn.dialect)
        params = compiled.construct_params()
        values = tuple(v.isoformat() if isinstance(v, date) else v
                       for v in (params[name] for name in compiled.positiontup))
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), values).all()
    return [row[-1] for row in rows]


FAMILY_IX = "ix_patients_family_key_given_key_id"
GIVEN_IX = "ix_patients_given_key_family_key_id"
BIRTH_IX = "ix_patients_date_of_birth"
PLAN_CASES = [
    # (what was typed, keyset cursor, the acceptable sets of indexes the plan searches)
    ("smi", None, [{FAMILY_IX, GIVEN_IX}]),
    ("Smith, An", None, [{FAMILY_IX}]),
    ("Anna Smith", None, [{FAMILY_IX, GIVEN_IX}]),
    ("MRN", None, [{"MRN"}]),
    ("1980-05-01", None, [{BIRTH_IX}]),
    ("05/01/1980", None, [{BIRTH_IX}]),
    # Next pages. With bound values SQLite may walk the list-order index from the cursor and filter there
    # (no sort, stops after a page of hits) instead of the two-index OR: both are index searches.
    ("smi", ("smith", "anna", 1000), [{FAMILY_IX, GIVEN_IX}, {FAMILY_IX}]),
    ("", ("mi", "ka", 1000), [{FAMILY_IX}]),  # the next page of the whole list
]


@pytest.mark.sqlite_only  # SQLite's EXPLAIN QUERY PLAN
@pytest.mark.parametrize("analyzed", [False, True], ids=["no-analyze", "analyzed"])
@pytest.mark.parametrize("literal", [True, False], ids=["literal", "bound"])
@pytest.mark.parametrize(("query", "after", "acceptable"), PLAN_CASES,
                         ids=[f"{q or 'all'}{'-next' if a else ''}" for q, a, _ in PLAN_CASES])
def test_search_plans_use_the_indexes(big_db, query, after, acceptable, literal, analyzed):
    """Name, MRN and birth-date searches (and next pages) seek on their index; none scans the patients table."""
    with big_db.engine.connect() as conn:
        if analyzed:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        if query == "MRN":
            query, acceptable = format_mrn(1234)[:6], [{mrn_index(conn)}]
        plan = query_plan(conn, query, after, literal)
    searched = {m.group(2) for line in plan
                for m in [re.match(r"SEARCH patients USING (COVERING )?INDEX (\w+) \(", line)] if m}
    assert searched in acceptable, plan
    assert not [line for line in plan if line.startswith("SCAN patients")], plan


@pytest.mark.sqlite_only  # big_db checks for SQLite's statistics table
def test_plans_are_taken_on_real_data(big_db, services, desk):
    """The plan tests above run against a table that really holds the generated patients."""
    assert services.patients.count(desk) == PLAN_PATIENTS
    assert services.patients.count(desk, format_mrn(1234)[:6]) > 0


def _pages(read, query: str, size: int) -> list[int]:
    """Every id a search finds, page by page through its keyset cursor, in list order."""
    ids, after = [], None
    while True:
        rows = read(query, after, size + 1)
        ids += [r.id for r in rows[:size]]
        if len(rows) <= size:
            return ids
        after = tuple(getattr(rows[size - 1], c.key) for c in patient_queries.order_for(query))


@pytest.mark.sqlite_only  # big_db checks SQLite's catalogue
@pytest.mark.parametrize("query", ["smi", "an", "k", "Vo", "zzz", "1000", "10"])
def test_reading_in_index_runs_finds_what_the_plain_statement_finds(big_db, query):
    """A word read as merged index runs (and digits in MRN order) gives the plain statement's rows, page by page."""
    with big_db.read() as uow:
        session = uow.session
        plain = _pages(lambda q, a, n: session.execute(patient_queries.search_statement(q, a, n)).all(), query, 37)
        runs = _pages(lambda q, a, n: patient_queries.search_rows(session, q, a, n), query, 37)
    assert runs == plain
    assert len(set(plain)) == len(plain)
    if query.isdigit():
        with big_db.read() as uow:
            mrns = [uow.session.get(Patient, i).mrn for i in plain]
        assert mrns == sorted(mrns) and all(m.startswith(query) for m in mrns)
