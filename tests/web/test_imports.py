"""The Import page: an admin uploads a file into a table through the running web app, with the options and
the importer of `cxscore import`. A server of its own, on a fresh project, so the demo's numbers that the
other web tests assert stay as they are."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from cxscore.service.app import create_app
from cxscore.service.settings import WebSettings
from cxscore.store import Project, Store, init_project
from cxscore.store.project import STORE_ENV
from cxscore.web.accounts import Accounts, create_tables

PASSWORD = "correct horse battery staple"
ROLES = ("employee", "manager", "executive", "compensation_admin", "admin")
LIMIT_MB = 0.25
LIMIT = int(LIMIT_MB * 1024 * 1024)

#: Survey answers without an id: the key derives from the time and the comment; one score is out of
#: range, one row is an exact copy of another, and `Region` matches no column of `responses`.
ANSWERS = (
    "When,Score,Comment,Region\n"
    "03/11/2025 09:15,9,Quick and friendly,North\n"
    "04/11/2025 10:20,3,Waited an hour,South\n"
    "05/11/2025 11:00,11,Typo in the score,North\n"
    "03/11/2025 09:15,9,Quick and friendly,North\n"
)
#: The same answers corrected: the bad score mended, one score changed.
CORRECTED = ANSWERS.replace(",11,Typo", ",10,Typo").replace(",3,Waited", ",4,Waited")
OPTIONS = {
    "table_name": "responses",
    "mapping": "responded_at=When\nnps=Score\ncomment=Comment",
    "date_order": "day-first",
    "key_from": "When,Comment",
}


@dataclass(frozen=True)
class Served:
    url: str
    project: Project
    app: Any


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, app_server: Any) -> Iterator[Served]:
    """A fresh project with one account per role, served with a small upload limit and a snapshot that
    would otherwise be kept for an hour (so the pages show an import at once, or the tests see it)."""
    project = init_project(tmp_path_factory.mktemp("imports") / "company")
    store = project.store()
    try:
        create_tables(store)
        for role in ROLES:
            Accounts(store).add(role.replace("_", "-"), role, PASSWORD)
    finally:
        store.close()
    with serving(app_server, project) as found:
        yield found


@contextmanager
def serving(app_server: Any, project: Project) -> Iterator[Served]:
    """The project's web app on a port of its own, until the block ends."""
    sock = app_server.socket()
    settings = WebSettings(
        port=int(sock.getsockname()[1]), cache_seconds=3600.0, warm_up=False, max_upload_mb=LIMIT_MB
    )
    app = create_app(project, settings)
    with app_server.serve(app, sock) as url:
        yield Served(url, project, app)


@pytest.fixture(scope="module")
def signed_in(served: Served, login: Callable[..., httpx.Client]) -> Iterator[dict[str, httpx.Client]]:
    made = {role: login(served.url, role.replace("_", "-"), PASSWORD) for role in ROLES}
    yield made
    for client in made.values():
        client.close()


def token(client: httpx.Client) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/account").text)
    assert found
    return found.group(1)


def upload(
    client: httpx.Client,
    content: str | bytes,
    name: str = "nps-week-45.csv",
    csrf: bool = True,
    path: str = "/imports",
    **fields: Any,
) -> httpx.Response:
    form = {**OPTIONS, **fields, **({"csrf_token": token(client)} if csrf else {})}
    body = content.encode() if isinstance(content, str) else content
    return client.post(path, data=form, files={"file": (name, body, "text/csv")})


def query(served: Served, sql: str) -> list[tuple[Any, ...]]:
    app: Any = served.app
    with app.state.store_lock:
        return list(app.state.store.execute(sql).fetchall())


def stored(served: Served) -> dict[str, Any]:
    """What the store holds: the answers, the open quarantine, the import log, files left in uploads."""
    return {
        "responses": sorted(query(served, "SELECT coalesce(comment, response_id), nps FROM responses")),
        "open": query(served, "SELECT count(*) FROM _quarantine WHERE status = 'open'")[0][0],
        "imports": query(served, "SELECT count(*) FROM _imports")[0][0],
        "uploads": sorted(p.name for p in (served.project.root / ".cxscore" / "uploads").glob("*")),
    }


def nps_answers(client: httpx.Client) -> int:
    """The answers behind the company's NPS of 2025 on the overview."""
    card = client.get("/api/overview?period=2025").json()["scorecard"]
    return int(next(m["n"] for m in card["metrics"] if m["metric"] == "nps"))


