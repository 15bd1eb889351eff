"""Crisis rules by family, and the cues of indirect ideation (promise P11).

Threat handled: a person at risk rarely uses the words a table of fixed sentences expects.
They ask how many tablets would be enough, sit by the railway tracks, give their things away
"because I won't need them", or say they are a burden and that it will all be over soon. The
first tables fitted phrasings; these rules are written by family (what the person is
expressing), each in English, Spanish, romanised Hindi and Devanagari, from slots: a subject,
a verb of intent or of an act, and a means, place or body part, so a new wording of a known
family still matches.

``CUES`` are weaker: one hopelessness, burden, exhaustion or finality cue ("no point", "sin
salida", "sab khatam") is everyday hyperbole; :func:`confide.privacy.safety.detect` counts
them only when two cues of different groups meet in one message, or one meets a word for
death or a means (``DEATH_OR_MEANS``).
"""

from __future__ import annotations

from confide.privacy.safety_rules import _REL, Rule, _rule, compile_source

__all__ = ["CUES", "DEATH_OR_MEANS", "RULES"]

_END = r"(?=\s*(?:$|[.!?,]))"
_PILLS = (
    r"(?:pills|tablets|meds|medication|paracetamol|tylenol|ibuprofen|aspirin|painkillers"
    r"|sleeping pills|antidepressants|insulin)"
)
_POISON = (
    r"(?:bleach|rat poison|poison|pesticide|insecticide|antifreeze|weed ?killer|drain cleaner)"
)
_HI_PILLS = r"(?:goliyan|goliya|goliyaan|goli|tablets?|pills|dawai|dawaiyan|dawa)"
_HI_POISON = (
    r"(?:zeher|zehar|zahar|jahar|keetnashak|kitnashak|phenyl|chuhe mar\w* (?:wali|ki) dawa\w*"
    r"|kede mar\w* (?:wali|ki) dawa\w*|rat poison)"
)
_DEV_POISON = r"(?:जहर|कीटनाशक|फिनाइल|चूहे मारने (?:वाली|की) दवा|कीड़े मारने (?:वाली|की) दवा)"
_ES_POISON = r"(?:lejia|veneno|matarratas|raticida|insecticida|cloro|anticongelante)"
_ES_PILLS = (
    r"(?:pastillas|pildoras|comprimidos|tabletas|antidepresivos|somniferos|calmantes"
    r"|paracetamol|ibuprofeno)"
)
_HI_SIT = r"(?:baitha|baithi|betha|bethi|khada|khadi|khara|khari)"
_DEV_SIT = r"(?:बैठा|बैठी|खड़ा|खड़ी)"

