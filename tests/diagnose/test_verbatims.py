"""Verbatims: masking, language, sentiment and topics on the demo company and on real public comments."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cxscore.cli.main import app
from cxscore.diagnose import (
    Comment,
    VerbatimReport,
    analyse_verbatims,
    detect_language,
    mask_personal_data,
    read_verbatims_csv,
    sentiment,
    verbatims,
)
from cxscore.diagnose.text import STOPWORDS
from cxscore.diagnose.verbatims import topic_names
from cxscore.errors import DiagnosisError

SECRETS = (
    "jane.doe@example.com",
    "J.Smith+cx@mail.co.uk",
    "+44 20 7946 0958",
    "(555) 010-4477",
    "0612345678",
)


@pytest.mark.parametrize("secret", SECRETS)
def test_masks_addresses_and_phone_numbers(secret: str) -> None:
    masked = mask_personal_data(f"Please contact {secret} today.")
    assert secret not in masked and ("[email]" in masked or "[phone]" in masked)


def test_keeps_versions_years_and_amounts() -> None:
    text = "Since 3.2 in 2024 we paid 1,250.00 twice."
    assert mask_personal_data(text) == text


def _with_secrets(n: int = 60) -> list[str]:
    base = ["The parcel arrived late again, call me", "Friendly helpful agent solved it quickly"]
    return [f"{base[i % 2]} on {SECRETS[i % len(SECRETS)]}" for i in range(n)]


def test_no_output_carries_personal_data(tmp_path: Path) -> None:
    report = analyse_verbatims(_with_secrets(), topics=2, touchpoints=["delivery", "support"] * 30)
    dumped = json.dumps(report.to_dict())
    for secret in SECRETS:
        assert secret not in dumped
    assert "example.com" not in dumped and "7946" not in dumped
    file = tmp_path / "comments.csv"
    pd.DataFrame({"comment": _with_secrets(), "stage": ["delivery", "support"] * 30}).to_csv(
        file, index=False
    )
    runner = CliRunner()
    for form in (["--format", "json", "--comments"], []):
        shown = runner.invoke(
            app, ["verbatims", "--csv", str(file), "--topics", "2", *form], terminal_width=250
        )
        assert shown.exit_code == 0, shown.output
        assert not any(secret in shown.output for secret in SECRETS)


def test_languages_and_english_sentiment() -> None:
    assert detect_language("The engineer was very helpful") == "en"
    assert detect_language("O produto chegou antes do prazo e é muito bom") == "pt"
    assert sentiment("Great support, very patient and knowledgeable.").label == "positive"
    assert sentiment("Atlas 3.2 keeps crashing when we export reports.").label == "negative"
    assert sentiment("The agent was not helpful").score < 0
    assert sentiment("Fine.").score > 0 and sentiment("Average experience.").label == "neutral"


def test_demo_the_defective_version_is_a_negative_topic_of_support_and_product(demo: Path) -> None:
    report = verbatims(period="2024", topics=12, project=demo)
    assert report.analysed == report.total  # the demo's comments are all English
    # Without the product's name to join them, the release's complaints may be one topic or several (what
    # broke, the failed sync, "another bug"): every topic of 3.2 is negative, about support and product,
    # and together they hold the comments that name the release. A topic is "of 3.2" when the analyst
    # reads 3.2 in its words or its example ('upgrade / since / fails': "Since the upgrade to 3.2 the
    # nightly sync fails.").
    release = [t for t in report.topics if "3.2" in t.words or "3.2" in t.examples[0]]
    assert release, [t.name for t in report.topics]
    mean = float(np.mean([c.sentiment for c in report.comments if c.sentiment is not None]))
    for topic in release:
        assert topic.sentiment < mean and topic.negative > 0.3
        assert {"T-SUP", "T-PRODUCT"} <= set(topic.teams)
    assert {p for t in release for p, _ in t.touchpoints} >= {"support_case", "upgrade"}
    named = [c for c in report.comments if "3.2" in c.text]
    held = [c for c in named if c.topics and c.topics[0] in {t.number for t in release}]
    assert len(held) >= 0.9 * len(named)


def _examples_read_like_their_topics(report: VerbatimReport) -> None:
    """Each topic's examples have its comments' commonest sentiment label."""
    for topic in report.topics:
        mine: Sequence[Comment] = [c for c in report.comments if c.topics[:1] == (topic.number,)]
        usual = Counter(c.label for c in mine).most_common(1)[0][0]
        shown = {c.label for c in mine if c.text in topic.examples}
        assert shown == {usual}, (topic.name, topic.examples, Counter(c.label for c in mine))


def test_demo_topics_are_what_customers_say_not_the_product_they_name(demo: Path) -> None:
    # "Atlas is central to our operations" and "Atlas 3.2 keeps crashing" were one topic, joined by the
    # product's name: it showed the praise as its example and carried the complaints' CSAT. (With 8 topics
    # over all periods the release's complaints are in no topic: see the next test; 16 make them one.)
    report = verbatims(project=demo, topics=16)
    assert not any({"atlas", "beacon", "courier"} & set(t.words) for t in report.topics)
    topics: defaultdict[str, set[int]] = defaultdict(set)
    for c in report.comments:
        topics[c.text].update(c.topics[:1])
    praise = topics["Atlas is central to our operations; we recommend it."]
    crash = topics["Atlas 3.2 keeps crashing when we export reports."]
    assert praise and crash and not praise & crash
    _examples_read_like_their_topics(report)
    # A comment none of whose words is in a topic is in none, and the report says how many there are.
    alone = [c for c in report.comments if not c.topics]
    assert alone and any(f"{len(alone)} of the {report.analysed} comments" in n for n in report.notes)


def test_demo_the_note_on_comments_in_no_topic_names_what_they_are_about(demo: Path) -> None:
    # Over all periods 8 topics are too few for the release's complaints (285 of 4,466 comments, in five
    # wordings that share only "3.2"): NMF spends its topics on the large groups of one wording each. The
    # note says so: the words most comments in no topic use, 3.2 first, so the analyst asks for more.
    report = verbatims(project=demo)
    crash = [c for c in report.comments if c.text == "Atlas 3.2 keeps crashing when we export reports."]
    assert crash and not any(c.topics for c in crash)
    note = next(n for n in report.notes if "in no topic" in n)
    named = sum(1 for c in report.comments if not c.topics and "3.2" in c.text)
    assert f"The topic words most of them use (comments): 3.2 {named}," in note, note


def test_names_are_left_out_of_the_topics() -> None:
    texts = ["Acme delivery was late and slow"] * 20 + ["Acme delivery is great"] * 12
    texts += ["Friendly helpful agent on the phone"] * 40
    assert any("acme" in t.words for t in analyse_verbatims(texts, topics=2).topics)
    named = analyse_verbatims(texts, topics=2, names=["ACME Inc"])
    assert named.topics and not any("acme" in t.words for t in named.topics)
    late, great = named.comments[0].topics, named.comments[20].topics
    assert late and great and late[0] != great[0]


def test_demo_team_scope_reads_only_that_teams_comments(demo: Path) -> None:
    everyone = verbatims(period="2025", project=demo)
    latam = verbatims(scope="team:T-SUP-LATAM", period="2025", project=demo, topics=4)
    assert 0 < latam.total < everyone.total
    assert {c.touchpoint for c in latam.comments} <= {"support_case", "upgrade", None}


def test_too_few_comments_is_refused() -> None:
    with pytest.raises(DiagnosisError, match="at least 20"):
        analyse_verbatims(["Good service"] * 5)


NPS_FILE = "nps_verbatims_textsummary/nps_verbatims.csv"


def test_real_nps_verbatims_touchpoints_sentiment_topics(datasets: Path) -> None:
    report = read_verbatims_csv(datasets / NPS_FILE, "text", "SURVEY_SUB_TYPE", "NPS_SCORE")
    raw = pd.read_csv(datasets / NPS_FILE, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    raw = raw[raw["text"].str.strip() != ""].assign(
        score=lambda f: pd.to_numeric(f["NPS_SCORE"], errors="coerce")
    )
    expected = raw.dropna(subset=["score"]).groupby("SURVEY_SUB_TYPE")["score"]
    expected = expected.apply(lambda s: 100 * ((s >= 9).mean() - (s <= 6).mean()))
    found = {v.touchpoint: v.scores[0] for v in report.touchpoints}
    for stage, value in expected.items():
        assert found[stage].value == pytest.approx(value)
        assert found[stage].lower <= value <= found[stage].upper
    # Sentiment follows the score: promoters > passives > detractors, and correlates with it.
    scored = [(c.sentiment, c.scores["nps"]) for c in report.comments if c.sentiment is not None and c.scores]
    feel, score = np.array(scored).T
    assert np.corrcoef(feel, score)[0, 1] > 0.75  # measured 0.79 (0.70 with the first lexicon)
    assert feel[score >= 9].mean() > feel[(score >= 7) & (score <= 8)].mean() > feel[score <= 6].mean()
    # Readable topics: several content words each, no function words, none tiny.
    for topic in report.topics:
        assert len(topic.words) >= 3 and not set(topic.words) & STOPWORDS["en"]
        assert topic.share >= 0.02
    _examples_read_like_their_topics(report)
    # The provider's name is written as "company" (anonymised) in praise and complaints alike.
    assert any("company" in t.words for t in report.topics)
    named = read_verbatims_csv(datasets / NPS_FILE, "text", "SURVEY_SUB_TYPE", "NPS_SCORE", names=["company"])
    assert not any("company" in t.words for t in named.topics)


def test_real_portuguese_reviews_are_detected_and_not_scored(datasets: Path) -> None:
    file = datasets / "olist_sample" / "olist_order_reviews_dataset.csv"
    with pytest.raises(DiagnosisError, match="language 'en'"):
        read_verbatims_csv(file, "review_comment_message", csat_column="review_score")
    report = read_verbatims_csv(file, "review_comment_message", csat_column="review_score", language="pt")
    assert report.languages["pt"] >= 0.8 * report.total
    assert all(c.sentiment is None for c in report.comments)
    assert any("English only" in note for note in report.notes)
    assert any({"prazo", "entrega", "chegou", "produto"} & set(t.words) for t in report.topics)


def test_english_comments_with_words_portuguese_shares_are_not_called_portuguese(datasets: Path) -> None:
    english = pd.read_csv(datasets / NPS_FILE, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    said = [t for t in english["text"] if t.strip()]
    called = Counter(detect_language(t) for t in said)
    # "Where do I start.", "e I cannot be without internet.": 9 of them were Portuguese by 'do', 'e', 'o'.
    assert called["pt"] <= 2 and called["en"] >= 0.94 * len(said), called
    reviews = pd.read_csv(
        datasets / "olist_sample" / "olist_order_reviews_dataset.csv", dtype=str, keep_default_na=False
    )
    written = [t for t in reviews["review_comment_message"] if t.strip()]
    assert Counter(detect_language(t) for t in written)["pt"] >= 0.92 * len(written)
    assert detect_language("Great support, Chloé explained every step.") == "en"  # a name's accent


def test_cli_on_the_demo(demo: Path) -> None:
    runner = CliRunner()
    shown = runner.invoke(app, ["verbatims", "--period", "2024", "--project", str(demo)], terminal_width=250)
    assert shown.exit_code == 0, shown.output
    assert "Touchpoints" in shown.output and "support_case" in shown.output and "T-SUP" in shown.output
    printed = runner.invoke(app, ["verbatims", "--format", "json", "--project", str(demo)])
    data = json.loads(printed.output)
    assert data["topics"] and "comments" not in data


def test_topics_whose_top_terms_are_the_same_get_names_that_tell_them_apart() -> None:
    words = [
        ("always", "excellent", "service", "fast", "kind"),
        ("always", "excellent", "service", "price", "kind"),
        ("invoice", "wrong", "amount"),
        ("late", "delivery", "box"),
        ("late", "delivery", "box"),
    ]
    assert topic_names(words) == [
        "always / excellent / fast",
        "always / excellent / price",
        "invoice / wrong / amount",
        "late / delivery / box",
        "late / delivery / box (2)",
    ]
    assert len(set(topic_names(words))) == len(words)
