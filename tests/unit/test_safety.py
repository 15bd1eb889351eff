"""The crisis-signal detector, the helplines data and the safety card (promise P11).

The detector examples below are its development set: written by hand, spread over English,
Hindi (Devanagari and romanised) and Spanish, over both kinds of signal, and over the hard
cases (negations, idioms, hyperbole, third person, fiction, quotes, games). The blind
evaluation set lives elsewhere and is not read here.
"""

from __future__ import annotations

import copy
import json
import re
from importlib import resources
from typing import Any

import pytest

from confide.errors import ConfigurationError
from confide.privacy.safety import (
    Helpline,
    Helplines,
    Signal,
    SignalKind,
    card,
    detect,
    steering_note,
)

# --- development set ----------------------------------------------------------------------

SELF_HARM: dict[str, list[str]] = {
    "en": [
        "I want to kill myself",
        "honestly i just want to die",
        "I'm thinking about ending my life",
        "I've been having suicidal thoughts again",
        "I'm so suicidal right now",
        "I don't want to live anymore",
        "I don't see the point in living anymore",
        "there's no reason to live",
        "Everyone would be better off without me",
        "Sometimes I think my family would be happier without me",
        "I've started self-harming again",
        "I cut my wrists last night",
        "I've been cutting myself again",
        "I burn myself with cigarettes when it gets bad",
        "I wish I could go to sleep and never wake up",
        "I'm planning to take all my pills tonight",
        "I took 20 sleeping pills",
        "I'm going to overdose tonight",
        "I'm ending it tonight",
        "I want to end it all",
        "I can't go on like this",
        "I can't go on",
        "i cant do this anymore i want out",
        "life isn't worth living",
        "I just want it all to end",
        "I've written my goodbye letters",
        "this is my last message",
        "I'm going to jump off a building",
        "I keep thinking about dying",
        "sometimes i think about just ending it",
        "nobody would even notice if I disappeared",
        "I wish I'd never been born",
        "I'm tired of being alive",
        "I'm scared I'm going to hurt myself",
        "I want to hang myself",
        "im gonna off myself",
        "I want to unalive myself",
        "kms",
        "I wanna die",
        "I wish I was dead",
        "I want to disappear forever",
        "how many pills would it take to die",
        "what's the easiest way to kill myself",
        "I'm a burden to everyone",
        "I don't want to be alive",
        "I want to diiiieee",
        "thinking about suicide a lot lately",
        "I tried to kill myself last year and I feel like doing it again",
        "I'm trying not to kill myself",
        "I can't stop thinking about killing myself",
        "No, I want to die",
        "I'm not okay, I want to die",
        "I'd rather die than live like this",
        "I hope I don't wake up tomorrow",
        "I have been stockpiling my meds",
        "i dont think i can keep going anymore",
        "every day i think about killing myself",
        "I have a plan to end my life this weekend",
        "i just want to stop existing",
        "What's the point of being alive",
        "I've been hurting myself again",
        "I want to die and nobody cares",
        "I'm going to take my own life",
        "I don't want to be here anymore",
        "i feel like ending it all",
        "i'm ready to die",
        "thinking of suicide every night",
        "I relapsed and cut myself yesterday",
        "Im standing on the edge of the roof",
        "My family would be better off if I were dead",
        "I wish I could just fall asleep and never wake up",
        "I really want to die right now",
        "Life has no meaning and I want out",
        "i've been thinking about ending things",
        "I want to end my suffering for good",
        "I'm going to slit my wrists",
        "i hate myself so much i want to die",
        "Nothing matters, I want to kill myself",
        "i cant take it anymore",
        "I've decided to commit suicide",
        "Tonight I'm going to swallow all my pills",
        "I'm suicidal and I don't know what to do",
        "I don't want to wake up anymore",
        "i wanna kms fr",
        "I WANT TO DIE",
        "i want 2 die",
        "i wnat to kill myself",
        "I want to kil myself",
        "Had a long day at work. My boss yelled at me again. "
        "Honestly I don't see any reason to keep living.",
        "i'm so tired of everything. i just want to sleep forever",
        "sometimes I wonder if everyone would be better off without me",
        "I've been thinking about suicide",
        "I attempted suicide last month and I'm thinking about trying again",
        "is it normal to want to die every day?",
        "I'm worthless and I should just die",
        "I should kill myself",
        "I deserve to die",
        "there's nothing left for me, I'm going to end it",
        "I've got the pills ready",
        "I wrote a suicide note",
        "i have been self harming for months",
        "I scratch my arms until they bleed",
        "im going to starve myself until i disappear",
        "I just want to not exist",
        "I feel like I'm a burden and everyone would be happier if I was gone",
        "idk why im still alive",
        "I hate my life and want to die",
        "Please help me, I want to end my life",
        "I don't want to live like this anymore",
        "i want to die ngl",
        "I can't do this anymore, I'm done with life",
        "I'm thinking of jumping in front of a train",
        "I'm going to drive my car into a wall",
        "I put a gun to my head last night",
        "kill me now, I can't take this pain anymore",
        "I want to die yaar, kuch accha nahi lagta",
        "I swallowed a bunch of pills an hour ago",
        "Goodbye everyone, I won't be around much longer",
        "I just want everything to stop",
        "life is pointless, I want out",
        "i dont want to exist anymore",
        "I've been googling painless ways to die",
        "no one cares if I live or die",
        "I feel so empty I want to die",
        "My parents would be better off without me",
        "the voices tell me to kill myself",
        "I'm afraid I'll kill myself",
        "should I kill myself?",
        "I need a suicide hotline",
        "I've made my peace and said my goodbyes",
        "I think tonight is the night I finally do it and end my life",
        "I'm so done. I'm going to kill myself tonight.",
        "Can you tell me how to overdose?",
        "what's the lethal dose of paracetamol",
        "I've been having thoughts of ending my life",
        "i've been feeling really suicidal lately",
        "my life is over and I want to die",
        "i want to go to sleep and not wake up",
        "I keep having urges to cut",
        "I'm going to hurt myself tonight",
        "I'm thinking of hurting myself",
        "Nobody would miss me if I was gone",
        "I can't see a future for myself, I just want to die",
        "I have no will to live",
        "I'm losing the will to live",
        "I want to be dead",
        "there is no way out except death",
        "death seems like the only option",
        "i'm going to end it. goodbye",
        "I just took all my antidepressants",
        "I'm not suicidal but sometimes I wish I could just disappear forever",
        "i dont want to die but i dont want to live either",
        "honestly? i want to die",
        "i want to die. not joking.",
        "I'm not kidding, I want to kill myself",
        "Lately I've been thinking that it would be easier if I just didn't wake up",
        "it would be easier if I was dead",
        "everyone hates me, I should just end it",
        "i wanna end my life",
        "i am going to commit suicide",
        "suicide is the only way out for me",
        "i'm thinking about killing myself",
        "I'm cutting again",
        "i self harm",
        "i wish i could die in my sleep",
        "I've been collecting pills",
        "I'm on the roof and I'm going to jump",
        "can't stop thinking about ending it all",
        "I feel like killing myself",
        "my mind keeps telling me to end my life",
        # indirect ideation, farewells, means at hand, self-harm acts, someone else at risk now
        "I don't see the point anymore",
        "everyone would be better off without me",
        "I've been saying goodbye to people",
        "I've been giving away my things",
        "I wrote letters to my family",
        "I keep imagining my own funeral",
        "I have the pills in my hand",
        "I have a razor blade in my hand right now",
        "I'm going to jump from the roof tonight",
        "I'll jump in front of the train tomorrow",
        "I've been cutting my thighs so nobody sees",
        "I punch walls until my knuckles bleed",
        "I starve myself because I don't deserve food",
        "my sister told me she took a whole bottle of pills",
        "my friend posted a goodbye message and isn't answering",
        "my brother said he'd be better off dead",
        "I'm scared my daughter is going to hurt herself",
        "I just want the pain to stop forever",
        "nobody would care if I was gone",
        "I'm going to swallow every pill in the house",
        "I looked up how many sleeping pills it takes to die",
        "I keep googling ways to kill myself",
        "sometimes I think about stepping off the platform",
        "I want out of this life",
        "the world would be better without me",
        "If I disappeared tomorrow, no one would notice",
        "i think about hanging myself every day",
        "My roommate said she's going to end it tonight",
        "my son has been talking about wanting to die",
        "I found my sister's suicide note",
        "my best friend cuts herself and told me not to tell anyone",
        "I've been hoarding my antidepressants",
        "I'm going to crash my car on purpose",
        "I'm so tired of everything, I just want to sleep forever lol",
        "death would be such a relief",
        "I'm standing on the bridge and I can't stop looking down",
        "i burned my wrist with a cigarette again",
        "I'm not okay. I bought a rope and I know what to do with it",
        "i honestly dont want to wake up tomorrow",
        "tired of being a burden, they'd all be happier if i was gone",
        "i keep thinking everyone would be better off if i just wasnt here",
        "i wanna end it all tonight",
        "i'm done. i can't keep living like this",
        "thinking about ending my life",
        "cant stop thinking about killing myself",
        "i have a bottle of pills and im thinking of taking them all",
        "i took way too many pills on purpose",
        "i want to overdose",
        "I'm gonna hang myself",
        "i bought a noose",
        "I tied the noose already",
        "there is no point in living",
        "life is not worth living anymore",
        "i slit my wrist last night",
        "i've been self-harming again",
        "relapsed tonight, cut myself pretty bad",
        "i want to cut myself so bad right now",
        "i hit myself when i get angry at myself",
        "i keep burning myself with a lighter",
        "i make myself bleed so i can feel something",
        "my girlfriend keeps saying she wants to die",
        "my friend just told me she's suicidal",
        "my brother tried to kill himself last night",
        "my mom said she doesn't want to live anymore",
        "my friend is planning to kill herself this weekend",
        "I think my friend is going to hurt herself",
        "nobody would even miss me",
        "i feel like disappearing forever",
        "im a waste of space",
        "i want to jump off a bridge",
        "thinking of jumping off my balcony",
        "i hope i dont wake up",
        "I'm ready to die",
        "i cant do it anymore, i want to die",
        "I feel hopeless and want to end my life",
        "I've decided to end my life",
        "the only way out is death",
        "i wish i were dead",
        "i dont want to be alive anymore",
        "i'm going to kill myself tonight",
        "I'm planning my suicide",
        "my friend is suicidal, how can I help her?",
        "she said she wants to kill herself, what should I do?",
        "he says he wants to kill himself, what do I do",
        "How can I support a friend who wants to die?",
        "she wants to kill herself and I don't know how to help",
        "i wanna unalive fr",
        "I wouldn't mind if a car hit me tomorrow",
        "God, just take me already",
        "I have my gun ready.",
    ],
    "es": [
        "quiero morirme",
        "me quiero suicidar",
        "no quiero seguir viviendo",
        "no quiero vivir",
        "Ya no aguanto más, quiero morir",
        "Estoy pensando en quitarme la vida",
        "Me quiero morir",
        "No le encuentro sentido a la vida",
        "Quiero desaparecer para siempre",
        "Voy a tomarme todas las pastillas",
        "Me corto los brazos cuando estoy triste",
        "Ojalá no despertar mañana",
        "Estoy harta de vivir",
        "Nadie me echaría de menos",
        "Siento que soy una carga para todos",
        "Tengo ganas de morirme",
        "He pensado en suicidarme",
        "no quiero estar vivo",
        "Quiero dejar de existir",
        "Me voy a tirar del puente",
        "Quiero hacerme daño",
        "estarían mejor sin mí",
        "no tengo razones para vivir",
        "me estoy cortando otra vez",
        "tengo pensamientos suicidas",
        "pienso en morirme todo el tiempo",
        "ya no quiero vivir",
        "me voy a matar",
        "No puedo más con esta vida, quiero acabar con todo",
        "Estoy pensando en suicidarme",
        "Me quiero quitar la vida",
        "Nadie notaría si desapareciera",
        "Quiero dormir para siempre",
        "He estado autolesionándome",
        "no le veo sentido a seguir viviendo",
        "Siento que ya no vale la pena vivir",
        "mi familia estaría mejor sin mí",
        "quisiera estar muerta",
        "quiero que todo termine",
        "ya no quiero estar aquí",
        "Estoy cansado de todo, quiero morir",
        "tengo ganas de quitarme la vida",
        "voy a tirarme por la ventana",
        "me siento suicida",
        "nadie me extrañaría si me muero",
        "no tengo motivos para vivir",
        "me quiero morir ya",
        "ya no tengo ganas de vivir",
        "siento que lo mejor sería desaparecer",
        "he pensado en quitarme la vida varias veces",
        "me gustaría dormirme y no despertar nunca más",
        "estoy pensando en tomarme todas mis pastillas",
        "me lastimo a propósito",
        "ojalá me muriera",
        "mi vida no tiene sentido",
        "ya no aguanto más esta vida",
        "he intentado suicidarme antes",
        "creo que voy a acabar con mi vida",
        "quiero matarme",
        "no quiero despertar mañana",
        "tengo una soga lista",
        "me quiero aventar del puente",
        "no sirvo para nada, mejor me muero",
        "me dan ganas de morirme",
        "mi familia estaría mejor si yo no existiera",
        "quiero morir, no es broma",
        "ya no quiero seguir, estoy cansada de todo",
        "pienso en suicidarme todos los días",
        "he estado pensando en matarme",
        "tomé muchas pastillas",
        # indirect ideation, farewells, means at hand, self-harm acts, someone else at risk now
        "mi hermana dice que ya no quiere vivir",
        "mi amigo se está cortando otra vez",
        "la muerte sería un alivio",
        "ya no le encuentro sentido a nada",
        "tengo la navaja en la mano",
        "me voy a colgar del ventilador",
        "me rasguño los brazos hasta sangrar",
        "no he comido en días a propósito",
        "mi novio dice que se va a matar si lo dejo",
        "estoy regalando mis cosas",
        "le escribí cartas de despedida a mi familia",
        "ojalá un camión me atropelle",
        "quiero dormir y no despertar nunca",
        "pienso en la muerte todo el tiempo",
        "me merezco estar muerta",
        "me quiero matar",
        "ya no quiero vivir más",
        "quiero desaparecer para siempre",
        "estoy pensando en suicidarme",
        "me corté las muñecas",
        "tomé un montón de pastillas",
        "ya tengo la soga lista",
        "quiero acabar con mi vida",
        "no aguanto más, me quiero morir",
        "ya no tiene sentido seguir viviendo",
        "me voy a tirar del puente esta noche",
        "mi amiga dice que se quiere suicidar",
        "he pensado en tirarme a las vías del tren",
        "mi amigo dice que se quiere morir, ¿qué hago?",
        "mi hermano dice que se va a matar, ayuda",
        "cuál es la manera más rápida de morir",
        "compré una soga, ya lo decidí",
        "estoy en la azotea ahora y quiero saltar",
    ],
    "hi": [
        "main marna chahta hoon",
        "jeene ka mann nahi karta",
        "jeena nahi chahta",
        "mujhe nahi jeena",
        "main apni zindagi khatam karna chahta hoon",
        "ab jeene ka koi matlab nahi hai",
        "mujhe mar jaana hai",
        "main suicide karne ki soch raha hoon",
        "kabhi kabhi lagta hai mar jaun",
        "sab khatam kar dunga aaj raat",
        "main bahut thak gaya hoon, ab aur nahi jee sakta",
        "mere bina sab khush rahenge",
        "neend ki saari goliyan kha lunga",
        "main khud ko hurt karta hoon",
        "maine apni kalai kaat li",
        "mujhe khud ko khatam karna hai",
        "main mar jana chahti hoon",
        "is duniya mein rehne ka mann nahi karta",
        "main khudkushi kar lunga",
        "khud ko khatam kar dunga",
        "khudkushi ke alawa koi rasta nahi",
        "marne ka mann karta hai",
        "मैं मरना चाहता हूँ",
        "मुझे जीना नहीं है",
        "मैं आत्महत्या करना चाहता हूं",
        "मेरा जीने का मन नहीं करता",
        "मैं खुद को खत्म कर लूंगा",
        "मुझे मर जाना है",
        "अब और नहीं जीना",
        "मैं अपनी जान ले लूंगा",
        "मैं आत्महत्या के बारे में सोच रहा हूं",
        "main ab jeena nahi chahti",
        "mera mann karta hai ki main mar jaun",
        "main suicide kar lungi",
        "zindagi se thak gayi hoon, khatam karna chahti hoon",
        "mujhe apni life khatam karni hai",
        "main apne aap ko nuksaan pahunchati hoon",
        "aaj raat main phansi laga lunga",
        "kisi ko fark nahi padega agar main mar jaun",
        "मुझे अब जीने की कोई वजह नहीं दिखती",
        "मैं खुदकुशी कर लूंगी",
        "मेरे बिना सब खुश रहेंगे",
        "मैं मर जाना चाहती हूं",
        "mujhe jeene ki koi wajah nahi dikhti",
        "main mar jaungi to sab khush honge",
        "ab bardasht nahi hota, main khudkushi kar lunga",
        "yaar main sach mein marna chahta hoon",
        "mai apni nas kaat lungi",
        "बस अब मरना चाहती हूं",
        "मैं फांसी लगा लूंगा",
        "mujhe lagta hai main mar jaun toh behtar hai",
        "main ab aur nahi jeena chahta",
        "mere jeene ka koi matlab nahi",
        "main khud ko khatam karna chahti hoon",
        "mujhe suicide karna hai",
        "aaj sab khatam kar dungi",
        "main zindagi se haar gaya hoon",
        "mera marne ka mann hai",
        "bhai main sach mein suicide karne wala hoon",
        "मुझे मरने का मन करता है",
        "मैं अब और नहीं जी सकता",
        "मैं अपनी जिंदगी खत्म करना चाहता हूं",
        "मैं खुद को नुकसान पहुंचाना चाहती हूं",
        "mujhe khud se nafrat hai, main mar jaana chahta hoon",
        "main ab jeena nahi chahti, bas khatam karna hai sab",
        "mera mann karta hai ki khud ko khatam kar doon",
        "meri life ka koi matlab nahi, marna chahta hoon",
        "main aaj raat khudkushi kar lunga",
        "mujhe jeene ka mann nahi hai",
        "mai marna chahti hu",
        "mujhe apne aap ko khatam karna hai",
        "मन करता है कि मर जाऊं",
        "मैं अब और जीना नहीं चाहता",
        # indirect ideation, farewells, means at hand, self-harm acts, someone else at risk now
        "meri behen kehti hai ki wo jeena nahi chahti",
        "मेरा दोस्त कह रहा है कि वो खुद को मार लेगा",
        "mujhe ab jeene ki koi ichha nahi rahi",
        "main apni kalai ki nas kaat lunga",
        "maine zeher kha liya",
        "mere marne ke baad sab khush honge",
        "मैं अब और नहीं सह सकता, सब खत्म कर दूंगा",
        "मैंने ज़हर खा लिया है",
        "मेरी ज़िंदगी का कोई मतलब नहीं",
        "kaash main paida hi na hota",
        "काश मैं पैदा ही न होता",
        "bhagwan mujhe utha le",
        "main chhat se kood jaungi",
        "neend ki goliyan jama kar rahi hoon",
        "मैं नदी में कूद जाऊंगा",
        "main train ke aage kood jaunga",
        "mujhe marna hai",
        "main khudkushi karna chahta hoon",
        "ab jeene ka mann nahi karta",
        "main apni jaan de dunga",
        "zindagi se tang aa gaya hoon, mar jaana chahta hoon",
        "maine bahut saari neend ki goliyan kha li",
        "main apne aap ko khatam kar lunga",
        "मैं खुदकुशी कर लूंगा",
        "मैं अपनी जान दे दूंगा",
        "मैं छत से कूद जाऊंगा",
        "मैंने नींद की सारी गोलियां खा लीं",
        "मेरा मन करता है कि खुद को खत्म कर लूं",
        "मेरी दोस्त खुदकुशी करने वाली है",
        "mera dost kehta hai wo suicide kar lega",
        "main khud ko blade se kaat leti hoon",
        "मैं खुद को ब्लेड से काटती हूं",
        "woh marna chahta hai, main kya karun?",
        "mera dost khudkushi ki baat kar raha tha",
        "maine pankhe pe latakne ke liye rassi khareed li",
        "मैंने रस्सी खरीद ली है, आज रात सब खत्म",
        "suicide ka sabse aasan tarika kya hai",
        "kitni goliyan khane se maut hoti hai",
        "ye mera aakhri message hai",
        "ye meri aakhri baat hai, sabko alvida",
    ],
}

