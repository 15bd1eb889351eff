"""Crisis signals and helplines: safety without surveillance (promise P11).

Threat handled: a user in crisis, thinking of suicide, of self-harm or of hurting someone else,
writes to the companion, and either nothing happens (the companion chats on as if nothing was
said) or the opposite failure: the message is reported to someone. confide does neither.
:func:`detect` looks for the signal in-process with transparent, reviewable word and phrase
rules; the chat then shows a safety card with helplines for the user's country (:func:`card`)
and steers the companion's reply (:func:`steering_note`). Nothing is sent anywhere because of
a signal, and a :class:`Signal` carries only the id of the rule that fired, never any text, so
it can be audited and shown to the user without copying what they wrote.

The detector covers English, Hindi (Devanagari and romanised) and Spanish:

1. The text is normalised: NFKC, case-folded, accents folded on Latin letters (Devanagari
   marks kept, nukta and chandrabindu unified), apostrophes dropped ("don't" = "dont"),
   hyphens to spaces, and runs of a repeated Latin letter squeezed to one ("killl", "kil" and
   "kill" are one word; so are "jeeena" and "jeena"). Rule sources are squeezed the same way,
   so they are written in ordinary spelling.
2. Each rule is one regex with an id such as ``en.self.kill_myself`` (language, kind, name);
   the tables live in :mod:`confide.privacy.safety_rules`.
3. A match is then cancelled by context: a negation just before it in the same clause ("I
   would never kill myself"; negations that are part of a signal, as in "I don't want to
   live", sit inside the rule itself); for Hindi rules, a negation just after it ("khudkushi
   nahi karunga"); a subject that is someone else for first-person rules ("do you want to
   die?", "ek student ne suicide kar liya"); a past told as past ("I used to self-harm"), or
   a past with a well present ("three years ago I tried ...; now I'm much better"); quoted
   words with a media or reporting cue (song lyrics, a film line, "he said"); a game ("kill
   everyone in this level"); for threats, a trivial cause ("if he eats my fries"); an
   accident in the same sentence ("burned my arm on the oven again"); and, for rules marked
   weak, a joking or hyperbole marker anywhere in the message ("lol", "jaja", a laughing
   emoji, "so cute", "embarrassing") unless the message also shows real distress ("so done
   with everything, i just wanna die lol"). Idioms ("die of embarrassment", "me muero de
   risa", "kill time") are excluded by the rules themselves.
4. Some phrases count only with a cue elsewhere in the message ("I bought a rope" with "I
   know what I'm going to do"). Someone else at risk now ("my friend says she'll kill herself
   tonight") is a signal, since the user may need the helplines for them, unless the message
   is about a story, film, game or the news.
5. Rules written by family (:mod:`confide.privacy.safety_rules_indirect`: asking how many
   tablets, swallowed poison, at the tracks, giving things away, passive wishes, acts with a
   means, someone else at risk now, threats with a plan) run after the tables above. Last,
   cues of indirect ideation (hopelessness, burden, exhaustion, finality) count only when two
   groups meet, or one meets a word for death or a means: "no point" alone is hyperbole.

It is a net with holes, not a diagnosis: it misses what it has no words for and fires on some
things a person would read otherwise. A false alarm costs one unneeded card, a miss costs
more, so ambiguous phrasings lean towards showing help.
"""

from __future__ import annotations

import bisect
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from confide.errors import ConfigurationError
from confide.privacy import (
    safety_rules_en,
    safety_rules_es,
    safety_rules_hi,
    safety_rules_indirect,
)
from confide.privacy.safety_rules import (
    DEVANAGARI,
    Rule,
    SignalKind,
    compile_source,
)
from confide.privacy.safety_rules_indirect import CUES, DEATH_OR_MEANS

# English, then Spanish, then Hindi: the first rule that survives its checks is reported.
RULES: tuple[Rule, ...] = (
    *safety_rules_en.RULES,
    *safety_rules_es.RULES,
    *safety_rules_hi.RULES,
    *safety_rules_indirect.RULES,
)

__all__ = [
    "Helpline",
    "HelplineSet",
    "Helplines",
    "Signal",
    "SignalKind",
    "card",
    "detect",
    "steering_note",
]


@dataclass(frozen=True, slots=True)
class Signal:
    """What :func:`detect` found. Holds no text: only the kind, the language of the rule and
    the rule's id, so it is safe to audit, log and show."""

    kind: SignalKind
    language: str  # "en", "hi", "es"
    rule: str  # the id of the rule that fired


