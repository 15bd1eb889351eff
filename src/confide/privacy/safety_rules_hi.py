"""The crisis-signal rules in Hindi (romanised and Devanagari).

:mod:`confide.privacy.safety_rules` says how rules are written;
:func:`confide.privacy.safety.detect` uses them."""

from __future__ import annotations

from confide.privacy.safety_rules import (
    _CHAHTA,
    _DEV_NAHI,
    _DEV_REASON,
    _HI_ACCIDENT,
    _HI_FUT,
    _HI_IDIOM,
    _HI_OBJ,
    _HI_REASON,
    _NAHI,
    Rule,
    _rule,
)

__all__ = ["RULES"]

RULES: tuple[Rule, ...] = (
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
        r"(?:(?:blade|chaku|chaaku|knife|kanch|kaanch|cigarette|lighter)\s+se\s+)?(?:maar|mar"
        r"|khatam|khatm|khtm|khtam|hurt|nuksan|nuksaan|chot|kaat|kat|jala|zakhmi"
        r"|saza|takleef)\w*(?:\s+(?:kar|de|le|daal|dal|pahuncha|pohcha|pahucha|kr)\w*)?"
        r"(?:\s+(?:dunga|dungi|lunga|lungi|chahta|chahti|chahte|du|lu|hu|hoon))?",
        first_person=True,
        post_negation=True,
    ),
    _rule(
        "hi.self.jeena_nahi",
        r"(?:life|zindagi|zindgi|jindagi) ka koi (?:matlab|maqsad|maksad|point) (?:nahi|nhi)"
        r"|(?:kash|kaash)\s+(?:main\s+|mai\s+)?(?:paida|janam|janm)\s+(?:hi\s+)?(?:na|nahi)\s+"
        r"(?:hota|hoti|leta|leti|liya hota)"
        rf"|(?:jeene|jine)\s+(?:ka|ki|ko|ke)\s+(?:koi\s+|kuch\s+|bhi\s+)?{_HI_REASON}\s+"
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
        r"(?:\w+\s+){0,2}(?:goli|goliyan|goliya|pills|dawai|dawaiyan|dawaiya|tablets?)\w*\s+"
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
        r"(?!\s+(?:hai\s+|he\s+|है\s+)?(?:aaj ka|aaj ki|today|tonight|आज का|आज की))"
        r"|(?:hamesha ke liye|हमेशा के लिए)\s+(?:alvida|अलविदा)|(?:alvida|अलविदा)\s+(?:duniya"
        r"|दुनिया)"
        r"|(?:kal|aaj raat ke baad|कल|आज रात के बाद)\s+(?:main|mai|मैं)\s+(?:nahi|नहीं)\s+"
        r"(?:rahunga|rahungi|rahoonga|रहूंगा|रहूंगी)(?=\s*(?:$|[.!?,]))"
        r"|(?:apni|meri|अपनी|मेरी)\s+(?:saari\s+|सारी\s+)?(?:cheezein|cheeze|chizen|chize|saaman"
        r"|samaan|चीजें|सामान)\s+(?:\S+\s+)?(?:baant|de|बांट|दे)\s*(?:di|diya|raha|rahi|दी|रहा"
        r"|रही)",
        first_person=True,
        stem_end=True,
    ),
    _rule(
        "hi.self.saadhan",
        r"(?:nahar|nadi|kuen|kuan|kuye|kuwe|jheel|samundar|samandar|talab)\s+(?:mein|me|main)\s+"
        r"(?:kood|kud|chhalang|chalang|dub|doob)\w*"
        r"|(?:blade|chaku|chaaku)\s+(?:se\s+)?(?:chalaya|chalati|chalata|chalai|chalaunga|maara"
        r"|mara"
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
        unless_near=_HI_ACCIDENT,
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
        r"(?:hai|he|h|है)"
        r"|(?:wo|woh|vo|voh|वो|वह|dost|saheli|bhai|behen|behan|दोस्त|सहेली|भाई|बहन)\s+(?:\S+\s+)"
        r"{0,3}?(?:jeena|jina|जीना)\s+(?:nahi|nhi|नहीं)\s+(?:chahta|chahti|chahte|चाहता|चाहती"
        r"|चाहते)"
        r"|(?:khud|apne aap|खुद|अपने आप)\s+(?:ko|को)\s+(?:maar|khatam kar|nuksan pahuncha|kaat"
        r"|मार|खत्म कर|नुकसान पहुंचा|काट)\s*(?:lega|legi|dega|degi|lenge|लेगा|लेगी|देगा|देगी)",
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
        r"|(?:जिंदगी|जिन्दगी|जीवन)\s+का\s+(?:कोई\s+)?(?:मतलब|मकसद)\s+नहीं"
        r"|काश\s+(?:मैं\s+)?(?:पैदा|जन्म)\s+(?:ही\s+)?(?:न|ना|नहीं)\s+(?:होता|होती|लिया)"
        r"|हमेशा\s+के\s+लिए\s+(?:गायब|गुम)\s+(?:हो|जा)"
        r"|होने\s+(?:या\s+)?(?:न|ना|नहीं)\s+होने\s+से\s+(?:किसी को\s+)?(?:कोई\s+)?(?:फर्क"
        r"|फरक)\s+नहीं"
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
        unless_near=_HI_ACCIDENT,
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
        rf"{_HI_OBJ}\s+(?:jaan se\s+|\w+\s+se\s+|zinda\s+)?(?:maar|mar|khatam kar|khatm kar"
        rf"|khtm kar"
        r"|goli maar|chaku maar|chaaku maar|chaku ghop|ghayal kar|nuksan pahuncha|nuksaan pahuncha"
        r"|chot pahuncha|peet|pit|kaat|jala|zeher de|zehar de|jahar de|zeher|zehar|patak|phenk"
        rf"|phek|fek|dhakka de|gala ghont|gala daba)\s*{_HI_FUT}"
        rf"|(?:ghar|gaadi|gadi|dukaan|dukan|car)\s+(?:ko|me|mein)\s+aag\s+laga\s*{_HI_FUT}"
        rf"|\w*(?:ka|ki|ke)\s+gala\s+(?:ghont|ghot|daba|dba|kaat|kat)\s*{_HI_FUT}"
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
        r"\s+(?:जान से\s+|\S+\s+से\s+|ज़िंदा\s+)?(?:मार|खत्म कर|गोली मार|चाकू मार|नुकसान पहुंचा"
        r"|चोट पहुंचा|पटक|फेंक|धक्का दे|गला घोंट|गला दबा|जला|ज़हर दे)|(?:घर|गाड़ी|दुकान)\s+(?:को"
        r"|में)"
        r"\s+आग लगा|\S*(?:का|की|के) गला (?:घोंट|दबा|काट)|(?:तेज़ाब|एसिड)"
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
