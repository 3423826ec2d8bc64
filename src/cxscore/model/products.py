"""Products, their versions and release dates, who manages them, and each account's installed version."""

from __future__ import annotations

from cxscore.model.schema import Column, Kind, Ordered, Table

PRODUCTS = Table(
    "products",
    "Products (or services) the company sells and supports.",
    "products",
    (
        Column("product_id", Kind.STRING, "Stable id of the product.", "atlas", required=True),
        Column("name", Kind.STRING, "Display name.", "Atlas", required=True),
        Column("line", Kind.STRING, "Product line or family.", "Platform"),
    ),
    key=("product_id",),
)

PRODUCT_VERSIONS = Table(
    "product_versions",
    "Released versions of each product; the upgrade metrics measure adoption from `released_on`.",
    "products",
    (
        Column(
            "product_id",
            Kind.STRING,
            "The product.",
            "atlas",
            required=True,
            references="products.product_id",
        ),
        Column("version", Kind.STRING, "Version label.", "3.2", required=True),
        Column("released_on", Kind.DATE, "General-availability date.", "2025-04-01", required=True),
    ),
    key=("product_id", "version"),
)

PRODUCT_MANAGERS = Table(
    "product_managers",
    "Which product manager was responsible for a product, from when to when.",
    "products",
    (
        Column(
            "product_id",
            Kind.STRING,
            "The product.",
            "atlas",
            required=True,
            references="products.product_id",
        ),
        Column(
            "person_id",
            Kind.STRING,
            "The product manager.",
            "P-0301",
            required=True,
            references="people.person_id",
        ),
        Column("valid_from", Kind.DATE, "First day of responsibility.", "2024-01-01", required=True),
        Column("valid_to", Kind.DATE, "Last day; empty while it lasts.", ""),
    ),
    key=("product_id", "valid_from"),
    ordered=(Ordered("valid_from", "valid_to"),),
)

INSTALLATIONS = Table(
    "installations",
    "Each account's installed version over time: one row per install or upgrade.",
    "products",
    (
        Column(
            "account_id",
            Kind.STRING,
            "The account.",
            "A-10001",
            required=True,
            references="accounts.account_id",
        ),
        Column(
            "product_id",
            Kind.STRING,
            "The product.",
            "atlas",
            required=True,
            references="products.product_id",
        ),
        Column("version", Kind.STRING, "Version installed from `installed_on`.", "3.2", required=True),
        Column(
            "installed_on",
            Kind.DATE,
            "Day the version went live at the account.",
            "2025-05-20",
            required=True,
            past=True,
        ),
    ),
    key=("account_id", "product_id", "installed_on"),
)

TABLES = (PRODUCTS, PRODUCT_VERSIONS, PRODUCT_MANAGERS, INSTALLATIONS)
