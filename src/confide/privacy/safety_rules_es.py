"""The crisis-signal rules in Spanish.

:mod:`confide.privacy.safety_rules` says how rules are written;
:func:`confide.privacy.safety.detect` uses them."""

from __future__ import annotations

from confide.privacy.safety_rules import (
    _ES_CLITIC,
    _ES_HURT,
    _ES_INTENT,
    _ES_NOT_IDIOM,
    _ES_OBJ,
    Rule,
    _rule,
)

__all__ = ["RULES"]

RULES: tuple[Rule, ...] = (
    # ---- Spanish: self-harm and suicide --------------------------------------------------
    _rule(
        "es.self.quiero_morir",
        r"(?:quiero|kiero|qiero|kero|quisiera|deseo|necesito|tengo ganas de|me dan ganas de"
        r"|ganas de"
        r"|prefiero|preferiria|me gustaria|merezco|me merezco|deberia)\s+(?:me\s+)?(?:morir(?:me)?"
        r"|estar muert[oa]"
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
        r"(?:matarme|suicidarme|ahorcarme|colgarme|quitarme la vida|acabar con mi vida"
        r"|terminar con mi vida|me voy a colgar"
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
        r"|(?<![a-z])si [^.!?]{0,60}? me mato(?=\s*(?:$|[.!?,;]|y\s))"
        r"|me (?:suicido|matare|suicidare|ahorco|tiro (?:del|de un|de una|desde el|desde la"
        r"|por la|al) (?:puente|edificio|balcon|ventana|azotea|techo|tren|metro|vacio)))"
        r"(?!\s+(?:estudiando|trabajando|de risa|en el gym|en el gimnasio|entrenando|corriendo"
        r"|el|la|los|las|mi|mis|de|a|por|con|haciendo|limpiando|en)\b)",
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
        r"|tengo (?:la|las|una|mi|mis) (?:navaja|cuchilla|pastillas|soga|cuerda|pistola)"
        r" (?:en (?:la|mi|las|mis) manos?|aqui conmigo|listas?)"
        r"|(?:la muerte|morir(?:me)?|no despertar|suicidarme|matarme) (?:seria|es|sera) (?:un|una"
        r"|mi) (?:alivio|descanso|liberacion|salida)|(?:la muerte|morir(?:me)?|suicidarme|matarme)"
        r" es (?:la|mi) unica (?:salida|opcion|solucion)"
        r"|ya no le (?:encuentro|veo) sentido a (?:nada|la vida|vivir|seguir)"
        r"|no tiene sentido (?:seguir viviendo|vivir|seguir con vida|seguir aqui|seguir en este"
        r" mundo)|(?:me corte|me corto|cortarme|me voy a cortar) (?:las|mis) (?:munecas|venas)"
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
        r"|(?:me|estoy) (?:\w+ ){0,3}hasta (?:sangrar|que sangr\w*)"
        r"|(?:dejar de comer|no como|no he comido)[^.!?]{0,20}?(?:a proposito|hasta (?:morir"
        r"|desaparecer)|para desaparecer|porque no merezco))",
        first_person=True,
        unless_near=r"(?<![a-z])(?:sin querer|cocinando|picando|accidente|me cai|horno|estufa"
        r"|plancha)(?![a-z])",
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
        r"|cortarse|lastimarse|hacerse dano))(?!\s+(?:estudiando|trabajando|de risa|con (?:la|esa"
        r"|esta|su) (?:moto"
        r"|bici)|el pelo|las unas|de\b))"
        r"|(?:dice|dijo|me dijo|me escribio|me mando un mensaje"
        r"|anda diciendo) que (?:ya )?no quiere"
        r" (?:vivir|seguir viviendo|seguir aqui|estar aqui|despertar)"
        r"|se (?:esta|sigue) (?:cortando|lastimando|haciendo dano|quemando)"
        r"|se corta (?:los brazos|las munecas|las piernas|otra vez|de nuevo)"
        r"|(?:mi|su|una?) (?:\w+ )?(?:amig[oa]|herman[oa]|hij[oa]|prim[oa]|novi[oa]|pareja"
        r"|companer[oa]|mama|papa) (?:\w+ ){0,2}?(?:esta|anda|se siente|se ve|es) (?:muy )?suicida",
        weak=True,
        third_person=True,
    ),
    # ---- Spanish: harm to others ---------------------------------------------------------
    _rule(
        "es.others.amenaza",
        rf"(?:{_ES_INTENT}\s+(?:ir a\s+)?(?:{_ES_HURT}{_ES_CLITIC}|(?:hacer|pegar|dar|partir"
        rf"|romper|tirar|echar|meter){_ES_CLITIC}\s+(?:dano|un tiro|un balazo|una paliza|la cara"
        r"|acido)|(?:quemar|incendiar)(?:le|les)? (?:la|su) casa"
        rf"|(?:{_ES_HURT}|hacer(?:le|les)? dano|pegar(?:le|les)? un tiro)\s+{_ES_OBJ})"
        rf"|{_ES_CLITIC}\s+(?:voy a|vamos a|quiero|pienso|tengo ganas de|podria)\s+(?:{_ES_HURT}"
        r"|hacer dano|pegar un tiro|dar un tiro|pegar una paliza|dar una paliza|partir la cara"
        r"|romper la cara|(?:tirar|echar|lanzar) acido|meter un (?:balazo|tiro))|(?:lo|la|los"
        r"|las)\s+(?:mato|matare|asesino"
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
        r"(?:pistola|arma|cuchillo|bomba|navaja|rifle"
        r"|escopeta)(?:\s+de\s+mi\s+\w+)?\s+a\s+(?:la escuela|el colegio|clase|la universidad"
        r"|la uni|el trabajo"
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
)