# --- normalisation ------------------------------------------------------------------------

_QUOTES = str.maketrans(
    {c: '"' for c in "\u201c\u201d\u201e\u00ab\u00bb\u2033\uff02"}
    | {c: "'" for c in "\u2019\u2018`\u00b4\u02bc"}
)
_DROP = str.maketrans(
    {c: None for c in "'\u200b\u200c\u200d\u2060\ufeff\u093c"}
    | {"\u0901": "\u0902", "-": " ", "_": " ", "\u2010": " ", "\u2013": " ", "\u2014": " "}
)
_REPEATS = re.compile(r"([a-z])\1+")
# 'a quoted phrase': an apostrophe opening after a non-letter and closing before one, with
# only in-word apostrophes ("i'm") between; those are dropped afterwards.
_SINGLE_QUOTED = re.compile(r"(?<!\w)'((?:[^'\n]|(?<=\w)'(?=\w)){1,200}?)'(?!\w)")
_SPACES = re.compile(r"\s+")


def _fold_latin_accents(text: str) -> str:
    """Drop combining marks that sit on a Latin letter (é -> e, ñ -> n), keeping Devanagari
    vowel signs, which are combining marks too."""
    out: list[str] = []
    base = ""
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch):
            if base and base < "\u0250":
                continue
        else:
            base = ch
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _SINGLE_QUOTED.sub(r'"\1"', _fold_latin_accents(text).translate(_QUOTES))
    text = text.translate(_DROP)
    return _SPACES.sub(" ", _REPEATS.sub(r"\1", text)).strip()


# --- context ------------------------------------------------------------------------------


def _words(*groups: str) -> frozenset[str]:
    return frozenset(_normalise(w) for group in groups for w in group.split())