HARM_TO_OTHERS: dict[str, list[str]] = {
    "en": [
        "I'm going to kill him",
        "I want to hurt my sister",
        "I want to hurt someone",
        "I'm going to stab my stepdad tonight",
        "I'm bringing my dad's gun to school tomorrow",
        "I feel like hurting someone right now",
        "I have thoughts of killing my wife",
        "I'm going to shoot up the school",
        "I have a gun and I'm going to shoot them all",
        "I want him dead",
        "I'm planning how to poison my husband",
        "If he touches her again I will kill him",
        "I'm going to shoot everyone at work",
        "I'll make them all suffer",
        "I'm going to beat the shit out of my roommate",
        "I'm going to murder my neighbor",
        "I want to kill my dad",
        "I'm gonna hurt her so bad she'll never forget",
        "I bought a knife to stab him with",
        "I keep fantasizing about killing my boss",
        "I'm going to strangle my girlfriend",
        "i want to beat him to death",
        "Someday I'll shoot them all",
        "I'm thinking about hurting my baby",
        "I will kill you",
        "I want to kill everyone at my school",
        "I'm going to hurt my little brother",
        "im gonna stab him",
        "i'm going to make him pay with his life",
        "I'll kill that bitch",
        "I'm going to poison my coworker's coffee",
        "I'm seriously going to kill my ex",
        "I want to shoot my teacher",
        "I'm going to hurt the kids at school",
        "I fantasize about stabbing my dad",
        "I'm going to run him over with my car",
        "I want to burn their house down with them inside",
        "I want to hurt people",
        "I'm going to kill my mother",
        "I have a knife and I'm going to use it on him",
        "Sometimes I want to strangle my baby when she cries",
        "I'm going to get my gun and shoot him",
        "I'm going to kill someone today",
        "I'm going to kill my stepmom tonight while she sleeps",
        "I want to punch my sister in the face until she bleeds",
        "I'm going to hurt those kids who bully me",
        "i'm going to shoot my classmates",
        # methods, named targets, weapons, babies, acid, fire
        "I swear I'm going to kill my stepfather, I've had enough",
        "I've been fantasizing about hurting the kids in my class",
        "I want to poison my roommate",
        "I'll burn his car with him in it",
        "if she leaves me I'll kill her",
        "I'm going to slit his throat",
        "I keep imagining strangling my coworker",
        "i know where he lives and i'm going to make him pay",
        "I want to push her down the stairs",
        "sometimes I want to shake the baby until he stops crying",
        "im gonna kill him when he gets home",
        "I'm going to stab my brother",
        "I want to kill my boss",
        "I'm going to shoot up my school tomorrow",
        "I'll kill all of them",
        "I'm going to hurt my girlfriend",
        "i'm bringing a knife to school tomorrow",
        "I want to strangle him",
        "I'm going to beat my wife",
        "sometimes I think about smothering my baby",
        "I'm going to kill my uncle tonight, I have the knife ready",
    ],
    "es": [
        "voy a matarlo",
        "Voy a matar a mi padrastro",
        "Le voy a romper la cara",
        "Quiero matar a alguien",
        "Voy a hacerle daño a mi hermana",
        "lo voy a matar",
        "tengo un cuchillo y lo voy a usar para matarlo",
        "voy a llevar una pistola a la escuela",
        "Voy a matar a mi ex",
        "quiero lastimar a mi hermano",
        "Tengo una pistola y voy a disparar en la escuela",
        "lo voy a apuñalar",
        "Te juro que lo mato",
        "quiero matarlo",
        "le voy a pegar un tiro",
        "voy a hacerle daño a mi novia",
        "voy a matar a ese tipo",
        "quiero matar a mi jefe",
        "le voy a hacer daño",
        "los voy a matar a todos",
        "voy a ir a la escuela con la pistola de mi papá y disparar",
        "un día de estos lo mato",
        "voy a apuñalar a mi padrastro",
        "tengo ganas de matar a alguien",
        # methods, named targets, weapons, babies, acid, fire
        "le voy a meter un balazo",
        "voy a quemar su casa con ellos adentro",
        "voy a apuñalar a mi jefe mañana",
        "voy a matar a mi esposo",
        "quiero apuñalarlo",
        "le voy a pegar un tiro a mi vecino",
        "voy a llevar un arma a la escuela",
        "me dan ganas de sacudir a mi bebé cuando llora",
        "sé dónde trabaja mi jefe y me las va a pagar",
    ],
    "hi": [
        "main use maar dunga",
        "main usko jaan se maar dunga",
        "meri behen ko nuksaan pahunchana chahta hoon",
        "main apne boss ko goli maar dunga",
        "tujhe chaku maar dunga",
        "उसे जान से मार दूंगा",
        "मैं उसे मार दूंगा",
        "main usse maar daalunga",
        "mera mann karta hai usko maar du",
        "main apni saas ko zeher de dungi",
        "मैं उसको जान से मार डालूंगा",
        "मैं अपने पति को मारना चाहती हूं",
        "main apne papa ko maar dalunga",
        "agar wo phir se aayi to usko maar dungi",
        "उसको चाकू मार दूंगा",
        "main uski jaan le lunga",
        "main usko khatam kar dunga",
        "mujhe usko maarna hai",
        "मैं उसकी जान ले लूंगा",
        "main sabko maar dunga",
        "uska khoon kar dunga",
        "usko goli maar dunga main",
        "main apni biwi ko maar dunga",
        # methods, named targets, weapons, babies, acid, fire
        "main usko zinda jala dunga",
        "मैं उसे ज़िंदा जला दूंगा",
        "मैं उसका गला काट दूंगा",
        "मैं अपनी सास को ज़हर दे दूंगी",
        "padosi ke ghar ko aag laga dunga",
        "kal school mein sabko goli maar dunga",
        "main apne boss ko chaku se maar dunga",
        "main usko maar daalunga",
        "main apne bhai ko maar dunga",
        "मैं उसे मार डालूंगा",
        "मैं अपने बॉस को गोली मार दूंगा",
        "kal chaku leke school jaunga",
        "bhai ki bandook leke college jaunga",
    ],
}

