"""Charts as Vega-Lite specs, drawn on the server by `vl_convert` (no browser, no CDN): SVG inline in the
pages (links in the chart drill down, without JavaScript) and PNG for downloads.

>>> spec = trend_chart([{"period": "2024", "value": 0.8, "lower": 0.7, "upper": 0.9, "n": 50}], "CSAT", ".0%")
>>> spec["layer"][0]["mark"]["type"]
'area'
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

__all__ = ["bar_chart", "png", "svg", "trend_chart"]

BRAND = "#2f4bd8"
VEGA_BASE = "https://vega.github.io/vega-datasets/"
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"
CONFIG = {
    "font": FONT,
    "view": {"stroke": None},
    "axis": {
        "labelColor": "#5b6676",
        "titleColor": "#5b6676",
        "gridColor": "#eef0f4",
        "domainColor": "#cdd3de",
    },
    "legend": {"labelColor": "#5b6676", "titleColor": "#5b6676"},
}


def _percent(spec: str) -> bool:
    return spec.endswith("%")


def trend_chart(
    rows: list[dict[str, Any]], title: str, spec: str, *, goal: float | None = None, width: int = 860
) -> dict[str, Any]:
    """A line with its interval as a band; each point links to the rows behind it (`href`, if given)."""
    axis_format = ".0%" if _percent(spec) else "~s"
    y: dict[str, Any] = {
        "field": "value",
        "type": "quantitative",
        "title": None,
        "axis": {"format": axis_format},
    }
    y["scale"] = {"zero": False}
    x = {"field": "period", "type": "ordinal", "title": None, "sort": None, "axis": {"labelAngle": 0}}
    tooltip = [
        {"field": "period", "title": "Period"},
        {"field": "value", "title": title, "format": spec},
        {"field": "lower", "title": "Lower", "format": spec},
        {"field": "upper", "title": "Upper", "format": spec},
        {"field": "n", "title": "n"},
    ]
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "area", "opacity": 0.18, "color": BRAND},
            "encoding": {"x": x, "y": {**y, "field": "lower"}, "y2": {"field": "upper"}},
        },
        {
            "mark": {
                "type": "line",
                "color": BRAND,
                "strokeWidth": 2.5,
                "point": {"size": 60, "filled": True},
            },
            "encoding": {"x": x, "y": y, "tooltip": tooltip, **_links(rows)},
        },
    ]
    if goal is not None:
        layers.append(
            {
                "data": {"values": [{"goal": goal}]},
                "mark": {"type": "rule", "color": "#b42318", "strokeDash": [5, 4], "strokeWidth": 1.5},
                "encoding": {"y": {"field": "goal", "type": "quantitative"}},
            }
        )
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": width,
        "height": 240,
        "data": {"values": rows},
        "layer": layers,
        "config": CONFIG,
    }


def bar_chart(rows: list[dict[str, Any]], title: str, spec: str, *, width: int = 760) -> dict[str, Any]:
    """Horizontal bars of `value` by `name`, with the interval as a rule; bars link to `href`."""
    axis_format = ".0%" if _percent(spec) else "~s"
    y = {"field": "name", "type": "nominal", "title": None, "sort": None}
    x = {"field": "value", "type": "quantitative", "title": title, "axis": {"format": axis_format}}
    tooltip = [
        {"field": "name", "title": "Name"},
        {"field": "value", "title": title, "format": spec},
        {"field": "n", "title": "n"},
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": width,
        "height": {"step": 22},
        "data": {"values": rows},
        "layer": [
            {
                "mark": {"type": "bar", "color": BRAND, "opacity": 0.85, "cornerRadiusEnd": 3},
                "encoding": {"y": y, "x": x, "tooltip": tooltip, **_links(rows)},
            },
            {
                "mark": {"type": "rule", "color": "#121a2b"},
                "encoding": {
                    "y": y,
                    "x": {"field": "lower", "type": "quantitative"},
                    "x2": {"field": "upper"},
                },
            },
        ],
        "config": CONFIG,
    }


def _links(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The `href` encoding when every row links somewhere (Vega would link the others to its own site)."""
    return {"href": {"field": "href"}} if rows and all(r.get("href") for r in rows) else {}


def svg(spec: dict[str, Any]) -> str:
    """The chart as SVG markup (cached: the same spec is drawn once)."""
    return _svg(json.dumps(spec, sort_keys=True, default=str))


def png(spec: dict[str, Any]) -> bytes:
    """The chart as a PNG at twice the size (sharp on high-density screens and in slides)."""
    import vl_convert

    data: bytes = vl_convert.vegalite_to_png(json.loads(json.dumps(spec, default=str)), scale=2)
    return data


@lru_cache(maxsize=256)
def _svg(spec: str) -> str:
    import vl_convert

    drawn: str = vl_convert.vegalite_to_svg(json.loads(spec))
    # Vega resolves links against its data-sets site; the links are this site's own paths.
    drawn = drawn.replace(f'href="{VEGA_BASE}', 'href="')
    # Drawn with a fixed width; the page's CSS scales it to the screen (phones included).
    return drawn.replace('class="marks"', 'class="marks" preserveAspectRatio="xMinYMin meet"', 1)