_NEGATORS = _words(
    "not never no dont doesnt didnt cant cannot couldnt wont wouldnt shouldnt isnt arent wasnt"
    " aint nah nope nunca jamas tampoco ni nahi nahin nhi nai mat नहीं नही मत"
)
_NEGATION_BREAKERS = _words(
    "trying try tried struggling hard how barely fighting"
)  # "trying not to"
_FILLERS = _words(
    "i im id ill ive am is was be been would will ever really actually even want wanna to 2"
    " wanted wanting going gonna try trying plan planning on do just seriously honestly literally"
    " go feel"
    " feeling felt like think thinking thought about of consider considering have having had get"
    " getting that a an the way could should might may can intend able at all any thoughts"
    " ready tempted so me quiero quisiera voy pienso planeo realmente de verdad haria podria"
    " tengo ganas intencion pensando pensado he estoy en el un una lo la le te se yo main mai"
    " mein mujhe kabhi bhi to toh sach ab aur bilkul hargiz koi मैं मुझे कभी भी तो अब बिल्कुल"
)
_POST_FILLERS = _words(
    "kar karna karne karunga karungi karta karti chahta chahti chahte hoon hu hun ho hai main mai"
    " kabhi bhi to toh sakta sakti ka ke ki lunga lungi dunga dungi करना करने करूंगा करूंगी"
    " चाहता चाहती हूं है कभी भी तो सकता सकती"
)
_POST_NEGATORS = _NEGATORS | _words("na ना न")
_FIRST_PERSON = _words(
    "i im ive id ill me my myself mine main mai mujhe muje mujhko mera meri mere maine yo"
    " मैं मुझे मेरा मेरी मेरे मैंने"
)
# Someone else as the subject, by the language of the rule (Spanish "he" is "I have", Hindi
# "man" is the mind, so one list for all would misread them).
_OTHER_PERSON = {
    "en": _words(
        "you u ya youre he hes she shes they theyre we him her them his their friend friends"
        " brother sister mom mum mother dad father son daughter cousin uncle aunt girlfriend"
        " boyfriend gf bf wife husband partner character villain hero narrator protagonist guy"
        " girl man woman kid someone somebody people everyone classmate roommate patient patients"
        " client clients customer stranger"
    ),
    "es": _words(
        "tu usted ustedes el ella ellos ellas nosotros amigo amiga hermano hermana mama papa"
        " novio novia esposo esposa hijo hija personaje protagonista alguien gente"
    ),
    "hi": _words(
        "tu tum aap woh wo vo voh usne unhone dost bhai behen maa papa hero heroine you she they"
        " friend brother sister boyfriend girlfriend ne वह वो उसने उन्होंने ने दोस्त भाई बहन माँ मां"
        " पापा पिता मम्मी"
    ),
}
_POSSESSIVES = _words("my his her their your our mi su tu mis sus")
_PREPOSITIONS = _words(
    "near to at with about for from around behind towards toward against cerca con para sobre"
)
_TOKENS = re.compile(rf"[\w{DEVANAGARI}]+")
_CLAUSE_BREAK = compile_source(
    r'[.!?;:,\n"()\[\]¡¿…|]|\s(?:but|and|pero|lekin|magar|aur|y|because|cause|porque|kyunki'
    r"|coz|cuz|par|fir|phir|then|luego)\s"
)
_SENTENCE_BREAK = re.compile(r"[.!?\n]")
_JOKING = compile_source(
    r"(?<![a-z])(?:lol|lel|lmao|lmfao|rofl|xd|jk|haha\w*|ahah\w*|hehe\w*|jaja\w*|jeje\w*|jsjs\w*"
    r"|(?:just|only|im|i am) (?:kidding|joking|playing)|(?<!no )es broma|bromeando"
    r"|(?<!nahi )(?:mazak|mazaak))"
    r"(?![a-z])|[\U0001f602\U0001f923\U0001f606\U0001f639\U0001f480]"
)
_HYPERBOLE = compile_source(
    r"(?<![a-z])(?:(?:so|too|this|that|how) (?:good|cute|pretty|hot|funny|embarrassing|cringe"
    r"|cringy|awkward|beautiful|gorgeous|amazing|hungry|bored|boring)|embarras\w*|cringe"
    r"|tripped|spilled|farted|in front of (?:my crush|everyone|the whole class)"
    r"|que oso|que verguenza|que pena|sharam|sharm)(?![a-z])"
)
_HISTORY_AFTER = compile_source(
    r"^\s*(?:\w+\s+){0,3}(?:(?:years|months|long) ago|back then|as a (?:teen|teenager|kid)"
    r"|in high school|when i was (?:younger|a teen|a teenager|a kid))(?![a-z])"
)
_AGAIN = compile_source(r"(?<![a-z])(?:again|still|otra vez|de nuevo|phir se|fir se)(?![a-z])")
_HISTORY = compile_source(r"(?<![a-z])(?:used to|survivor|solia|solias|pehle)(?![a-z])")
_MEDIA = compile_source(
    r"(?<![a-z])(?:song|songs|lyrics?|sings?|sang|singing|chorus|verse|line|quote|quoted|movie"
    r"|film|novel|book|story|poem|episode|series|show|scene|character|villain|protagonist"
    r"|says|said|tweet|tweeted|meme|rapper|album|track|cancion|letra|pelicula|libro|novela"
    r"|personaje|dice|dijo|canta|serie|escena|gana|gaana|dialogue|dialog|kahani|kitab)(?![a-z])"
    r"|गाना|गीत|फिल्म|कहानी"
)
# A story, film, book or the news: what happens to a character or a stranger in it is not a
# friend at risk now.
_FICTION = compile_source(
    r"(?<![a-z])(?:movie|film|novel|book|story|stories|poem|episode|series|show|scene|chapter"
    r"|character|villain|protagonista?|plot|news|article|headline|documentary|song|lyrics|pelicula"
    r"|libro|novela|personaje|serie|capitulo|noticias?|periodico|cancion|kahani|upanyas|akhbar"
    r"|khabar|nayak|nayika)(?![a-z])|फिल्म|कहानी|उपन्यास|नायक|नायिका|अखबार|खबर|गाना"
)
# Someone who speaks of it calmly as the past, with a present that is well: "three years ago
# ...; now I'm much better". Both halves are needed: a past alone may be this week's attempt.
_PAST_TIME = compile_source(
    r"(?<![a-z])(?:(?:years?|months|long|a while) ago|back then|as a (?:teen|teenager|kid)"
    r"|in (?:high ?school|middle school|college|uni|university)|when i was (?:younger|a teen"
    r"|a teenager|a kid|depressed|in)|used to|hace (?:\w+ )?(?:anos|meses|tiempo)"
    r"|en la (?:secundaria"
    r"|prepa|universidad)|de (?:joven|nina|nino|adolescente)|solia|saal pehle|mahine pehle"
    r"|college (?:ke time|mein)|school (?:ke time|mein)|aate the|lagta tha|karta tha|karti thi)"
    r"(?![a-z])|साल पहले|महीने पहले|कॉलेज में|स्कूल में|आते थे|था,|थी,"
)
_RECOVERED = compile_source(
    r"(?<![a-z])(?:(?:now|today) (?:im|i am|i feel)|im (?:doing )?(?:much |so much |a lot )?better"
    r" now|(?:much |a lot )?better (?:place|now)|clean for|years clean|grateful|proud|thanks to"
    r" (?:therapy|my)|(?:hoy|ahora) (?:estoy|me siento) (?:bien|mejor)|llevo \w+ (?:anos|meses)"
    r" (?:limpi[oa]|bien)|orgullos[oa]|gracias a (?:la terapia|mi)|ab (?:main )?(?:theek|thik"
    r"|better|khush|acha|achha|kaafi|kafi)|therapy se|phase nikal gaya|daur (?:beet|nikal) gaya)"
    r"(?![a-z])|अब (?:\S+ ){0,5}(?:बेहतर|खुश|ठीक)|बीत गया|थेरेपी (?:से|के बाद)"
)
# Real distress around a laugh ("so done with everything, i just wanna die lol"): the laugh
# is a mask, not a joke.
_DISTRESS = compile_source(
    r"(?<![a-z])(?:done with (?:everything|it all|life)|so done|cant (?:do|take) (?:this|it)"
    r" any ?more|hate my life|hate myself|no ?one cares|nobody cares|(?:so|really) alone"
    r"|(?:so )?tired of (?:everything|life|living)|empty inside|not joking|im serious|for real"
    r"|odio mi vida|nadie me quiere|ya no (?:puedo|aguanto)|koi nahi samajhta|thak gaya hoon)"
    r"(?![a-z])"
)
# The user writing or studying it: "I'm writing a thriller where ...", "our nursing module
# covered self-harm assessment". The words are about the work, not about the writer.
_WRITING = compile_source(
    r"(?<![a-z])(?:(?:im|i am|were|we are) (?:writing|drafting|plotting) (?:a|my|the|our)"
    r" (?:\w+ )?(?:thriller|novel|story|book|screenplay|script|play|fanfic|short story|essay"
    r"|paper|thesis|report)|(?:module|lecture|course|class|exam|seminar|training|textbook)"
    r" (?:\w+ ){0,3}(?:covered|on|about|ke liye)|(?:warning signs|assessment|risk factors)"
    r")(?![a-z])"
)
_GAME = compile_source(
    r"(?<![a-z])(?:game|games|gaming|level|minecraft|fortnite|roblox|gta|valorant|pubg|free fire"
    r"|call of duty|cod|among us|zombies?|npc|npcs|respawn|boss fight|video ?game|videojuego"
    r"|juego|partida|dnd|d&d|mario ?kart|smash|overwatch|apex|fifa|chess|tekken|halo|counter strike"
    r"|csgo|bgmi|dota|league|(?:our|my|their|the other) team|tournament|playoffs?)(?![a-z])"
)
_TRIVIAL_IF = compile_source(
    r"(?<![a-z])(?:if|agar|si)\s+(?:\w+\s+){0,3}(?:spoil\w*|spoilea\w*|spoiler|wakes? me"
    r"|is late|are late|llegas tarde|llega tarde)"
    r"|(?<![a-z])for (?:eating|taking|borrowing|stealing|spoiling|finishing|drinking|touching)"
    r"|(?<![a-z])(?:if|agar|si) [^.!?]{0,40}?(?:my|the|mi|mis|meri|mera|mere) (?:leftovers|food"
    r"|fries|pizza|snacks?|charger|stuff|things|clothes|diary|phone|room|seat|games?|dress"
    r"|makeup|homework|chocolate|cake|drink|coffee|comida|ropa|cargador|cuarto|diario|khana"
    r"|kapde|phone|charger)(?![a-z])"
    r"|(?<![a-z])(?:he|she|you|u|they) (?:took|ate|stole|borrowed|used|broke|spoiled|finished"
    r"|drank|lost|touched|read|reads|wore|deleted) my(?![a-z])"
)


