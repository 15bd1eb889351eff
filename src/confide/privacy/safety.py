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
2. Each rule is one regex with an id such as ``en.self.kill_myself`` (language, kind, name).
3. A match is then cancelled by context: a negation just before it in the same clause ("I
   would never kill myself"; negations that are part of a signal, as in "I don't want to
   live", sit inside the rule itself); for Hindi rules, a negation just after it ("khudkushi
   nahi karunga"); a subject that is someone else ("my friend is suicidal", "do you want to
   die?"); a past told as past ("I used to self-harm", "years ago"); quoted words with a media
   or reporting cue (song lyrics, a film line, "he said"); a game ("kill everyone in this
   level"); for threats, a trivial cause ("if he eats my fries"); and, for rules marked weak,
   a joking or hyperbole marker anywhere in the message ("lol", "jaja", "just kidding", a
   laughing emoji, "so cute", "embarrassing"). Idioms ("die of embarrassment", "me muero de
   risa", "kill time") are excluded by the rules themselves.

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
from typing import Any, Literal

from confide.errors import ConfigurationError

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

SignalKind = Literal["self_harm", "harm_to_others"]


@dataclass(frozen=True, slots=True)
class Signal:
    """What :func:`detect` found. Holds no text: only the kind, the language of the rule and
    the rule's id, so it is safe to audit, log and show."""

    kind: SignalKind
    language: str  # "en", "hi", "es"
    rule: str  # the id of the rule that fired


# --- normalisation ------------------------------------------------------------------------

_DEVANAGARI = "\u0900-\u097f"
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


# A doubled letter in a rule source is squeezed like the text; a letter after a backslash is
# an escape (\s, \w) and is left alone.
_SOURCE_REPEATS = re.compile(r"(?<!\\)([a-z])\1+")


# --- rules --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Rule:
    rule_id: str
    kind: SignalKind
    language: str
    pattern: re.Pattern[str]
    weak: bool  # a joking or hyperbole marker anywhere in the message cancels it
    first_person: bool  # the nearest subject before it must be the user (or none)
    post_negation: bool  # a negation right after it cancels it (Hindi word order)
    unless_before: re.Pattern[str] | None  # cancels when it matches the end of the clause prefix


def _compile(source: str) -> re.Pattern[str]:
    return re.compile(_SOURCE_REPEATS.sub(r"\1", source))


def _rule(
    rule_id: str,
    source: str,
    *,
    weak: bool = False,
    first_person: bool = False,
    post_negation: bool = False,
    unless_before: str | None = None,
    stem_end: bool = False,
) -> _Rule:
    """``stem_end``: the source ends in word stems (Devanagari "चाहत" for चाहता/चाहती), so the
    match may end inside a word."""
    language, kind_code, _name = rule_id.split(".", 2)
    kind: SignalKind = "self_harm" if kind_code == "self" else "harm_to_others"
    end = "" if stem_end else rf"(?![\w{_DEVANAGARI}])"
    bounded = rf"(?<![\w{_DEVANAGARI}])(?:{source}){end}"
    return _Rule(
        rule_id=rule_id,
        kind=kind,
        language=language,
        pattern=_compile(bounded),
        weak=weak,
        first_person=first_person,
        post_negation=post_negation,
        unless_before=_compile(unless_before + r"\s*$") if unless_before else None,
    )


# Shared fragments (ordinary spelling, no apostrophes: the text has none).
_SELF = r"(?:my ?self|mysel?f|myslef|meself|my own self)"
_REL = (
    r"(?:sisters?|brothers?|siblings?|mom|mum|mommy|mother|dad|daddy|father|parents?|step ?dad"
    r"|step ?mom|wife|husband|spouse|girlfriend|gf|boyfriend|bf|ex|ex wife|ex husband|fiance"
    r"|fiancee|partner|boss|manager|supervisor|teachers?|professor|principal|coach"
    r"|neighbou?rs?|roommates?|flatmates?|housemates?|co ?workers?|colleagues?|friends?"
    r"|cousins?|uncle|aunt|aunty|kids?|children|child|son|daughter|baby|babies|family"
    r"|classmates?|bully|bullies|guy|guys|man|men|woman|women|girl|girls|boy|boys|bitch"
    r"|bastard|dude|students?|landlord|grandma|grandpa|nephew|niece|in laws)"
)
_OBJ = (
    r"(?:him|her|them|you|u|ya|yall|you all|everyone|everybody|someone|somebody|people"
    rf"|all of (?:them|you)|(?:my|his|her|their|that|this|the|those|these|our)\s+(?:\w+\s+)?{_REL})"
)
_HURT = (
    r"(?:kill|killing|murder|murdering|stab|stabbing|shoot|shooting|strangle|strangling|choke"
    r"|choking|hurt|hurting|harm|harming|poison|poisoning|punch|punching|attack|attacking"
    r"|smother|drown|drowning|rape|raping|burn|burning|torture|torturing|slaughter|behead|bash"
    r"|bashing|shank|beat|beating|hit|hitting|slap|slapping|run over|cut|cutting)"
)
_INTENT = (
    r"(?:going to|gonna|about to|ready to|fixing to|finna|planning (?:to|on)|plan to"
    r"|tempted to|want to|wanna|need to|will|ill|might|swear ill|ima|imma|am gonna"
    r"|thinking (?:about|of)|fantasi[sz]ing about|fantasi[sz]e about|dreaming (?:about|of)"
    r"|keep (?:thinking|imagining) about|urges? to|feel like|cant stop myself from"
    r"|thoughts (?:of|about)|imagine|imagining|planning how to|figuring out how to)"
)
_NOT_AN_ATTACK = (
    r"(?!\s+(?:with kindness|at (?:chess|cards|pool|poker|tennis|golf|fifa|\w+ games?|his own"
    r" game|her own game|their own game)|in (?:a|the) (?:game|race|match)|up\b|off\b|out\b"
    r"|some slack"
    r"|a (?:text|message|dm|email|call|look|smile|break)|feelings|sisters feelings|pride|ego))"
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
_ES_OBJ = (
    r"a (?:mi|mis|ese|esa|esos|esas|el|ella|ellos|ellas|alguien|todos|todo el mundo|tu|su|sus"
    r"|este|esta)"
)
_ES_NOT_IDIOM = (
    r"(?!\s+(?:de (?:risa|un susto|hambre|aburrimiento|amor|ternura)|a besos|a cosquillas))"
)
_HI_OBJ = (
    r"(?:use|usey|usko|usse|unko|unhe|unhen|tujhe|tuje|tujhko|tujko|tumhe|tumko|tereko|isko|ise"
    r"|inko|sabko|sab ko|(?:apni|apne|meri|mere|us|is)\s+\w+\s+ko"
    r"|(?:behen|behan|bahan|bhai|maa|mummy|papa|baap|biwi|wife|pati|husband|boss|teacher|dost"
    r"|padosi|saas|sasur|beti|beta|bachche|gf|bf|ex|family|gharwalon) ko)"
)
_HI_FUT = (
    r"(?:dunga|dungi|doonga|doongi|du|doon|daalunga|daalungi|daalu|unga|ungi|na chahta|na chahti"
    r"|na hai|ni hai"
    r"|na chahte|ne ka (?:mann|man|irada|plan)|ne wala|ne wali|dena chahta|dena chahti"
    r"|daalna chahta|daalna chahti)"
)
_DEV_NAHI = r"(?:नहीं|नही|ना|न)"

_RULES: tuple[_Rule, ...] = (
    # ---- English: self-harm and suicide --------------------------------------------------
    _rule(
        "en.self.kill_myself",
        rf"(?:kill|killing|killed|kills|unalive|unaliving|off|offing|hang|hanging|hanged|hung"
        rf"|shoot|shooting|shot|drown|drowning|poison|poisoning|stab|stabbing|electrocute"
        rf"|suffocate|smother|end|ending)\s+{_SELF}(?!\s+(?:an?|some)\s)"
        r"(?!\s+(?:laughing|lmao|lol|with laughter|in the foot|at (?:work|the gym)|with work"
        r"|working|studying|trying|over (?:this|it)|to (?:finish|get|make|meet|keep|pass)))",
        weak=True,
    ),
    _rule("en.self.kms", r"kms|kmsl|kys myself", weak=True),
    _rule(
        "en.self.suicidal",
        r"suicidal(?!\s+(?:squad|people|person|patients?|friends?|clients?|teens?|youth"
        r"|students|behaviou?r in))",
        first_person=True,
        unless_before=r"ask(?:ed|s|ing)? (?:me )?(?:if|whether) (?:im|i am|i was|i feel|i felt)",
    ),
    _rule(
        "en.self.suicide",
        r"(?:(?:commit|committing|attempt|attempting|attempted|thinking (?:about|of)"
        r"|thought (?:about|of)|contemplating|contemplate|considering|consider|planning|plan"
        r"|going to|gonna|want to|wanna|close to|tried|try|thoughts (?:of|about)|idea of"
        r"|romanticizing|survived (?:a|my|an)|my)\s+(?:(?:about|of|the|my|an?)\s+)?suicide"
        r"|suicide (?:note|letter|plan)"
        r"|(?:need|call|calling|give me|find|whats|what is)\s+(?:a|the)\s+(?:suicide|crisis)\s+"
        r"(?:hot ?line|help ?line|line|number))"
        r"(?!\s+(?:squad|mission|bomb\w*|doors?|prevention|awareness|rates?|statistics|lane))",
        first_person=True,
    ),
    _rule(
        "en.self.want_to_die",
        r"(?:(?:want|wanna|wanted|wish|need|ready|deserve|like|hope|prefer)\s+(?:to\s+|2\s+)?"
        r"(?:just\s+)?(?:die|be dead|not exist|not be alive|stop existing|stop living"
        r"|cease to exist|sleep forever)"
        r"|wish (?:i|id) (?:was|were|had|could|would)\s+(?:just\s+)?(?:dead|die|never (?:been born"
        r"|woken up|wake up|existed)|not (?:been born|exist|woken up|wake up)|disappear forever)"
        r"|wish i (?:wasnt|werent|didnt) (?:alive|born|here|exist)"
        r"|wish (?:i|id|i had) never (?:been born|existed|woken up|wake up)"
        r"|feel like dying|should (?:just\s+)?(?:die|be dead|kill myself)"
        r"|(?:dont know|idk|not sure) why (?:im|i am) (?:still )?alive|why am i (?:still )?alive"
        r"|why (?:do|should) i (?:even )?(?:keep living|bother living|exist)"
        r"|rather (?:just )?(?:be dead|die)(?:\s+than\s+(?:live|living|go on|keep going"
        r"|keep living|be alive|feel (?:like )?this|exist))?(?!\s+than))"
        r"(?![\s.,!]+(?:of|laughing|(?:my|her|his|your|the) hair|from (?:laughter|embarrassment"
        r"|cringe|boredom)|for (?:it|this|that|an?|some|the)|happy|old|peacefully|rich|famous"
        r"|a hero|on this hill))",
        weak=True,
        first_person=True,
        # "this traffic makes me want to die": the cause named is a nuisance, not a life
        unless_before=r"(?:this|that|the|these|those) (?!life|world|pain|loneliness)\w+(?: \w+)?"
        r" (?:makes|made|is making) me",
    ),
    _rule(
        "en.self.end_my_life",
        r"(?:end|ending|ended|take|taking|took)\s+(?:my\s+(?:own\s+)?life|it all"
        r"|everything(?: tonight| now| today| for good)?|my existence"
        r"|it (?:tonight|for good|once and for all|today)|my (?:suffering|pain) (?:for good|forever"
        r"|permanently))"
        r"(?!\s+(?:back|into my own hands|in (?:a|another) direction|seriously|with (?:her|him)))"
        r"|(?:going to|gonna|about to|ready to|want to|wanna|decided to|plan to|will|ill|should"
        r"|might)\s+(?:just\s+)?end it(?:\s+(?:all|now|tonight|today|soon|for good))?(?=\s*(?:$"
        r"|[.!?,]))"
        r"|want (?:it all|everything|all of it|all of this|the pain|this pain|my life) to (?:end"
        r"|stop)(?! (?:soon|already|so|and))"
        r"|(?:keep|always|constantly|been|cant stop|cannot stop)\s+thinking (?:about|of) (?:dying"
        r"|death|ending it|not existing|not being here|killing myself|suicide|ending my life)"
        r"|think(?:ing)? (?:about|of) (?:just\s+)?ending (?:it(?: all)?|things|my life|everything)"
        r"(?!\s+(?:with|between))",
        first_person=True,
    ),
    _rule(
        "en.self.no_reason_to_live",
        r"(?:(?:no|dont have (?:a|any)|dont see (?:a|any|the)|cant see (?:a|any|the)"
        r"|cant find (?:a|any)|cant think of (?:a|any|one)|whats the|what is the|is there (?:a|any)"
        r"|not (?:a|any)|(?:lost|losing|lose) (?:my|all|the)?)\s*(?:single\s+|good\s+"
        r"|real\s+)?(?:reason|reasons"
        r"|point|purpose|will|meaning)\s+(?:to|in|of|for)\s+(?:me\s+)?(?:to\s+)?(?:live|living|life"
        r"|staying alive|stay alive|being alive|be alive|being here|going on|go on|keep going"
        r"|keep living|keep on living|continue living|still be here|be here"
        r"|keeping going|existing|exist|carry on|waking up|wake up)"
        r"|no (?:way out|escape|other way) (?:except|but|other than) (?:death|dying|to die|suicide)"
        r"|(?:death|dying|suicide) (?:is|seems|feels) (?:like )?(?:the|my) only (?:option|way"
        r"|answer"
        r"|way out|choice|escape)"
        r"|life (?:is|isnt|is not|aint|feels) (?:not\s+)?(?:worth (?:living|it anymore)|pointless"
        r"|meaningless)|(?:isnt|not) worth living|life has no (?:meaning|point|purpose))"
        r"(?!\s+(?:with|to|at|a|the)\b)",
        weak=True,
        first_person=True,
    ),
    _rule(
        "en.self.dont_want_to_live",
        r"(?:(?:dont|do not|no longer|never)\s+(?:really\s+|even\s+)?(?:want|wanna|wish|feel like)"
        r"\s+(?:to\s+)?(?:live|living|be alive|exist|existing|be here any ?more|be around any ?more"
        r"|be in this world|be on this earth|go on|keep going|keep living|carry on"
        r"|continue living|stay alive|see tomorrow|wake up)"
        r"|dont care (?:if|whether) i (?:live|die|wake up))"
        r"(?!\s+(?:an?|the|with|about|early|at|in|for|so|that|this|vacation|holiday|trip|to|here"
        r"|there|like that|on)\b)",
        first_person=True,
    ),
    _rule(
        "en.self.cant_go_on",
        r"(?:(?:cant|can not|cannot)\s+(?:go on|keep going|do this any ?more|take (?:it|this"
        r"|this pain|the pain|life) any ?more|live like this|live with (?:this|myself)"
        r"|keep living|carry on|handle (?:it|this|life) any ?more|bear (?:it|this|life) any ?more)"
        r"|dont think i can (?:go on|keep going|do this (?:any ?more|much longer)"
        r"|last (?:much longer|another day)|make it (?:through|another day))"
        r"|(?:tired|sick|exhausted) of (?:living|being alive|life|existing)|done with (?:life"
        r"|living)"
        r"|hate (?:being alive|existing|my existence|that im alive|waking up every day))"
        r"(?!\s+(?:an?|the|with|to|at|vacation|trip|in|here|there)\b)",
        weak=True,
        first_person=True,
    ),
    _rule(
        "en.self.disappear_forever",
        r"(?:want|wanna|wish i could|need|going|gonna)\s+(?:to\s+)?(?:just\s+)?(?:disappear|vanish"
        r"|fade away|be gone|not be here)\s+(?:forever|for good|permanently|and never come back"
        r"|from (?:this|the) (?:world|earth|planet)|from existence)",
        first_person=True,
    ),
    _rule(
        "en.self.better_off_without_me",
        r"(?:better off|happier|be fine|be okay|be ok)\s+(?:without me|if i (?:was|were)"
        r"(?: not)? (?:dead|gone|never born|not here|not around)|if i (?:wasnt|werent|didnt exist"
        r"|died|disappeared|was gone|never existed|killed myself))|better off dead"
        r"|(?:easier|better|simpler)\s+(?:for (?:everyone|everybody)\s+)?if i"
        r" (?:just )?(?:didnt wake up|never woke up|was dead|were dead|was gone|were gone"
        r"|wasnt here|werent here|died|disappeared|wasnt alive|killed myself|didnt exist)"
        r"|(?:no ?one|nobody|no1|no body)\s+(?:\w+\s+){0,2}(?:care|cares|notice|miss me|cry|mourn)"
        r"\w*\s+(?:if|when)\s+i\s+(?:die|died|was gone|am gone|disappear|disappeared|killed myself"
        r"|kill myself|wasnt here|was dead|am dead|left this world|stopped existing|live or die"
        r"|lived or died|am alive|exist)"
        r"|(?:no ?one|nobody)\s+(?:would|will|wud)\s+(?:even\s+)?miss me"
        r"|(?:im|i am|feel like)\s+(?:im\s+)?(?:just\s+|such\s+|only\s+)?a (?:burden|waste of"
        r" (?:space|oxygen|air|life|skin))",
    ),
    _rule(
        "en.self.self_harm",
        r"(?:(?:cut|cutting|cuts|burn|burning|burned|burnt|scratch|scratching|hurt|hurting|harm"
        rf"|harming|bruise|bruising|hit|hitting|punch|punching|starve|starving)\s+{_SELF}"
        r"(?!\s+(?:shaving|cooking|playing|on (?:a|the|some|my)|while|by accident|accidentally"
        r"|at (?:the )?(?:gym|work|kitchen)|in the kitchen|chopping|slicing|opening|lifting"
        r"|falling|running|skating|skiing|badly|in (?:a|the) (?:game|match|practice)|up\b"
        r"|over (?:it|this|that|nothing)|for (?:not|being)|with (?:a|the) (?:knife|razor|scissors)"
        r" (?:while|when|by))))"
        r"|self ?(?:harm|injur)\w*(?!\s+(?:awareness|prevention|research|statistics|content|scenes?"
        r"|in (?:teens|youth)|is\b|among))"
        r"|(?:started|start|been|keep|kept|im|i am|am) cutting again"
        r"|(?:cut|cutting|slit|slitting|slash|slashing) (?:my|both) wrists?"
        r"|(?:cutting|burning) my (?:arms|thighs|legs|wrists|skin)"
        r"|(?:scratch|scratching|cut|cutting|hit|hitting|punch|punching|bang|banging|pick|picking)"
        r"\s+(?:my|myself)\s*(?:\w+\s+){0,2}(?:until|till|til) (?:i|it|they) bleeds?"
        r"|urges? to (?:cut|self ?harm|hurt myself|burn myself)",
        first_person=True,
        unless_before=r"(?:accident\w*|accidently|by accident)(?:\s+\w+){0,3}",
    ),
    _rule(
        "en.self.overdose",
        r"(?:overdos\w*|od(?:ing)? on (?:my |the |these )?(?:pills|meds|medication|tablets))"
        r"(?!\s+(?:crisis|deaths?|epidemic|rates?|statistics|awareness|prevention|kit|reversal"
        r"|on (?:coffee|caffeine|sugar|candy|chocolate|netflix|tv|anime|memes|love|drama"
        r"|cuteness|vitamin\w*|carbs)))"
        r"|(?:take|took|taking|swallow|swallowed|swallowing|down|downed|downing)\s+(?:all|a bunch"
        r"|a (?:whole )?bottle|the (?:whole )?bottle|too many|a handful|every single one|loads"
        r"|a whole pack|the whole pack|a (?:whole )?box|the (?:whole )?box)(?:\s+of)?\s+"
        r"(?:my\s+|the\s+|these\s+|those\s+|her\s+|his\s+|mums?\s+|moms?\s+)?(?:pills|meds"
        r"|medication|medicine|tablets|sleeping pills|painkillers|antidepressants|paracetamol"
        r"|tylenol|ibuprofen|xanax|insulin)"
        r"|(?:took|take|taking|swallowed|swallow|downed)\s+(?:like\s+)?(?:\d+|ten|twenty|thirty"
        r"|forty|fifty|a hundred)\s+(?:of\s+(?:my|the)\s+)?(?:pills|sleeping pills|tablets"
        r"|painkillers"
        r"|antidepressants|paracetamol|tylenol|meds)"
        r"|(?:saving|stockpiling|hoarding|collecting|stocking up on)\s+(?:up\s+)?(?:my\s+)?(?:pills"
        r"|meds|medication|tablets|sleeping pills)",
        first_person=True,
    ),
    _rule(
        "en.self.method_question",
        r"how (?:many|much)\s+(?:\w+\s+){0,3}(?:to|would it take to|does it take to|until|before)"
        r"\s+(?:die|overdose|od|kill (?:me|myself|a person|someone)|be lethal|be fatal)"
        r"|(?:lethal|fatal|deadly) (?:dose|amount) of"
        r"|(?:painless|easiest|quickest|fastest|best|least painful|surest|quietest|simplest)\s+"
        r"(?:way|ways|method|methods)\s+(?:to|of)\s+(?:die|dying|kill (?:myself|yourself|oneself)"
        r"|end (?:it|my life|your life|things)|commit suicide|suicide)"
        r"|how (?:to|do i|can i|do you|do people|would i|should i|could i)\s+(?:kill (?:myself"
        r"|yourself|oneself|themselves)|commit suicide|end (?:my|your) (?:own )?life"
        r"|hang (?:myself|yourself)|overdose|slit (?:my|your) wrists?|die (?:painlessly|quickly"
        r"|peacefully|without pain)|unalive (?:myself|yourself))",
        weak=True,
    ),
    _rule(
        "en.self.method",
        r"slit (?:my|both|the) (?:wrists?|throat|veins)|blow my (?:brains?|head) (?:out|off)"
        r"|(?:put|putting|stick|sticking) a (?:bullet|gun|pistol) (?:in|to|through|against) my"
        r" (?:head|brain|mouth|temple)|(?:tie|tied|tying|make|made|making|bought|buy|have|got)"
        r" (?:a|the) noose|(?:the|a) rope (?:is )?ready|(?:hope|wish|want|pray|praying|hoping)\s+"
        r"(?:that\s+)?(?:i\s+)?(?:never|dont|wont|wouldnt|do not|will not|didnt|not)\s+wake up"
        r"(?!\s+(?:early|late|at|before|for|in time|until|till))"
        r"|(?:sleep|go to sleep|fall asleep|go to bed)\s+and\s+(?:never|not)\s+wake up"
        r"(?!\s+(?:until|before|till|early|at))"
        r"|(?:said|saying) (?:my )?(?:final |last )?goodbyes|made (?:my )?peace and said"
        r"|(?:got|have|ive got|i have) (?:the|my|all the|all my) (?:pills|rope|gun|razor|blade"
        r"|knife|noose) ready"
        r"|(?:standing|sitting) on (?:the\s+)?(?:edge|ledge) of (?:the|a|this) (?:roof|bridge"
        r"|building|cliff|balcony)|(?:standing|sitting) on (?:the|a) (?:ledge|bridge railing)"
        r"|(?:this is|these are|here are|heres)\s+my (?:last|final) (?:message|words|goodbye|note"
        r"|letter|night)|(?:wrote|writing|written|write|left|leaving)\s+(?:a|my)\s+(?:suicide"
        r"|goodbye)\s+(?:notes?|letters?)|wont be (?:alive|around) (?:much longer"
        r"|for (?:much )?longer"
        r"|by (?:tomorrow|morning|the weekend|next week)|tomorrow)|wont be alive",
        first_person=True,
    ),
    _rule(
        "en.self.jump",
        r"(?:(?:jump|jumping|leap|leaping|throw myself|throwing myself|hurl myself)\s+(?:off|from"
        r"|in front of|under)\s+(?:a|the|this|that|my|our)\s+(?:\w+\s+)?(?:bridge|building|roof"
        r"|rooftop|cliff|balcony|train|bus|car|truck|tower|window|ledge|overpass|skyscraper"
        r"|subway|metro)|(?:step|stepping|walk|walking|lie|lying)\s+(?:out\s+)?in front of"
        r" (?:a|the) (?:train|bus|car|truck|lorry)|(?:drive|driving|crash|crashing|steer|swerve)"
        r"\s+(?:my car\s+)?(?:into|off) (?:a|the) (?:wall|tree|bridge|cliff|river|oncoming traffic"
        r"|truck)|(?:roof|rooftop|bridge|ledge|balcony|cliff|window|terrace)\b[^.!?]{0,40}?"
        r"(?:going to|gonna|about to|ready to|want to|wanna|will|ill) jump(?=\s*(?:$|[.!?,])))"
        r"(?!\s+into (?:the|a) (?:pool|water|lake|sea|river))",
        weak=True,
        first_person=True,
    ),
    # ---- English: harm to others ---------------------------------------------------------
    _rule(
        "en.others.threat",
        rf"{_INTENT}\s+(?:(?!not\s|never\s|nt\s)\w+\s+)?{_HURT}(?:ing)?\s+{_OBJ}{_NOT_AN_ATTACK}"
        rf"|beat (?:the (?:shit|crap|hell|life) out of|{_OBJ} (?:up|to death|senseless))"
        rf"|(?:want|wish|need)\s+{_OBJ}(?:\s+all)?\s+dead"
        rf"|{_INTENT}\s+run\s+{_OBJ}\s+over"
        r"|burn (?:his|her|their|the|my \w+s) (?:house|home|apartment|flat|car) down"
        r"|(?:get|grab|take|bring|load|use) (?:my|a|the|dads|moms) (?:gun|knife|rifle|pistol"
        r"|shotgun)"
        r" and (?:shoot|stab|kill|hurt)"
        rf"|how (?:to|do i|can i|could i|would i)\s+{_HURT}\s+{_OBJ}(?:\s+without)?"
        rf"|(?:make|ill make|going to make|gonna make|will make)\s+{_OBJ}(?:\s+all)?\s+(?:suffer"
        rf"|bleed"
        r"|pay with (?:their|his|her|your) (?:life|lives|blood))"
        rf"|(?:want|wanna|going|gonna|ill|will)\s+(?:to\s+)?(?:see|watch)\s+{_OBJ}\s+(?:die|bleed"
        r"|suffer)",
        weak=True,
        first_person=True,
    ),
    _rule(
        "en.others.weapon",
        r"(?:shoot|shooting|shot|bomb|bombing|blow up|blowing up|attack|attacking)\s+(?:up\s+)?"
        r"(?:the|my|a|this|our|that)\s+(?:school|class|classroom|college|campus|university|uni"
        r"|office|workplace|mall|church|mosque|temple|synagogue|gurdwara|concert|party|store"
        r"|hospital|station)"
        r"|(?:bring|bringing|take|taking|carry|carrying)\s+(?:(?:a|my|the|his|her|our)\s+)?"
        r"(?:(?:dads|moms|fathers|brothers|uncles|grandpas|loaded|a loaded)\s+)?"
        r"(?:gun|guns|knife|knives|rifle|pistol|weapon|weapons|bomb|machete|ar ?15|glock)\s+"
        r"(?:to|into)\s+(?:school|work|class|college|campus|the office|church|the party|the mall)"
        r"|i\s+(?:have|got|bought|own|grabbed|am holding|m holding|loaded|sharpened|ve got)\s+"
        r"(?:a|my|the|dads|a loaded|a sharp)\s+(?:gun|knife|rifle|pistol|weapon|blade|machete"
        r"|glock|shotgun)\b.{0,60}?(?:kill|shoot|stab|hurt|use it on|make (?:him|her|them) pay)"
        r"|(?:planning|plan|planned|plotting)\s+(?:to\s+|a\s+|an\s+|my\s+)?(?:murder|massacre"
        r"|mass shooting|shooting|killing spree)",
        first_person=True,
    ),
    # ---- Spanish: self-harm and suicide --------------------------------------------------
    _rule(
        "es.self.quiero_morir",
        r"(?:quiero|quisiera|deseo|necesito|tengo ganas de|me dan ganas de|solo quiero|ganas de"
        r"|prefiero|preferiria|me gustaria)\s+(?:me\s+)?(?:morir(?:me)?|estar muert[oa]"
        r"|dejar de (?:existir|vivir)|no existir|no despertar(?:me)?|no volver a despertar"
        r"|desaparecer para siempre|no haber nacido|dormir para siempre)"
        r"(?!\s+de\s+(?:la\s+|los\s+|el\s+)?(?:risa|verguenza|hambre|sueno|calor|frio|amor|ganas"
        r"|envidia|aburrimiento|pena|miedo|nervios|ternura|emocion|felicidad|cansancio|sed"
        r"|alegria|viej[oa]|ancian[oa]))(?!\s+(?:por|viej[oa]|feliz|en paz))"
        r"|quiero que (?:todo|esto|el dolor|mi vida) (?:termine|acabe|se acabe|se termine)"
        r"|dormir(?:me)? y no (?:volver a )?despertar(?:me)?(?!\s+(?:temprano|tarde))"
        r"|(?:lo mejor|mejor) (?:seria|es|sera) (?:desaparecer|morir(?:me)?|no estar|no existir"
        r"|matarme|no despertar)"
        r"|ojala\s+(?:me\s+muriera|me muera|estuviera muert[oa]|no (?:despertar|despierte"
        r"|hubiera nacido|existiera)|pudiera (?:morir|desaparecer))",
        weak=True,
    ),
    _rule(
        "es.self.matarme",
        r"(?:matarme|suicidarme|ahorcarme|quitarme la vida|acabar con mi vida|terminar con mi vida"
        r"|envenenarme|cortarme las venas|pegarme un tiro|darme un tiro|dispararme"
        r"|(?:tirarme|aventarme|lanzarme)\s+(?:de|desde|por|a|al|bajo|del)\s+(?:(?:un|una|el|la"
        r"|las|los)\s+)?(?:puente|edificio|balcon|ventana|azotea|techo|vias?|tren|metro"
        r"|precipicio|acantilado|piso|coche|camion|auto|vacio)"
        r"|me (?:voy a |quiero |puedo |podria |pienso |tengo que )?(?:matar|suicidar|ahorcar"
        r"|quitar la vida|pegar un tiro|dar un tiro|envenenar|cortar las venas)"
        r"|me (?:voy a |quiero |pienso )?(?:tirar|lanzar|aventar)\s+(?:de|desde|por|a|al|del)\s+"
        r"(?:(?:un|una|el|la|las|los)\s+)?(?:puente|edificio|balcon|ventana|azotea|techo|vias?"
        r"|tren|metro|precipicio|acantilado|piso|vacio)"
        r"|pienso (?:mucho )?en (?:morir(?:me)?|matarme|la muerte todo el tiempo|suicidarme)"
        r"|me (?:suicido|matare|suicidare|ahorco))"
        r"(?!\s+(?:estudiando|trabajando|de risa|en el gym|en el gimnasio|entrenando|corriendo))",
        weak=True,
    ),
    _rule(
        "es.self.suicidio",
        r"(?:pienso|pensando|pense|pensado|considero|considerando|intente|intentado|planeo"
        r"|planeando|quiero|voy a|ganas de|ideas? de|he pensado)\s+(?:en\s+)?(?:el\s+)?suicid\w*"
        r"|(?:pensamientos|ideas|ideacion|tendencias|impulsos)\s+suicidas?"
        r"|(?:estoy|me siento|soy|ando|siento)\s+(?:muy\s+|bastante\s+|algo\s+)?suicida"
        r"|(?:tengo|ya tengo|compre|consegui) (?:una|la) (?:soga|cuerda) (?:lista|preparada)"
        r"|(?:tengo|ya tengo) (?:las|mis) pastillas (?:listas|preparadas)"
        r"|(?:mi|una)\s+(?:carta|nota)\s+(?:de\s+)?(?:suicidio|despedida)|intento de suicidio",
        first_person=True,
    ),
    _rule(
        "es.self.no_quiero_vivir",
        r"(?:no (?:quiero|deseo|tengo ganas de|aguanto|soporto|puedo) (?:seguir\s+)?(?:vivir"
        r"|viviendo"
        r"|existir|estar viv[oa]|mas con (?:esta|mi) vida)"
        r"|ya no (?:puedo|aguanto|soporto)(?: mas)? (?:con )?(?:esta|mi) vida"
        r"|no quiero (?:volver a )?despertar(?:me)?(?: manana| nunca mas| mas| nunca)?"
        r"(?!\s+(?:temprano|tan temprano|a las|antes|tarde))"
        r"|ya no quiero (?:seguir|estar aqui|estar en este mundo)"
        r"|no (?:tengo|hay|encuentro|le encuentro|le veo|veo)\s+(?:ningun[ao]?\s+|una\s+|un\s+)?"
        r"(?:razon|razones|motivo|motivos|sentido|ganas|proposito)\s+(?:para|de|a|en)\s+"
        r"(?:la\s+|mi\s+)?(?:vivir|seguir(?: viviendo| adelante)?|vida|existir|estar viv[oa])"
        r"|(?:la|mi) vida no (?:tiene sentido|vale (?:la pena|nada))"
        r"|no vale la pena (?:vivir|seguir(?: viviendo)?)"
        r"|(?:cansad[oa]|hart[oa]|agotad[oa])\s+de\s+(?:vivir|la vida|existir|estar viv[oa]))"
        r"(?!\s+(?:en|con|aqui|alli|alla|cerca|lejos|sin)\b)",
        weak=True,
    ),
    _rule(
        "es.self.sin_mi",
        r"(?:estarian|estaria|estarias|seria|serian|vivirian)\s+(?:todos\s+)?(?:mejor|mas felices"
        r"|mas tranquilos)\s+sin mi|(?:nadie|ninguno)\s+(?:me\s+)?(?:extranaria|echaria de menos"
        r"|notaria|lloraria|le importaria)(?:\s+si\s+(?:me\s+)?(?:muero|muriera|desaparezco"
        r"|desapareciera|no estoy))?|(?:estaria|estoy)\s+mejor\s+muert[oa]"
        r"|mejor (?:estar )?muert[oa]"
        r"|(?:soy|me siento)\s+(?:una?\s+)?(?:carga|estorbo)"
        r"|(?:desaparecer|desvanecerme)\s+para siempre"
        r"|mejor (?:me muero|me mato)(?!\s+de)"
        r"|mejor si (?:yo )?(?:no existiera|no estuviera|me muriera|desapareciera|no hubiera nacido"
        r"|estuviera muert[oa])"
        r"|(?:quiero|voy a)\s+acabar con todo(?!\s+(?:el|lo|esto|eso|la)\b)",
        weak=True,
        first_person=True,
    ),
    _rule(
        "es.self.autolesion",
        r"(?:cortarme|me corto|me estoy cortando|me he cortado|me sigo cortando|me volvi a cortar"
        r"|volvi a cortarme|autolesion\w*|lastimarme|hacerme dano|me hago dano|herirme"
        r"|quemarme|sobredosis|(?:tomarme|tome|tomare|me tome|tragarme|me trague)\s+(?:todas (?:las"
        r"|mis)|un (?:frasco|bote|blister) de|toda la caja de|muchas|un monton de)\s+(?:pastillas"
        r"|pildoras|medicinas|medicamentos|tabletas|antidepresivos))"
        r"(?!\s+(?:el (?:pelo|cabello|flequillo|dedo)|las (?:unas|puntas)|la (?:barba|mano"
        r" cocinando)|un dedo|con (?:un|el|la) (?:cuchillo|papel|hoja)|cocinando|sin querer"
        r"|afeitandome|de (?:cafe|azucar))\b)"
        r"|(?:me (?:he estado|estoy|sigo) haciendo|haciendome) dano"
        r"|me (?:lastimo|corto|quemo|golpeo|hago dano|hiero) (?:a proposito|yo mism[oa]|cuando)",
        first_person=True,
    ),
    # ---- Spanish: harm to others ---------------------------------------------------------
    _rule(
        "es.others.amenaza",
        rf"(?:(?:voy a|vamos a|quiero|quisiera|pienso|planeo|tengo ganas de|me dan ganas de"
        rf"|estoy por|necesito|podria)\s+(?:{_ES_HURT}{_ES_CLITIC}|(?:hacer|pegar|dar|partir"
        rf"|romper){_ES_CLITIC}\s+(?:dano|un tiro|un balazo|una paliza|la cara)"
        rf"|(?:{_ES_HURT}|hacer(?:le|les)? dano|pegar(?:le|les)? un tiro)\s+{_ES_OBJ})"
        rf"|{_ES_CLITIC}\s+(?:voy a|vamos a|quiero|pienso|tengo ganas de|podria)\s+(?:{_ES_HURT}"
        r"|hacer dano|pegar un tiro|dar un tiro|pegar una paliza|dar una paliza|partir la cara"
        r"|romper la cara)|(?:lo|la|los|las)\s+(?:mato|matare|asesino|apunalo))"
        rf"{_ES_NOT_IDIOM}",
        weak=True,
        first_person=True,
    ),
    _rule(
        "es.others.arma",
        r"(?:tengo|consegui|compre|traje|cargue)\s+(?:un|una|el|la|mi)\s+(?:pistola|arma|cuchillo"
        r"|navaja|rifle|escopeta|machete)\b.{0,60}?(?:matar|disparar|apunalar|usarla|usarlo"
        r"|(?:lo|la) voy a usar"
        r"|hacer(?:le|les)? dano|vengarme)"
        r"|(?:llevar|traer|llevare|voy a llevar)\s+(?:un|una|mi)\s+(?:pistola|arma|cuchillo|bomba"
        r"|navaja)\s+a\s+(?:la escuela|el colegio|clase|la universidad|la uni|el trabajo"
        r"|la oficina|la iglesia|la fiesta)|(?:poner|colocar) una bomba"
        r"|(?:escuela|colegio|clase|universidad|trabajo|oficina)\s+con\s+(?:una|la|mi)\s+(?:pistola"
        r"|arma|rifle|escopeta)"
        r"|(?:disparar|balear) (?:en|a) (?:la escuela|el colegio|todos)",
        first_person=True,
    ),
    # ---- Hindi (romanised): self-harm and suicide ----------------------------------------
    _rule(
        "hi.self.marna_chahta",
        rf"(?:marna|marne|mar jana|mar jaana|marjana|mar hi jana)\s+(?:hi\s+)?(?:ko\s+)?{_CHAHTA}"
        r"|(?:mujhe|muje|mjhe|mujhko|mujko)\s+(?:bas\s+|ab\s+|sach me\s+)?(?:marna|mar jana"
        r"|mar jaana|mar hi jana)\s+(?:hai|h|he)"
        r"|mar (?:jaunga|jaungi|jaun|jau) (?:to|toh) (?:sab|sabhi|sabko|sab log|ghar wale)"
        r"|(?:lagta hai|mann karta hai|man karta hai|dil karta hai|jee karta hai)\s+(?:ki\s+)?"
        r"(?:main\s+|mai\s+)?mar (?:jaun|jau|jaaun|jaon)"
        r"|(?:kash|kaash|kaas)\s+(?:main\s+|mai\s+|me\s+)?mar (?:jaun|jau|jaaun|jaon|jata|jati"
        r"|gaya hota|gayi hoti)|mar (?:jana|jaana|jaun|jau) (?:hi )?(?:behtar|acha|achha|better)"
        r"|(?:marne|mar jaane|mar jane) (?:ka|ki) (?:mann|man|dil|irada|icha|ichha|iccha|khayal"
        r"|khyal|vichar|soch)",
        first_person=True,
        post_negation=True,
        unless_before=_HI_IDIOM,
    ),
    _rule(
        "hi.self.khudkushi",
        r"(?:khudkushi|khudkhushi|khudkusi|khud kushi|khudkhusi|aatmahatya|atmahatya|atmhatya"
        r"|suicide|sucide|suiside|suside)\s+(?:kar|karna|karne|karunga|karungi|krunga|krungi"
        r"|karlu|karlunga|kar lu|kar lunga|kar lungi|kar leta|kar leti|kar lena|kr|karne ka"
        r"|karne ki|ka (?:khayal|khyal|vichar|soch|plan|irada|mann|man)|ke (?:baare|bare)"
        r" (?:me|mein|main)|ke (?:khayal|khyal|vichar)|ki (?:soch|socha|sochi|koshish))"
        r"(?!\s+(?:galat|gunah|paap|bura|buri|haram|ke baare mein (?:padha|suna|article)))"
        r"|(?:khudkushi|khudkhushi|aatmahatya|atmahatya)\s+(?:hi|ke alawa|ke siva|ka rasta"
        r"|ek rasta|ek hi rasta)",
        first_person=True,
        post_negation=True,
    ),
    _rule(
        "hi.self.khud_ko",
        r"(?:khud|khudko|apne aap|apneaap|apne ap|apne aapko|apne apko|khud hi)\s*(?:ko\s+)?"
        r"(?:maar|mar|khatam|khatm|khtm|khtam|hurt|nuksan|nuksaan|chot|kaat|kat|jala|zakhmi"
        r"|saza|takleef)\w*(?:\s+(?:kar|de|le|daal|dal|pahuncha|pohcha|pahucha|kr)\w*)?"
        r"(?:\s+(?:dunga|dungi|lunga|lungi|chahta|chahti|chahte|du|lu|hu|hoon))?",
        first_person=True,
        post_negation=True,
    ),
    _rule(
        "hi.self.jeena_nahi",
        r"(?:jeene|jine)\s+(?:ka|ki|ko|ke)\s+(?:koi\s+|kuch\s+|bhi\s+)?(?:mann|man|mn|dil|icha"
        r"|ichha|iccha|irada|wajah|waja|vajah|vajeh|wajeh|karan|matlab|maksad|maqsad|himmat"
        rf"|hausla|mood|reason|umeed|ummeed)\s+(?:\w+\s+)?(?:{_NAHI}|na|khatam|khatm)"
        rf"|(?:jeena|jina)\s+(?:ab\s+)?{_NAHI}\s+(?:{_CHAHTA}|hai|h|he|ha)"
        rf"|{_NAHI}\s+(?:jeena|jina)(?:\s+(?:hai|h|he|mujhe|muje|ab))?"
        rf"|(?:mujhe|muje)\s+(?:ab\s+|aur\s+)*(?:jeena|jina)\s+{_NAHI}"
        rf"|(?:jee|ji)\s+{_NAHI}\s+(?:sakta|sakti|paunga|paungi|paaunga|paaungi|pa raha|pa rahi)"
        rf"|{_NAHI}\s+(?:jee|ji)\s+(?:sakta|sakti|paunga|paungi|paaunga|paaungi|pa raha|pa rahi)"
        r"|(?:duniya (?:mein|me|main) rehne|zinda rehne|jinda rehne) (?:ka|ki) (?:mann|man|dil|icha"
        rf"|ichha|wajah|vajah) (?:\w+\s+)?{_NAHI}",
        first_person=True,
    ),
    _rule(
        "hi.self.zindagi_khatam",
        r"(?:zindagi|zindgi|jindagi|jindgi|zndgi|life|jivan|jeevan|apni jaan|apni zindagi)\s+"
        r"(?:khatam|khatm|khtm|khtam|samapt|end|tamam|le)\s*(?:kar|karna|karne|karunga|karungi"
        r"|kar dunga|kar dungi|kar lunga|kar lungi|kar du|kar lu|kar doon|kar loon|lunga|lungi"
        r"|lu|loon|lena|karni|karni hai|karna hai)"
        r"|sab (?:kuch\s+)?(?:khatam|khatm|khtm)\s+kar\s+(?:dunga|dungi|du|doon|lunga|lungi"
        r"|dena chahta|dena chahti|na chahta|na chahti)"
        r"|(?:zindagi|zindgi|jindagi|life)\s+(?:se\s+)?(?:thak|tang|pareshan|bezaar|ukta|haar)\s*"
        r"(?:gaya|gayi|gya|gyi|chuka|chuki)"
        r"|(?:mere|mera)\s+(?:bina|jaane ke baad|jane ke bad|na hone se|marne ke baad)\s+"
        r"(?:\w+\s+){0,3}(?:behtar|khush|acha|achha|better|aaram|sukoon|sukun)"
        r"|(?:kisi|koi)\s+(?:ko\s+)?(?:fark|farak|fraq|farq)\s+(?:nahi|nhi)\s+(?:padega|padta"
        r"|pdega|parega)\s+(?:agar|jab)\s+(?:main|mai|me)\s+(?:mar|chala|chali|na)"
        r"|(?:main|mai|me)\s+(?:sab\s+(?:par|pe|ke liye)\s+)?(?:ek\s+)?(?:bojh|bhoj|boj)\s+"
        r"(?:hoon|hun|hu|ban gaya|ban gayi)"
        r"|(?:hamesha|humesha)\s+ke\s+liye\s+(?:gayab|gaayab|ghayab|gum)\s+(?:ho|ja)\w*",
        first_person=True,
        post_negation=True,
    ),
    _rule(
        "hi.self.tarika",
        r"(?:nas|nasen|nase|nus|kalai|hath ki nas|wrist)\s+(?:kaat|kat|kaati|kati|katne|kaatne"
        r"|katna|kaatna|katunga|kaatunga|katungi|kaatungi|kaat lunga|kaat lungi|kaat li|kaat liya"
        r"|kaat du|kaat lu)(?!\s+(?:gaya|gayi|gya|gyi|gai))"
        r"|(?:saari|sari|sab|bahut saari|bahut|ek saath|ek sath|puri|poori|pura|poora)\s+"
        r"(?:\w+\s+)?(?:goli|goliyan|goliya|pills|dawai|dawaiyan|dawaiya|tablets?)\w*\s+"
        r"(?:\w+\s+)?(?:kha|kha lunga|kha lungi|kha li|kha liya|khane|khana|le lunga|le li|nigal)"
        r"|(?:phansi|fansi|phasi|fasi|fanda|phanda|phaansi)\s+(?:\w+\s+)?(?:laga|lagana|lagane"
        r"|lagaunga|lagaungi|laga lunga|laga lungi|laga lu|lagane ka|lagane ki)"
        r"|pankhe se latak\w*"
        r"|(?:chhat|chat|chhath|building|bridge|pul|imarat|terrace|balcony)\s+(?:par\s+se|pe\s+se"
        r"|se)\s+(?:kood|kud|chalang|chhalang|jump)\w*"
        r"|(?:train|gaadi|gadi|truck|bus|metro)\s+(?:ke|ki)\s+(?:aage|age|neeche|niche|saamne"
        r"|samne)\s+(?:kood|kud|aa|a ja|let|lait|ja)\w*",
        first_person=True,
        post_negation=True,
    ),
    # ---- Hindi (Devanagari): self-harm and suicide ---------------------------------------
    _rule(
        "hi.self.devanagari",
        r"मरना चाहत|मर जाना चाहत|मरने (?:का|की) (?:मन|इच्छा|दिल|इरादा|ख्याल|खयाल|विचार)"
        r"|मुझे (?:बस |अब )?(?:मरना|मर जाना) है|काश (?:मैं )?मर जा"
        r"|(?:मन|दिल|जी) करता है\s*(?:कि\s+)?(?:मैं\s+)?मर जा"
        r"|(?:आत्महत्या|खुदकुशी|खुदखुशी|सुसाइड)\s*(?:करने|करना|करूंगा|करूंगी|करुंगा|करुंगी|करूं"
        r"|करुं|कर|का (?:ख्याल|खयाल|विचार|मन|इरादा)|के (?:बारे|ख्याल|खयाल|विचार))"
        r"|(?:खुद|अपने आप|स्वयं|खुद ही)\s*(?:को\s+)?(?:मार|खत्म|खतम|नुकसान|चोट|काट|जला|घायल|हर्ट)"
        r"|जीने (?:का|की|को|के) (?:कोई |कुछ )?(?:मन|दिल|इच्छा|वजह|कारण|मतलब|इरादा|मकसद|उम्मीद"
        rf"|हिम्मत)\s+(?:\S+\s+)?(?:{_DEV_NAHI}|खत्म)"
        rf"|{_DEV_NAHI} जी (?:सकता|सकती|पाऊंगा|पाऊंगी)"
        rf"|जीना (?:अब )?{_DEV_NAHI} (?:चाहत|है)|{_DEV_NAHI} जीना|जी {_DEV_NAHI} (?:सकता|सकती"
        rf"|पाऊंगा"
        r"|पाऊंगी)|(?:जिंदगी|जिन्दगी|जीवन|अपनी जान)\s+(?:खत्म|खतम|समाप्त|ले)\s*(?:कर|लूंगा|लूंगी"
        r"|लूं)"
        r"|(?:नस|नसें|कलाई)\s+(?:की नस\s+)?काट|फांसी (?:\S+ )?लगा|(?:छत|पुल|बिल्डिंग|इमारत)"
        r" (?:से|पर से) (?:कूद|छलांग)|मेरे (?:बिना|जाने के बाद|न होने से) (?:\S+ ){0,3}"
        r"(?:बेहतर|खुश|अच्छ)|(?:सारी|सब|बहुत सारी) (?:नींद की )?(?:गोलियां|दवाइयां"
        r"|गोली) (?:\S+ )?खा"
        r"|(?:सब पर )?(?:एक )?बोझ (?:हूं|बन गया|बन गई)",
        first_person=True,
        post_negation=True,
        stem_end=True,
    ),
    # ---- Hindi: harm to others -----------------------------------------------------------
    _rule(
        "hi.others.maar_dunga",
        rf"{_HI_OBJ}\s+(?:jaan se\s+)?(?:maar|mar|khatam kar|khatm kar|khtm kar|goli maar"
        rf"|chaku maar|chaaku maar|chaku ghop|ghayal kar|nuksan pahuncha|nuksaan pahuncha"
        rf"|chot pahuncha|peet|pit|kaat|jala|zeher de|zehar de|jahar de|zeher|zehar)\s*{_HI_FUT}"
        r"|(?:uska|unka|tera|tumhara|iska|sabka)\s+(?:khoon|khun|qatl|katl|murder)\s+(?:kar|kr)\s*"
        r"(?:dunga|dungi|du|doon|na chahta|na chahti|na hai)"
        r"|(?:uski|unki|teri|tumhari|iski|inki)\s+jaan\s+(?:le|lene)\s*(?:lunga|lungi|lu|loon|ka"
        r"|ki|chahta|chahti|wala)"
        r"|(?:school|college|office|class)\s+(?:mein|me|main)\s+(?:goli|goliyan|firing|fire)\s+"
        r"(?:chala|kar)\s*(?:dunga|dungi|du|doon|na chahta)",
        weak=True,
        first_person=True,
        post_negation=True,
    ),
    _rule(
        "hi.others.devanagari",
        r"(?:उसे|उसको|उन्हें|उनको|तुझे|तुम्हें|तुम्हे|इसे|इसको|आपको|सबको|(?:अपनी|अपने|मेरी"
        r"|मेरे) \S+ को)"
        r"\s+(?:जान से\s+)?(?:मार|खत्म कर|गोली मार|चाकू मार|नुकसान पहुंचा|चोट पहुंचा)\s*(?:दूंगा"
        r"|दूंगी|डालूंगा|डालूंगी|दूं|डालूं|देना चाहत|डालना चाहत|ना चाहत|ने का मन)"
        r"|(?:उसकी|उनकी|तेरी|तुम्हारी) जान ले (?:लूंगा|लूंगी|लूं)",
        weak=True,
        first_person=True,
        post_negation=True,
        stem_end=True,
    ),
)


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
    " going gonna try trying plan planning on do just seriously honestly literally go feel"
    " feeling felt like think thinking about of consider considering have having had get"
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
    "i im ive id ill me my myself mine main mai mujhe muje mujhko mera meri mere yo मैं मुझे मेरा मेरी मेरे"
)
# Someone else as the subject, by the language of the rule (Spanish "he" is "I have", Hindi
# "man" is the mind, so one list for all would misread them).
_OTHER_PERSON = {
    "en": _words(
        "you u ya youre he hes she shes they theyre we him her them his their friend friends"
        " brother sister mom mum mother dad father son daughter cousin uncle aunt girlfriend"
        " boyfriend gf bf wife husband partner character villain hero narrator protagonist guy"
        " girl man woman kid someone somebody people everyone classmate roommate"
    ),
    "es": _words(
        "tu usted ustedes el ella ellos ellas nosotros amigo amiga hermano hermana mama papa"
        " novio novia esposo esposa hijo hija personaje protagonista alguien gente"
    ),
    "hi": _words(
        "tu tum aap woh wo vo voh usne unhone dost bhai behen maa papa hero heroine you she they"
        " friend brother sister boyfriend girlfriend वह वो उसने उन्होंने"
    ),
}
_TOKENS = re.compile(rf"[\w{_DEVANAGARI}]+")
_CLAUSE_BREAK = _compile(
    r'[.!?;:,\n"()\[\]¡¿…|]|\s(?:but|and|pero|lekin|magar|aur|y|because|cause|porque|kyunki'
    r"|coz|cuz|par|fir|phir|then|luego)\s"
)
_SENTENCE_BREAK = re.compile(r"[.!?\n]")
_JOKING = _compile(
    r"(?<![a-z])(?:lol|lel|lmao|lmfao|rofl|xd|jk|haha\w*|ahah\w*|hehe\w*|jaja\w*|jeje\w*|jsjs\w*"
    r"|(?:just|only|im|i am) (?:kidding|joking|playing)|(?<!no )es broma|bromeando"
    r"|(?<!nahi )(?:mazak|mazaak))"
    r"(?![a-z])|[\U0001f602\U0001f923\U0001f606\U0001f639\U0001f480]"
)
_HYPERBOLE = _compile(
    r"(?<![a-z])(?:(?:so|too|this|that|how) (?:good|cute|pretty|hot|funny|embarrassing|cringe"
    r"|cringy|awkward|beautiful|gorgeous|amazing|hungry|bored|boring)|embarras\w*|cringe"
    r"|tripped|spilled|farted|in front of (?:my crush|everyone|the whole class)"
    r"|que oso|que verguenza|que pena|sharam|sharm)(?![a-z])"
)
_HISTORY_AFTER = _compile(
    r"^\s*(?:\w+\s+){0,3}(?:(?:years|months|long) ago|back then|as a (?:teen|teenager|kid)"
    r"|in high school|when i was (?:younger|a teen|a teenager|a kid))(?![a-z])"
)
_AGAIN = _compile(r"(?<![a-z])(?:again|still|otra vez|de nuevo|phir se|fir se)(?![a-z])")
_HISTORY = _compile(r"(?<![a-z])(?:used to|survivor|solia|solias|pehle)(?![a-z])")
_MEDIA = _compile(
    r"(?<![a-z])(?:song|songs|lyrics?|sings?|sang|singing|chorus|verse|line|quote|quoted|movie"
    r"|film|novel|book|story|poem|episode|series|show|scene|character|villain|protagonist"
    r"|says|said|tweet|tweeted|meme|rapper|album|track|cancion|letra|pelicula|libro|novela"
    r"|personaje|dice|dijo|canta|serie|escena|gana|gaana|dialogue|dialog|kahani|kitab)(?![a-z])"
    r"|गाना|गीत|फिल्म|कहानी"
)
_GAME = _compile(
    r"(?<![a-z])(?:game|games|gaming|level|minecraft|fortnite|roblox|gta|valorant|pubg|free fire"
    r"|call of duty|cod|among us|zombies?|npc|npcs|respawn|boss fight|video ?game|videojuego"
    r"|juego|partida|dnd|d&d)(?![a-z])"
)
_TRIVIAL_IF = _compile(
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
    for token in reversed(tokens):
        if token in _FIRST_PERSON:
            return False
        if token in others:
            return True
    return False


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
    def is_joking(self) -> bool:
        return self._fact("joking", _JOKING) or self._fact("hyperbole", _HYPERBOLE)

    @property
    def mentions_media(self) -> bool:
        return self._fact("media", _MEDIA)

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


def _is_cancelled(rule: _Rule, message: _Message, match: re.Match[str]) -> bool:
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
    return rule.weak and message.is_joking


def detect(text: str) -> Signal | None:
    """The first crisis signal in ``text``, or None. Pure and local: nothing is logged or sent.
    Self-harm rules are tried before harm-to-others rules."""
    if not isinstance(text, str) or not text:
        return None
    message = _Message(_normalise(text))
    for rule in _RULES:
        for match in rule.pattern.finditer(message.norm):
            if not _is_cancelled(rule, message, match):
                return Signal(kind=rule.kind, language=rule.language, rule=rule.rule_id)
    return None


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
