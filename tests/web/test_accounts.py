"""Accounts over real HTTP: argon2 hashes, CSRF, lockout, sessions ending, API tokens, the audit log."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import secrets
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from cxscore.errors import AccountError
from cxscore.service.ratelimit import RateLimiter
from cxscore.store import SCHEMA_VERSION, Project, Store
from cxscore.web.accounts import AUDIT_LOG, Accounts, create_tables


def _store(server: Any) -> tuple[Store, Any]:
    return server.app.state.store, server.app.state.store_lock


def test_passwords_are_stored_only_as_argon2_hashes(server: Any, accounts: dict[str, Any]) -> None:
    store, lock = _store(server)
    with lock:
        rows = store.execute("SELECT username, password_hash FROM _users").fetchall()
    assert len(rows) == len(accounts)
    for _, hashed in rows:
        assert hashed.startswith("$argon2id$")
        assert "correct horse" not in hashed


def test_sessions_and_tokens_are_stored_as_sha256_never_as_given(
    server: Any, clients: dict[str, Any]
) -> None:
    cookie = clients["employee"].cookies["cxscore_session"]
    store, lock = _store(server)
    with lock:
        hashes = [r[0] for r in store.execute("SELECT token_hash FROM _sessions").fetchall()]
    assert cookie not in hashes
    assert all(len(h) == 64 for h in hashes)


def test_a_form_without_its_csrf_token_is_refused(server: Any) -> None:
    with httpx.Client(base_url=server.url) as client:
        client.get("/login")
        answer = client.post("/login", data={"username": "erin", "password": "correct horse battery staple"})
    assert answer.status_code == 403
    assert "CSRF" in answer.text


def test_wrong_password_says_so_without_telling_which_part_was_wrong(server: Any, login: Any) -> None:
    with httpx.Client(base_url=server.url) as client:
        form = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
        wrong = client.post(
            "/login", data={"username": "erin", "password": "nope nope nope", "csrf_token": token}
        )
        unknown = client.post(
            "/login", data={"username": "nobody", "password": "nope nope", "csrf_token": token}
        )
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong username or password" in wrong.text and "Wrong username or password" in unknown.text


def test_an_account_locks_after_repeated_failures_and_a_reset_unlocks_it(server: Any, login: Any) -> None:
    with httpx.Client(base_url=server.url) as client:
        form = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
        answers = [
            client.post(
                "/login", data={"username": "lou", "password": "wrong wrong wrong", "csrf_token": token}
            )
            for _ in range(4)
        ]
        right = client.post(
            "/login",
            data={"username": "lou", "password": "correct horse battery staple", "csrf_token": token},
        )
    assert [a.status_code for a in answers[:3]] == [401, 401, 401]  # the test server locks after 3
    assert answers[3].status_code == 429 and "locked" in answers[3].text
    assert right.status_code == 429 and int(right.headers["retry-after"]) > 0
    store, lock = _store(server)
    log = [
        (e["action"], e["detail"]) for e in Accounts(store, lock).audit_entries() if e["username"] == "lou"
    ]
    assert ("sign-in failed", "password: wrong password, 2 in a row, from 127.0.0.1") in log
    locking = [d for a, d in log if d.startswith("password: wrong password, locked until ")]
    refused = [d for a, d in log if d.startswith("password: locked until ")]
    assert len(locking) == 1 and len(refused) == 2  # the 4th attempt and the right password, while locked
    Accounts(store, lock).reset("lou", "a brand new passphrase")
    assert (
        login(server.url, "lou", "a brand new passphrase").get("/api/account").json()["user"]["username"]
        == "lou"
    )


def test_guessing_names_is_rate_limited_per_account_name(server: Any) -> None:
    # The site's limit on a clock that stands still: seven sign-ins (argon2 each) took 4.2 s on a busy
    # machine, and at one try per name every 6 s a slower run would have earned the seventh back.
    site = server.app.state.site
    kept = site.account_limit
    site.account_limit = RateLimiter(per_second=kept.per_second, burst=kept.burst, clock=lambda: 0.0)
    try:
        with httpx.Client(base_url=server.url) as client:
            form = client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
            guess = {"username": "ghost", "password": "one two three four", "csrf_token": token}
            answers = [client.post("/login", data=guess).status_code for _ in range(7)]
    finally:
        site.account_limit = kept
    assert answers == [401] * 6 + [429]  # twice the test server's 3 failures, then wait


def test_sign_out_ends_the_session(server: Any, login: Any) -> None:
    client = login(server.url, "erin")
    page = client.get("/account")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    cookie = client.cookies["cxscore_session"]
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    stale = httpx.get(f"{server.url}/api/account", cookies={"cxscore_session": cookie})
    assert stale.status_code == 401


def _attempt(client: httpx.Client, username: str, password: str) -> httpx.Response:
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def _next_second() -> str:
    """Wait for the next whole second (the audit log's resolution); its time, as the log writes it."""
    now = dt.datetime.now(dt.UTC)
    time.sleep(1 - now.microsecond / 1e6)
    return (now.replace(microsecond=0, tzinfo=None) + dt.timedelta(seconds=1)).isoformat()


def test_sign_ins_failures_and_sign_outs_are_in_the_audit_log(server: Any, clients: dict[str, Any]) -> None:
    ghost, since = f"ghost-{secrets.token_hex(4)}", _next_second()
    with httpx.Client(base_url=server.url) as browser:
        assert _attempt(browser, ghost, "a password nobody has").status_code == 401
        assert _attempt(browser, "sam", "not sam's password at all").status_code == 401
        assert _attempt(browser, '=HYPERLINK("http://x")', "a formula for a name").status_code == 401
        assert _attempt(browser, "sam", "correct horse battery staple").status_code == 303
        page = browser.get("/account")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        assert browser.post("/logout", data={"csrf_token": token}).status_code == 303
    answer = clients["admin"].get("/api/admin/audit")
    log = [
        (e["username"], e["action"], e["subject"], e["detail"])
        for e in answer.json()["entries"]
        if e["occurred_at"] >= since and e["action"] in ("sign in", "sign-in failed", "sign out")
    ]
    assert sorted(log) == sorted(
        [
            (ghost, "sign-in failed", ghost, "password: unknown account, from 127.0.0.1"),
            ("sam", "sign-in failed", "sam", "password: wrong password, 1 in a row, from 127.0.0.1"),
            (
                "'=HYPERLINK(\"http://x\")'",
                "sign-in failed",
                "'=HYPERLINK(\"http://x\")'",
                "password: unknown account, from 127.0.0.1",
            ),
            ("sam", "sign in", "sam", "password, from 127.0.0.1"),
            ("sam", "sign out", "sam", "session ended, from 127.0.0.1"),
        ]
    )
    assert "a password nobody has" not in answer.text and "correct horse" not in answer.text
    newest_first = [action for who, action, _, _ in log if who == "sam"]
    assert newest_first == ["sign out", "sign in", "sign-in failed"]
    page = clients["admin"].get("/admin/audit").text
    assert f"<td>{ghost}</td><td>sign-in failed</td>" in page and "<td>sign out</td>" in page
    assert page.index("<td>sam</td><td>sign out</td>") < page.index("<td>sam</td><td>sign in</td>")
    sheet = clients["admin"].get("/admin/audit?format=csv").text
    assert "'=HYPERLINK" in sheet and "\n=HYPERLINK" not in sheet and ",=HYPERLINK" not in sheet
    assert sheet.index("sam,sign out,") < sheet.index("sam,sign in,")


#: The engines the web app runs on (not Spark: it updates and deletes sessions).
WEB_ENGINES = [pytest.param(name, marks=getattr(pytest.mark, name)) for name in ("duckdb", "postgres")]


def _new_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """A new, empty in-memory DuckDB store, or a new database on the run's PostgreSQL server."""
    if request.param == "duckdb":
        store = Store.duckdb()
        yield store
        store.close()
        return
    server = request.getfixturevalue("postgres_server")
    database = server.create_database()
    store = Store.postgres(server.url(database))
    yield store
    store.close()
    server.drop_database(database)


@pytest.fixture(params=WEB_ENGINES)
def web_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """A store with the web app's tables on each engine the web app runs on."""
    for store in _new_store(request):
        create_tables(store)
        yield store


@pytest.fixture(params=WEB_ENGINES)
def full_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """A store with every table and its schema version on each engine the web app runs on."""
    for store in _new_store(request):
        store.create_schema()
        yield store


def test_entries_of_the_same_second_come_back_in_the_order_written(web_store: Store) -> None:
    accounts = Accounts(web_store)
    for i in range(30):
        accounts.audit("sam", "sign in" if i % 2 == 0 else "sign out", "sam", f"entry {i}")
    entries = accounts.audit_entries()
    assert [e["detail"] for e in entries] == [f"entry {i}" for i in reversed(range(30))]
    seconds = [e["occurred_at"] for e in entries]
    assert len(set(seconds)) < len(seconds)  # some did share a second (30 writes take milliseconds)


def test_an_older_store_numbers_its_new_audit_entries_after_its_old_ones(project: Project) -> None:
    store = project.store()
    store.execute("ALTER TABLE _audit_log DROP COLUMN seq")
    store.execute(
        "INSERT INTO _audit_log (occurred_at, username, action, subject, detail) "
        "VALUES (TIMESTAMP '2025-03-01 10:15:00', 'ada', 'view payouts', 'P-00044', 'before the upgrade')"
    )
    store.execute("UPDATE _cxscore_meta SET value = '4' WHERE key = 'schema_version'")
    store.close()
    store = project.store()
    try:
        assert store.schema_version() == SCHEMA_VERSION and "seq" in store.con.get_schema("_audit_log").names
        accounts = Accounts(store)
        accounts.audit("sam", "sign in", "sam", "after")
        accounts.audit("sam", "sign out", "sam", "after")
        entries = accounts.audit_entries()
        assert [(e["action"], e["detail"]) for e in entries] == [
            ("sign out", "after"),
            ("sign in", "after"),
            ("view payouts", "before the upgrade"),
        ]
        assert store.execute("SELECT seq FROM _audit_log ORDER BY seq NULLS FIRST").fetchall() == [
            (None,),
            (1,),
            (2,),
        ]
    finally:
        store.close()


def test_a_schema_5_store_numbers_its_new_entries_after_its_old_ones(full_store: Store) -> None:
    """Schema 5 numbered an entry one more than the highest (two servers could write the same number);
    schema 6 takes the numbers from a sequence that starts after the highest one already written."""
    store = full_store
    store.execute("ALTER TABLE _audit_log ALTER COLUMN seq DROP DEFAULT")
    store.execute("DROP SEQUENCE cx__audit_log_seq")
    old = [(None, "before 5"), (1, "one"), (2, "two"), (3, "three"), (3, "three again")]
    for number, detail in old:
        store.execute(
            "INSERT INTO _audit_log (occurred_at, username, action, subject, detail, seq) "
            "VALUES (TIMESTAMP '2025-03-01 10:15:00', 'ada', 'sign in', 'ada', ?, ?)",
            [detail, number],
        )
    store.execute("UPDATE _cxscore_meta SET value = '5' WHERE key = 'schema_version'")
    store.ensure_schema()
    assert store.schema_version() == SCHEMA_VERSION == 6
    accounts = Accounts(store)
    accounts.audit("sam", "sign in", "sam", "after")
    store.create_schema()  # run again (as `cxscore init` does): the sequence goes on, it does not restart
    accounts.audit("sam", "sign out", "sam", "after, again")
    numbers = store.execute(
        "SELECT detail, seq FROM _audit_log WHERE username = 'sam' ORDER BY seq"
    ).fetchall()
    assert numbers == [("after", 4), ("after, again", 5)]
    assert [e["detail"] for e in accounts.audit_entries()][:2] == ["after, again", "after"]


@pytest.mark.postgres
def test_the_audit_page_reads_a_schema_5_stores_newest_entries_off_an_index(postgres_server: Any) -> None:
    """Schema 6 indexes the audit log on PostgreSQL in the audit page's exact order, also in a store from
    before it: the page's newest entries come off the index instead of a sort of the whole log."""
    database = postgres_server.create_database()
    store = Store.postgres(postgres_server.url(database))
    try:
        store.create_schema()
        store.execute("DROP INDEX cx__audit_log_listed")
        store.execute("UPDATE _cxscore_meta SET value = '5' WHERE key = 'schema_version'")
        store.execute(
            "INSERT INTO _audit_log (occurred_at, username, action, subject, detail, seq) "
            "SELECT TIMESTAMP '2025-03-01 10:15:00' + (i / 3) * INTERVAL '1 second', 'ada', 'sign in', "
            "'ada', 'entry ' || i, CASE WHEN i % 3 > 0 OR i > 30 THEN i END "
            "FROM generate_series(1, 3000) AS i"
        )
        store.ensure_schema()
        store.engine.analyze("_audit_log")
        query = f"SELECT detail FROM _audit_log ORDER BY {AUDIT_LOG.order_by()} LIMIT 200"
        plan = "\n".join(row[0] for row in store.execute(f"EXPLAIN {query}").fetchall())
        assert "Index Scan using cx__audit_log_listed" in plan and "Sort" not in plan, plan
        details = [e["detail"] for e in Accounts(store).audit_entries(3000)]
        # Three entries a second; in the first ten seconds the first of each has no number (written before
        # schema 5) and comes after the two of its second that have one, which is when it was written.
        assert details == [f"entry {i}" for i in range(3000, 0, -1)]
    finally:
        store.close()
        postgres_server.drop_database(database)


@pytest.mark.postgres
def test_two_servers_writing_at_once_never_share_a_number(postgres_server: Any) -> None:
    """Two servers (two connections, each with its own lock) on one PostgreSQL database write entries as
    fast as they can: every entry gets its own number, and each server's entries are numbered in the
    order it wrote them."""
    database = postgres_server.create_database()
    stores = [Store.postgres(postgres_server.url(database)) for _ in range(2)]
    try:
        stores[0].create_schema()
        start = threading.Barrier(2)

        def write(server: int) -> None:
            accounts = Accounts(stores[server])
            start.wait()
            for i in range(300):
                accounts.audit(f"server-{server}", "view payouts", "P-00044", str(i))

        with ThreadPoolExecutor(2) as pool:
            list(pool.map(write, range(2)))
        rows = stores[0].execute("SELECT username, detail, seq FROM _audit_log ORDER BY seq").fetchall()
        assert len(rows) == 600 and None not in {seq for _, _, seq in rows}
        assert len({seq for _, _, seq in rows}) == 600
        for server in ("server-0", "server-1"):
            assert [int(detail) for who, detail, _ in rows if who == server] == list(range(300))
        writers = [who for who, _, _ in rows]
        switches = sum(a != b for a, b in itertools.pairwise(writers))
        assert switches > 2  # the two did write at the same time, not one after the other
    finally:
        for store in stores:
            store.close()
        postgres_server.drop_database(database)


def test_api_tokens_act_as_their_account_and_nothing_more(server: Any, clients: dict[str, Any]) -> None:
    page = clients["employee"].get("/account")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    made = clients["employee"].post("/account/tokens", data={"name": "nightly export", "csrf_token": token})
    secret = re.search(r'<code class="token">([^<]+)</code>', made.text).group(1)  # type: ignore[union-attr]
    # A scorecard computed on the spot took 3.3 s here on a busy machine: httpx's default timeout (5 s) is
    # too short for CI, so the script waits as long as the signed-in clients do.
    bearer = {"Authorization": f"Bearer {secret}"}
    with httpx.Client(base_url=server.url, headers=bearer, timeout=60.0) as script:
        assert script.get("/api/people/P-00046").status_code == 200
        assert script.get("/api/people/P-00022").status_code == 403
    bad = httpx.get(f"{server.url}/api/overview", headers={"Authorization": "Bearer cxs_forged"})
    assert bad.status_code == 401 and "API token" in bad.json()["error"]


def test_viewing_payouts_writes_the_audit_log(server: Any, clients: dict[str, Any]) -> None:
    assert clients["sales_manager"].get("/payouts?person=P-00022&period=2025-Q4").status_code == 200
    assert clients["sales_manager"].get("/api/payouts?person=P-00022&period=2025-Q4").status_code == 200
    csv = clients["compensation_admin"].get("/payouts?period=2025-Q4&format=csv&table=lines")
    assert csv.status_code == 200 and "P-00022" in csv.text
    log = clients["admin"].get("/api/admin/audit").json()["entries"]
    views = [(e["username"], e["subject"], e["detail"]) for e in log if e["action"] == "view payouts"]
    assert ("sol", "P-00022", "/payouts?person=P-00022&period=2025-Q4 (html)") in views
    assert ("sol", "P-00022", "/api/payouts?person=P-00022&period=2025-Q4 (json)") in views
    assert any(who == "carl" and detail.endswith("(csv)") for who, _, detail in views)


def test_account_rules_name_the_fix() -> None:
    store = Store.duckdb()
    create_tables(store)
    accounts = Accounts(store)
    with pytest.raises(AccountError, match="at least 12"):
        accounts.add("bob", "employee", "short")
    with pytest.raises(AccountError, match="Roles: employee, manager"):
        accounts.add("bob", "boss", "long enough password")
    accounts.add("bob", "employee", "long enough password")
    with pytest.raises(AccountError, match="cxscore users reset bob"):
        accounts.add("bob", "employee", "long enough password")


def test_every_answer_carries_the_security_headers(server: Any) -> None:
    answer = httpx.get(f"{server.url}/login")
    csp = answer.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_pages_load_nothing_from_elsewhere(clients: dict[str, Any]) -> None:
    for path in ("/", "/teams/T-SUP-EMEA", "/leaderboards", "/trends", "/login"):
        html = clients["executive"].get(path).text
        assert not re.search(r'(src|href)="(https?:)?//', html), path
        assert "<script>" not in html and " style=" not in html  # the CSP allows no inline code