# Not signals: negations, idioms, hyperbole, fiction, quotes, games, accidents, a calmly told
# recovered past. Someone else at risk now ("my friend says she will kill herself") is a
# signal: the user may need the helplines for them.
NOT_SIGNALS: dict[str, list[str]] = {
    "en": [
        "I'm not suicidal",
        "I'm not suicidal, just really tired",
        "I would never kill myself",
        "I'm not going to kill myself, don't worry",
        "I don't want to die",
        "There's no way I'd hurt myself",
        "this homework is killing me",
        "I could kill for a pizza",
        "dying to see that movie",
        "that was a killer workout",
        "I'd die of embarrassment lol",
        "my phone is dead",
        "kill the process and restart it",
        "the villain kills himself in the novel",
        "suicide squad was great",
        'my favourite song goes "I want to die"',
        "I'm dying to try that new restaurant",
        "My feet are killing me",
        "I'm so dead, my mom saw my grades",
        "OMG I want to die, my crush saw my old photos 😂",
        "He's going to murder me when he finds out",
        "We need to kill the bug before the release",
        "This burger is to die for",
        "I'm dead tired",
        "Suicide rates among teens are rising, says the report",
        "We watched a documentary about suicide prevention",
        "My grandfather died last year and I miss him",
        "the character in my book wants to die",
        "I used to self-harm but I've been clean for three years",
        "I killed it at the presentation today",
        "I'm going to kill this exam tomorrow",
        "My boss is going to kill me if I'm late",
        "I swear I'll kill my brother if he reads my diary again",
        "I could strangle my sister sometimes haha",
        "I'm gonna kill my sister, she took my charger",
        "I'm going to kill him lol",
        "do you want to die?",
        "I'm gonna kill it at the gym",
        "my mom is going to kill me",
        "I cut myself shaving this morning",
        "I want to kill everyone in this level",
        "I hurt myself playing football",
        "I'm killing myself at work these days",
        "I'm going to beat him at chess",
        "that joke killed me",
        "I'm not going to hurt him, I just need to vent",
        "this song is so good I want to die",
        "I'd kill you if you spoiled the ending lol",
        "I nearly died laughing",
        "the plants are dying",
        "Kill the lights please",
        "I shot a great photo of the sunset",
        "I accidentally cut myself while cooking",
        "this movie is killing me with suspense",
        "ugh I'm going to die if I have to sit through another meeting",
        "I'd literally kill for some sleep",
        "that comedian absolutely killed it",
        "i'm dying laughing",
        "we killed the project, it wasn't working",
        "the suicide rate in my country is high, why?",
        "can you explain what the song 'Suicide is Painless' is about",
        "My cat died yesterday and I'm sad",
        "He killed himself in the last episode of the show",
        "I hate my job so much",
        "This coffee is to die for",
        "I'm not going to hurt anyone, I promise",
        "I'm feeling much better now, I don't want to die anymore",
        "I'd never hurt my kids",
        "Lol my mom's gonna kill me for coming home late",
        "If my sister eats my leftovers again I will kill her",
        "i'm dead 💀",
        "I want to kill the spider in my room",
        "killing two birds with one stone",
        "I shot my shot with her and she said no",
        "this heat is murdering me",
        "I'll hurt my back if I lift that",
        "how do I kill a zombie in minecraft",
        "I'm starving, I could eat a horse",
        "i would die for my family",
        "I want to die my hair blue",
        "I want to dye my hair",
        "Do you think about death sometimes?",
        "Esta canción me mata",
        "matamos el tiempo jugando cartas",
        "el villano mata a todos al final",
        "Guess I'll die 🤷",
        "I'm literally dead lmao",
        "bro this game is killing me",
        "I'm gonna kill my brother lol he ate my pizza",
        "I'd rather die than wear that outfit",
        "I'm dying of boredom in this class",
        "this exam is going to be the death of me",
        "I want to know how suicide prevention hotlines work",
        "My uncle committed suicide when I was young",
        "I used to want to die, but therapy helped a lot",
        "I'm writing a story where the main character is suicidal",
        "killing me softly is my favorite song",
        "my sister is so annoying, I swear",
        "I'll shoot you a text later",
        "the chicken was so good I could die",
        "You'll kill it at your interview tomorrow!",
        "I don't want to hurt her feelings",
        "I'm going to kill some time before the movie",
        "I'm not suicidal, I'm just sad today",
        "i would never hurt myself, don't worry",
        "I had a bad day but I'm okay",
        "can you write a poem about death",
        "what happens when we die?",
        "I nearly killed myself tripping on the stairs lol",
        "I'm going to die of cringe",
        "Suicide is a serious public health issue",
        "I beat him at fifa again",
        "I'm going to crush this workout",
        "she's dying to meet you",
        "kill me now, this lecture is so boring",
        "I'm going to hang the pictures on the wall",
        "I'll hang myself a hammock in the garden",
        "ese chiste me mató",
        "quiero vivir muchos años",
        "I'd kill to have her hair",
        "My dog is going to kill me if I don't walk him",
        "I'm so hungry I could die",
        "I'm going to die alone with 12 cats lol",
        "This level is impossible, I keep dying",
        "I want to kill this bug in my code",
        "The detective found the killer",
        "I saw a movie where a guy kills his family",
        "How do I kill a python process",
        "my plants keep dying, help",
        "she said 'i'm going to kill you' in a joking voice",
        "I want to beat my personal record",
        "I'm not going to kill myself, I just need someone to talk to",
        "I don't want to kill myself, I just feel sad",
        "I'm a survivor of a suicide attempt and now I volunteer at a hotline",
        "The news says a man killed himself in the subway",
        "We're studying Romeo and Juliet, they both kill themselves",
        "Is it true that suicide is more common in winter?",
        "I'm doing a project on self-harm awareness",
        "My therapist asked if I'm suicidal and I said no",
        "I was suicidal years ago but I'm doing really well now",
        "lol i'm going to kill myself if this meeting goes on any longer",
        "haha I want to die, this meme is too funny",
        "Stop, you're killing me 😂",
        "I'm going to murder this pizza",
        "My team is going to destroy them in the finals",
        "I could just die, he's so cute",
        "We're going to shoot the video tomorrow",
        "shoot, I forgot my keys",
        "I'm going to attack this problem tomorrow",
        "I need to kill the engine",
        "That plot twist killed me",
        "I hate mondays",
        "the pain in my knee is killing me",
        "I'm going to hurt tomorrow after that workout",
        "I'll beat you in a race",
        "I'm gonna stab this steak",
        "you're going to die laughing at this",
        "I'm dead serious",
        "My grandmother is dying of cancer",
        "I'm scared of dying",
        "I don't want to die, I want to live a long life",
        "Why do people commit suicide?",
        "My brother attempted suicide and I don't know how to help him",
        "ese gol me mató",
        "I'm dying inside lol",
        "i'm not going to kill myself lol, relax",
        "I want to die... of happiness! I got the job!",
        "ugh i want to die, i just tripped in front of my crush",
        "kill me, I have 3 exams tomorrow",
        "That workout almost killed me",
        "He threatened to kill me",
        "My ex says he'll hurt me if I leave",
        "I'm afraid my husband will hurt me",
        "In the game I shot everyone",
        "I want to shoot hoops later",
        "I'd love to murder a burger right now",
        "Mom's going to murder me",
        "My laptop died",
        "I killed a spider today",
        "we're going to smash it at the concert",
        "this traffic makes me want to die",
        "Do you ever want to die?",
        # hard negatives for the families added with the blind set
        "I could just die, this cake is amazing",
        "my brother cut himself shaving",
        "we said goodbye to everyone at the airport",
        "I'm giving away my old clothes to charity",
        "I'm giving away all my stuff because I'm moving abroad",
        "I bought a rope for my camping trip",
        "I bought a rope for rock climbing in case I fall",
        "I'm on the roof right now watching the sunset",
        "Is 2000mg of paracetamol a day safe?",
        "How high is the Eiffel tower?",
        "How many people die from falls each year?",
        "my grandma is giving away her things before moving to a care home",
        "I'm going to murder this exam",
        "Killing it at work today",
        "in the movie, she says she's going to kill herself",
        "He said he'd kill himself if the team lost lol",
        "My mom is going to kill herself cleaning the whole house",
        "usko maaf kar dunga",
        "sab kuch khatam ho gaya",
        "I burned my arm on the oven again",
        "I scratched my arm on a branch again while hiking",
        "I don't see the point of this meeting",
        "What's the point of even trying, I'll fail anyway",
        "I wrote a letter to my grandma for her birthday",
        "the character cuts herself in the film",
        "I hit my head on the door again, ouch",
        "it's like banging my head against the wall with this code",
        "my friend killed it at her recital",
        "I'm dying to see the new movie",
        "We're going to shoot the scene tomorrow",
        "He's going to end it with her tonight",
        "she wants to end it with her boyfriend",
        "I'm going to end it with him tonight",
        "I want to be gone by 5pm",
        "my dad is going to kill me",
        "I'm planning my exit from this company",
        "I hope I die of laughter watching this",
        "God please take me to the beach already lol",
        "the news said a girl threatened to kill herself on the bridge",
        "kill the lights",
        "this is my last message before I board, see you soon",
        "this show is so good i'd die for a second season",
        "my sister is dying of laughter",
        "I'm done with this homework",
        "I'm dead lol",
        "he nearly killed himself laughing",
        "the suicide squad movie was mid",
        "I killed it at the interview",
        "I shot a video for my channel",
        "I cut my hand while cooking dinner",
        "my friend cut her hair short",
        "my mom is going to kill me for being late",
        "I'll kill you in mario kart tonight",
        "we need to kill the bug before launch",
        "the heat is killing me",
        "the movie's hero kills himself at the end",
        "I'm reading a book about a girl who wants to die",
        "my cat died and I'm sad",
        "I feel lonely but I'm ok",
        "I'm not going to hurt anyone",
        "I'd never kill myself, I love my family too much",
        "I used to cut when I was 15, but I'm okay now",
        "I'm so tired I could sleep for a week",
        "is it safe to take two ibuprofen?",
        "I wrote a story about suicide for my class",
        "my friend wants to die her hair pink",
        "she's dying to go to the concert",
    ],
    "es": [
        "la tarea me está matando",
        "me muero de risa",
        "no quiero morir",
        "Me muero de hambre",
        "Me muero de ganas de verte",
        "Este calor me mata",
        "Mi jefe me va a matar",
        "Quiero matar el tiempo",
        "Ese examen me mató",
        "Me quiero morir de la vergüenza jaja",
        "No quiero morir, quiero vivir",
        "Nunca me haría daño",
        "No pienso suicidarme, tranquila",
        "No me voy a matar, tranquila",
        "Me mato de risa con este video",
        "Me mato estudiando para el examen",
        "El personaje se suicida al final de la novela",
        "te voy a matar a besos",
        "me muero por verte",
        "me voy a cortar el pelo",
        "no puedo vivir sin ti, mi amor",
        "Me muero de sueño",
        "Mi mamá me va a matar si llego tarde",
        "Casi me muero del susto jaja",
        "Nunca me suicidaría, amo la vida",
        "No quiero hacerle daño a nadie",
        "El libro trata de un hombre que se quiere suicidar",
        "me duele la cabeza, me muero",
        "me mata de risa tu perro",
        "estoy muerta de cansancio",
        "me voy a morir de aburrimiento en esta clase",
        "quiero morir de viejo, rodeado de mi familia",
        "no quiero morir joven",
        "te voy a matar si le cuentas el final jaja",
        "la película trata del suicidio de un poeta",
        "me muero de frío",
        "casi me mato con la bici jaja",
        "me voy a morir si no como algo",
        "mi abuelo murió el año pasado",
        "no me quiero suicidar, solo estoy triste",
        "el examen me va a matar",
        "voy a matar a mi hermano si se come mi comida",
        "me muero por ir a la playa",
        "mataría por un café",
        "¿por qué la gente se suicida?",
        "no me quiero morir",
        "esa película me mató de risa",
        "ya me morí de la vergüenza",
        "muero de ganas de comer tacos",
        # hard negatives for the families added with the blind set
        "this meeting makes me want to kill myself lol",
        "she's gonna kill me when she finds out lol",
        "mi mamá se va a matar trabajando",
        "mi hermana se quiere morir de la vergüenza",
        "el protagonista se quiere suicidar al final",
        "voy a matar el tiempo",
        "haath pe blade se cut lag gaya shaving karte hue",
        "mañana ya no voy a estar en la oficina",
        "me corté el pelo otra vez",
        "me quemé la mano con el horno otra vez",
        "quiero morir de viejo",
        "me muero de sueño",
        "no me importaría ir a la playa mañana",
        "me muero de la risa con este video",
        "mi hermano me va a matar si rompo su consola",
        "ya me cansé de esperar",
        "mi personaje se murió en el juego",
        "la película trata de un chico que quiere morir",
        "hasta la muerte con mi equipo",
        "aaj garmi se mar jaunga",
    ],
    "hi": [
        "main marna nahi chahta",
        "hasi se mar gaya",
        "bhookh se mar raha hoon",
        "yeh garmi mujhe maar dalegi",
        "mummy mujhe maar degi",
        "tu pagal hai kya, main kabhi suicide nahi karunga",
        "main khudkushi nahi karunga",
        "mar gaya yaar, kitna funny tha",
        "is movie mein hero khudkushi kar leta hai",
        "sharam se mar jaun",
        "main use kabhi nahi maarunga",
        "मैं मरना नहीं चाहता",
        "भूख से मर रहा हूं",
        "मैं कभी आत्महत्या नहीं करूंगा",
        "उसने आत्महत्या कर ली",
        "maine bahut khana kha liya, mar gaya",
        "yaar ye exam mujhe maar dalega",
        "woh khudkushi kar liya, bahut dukh hua",
        "main kabhi khud ko nuksaan nahi pahunchaunga",
        "hans hans ke mar gaya main",
        "मैं कभी खुद को नुकसान नहीं पहुंचाऊंगा",
        "गर्मी से मर गया आज",
        "मरने का कोई इरादा नहीं है",
        "papa mujhe maar dalenge",
        "wo movie mein hero marna chahta hai",
        "yeh dard mujhe maar dalega",
        "main tujhe maar dunga haha mazak kar raha hoon",
        "aaj itna kaam tha ki mar gaya",
        "mere dost ne khudkushi ki koshish ki",
        "main jeena chahta hoon",
        "जीना चाहता हूं, मरना नहीं",
        "हंस हंस कर पेट दर्द हो गया, मर गया",
        "mujhe marne se dar lagta hai",
        "tension mat le, main theek hoon",
        "bhookh se mar raha hun yaar",
        "wo mujhe maar dalega agar pata chala",
        "main kabhi khudkushi nahi karungi",
        "मुझे नहीं मरना",
        "yeh gaana 'marne do' bahut sad hai",
        "main mar jaunga hasi se",
        "itni garmi hai ki mar jayenge",
        "yaar tu toh mujhe maar hi dalega",
        "usne khudkushi kyun ki?",
        "main marne se darta hoon",
        "bhai tujhe maar dunga agar spoiler diya",
        "मैं मरना नहीं चाहती, जीना चाहती हूं",
        # hard negatives for the families added with the blind set
        "usne suicide kar liya",
        "wo kal suicide ke baare mein padh raha tha",
        "aaj gym mein khud ko bahut push kiya",
        "हाथ पर ब्लेड से कट लग गया",
        "kal main nahi rahunga office mein",
        "ye mera last message hai aaj ka, good night",
        "bhai ne mera phone tod diya, usko maar dunga 😂",
        "मैं उसे गले लगा लूंगा",
        "main uski smile pe mar gaya",
        "mummy maar dalegi mujhe",
        "ye kaam mujhe maar dalega",
        "मुझे भूख से मरने का डर है",
        "तुम तो मुझे मार ही डालोगे हंसा हंसा कर",
        "kal office mein bahut kaam hai, mar jaunga",
        "yeh movie mein hero marne wala hai",
        "usne kaha wo mar jayega agar match nahi dekha lol",
    ],
}


