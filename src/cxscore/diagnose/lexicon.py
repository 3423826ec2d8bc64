"""The English sentiment lexicon of cxscore, written for customer-experience comments (nothing downloaded).

Words and multi-word expressions carry a valence (about -2..+2); the rules that use them (negation,
intensifiers, contrast, emphasis) are in `cxscore.diagnose.sentiment`. The vocabulary is that of customer
service, delivery, billing, broadband and software support: effort and friction ("had to call", "on
hold", "transferred", "still waiting") count as negative even without an opinion word. Tuned on one half
of the public broadband NPS comments and measured on the other: docs/concepts/verbatims.md.
"""

from __future__ import annotations

__all__ = [
    "CONCESSIVE",
    "CONTRAST",
    "EMOJI",
    "EXCESS",
    "EXPECTATIONS",
    "INTENSIFIERS",
    "NEGATORS",
    "PHRASES",
    "SPELLINGS",
    "WORDS",
]


def _valued(weight: float, words: str) -> dict[str, float]:
    return dict.fromkeys(words.split(), weight)


def _phrases(weight: float, listed: str) -> dict[tuple[str, ...], float]:
    return {tuple(phrase.split()): weight for phrase in listed.split("|")}


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


#: Single words and their valence.
WORDS: dict[str, float] = {
    **_valued(
        2.0,
        """excellent amazing awesome brilliant brill fantastic perfect superb outstanding wonderful
        exceptional flawless fabulous fab marvellous exemplary delighted love loved impeccable faultless
        bravo""",
    ),
    **_valued(
        1.5,
        """great helpful friendly polite professional seamless painless effortless efficient happy pleased
        knowledgeable courteous impressed impressive recommend recommended lovely glad satisfied smooth
        smoothly reassuring informative thorough invaluable pleasure""",
    ),
    **_valued(
        1.0,
        """good nice quick quickly fast faster speedy prompt promptly easy easily simple straightforward
        reliable reliability concise recommending solved resolved fixed sorted thank thanks thankful
        appreciate appreciated kind patient clear responsive pleasant stable improved fair affordable value
        worth best better accurate competent convenient positive timely punctual tidy cheap cheaper super
        liked enjoy enjoyed superfast informed helped efficiently smoother easier quicker simpler ease
        cheers understanding understands cool consistent confident trust welcome""",
    ),
    **_valued(
        0.5,
        """fine ok okay decent well reasonable satisfactory adequate""",
    ),
    **_valued(
        -2.0,
        """terrible awful horrible worst appalling dreadful disgraceful disgusting atrocious abysmal shocking
        pathetic rubbish useless nightmare disaster shambles farce fiasco joke laughable horrific diabolical
        unacceptable unnaceptable incompetent hate hated vile woeful dire""",
    ),
    **_valued(
        -1.5,
        """bad poor rude unhelpful disappointed disappointing disappointment frustrated frustrating
        frustration annoying annoyed angry furious upset unhappy dissatisfied misleading misled lies lied
        lying mess messed ridiculous clueless incompetence ineptitude unprofessional sucks outrageous
        broken faulty failed failure fails fail crashing crashed crash crashes chaos chaotic stressful stress
        pointless worthless shoddy sloppy ignored unanswered unresolved overcharged cowboys scam dishonest
        inept disorganised disorganized broke overcrowded overcharging wasted mediocre dismal idiots idiot
        trash uncompetitive miscommunication miscommunications""",
    ),
    **_valued(
        -1.0,
        """hassle slow slowly slower late delay delayed delays waiting waited wait problem problems issue
        issues bug bugs buggy error errors wrong worse expensive overpriced pricey costly unreliable
        unstable outage outages lost missing cancel cancelled canceled cancellation complaint complaints
        complain complained complaining lack lacking stuck reopened disconnected dropped dropping drops
        charged incorrect inaccurate chasing chase chased confusing confused complicated difficult
        difficulty difficulties hard painful mistake mistakes missed fault faults inconvenient inconvenience
        contradicting contradictory conflicting inconsistent excuses ombudsman escalate escalated unclear
        unable impossible struggle struggled struggling postponed rescheduled cancelling monopoly forced
        intermittent buffering patchy glitch glitches defects defect damaged unfortunately sadly messing
        repeatedly apologise apologies sorry unsure worried concerned mad""",
    ),
    **_valued(
        -0.75,
        """again twice weeks months ages took still""",
    ),
    **_valued(
        -0.5,
        """days yet""",
    ),
}

