"""The crisis-signal rule tables behind :func:`confide.privacy.safety.detect` (promise P11).

Threat handled: a person in crisis writes in their own words, in English, Hindi (Devanagari or
romanised) or Spanish, and the detector has no words for it, so no helplines are shown; or the
rules are so loose that "this homework is killing me" brings up a crisis card and users learn
to ignore it. The rules live here, apart from the engine, so that each one can be read,
reviewed and tested on its own: one regex per rule with an id such as
``en.self.kill_myself`` (language, kind, name) and the context checks it asks for.

Rules are written in ordinary spelling against normalised text (see ``safety._normalise``):
no apostrophes, hyphens as spaces, accents folded on Latin letters, Devanagari nukta dropped
and chandrabindu written as anusvara, runs of one Latin letter squeezed. :func:`compile_source`
applies the same folding to each source, so "kill" in a rule matches "killl" in a message.
The tables themselves are in ``safety_rules_en``, ``safety_rules_es``, ``safety_rules_hi`` and
``safety_rules_indirect`` (rules by family, and the paired cues); :mod:`confide.privacy.safety`
joins them in that order. Order matters: :func:`detect`
reports the first rule that survives its context checks.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

__all__ = ["DEVANAGARI", "Rule", "SignalKind", "compile_source"]

SignalKind = Literal["self_harm", "harm_to_others"]

DEVANAGARI = "\u0900-\u097f"

# A doubled letter in a rule source is squeezed like the text; a letter after a backslash is
# an escape (\s, \w) and is left alone.
_SOURCE_REPEATS = re.compile(r"(?<!\\)([a-z])\1+")
# The text loses the nukta and writes chandrabindu as anusvara; so must the rules.
_SOURCE_FOLD = str.maketrans({"\u093c": None, "\u0901": "\u0902"})


def compile_source(source: str) -> re.Pattern[str]:
    """Compile a rule or context pattern written in ordinary spelling, folded like the text."""
    folded = unicodedata.normalize("NFC", source).translate(_SOURCE_FOLD)
    return re.compile(_SOURCE_REPEATS.sub(r"\1", folded))


@dataclass(frozen=True, slots=True)
class Rule:
    """One detector rule and the context checks that can cancel a match."""

    rule_id: str
    kind: SignalKind
    language: str
    pattern: re.Pattern[str]
    weak: bool  # a joking or hyperbole marker anywhere in the message cancels it
    first_person: bool  # the nearest subject before it must be the user (or none)
    post_negation: bool  # a negation right after it cancels it (Hindi word order)
    unless_before: re.Pattern[str] | None  # cancels when it matches the end of the clause prefix
    needs: re.Pattern[str] | None  # must also match somewhere in the message (a corroborating cue)
    unless_near: re.Pattern[str] | None  # cancels when it matches the sentence around the match
    third_person: bool  # about someone else at risk: a story, film or game in the message cancels


def _rule(
    rule_id: str,
    source: str,
    *,
    weak: bool = False,
    first_person: bool = False,
    post_negation: bool = False,
    unless_before: str | None = None,
    stem_end: bool = False,
    needs: str | None = None,
    unless_near: str | None = None,
    third_person: bool = False,
) -> Rule:
    """``stem_end``: the source ends in word stems (Devanagari "चाहत" for चाहता/चाहती), so the
    match may end inside a word. ``needs``: a phrase that is ambiguous alone ("I bought a rope")
    counts only when the message also holds a cue (``needs``) that gives it its risky reading."""
    language, kind_code, _name = rule_id.split(".", 2)
    kind: SignalKind = "self_harm" if kind_code == "self" else "harm_to_others"
    end = "" if stem_end else rf"(?![\w{DEVANAGARI}])"
    bounded = rf"(?<![\w{DEVANAGARI}])(?:{source}){end}"
    return Rule(
        rule_id=rule_id,
        kind=kind,
        language=language,
        pattern=compile_source(bounded),
        weak=weak,
        first_person=first_person,
        post_negation=post_negation,
        unless_before=compile_source(unless_before + r"\s*$") if unless_before else None,
        needs=compile_source(needs) if needs else None,
        unless_near=compile_source(unless_near) if unless_near else None,
        third_person=third_person,
    )


# Shared fragments (ordinary spelling, no apostrophes: the text has none).
_SELF = r"(?:my ?self|mysel?f|myslef|meself|my own self)"
_REL = (
    r"(?:sisters?|brothers?|siblings?|mom|mum|mommy|mother|dad|daddy|father|parents?|step ?dad"
    r"|step ?(?:father|mother|brother|sister|son|daughter)"
    r"|step ?mom|wife|husband|spouse|girlfriend|gf|boyfriend|bf|ex|ex wife|ex husband|fiance"
    r"|fiancee|partner|boss|manager|supervisor|teachers?|professor|principal|coach"
    r"|neighbou?rs?|roommates?|flatmates?|housemates?|co ?workers?|colleagues?|friends?"
    r"|cousins?|uncle|aunt|aunty|kids?|children|child|son|daughter|baby|babies|family"
    r"|classmates?|bully|bullies|guy|guys|man|men|woman|women|girl|girls|boy|boys|bitch"
    r"|bastard|dude|students?|landlord|grandma|grandpa|nephew|niece|in laws)"
)
_OBJ = (
    r"(?:him|her|them|you|u|ya|yall|you all|everyone|everybody|someone|somebody|people"
    rf"|all of (?:them|you)|every (?:one|last one|single one) of (?:them|you)|each (?:one )?of them"
    rf"|(?:my|his|her|their|that|this|the|those|these|our)\s+(?:\w+\s+)?{_REL})"
)
_HURT = (
    r"(?:kill|killing|murder|murdering|stab|stabbing|shoot|shooting|strangle|strangling|choke"
    r"|choking|hurt|hurting|harm|harming|poison|poisoning|punch|punching|attack|attacking"
    r"|smother|drown|drowning|rape|raping|burn|burning|torture|torturing|slaughter|behead|bash"
    r"|bashing|shank|beat|beating|hit|hitting|slap|slapping|run over|cut|cutting|push|pushing"
    r"|shove|shoving|suffocate|suffocating)"
)
_INTENT = (
    r"(?:going to|gonna|about to|ready to|fixing to|finna|planning (?:to|on)|plan to"
    r"|tempted to|want to|wanna|need to|will|ill|might|swear ill|ima|imma|am gonna"
    r"|thinking (?:about|of)|fantasi[sz]ing about|fantasi[sz]e about|dreaming (?:about|of)"
    r"|keep (?:thinking|imagining) about|urges? to|feel like|cant stop myself from"
    r"|thoughts (?:of|about)|imagine|imagining|planning how to|figuring out how to|picturing"
    r"|visuali[sz]ing|scared (?:ill|i will|i might)|afraid (?:ill|i will|i might)"
    r"|think (?:about|of))"
)
_NOT_AN_ATTACK = (
    r"(?!\s+(?:with kindness|at (?:chess|cards|pool|poker|tennis|golf|fifa|\w+ games?|his own"
    r" game|her own game|their own game)|in (?:a|the) (?:game|race|match)|up\b|off\b|out\b"
    r"|some slack"
    r"|a (?:text|message|dm|email|call|look|smile|break)|feelings|sisters feelings|pride|ego"
    r"|process|processes|threads?|jobs?|tasks?|pods?|containers?)\b)"
)
_NAHI = r"(?:nahi|nahin|nhi|nai|ni|nahe)"
_CHAHTA = r"(?:chahta|chahti|chahte|chahata|chahati|chata|chati|chahunga|chahungi)"
_HI_IDIOM = (
    r"(?:sharam|sharm|hasi|hansi|hans|has|bhukh|bhook|bhookh|garmi|thand|bore|khushi|dar"
    r"|intezar|pyas|tension) (?:se|ke mare|ke maare|mein)"
)
_ES_CLITIC = r"(?:lo|la|los|las|te|le|les)"
_ES_HURT = (
    r"(?:matar|asesinar|apunalar|acuchillar|disparar|balear|envenenar|estrangular|ahorcar"
    r"|golpear|lastimar|herir|quemar|violar)"
)
_ES_INTENT = (
    r"(?:voy a|vamos a|quiero|quisiera|pienso|planeo|tengo ganas de|me dan ganas de|estoy por"
    r"|necesito|podria|he pensado en|pienso en|estoy pensando en|fantaseo con|me imagino"
    r"|tengo impulsos de|siento (?:el )?impulso de)"
)
_ES_OBJ = (
    r"(?:a (?:mi|mis|ese|esa|esos|esas|el|ella|ellos|ellas|alguien|todos|todo el mundo|tu|su|sus"
    r"|este|esta)|(?:la|el) (?:comida|bebida|cafe|te|sopa|cena|agua) de)"
)
_ES_NOT_IDIOM = (
    r"(?!\s+(?:de (?:risa|un susto|hambre|aburrimiento|amor|ternura)|a besos|a cosquillas))"
)
_HI_OBJ = (
    r"(?:use|usey|usko|usse|unko|unhe|unhen|tujhe|tuje|tujhko|tujko|tumhe|tumko|tereko|isko|ise"
    r"|inko|sabko|sab ko|(?:[a-z]+\s+){0,2}[a-z]+ ko)"
)
_HI_FUT = (
    r"(?:dunga|dungi|doonga|doongi|du|doon|daalunga|daalungi|daalu|unga|ungi|na chahta|na chahti"
    r"|na hai|ni hai"
    r"|na chahte|ne ka (?:mann|man|irada|plan)|ne wala|ne wali|dena chahta|dena chahti"
    r"|daalna chahta|daalna chahti)"
)
_DEV_NAHI = r"(?:नहीं|नही|ना|न)"
# A cut told as an accident ("haath pe blade se cut lag gaya shaving karte hue").
_HI_ACCIDENT = (
    r"galti se|lag gay|lag gai|kat gay|kat gai|shave|shaving|sabzi|kaatte hue|गलती से|लग गया|लग गई"
    r"|कट गया|कट गई|सब्जी|शेव"
)
_HI_REASON = (
    r"(?:mann|man|mn|dil|icha|ichha|iccha|irada|wajah|waja|vajah|vajeh|wajeh|karan|matlab|maksad"
    r"|maqsad|himmat|hausla|mood|reason|umeed|ummeed|fayda|faida|fayada|point|sense)"
)
_DEV_REASON = r"(?:मन|दिल|इच्छा|वजह|कारण|मतलब|इरादा|मकसद|उम्मीद|हिम्मत|फायदा|फ़ायदा|पॉइंट|रीज़न)"