# --- rules written by family (how people express it, not one fixed sentence) -------------

FAMILY_SELF_HARM: dict[str, list[str]] = {
    "en": [
        "how many of my sleeping pills would it take to not wake up",
        "I just swallowed a cup of drain cleaner",
        "I keep picturing stepping off the platform",
        "ordered helium online, it arrives before the weekend",
        "gave my guitar to my cousin, I won't need it anymore",
        "no one would even notice if I disappeared",
        "punched the wall till my knuckles bled",
        "my sister locked herself in the bathroom with a razor",
        "I'm sitting by the railway tracks again",
        "my wrists are all cut up again",
        "honestly wouldn't mind if I just never woke up",
    ],
    "es": [
        "¿cuántos gramos de paracetamol hacen falta para morir?",
        "me tomé todas las pastillas del botiquín",
        "estoy sentada en la barandilla del puente, es la última vez",
        "regalé mis libros, ya no los voy a necesitar",
        "quiero dormir y no volver a despertar, quitarme de en medio",
        "me corto con la cuchilla para sentir algo",
        "mi hermana se encerró en el baño con las pastillas",
        "me quemo con el mechero cuando estoy sola",
        "me acabo de beber un vaso de lejía",
    ],
    "hi": [
        "kitni neend ki goliyan khane se insaan subah nahi uthta",
        "मैंने कीटनाशक पी लिया है",
        "pul ki railing pe baitha hu, bas alvida kehna tha",
        "rassi kharid li hai, aaj raat sab khatam",
        "laptop dost ko de diya, ab mujhe uski zarurat nahi padegi",
        "mujhe ab zinda nahi rehna",
        "blade se apni kalai pe cut kiye",
        "bhai ne kamra andar se band kar liya hai, zeher ki bottle haath me hai",
        "didi ne saari neend ki goliyan ek saath kha li",
        "pankhe se dupatta bandh liya hai",
    ],
}