def _clause_prefix(norm: str, start: int) -> str:
    window_start = max(0, start - 160)
    prefix = norm[window_start:start]
    cut = 0
    for found in _CLAUSE_BREAK.finditer(prefix):
        cut = found.end()
    return prefix[cut:]


def _clause_suffix(norm: str, end: int) -> str:
    suffix = norm[end : end + 120]
    found = _CLAUSE_BREAK.search(suffix)
    return suffix[: found.start()] if found else suffix


def _is_negated_before(tokens: list[str]) -> bool:
    for index in range(len(tokens) - 1, -1, -1):
        token = tokens[index]
        if token in _NEGATORS:
            previous = tokens[index - 1] if index else ""
            return previous not in _NEGATION_BREAKERS
        if token not in _FILLERS:
            return False
    return False


def _is_negated_after(suffix: str) -> bool:
    tokens = _TOKENS.findall(suffix)
    if suffix[:1].strip():  # the match ended inside a word (a stem rule): skip its rest
        tokens = tokens[1:]
    for token in tokens[:4]:
        if token in _POST_NEGATORS:
            return True
        if token not in _POST_FILLERS:
            return False
    return False


def _subject_is_other(tokens: list[str], language: str) -> bool:
    others = _OTHER_PERSON[language]
    for index in range(len(tokens) - 1, -1, -1):
        token = tokens[index]
        if token in _FIRST_PERSON and not _is_object(tokens, index):
            return False
        if token in others and not _is_object(tokens, index):
            return True
    return False


