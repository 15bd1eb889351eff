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
Order matters: :func:`detect` reports the first rule that survives its context checks.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

__all__ = ["DEVANAGARI", "RULES", "Rule", "SignalKind", "compile_source"]

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
        third_person=third_person,
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
    r"|visuali[sz]ing|scared (?:ill|i will|i might)|afraid (?:ill|i will|i might))"
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
_HI_REASON = (
    r"(?:mann|man|mn|dil|icha|ichha|iccha|irada|wajah|waja|vajah|vajeh|wajeh|karan|matlab|maksad"
    r"|maqsad|himmat|hausla|mood|reason|umeed|ummeed|fayda|faida|fayada|point|sense)"
)
_DEV_REASON = r"(?:मन|दिल|इच्छा|वजह|कारण|मतलब|इरादा|मकसद|उम्मीद|हिम्मत|फायदा|फ़ायदा|पॉइंट|रीज़न)"

RULES: tuple[Rule, ...] = (
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
        r"\s+(?:to\s+)?(?:live|living|be alive|exist|existing|b?e? (?:here|around) any ?more"
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
        r"\s+(?:die|overdose|od|kill (?:me|myself|a person|someone)|be lethal|be fatal|not wake up"
        r"|never wake up|stop (?:my|your|a) heart|sleep forever)"
        r"|how (?:high|tall|far|deep)\s+(?:\w+\s+){0,14}?(?:fatal|lethal|deadly|to die|to kill"
        r" (?:you|me|a person)|(?:the )?fall (?:kill|be fatal))"
        r"|(?:what|which) (?:height|floor|dose|amount|pills?|medication|meds|bridge|building)\s+"
        r"(?:\w+\s+){0,3}(?:is|would be|are|will be|would) (?:fatal|lethal|deadly|enough to (?:die"
        r"|kill (?:me|you|a person)))"
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
        r"|(?:got|have|ive got|i have) (?:the|my|all the|all my) (?:pills|rope|razor|blade"
        r"|noose) ready"
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
    _rule(
        "en.self.passive_wish",
        r"(?:wouldnt|would not|wont|dont|do not) (?:even )?mind (?:if i (?:died|was dead|were dead"
        r"|didnt wake up|never woke up|got hit|disappeared)|dying|being dead|not waking up"
        r"|(?:if )?(?:a|the|some) (?:car|truck|bus|train|lorry|drunk driver|stray bullet) (?:hit"
        r"|hits|ran over|runs over|killed|kills) me)"
        r"|(?:hope|wish|pray|praying|hoping)\s+(?:that\s+)?(?:a|the|some) (?:car|truck|bus|train"
        r"|lorry|plane|drunk driver) (?:would\s+|will\s+)?(?:hit|hits|run me over|runs me over"
        r"|kill|kills)"
        r"|(?:hope|wish|pray|praying|hoping)\s+(?:that\s+)?i (?:die|get hit by|crash|dont make it"
        r"|get (?:cancer|sick and die)|never wake|just die|drop dead)(?!\s+(?:of|laughing|happy"
        r"|old|peacefully|rich))"
        r"|if i died (?:tomorrow|today|tonight|in my sleep)\W+(?:\w+\s+){0,2}(?:wouldnt|would not"
        r"|dont|do not) (?:care|mind)"
        r"|(?:god|universe|lord)\s+(?:please\s+)?(?:just\s+)?take me(?:\s+(?:away|now|already"
        r"|home))?(?=\s*(?:$|[.!?,]))",
        first_person=True,
    ),
    _rule(
        "en.self.death_thoughts",
        r"(?:think|thinking|thought) about (?:death|dying|suicide|killing myself|ending it|not"
        r" existing|my death) (?:all the time|constantly|every (?:day|night|single day)|a lot"
        r"|nonstop|24 ?7|more and more|way too much)"
        r"|(?:death|dying|being dead|not existing|not waking up|ending it|ending it all|suicide"
        r"|to die) (?:would|will|could|might)(?: honestly| just)? (?:be|feel like) (?:a |such a"
        r" |the (?:only |best )?)?(?:relief|release|peace|mercy|escape|rest|gift|answer|solution)"
        r"|(?:suicide|death|dying|killing myself|ending (?:it|my life)|thoughts of (?:suicide"
        r"|death|dying)) (?:keeps?|is|has been|have been|are)(?: always| constantly)? (?:crossing"
        r"|on|in|coming into|popping into|creeping into|running through) my (?:mind|head)"
        r"|(?:ending it|ending my life|killing myself|suicide|death|dying|to die|disappearing)"
        r" (?:is|seems|feels like|feels|would be) (?:like )?(?:the|my) only (?:way out|option"
        r"|answer|solution|escape|choice|way)",
        weak=True,
        first_person=True,
    ),
    _rule(
        "en.self.farewell",
        r"(?:giving|gave|give|given|started giving) away (?:all )?(?:of )?my (?:things|stuff"
        r"|belongings|possessions|prized \w+|favou?rite \w+|pets?|savings)(?!\s+(?:to charity"
        r"|because|before (?:i|we) move|for the move))"
        r"|(?:saying|said|say|started saying) (?:my )?goodbyes? to (?:everyone|everybody|people"
        r"|the people i love|everyone i love|my (?:loved ones|family|friends)|all my)"
        r"(?!\s+(?:at|before|for|when|after)\b)"
        r"|(?:wrote|writing|written|write|left|leaving|finished)\s+(?:(?:goodbye|farewell|final"
        r"|last)\s+(?:letters?|notes?|messages?)|letters)\s+(?:to|for)\s+(?:everyone|everybody"
        rf"|my (?:\w+\s+)?(?:family|loved ones|{_REL})|all my|the people i love|each of)"
        r"|(?:imagining|imagine|picturing|planning|thinking about|visuali[sz]ing|dreaming about)"
        r" my (?:own )?funeral"
        r"|who (?:would|will) (?:even )?(?:come to|show up (?:at|to)|cry at|go to) my funeral"
        r"|(?:putting|put|getting|got) my affairs in order"
        r"|(?:planning|plan|planned|preparing|prepared|figured out) my (?:exit|way out|own death"
        r"|death|last day|final day|final exit|suicide)(?!\s+(?:from (?!this world|life)|strategy"
        r"|interview))|my exit plan|(?:this is|its) my goodbye|goodbye (?:forever|world|cruel world)"
        r"|(?:wont|will not|wouldnt) be (?:here|around|alive|on this earth) (?:any ?more|for (?:much"
        r" )?long(?:er)?|much longer|after (?:tonight|today|this week)|by (?:tomorrow|morning"
        r"|the weekend|next week))",
        first_person=True,
    ),
    _rule(
        "en.self.farewell_hint",
        r"(?:its|it is) time(?=\s*(?:$|[.!?,]))|(?:wont|will not) be here tomorrow|this is goodbye"
        r"|(?:know|decided) what im (?:going to|gonna) do|(?:made up my mind|my mind is made up"
        r"|ive decided)(?=\s*(?:$|[.!?,]))"
        r"|(?:bought|got|buying|ordered|have|found|tied|hid)\s+(?:a|the|some|my|enough)\s+(?:rope"
        r"|noose|razor blades?|blades|rat poison|poison|charcoal|helium)"
        r"|(?:im|i am|standing|sitting|here|up)\s+(?:on|at)\s+(?:the|a|this|my)\s+(?:\w+\s+)?(?:bridge"
        r"|roof|rooftop|ledge|railing|balcony|cliff|tracks|terrace)(?:\s+\w+){0,3}?\s+(?:right now"
        r"|now|tonight|again|alone)",
        first_person=True,
        needs=r"(?<![a-z])(?:letters?|goodbye|farewell|forgive me|sorry for everything|love you all"
        r"|its time|know what im (?:going to|gonna) do|made up my mind|decided|wont need|for myself"
        r"|to hang|ceiling|beam|end (?:it|this|my life)|better off|im done|(?:look|looking|staring"
        r"|stare) (?:down|over)|jump|fall|let go|the edge|how easy|how high)(?![a-z])",
    ),
    _rule(
        "en.self.means_at_hand",
        r"(?:holding|have|got|staring at|looking at)\s+(?:the|my|a|all (?:the|my)|a (?:bottle"
        r"|handful|fistful) of)\s+(?:pills|tablets|razor|razor blade|blade|gun|noose|rope"
        r"|pill bottle|bottle of pills)\s+(?:in my hands?|right now|in front of me)"
        r"|(?:use|using|turn|turning) (?:it|them|the (?:gun|knife|razor|blade|rope|pills)|(?:my"
        r"|his|her) (?:\w+ )?gun) on myself"
        r"|(?:the|my) (?:pills|razor|blade|rope|noose|gun) (?:is|are) (?:in my hands?|right (?:here"
        r"|next to me)|waiting for me)",
        first_person=True,
    ),
    _rule(
        "en.self.self_harm_act",
        r"(?![^.!?]*(?<![a-z])(?:accident\w*|while|cooking|chopping|shaving|slicing|kitchen|stove"
        r"|oven|iron|fell|tripped)(?![a-z]))"
        r"(?:(?:hit|hitting|bang|banging|slam|slamming|smash|smashing|punch|punching|bash"
        r"|bashing)\s+my head (?:against|on|into) (?:the|a) (?:wall|floor|door|desk|table|mirror)"
        r"(?=[^.!?]{0,30}?(?:until|till|til|on purpose|so hard|again and again|over and over"
        r"|to feel))"
        r"|(?:burn|burned|burnt|burning|cut|cutting|scratch|scratched|scratching|carve|carved"
        r"|carving|stab|stabbed|slice|sliced)\s+(?:my|both) (?:arms?|wrists?|thighs?|legs?|skin"
        r"|stomach|hips?|body|chest|forearms?|ankles?)"
        r"(?=[^.!?]{0,40}?(?:with (?:a|the|my) (?:lighter|cigarette|cig|razor|blade|knife|scissors"
        r"|glass|compass|sharpener|hot)|again|on purpose|deliberately|to feel|until|till|cant stop"
        r"|every night))"
        r"|(?:cut|burned|burnt|harmed myself|hurt myself|self harmed)\s+(?:again|deeper|too deep)"
        r"|relaps\w*[^.!?]{0,40}?(?:cut|cutting|burn|burning|self ?harm|hurt myself|blade|razor)"
        r"|(?:havent|have not|not|didnt|did not) (?:eaten|eat|had (?:any )?food) (?:anything )?"
        r"(?:in|for) (?:\d+|two|three|four|five|six|seven|a few|several|many) days[^.!?]{0,20}?"
        r"(?:on purpose|deliberately|to punish|because i dont deserve)"
        r"|(?:want|trying|going|wanna|gonna) (?:to )?(?:waste away|starve to death|starve until i"
        r" (?:die|disappear)|stop eating (?:until|till) i (?:die|disappear))"
        r"|punish(?:ing)? myself (?:by|with) (?:cutting|burning|hitting|starving|not eating))",
        first_person=True,
    ),
    _rule(
        "en.self.unalive",
        r"unaliv\w*(?!\s+(?:him|her|them|you|u|everyone|my (?!self)\w+|his|the|a)\b)|sewer ?slid\w*",
        weak=True,
        first_person=True,
    ),
    _rule(
        "en.self.someone_at_risk",
        r"(?:going to|gonna|about to|wants? to|wanting to|wanna|planning (?:to|on)|plans to"
        r"|threatening to|threatened to|talking about|talks about|keeps talking about|will|might"
        r"|tried to|trying to|attempted to|tries to|thinking (?:about|of)|thinks about|could)\s+"
        r"(?:\w+\s+)?(?:kill(?:ing)?|hurt(?:ing)?|harm(?:ing)?|cut(?:ting)?|hang(?:ing)?"
        r"|shoot(?:ing)?|end(?:ing)?|off(?:ing)?|unaliv\w*|drown(?:ing)?|poison(?:ing)?|starv\w*"
        r"|burn(?:ing)?) (?:herself|himself|themselves|themself|(?:her|his|their) (?:own )?life)"
        r"|(?:she|he|they|shes|hes|theyre|friend|bestie|bff|sister|brother|daughter|son|cousin"
        r"|girlfriend|boyfriend|gf|bf|partner|wife|husband|mom|mum|dad|roommate|classmate)"
        r" (?:\w+ ){0,2}?(?:is|s|seems|sounds|has been|was|feels|is being|are|re|been|who is"
        r"|whos) (?:really |very |so |kind of |pretty |actively |feeling )?suicidal"
        r"|(?:says|said|keeps saying|told me|tells me|texted(?: me)?|messaged(?: me)?|posted"
        r"|is saying) (?:that )?(?:she|he|they|shes|hes|theyre) (?:wants? to die|doesnt want to"
        r" (?:live|be here|wake up)|(?:is|s|are|re) (?:going to|gonna|about to) (?:end it|die"
        r"|do it)|(?:will|ll) end it|wants? to end it|cant go on)"
        r"|(?:she|he|they|friend|bestie|sister|brother|daughter|son|cousin|girlfriend|boyfriend"
        r"|partner|wife|husband|roommate) (?:who |that )?(?:wants|wanted) to die"
        r"|(?:sent|texted|gave|showed) me (?:a|her|his|their) (?:suicide|goodbye) (?:note|letter"
        r"|message|text)"
        r"|(?:is|s|are|re|keeps|been) (?:cutting|hurting|harming|burning|starving) (?:herself"
        r"|himself|themselves)",
        weak=True,
        third_person=True,
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
    _rule(
        "en.others.method",
        rf"(?:push|pushing|shove|shoving|throw|throwing|kick|kicking)\s+{_OBJ}\s+(?:down the"
        r" stairs|off (?:the|a) (?:balcony|roof|bridge|cliff|ledge)|in front of (?:a|the) (?:train"
        r"|bus|car|truck)|out (?:of )?(?:the|a) window|into (?:the|a) (?:river|lake|traffic|fire))"
        r"|(?:put|putting|slip|slipping|mix|mixing|add|adding|lace|lacing|spike|spiking)\s+"
        r"(?:something|poison|rat poison|bleach|antifreeze|pills|drugs|\w+)?\s*(?:in|into)\s+"
        r"(?:his|her|their|my \w+s|my \w+ \w+s|the \w+s)\s+(?:food|drink|coffee|tea|dinner|water"
        r"|meal|lunch|soup|medicine)"
        r"|(?:lace|spike|poison|poisoning)\s+(?:his|her|their|my \w+s)\s+(?:food|drink|coffee|tea"
        r"|dinner|water|meal|lunch|soup)"
        rf"|(?:throw|throwing|pour|pouring|splash|splashing|toss)\s+(?:acid|bleach|boiling water"
        rf"|petrol|gasoline|kerosene)\s+(?:on|at|in|over|into)\s+(?:{_OBJ}|(?:his|her|their) face)"
        rf"|(?:set|setting)\s+(?:{_OBJ}|(?:his|her|their) (?:house|car|home)) on fire"
        r"|(?:shake|shaking|throw|throwing|smother|smothering|suffocate|suffocating|drop|dropping)"
        r"\s+(?:the|my|our)\s+(?:baby|newborn|infant|toddler)"
        r"(?=[^.!?]{0,60}?(?:until|when|wont stop|cries|crying|scared|afraid|urge|stop))",
        weak=True,
        first_person=True,
    ),
    _rule(
        "en.others.stalk",
        r"i know where (?:he|she|they|my \w+|that \w+) (?:lives|live|works|sleeps|parks|goes)",
        first_person=True,
        needs=r"(?<![a-z])(?:pay|regret|hurt|kill|tonight|teach|show up|wait for|knife|gun"
        r"|acid)(?![a-z])",
    ),
    # ---- Spanish: self-harm and suicide --------------------------------------------------
    _rule(
        "es.self.quiero_morir",
        r"(?:quiero|kiero|qiero|kero|quisiera|deseo|necesito|tengo ganas de|me dan ganas de|ganas de"
        r"|prefiero|preferiria|me gustaria|merezco|me merezco|deberia)\s+(?:me\s+)?(?:morir(?:me)?|estar muert[oa]"
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
        r"(?:la\s+|mi\s+)?(?:vivir|seguir(?: viviendo| adelante)?|vida|existir|estar viv[oa]"
        r"|seguir aqui|estar aqui|seguir en este mundo|levantarme)"
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
        r"|(?:(?:quiero|voy a)\s+acabar|acabo|acabare|termino|terminare|(?:quiero|voy a) terminar)"
        r" con todo(?!\s+(?:el|lo|esto|eso|la)\b)",
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
    _rule(
        "es.self.pasivo",
        r"no me importaria (?:que (?:un|una|el|la) (?:coche|carro|camion|auto|bus|autobus|tren"
        r"|moto) me (?:atropellara|atropelle|matara|pasara por encima)|morir(?:me)?|que me"
        r" (?:atropellaran|atropellara|pasara algo|mataran)|no despertar(?:me)?|estar muert[oa])"
        r"|ojala (?:me (?:atropelle|atropellara|atropellen|caiga un rayo)|(?:un|una|el) (?:coche"
        r"|carro|camion|auto|tren|bus) me (?:atropelle|atropellara|mate|matara)|no (?:despierte"
        r"|despertara|amanezca)|dios me (?:lleve|llevara|recoja))"
        r"|(?:dios|senor|diosito)\s+(?:por favor\s+)?(?:llevame|quitame la vida|dejame morir"
        r"|recogeme)|que dios me (?:lleve|recoja)"
        r"|(?:dormir(?:me)?|me durmiera|me duerma|dormirme) y (?:ya )?no (?:volver a )?(?:despertar"
        r"|despertara|despierte|despertarme)(?!\s+(?:temprano|tarde|hasta))",
        first_person=True,
    ),
    _rule(
        "es.self.despedida",
        r"(?:esta es|este es|aqui (?:va|esta)|les dejo) mi (?:ultima|ultimo) (?:carta|mensaje|nota"
        r"|despedida|palabras)"
        r"|(?:escribi|escribiendo|deje|dejando|he escrito) (?:unas |las |mis )?(?:cartas|notas"
        r"|cartas? de despedida|notas? de despedida) (?:a|para) (?:mi|mis|todos|toda)"
        r"|(?:regalando|regale|regalar|he regalado) (?:todas )?mis (?:cosas|pertenencias|mascotas)"
        r"|(?:despidiendome|me estoy despidiendo|me despedi|despedirme) de (?:todos|todo el mundo"
        r"|mi familia|mis amigos|la gente)(?!\s+(?:en|antes|porque|del|de la)\b)"
        r"|(?:imagino|imaginando|pienso en|planeando|planeo) mi (?:propio )?funeral"
        r"|(?:manana|esta noche|pronto|para manana) (?:ya )?no (?:voy a estar|estare)"
        r"(?!\s+(?:en|para|de|con|ahi|alli|disponible)\b)"
        r"|ya no (?:voy a estar|estare) (?:aqui|mas|con ustedes|para nadie)",
        first_person=True,
    ),
    _rule(
        "es.self.medios",
        r"(?:me tome|tome|me trague|trague|me voy a tomar|voy a tomarme|tomarme|me tomo|me las tomo"
        r"|me las voy a tomar|me las tomare)\s+(?:todo el (?:frasco|bote|blister|paquete)"
        r"|toda la caja|el frasco entero|la caja entera|todas(?=\s*(?:$|[.!?,]|de|las|mis)))"
        r"|(?:guardando|juntando|acumulando|ahorrando|escondiendo|guarde|junte) (?:mis |las "
        r"|muchas )?(?:pastillas|pildoras|medicamentos|somniferos)"
        r"|(?:me tome|tome|me bebi|bebi|me trague|trague)\s+(?:el |un |una |la )?(?:veneno|raticida"
        r"|matarratas|lejia|cloro|insecticida|anticongelante)"
        r"|(?:usarla|usarlo|usar (?:la|el) (?:pistola|arma|navaja|cuchilla)) (?:contra|en) mi"
        r"(?: mism[oa])?",
        first_person=True,
    ),
    _rule(
        "es.self.indicio",
        r"(?:compre|consegui|tengo|ya tengo) (?:la|una) (?:cuerda|soga)"
        r"|(?:estoy|estoy parad[oa]|estoy sentad[oa]) en (?:el|la) (?:puente|azotea|techo|borde"
        r"|cornisa|barandal|vias|balcon)(?:\s+\w+){0,3}?\s+(?:ahora mismo|ahorita|ahora"
        r"|en este momento)",
        first_person=True,
        needs=r"(?<![a-z])(?:se lo que voy a hacer|ya lo decidi|es hora|adios|perdon|para"
        r" (?:colgarme|ahorcarme)|(?:mirar|mirando|miro|veo) (?:hacia )?abajo|saltar|tirarme"
        r"|lanzarme|caer)(?![a-z])",
    ),
    _rule(
        "es.self.autolesion_acto",
        r"(?![^.!?]*(?<![a-z])(?:sin querer|cocinando|picando|accidente|me cai)(?![a-z]))"
        r"(?:me (?:queme|quemo|corte|corto|rasgue|rasguno|golpeo|golpee|pegue|pego|lastime"
        r"|lastimo) (?:el|los|la|las|mis|mi) (?:brazos?|munecas?|piernas?|muslos?|piel|cabeza"
        r"|estomago|panza)"
        r"(?=[^.!?]{0,40}?(?:con (?:el|un|una|la|mi) (?:encendedor|mechero|cigarro|cigarrillo"
        r"|navaja|cuchilla|hoja|vidrio|cutter|tijeras|cuchillo)|otra vez|de nuevo|a proposito"
        r"|hasta (?:que|sangrar)|no puedo parar|cada noche))"
        r"|me corte (?:otra vez|de nuevo|anoche|ayer|hoy|mas profundo)(?!\s+(?:el|la|los|las|mi"
        r"|mis)\b)"
        r"|(?:me volvi a|volvi a|voy a volver a) (?:cortar|quemar|lastimar|hacer dano)(?:me)?"
        r"(?!\s+(?:el|la|los|las|mi|mis)\b)"
        r"|(?:golpeo|golpee|me pego|me pegue|me doy) (?:la cabeza )?(?:contra la pared|cabezazos)"
        r"|(?:dejar de comer|no como|no he comido)[^.!?]{0,20}?(?:a proposito|hasta (?:morir"
        r"|desaparecer)|para desaparecer|porque no merezco))",
        first_person=True,
    ),
    _rule(
        "es.self.metodo",
        r"(?:forma|manera|metodo|modo)s? (?:mas|menos) (?:facil|faciles|rapida|rapido|dolorosa"
        r"|doloroso|segura|seguro|sencilla)s? (?:de|para) (?:morir|matarse|matarme|suicidarme"
        r"|suicidarse|quitarme la vida|acabar con (?:todo|mi vida))"
        r"|como (?:puedo |podria |me puedo |se puede )?(?:matarme|suicidarme|quitarme la vida"
        r"|morir sin dolor|morir rapido|ahorcarme)"
        r"|cuant[ao]s (?:pastillas|pildoras|tabletas|mg|miligramos|gramos|somniferos)\s+"
        r"(?:\w+\s+){0,3}(?:para|hasta) (?:morir|no despertar|una sobredosis|matarme)"
        r"|(?:dosis|cantidad) (?:letal|mortal) de|(?:desde )?que altura (?:es mortal|es letal"
        r"|para morir|hay que (?:tirarse|saltar))",
        weak=True,
    ),
    _rule(
        "es.self.alguien_en_riesgo",
        r"(?:se (?:va a|quiere|piensa|puede) (?:suicidar|matar|quitar la vida|morir|cortar"
        r"|lastimar|hacer dano)|(?:va a|quiere|piensa|planea|amenaza con|amenazo con|intento"
        r"|trato de|esta pensando en|habla de) (?:suicidarse|matarse|quitarse la vida|morirse"
        r"|cortarse|lastimarse|hacerse dano))(?!\s+(?:estudiando|trabajando|de risa|con (?:la|esa|esta|su) (?:moto"
        r"|bici)|el pelo|las unas|de viej[oa]))"
        r"|(?:mi|su|una?) (?:\w+ )?(?:amig[oa]|herman[oa]|hij[oa]|prim[oa]|novi[oa]|pareja"
        r"|companer[oa]|mama|papa) (?:\w+ ){0,2}?(?:esta|anda|se siente|se ve|es) (?:muy )?suicida",
        weak=True,
        third_person=True,
    ),
    # ---- Spanish: harm to others ---------------------------------------------------------
    _rule(
        "es.others.amenaza",
        rf"(?:{_ES_INTENT}\s+(?:ir a\s+)?(?:{_ES_HURT}{_ES_CLITIC}|(?:hacer|pegar|dar|partir"
        rf"|romper|tirar|echar){_ES_CLITIC}\s+(?:dano|un tiro|un balazo|una paliza|la cara|acido)"
        rf"|(?:{_ES_HURT}|hacer(?:le|les)? dano|pegar(?:le|les)? un tiro)\s+{_ES_OBJ})"
        rf"|{_ES_CLITIC}\s+(?:voy a|vamos a|quiero|pienso|tengo ganas de|podria)\s+(?:{_ES_HURT}"
        r"|hacer dano|pegar un tiro|dar un tiro|pegar una paliza|dar una paliza|partir la cara"
        r"|romper la cara|(?:tirar|echar|lanzar) acido)|(?:lo|la|los|las)\s+(?:mato|matare|asesino"
        r"|apunalo))"
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
        r"|(?:llevar|traer|llevare|traere|voy a llevar|llevo|traigo)\s+(?:un|una|mi|la|el)\s+"
        r"(?:pistola|arma|cuchillo|bomba|navaja|rifle|escopeta)(?:\s+de\s+mi\s+\w+)?\s+a\s+(?:la escuela|el colegio|clase|la universidad|la uni|el trabajo"
        r"|la oficina|la iglesia|la fiesta)|(?:poner|colocar) una bomba"
        r"|(?:escuela|colegio|clase|universidad|trabajo|oficina)\s+con\s+(?:una|la|mi)\s+(?:pistola"
        r"|arma|rifle|escopeta)"
        r"|(?:disparar|balear) (?:en|a) (?:la escuela|el colegio|todos)",
        first_person=True,
    ),
    _rule(
        "es.others.bebe",
        r"(?:ganas de|quiero|voy a|impulsos? de|miedo de|tentad[oa] de|pienso en)\s+(?:\w+\s+)?"
        r"(?:sacudir|zarandear|aventar|lanzar|tirar|golpear|ahogar|asfixiar|lastimar|estrellar)"
        r"\s+(?:a(?:l)?\s+)?(?:mi\s+|la\s+|el\s+)?(?:bebe|bebita|bebito|nino|nina|nene|nena|hijo"
        r"|hija|recien nacid[oa])",
        first_person=True,
    ),
    _rule(
        "es.others.acecho",
        r"se donde (?:vive|trabaja|duerme|estudia)",
        first_person=True,
        needs=r"(?<![a-z])(?:pagar|hacerle dano|matar\w*|lastimar\w*|esta noche|arrepentir\w*"
        r"|cuchillo|pistola|acido)(?![a-z])",
    ),
    # ---- Hindi (romanised): self-harm and suicide ----------------------------------------
    _rule(
        "hi.self.marna_chahta",
        rf"(?:marna|marne|mar jana|mar jaana|marjana|mar hi jana)\s+(?:hi\s+)?(?:ko\s+)?{_CHAHTA}"
        r"|(?:mujhe|muje|mjhe|mujhko|mujko)\s+(?:bas\s+|ab\s+|sach me\s+)?(?:marna|mar jana"
        r"|mar jaana|mar hi jana)\s+(?:hai|h|he|chahiye|chahie|chaiye)"
        r"|mar (?:jaunga|jaungi|jaun|jau) (?:to|toh) (?:sab|sabhi|sabko|sab log|ghar wale)"
        r"|(?:lagta hai|mann karta hai|man karta hai|dil karta hai|jee karta hai)\s+(?:ki\s+)?"
        r"(?:main\s+|mai\s+)?mar (?:jaun|jau|jaaun|jaon)"
        r"|(?:kash|kaash|kaas)\s+(?:main\s+|mai\s+|me\s+)?mar (?:jaun|jau|jaaun|jaon|jata|jati"
        r"|gaya hota|gayi hoti)|mar (?:jana|jaana|jaun|jau) (?:hi )?(?:behtar|acha|achha|better)"
        r"|(?:marne|mar jaane|mar jane) (?:ka|ki|ke) (?:mann|man|dil|irada|icha|ichha|iccha|khayal"
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
        r"(?:(?:blade|chaku|chaaku|knife|kanch|kaanch|cigarette|lighter)\s+se\s+)?(?:maar|mar|khatam|khatm|khtm|khtam|hurt|nuksan|nuksaan|chot|kaat|kat|jala|zakhmi"
        r"|saza|takleef)\w*(?:\s+(?:kar|de|le|daal|dal|pahuncha|pohcha|pahucha|kr)\w*)?"
        r"(?:\s+(?:dunga|dungi|lunga|lungi|chahta|chahti|chahte|du|lu|hu|hoon))?",
        first_person=True,
        post_negation=True,
    ),
    _rule(
        "hi.self.jeena_nahi",
        rf"(?:jeene|jine)\s+(?:ka|ki|ko|ke)\s+(?:koi\s+|kuch\s+|bhi\s+)?{_HI_REASON}\s+"
        rf"(?:\w+\s+)?(?:{_NAHI}|na|khatam|khatm)"
        rf"|(?:jeena|jina)\s+(?:ab\s+)?{_NAHI}\s+(?:{_CHAHTA}|hai|h|he|ha)"
        rf"|{_NAHI}\s+(?:jeena|jina)(?:\s+(?:hai|h|he|mujhe|muje|ab))?"
        rf"|(?:mujhe|muje)\s+(?:ab\s+|aur\s+)*(?:jeena|jina)\s+{_NAHI}"
        rf"|(?:jee|ji)\s+{_NAHI}\s+(?:sakta|sakti|paunga|paungi|paaunga|paaungi|pa raha|pa rahi)"
        rf"|{_NAHI}\s+(?:jee|ji)\s+(?:sakta|sakti|paunga|paungi|paaunga|paaungi|pa raha|pa rahi)"
        r"|(?:duniya (?:mein|me|main) rehne|zinda rehne|jinda rehne|jeete rehne) (?:ka|ki)\s+"
        rf"(?:koi\s+)?{_HI_REASON} (?:\w+\s+)?{_NAHI}",
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
        r"|(?:hamesha|humesha)\s+ke\s+liye\s+(?:gayab|gaayab|ghayab|gum)\s+(?:ho|ja)\w*"
        r"|(?:apni|meri) jaan (?:lena|lene|le lena|le lunga|le lungi|le lu|le loon)"
        r"|hone (?:ya )?(?:na|nahi) hone se (?:kisi ko )?(?:koi )?(?:fark|farak|farq|fraq) (?:nahi"
        r"|nhi)",
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
    _rule(
        "hi.self.bhagwan_utha_le",
        r"(?:bhagwan|bhagvan|bhagwaan|upar wala|uparwala|upar vala|khuda|allah|rab|ishwar)\s+"
        r"(?:(?:bas|ab|jaldi)\s+)?(?:(?:mujhe|muje|mjhe)\s+)?(?:utha|bula|uthale|bulale)(?:\s*(?:le"
        r"|lo|lena|lega|le ja))?"
        r"|(?:koi|kash koi|kaash koi)\s+(?:truck|gaadi|gadi|bus|train)\s+(?:mujhe\s+)?(?:thok"
        r"|kuchal|uda|maar)\s*(?:de|da|deta|jaye|jae)"
        r"|(?:soun|sou|so jaun|so jau|so jaaun|so jaon|sota rahun|soti rahun)\s+(?:aur|or)\s+"
        r"(?:phir\s+|fir\s+)?(?:kabhi\s+)?(?:na|nahi|nhi)\s+(?:uthun|uthu|uthoon|jagun|jagu)"
        r"|(?:भगवान|ऊपर वाला|ऊपरवाला|ईश्वर|खुदा|अल्लाह|रब)\s+(?:(?:बस|अब|जल्दी)\s+)?(?:मुझे\s+)?"
        r"(?:उठा|बुला)"
        r"|(?:सोऊं|सो जाऊं|सो जाऊ|सोऊ)\s+(?:और\s+)?(?:फिर\s+)?(?:कभी\s+)?(?:न|ना|नहीं)\s+(?:उठूं"
        r"|उठू|जागूं|जागू)",
        first_person=True,
        post_negation=True,
        stem_end=True,
    ),
    _rule(
        "hi.self.alvida",
        r"(?:ye|yeh|ये|यह)\s+(?:mera|meri|मेरा|मेरी)\s+(?:last|aakhri|akhri|aakhiri|akhiri|antim"
        r"|आखिरी|अंतिम|लास्ट)\s+(?:msg|message|sandesh|baat|मैसेज|संदेश|मेसेज|बात)"
        r"|(?:sabko|sab ko|सबको|सब को)\s+(?:alvida|अलविदा)"
        r"|(?:kal|aaj raat ke baad|कल|आज रात के बाद)\s+(?:main|mai|मैं)\s+(?:nahi|नहीं)\s+"
        r"(?:rahunga|rahungi|rahoonga|रहूंगा|रहूंगी)"
        r"|(?:apni|meri|अपनी|मेरी)\s+(?:saari\s+|सारी\s+)?(?:cheezein|cheeze|chizen|chize|saaman"
        r"|samaan|चीजें|सामान)\s+(?:\S+\s+)?(?:baant|de|बांट|दे)\s*(?:di|diya|raha|rahi|दी|रहा|रही)",
        first_person=True,
        stem_end=True,
    ),
    _rule(
        "hi.self.saadhan",
        r"(?:nahar|nadi|kuen|kuan|kuye|kuwe|jheel|samundar|samandar|talab)\s+(?:mein|me|main)\s+"
        r"(?:kood|kud|chhalang|chalang|dub|doob)\w*"
        r"|(?:blade|chaku|chaaku)\s+(?:se\s+)?(?:chalaya|chalati|chalata|chalai|chalaunga|maara|mara"
        r"|kaata|kata|kaati|katti|kaatti)"
        r"|(?:haath|hath|kalai|baazu|bazu|jangh|pair)\s+(?:pe|par|per)\s+(?:blade|chaku|kaanch"
        r"|kanch)"
        r"|(?:chuhe (?:maarne|marne|mar) (?:ki|wali|vali) dawai|chuha mar dawai|zeher|zehar|jahar"
        r"|keetnashak|kitnashak|phenyl|tezaab|tezab|acid|poison|rat poison)\s+(?:pi|kha|pee)\s*"
        r"(?:li|liya|lunga|lungi|lu|loon|lena|lene|chuka|chuki|raha|rahi)"
        r"|(?:goliyan|goliya|goli|dawaiyan|dawaiya|pills|tablets)\s+(?:\w+\s+)?(?:jama|ikattha"
        r"|ikatha|collect|jod)\s+(?:kar|kr)",
        first_person=True,
        post_negation=True,
    ),
    _rule(
        "hi.self.jaan_dena",
        r"jaan (?:de dunga|de dungi|de du|de doon|dena chahta|dena chahti|de deta|de deti)"
        r"|जान (?:दे दूंगा|दे दूंगी|दे दूं|देना चाहत|दे देता|दे देती)",
        first_person=True,
        post_negation=True,
        stem_end=True,
        unless_before=r"(?:liye|लिए)(?:\s+\S+)?",
    ),
    _rule(
        "hi.self.rassi",
        r"(?:rassi|rassa|phanda|fanda|रस्सी|फंदा)\s+(?:\S+\s+)?(?:khareed|kharid|le aaya|le aayi"
        r"|la liya|ready|taiyar|तैयार|खरीद|बना|ले आया|ले आई)",
        first_person=True,
        stem_end=True,
        needs=r"pankhe|latak|phansi|jaan|aaj raat|alvida|पंखे|लटक|फांसी|जान|आज रात|अलविदा",
    ),
    _rule(
        "hi.self.koi_aur",
        r"(?:suicide|khudkushi|aatmahatya|atmahatya|sucide|आत्महत्या|खुदकुशी|सुसाइड)\s+(?:kar|कर)"
        r"\s*(?:lega|legi|lenge|sakta hai|sakti hai|लेगा|लेगी|लेंगे|सकता है|सकती है)"
        r"|(?:suicide|khudkushi|aatmahatya|marne|mar jane|आत्महत्या|खुदकुशी|मरने|सुसाइड)\s+(?:ki|ke"
        r"|की|के)\s+(?:baat|baatein|baaten|dhamki|बात|बातें|धमकी)\s+(?:kar|de|कर|दे)"
        r"|(?:suicide|khudkushi|aatmahatya|आत्महत्या|खुदकुशी)\s+(?:karne|करने)\s+(?:wala|wali|wale"
        r"|ja raha|ja rahi|वाला|वाली|जा रहा|जा रही)\s+(?:hai|he|h|है)"
        r"|(?:wo|woh|vo|voh|वो|वह|dost|saheli|bhai|behen|behan|दोस्त|सहेली|भाई|बहन)\s+(?:\S+\s+)"
        r"{0,3}?(?:marna|mar jana|मरना|मर जाना)\s+(?:chahta|chahti|chahte|चाहता|चाहती|चाहते)\s+"
        r"(?:hai|he|h|है)",
        third_person=True,
        post_negation=True,
        stem_end=True,
    ),
    # ---- Hindi (Devanagari): self-harm and suicide ---------------------------------------
    _rule(
        "hi.self.devanagari",
        r"मरना चाहत|मर जाना चाहत|मरने (?:का|की|के) (?:मन|इच्छा|दिल|इरादा|ख्याल|खयाल|विचार)"
        r"|मुझे (?:बस |अब )?(?:मरना|मर जाना) (?:है|चाहिए)|मर जाना चाहिए|काश (?:मैं )?मर जा"
        r"|(?:मन|दिल|जी) करता है\s*(?:कि\s+)?(?:मैं\s+)?मर जा"
        r"|(?:आत्महत्या|खुदकुशी|खुदखुशी|सुसाइड)\s*(?:करने|करना|करूंगा|करूंगी|करुंगा|करुंगी|करूं"
        r"|करुं|कर|का (?:ख्याल|खयाल|विचार|मन|इरादा)|के (?:बारे में|ख्याल|खयाल|विचार))"
        r"|(?:खुद|अपने आप|स्वयं|खुद ही)\s*(?:को\s+)?(?:(?:ब्लेड|चाकू|कांच|सिगरेट)\s+से\s+)?"
        r"(?:मार|खत्म|खतम|नुकसान|चोट|काट|जला|घायल|हर्ट)"
        rf"|जीने (?:का|की|को|के) (?:कोई |कुछ )?{_DEV_REASON}\s+(?:\S+\s+)?(?:{_DEV_NAHI}|खत्म)"
        rf"|{_DEV_NAHI} जी (?:सकता|सकती|पाऊंगा|पाऊंगी)"
        rf"|जीना (?:अब )?{_DEV_NAHI} (?:चाहत|है)|{_DEV_NAHI} जीना|जी {_DEV_NAHI} (?:सकता|सकती"
        rf"|पाऊंगा"
        r"|पाऊंगी)|(?:जिंदगी|जिन्दगी|जीवन|अपनी जान)\s+(?:खत्म|खतम|समाप्त|ले)\s*(?:कर|लूंगा|लूंगी"
        r"|लूं|ना|ने)"
        r"|(?:नस|नसें|कलाई)\s+(?:की नस\s+)?काट|फांसी (?:\S+ )?लगा|(?:छत|पुल|बिल्डिंग|इमारत)"
        r" (?:से|पर से) (?:कूद|छलांग)|मेरे (?:बिना|जाने के बाद|न होने से) (?:\S+ ){0,3}"
        r"(?:बेहतर|खुश|अच्छ)|(?:सारी|सब|बहुत सारी) (?:नींद की )?(?:गोलियां|दवाइयां"
        r"|गोली) (?:\S+ )?खा"
        r"|(?:सब पर )?(?:एक )?बोझ (?:हूं|बन गया|बन गई)",
        first_person=True,
        post_negation=True,
        stem_end=True,
    ),
    _rule(
        "hi.self.devanagari_saadhan",
        r"(?:जिंदगी|जिन्दगी|जीवन)\s+से\s+(?:थक|तंग|परेशान|हार|ऊब)\s+(?:गया|गई|गयी|चुका|चुकी)"
        r"|सब\s+(?:कुछ\s+)?खत्म\s+कर\s+(?:दूंगा|दूंगी|दूं|देना चाहत|लूंगा|लूंगी)"
        r"|हमेशा\s+के\s+लिए\s+(?:गायब|गुम)\s+(?:हो|जा)"
        r"|होने\s+(?:या\s+)?(?:न|ना|नहीं)\s+होने\s+से\s+(?:किसी को\s+)?(?:कोई\s+)?(?:फर्क|फरक)\s+नहीं"
        r"|(?:नहर|नदी|कुएं|कुआं|झील|समुद्र|तालाब)\s+में\s+(?:कूद|छलांग|डूब)"
        r"|(?:ट्रेन|गाड़ी|ट्रक|बस|मेट्रो|रेल)\s+(?:के|की)\s+(?:आगे|नीचे|सामने)\s+(?:कूद|आ जा|लेट)"
        r"|पंखे\s+से\s+लटक"
        r"|ब्लेड\s+(?:से\s+)?(?:चलाया|चलाती|चलाता|चलाई|मारा|मारती|काटा|काटती|काटता)"
        r"|(?:हाथ|कलाई|बांह|बाजू|जांघ)\s+(?:पर|पे)\s+(?:ब्लेड|चाकू|कांच)"
        r"|(?:चूहे मारने की दवा|चूहे मार दवा|ज़हर|जहर|कीटनाशक|फिनाइल|तेज़ाब)\s+(?:पी|खा)\s+(?:ली"
        r"|लिया|लूंगा|लूंगी|लूं|लेना|लेने|चुका|चुकी)"
        r"|(?:गोलियां|गोली|दवाइयां|दवाई)\s+(?:\S+\s+)?(?:जमा|इकट्ठा|इकट्ठी)\s+(?:कर|की)",
        first_person=True,
        post_negation=True,
        stem_end=True,
    ),
    _rule(
        "hi.self.method_question",
        r"(?:marne|suicide|khudkushi|aatmahatya)\s+(?:ka|ke)\s+(?:sabse\s+)?(?:aasan|asaan|asan"
        r"|easy|painless|tez|fast|quick|pakka|best|sahi)\s+(?:tarika|tareeka|tareka|tarike|way"
        r"|rasta|upay)"
        r"|kitni\s+(?:neend ki\s+)?(?:goliyan|goliya|goli|pills|tablets|dawai)\s+(?:\w+\s+){0,3}?"
        r"(?:marne|mar jaun|mar jaunga|maut)"
        r"|(?:मरने|आत्महत्या|खुदकुशी|सुसाइड)\s+(?:का|के)\s+(?:सबसे\s+)?(?:आसान|आसन|तेज|बिना दर्द"
        r"|दर्दरहित|पक्का|सही)\s+(?:तरीका|तरीके|रास्ता|उपाय)"
        r"|(?:कितनी|कितने)\s+(?:नींद की\s+)?(?:गोलियां|गोलियों|गोली|दवाइयां)\s+(?:\S+\s+){0,3}?"
        r"(?:मर|मौत)",
        stem_end=True,
    ),
    # ---- Hindi: harm to others -----------------------------------------------------------
    _rule(
        "hi.others.maar_dunga",
        rf"{_HI_OBJ}\s+(?:jaan se\s+|\w+\s+se\s+)?(?:maar|mar|khatam kar|khatm kar|khtm kar"
        r"|goli maar|chaku maar|chaaku maar|chaku ghop|ghayal kar|nuksan pahuncha|nuksaan pahuncha"
        r"|chot pahuncha|peet|pit|kaat|jala|zeher de|zehar de|jahar de|zeher|zehar|patak|phenk"
        rf"|phek|fek|dhakka de|gala ghont|gala daba)\s*{_HI_FUT}"
        rf"|(?:ka|ki|ke)\s+gala\s+(?:ghont|ghot|daba|dba|kaat|kat)\s*{_HI_FUT}"
        rf"|(?:tezaab|tezab|tejab|acid)\s+(?:phek|fek|phenk|daal|dal)\s*{_HI_FUT}"
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
        r"(?:(?:उसे|उसको|उन्हें|उनको|तुझे|तुम्हें|तुम्हे|इसे|इसको|आपको|सबको|(?:\S+ ){0,2}\S+ को)"
        r"\s+(?:जान से\s+|\S+\s+से\s+)?(?:मार|खत्म कर|गोली मार|चाकू मार|नुकसान पहुंचा|चोट पहुंचा"
        r"|पटक|फेंक|धक्का दे|गला घोंट|गला दबा)|(?:का|की|के) गला (?:घोंट|दबा|काट)|(?:तेज़ाब|एसिड)"
        r" (?:फेंक|डाल))\s*(?:दूंगा|दूंगी|डालूंगा|डालूंगी|दूं|डालूं|देना चाहत|डालना चाहत|ना चाहत"
        r"|ने का मन)"
        r"|(?:उसकी|उनकी|तेरी|तुम्हारी) जान ले (?:लूंगा|लूंगी|लूं)",
        weak=True,
        first_person=True,
        post_negation=True,
        stem_end=True,
    ),
    # A weapon taken to school: "papa ki gun" names whose gun, not who speaks, so no subject
    # check here.
    _rule(
        "hi.others.hathiyar",
        r"(?:gun|bandook|banduk|pistol|katta|chaku|chaaku|knife|revolver)\s+(?:le\s*ke|lekar"
        r"|le kar)\s+(?:\w+\s+){0,3}(?:school|college|office|class)"
        r"|(?:बंदूक|पिस्तौल|कट्टा|चाकू|गन)\s+(?:ले के|लेके|लेकर|ले कर)\s+(?:\S+\s+){0,3}(?:स्कूल"
        r"|कॉलेज|ऑफिस|क्लास)",
        post_negation=True,
    ),
    # Last, so that a threat in the same message names the kind: "I've got the knife ready".
    _rule(
        "en.self.weapon_ready",
        r"(?:got|have|ive got|i have) (?:the|my) (?:gun|knife) ready",
        first_person=True,
    ),
)