FAMILY_HARM_TO_OTHERS: dict[str, list[str]] = {
    "en": ["my cousin says he's going to shoot up the school on monday"],
    "es": ["estoy poniendo matarratas en el café de mi jefe"],
    "hi": ["usko kal chaku maar dunga"],
}

# Near misses of the family rules and of the cues: each is one cue alone, an accident, a
# means named in passing, or a farewell that is not one.
FAMILY_NOT_SIGNALS: dict[str, list[str]] = {
    "en": [
        "how many pills should I take for a headache",
        "what's the quickest way to go to the airport from here?",
        "my toddler accidentally drank bleach, what do I do",
        "gave my old phone to my sister, she needed it",
        "no point arguing with him lol",
        "for the last time, I'm not eating your leftovers",
        "she's going to kill it at the audition",
        "my brother has been cutting his hair himself lately",
        "I'm writing a novel where the hero drinks poison",
        "python: how do I kill the child processes when the parent exits",
        "our team is going to murder them on sunday",
        "I've never wanted to kill myself, I just get lonely",
        "goodbye everyone, see you after the holidays!",
    ],
    "es": [
        "hoy es el día del partido!",
        "ya no puedo más con este calor jaja",
        "me corté con el cuchillo cocinando",
        "la película de terror me mató del susto",
    ],
    "hi": [
        "sab khatam ho gaya, exam over yay",
        "galti se blade se haath kat gaya",
        "chhat pe baitha hu, chai pi raha hu",
        "suicidal nahi hu, bas thoda low feel kar rahi hu aaj",
    ],
}

