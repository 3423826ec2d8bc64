"""Build the demo company into a project: every canonical table, bulk-written, deterministic for a seed."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from cxscore.demo.closedloop import build_closed_loop
from cxscore.demo.contracts import build_contracts
from cxscore.demo.customers import build_customers
from cxscore.demo.events import build_events
from cxscore.demo.feedback import Feedback
from cxscore.demo.journey import build_journey
from cxscore.demo.organisation import build_organisation
from cxscore.demo.products import build_products
from cxscore.demo.relationship import build_relationship
from cxscore.demo.sizes import Size
from cxscore.demo.sizes import size as find_size
from cxscore.demo.summary import DemoSummary, summarize
from cxscore.demo.support import build_support
from cxscore.demo.writer import Writer
from cxscore.errors import DemoError
from cxscore.store import Project, Store, init_project
from cxscore.store.project import CONFIG_FILE

__all__ = ["build", "generate"]

#: Follow-ups of the last events of 2025 (late closures, answers, deliveries) end before this day, so
#: every timestamp is in the past only once it has gone by.
_SAFE_AFTER = dt.date(2026, 7, 1)


def generate(
    root: Path, size: str = "small", seed: int = 7, *, force: bool = False, truths: bool = True
) -> DemoSummary:
    """Create the project at `root` (or recreate its store with `force`) and fill it with the demo company.

    Refuses a folder that already holds data unless `force` is given. With `truths=False` the company
    has none of the planted truths' effects (a clean company on which diagnosis should find nothing).
    """
    if dt.date.today() < _SAFE_AFTER:
        raise DemoError(f"The demo company's history ends in 2025 and needs today to be after {_SAFE_AFTER}.")
    chosen = replace(find_size(size), truths=truths)
    project = _fresh_project(root, force=force)
    from cxscore.plans.shipped import install_demo_plans  # the sales plans of the planted truth 5

    install_demo_plans(project.root)
    started = time.perf_counter()
    store = Store.duckdb(project.database_path)
    try:
        try:
            store.ensure_schema()
            build(store, chosen, seed)
            return summarize(store, chosen.name, seed, time.perf_counter() - started)
        finally:
            store.close()
    except BaseException:
        _remove_store(project)  # a half-built company is worse than none: the next run starts clean
        raise


def build(store: Store, size: Size, seed: int) -> None:
    """Write the whole company into an empty DuckDB store.

    Chunks are committed as they are written (one transaction for tens of millions of rows costs more
    at commit than all the inserts); `generate` removes the store if anything fails half-way.
    """
    if store.backend != "duckdb":
        raise DemoError(
            f"The demo company is written to a DuckDB store, not {store.backend}. "
            "Build it with `cxscore demo`, then copy it with Store.copy_from."
        )
    rng = np.random.default_rng(seed)
    store.execute("SET enable_progress_bar = false")
    _build(store, size, rng)
    store.execute("CHECKPOINT")


def _build(store: Store, size: Size, rng: np.random.Generator) -> None:
    streams = rng.spawn(9)
    with Writer(store) as writer:
        feedback = Feedback(writer)
        feedback.define_surveys()
        org = build_organisation(streams[0], size, writer)
        customers = build_customers(streams[1], size, org, writer)
        products = build_products(streams[2], customers, org, writer)
        contracts = build_contracts(streams[3], size, customers, products, org, writer)
        build_support(streams[4], size, org, customers, products, contracts, writer, feedback)
        build_relationship(streams[5], size, org, customers, products, contracts, feedback)
        build_journey(streams[6], org, customers, products, contracts, feedback)
        build_events(streams[7], org, customers, contracts, writer, feedback)
    build_closed_loop(streams[8], store)  # follow-ups are opened on the stored answers


def _remove_store(project: Project) -> None:
    for path in (project.database_path, project.database_path.with_name(project.database_path.name + ".wal")):
        path.unlink(missing_ok=True)


def _fresh_project(root: Path, *, force: bool) -> Project:
    """An initialised project at `root` whose store is empty."""
    root = root.resolve()
    if root.exists() and any(root.iterdir()) and not force:
        what = "a cxscore project" if (root / CONFIG_FILE).is_file() else "files"
        raise DemoError(
            f"{root} already holds {what}. Pick another folder, or pass --force to replace its store "
            "with the demo company (other files are kept)."
        )
    project = init_project(root)
    if force:
        _remove_store(project)
        project = init_project(root)
    return project