#: Multi-word expressions (as `sentiment` splits them into tokens) and their valence, matched longest first.
PHRASES: dict[tuple[str, ...], float] = {
    **_phrases(
        2.0,
        """couldn't be better|could not be better|couldn't be happier|could not be happier|
        couldn't have been better|could not have been better|couldn't have been easier|
        could not have been easier|couldn't have been more helpful|could not have been more helpful|
        could not been more helpful|couldn't fault|could not fault|can't fault|cannot fault|
        nothing was too much trouble|nothing too much trouble|first class|top notch|spot on|second to none|
        ten out of ten|10 out of 10|five star|5 star|above and beyond|went the extra mile|hassle free|
        trouble free|problem free|pain free|stress free|no complaints""",
    ),
    **_phrases(
        1.5,
        """so far so good|no problems|no problem|no issues|no fuss|well done|kept me informed|kept informed|
        kept me updated|up and running|on time|as promised|did what it said|what it says on the tin|
        easy to use|nothing to complain|can't complain|cannot complain|no hassle|went well|all good|
        fixed first time|right first time|sorted first time|couldn't ask for more|would use again|
        would recommend|on schedule|everything i wanted|everything we needed|everything i needed""",
    ),
    **_phrases(
        -2.0,
        """too much effort|so much effort|waste of time|waste of money|let down|let me down|fobbed off|
        ripped off|rip off|mis sold|miss sold|missold|lost faith|losing faith|sod off|fed up|sick of|
        tired of|gave up|give up|no one cares|nobody cares|don't give a damn|no resolution|never again|
        worst ever|jumped through hoops|left in the dark|no one knows|nobody knows|not fit for purpose|
        passed from pillar to post|feel like a number|longer than promised|longer than expected""",
    ),
    **_phrases(
        -1.5,
        """still waiting|still not|still no|still don't|still doesn't|still haven't|still hasn't|still can't|
        still cannot|on hold|put on hold|kept on hold|transferred|passed around|passed from|passed between|
        had to call|had to phone|had to ring|had to chase|had to explain|had to contact|had to wait|
        had to keep|have to keep|keep calling|kept calling|no one|nobody|no response|no reply|no answer|
        no call back|no callback|no communication|no contact|no explanation|no idea|no clue|no sign|
        no progress|no update|no updates|no service|no internet|no broadband|no connection|no wifi|no phone|
        no signal|no choice|no option|no compensation|no help|no support|no show|didn't turn up|
        did not turn up|didn't show up|never turned up|never showed|took ages|for ages|too long|
        far too long|way too long|a lot of effort|lot of effort|so long|more effort|played around|
        messed around|messed about|mucked about|back and forth|back-and-forth|over and over|again and again|
        time after time|several times|many times|multiple times|numerous times|countless times|three times|
        four times|five times|3 times|4 times|5 times|numerous calls|countless calls|several calls|
        many calls|cut off|pushed back|not happy|not impressed|not good|not great|not helpful|not working|
        not work|doesn't work|didn't work|don't work|hasn't worked|haven't worked|isn't working|
        wasn't working|stopped working|not fixed|not resolved|not sorted|wasn't resolved|wasn't fixed|
        wasn't sorted|isn't resolved|hasn't been resolved|hasn't been fixed|never answered|never replied|
        never called|never responded|never received|never got|never arrived|never came|never heard|
        not received|haven't received|hasn't arrived|hasn't been|not connected|not installed|not done|
        not provided|didn't happen|did not happen|not happened|didn't get|did not get|haven't got|
        still without|left without|without any|without internet|without broadband|without service|without a|
        no working|too many|too much|too expensive|too early|too high|too late|too slow|too complicated|
        no longer|none of|no ones|no one's|keep changing|keep on changing|kept changing|changed the date|
        changing the date|moved the date|mixed up|mixed messages|so many|only getting|no choice but|
        still nothing|still none|long winded|no success|for no reason|extra charges|hidden charges|
        on the phone for|hours on the phone|never do|trying to sort|trying to get""",
    ),
    **_phrases(
        -1.0,
        """had to|having to|have to wait|have to call|have to chase|more than once|how long|so called|
        months later|weeks later|took a month|took months|took weeks|over a month|long time|long wait|
        long process|waiting for|wait for|the same question|same form|not sure|not clear|not easy|not very|
        not much|not enough|isn't easy""",
    ),
    # Product names that hold an opinion word: neutral.
    **_phrases(0.0, "faster broadband|superfast broadband|super fast broadband|fast broadband"),
}