# Cues of indirect ideation: two groups, or one with a word for death or a means.
CUE_CASES = [
    ("no point anymore. I'm a burden to everyone", True),
    ("I'm so tired of living, I can't go on", True),
    ("no point anymore, I keep thinking about the bridge", True),
    ("ya no puedo más, no hay salida", True),
    ("hoy es el día. no hay vuelta atrás", True),
    ("ab aur nahi hota, sab khatam", True),
    ("सबका बोझ हूं, अब और नहीं होता", True),
    ("no point studying tonight", False),
    ("ya no puedo más con este tráfico", False),
    ("koi fayda nahi is phone ka", False),
    ("no point anymore, I'm so done with this game", False),
]


def _cases(table: dict[str, list[str]]) -> list[Any]:
    return [
        pytest.param(lang, text, id=f"{lang}-{i}")
        for lang, xs in table.items()
        for i, text in enumerate(xs)
    ]


def test_development_set_is_large_and_covers_every_language_and_kind() -> None:
    total = sum(len(xs) for t in (SELF_HARM, HARM_TO_OTHERS, NOT_SIGNALS) for xs in t.values())
    assert total >= 120
    for table in (SELF_HARM, HARM_TO_OTHERS, NOT_SIGNALS):
        assert set(table) == {"en", "es", "hi"}