def _is_object(tokens: list[str], index: int) -> bool:
    """A person after a preposition, possibly with a possessive ("near my daughter", "to
    me"): the object of the clause, not who acts in it."""
    before = tokens[index - 1] if index else ""
    if before in _POSSESSIVES:
        before = tokens[index - 2] if index > 1 else ""
    return before in _PREPOSITIONS


class _Message:
    """One normalised message and its message-wide facts, each found at most once, so a long
    message with many cancelled matches stays linear."""

    def __init__(self, norm: str) -> None:
        self.norm = norm
        self._quotes = [index for index, ch in enumerate(norm) if ch == '"']
        self._facts: dict[str, bool] = {}

    def _fact(self, name: str, pattern: re.Pattern[str]) -> bool:
        if name not in self._facts:
            self._facts[name] = pattern.search(self.norm) is not None
        return self._facts[name]

    @property
    def mentions_media(self) -> bool:
        return self._fact("media", _MEDIA)

    @property
    def mentions_fiction(self) -> bool:
        return self._fact("fiction", _FICTION) or self._fact("game", _GAME)

    @property
    def is_recovered_past(self) -> bool:
        return (
            self._fact("past", _PAST_TIME)
            and self._fact("recovered", _RECOVERED)
            and not self.says_again
        )

    @property
    def is_about_writing(self) -> bool:
        return self._fact("writing", _WRITING)

    @property
    def is_joking(self) -> bool:
        is_laughing = self._fact("joking", _JOKING) or self._fact("hyperbole", _HYPERBOLE)
        return is_laughing and not self._fact("distress", _DISTRESS)

    def has_cue(self, rule: Rule) -> bool:
        """True when the rule needs no cue or its cue is somewhere in the message."""
        if rule.needs is None:
            return True
        return self._fact("needs:" + rule.rule_id, rule.needs)

    @property
    def says_again(self) -> bool:
        return self._fact("again", _AGAIN)

    def is_quoted(self, index: int) -> bool:
        return bisect.bisect_left(self._quotes, index) % 2 == 1


def _is_reported(message: _Message, start: int) -> bool:
    """Inside quotation marks in a message that talks about a song, film, book or what
    someone said; or after "<cue> ...:" in the same sentence."""
    if message.is_quoted(start) and message.mentions_media:
        return True
    before = message.norm[max(0, start - 160) : start]
    for found in _SENTENCE_BREAK.finditer(before):
        before = before[found.end() :]
    head, colon, _tail = before.partition(":")
    return bool(colon) and _MEDIA.search(head) is not None


def _sentence(norm: str, start: int, end: int) -> str:
    """The sentence around a match, up to 160 characters either side."""
    head = norm[max(0, start - 160) : start]
    for found in _SENTENCE_BREAK.finditer(head):
        head = head[found.end() :]
    tail = norm[end : end + 160]
    found_end = _SENTENCE_BREAK.search(tail)
    return head + norm[start:end] + (tail[: found_end.start()] if found_end else tail)


