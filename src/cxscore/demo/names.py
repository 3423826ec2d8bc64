"""Words the demo company is made of: names of people and customers, places, and course titles."""

from __future__ import annotations

__all__ = [
    "COMPANY",
    "COUNTRIES",
    "DOMAIN",
    "FIRST_NAMES",
    "INDUSTRIES",
    "LANGUAGES",
    "LAST_NAMES",
    "NAME_HEADS",
    "NAME_TAILS",
    "REGIONS",
]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


COMPANY = "Meridian Software"
DOMAIN = "meridian.example"

FIRST_NAMES = _words(
    """
    Ada Alan Amara Ana Anders Aisha Ben Bruno Carla Chen Chiara Daniel Diego Elena Emma Farah Felix
    Fatima Gabriel Grace Hana Hugo Ines Ivan Jamal Jana Jonas Julia Kai Kenji Lara Leo Lina Lucas
    Maya Marta Mateo Mei Mia Nadia Nina Noah Olga Omar Paula Pedro Priya Rafael Rosa Sami Sara Sofia
    Tariq Theo Tomas Una Vera Wei Yara Yusuf Zoe
"""
)

LAST_NAMES = _words(
    """
    Abbott Adeyemi Alvarez Andersen Bauer Becker Bianchi Brown Costa Dubois Eriksson Fischer Garcia
    Gonzalez Hansen Hoffmann Ito Jansen Kim Kowalski Kumar Larsen Lee Lopez Martin Meyer Moreau
    Muller Nakamura Nguyen Novak Okafor Olsen Patel Pereira Rossi Sato Schmidt Silva Singh Smith
    Sousa Suzuki Tanaka Taylor Torres Wagner Walsh Wang Weber Williams Wilson Yamamoto Zhang
"""
)

NAME_HEADS = _words(
    """
    Northwind Contoso Fabrikam Tailspin Woodgrove Litware Proseware Adatum Alpine Blue Yonder Coho
    Fourth Coffee Graphic Humongous Lucerne Margie Nod Relecloud Southridge Trey Wide World Wingtip
    Bellows Cascade Datum Evergreen Fernhill Granite Harbor Ironwood Juniper Keystone Lakeside
    Meadow Northstar Orchard Pinecrest Quarry Redwood Silverline Summit Tidewater Upland Vantage
    Westbrook
"""
)

NAME_TAILS = (
    "Traders",
    "Logistics",
    "Health",
    "Bank",
    "Foods",
    "Energy",
    "Airlines",
    "Insurance",
    "Labs",
    "Retail",
    "Manufacturing",
    "Media",
    "Partners",
    "Group",
    "Systems",
    "Telecom",
)

INDUSTRIES = (
    "Retail",
    "Manufacturing",
    "Financial services",
    "Healthcare",
    "Logistics",
    "Energy",
    "Public sector",
    "Telecommunications",
    "Media",
    "Education",
    "Hospitality",
)

REGIONS = ("EMEA", "North America", "APAC", "LATAM")

COUNTRIES: dict[str, tuple[str, ...]] = {
    "EMEA": ("DE", "GB", "FR", "NL", "ES", "IT", "SE", "PL", "AE", "ZA"),
    "North America": ("US", "US", "US", "CA"),
    "APAC": ("AU", "JP", "SG", "IN", "NZ", "KR"),
    "LATAM": ("BR", "MX", "AR", "CL", "CO"),
}

LANGUAGES: dict[str, tuple[str, ...]] = {
    "EMEA": ("en", "en", "de", "fr", "nl", "es", "it"),
    "North America": ("en", "en", "en", "fr"),
    "APAC": ("en", "en", "ja", "ko"),
    "LATAM": ("es", "es", "pt"),
}