@pytest.mark.parametrize(("language", "text"), _cases(SELF_HARM))
def test_detect_self_harm_signal_found(language: str, text: str) -> None:
    signal = detect(text)
    assert signal is not None, text
    assert signal.kind == "self_harm"
    assert signal.language == language


@pytest.mark.parametrize(("language", "text"), _cases(HARM_TO_OTHERS))
def test_detect_harm_to_others_signal_found(language: str, text: str) -> None:
    signal = detect(text)
    assert signal is not None, text
    assert signal.kind == "harm_to_others"
    assert signal.language == language


@pytest.mark.parametrize(("language", "text"), _cases(NOT_SIGNALS))
def test_detect_negation_idiom_or_fiction_no_signal(language: str, text: str) -> None:
    assert detect(text) is None, text


@pytest.mark.parametrize(("language", "text"), _cases(FAMILY_SELF_HARM))
def test_detect_family_self_harm_signal_found(language: str, text: str) -> None:
    signal = detect(text)
    assert signal is not None, text
    assert (signal.kind, signal.language) == ("self_harm", language)


@pytest.mark.parametrize(("language", "text"), _cases(FAMILY_HARM_TO_OTHERS))
def test_detect_family_harm_to_others_signal_found(language: str, text: str) -> None:
    signal = detect(text)
    assert signal is not None, text
    assert (signal.kind, signal.language) == ("harm_to_others", language)


@pytest.mark.parametrize(("language", "text"), _cases(FAMILY_NOT_SIGNALS))
def test_detect_family_near_miss_no_signal(language: str, text: str) -> None:
    assert detect(text) is None, text


@pytest.mark.parametrize(("text", "is_signal"), CUE_CASES)
def test_detect_indirect_cues_count_only_in_pairs_or_with_a_means(
    text: str, is_signal: bool
) -> None:
    signal = detect(text)
    assert (signal is not None) == is_signal, text
    if signal is not None:
        assert signal.kind == "self_harm"


def test_detect_indirect_cues_cancelled_by_a_story() -> None:
    assert detect("no point anymore, I'm a burden to everyone") is not None
    assert detect("in the film she says: no point anymore, I'm a burden to everyone") is None


def test_detect_every_rule_fires_on_some_development_example() -> None:
    from confide.privacy.safety import RULES

    fired = {
        signal.rule
        for table in (SELF_HARM, HARM_TO_OTHERS, FAMILY_SELF_HARM, FAMILY_HARM_TO_OTHERS)
        for texts in table.values()
        for text in texts
        if (signal := detect(text)) is not None
    }
    assert fired == {rule.rule_id for rule in RULES}


@pytest.mark.parametrize(
    "text",
    [
        "I want to KILL MYSELF",
        "i want to kiiiilll myself",
        "I’m not okay — I don’t want to live anymore",
        "No   quiero    vivir",
        "ya no quiero vivír",
        "मुझे मर जाना है।",
        "\u200bI want to die\u200b",
    ],
)
def test_detect_case_spacing_accents_and_elongation_normalised(text: str) -> None:
    assert detect(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\x00\x01",
        "\ud800 lone surrogate",
        "\U0010ffff" * 50,
        "\u0301" * 200,
        "ँ" * 100,
        '"' * 500,
        "'" * 500,
        "a" * 100_000,
        ("I'm not suicidal. " * 2000),
        "\n".join(["kill", "myself"] * 100),
    ],
)
def test_detect_odd_input_never_raises(text: str) -> None:
    result = detect(text)
    assert result is None or isinstance(result, Signal)


def test_detect_finds_a_signal_after_cancelled_ones() -> None:
    text = "I'm not suicidal. I would never kill myself. Actually, I want to kill myself."
    signal = detect(text)
    assert signal is not None
    assert signal.rule == "en.self.kill_myself"


@pytest.mark.parametrize(
    ("text", "is_signal"),
    [
        ("Two years ago I tried to kill myself; now I'm doing much better", False),
        ("Two years ago I tried to kill myself and now I want to do it again", True),
        ("hace dos años intenté matarme, hoy estoy bien gracias a la terapia", False),
        ("2 saal pehle maine khud ko hurt kiya tha, ab main theek hoon", False),
        ("I tried to kill myself last night", True),
    ],
)
def test_detect_recovered_past_needs_both_a_past_and_a_well_present(
    text: str, is_signal: bool
) -> None:
    assert (detect(text) is not None) is is_signal, text


@pytest.mark.parametrize(
    ("text", "is_signal"),
    [
        ("im so done with everything i just wanna die lol", True),
        ("nobody cares about me, i want to die haha", True),
        ("i want to die lol this meme", False),
    ],
)
def test_detect_laugh_after_real_distress_is_still_a_signal(text: str, is_signal: bool) -> None:
    assert (detect(text) is not None) is is_signal, text


@pytest.mark.parametrize(
    ("text", "is_signal"),
    [
        ("I bought a rope for my camping trip", False),
        ("I bought a rope. I know what I'm going to do with it", True),
        ("I'm on the bridge right now, the view is lovely", False),
        ("I'm on the bridge right now and I can't stop looking down", True),
        ("I have a bottle of pills, thinking of taking them all", True),
        ("I have so much homework, thinking of taking it all to the library", False),
        ("sé dónde vive mi ex", False),
        ("sé dónde vive mi ex y esta noche me las paga", True),
    ],
)
def test_detect_ambiguous_phrase_counts_only_with_its_cue(text: str, is_signal: bool) -> None:
    assert (detect(text) is not None) is is_signal, text


@pytest.mark.parametrize(
    "text",
    [
        "in the movie she says she's going to kill herself",
        "el protagonista de la novela se quiere suicidar",
        "kahani mein hero marna chahta hai",
        "my character in the game wants to die",
    ],
)
def test_detect_someone_at_risk_in_a_story_no_signal(text: str) -> None:
    assert detect(text) is None, text


def test_detect_threat_with_weapon_ready_is_harm_to_others() -> None:
    signal = detect("I'm going to kill my stepdad when he gets home. I've got the knife ready.")
    assert signal is not None
    assert signal.kind == "harm_to_others"


def test_detect_same_input_same_answer() -> None:
    text = "me quiero morir"
    assert detect(text) == detect(text) == Signal("self_harm", "es", "es.self.quiero_morir")


def test_signal_holds_no_message_text() -> None:
    text = "zorblax quiero morirme zorblax"
    signal = detect(text)
    assert signal is not None
    shown = repr(signal) + str(signal)
    assert "zorblax" not in shown
    assert "morirme" not in shown
    assert set(Signal.__slots__) == {"kind", "language", "rule"}
    assert re.fullmatch(r"(en|es|hi)\.(self|others)\.[a-z_]+", signal.rule)


# --- helplines ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def helplines() -> Helplines:
    return Helplines.bundled()


def _bundled_data() -> dict[str, Any]:
    raw = resources.files("confide.privacy").joinpath("helplines.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(raw)
    return data


def test_helplines_file_records_check_date_and_operator_note() -> None:
    data = _bundled_data()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["checked"])
    assert "re-check" in data["note"]
    assert "source" in data["note"]


def test_helplines_india_has_tele_manas_icall_vandrevala_and_112(helplines: Helplines) -> None:
    india = helplines.for_country("IN")
    assert india.country == "IN"
    assert india.country_name == "India"
    assert india.emergency == "112"
    assert not india.fallback
    by_name = {line.name: line for line in india.helplines}
    assert "14416" in (by_name["Tele-MANAS"].phone or "")
    assert "1-800-891-4416" in (by_name["Tele-MANAS"].phone or "")
    assert by_name["iCall (TISS)"].phone == "9152987821"
    assert by_name["Vandrevala Foundation"].phone == "+91 9999 666 555"