def _is_cancelled(rule: Rule, message: _Message, match: re.Match[str]) -> bool:
    if not message.has_cue(rule):
        return True
    if (rule.third_person and message.mentions_fiction) or message.is_about_writing:
        return True
    if rule.kind == "self_harm" and message.is_recovered_past:
        return True
    norm = message.norm
    start, end = match.span()
    prefix = _clause_prefix(norm, start)
    tokens = _TOKENS.findall(prefix)
    suffix = _clause_suffix(norm, end)
    if _is_negated_before(tokens) or _HISTORY.search(prefix):
        return True
    if _HISTORY_AFTER.search(suffix) and not message.says_again:
        return True
    if rule.post_negation and _is_negated_after(suffix):
        return True
    if rule.unless_before is not None and rule.unless_before.search(prefix):
        return True
    if rule.first_person and _subject_is_other(tokens, rule.language):
        return True
    if _is_reported(message, start) or _GAME.search(prefix + match.group(0) + suffix):
        return True
    if rule.kind == "harm_to_others" and _TRIVIAL_IF.search(_sentence(norm, start, end)):
        return True
    if rule.unless_near is not None and rule.unless_near.search(_sentence(norm, start, end)):
        return True
    return rule.weak and message.is_joking


def _indirect_signal(message: _Message) -> Signal | None:
    """Two cues of indirect ideation from different groups (hopelessness, burden,
    exhaustion, finality), or one with a word for death or a means: "no point any more, I'm
    a burden to everyone". One cue alone is everyday hyperbole and is not a signal."""
    if message.mentions_fiction or message.mentions_media:
        return None
    groups: dict[str, Rule] = {}
    for cue in CUES:
        group = cue.rule_id.split(".", 2)[2].split("_", 1)[0]
        if group in groups:
            continue
        match = cue.pattern.search(message.norm)
        if match is not None and not _is_cancelled(cue, message, match):
            groups[group] = cue
    if not groups:
        return None
    first = next(iter(groups.values()))
    if len(groups) >= 2 or DEATH_OR_MEANS.search(message.norm):
        return Signal(kind="self_harm", language=first.language, rule=f"{first.language}.self.cues")
    return None


def detect(text: str) -> Signal | None:
    """The first crisis signal in ``text``, or None. Pure and local: nothing is logged or sent.
    Rules are tried in table order: self-harm first, then harm to others, then the few
    ambiguous ones ("I've got the knife ready") that a threat in the same message should name,
    then the rules written by family; last, cues of indirect ideation that count in pairs."""
    if not isinstance(text, str) or not text:
        return None
    message = _Message(_normalise(text))
    for rule in RULES:
        for match in rule.pattern.finditer(message.norm):
            if not _is_cancelled(rule, message, match):
                return Signal(kind=rule.kind, language=rule.language, rule=rule.rule_id)
    return _indirect_signal(message)


# --- helplines ----------------------------------------------------------------------------

_FALLBACK_KEY = "international"
_ALIASES = {"UK": "GB"}


@dataclass(frozen=True, slots=True)
class Helpline:
    name: str
    phone: str | None
    sms: str | None
    url: str | None
    hours: str | None
    languages: tuple[str, ...]
    source: str  # a URL that documents the number


@dataclass(frozen=True, slots=True)
class HelplineSet:
    country: str  # ISO 3166-1 alpha-2 code, or "international" for the fallback
    country_name: str
    emergency: str
    helplines: tuple[Helpline, ...]
    fallback: bool


def _field(entry: Mapping[str, Any], key: str, where: str, *, required: bool) -> str | None:
    value = entry.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(f"helplines data: {where}: missing or empty field {key!r}")
    return value.strip()


def _helpline(entry: Any, where: str) -> Helpline:
    if not isinstance(entry, Mapping):
        raise ConfigurationError(f"helplines data: {where}: must be an object")
    languages = entry.get("languages")
    if not isinstance(languages, list) or not all(isinstance(x, str) for x in languages):
        raise ConfigurationError(f"helplines data: {where}: 'languages' must be a list of codes")
    source = _field(entry, "source", where, required=True) or ""
    if not source.startswith("https://"):
        raise ConfigurationError(f"helplines data: {where}: 'source' must be an https URL")
    line = Helpline(
        name=_field(entry, "name", where, required=True) or "",
        phone=_field(entry, "phone", where, required=False),
        sms=_field(entry, "sms", where, required=False),
        url=_field(entry, "url", where, required=False),
        hours=_field(entry, "hours", where, required=False),
        languages=tuple(languages),
        source=source,
    )
    if line.phone is None and line.sms is None and line.url is None:
        raise ConfigurationError(f"helplines data: {where}: needs a phone, sms or url")
    return line