RULES: tuple[Rule, ...] = (
    # ---- family: asking how much, how high, what hurts least -----------------------------
    _rule(
        "en.self.means_seeking",
        rf"(?:how (?:many|much)|would|will|are|is)\s+(?:\w+\s+){{0,4}}?(?:{_PILLS}|of (?:them|it))"
        r"\s+(?:\w+\s+){0,3}?(?:would|will|be|to|does it take to|do you need to)\s+"
        r"(?:enough to\s+)?"
        r"(?:do it|kill (?:me|you|a person|someone)|be (?:fatal|lethal|deadly)|not wake up"
        r"|never wake up|die|end it)"
        r"|enough to (?:not|never) wake up|(?:most|least) painless way to (?:go|die|do it)"
        rf"{_END}|(?:painless|quickest|easiest|surest|quietest) way to (?:go|do it){_END}"
        r"|(?:so|that) (?:you|u|i|a person) (?:dont|wont|do not|will not) survive"
        r"|does (?:hanging|drowning|overdosing|an overdose|bleeding out|jumping|dying) hurt"
        rf"|(?:my|these|those|which)\s+(?:\w+\s+){{0,2}}?(?:{_PILLS})\s+(?:\w+\s+){{0,2}}?"
        r"(?:are|is|would be)\s+(?:lethal|fatal|deadly)|asking for (?:myself|me)(?=\s*(?:$|[.!?]))",
        needs=r"(?<![a-z])(?:die|dying|dead|death|lethal|fatal|deadly|wake|survive|do it|end it"
        r"|painless|hurt|go)(?![a-z])",
    ),
    _rule(
        "es.self.medios_pregunta",
        rf"cuant[oa]s\s+(?:\w+\s+){{0,3}}?(?:{_ES_PILLS}|gramos|mg|miligramos)\s+(?:\w+\s+){{0,4}}?"
        r"(?:para|hasta) (?:no (?:volver a )?despertar|morir|matarme|acabar|no despertarme)"
        r"|(?:hacen|hace) falta para (?:no (?:volver a )?despertar|morir)"
        r"|(?:duele|dolera) (?:ahorcarse|ahogarse|morir|tirarse|una sobredosis)"
        r"|(?:forma|manera) (?:mas )?(?:indolora|rapida|facil) de (?:irme|morir|acabar)",
        needs=r"(?<![a-z])(?:despertar|morir|matarme|acabar|irme|ahorcarse|sobredosis)(?![a-z])",
    ),
    _rule(
        "hi.self.saadhan_sawal",
        rf"kitni\s+(?:\w+\s+){{0,2}}?{_HI_PILLS}\s+(?:\w+\s+){{0,5}}?(?:nahi|na|ni|nhi)"
        r" (?:uthta|uthti|uthte|uthega|uthegi|jagta|jaagta)"
        rf"|kitni\s+(?:\w+\s+){{0,2}}?{_HI_PILLS}\s+(?:\w+\s+){{0,5}}?(?:mar jata|mar jati"
        r"|maut|jaan chali)"
        r"|(?:kitni|कितनी) (?:\S+ ){0,3}(?:गोलियां|गोलियों|गोली|टैबलेट)(?: \S+){0,5} (?:नहीं|न)"
        r" (?:उठता|उठती|उठेगा|जागता)",
        stem_end=True,
    ),
    # ---- family: has already swallowed pills or poison (the user or someone else) --------
    _rule(
        "en.self.ingested",
        rf"(?:drank|drunk|swallowed|downed|took|taken|had|ate)\s+(?:some|a (?:bit|cup|glass|bottle"
        rf"|capful) of|half a bottle of|a bottle of|the)?\s*{_POISON}"
        rf"|(?:took|swallowed|downed|taken|ate)\s+(?:all|a bunch|a (?:whole )?bottle|a handful"
        rf"|too many|the (?:whole )?(?:bottle|box|pack))(?: of)? (?:\w+ ){{0,2}}?{_PILLS}",
        unless_near=r"(?<![a-z])(?:accident\w*|by mistake|mistook|thought it was|kid|toddler"
        r"|dog|cat|puppy)(?![a-z])",
    ),
    _rule(
        "es.self.ingerido",
        r"(?:me (?:he |acabo de )?|acabo de |se (?:ha |acaba de )?)(?:bebido|bebi|bebio|tomado"
        r"|tome|tomo|tragado|trague|trago|beber|tomar|tragar)(?:me|se)?\s+(?:\w+\s+){0,3}?"
        rf"(?:{_ES_POISON}|(?:todas las|un bote de|una caja de|un monton de|el frasco de"
        rf"|todo el frasco de) (?:\w+ )?{_ES_PILLS})",
    ),
    _rule(
        "hi.self.kha_liya",
        rf"{_HI_POISON}\s+(?:\w+\s+){{0,2}}?(?:pi|pee|kha|nigal)\s*(?:li|liya|lia|liye|lunga"
        r"|lungi|lega|legi|gaya|gayi)"
        rf"|(?:saari|sari|sab|bahut saari|puri|poori|dher)\s+(?:\w+\s+){{0,3}}?{_HI_PILLS}\s+"
        r"(?:\w+\s+){0,3}?(?:kha|nigal|le)\s*(?:li|liya|lia|liye|lin)"
        rf"|{_DEV_POISON}\s+(?:\S+\s+){{0,2}}?(?:पी|खा|निगल)\s*(?:ली|लिया|लिए|लूंगा|लूंगी|लेगा"
        r"|लेगी)"
        r"|(?:सारी|सब|ढेर सारी|बहुत सारी)\s+(?:\S+\s+){0,4}?(?:गोलियां|गोली|टैबलेट|दवाइयां)\s+"
        r"(?:\S+\s+){0,3}?(?:खा|निगल|ले)\s*(?:लीं|ली|लिया|लिए)",
        post_negation=True,
        unless_near=r"galti se|गलती से|bachche ne|बच्चे ने",
    ),
    # ---- family: at a height or by the tracks, with the next step named ----------------
    _rule(
        "en.self.at_the_place",
        r"(?:sitting|standing|lying|sat|stood|parked)\s+(?:on|by|near|next to)\s+(?:the\s+)?"
        r"(?:train\s+|railway\s+|rail\s+)?tracks"
        r"|keep (?:imagining|picturing|thinking (?:about|of))\s+(?:just\s+)?(?:climbing over"
        r"|jumping|stepping (?:off|out|in front)|stopping on (?:them|the tracks)|letting go"
        r"|driving (?:off|into)|swerving into)"
        r"|thinking (?:about|of) (?:just )?(?:stopping|standing|lying|parking|stepping) (?:on|in"
        r" front of) (?:them|the (?:tracks|rails|line)|a (?:train|bus|truck)"
        r"|the (?:train|bus|truck))"
        r"|(?:harder|hard) (?:and harder )?to stop myself"
        r"|in the (?:bath|bathtub|tub) with (?:a|the|my) (?:razor|blade|knife|pills)",
        first_person=True,
    ),
    _rule(
        "es.self.en_el_lugar",
        r"(?:estoy|sentad[oa]|parad[oa]|acostad[oa])\s+(?:\w+\s+)?(?:en|sobre|junto a)\s+(?:las"
        r"|la|el)\s+(?:vias|via|barandilla|baranda|cornisa|borde)"
        r"|estoy en (?:la|el) (?:azotea|terraza|techo|puente|cornisa|borde)",
        needs=r"(?<![a-z])(?:despedirme|despido|adios|vias|tren|barandilla|cornisa|borde|saltar"
        r"|tirarme|ultima vez)(?![a-z])",
    ),
    _rule(
        "hi.self.jagah",
        r"(?:railway|rail|train)\s+(?:track|patri|line)\s+(?:ke )?(?:paas|pass|pe|par|par hi)\s+"
        rf"{_HI_SIT}"
        r"|(?:pul|bridge|sea link|chhat|chat|terrace|railing|balcony)\s+(?:ki railing )?(?:pe|par"
        rf"|ke kinare)\s+{_HI_SIT}"
        r"|(?:पुल|रेलिंग|पटरी|छत|ट्रैक|किनारे)(?: \S+){0,2} (?:पर|पे|के पास|किनारे) "
        rf"{_DEV_SIT}",
        stem_end=True,
        needs=r"train ka wait|train ka intezar|gadi ka|last time|aakhri baar|akhri bar|bye|alvida"
        r"|kisi ko batana|kisi se bat|jump|kud|railing|patri|इंतजार|बताना था|आखिरी|अलविदा|रेलिंग"
        r"|पटरी",
    ),
    # ---- family: means acquired, with a time or an end named ---------------------------
    _rule(
        "en.self.means_acquired",
        r"(?:bought|got|buying|ordered|picked up)\s+(?:a |some |the |enough )?(?:rope|noose|rat"
        r" poison|poison|pesticide|charcoal|helium|hose|razor blades)"
        r"|(?:pills|tablets|meds) (?:are |all )?(?:lined up|counted out|laid out|ready)",
        first_person=True,
        needs=r"(?<![a-z])(?:not for|tonight|before|wont need|goodbye|exhaust|its happening"
        r"|lined up|counted|ready|end it|last)(?![a-z])",
    ),
    _rule(
        "hi.self.saadhan_liya",
        r"(?:rassi|rasi|phanda|fanda|zeher|zehar|zahar|jahar|neend ki goliyan|keetnashak)\s+"
        r"(?:\w+\s+){0,2}?(?:le aya|le ayi|le aaya|le aayi|kharid|khareed|mangwa|mangva)"
        r"|(?:pankhe|fan|chhat|kunde)\s+(?:se|pe|par|mein|me)\s+(?:phanda|fanda|rassi|dupatta)"
        r"\s+(?:bandh|bana|laga)"
        r"|(?:जहर|रस्सी|फंदा|कीटनाशक)(?: \S+){0,2} (?:खरीद|ले आया|ले आई|मंगा)"
        r"|(?:पंखे|छत|कुंडे) (?:से|में|पर) (?:फंदा|रस्सी|दुपट्टा) (?:बांध|बना|लगा)",
        stem_end=True,
        needs=r"khatam|khtm|aaj raat|aj rat|kal subah|bye|alvida|bandh|baandh|bana|laga|खत्म"
        r"|आज रात|कल सुबह|अलविदा|बांध|लगा",
    ),
    # ---- family: giving things away, "I won't need them" ------------------------------
    _rule(
        "en.self.wont_need",
        r"(?:wont|will not|wouldnt|dont|not) (?:be )?need(?:ing)? (?:them|it|those|these|any of"
        r" (?:it|them|this)|my \w+)(?: any ?more| where im going| after (?:tonight|today|this))?"
        rf"{_END}|(?:writing|wrote|sorting|sorted|made|making) my will\b[^!?]{{0,80}}?before i go"
        rf"{_END}",
        first_person=True,
        needs=r"(?<![a-z])(?:gave|giving|given|give|deleted|sold|my will)(?![a-z])",
    ),
    _rule(
        "es.self.no_lo_necesitare",
        r"(?:regale|he regalado|regalando|di|he dado|done|he donado)\s+[^.!?]{0,60}?ya no"
        r" (?:l[oa]s? |me )?(?:voy a necesitar|necesitare|hacen falta|haran falta"
        r"|van a hacer falta)",
    ),
    _rule(
        "hi.self.taiyari",
        r"(?:सुसाइड|आत्महत्या) (?:नोट|पत्र) लिख|suicide (?:note|letter) (?:likh|likha)"
        r"|(?:de diya|de di|de diye|de dia|baant di|baant diya|baant diye|bant di|bant diye)\b"
        r"[^.!?]{0,60}?(?:zarurat|zaroorat|jarurat|jaroorat|need) (?:nahi|nhi|ni) (?:padegi|hogi"
        r"|rahegi)"
        r"|(?:दे दी|दे दिया|दे दिए|बांट दी|बांट दीं|बांट दिया|बांट दिए)[^।.!?]{0,60}?(?:जरूरत)"
        r" (?:नहीं|नही) (?:पड़ेगी|होगी|रहेगी)",
        stem_end=True,
    ),
    # ---- family: passive wishes not to be, and the world without me ------------------
    _rule(
        "en.self.not_being_here",
        r"(?:dont|do not|dnt) (?:want|wanna|wana) (?:to )?(?:be|b) (?:here|alive|around)"
        r" (?:any ?more|nemore|anymor|no more|any longer)"
        r"|(?:wouldnt|would not) mind if i (?:just )?(?:didnt|did not|stopped|never) (?:exist"
        r"|existed|wake up|woke up|being here)"
        r"|(?:nobody|no one|noone) would (?:even )?(?:notice|care|miss me) if i (?:just )?"
        r"(?:vanished|disappeared|died|was gone|were gone|left for good)"
        r"|if i (?:wasnt|werent|was not|were not|was gone|were gone) (?:here|around|alive)?"
        r"[^.!?]{0,40}?(?:could|would) (?:finally |all )?(?:stop worrying|be happier|be free"
        r"|move on|be at peace|have it easier|be better off)"
        r"|wish(?:es)? (?:the|a) (?:bus|car|train|truck) would (?:just )?(?:hit|kill|run over) me"
        r"|(?:go to sleep|fall asleep|sleep)\b[^.!?]{0,40}?(?:no waking up|never wake up|not wake"
        r" up|dont wake up)"
        r"|(?:picture|imagine) my (?:own )?funeral",
        first_person=True,
    ),
    _rule(
        "es.self.sin_mi",
        r"(?:quite|quitar|quitarme|quitare) de en medio"
        r"|(?:dormir|dormirme)\b[^.!?]{0,30}?(?:y )?no (?:volver a )?despertar"
        r"|si (?:me muero|muero|desaparezco|no estuviera)[^.!?]{0,30}?(?:nadie|a nadie)"
        r" (?:le )?(?:importaria|notaria|extranaria|echaria de menos)",
        first_person=True,
    ),
    _rule(
        "hi.self.na_rahun",
        r"(?:zinda|jinda|jivit) (?:nahi|nhi|ni|nai) (?:rehna|rahna)"
        r"|(?:nahi|nhi|ni|nai) (?:rehna|rahna|jeena|jina) (?:chahta|chahti|chahte|hai)? ?(?:is|iss)"
        r" (?:duniya|dunia|zindagi)"
        r"|mere (?:marne|jaane|jane|na hone|na rehne) se (?:\w+ ){0,3}?(?:farak|fark|farq)"
        r"|(?:so jaun|so jau|so jaaun|so jaoon)\b[^.!?]{0,30}?(?:kabhi )?(?:uthu|uthun|uthoon"
        r"|jagu) (?:hi )?(?:na|nahi|ni)"
        r"|(?:chala|chali) (?:jaun|jau|jaaun|jaunga|jaungi) hamesha ke liye"
        r"|hamesha ke liye (?:chala|chali) (?:jaun|jau|jaunga|jaungi)"
        r"|मेरे (?:मरने|जाने|न होने) से (?:\S+ ){0,3}?फर्क"
        r"|(?:आंख|आँख) (?:ही )?(?:न|ना|नहीं) खुले"
        r"|इस दुनिया में (?:नहीं|नही) रहना|हमेशा के लिए (?:चला|चली) (?:जाऊं|जाऊंगा|जाऊंगी)",
        stem_end=True,
    ),
    # ---- family: acts of self-harm told with their means or body part ------------------
    _rule(
        "en.self.harm_act_more",
        r"(?:punched|punch|punching|hit|hitting)\s+(?:the |a )?(?:\w+ )?walls?\s+(?:until|till"
        r"|til) (?:my )?(?:knuckles|hands?|fists?) (?:split|bled|bleed|broke|cracked)"
        r"|(?:thighs|wrists|arms|forearms|legs) (?:are|is) (?:a mess|all cut up|covered in (?:cuts"
        r"|scars|burns))(?: again)?",
        first_person=True,
        unless_near=r"(?<![a-z])(?:accident\w*|fell|gym|workout|hiking|mosquito\w*|bites)(?![a-z])",
    ),
    _rule(
        "es.self.autolesion_medio",
        r"me (?:quemo|queme|corto|corte|rajo|raje|marco|lastimo)\s+(?:\w+\s+){0,3}?con (?:el|un"
        r"|una|la|mi) (?:mechero|encendedor|cigarro|cigarrillo|cuchilla|navaja|cuchillo|cutter"
        r"|tijeras|vidrio)"
        r"|me (?:doy|di|pego|pegue) (?:golpes|cabezazos)\s+(?:\w+\s+){0,3}?contra (?:la|el)"
        r" (?:pared|muro|suelo|puerta)",
        first_person=True,
        unless_near=r"(?<![a-z])(?:sin querer|accidente|cocinando|afeitando)(?![a-z])",
    ),
    _rule(
        "hi.self.chot_saadhan",
        r"(?:blade|cigarette|cig|chaku|chaaku|razor|kanch|kaanch|compass|lighter)\s+se\s+"
        r"(?:\w+\s+){0,2}?(?:haath|hath|kalai|baah|baanh|bazu|jangh|skin|arm|wrist)"
        r"|(?:deewar|diwar|deewaar|wall)\s+(?:pe|par|se|mein)\s+(?:sar|sir)\s+(?:maar|mar|patak)"
        r"|(?:sar|sir)\s+(?:deewar|diwar|wall)\s+(?:pe|par|se)\s+(?:maar|mar|patak)"
        r"|jaan ?bujh ?(?:ke|kar)\s+(?:kuch\s+)?(?:nahi|nhi|ni)\s+khaya"
        r"|(?:ब्लेड|सिगरेट|चाकू|रेजर|कांच|कम्पास|लाइटर) से (?:\S+ ){0,3}?(?:हाथ|बांह|कलाई|जांघ|बाजू)"
        r"|(?:सिर|सर) (?:दीवार|दिवार) (?:पर|पे|से) (?:\S+ ){0,3}?(?:पटक|मार)"
        r"|जानबूझ ?कर (?:कुछ )?(?:नहीं|नही) खाया",
        stem_end=True,
        unless_near=r"galti se|lag gay|lag gai|kat gay|kat gai|shav|sabzi|गलती से|लग गया|लग गई"
        r"|कट गया|कट गई|सब्जी|शेव",
    ),
    # ---- family: someone else at risk now ----------------------------------------------
    _rule(
        "en.self.other_at_risk_now",
        r"(?:locked|shut|barricaded) (?:himself|herself|themselves|themself) in\b[^.!?]{0,50}?"
        r"(?:gun|knife|pills|rope|razor|pistol|rifle|blade)"
        rf"|(?:my\s+(?:\w+\s+)?{_REL}|she|he|they)\s+(?:just\s+)?(?:took|swallowed|downed"
        r"|has taken)\s+(?:all|a bunch|a (?:whole )?bottle|a handful|too many)(?: of)? "
        rf"(?:\w+ ){{0,2}}?{_PILLS}"
        r"|(?:hed|shed|theyd|he would|she would|they would) (?:rather|prefer to) (?:be dead|die)"
        r"|(?:keeps saying|says|said|told me|is saying) (?:that )?(?:hel|shel|theyl|he will|she"
        r" will|they will) (?:just )?end it"
        r"|(?:\w*s|has|have|theyve) been (?:cutting|self ?harming)(?: again)?\b"
        r"(?=[^.!?]{0,60}?(?:blood|bleeding|razor|blade|arms|wrists|thighs))",
        third_person=True,
    ),
    _rule(
        "es.self.otro_en_riesgo",
        r"se (?:encerro|ha encerrado|encierra)\s+(?:\w+\s+){0,3}?con (?:la|el|una|un|las|los)"
        r" (?:pistola|arma|escopeta|cuchillo|navaja|pastillas|soga|cuerda)",
        third_person=True,
    ),
    _rule(
        "hi.self.koi_aur_ab",
        r"(?:kamra|room|darwaza)\s+(?:andar se )?(?:band|lock)\s+(?:kar )?(?:liya|li)"
        r"|(?:कमरा|दरवाजा) (?:अंदर से )?बंद कर (?:लिया|ली)",
        third_person=True,
        needs=rf"{_HI_POISON}|{_DEV_POISON}|(?:gun|bandook|katta|chaku|rassi|बंदूक|चाकू|रस्सी)",
    ),
    # ---- family: threats with a means or a plan (the user or someone they know) ---------
    _rule(
        "en.others.threat_more",
        r"(?:torch|torching|set fire to|burn|burning)\s+(?:his|her|their) (?:car|house|home|flat"
        r"|apartment) (?:\w+ )?with (?:him|her|them) (?:still )?in(?:side)?"
        r"|(?:hel|shel|theyl|he will|she will|they will|(?:hes|shes|theyre|he is|she is|they are)"
        r" (?:going to|gonna))\s+(?:shoot|stab|kill|bomb|attack|poison|murder)\w* (?:up )?(?:people"
        r"|everyone|his \w+|her \w+|their \w+|the \w+|us|at the (?:mall|school|office|party"
        r"|concert)|my \w+)"
        r"|make sure (?:she|he|they) never (?:walks|walk|gets|get|runs|run) away from me",
        third_person=True,
    ),
    _rule(
        "es.others.amenaza_mas",
        r"(?:lo|la|los|las) (?:dejo|dejare|voy a dejar|mando|mandare|voy a mandar) en el hospital"
        r"|(?:partir|romper)(?:le|les)? (?:la cara|los huesos|las piernas)"
        rf"|(?:echando|echar|echo|poniendo|pongo|poner|metiendo|echare|pondre) (?:\w+ )?"
        rf"{_ES_POISON} (?:a|en) (?:la|el|su|sus|mi|tu) (?:comida|bebida|cafe|te|sopa|cena|agua"
        r"|desayuno)"
        r"|dice que (?:\w+ ){0,3}?va a (?:disparar|matar|apunalar|acuchillar|balear|atacar)"
        r"|va a (?:apunalar|acuchillar|matar|balear|disparar)\w* (?:al|a la|a su|a mi) \w+",
        third_person=True,
    ),
    _rule(
        "hi.others.dhamki",
        r"(?:haddi|haddiyan|haddiyaan|haddiya) tod (?:dunga|dungi|denge|du|doonga)"
        r"|(?:chaku|chaaku|churi|chhuri|goli|knife)\s+(?:maar|mar|ghonp|ghop)\s*(?:dunga|dungi"
        r"|denge|du|doonga)"
        r"|(?:zinda|ghar|usko|use|unko|\w+ ko)\b[^.!?]{0,40}?jala (?:dunga|dungi|denge|daalunga"
        r"|dalunga|daalungi)"
        r"|zinda nahi (?:bachega|bachegi|bachenge|chhodunga|chodunga|chhodungi|chodungi)"
        rf"|(?:khane|khana|chai|pani|paani|doodh|tiffin|drink|coffee)\s+(?:me|mein|main|mai)\s+"
        rf"{_HI_POISON}\s+(?:mila|dal|daal)\w*"
        r"|\w+ ko (?:\w+ ){0,2}?(?:maar|mar|jala|kaat) (?:dega|degi|denge|dalega|daalega|dalegi)"
        r"(?=[^.!?]{0,80}?(?:danda|chaku|chaaku|katta|bandook|goli|lathi|rod))"
        r"|\w+ ko (?:aj|kal|abhi)\s+(?:\w+\s+){0,3}?(?:maar|mar) (?:dunga|dungi|denge|du)"
        r"|(?:हड्डियां|हड्डी) तोड़ (?:दूंगा|दूंगी|देंगे)"
        r"|(?:जिंदा|घर समेत)\s+(?:\S+\s+){0,2}?जला (?:दूंगा|दूंगी|देंगे|डालूंगा)"
        r"|(?:खाने|चाय|पानी|दूध|खाना|टिफिन)\s+में\s+(?:जहर|दवा)\s+(?:मिला|डाल)"
        r"|(?:तेजाब|एसिड) (?:फेंक|डाल)(?:ने)? (?:वाला|वाली|वाले)",
        stem_end=True,
        post_negation=True,
    ),
)