def result(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text[:2000]
    found: dict[str, Any] = answer.json()["imported"]
    return found


def test_an_admin_imports_answers_again_and_corrected_and_the_pages_show_them_at_once(
    served: Served, signed_in: dict[str, httpx.Client]
) -> None:
    admin = signed_in["admin"]
    assert admin.get("/api/overview").status_code == 200  # the snapshot exists before the import
    page = upload(admin, ANSWERS)
    assert page.status_code == 200, page.text[:2000]
    assert "Imported nps-week-45.csv into responses" in page.text
    assert 'href="/data-quality?table_name=responses"' in page.text and "Region" in page.text
    assert nps_answers(admin) == 2

    first = result(upload(admin, ANSWERS, path="/api/imports"))
    # The page's import stored the rows; the same file through the JSON twin changes nothing.
    assert {
        k: first[k] for k in ("read", "inserted", "updated", "unchanged", "duplicates", "quarantined")
    } == {
        "read": 4,
        "inserted": 0,
        "updated": 0,
        "unchanged": 2,
        "duplicates": 1,
        "quarantined": 1,
    }
    assert first["ignored"] == ["Region"] and first["file"] == "nps-week-45.csv"
    now = stored(served)
    assert now["responses"] == [("Quick and friendly", 9), ("Waited an hour", 3)]
    assert now["open"] == 1  # the bad row is quarantined once, not once per upload
    assert now["imports"] == 2 and now["uploads"] == []  # the private files are gone
    reason, file = query(served, "SELECT reason, file FROM _quarantine WHERE status = 'open'")[0]
    assert "nps: 11 is above the maximum 10" in reason
    # The quarantine and the import log name the upload as the admin knows it, not the private file.
    assert file == "nps-week-45.csv"
    assert {r[0] for r in query(served, "SELECT files FROM _imports")} == {"nps-week-45.csv"}
    listed = admin.get("/api/imports").json()["imports"]
    assert [i["files"] for i in listed] == ["nps-week-45.csv"] * 2 and listed[0]["rows_read"] == 4

    corrected = result(upload(admin, CORRECTED, path="/api/imports"))
    assert (corrected["inserted"], corrected["updated"], corrected["unchanged"]) == (1, 1, 1)
    assert (corrected["quarantined"], corrected["resolved"], corrected["duplicates"]) == (0, 1, 1)
    after = stored(served)
    assert after["responses"] == [("Quick and friendly", 9), ("Typo in the score", 10), ("Waited an hour", 4)]
    assert after["open"] == 0

    # The overview counts the three answers at once, though the server would keep its snapshot an hour.
    assert nps_answers(admin) == 3

    audit = [e for e in admin.get("/api/admin/audit").json()["entries"] if e["action"] == "import"]
    assert len(audit) == 3 and all(e["username"] == "admin" and e["subject"] == "responses" for e in audit)
    assert "nps-week-45.csv: read 4, inserted 1, updated 1, unchanged 1" in audit[0]["detail"]


def test_every_other_role_is_refused_the_page_its_twin_and_the_upload(
    served: Served, signed_in: dict[str, httpx.Client]
) -> None:
    before = stored(served)
    for role in ROLES:
        expected = 200 if role == "admin" else 403
        client = signed_in[role]
        assert client.get("/imports").status_code == expected, role
        assert client.get("/api/imports").status_code == expected, role
        if role != "admin":
            refused = upload(client, ANSWERS.replace("Quick", "Sneaky"), path="/api/imports")
            assert refused.status_code == 403 and "role" in refused.json()["error"], role
            assert upload(client, ANSWERS).status_code == 403, role
            retried = client.post("/imports/retry", data={"csrf_token": token(client)})
            assert retried.status_code == 403, role
            assert 'href="/imports"' not in client.get("/account").text  # no nav entry either
    assert 'href="/imports"' in signed_in["admin"].get("/account").text
    assert stored(served) == before
    with httpx.Client(base_url=served.url) as anonymous:
        assert anonymous.get("/imports").status_code == 303
        signed_out = anonymous.post("/api/imports", data=OPTIONS, files={"file": ("a.csv", ANSWERS.encode())})
        assert signed_out.status_code == 401


def test_a_form_without_its_csrf_token_is_refused(served: Served, signed_in: dict[str, httpx.Client]) -> None:
    before = stored(served)
    answer = upload(signed_in["admin"], ANSWERS.replace("Quick", "Forged"), csrf=False)
    assert answer.status_code == 403 and "security token" in answer.text
    forged = upload(signed_in["admin"], ANSWERS.replace("Quick", "Forged"), path="/api/imports", csrf=False)
    assert forged.status_code == 403
    assert signed_in["admin"].post("/imports/retry", data={}).status_code == 403
    assert stored(served) == before


def test_a_script_imports_with_an_api_token_and_no_form_token(served: Served) -> None:
    app: Any = served.app
    secret = app.state.site.accounts.create_token("admin", "nightly import")
    with httpx.Client(base_url=served.url, headers={"Authorization": f"Bearer {secret}"}) as script:
        answer = upload(
            script,
            "response_id,responded_at,nps\nS-1,2025-10-01 08:00,8\n",
            csrf=False,
            path="/api/imports",
            mapping="",
            date_order="",
            key_from="",
        )
    assert result(answer)["inserted"] == 1


def test_an_upload_over_the_limit_is_refused_with_the_limit_named(
    served: Served, signed_in: dict[str, httpx.Client]
) -> None:
    before = stored(served)
    header = "When,Score,Comment\n"
    for size in (LIMIT + 100, 4 * LIMIT):  # past the file's limit only; past the request's as well
        body = header + "x" * (size - len(header))
        page = upload(signed_in["admin"], body)
        assert page.status_code == 413, page.text[:500]
        assert "upload limit of 0.25 MB (CXSCORE_MAX_UPLOAD_MB)" in page.text
        twin = upload(signed_in["admin"], body, path="/api/imports")
        assert twin.status_code == 413 and "0.25 MB" in twin.json()["error"]
    # A body of unknown length (chunked) could be any size: refused before it is read.
    chunks = iter([b"--x\r\n", b"y" * 1024, b"\r\n--x--\r\n"])
    chunked = signed_in["admin"].post(
        "/api/imports", content=chunks, headers={"content-type": "multipart/form-data; boundary=x"}
    )
    assert chunked.status_code == 411 and "Content-Length" in chunked.json()["error"]
    assert stored(served) == before


def test_bad_options_and_files_get_the_importers_message_and_store_nothing(
    served: Served, signed_in: dict[str, httpx.Client]
) -> None:
    admin = signed_in["admin"]
    before = stored(served)
    page = upload(admin, ANSWERS, mapping="nps=Likelihood\nresponded_at=When")
    assert page.status_code == 400
    assert "Nothing was imported." in page.text
    text = page.text.replace("&#39;", "'")
    assert "'nps-week-45.csv' has no column 'Likelihood' (has: When, Score, Comment, Region)" in text
    assert "Fix the --map option." in text
    assert str(served.project.root) not in text  # the private file's path is not shown
    assert "nps=Likelihood" in text  # the form is filled in again as sent
    cases: list[tuple[dict[str, Any], str]] = [
        ({"mapping": "nps Score"}, "--map 'nps Score' is not of the form COLUMN=VALUE"),
        ({"key_from": "When,Nope"}, "--key-from names 'Nope'"),
        ({"key_from_content": "true"}, "not both"),
        ({"table_name": "answers"}, "There is no table 'answers'"),
    ]
    for fields, message in cases:
        twin = upload(admin, ANSWERS, path="/api/imports", **fields)
        assert twin.status_code == 400 and message in twin.json()["error"], twin.text[:800]
    wrong_type = upload(admin, b"PK\x03\x04", name="answers.xlsx", path="/api/imports")
    assert wrong_type.status_code == 400 and "unknown file type '.xlsx'" in wrong_type.json()["error"]
    assert stored(served)["responses"] == before["responses"] and stored(served)["uploads"] == []


def test_the_file_name_is_never_a_path(served: Served, signed_in: dict[str, httpx.Client]) -> None:
    outside = served.project.root.parent / "escaped.csv"
    answer = upload(
        signed_in["admin"], ANSWERS.replace("Quick", "Dotted"), name="../escaped.csv", path="/api/imports"
    )
    assert result(answer)["file"] == "escaped.csv"
    assert not outside.exists() and not list(Path(served.project.root).glob("escaped*"))


def test_retrying_the_quarantine_stores_rows_whose_cause_was_fixed(
    served: Served, signed_in: dict[str, httpx.Client]
) -> None:
    admin = signed_in["admin"]
    answers = "response_id,responded_at,nps,account_id\nR-ACME-1,2025-10-02 10:00,10,A-ACME\n"
    first = result(upload(admin, answers, path="/api/imports", mapping="", date_order="", key_from=""))
    assert first["quarantined"] == 1  # account A-ACME is not imported yet
    accounts = "account_id,name\nA-ACME,Acme\n"
    upload(
        admin,
        accounts,
        name="accounts.csv",
        path="/api/imports",
        table_name="accounts",
        mapping="",
        date_order="",
        key_from="",
    )
    page = admin.post("/imports/retry", data={"csrf_token": token(admin), "table_name": "responses"})
    assert page.status_code == 200 and "responses: 1 retried, 1 now stored, 0 still quarantined" in page.text
    assert query(served, "SELECT nps FROM responses WHERE response_id = 'R-ACME-1'") == [(10,)]
    audit = admin.get("/api/admin/audit").json()["entries"]
    assert any(e["action"] == "retry quarantine" and "1 stored" in e["detail"] for e in audit)


def test_the_import_page_is_under_the_site_wide_rate_limit() -> None:
    from cxscore.web.pages import UNLIMITED

    assert not any(path.startswith(UNLIMITED) for path in ("/imports", "/api/imports", "/imports/retry"))


@pytest.mark.postgres
def test_the_same_uploads_give_the_same_counts_on_postgresql(
    tmp_path: Path, postgres_server: Any, login: Callable[..., httpx.Client], app_server: Any
) -> None:
    """The page imports through the server's store whatever it is: on PostgreSQL the same file, again
    and corrected give the counts they give on DuckDB (above), and the store holds the same answers."""
    url = postgres_server.url(postgres_server.create_database())
    target = Store.postgres(url)
    try:
        target.create_schema()
        create_tables(target)
        Accounts(target).add("admin", "admin", PASSWORD)
    finally:
        target.close()
    patch = pytest.MonkeyPatch()
    patch.setenv(STORE_ENV, url)
    try:
        project = init_project(tmp_path / "company")
        with serving(app_server, project) as server:
            assert server.app.state.store.backend == "postgres"
            admin = login(server.url, "admin", PASSWORD)
            counts = [
                result(upload(admin, content, path="/api/imports"))
                for content in (ANSWERS, ANSWERS, CORRECTED)
            ]
            answers = sorted(query(server, "SELECT comment, nps FROM responses"))
            admin.close()
    finally:
        patch.undo()
    named = ("read", "inserted", "updated", "unchanged", "duplicates", "quarantined", "resolved")
    assert [tuple(c[k] for k in named) for c in counts] == [
        (4, 2, 0, 0, 1, 1, 0),
        (4, 0, 0, 2, 1, 1, 0),
        (4, 1, 1, 1, 1, 0, 1),
    ]
    assert answers == [("Quick and friendly", 9), ("Typo in the score", 10), ("Waited an hour", 4)]


def test_on_duckdb_an_import_waits_for_the_survey_sides_write_and_loses_no_change(
    served: Served, signed_in: dict[str, httpx.Client]
) -> None:
    """The survey endpoints write through a connection of their own (answers, webhooks). On DuckDB two
    transactions that change one row both commit and one change is lost, so an import waits until the
    survey side's transaction is over, then changes what it wrote."""
    admin = signed_in["admin"]
    form: dict[str, Any] = {"path": "/api/imports", "mapping": "", "date_order": "", "key_from": ""}
    answers = "response_id,responded_at,nps\nR-BUSY-1,2025-10-03 09:00,5\n"
    assert result(upload(admin, answers, **form))["inserted"] == 1
    survey, lock = served.app.state.survey_store, served.app.state.survey_lock
    answered: list[httpx.Response] = []
    importing = threading.Thread(
        target=lambda: answered.append(upload(admin, answers.replace(",5", ",7"), **form))
    )
    with lock, survey.transaction():
        survey.execute("UPDATE responses SET comment = 'Called back' WHERE response_id = 'R-BUSY-1'")
        importing.start()
        importing.join(timeout=2.0)
        assert importing.is_alive()  # the import waits for the survey side's transaction
    importing.join(timeout=60)
    assert result(answered[0])["updated"] == 1
    # Both changes are kept: the survey side's comment and the file's score (the file has no comment).
    assert query(served, "SELECT nps, comment FROM responses WHERE response_id = 'R-BUSY-1'") == [
        (7, "Called back")
    ]