def _helpline_set(code: str, entry: Any) -> HelplineSet:
    where = f"countries.{code}"
    if not isinstance(entry, Mapping):
        raise ConfigurationError(f"helplines data: {where}: must be an object")
    lines = entry.get("helplines")
    if not isinstance(lines, list) or not lines:
        raise ConfigurationError(f"helplines data: {where}: 'helplines' must be a non-empty list")
    return HelplineSet(
        country=code,
        country_name=_field(entry, "name", where, required=True) or "",
        emergency=_field(entry, "emergency", where, required=True) or "",
        helplines=tuple(_helpline(x, f"{where}.helplines[{i}]") for i, x in enumerate(lines)),
        fallback=code == _FALLBACK_KEY,
    )


class Helplines:
    """Helplines by country, from a data file that cites a source for every number.

    Threat handled: a wrong or dead number shown to someone in crisis. Every entry is validated
    on load (a missing field is a :class:`ConfigurationError` naming it), every number carries
    the URL that documents it, and the file records when it was checked so the operator knows
    when to check it again. Unknown countries get the international fallback, never nothing.
    """

    def __init__(self, sets: Mapping[str, HelplineSet], *, checked: str, note: str) -> None:
        if _FALLBACK_KEY not in sets:
            raise ConfigurationError(f"helplines data: countries.{_FALLBACK_KEY} is required")
        self._sets = dict(sets)
        self.checked = checked
        self.note = note

    @classmethod
    def from_data(cls, data: Any) -> Helplines:
        """Validate and load the parsed contents of a helplines file."""
        if not isinstance(data, Mapping):
            raise ConfigurationError("helplines data: must be a JSON object")
        checked = _field(data, "checked", "top level", required=True) or ""
        note = _field(data, "note", "top level", required=True) or ""
        countries = data.get("countries")
        if not isinstance(countries, Mapping) or not countries:
            raise ConfigurationError("helplines data: 'countries' must be a non-empty object")
        sets: dict[str, HelplineSet] = {}
        for code, entry in countries.items():
            if not isinstance(code, str) or not (
                code == _FALLBACK_KEY or (len(code) == 2 and code.isalpha() and code.isupper())
            ):
                raise ConfigurationError(f"helplines data: bad country code {code!r}")
            sets[code] = _helpline_set(code, entry)
        return cls(sets, checked=checked, note=note)

    @classmethod
    def bundled(cls) -> Helplines:
        """The helplines file shipped in the package (``privacy/helplines.json``)."""
        raw = resources.files("confide.privacy").joinpath("helplines.json").read_text("utf-8")
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise ConfigurationError("helplines data: not valid JSON") from exc
        return cls.from_data(data)

    def for_country(self, code: str | None) -> HelplineSet:
        """The set for an ISO country code (any case; "UK" means GB); the international
        fallback for None or any country without its own entry."""
        key = code.strip().upper() if isinstance(code, str) else ""
        key = _ALIASES.get(key, key)
        found = self._sets.get(key) if key != _FALLBACK_KEY.upper() else None
        return found or self._sets[_FALLBACK_KEY]

    def countries(self) -> list[str]:
        """Country codes with their own entry (the fallback is not one)."""
        return sorted(code for code in self._sets if code != _FALLBACK_KEY)


# --- what the user sees, and what the companion is told -----------------------------------


@dataclass(frozen=True, slots=True)
class _CardText:
    title: str
    message: str