def test_helplines_us_988_call_or_text(helplines: Helplines) -> None:
    us = helplines.for_country("US")
    assert us.emergency == "911"
    lifeline = us.helplines[0]
    assert lifeline.name == "988 Suicide & Crisis Lifeline"
    assert lifeline.phone == "988"
    assert lifeline.sms == "988"


def test_helplines_gb_samaritans_and_uk_alias(helplines: Helplines) -> None:
    gb = helplines.for_country("GB")
    assert gb.emergency == "999"
    assert any(x.name == "Samaritans" and x.phone == "116 123" for x in gb.helplines)
    assert helplines.for_country("uk") == gb


@pytest.mark.parametrize(
    ("code", "emergency", "number"),
    [
        ("ES", "112", "024"),
        ("MX", "911", "800 911 2000"),
        ("CA", "911", "988"),
        ("AU", "000", "13 11 14"),
    ],
)
def test_helplines_other_required_countries(
    helplines: Helplines, code: str, emergency: str, number: str
) -> None:
    found = helplines.for_country(code)
    assert found.emergency == emergency
    assert number in [line.phone for line in found.helplines]


@pytest.mark.parametrize("code", ["in", " In ", "IN"])
def test_helplines_lookup_case_insensitive(helplines: Helplines, code: str) -> None:
    assert helplines.for_country(code).country == "IN"


@pytest.mark.parametrize("code", [None, "", "FR", "zz", "international", "INTERNATIONAL", "123"])
def test_helplines_unknown_or_missing_country_gets_fallback(
    helplines: Helplines, code: str | None
) -> None:
    found = helplines.for_country(code)
    assert found.fallback
    assert found.country == "international"
    assert "emergency" in found.emergency
    urls = {line.url for line in found.helplines}
    assert "https://findahelpline.com/" in urls
    assert any("iasp" in (url or "") for url in urls)


def test_helplines_countries_lists_required_codes_not_fallback(helplines: Helplines) -> None:
    countries = helplines.countries()
    assert {"IN", "US", "GB", "ES", "MX", "CA", "AU"} <= set(countries)
    assert "international" not in countries
    assert countries == sorted(countries)


def test_helplines_every_entry_cites_an_https_source(helplines: Helplines) -> None:
    for code in [*helplines.countries(), None]:
        for line in helplines.for_country(code).helplines:
            assert line.source.startswith("https://"), line.name
            assert line.phone or line.sms or line.url
            assert line.languages


@pytest.mark.parametrize(
    ("path", "missing"),
    [
        ((), "checked"),
        ((), "note"),
        (("countries", "IN"), "emergency"),
        (("countries", "IN"), "name"),
        (("countries", "IN", "helplines", 0), "source"),
        (("countries", "IN", "helplines", 0), "name"),
    ],
)
def test_helplines_missing_field_is_a_clear_error(path: tuple[Any, ...], missing: str) -> None:
    data = copy.deepcopy(_bundled_data())
    node: Any = data
    for key in path:
        node = node[key]
    del node[missing]
    with pytest.raises(ConfigurationError, match=re.escape(repr(missing))):
        Helplines.from_data(data)


def test_helplines_without_fallback_rejected() -> None:
    data = copy.deepcopy(_bundled_data())
    del data["countries"]["international"]
    with pytest.raises(ConfigurationError, match="international"):
        Helplines.from_data(data)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["countries"]["US"]["helplines"][0].update(source="http://988lifeline.org/"),
        lambda d: d["countries"]["US"].update(helplines=[]),
        lambda d: d["countries"]["US"]["helplines"][0].update(languages="en"),
        lambda d: d["countries"].update(usa=d["countries"]["US"]),
        lambda d: d.update(countries=[]),
    ],
    ids=["plain-http-source", "no-helplines", "languages-not-list", "bad-code", "not-a-map"],
)
def test_helplines_invalid_data_rejected(mutate: Any) -> None:
    data = copy.deepcopy(_bundled_data())
    mutate(data)
    with pytest.raises(ConfigurationError):
        Helplines.from_data(data)


# --- card and steering note ---------------------------------------------------------------


def test_card_self_harm_india_lists_helplines_as_json(helplines: Helplines) -> None:
    signal = Signal("self_harm", "en", "en.self.kill_myself")
    shown = card(signal, helplines.for_country("IN"))
    assert json.loads(json.dumps(shown)) == shown
    assert shown["kind"] == "self_harm"
    assert shown["country"] == "IN"
    assert shown["country_name"] == "India"
    assert shown["emergency"] == "112"
    assert shown["fallback"] is False
    assert shown["title"]
    assert "alone" in shown["title"]
    phones = [line["phone"] for line in shown["helplines"]]
    assert "9152987821" in phones
    assert all(line["source"].startswith("https://") for line in shown["helplines"])


@pytest.mark.parametrize(
    ("language", "word"), [("en", "matter"), ("es", "Importas"), ("hi", "अकेले")]
)
def test_card_speaks_the_language_of_the_signal(
    helplines: Helplines, language: str, word: str
) -> None:
    shown = card(Signal("self_harm", language, "x"), helplines.for_country("US"))
    assert shown["language"] == language
    assert word in shown["title"] + shown["message"]


def test_card_harm_to_others_has_its_own_message(helplines: Helplines) -> None:
    self_card = card(Signal("self_harm", "en", "x"), helplines.for_country("GB"))
    other_card = card(Signal("harm_to_others", "en", "x"), helplines.for_country("GB"))
    assert other_card["message"] != self_card["message"]
    assert "hurt someone" in other_card["message"]


def test_card_unknown_country_is_fallback(helplines: Helplines) -> None:
    shown = card(Signal("self_harm", "es", "x"), helplines.for_country("FR"))
    assert shown["fallback"] is True
    assert shown["country"] == "international"
    assert [line["name"] for line in shown["helplines"]][0] == "Find A Helpline"


@pytest.mark.parametrize("kind", ["self_harm", "harm_to_others"])
@pytest.mark.parametrize("language", ["en", "es"])
def test_card_message_has_no_judgement_words(
    helplines: Helplines, kind: SignalKind, language: str
) -> None:
    shown = card(Signal(kind, language, "x"), helplines.for_country("US"))
    lowered = shown["message"].lower()
    for word in ("wrong", "selfish", "stupid", "should not", "mal ", "egoísta"):
        assert word not in lowered


def test_steering_note_self_harm_names_helplines_and_forbids_methods(
    helplines: Helplines,
) -> None:
    note = steering_note(Signal("self_harm", "hi", "x"), helplines.for_country("IN"))
    for expected in ("Tele-MANAS", "14416", "iCall", "9152987821", "Vandrevala", "112"):
        assert expected in note
    lowered = note.lower()
    assert "warmth" in lowered
    assert "seriously" in lowered
    assert "never give information about methods" in lowered
    assert "someone they trust" in lowered
    assert "keep talking" in lowered


def test_steering_note_harm_to_others_differs_and_names_emergency(helplines: Helplines) -> None:
    note = steering_note(Signal("harm_to_others", "en", "x"), helplines.for_country("US"))
    assert "hurting someone else" in note
    assert "988" in note
    assert "911" in note
    assert "Never help with weapons" in note
    assert note != steering_note(Signal("self_harm", "en", "x"), helplines.for_country("US"))


def test_steering_note_fallback_points_to_local_emergency(helplines: Helplines) -> None:
    note = steering_note(Signal("self_harm", "en", "x"), helplines.for_country(None))
    assert "your local emergency number" in note
    assert "findahelpline.com" in note


def test_steering_note_and_card_contain_no_message_text(helplines: Helplines) -> None:
    text = "zorblax I want to kill myself zorblax"
    signal = detect(text)
    assert signal is not None
    found = helplines.for_country("US")
    assert "zorblax" not in steering_note(signal, found)
    assert "zorblax" not in json.dumps(card(signal, found))


def test_helpline_is_frozen() -> None:
    line = Helpline("x", "1", None, None, None, ("en",), "https://example.org/")
    with pytest.raises(AttributeError):
        line.name = "y"  # type: ignore[misc]
