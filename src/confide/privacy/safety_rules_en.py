"""The crisis-signal rules in English.

:mod:`confide.privacy.safety_rules` says how rules are written;
:func:`confide.privacy.safety.detect` uses them."""

from __future__ import annotations

from confide.privacy.safety_rules import (
    _HURT,
    _INTENT,
    _NOT_AN_ATTACK,
    _OBJ,
    _REL,
    _SELF,
    Rule,
    _rule,
)

__all__ = ["RULES"]

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
    _rule("en.self.kms", r"kms|kmsl|kys myself|ctb(?:\s+(?:soon|tonight|today|now))?", weak=True),
    _rule(
        "en.self.suicidal",
        r"suicidal(?!\s+(?:squad|people|person|patients?|friends?|clients?|teens?|youth"
        r"|students|behaviou?r in|(?:nahi|nahin|nhi|nai|ni) (?:hu|hun|hoon|hai|h)\b))",
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
        r"(?:(?:want|wnat|wamt|wan|wanna|wana|wanted|wish|need|ready|deserve|like|hope|prefer)"
        r"\s+(?:to\s+|2\s+)?"
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
        r"(?:(?:take|taking|took)\s+my\s+(?:own\s+)?life|(?:end|ending|ended)\s+(?:my\s+(?:own\s+)?"
        r"life|it all|everything(?: tonight| now| today| for good)?|my existence"
        r"|it (?:tonight|for good|once and for all|today)|my (?:suffering|pain) (?:for good|forever"
        r"|permanently)))"
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
        r"|(?:dont|do not|cant|cannot) see the point (?:any ?more|of (?:anything|any of (?:it|this)"
        r"|living|going on)|in (?:anything|living|going on))|whats the point any ?more"
        r"|want out of (?:this life|life|this world|existence)"
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
        r"(?:want|wanna|wish i could|need|going|gonna|feel like|thinking (?:about|of))\s+(?:to\s+)?"
        r"(?:just\s+)?(?:disappear(?:ing)?|vanish(?:ing)?|fade away|fading away|be gone|not be here"
        r"|not being here)\s+(?:forever|for good|permanently|and never come back"
        r"|from (?:this|the) (?:world|earth|planet)|from existence)",
        first_person=True,
    ),
    _rule(
        "en.self.better_off_without_me",
        r"(?:if i (?:disappeared|died|was gone|vanished|killed myself)(?: tomorrow| today"
        r"| tonight)?\W+(?:no ?one|nobody) (?:would|will) (?:even )?(?:notice|care|miss me))"
        r"|(?:better off|happier|be fine|be okay|be ok|be better)\s+(?:without me|if i (?:was|were)"
        r"(?: not)? (?:dead|gone|never born|not here|not around)|if i (?:just )?(?:wasnt|werent"
        r"|didnt exist"
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
        r"|urges? to (?:cut|self ?harm|hurt myself|burn myself)"
        r"|(?:punch|punching|punched|hit|hitting) (?:the )?walls? (?:until|till|til) (?:my )?"
        r"(?:knuckles|hands?|fists?) (?:bleed|break|bled|broke)",
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
        r"|a (?:whole )?bottle|the (?:whole )?bottle|(?:way )?too many|a handful|every single one"
        r"|loads"
        r"|a whole pack|the whole pack|a (?:whole )?box|the (?:whole )?box)(?:\s+of)?\s+"
        r"(?:my\s+|the\s+|these\s+|those\s+|her\s+|his\s+|mums?\s+|moms?\s+)?(?:pills|meds"
        r"|medication|medicine|tablets|sleeping pills|painkillers|antidepressants|paracetamol"
        r"|tylenol|ibuprofen|xanax|insulin)"
        r"|(?:took|take|taking|swallowed|swallow|downed)\s+(?:like\s+)?(?:\d+|ten|twenty|thirty"
        r"|forty|fifty|a hundred)\s+(?:of\s+(?:my|the)\s+)?(?:pills|sleeping pills|tablets"
        r"|painkillers"
        r"|antidepressants|paracetamol|tylenol|meds)"
        r"|(?:saving|stockpiling|hoarding|collecting|stocking up on)\s+(?:up\s+)?(?:my\s+)?(?:pills"
        r"|meds|medication|tablets|sleeping pills|antidepressants|painkillers|insulin)"
        r"|(?:take|swallow|down)\s+every (?:single )?(?:pill|tablet)",
        first_person=True,
    ),
    _rule(
        "en.self.method_question",
        r"(?:googling|googled|searching|searched|looking up|looked up|researching|researched"
        r"|reading about) (?:ways|how|methods|the best way) to (?:die|kill myself|end (?:it"
        r"|my life)"
        r"|commit suicide|overdose|hang myself)"
        r"|how (?:many|much)\s+(?:\w+\s+){0,3}(?:to|would it take to|does it take to|it takes to"
        r"|takes to|until|before)"
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
        r"|letter|night)(?!\s+(?:before|for (?:today|tonight|the (?:day|night|week))|of the day"
        r"|until|till|here|at|in)\b)|(?:wrote|writing|written|write|left|leaving)\s+(?:a"
        r"|my)\s+(?:suicide"
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
        r"(?:going to|gonna|about to|ready to|want to|wanna|will|ill) jump(?=\s*(?:$|[.!?,]))"
        r"|(?:step|stepping|fall|falling|let myself fall) off (?:the|a|this) (?:platform|ledge|edge"
        r"|roof|bridge|balcony|cliff)|(?:crash|crashing|wreck|wrecking) my (?:car|bike|motorcycle)"
        r" on purpose|walk (?:into|in to) the (?:sea|ocean|river|lake) (?:and (?:never|not) come"
        r" back|and keep walking|until))"
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
        r"|(?:god|universe|lord)[\s,]+(?:please[\s,]+)?(?:just\s+)?take me(?:\s+(?:away|now|already"
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
        r"|the only (?:way out|option|escape|answer|solution|way) (?:is|would be|seems like"
        r"|left is)"
        r" (?:death|dying|suicide|to die|killing myself|ending it|ending my life)"
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
        r"|last)\s+(?:letters?|notes?|messages?)\s+(?:to|for)\s+(?:\w+\s+){0,2}\w+|letters\s+(?:to"
        r"|for)\s+(?:everyone|everybody|my (?:\w+\s+)?(?:family|loved ones|kids|children)|all my"
        r"|the people i love|each of))"
        r"|(?:imagining|imagine|picturing|planning|thinking about|visuali[sz]ing|dreaming about)"
        r" my (?:own )?funeral"
        r"|who (?:would|will) (?:even )?(?:come to|show up (?:at|to)|cry at|go to) my funeral"
        r"|(?:putting|put|getting|got) my affairs in order"
        r"|(?:planning|plan|planned|preparing|prepared|figured out) my (?:exit|way out|own death"
        r"|death|last day|final day|final exit|suicide)(?!\s+(?:from (?!this world|life)|strategy"
        r"|interview))|my exit plan|(?:this is|its) my goodbye|goodbye (?:forever|world"
        r"|cruel world)"
        r"|(?:wont|will not|wouldnt) be (?:here|around|alive|on this earth) (?:any ?more"
        r"|for (?:much"
        r" )?long(?:er)?|much longer|after (?:tonight|today|this week)|by (?:tomorrow|morning"
        r"|the weekend|next week))",
        first_person=True,
    ),
    _rule(
        "en.self.farewell_hint",
        r"(?:its|it is) time(?=\s*(?:$|[.!?,]))|(?:wont|will not) be here tomorrow|this is goodbye"
        r"|(?:know|decided) what (?:im (?:going to|gonna) do|to do with it)|(?:made up my mind"
        r"|my mind is made up"
        r"|ive decided)(?=\s*(?:$|[.!?,]))"
        r"|(?:tonights|tonight is) the night"
        r"|(?:bought|got|buying|ordered|have|found|tied|hid)\s+(?:a|the|some|my|enough)\s+(?:rope"
        r"|noose|razor blades?|blades|rat poison|poison|charcoal|helium)"
        rf"|(?:wrote|writing|written|left)\s+(?:a\s+)?letters?\s+(?:to|for)\s+my (?:\w+\s+)?{_REL}",
        first_person=True,
        needs=r"(?<![a-z])(?:goodbye|farewell|forgive me|sorry for everything|love you all"
        r"|its time|know what (?:im (?:going to|gonna) do|to do|i have to do|i need to do)"
        r"|made up my mind|decided|wont need|for myself|to hang|ceiling|beam|end (?:it|this"
        r"|my life)"
        r"|better off|im done|no more|doing it (?:on )?(?:tonight|today|tomorrow|this weekend"
        r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday))(?![a-z])",
    ),
    _rule(
        "en.self.pills_at_hand",
        r"(?:take|taking|swallow|swallowing|down|downing) (?:them|it|those|these) all"
        r"|(?:take|taking|swallow|swallowing) all of (?:them|it|those|these)",
        first_person=True,
        needs=r"(?<![a-z])(?:pills|tablets|meds|medication|painkillers|sleeping pills"
        r"|antidepressants)(?![a-z])",
    ),
    _rule(
        "en.self.on_the_edge",
        r"(?:im|i am|standing|sitting|here|up)\s+(?:on|at)\s+(?:the|a|this|my)\s+(?:\w+\s+)?"
        r"(?:bridge|roof|rooftop|ledge|railing|balcony|cliff|tracks|terrace|platform)",
        first_person=True,
        needs=r"(?<![a-z])(?:(?:look|looking|staring|stare) (?:down|over)|(?:want|going|gonna|about"
        r"|ready|thinking about|think about) (?:to )?jump\w*|let go|the edge|how easy|how high"
        r"|goodbye|end it|step off|stepping off)(?![a-z])",
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
        r"|punish(?:ing)? myself (?:by|with) (?:cutting|burning|hitting|starving|not eating)"
        r"|make myself (?:bleed|bruise)|(?:cut|cutting|burn|burning|hurt|hurting) (?:myself|my \w+)"
        r" (?:just )?(?:so|to) (?:i can |that i can )?feel (?:something|anything|real|better))",
        first_person=True,
        # an accident told in the same sentence: "burned my arm on the oven again"
        unless_near=r"(?<![a-z])(?:accident\w*|while|cooking|chopping|shaving|slicing|kitchen"
        r"|stove|oven|iron|fell (?:off|over|on)|tripped|hiking|climbing|branch)(?![a-z])",
    ),
    _rule(
        "en.self.unalive",
        r"unaliv\w*(?!\s+(?:him|her|them|you|u|everyone|my (?!self)\w+|his|the|a)\b)"
        r"|sewer ?slid\w*",
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
        r"(?!\s+(?:laughing|with laughter|cleaning|working|studying|trying|over\b|with work|at work"
        r"|at the gym|doing|for (?:a|the|this|that)\b))"
        r"|(?:cuts|burns|hurts|harms|starves) (?:herself|himself|themselves)"
        r"|(?:she|he|they|shes|hes|theyre) (?:is |s |are |re )?(?:going to|gonna|about to|wants? to"
        r"|will|ll) end it(?: all| tonight| today| for good)?(?=\s*(?:$|[.!?,]))"
        r"|(?:talking|talks|talked|posting|writing) about (?:wanting to die|killing (?:herself"
        r"|himself|themselves)|ending (?:his|her|their) (?:own )?life|not wanting to (?:live"
        r"|be here))"
        r"|(?:found|read|saw) (?:her|his|their|my \w+s|a) (?:suicide|goodbye) (?:note|letter)"
        r"|(?:she|he|they) (?:just )?(?:took|swallowed|downed) (?:all|a bunch|a (?:whole )?bottle"
        r"|the (?:whole )?bottle|too many|a handful)(?: of)? (?:her |his |their |the )?(?:pills"
        r"|meds"
        r"|tablets|sleeping pills|painkillers)"
        r"|(?:she|he|they|shes|hes|theyre) (?:would|d|will|ll)? ?(?:be )?better off dead"
        r"|(?:she|he|they|shes|hes|theyre|friend|bestie|bff|sister|brother|daughter|son|cousin"
        r"|girlfriend|boyfriend|gf|bf|partner|wife|husband|mom|mum|dad|roommate|classmate)"
        r" (?:\w+ ){0,2}?(?:is|s|seems|sounds|has been|was|feels|is being|are|re|been|who is"
        r"|whos) (?:really |very |so |kind of |pretty |actively |feeling )?suicidal"
        r"|(?:says|said|keeps saying|told me|tells me|texted(?: me)?|messaged(?: me)?|posted"
        r"|is saying) (?:that )?(?:she|he|they|shes|hes|theyre) (?:wants? to die|(?:would|d) be"
        r" better off dead|doesnt want to"
        r" (?:live|be here|wake up)|(?:is|s|are|re) (?:going to|gonna|about to) (?:end it|die"
        r"|do it)|(?:will|ll) end it|wants? to end it|cant go on)"
        r"|(?:she|he|they|friend|bestie|sister|brother|daughter|son|cousin|girlfriend|boyfriend"
        r"|partner|wife|husband|roommate) (?:who |that )?(?:wants|wanted) to die(?!\s+(?:her|his"
        r"|their|my|the) hair)|(?:shes|hes|theyre) (?:really |very |so |actively )?suicidal"
        r"|(?:sent|texted|gave|showed|posted|left) (?:me )?(?:a|her|his|their) (?:suicide|goodbye)"
        r" (?:note|letter|message|text|post|video)"
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
        r"|burn (?:his|her|their|the|my \w+s) (?:house|home|apartment|flat|car) (?:down )?with"
        r" (?:him|her|them) in(?:side)?|(?:slit|cut|slash) (?:his|her|their|your) throat"
        r"|(?:get|grab|take|bring|load|use) (?:my|a|the|dads|moms) (?:gun|knife|rifle|pistol"
        r"|shotgun)"
        r" and (?:shoot|stab|kill|hurt)"
        rf"|how (?:to|do i|can i|could i|would i)\s+{_HURT}\s+{_OBJ}{_NOT_AN_ATTACK}(?:\s+without)?"
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
)