_CARD_TEXT: dict[str, dict[SignalKind, _CardText]] = {
    "en": {
        "self_harm": _CardText(
            "You don't have to face this alone",
            "It sounds like you're going through something really painful right now. You "
            "matter, and talking to someone can help. The people below are there to listen. "
            "If you're in immediate danger, please call the emergency number.",
        ),
        "harm_to_others": _CardText(
            "Let's pause for a moment",
            "It sounds like you're carrying a lot of anger or pain right now. Those feelings "
            "are real, and you deserve support with them. If you feel you might hurt someone, "
            "please step away from them and from anything you could use, and talk to one of "
            "the people below. If anyone is in immediate danger, call the emergency number.",
        ),
    },
    "es": {
        "self_harm": _CardText(
            "No estás a solas con esto",
            "Parece que estás pasando por algo muy doloroso. Importas, y hablar con alguien "
            "puede ayudar. Las personas de abajo están para escucharte. Si estás en peligro "
            "inmediato, llama al número de emergencias.",
        ),
        "harm_to_others": _CardText(
            "Hagamos una pausa",
            "Parece que sientes mucha rabia o dolor ahora mismo. Esos sentimientos son reales "
            "y mereces apoyo. Si sientes que podrías hacerle daño a alguien, aléjate de esa "
            "persona y de cualquier cosa con la que puedas herir, y habla con alguien de la "
            "lista. Si alguien está en peligro inmediato, llama al número de emergencias.",
        ),
    },
    "hi": {
        "self_harm": _CardText(
            "आप इसमें अकेले नहीं हैं",
            "लगता है आप इस समय बहुत दर्द से गुज़र रहे हैं। आप मायने रखते हैं, और किसी से बात "
            "करने से मदद मिल सकती है। नीचे दिए गए लोग आपकी बात सुनने के लिए हैं। अगर आप "
            "तुरंत खतरे में हैं, तो आपातकालीन नंबर पर कॉल करें।",
        ),
        "harm_to_others": _CardText(
            "एक पल रुकिए",
            "लगता है आप इस समय बहुत गुस्से या दर्द में हैं। ये भावनाएं असली हैं, और इनमें "
            "आपको सहारा मिलना चाहिए। अगर आपको लगता है कि आप किसी को नुकसान पहुंचा सकते हैं, "
            "तो उस व्यक्ति से और हर उस चीज़ से दूर हो जाइए जिससे चोट लग सकती है, और नीचे दिए "
            "गए लोगों से बात कीजिए। अगर किसी की जान को तुरंत खतरा है, तो आपातकालीन नंबर पर "
            "कॉल करें।",
        ),
    },
}


def _helpline_dict(line: Helpline) -> dict[str, Any]:
    return {
        "name": line.name,
        "phone": line.phone,
        "sms": line.sms,
        "url": line.url,
        "hours": line.hours,
        "languages": list(line.languages),
        "source": line.source,
    }


def card(signal: Signal, helplines: HelplineSet) -> dict[str, Any]:
    """The JSON-able safety card shown with the reply, in the language the signal was found
    in. It holds no message text, so it can be stored as the user's audit event as it is."""
    language = signal.language if signal.language in _CARD_TEXT else "en"
    text = _CARD_TEXT[language][signal.kind]
    return {
        "kind": signal.kind,
        "title": text.title,
        "message": text.message,
        "language": language,
        "country": helplines.country,
        "country_name": helplines.country_name,
        "emergency": helplines.emergency,
        "helplines": [_helpline_dict(line) for line in helplines.helplines],
        "fallback": helplines.fallback,
    }


def _how_to_reach(line: Helpline) -> str:
    ways = [f"call {line.phone}"] if line.phone else []
    if line.sms:
        ways.append(f"text {line.sms}")
    if not ways and line.url:
        ways.append(line.url)
    hours = f", {line.hours}" if line.hours and line.hours != "directory" else ""
    return f"{line.name} ({' or '.join(ways)}{hours})"


def steering_note(signal: Signal, helplines: HelplineSet) -> str:
    """A system-prompt paragraph for the companion's next reply. Names the helplines with
    their numbers; contains nothing the user wrote."""
    lines = "; ".join(_how_to_reach(line) for line in helplines.helplines)
    emergency = helplines.emergency
    if signal.kind == "self_harm":
        return (
            "Safety note for this reply: the user's latest message may show thoughts of "
            "suicide or self-harm. Respond with warmth and without judgement, in the user's "
            "language. Take their feelings seriously: acknowledge what they are going "
            "through, and gently ask how they are right now and whether they are safe. Never "
            "give information about methods, means, doses or places, even if asked, and do "
            "not describe self-harm. Gently encourage them to reach out now to someone who "
            f"can help: {lines}; or to someone they trust. If they may be in immediate "
            f"danger, urge them to call {emergency}. Do not lecture, do not promise to keep "
            "secrets, do not claim to be a counsellor or a human, and do not end the "
            "conversation: stay with them and keep talking."
        )
    return (
        "Safety note for this reply: the user's latest message may show thoughts of hurting "
        "someone else. Stay calm, warm and non-judgemental, in the user's language, and take "
        "it seriously without accusing them. Acknowledge the feelings behind it and ask what "
        "is going on. Never help with weapons, violence or any way to harm someone, and do "
        "not encourage it. Encourage them to put distance between themselves and the person "
        "and anything they could use, and to talk now to someone who can help: "
        f"{lines}; or to someone they trust. If anyone may be in immediate danger, urge them "
        f"to call {emergency}. Do not end the conversation: stay with them and keep talking."
    )