# ---- cues of indirect ideation: each counts only with another group or a means ------------


def _cue(rule_id: str, source: str) -> Rule:
    return _rule(rule_id, source, weak=True, first_person=True)


# The group is the rule name's part before the first "_": two cues of one group are one cue.
CUES: tuple[Rule, ...] = (
    _cue("en.self.hopeless_nopoint", r"(?:no|whats the|what is the|whats even the) point"),
    _cue("en.self.hopeless_noway", r"no way out|nothing (?:will ever|is ever going to) change"),
    _cue("en.self.burden_me", r"(?:im|i am) (?:such |just )?a burden|burden (?:to|on) everyone"),
    _cue("en.self.exhausted_cantgo", r"cant (?:go on|keep going|take (?:it|this) any ?more)"),
    _cue("en.self.exhausted_tired", r"tired of (?:living|life|being alive|existing)"),
    _cue("en.self.final_done", r"done with (?:everything|it all|life)|im done"),
    _cue("en.self.final_last", r"(?:for )?the last time|it ends (?:tonight|today)|last message"),
    _cue("en.self.farewell_bye", r"goodbye (?:everyone|all|world)|thanks? (?:you )?for everything"),
    _cue("en.self.decided_mind", r"(?:made up my mind|no turning back|theres no going back)"),
    _cue("es.self.hopeless_salida", r"sin salida|no (?:hay|tengo|veo) (?:otra )?salida"),
    _cue("es.self.hopeless_sentido", r"(?:nada|esto|la vida) (?:ya )?no tiene sentido"),
    _cue("es.self.burden_carga", r"soy una carga"),
    _cue("es.self.exhausted_nopuedo", r"ya no (?:puedo|aguanto) mas|no puedo mas"),
    _cue("es.self.final_dia", rf"hoy es el dia{_END}|(?:la|por) ultima vez|ultimo mensaje"),
    _cue("es.self.decided_vuelta", r"no hay vuelta atras|ya lo (?:he )?decidid?o?"),
    _cue("es.self.farewell_adios", r"me despido|despedirme|adios a todos|gracias por todo"),
    _cue("hi.self.hopeless_fayda", r"koi (?:fayda|faida|matlab) (?:nahi|nhi|ni)|कोई फायदा नहीं"),
    _cue("hi.self.burden_bojh", r"bojh|बोझ"),
    _cue(
        "hi.self.exhausted_nahihota",
        r"(?:ab )?aur (?:nahi|nhi|ni) (?:hota|hoga|sah)|bardasht nahi|और नहीं होता|सहा नहीं",
    ),
    _cue(
        "hi.self.final_khatam",
        r"(?:sab|khel|sabka \w+) (?:khatam|khtm|end)|सब खत्म|खेल खत्म|hamesha ke liye",
    ),
    _cue(
        "hi.self.final_last", r"last (?:time|msg|message)|aakhri (?:baar|msg)|akhri bar|आखिरी बार"
    ),
    _cue(
        "hi.self.farewell_bye",
        r"alvida|(?:sabko|sab ko) bye|thanks for everything|shukriya sab|अलविदा|सबको बाय",
    ),
    _cue("hi.self.decided_faisla", r"faisla kar (?:liya|li)|फैसला कर (?:लिया|ली)"),
)

# A word for death, dying or a means, in any of the languages.
DEATH_OR_MEANS = compile_source(
    r"(?<![a-z])(?:die|dying|death|dead|suicide|pills|rope|noose|overdose|bridge|tracks|poison"
    r"|morir|muerte|muerto|suicid\w*|pastillas|puente|vias|veneno|soga"
    r"|marna|marne|mar jaun|mar jau|maut|zeher|zehar|rassi|phanda|pul|patri|sea link)(?![a-z])"
    r"|मरना|मरने|मौत|जहर|रस्सी|फंदा|पुल|पटरी|आत्महत्या"
)