#: Words that negate what follows (within three tokens, up to punctuation or a contrast word).
NEGATORS: frozenset[str] = _set(
    """not no never none nothing neither nor without hardly barely don't didn't doesn't isn't wasn't aren't
    weren't won't can't cannot couldn't wouldn't shouldn't haven't hasn't hadn't ain't"""
)

#: Things customers expect to happen: negated ("never answered", "not connected", "no engineer") they are
#: a failure even though no opinion word is said.
EXPECTATIONS: frozenset[str] = _set(
    """work works working worked function functioning receive received receiving get got getting have had has
    having happen happened happening arrive arrived arrival come came turn turned show showed connect
    connected connection install installed installation fit fitted set setup done provide provided supplied
    deliver delivered delivery respond responded response reply replied answer answered return returned call
    called callback contact contacted tell told inform informed update updated explain explained explanation
    sign progress compensation choice service internet broadband phone wifi line signal access help helped
    support email emails letter communication know knew sure able engineer engineers confirmation
    appointment date bill account activated live honour honoured match matched give gave given"""
)

#: Words that scale the next opinion word (above 1: stronger; below 1: weaker).
INTENSIFIERS: dict[str, float] = {
    **_valued(1.5, "very really extremely totally absolutely completely incredibly utterly truly highly"),
    **_valued(1.3, "so super particularly especially most such thoroughly genuinely"),
    **_valued(1.1, "quite pretty"),
    **_valued(0.6, "slightly somewhat fairly bit little rather mostly partly"),
}

#: Emoji and their valence (chat and social-media comments carry them).
EMOJI: dict[str, float] = {
    **dict.fromkeys(
        "\U0001f44d\U0001f44f\U0001f60a\U0001f642\U0001f600\U0001f603\U0001f604\U0001f60d\u2764\U0001f64f",
        1.5,
    ),
    **dict.fromkeys(
        "\U0001f44e\U0001f61e\U0001f620\U0001f621\U0001f92c\U0001f624\U0001f622\U0001f62d\U0001f612\U0001f644",
        -1.5,
    ),
}

#: "Too" before a word that is no opinion says there was too much of it ("too sales-heavy", "too early").
EXCESS = "too"
#: Contrast words: what comes after them weighs more (x1.5), what comes before less (x0.5).
CONTRAST: frozenset[str] = _set("but however")
#: Concessive words: their own clause (up to the next punctuation) weighs less (x0.5).
CONCESSIVE: frozenset[str] = _set("although though despite apart except whilst")

#: Spellings without apostrophes (and a few common slips) read as the usual form.
SPELLINGS: dict[str, str] = {
    **{
        w.replace("'", ""): w
        for w in _set(
            "don't didn't doesn't isn't wasn't aren't weren't won't can't couldn't wouldn't shouldn't"
        )
        | _set("haven't hasn't hadn't")
    },
    "dident": "didn't",
    "havnt": "haven't",
    "no1": "nobody",
    "noone": "nobody",
    "teribal": "terrible",
    "terrable": "terrible",
}
