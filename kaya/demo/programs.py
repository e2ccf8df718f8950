"""The demo program catalogue: six programs, every day a script in English and
Spanish.

Written to be followed by someone who may be tired, anxious or low: short
sentences, permission to stop, no promises of cure, no clinical advice. Breath
work never asks for long holds; movement stays within comfort. Reviewed for
safety: nothing here replaces care, and the program descriptions say so.
"""

from __future__ import annotations

from typing import Any

from kaya.demo.base import SeedRun
from wellness.models import ProgramDay, SessionType, WellnessProgram
from wellness.services import program_catalog_changed

NOT_CARE_EN = (
    " This program is for everyday wellbeing and is not a substitute for "
    "professional care. If you are struggling or feel unsafe, please reach out "
    "to a professional or a crisis line."
)
NOT_CARE_ES = (
    " Este programa es para el bienestar cotidiano y no sustituye la atención "
    "profesional. Si lo estás pasando mal o no te sientes a salvo, busca a un "
    "profesional o llama a una línea de ayuda."
)


def _day(
    session_type: str,
    minutes: int,
    en: tuple[str, str],
    es: tuple[str, str],
) -> dict[str, Any]:
    return {
        "session_type": session_type,
        "duration_minutes": minutes,
        "title": en[0],
        "content": en[1].strip(),
        "translations": {"es": {"title": es[0], "content": es[1].strip()}},
    }


PROGRAMS: list[dict[str, Any]] = [
    {
        "slug": "calm-in-seven-days",
        "title": "Calm in Seven Days",
        "summary": "A gentle first week of short breathing and body-scan practices.",
        "description": "Seven short practices, one a day, to build a small habit "
        "of pausing. Each day adds one simple skill: noticing the breath, the "
        "body, kindness, letting go. Five to twelve minutes a day." + NOT_CARE_EN,
        "category": WellnessProgram.Category.STRESS,
        "difficulty": WellnessProgram.Difficulty.BEGINNER,
        "is_premium": False,
        "es": {
            "title": "Calma en siete días",
            "summary": "Una primera semana suave de respiración y escaneo corporal.",
            "description": "Siete prácticas breves, una al día, para crear el "
            "pequeño hábito de hacer una pausa. Cada día suma una habilidad "
            "sencilla: notar la respiración, el cuerpo, la amabilidad, soltar. "
            "De cinco a doce minutos al día." + NOT_CARE_ES,
        },
        "days": [
            _day(
                SessionType.BREATHING,
                5,
                (
                    "Arriving",
                    """
Find a place where you can sit or lie down for a few minutes. You don't need a special posture or a quiet house; a chair, a bed or the floor is fine. If it feels comfortable, let your eyes close, or rest your gaze softly on the floor in front of you.

Notice that you have arrived here. Feel where your body touches the chair or the ground: your feet, your legs, your back. Let the surface hold you. There is nothing to fix and nothing to achieve right now.

Now bring your attention to your breathing, without changing it. Notice the air coming in and going out, perhaps at the nostrils, the chest or the belly. When your mind wanders, and it will, simply notice where it went and come back to the next breath. That returning is the practice, not a failure.

After five minutes, take one slightly deeper breath, open your eyes and look around the room. Well done for giving yourself this time. Tomorrow we will build on it.
""",
                ),
                (
                    "Llegar",
                    """
Busca un lugar donde puedas sentarte o tumbarte unos minutos. No necesitas una postura especial ni una casa en silencio; una silla, la cama o el suelo están bien. Si te resulta cómodo, cierra los ojos o deja la mirada descansar en el suelo, delante de ti.

Date cuenta de que has llegado aquí. Siente dónde tu cuerpo toca la silla o el suelo: los pies, las piernas, la espalda. Deja que la superficie te sostenga. Ahora mismo no hay nada que arreglar ni nada que conseguir.

Lleva ahora la atención a tu respiración, sin cambiarla. Nota el aire que entra y sale, quizá en la nariz, el pecho o el vientre. Cuando la mente se distraiga, y lo hará, observa adónde se fue y vuelve a la siguiente respiración. Volver es la práctica, no un fallo.

Después de cinco minutos, haz una respiración un poco más profunda, abre los ojos y mira a tu alrededor. Bien hecho por regalarte este rato. Mañana seguiremos a partir de aquí.
""",
                ),
            ),
            _day(
                SessionType.BODY_SCAN,
                8,
                (
                    "Noticing the body",
                    """
Lie down or sit comfortably. Take a few natural breaths and let your body settle. Today we will move our attention slowly through the body, simply noticing what is there: warmth, coolness, tingling, pressure, or nothing much at all. All of it is fine.

Start with your feet. Notice the toes, the soles, the heels. Then move up to the ankles, the calves and the knees. If you find tension, you don't need to make it go away; just say to yourself, "this is here," and move on. Continue to the thighs, the hips and the lower back.

Now the belly and chest, rising and falling with the breath. Then the hands, the arms and the shoulders, which often carry the day. Let your attention rest on the neck, the jaw, the small muscles around the eyes and the forehead. If your jaw is clenched, let your teeth part slightly.

Finish by sensing the whole body at once, breathing as one piece. If any part of this felt uncomfortable, that's okay; you can keep your eyes open or shorten the practice next time. Notice how you feel now, without judging it.
""",
                ),
                (
                    "Notar el cuerpo",
                    """
Túmbate o siéntate con comodidad. Haz unas cuantas respiraciones naturales y deja que el cuerpo se asiente. Hoy vamos a recorrer el cuerpo despacio con la atención, simplemente notando lo que hay: calor, frescor, cosquilleo, presión, o casi nada. Todo está bien.

Empieza por los pies. Nota los dedos, las plantas, los talones. Sube luego a los tobillos, las pantorrillas y las rodillas. Si encuentras tensión, no hace falta que desaparezca; solo dite: «esto está aquí», y sigue. Continúa por los muslos, las caderas y la parte baja de la espalda.

Ahora el vientre y el pecho, que suben y bajan con la respiración. Después las manos, los brazos y los hombros, que a menudo cargan con el día. Deja que la atención descanse en el cuello, la mandíbula, los pequeños músculos de alrededor de los ojos y la frente. Si aprietas la mandíbula, separa un poco los dientes.

Termina sintiendo todo el cuerpo a la vez, respirando como una sola pieza. Si algo te resultó incómodo, no pasa nada; la próxima vez puedes dejar los ojos abiertos o acortar la práctica. Observa cómo te sientes ahora, sin juzgarlo.
""",
                ),
            ),
            _day(
                SessionType.MEDITATION,
                8,
                (
                    "Softening",
                    """
Settle into your seat and take three easy breaths. Today's practice is about softening: meeting tension with a little more gentleness instead of fighting it.

Scan quickly for the place in your body that feels tightest right now. It might be the shoulders, the stomach or the hands. Rest your attention there. As you breathe in, imagine the breath arriving in that place. As you breathe out, let it soften by one percent. Not all the way, just a little. You can silently say "soft" on each out-breath.

If your mind brings up a worry, notice it the same way: "there's worry." See if you can let your face and shoulders soften even while the worry is there. You are not trying to stop thoughts, only to loosen your grip on them a little.

Before you finish, place a hand somewhere that feels comforting, perhaps your chest or your arm. Thank yourself for practising. Softening is a skill, and like any skill it grows with small, repeated steps.
""",
                ),
                (
                    "Suavizar",
                    """
Acomódate en tu asiento y haz tres respiraciones tranquilas. La práctica de hoy trata de suavizar: recibir la tensión con un poco más de amabilidad en lugar de pelear con ella.

Busca rápidamente el lugar del cuerpo que ahora mismo se siente más tenso. Puede que sean los hombros, el estómago o las manos. Deja que la atención descanse ahí. Al inhalar, imagina que la respiración llega a ese lugar. Al exhalar, deja que se suavice un uno por ciento. No del todo, solo un poco. Puedes decir en silencio «suave» en cada exhalación.

Si la mente trae una preocupación, obsérvala igual: «ahí hay preocupación». Mira si puedes suavizar la cara y los hombros incluso mientras la preocupación sigue ahí. No intentas detener los pensamientos, solo aflojar un poco la forma en que te agarras a ellos.

Antes de terminar, pon una mano en un lugar que te reconforte, quizá el pecho o el brazo. Agradécete haber practicado. Suavizar es una habilidad y, como cualquier habilidad, crece con pasos pequeños y repetidos.
""",
                ),
            ),
            _day(
                SessionType.GRATITUDE,
                6,
                (
                    "Kindness",
                    """
Sit comfortably and let your breathing find its own pace. Today we turn toward small good things. This isn't about pretending everything is fine; hard things and good things can sit side by side.

Bring to mind one small thing from the last day that was okay or even pleasant: a warm drink, a message from someone, sunlight through a window, a moment of rest. Picture it as clearly as you can. Notice any feeling that comes with it, even a faint one, and let it stay for a few breaths.

Now think of one person who has been kind to you, recently or long ago. Silently wish them well: "May you be well. May you be at ease." If no one comes to mind, that's alright; you can offer the wish to a stranger you passed today, or to yourself.

If you like, write down the small thing and the person in your journal afterwards. Noticing what is good, gently and regularly, tends to make it easier to see.
""",
                ),
                (
                    "Amabilidad",
                    """
Siéntate con comodidad y deja que la respiración encuentre su propio ritmo. Hoy nos fijamos en las cosas buenas pequeñas. No se trata de fingir que todo va bien; lo difícil y lo bueno pueden convivir.

Trae a la mente algo pequeño del último día que estuvo bien o incluso fue agradable: una bebida caliente, un mensaje de alguien, la luz del sol por una ventana, un momento de descanso. Imagínalo con toda la claridad que puedas. Nota cualquier sensación que lo acompañe, aunque sea leve, y deja que se quede unas cuantas respiraciones.

Piensa ahora en una persona que haya sido amable contigo, hace poco o hace mucho. Deséale en silencio lo mejor: «Que estés bien. Que estés en calma». Si no te viene nadie a la mente, no pasa nada; puedes ofrecer el deseo a alguien con quien te cruzaste hoy, o a ti.

Si quieres, anota después en tu diario esa cosa pequeña y esa persona. Fijarse en lo bueno, con suavidad y a menudo, suele hacer que sea más fácil verlo.
""",
                ),
            ),
            _day(
                SessionType.BREATHING,
                10,
                (
                    "Steady breath",
                    """
Sit upright but relaxed, with your shoulders loose. Today we practise a steady, slightly slower breath that many people find calming. Breathe in and out through your nose if that is comfortable; otherwise through your mouth is fine.

Breathe in gently while counting to four. Breathe out gently while counting to six. There is no holding. If four and six feel too long, try three and four, or whatever feels easy. The out-breath being a little longer than the in-breath is what matters, not the exact numbers.

Continue for a few minutes. If you feel lightheaded or uncomfortable at any point, stop counting and return to your normal breathing; that is always the right choice. When your mind drifts, just begin the count again from one.

For the last minute, let go of the counting and breathe naturally. Notice whether anything feels different from when you started. This steady breath is a tool you can use anywhere: on a bus, before a difficult call, or in bed.
""",
                ),
                (
                    "Respiración estable",
                    """
Siéntate erguido pero relajado, con los hombros sueltos. Hoy practicamos una respiración estable y algo más lenta que a mucha gente le resulta calmante. Respira por la nariz si te resulta cómodo; si no, por la boca también está bien.

Inhala suavemente mientras cuentas hasta cuatro. Exhala suavemente mientras cuentas hasta seis. No retengas el aire. Si cuatro y seis te parecen demasiado, prueba con tres y cuatro, o lo que te resulte fácil. Lo importante es que la exhalación sea un poco más larga que la inhalación, no los números exactos.

Continúa unos minutos. Si en algún momento notas mareo o incomodidad, deja de contar y vuelve a tu respiración normal; esa es siempre la decisión correcta. Cuando la mente se vaya, vuelve a empezar la cuenta desde uno.

Durante el último minuto, suelta la cuenta y respira con naturalidad. Observa si algo se siente distinto a cuando empezaste. Esta respiración estable es una herramienta que puedes usar en cualquier sitio: en el autobús, antes de una llamada difícil o en la cama.
""",
                ),
            ),
            _day(
                SessionType.MEDITATION,
                10,
                (
                    "Letting go",
                    """
Settle in and take a few slow breaths. Today we practise letting thoughts come and go, like clouds passing across the sky or leaves floating down a stream.

Rest your attention on the breath. When a thought appears, a plan, a memory, a worry, gently label it: "planning", "remembering", "worrying". Then imagine placing it on a leaf and watching it float away. You don't have to push it; just let the stream carry it at its own speed. Come back to the breath.

Some thoughts are sticky and come back again and again. That's normal. Each time, label it kindly and place it on another leaf. If a thought carries a strong feeling, you can notice where that feeling sits in the body and breathe with it for a moment before returning.

To finish, let go of the image and simply sit for a few breaths. You might notice that thoughts are events that pass, even when they feel urgent. You can come back to this practice whenever your mind feels crowded.
""",
                ),
                (
                    "Soltar",
                    """
Acomódate y haz unas cuantas respiraciones lentas. Hoy practicamos dejar que los pensamientos vengan y se vayan, como nubes que cruzan el cielo u hojas que flotan río abajo.

Deja la atención en la respiración. Cuando aparezca un pensamiento, un plan, un recuerdo, una preocupación, ponle una etiqueta suave: «planear», «recordar», «preocuparme». Luego imagina que lo colocas sobre una hoja y lo ves alejarse flotando. No tienes que empujarlo; deja que la corriente se lo lleve a su ritmo. Vuelve a la respiración.

Algunos pensamientos son pegajosos y vuelven una y otra vez. Es normal. Cada vez, etiquétalo con amabilidad y ponlo sobre otra hoja. Si un pensamiento trae una emoción fuerte, puedes notar dónde se siente en el cuerpo y respirar con ella un momento antes de volver.

Para terminar, suelta la imagen y quédate sentado unas respiraciones. Quizá notes que los pensamientos son sucesos que pasan, aunque parezcan urgentes. Puedes volver a esta práctica siempre que sientas la mente abarrotada.
""",
                ),
            ),
            _day(
                SessionType.MEDITATION,
                12,
                (
                    "Carrying calm",
                    """
This is the last day of the week. Find your seat and take a moment to notice how you are arriving today, without needing it to be any particular way.

Spend a few minutes with the steady breath from day five: in for four, out for six, or whatever is comfortable. Then let the breath return to normal and do a short body scan, from the feet to the head, softening anything that feels tight, as on day three.

Now think about the coming week. Picture one moment where a short pause could help: waking up, a commute, a meeting, the last hour before bed. Imagine yourself taking three slow breaths in that moment. Decide, kindly and realistically, when you will try it. One minute a day counts.

Close by noticing what you have done this week: you made time for yourself seven times. Whatever it felt like, that matters. You can repeat any day you liked, or choose a new program when you are ready.
""",
                ),
                (
                    "Llevar la calma contigo",
                    """
Este es el último día de la semana. Busca tu asiento y tómate un momento para notar cómo llegas hoy, sin necesidad de que sea de ninguna manera concreta.

Dedica unos minutos a la respiración estable del quinto día: inhala contando cuatro, exhala contando seis, o lo que te resulte cómodo. Después deja que la respiración vuelva a la normalidad y haz un breve escaneo corporal, de los pies a la cabeza, suavizando lo que sientas tenso, como el tercer día.

Piensa ahora en la semana que viene. Imagina un momento en el que una pausa breve podría ayudarte: al despertar, en un trayecto, en una reunión, en la última hora antes de dormir. Imagínate haciendo tres respiraciones lentas en ese momento. Decide, con amabilidad y realismo, cuándo lo vas a probar. Un minuto al día cuenta.

Termina notando lo que has hecho esta semana: te has dedicado tiempo siete veces. Lo hayas sentido como lo hayas sentido, eso importa. Puedes repetir cualquier día que te haya gustado o elegir un programa nuevo cuando quieras.
""",
                ),
            ),
        ],
    },
    {
        "slug": "deeper-sleep",
        "title": "Deeper Sleep",
        "summary": "Five evenings of wind-down practices for restful nights.",
        "description": "Five evening practices to help your body and mind slow "
        "down before bed. Do them in bed or just before, with the lights low. "
        "If sleep problems last for weeks or affect your days, talk to a doctor."
        + NOT_CARE_EN,
        "category": WellnessProgram.Category.SLEEP,
        "difficulty": WellnessProgram.Difficulty.BEGINNER,
        "is_premium": True,
        "es": {
            "title": "Dormir más profundo",
            "summary": "Cinco noches de prácticas para relajarte y descansar mejor.",
            "description": "Cinco prácticas nocturnas para ayudar al cuerpo y a "
            "la mente a bajar el ritmo antes de dormir. Hazlas en la cama o justo "
            "antes, con poca luz. Si los problemas de sueño duran semanas o "
            "afectan a tus días, habla con un médico." + NOT_CARE_ES,
        },
        "days": [
            _day(
                SessionType.SLEEP,
                10,
                (
                    "Winding down",
                    """
About half an hour before bed, dim the lights and put your phone somewhere you can't reach it easily once this practice is over. Lie down in bed or sit on its edge.

Let your body become still and take a few natural breaths. Think back over your day as if watching it on a slow screen, from the morning to now. You don't need to judge anything. When you reach a moment that felt tense, notice it, and say quietly, "that's done for today." When you reach something pleasant, let yourself enjoy it for a breath.

If there are tasks for tomorrow buzzing in your head, imagine writing each one on a note and placing it on a table outside your bedroom. They will be there in the morning; you don't have to hold them tonight. You can also write them on real paper before you begin.

Finish by letting your breath slow naturally. If you are not sleepy yet, that's fine: rest is still rest. Tomorrow evening we will work with the body.
""",
                ),
                (
                    "Bajar el ritmo",
                    """
Una media hora antes de acostarte, baja las luces y deja el móvil en un lugar donde no puedas alcanzarlo con facilidad cuando termines esta práctica. Túmbate en la cama o siéntate en el borde.

Deja que el cuerpo se quede quieto y haz unas respiraciones naturales. Repasa tu día como si lo vieras en una pantalla a cámara lenta, desde la mañana hasta ahora. No hace falta juzgar nada. Cuando llegues a un momento tenso, obsérvalo y di en voz baja: «eso ya terminó por hoy». Cuando llegues a algo agradable, disfrútalo durante una respiración.

Si las tareas de mañana te zumban en la cabeza, imagina que escribes cada una en una nota y la dejas en una mesa fuera del dormitorio. Estarán ahí por la mañana; esta noche no tienes que sostenerlas. También puedes escribirlas en un papel de verdad antes de empezar.

Termina dejando que la respiración se vuelva más lenta por sí sola. Si todavía no tienes sueño, no pasa nada: descansar también es descansar. Mañana por la noche trabajaremos con el cuerpo.
""",
                ),
            ),
            _day(
                SessionType.BODY_SCAN,
                12,
                (
                    "Heavy and warm",
                    """
Lie on your back or your side, whichever is most comfortable, with a pillow where you need it. Let your arms rest by your sides or on your belly.

Bring your attention to your feet and imagine them becoming heavy and warm, sinking a little into the mattress. Let that heaviness spread slowly up through your calves and knees, into your thighs and hips. There is no effort needed; you are just allowing the bed to hold you.

Continue up through the belly and the chest, noticing the gentle rise and fall. Let your hands and arms grow heavy, then your shoulders, as if they were melting down toward the bed. Soften your neck, your jaw, your tongue, the space between your eyebrows. Imagine a warm, heavy feeling around your eyes.

If you are still awake at the end, just stay with the sense of heaviness and the breath. If your mind becomes busy, you can start again at the feet. Many people fall asleep before the end of this practice, which is exactly the point.
""",
                ),
                (
                    "Pesado y cálido",
                    """
Túmbate boca arriba o de lado, como estés más cómodo, con una almohada donde la necesites. Deja los brazos a los lados o sobre el vientre.

Lleva la atención a los pies e imagina que se vuelven pesados y cálidos, hundiéndose un poco en el colchón. Deja que esa pesadez suba despacio por las pantorrillas y las rodillas, hasta los muslos y las caderas. No hace falta esfuerzo; solo permites que la cama te sostenga.

Sigue subiendo por el vientre y el pecho, notando cómo suben y bajan con suavidad. Deja que las manos y los brazos se vuelvan pesados, después los hombros, como si se derritieran hacia la cama. Suaviza el cuello, la mandíbula, la lengua, el espacio entre las cejas. Imagina una sensación cálida y pesada alrededor de los ojos.

Si al final sigues despierto, quédate con la sensación de pesadez y con la respiración. Si la mente se acelera, puedes empezar otra vez por los pies. Mucha gente se duerme antes de acabar esta práctica, y de eso se trata.
""",
                ),
            ),
            _day(
                SessionType.SLEEP,
                15,
                (
                    "Quiet mind",
                    """
Settle into bed with the lights off or very low. Take a few breaths and let your body be still. Tonight we give the busy mind something gentle and boring to do, which often helps it let go.

Picture a calm, simple place: a quiet beach at dusk, a path through a forest, a room with soft light. Walk through it slowly in your imagination. Notice one detail at a time: the colour of the sky, the sound of your steps, the temperature of the air. There is nowhere you need to arrive.

When a thought about tomorrow or today pulls you away, notice it without frustration and return to the path, picking up where you left off. You can also try counting slow breaths backwards from fifty; if you lose count, simply start again at fifty.

Let your imagined walk slow down until you find a place to rest in that scene. Lie down there, just as you are lying in your bed. If sleep hasn't come, remember that resting quietly in the dark still helps your body recover.
""",
                ),
                (
                    "Mente tranquila",
                    """
Acomódate en la cama con la luz apagada o muy baja. Haz unas respiraciones y deja el cuerpo quieto. Esta noche le daremos a la mente inquieta algo suave y aburrido que hacer, lo que a menudo la ayuda a soltarse.

Imagina un lugar tranquilo y sencillo: una playa en calma al atardecer, un sendero por un bosque, una habitación con luz suave. Recórrelo despacio en tu imaginación. Fíjate en un detalle cada vez: el color del cielo, el sonido de tus pasos, la temperatura del aire. No tienes que llegar a ningún sitio.

Cuando un pensamiento sobre mañana o sobre hoy te arrastre, obsérvalo sin enfadarte y vuelve al sendero, donde lo dejaste. También puedes contar respiraciones lentas hacia atrás desde cincuenta; si pierdes la cuenta, vuelve a empezar en cincuenta.

Deja que tu paseo imaginado se haga más lento hasta encontrar un lugar para descansar en esa escena. Túmbate allí, igual que estás tumbado en tu cama. Si el sueño no ha llegado, recuerda que descansar en silencio y a oscuras también ayuda a tu cuerpo a recuperarse.
""",
                ),
            ),
            _day(
                SessionType.BREATHING,
                10,
                (
                    "Slow breath",
                    """
Lie comfortably and rest one hand on your belly and one on your chest. Breathe normally for a few moments and simply notice which hand moves more. There is no right answer.

Now let the breath slow down gently. Breathe in through the nose for a count of four, letting the belly rise under your hand. Breathe out slowly, through the nose or softly through the mouth, for a count of six or seven, as if sighing quietly. Don't force the air in or hold it; keep everything easy.

Continue this slow rhythm for several minutes. If you feel dizzy or short of breath, stop counting and breathe however feels natural. With each out-breath, you can imagine the day leaving your body and the mattress taking a little more of your weight.

After a while, let go of the counting entirely. Let your hands slide down to rest wherever is comfortable. Stay with the feeling of the breath moving on its own, slow and quiet, until you drift off or feel ready to turn over and sleep.
""",
                ),
                (
                    "Respiración lenta",
                    """
Túmbate con comodidad y pon una mano sobre el vientre y otra sobre el pecho. Respira con normalidad unos momentos y observa qué mano se mueve más. No hay respuesta correcta.

Ahora deja que la respiración se haga más lenta con suavidad. Inhala por la nariz contando cuatro, dejando que el vientre se eleve bajo la mano. Exhala despacio, por la nariz o suavemente por la boca, contando seis o siete, como un suspiro tranquilo. No fuerces la entrada del aire ni lo retengas; que todo sea fácil.

Sigue con este ritmo lento varios minutos. Si notas mareo o falta de aire, deja de contar y respira como te resulte natural. Con cada exhalación puedes imaginar que el día sale de tu cuerpo y que el colchón recoge un poco más de tu peso.

Al cabo de un rato, suelta la cuenta por completo. Deja que las manos se deslicen y descansen donde estén cómodas. Quédate con la sensación de la respiración moviéndose sola, lenta y callada, hasta que te duermas o te sientas listo para darte la vuelta y dormir.
""",
                ),
            ),
            _day(
                SessionType.SLEEP,
                20,
                (
                    "Drifting off",
                    """
This last evening brings the week's practices together. Get comfortable in bed, lights off, and let your eyes close. Take a few slow breaths, with the out-breath a little longer than the in-breath.

Do a short version of the heavy and warm scan: feet, legs, hips, belly, chest, arms, shoulders, face. Let each part sink and soften. Don't rush; there is plenty of time.

Then return to your calm place from the third night. Walk there slowly, noticing small details. When you find somewhere to rest, lie down in that place. Let the sounds in your room blend with the sounds of the scene. Thoughts may still come; let them pass like distant voices you don't need to answer.

From now on, you can stop following these words. Let the breath be whatever it is and let the body rest. If you wake in the night, you can return to the slow breath or the calm place without checking the time. Sleep well.
""",
                ),
                (
                    "Quedarse dormido",
                    """
Esta última noche reúne las prácticas de la semana. Ponte cómodo en la cama, con la luz apagada, y deja que los ojos se cierren. Haz unas respiraciones lentas, con la exhalación un poco más larga que la inhalación.

Haz una versión corta del escaneo pesado y cálido: pies, piernas, caderas, vientre, pecho, brazos, hombros, cara. Deja que cada parte se hunda y se suavice. Sin prisa; hay tiempo de sobra.

Vuelve después a tu lugar tranquilo de la tercera noche. Camina hasta allí despacio, fijándote en los pequeños detalles. Cuando encuentres un sitio para descansar, túmbate en ese lugar. Deja que los sonidos de tu habitación se mezclen con los de la escena. Puede que sigan llegando pensamientos; déjalos pasar como voces lejanas a las que no tienes que responder.

A partir de ahora puedes dejar de seguir estas palabras. Deja que la respiración sea como sea y que el cuerpo descanse. Si te despiertas por la noche, puedes volver a la respiración lenta o al lugar tranquilo sin mirar la hora. Que duermas bien.
""",
                ),
            ),
        ],
    },
    {
        "slug": "easing-anxious-moments",
        "title": "Easing Anxious Moments",
        "summary": "Five practical tools for the moments when worry takes over.",
        "description": "Short, practical skills for anxious moments: grounding "
        "through the senses, a longer out-breath, naming worries, a safe place in "
        "the mind, and your own toolkit. Anxiety is a normal human experience; "
        "if it is intense, frequent or stops you living your life, a doctor or "
        "therapist can help." + NOT_CARE_EN,
        "category": WellnessProgram.Category.ANXIETY,
        "difficulty": WellnessProgram.Difficulty.BEGINNER,
        "is_premium": False,
        "es": {
            "title": "Aliviar los momentos de ansiedad",
            "summary": "Cinco herramientas prácticas para cuando la preocupación "
            "toma el control.",
            "description": "Habilidades breves y prácticas para los momentos de "
            "ansiedad: anclarte con los sentidos, alargar la exhalación, nombrar "
            "las preocupaciones, un lugar seguro en la mente y tu propia caja de "
            "herramientas. La ansiedad es una experiencia humana normal; si es "
            "intensa, frecuente o te impide vivir tu vida, un médico o terapeuta "
            "puede ayudarte." + NOT_CARE_ES,
        },
        "days": [
            _day(
                SessionType.MEDITATION,
                6,
                (
                    "Grounding with your senses",
                    """
When anxiety rises, the mind races ahead to what might happen. Grounding brings you back to what is here now. You can do this with your eyes open, anywhere.

Slowly look around and name, silently or out loud, five things you can see: the colour of a wall, a cup, a shadow. Then four things you can feel: your feet in your shoes, the chair under you, the air on your hands, your clothes on your shoulders. Then three things you can hear, near or far. Two things you can smell, or two scents you like if nothing is noticeable. Finally, one thing you can taste, or take a sip of water.

Take your time with each step. If you lose track, it's fine to start again or to do just the first two steps. The aim is not to make the anxiety vanish, but to give your attention somewhere steady to stand.

Notice how you feel after the exercise, even if the change is small. Try it once today when you feel calm, so it's familiar when you need it.
""",
                ),
                (
                    "Anclarte con los sentidos",
                    """
Cuando la ansiedad sube, la mente corre hacia lo que podría pasar. Anclarte te devuelve a lo que hay aquí y ahora. Puedes hacerlo con los ojos abiertos, en cualquier lugar.

Mira despacio a tu alrededor y nombra, en silencio o en voz alta, cinco cosas que puedas ver: el color de una pared, una taza, una sombra. Después cuatro cosas que puedas sentir: los pies en los zapatos, la silla debajo de ti, el aire en las manos, la ropa sobre los hombros. Luego tres cosas que puedas oír, cerca o lejos. Dos cosas que puedas oler, o dos olores que te gusten si no notas nada. Por último, una cosa que puedas saborear, o toma un sorbo de agua.

Tómate tu tiempo en cada paso. Si te pierdes, puedes volver a empezar o hacer solo los dos primeros pasos. No se trata de que la ansiedad desaparezca, sino de darle a tu atención un lugar firme donde apoyarse.

Observa cómo te sientes después del ejercicio, aunque el cambio sea pequeño. Pruébalo hoy una vez cuando estés en calma, para que te resulte familiar cuando lo necesites.
""",
                ),
            ),
            _day(
                SessionType.BREATHING,
                6,
                (
                    "A longer out-breath",
                    """
When we feel anxious, breathing often becomes quick and high in the chest. Gently lengthening the out-breath is one of the simplest ways to signal to the body that it can settle.

Sit or stand comfortably and let your shoulders drop. Breathe in through your nose at a normal, comfortable size; no need for a big breath. Then breathe out slowly, as if blowing gently through a straw or cooling a spoonful of soup. Let the out-breath be a bit longer than the in-breath. Pause naturally before the next breath, without holding on purpose.

Repeat for about ten breaths. If counting helps, breathe in for three or four and out for five or six. If you start to feel lightheaded, return to normal breathing for a while; that is always okay.

You can use this breath in a queue, before a conversation, or when you wake up worried in the night. Nobody needs to know you are doing it. Notice how your body responds today, and remember it for next time.
""",
                ),
                (
                    "Una exhalación más larga",
                    """
Cuando sentimos ansiedad, la respiración suele volverse rápida y alta, en el pecho. Alargar suavemente la exhalación es una de las formas más sencillas de indicarle al cuerpo que puede calmarse.

Siéntate o quédate de pie con comodidad y deja caer los hombros. Inhala por la nariz con un tamaño normal y cómodo; no hace falta una respiración grande. Después exhala despacio, como si soplaras suavemente por una pajita o enfriaras una cucharada de sopa. Deja que la exhalación sea algo más larga que la inhalación. Haz una pausa natural antes de la siguiente respiración, sin retener a propósito.

Repite unas diez respiraciones. Si contar te ayuda, inhala contando tres o cuatro y exhala contando cinco o seis. Si empiezas a notar mareo, vuelve a respirar con normalidad un rato; eso siempre está bien.

Puedes usar esta respiración en una cola, antes de una conversación o cuando te despiertes preocupado por la noche. Nadie tiene por qué saber que lo estás haciendo. Observa cómo responde hoy tu cuerpo y recuérdalo para la próxima vez.
""",
                ),
            ),
            _day(
                SessionType.MEDITATION,
                8,
                (
                    "Naming the worry",
                    """
Worries often feel bigger when they stay vague. Today we practise naming them, kindly, which can create a little space between you and the worry.

Sit comfortably and take a few of yesterday's longer out-breaths. Then ask yourself, "What am I worried about right now?" Let whatever comes up be there. Try to name it in a few words, starting with "I'm noticing the thought that...": for example, "I'm noticing the thought that I'll get it wrong."

Now ask, "Is this something I can do something about today?" If yes, choose one small, concrete step and when you will take it. If not, acknowledge it: "This is a worry I can't solve right now." Imagine setting it down beside you. It may come back; each time, you can name it again.

Finish with a few slow breaths and a kind sentence to yourself, such as "It makes sense that I worry about things that matter to me." If you like, write your worries down after the practice; seeing them on paper often makes them feel more manageable.
""",
                ),
                (
                    "Nombrar la preocupación",
                    """
Las preocupaciones suelen parecer más grandes cuando se quedan difusas. Hoy practicamos nombrarlas con amabilidad, lo que puede crear un pequeño espacio entre tú y la preocupación.

Siéntate con comodidad y haz algunas de las exhalaciones largas de ayer. Después pregúntate: «¿Qué me preocupa ahora mismo?». Deja que esté lo que aparezca. Intenta nombrarlo en pocas palabras, empezando por «Estoy notando el pensamiento de que...»: por ejemplo, «Estoy notando el pensamiento de que lo voy a hacer mal».

Pregúntate ahora: «¿Puedo hacer algo con esto hoy?». Si la respuesta es sí, elige un paso pequeño y concreto y cuándo lo darás. Si no, reconócelo: «Esta es una preocupación que ahora no puedo resolver». Imagina que la dejas a tu lado. Puede que vuelva; cada vez, puedes volver a nombrarla.

Termina con unas respiraciones lentas y una frase amable para ti, como «Tiene sentido que me preocupe por lo que me importa». Si quieres, escribe tus preocupaciones después de la práctica; verlas en papel suele hacerlas más manejables.
""",
                ),
            ),
            _day(
                SessionType.MEDITATION,
                10,
                (
                    "A safe place in the mind",
                    """
Today you create a calm place in your imagination that you can visit when things feel too much. It can be real or invented: a beach, a garden, a favourite chair, a warm kitchen.

Close your eyes or lower your gaze. Take a few slow breaths. Begin to build your place, one sense at a time. What do you see? Notice the light and the colours. What do you hear: waves, birds, quiet? What can you feel: warm sun, a soft blanket, cool grass? Is there a smell? Let yourself settle into this place as if you are really there.

If you like, invite a kind presence: a person, a pet, or simply a feeling of being accepted. Choose a word that reminds you of this place, such as "garden" or "harbour". Say it silently a few times while you enjoy the scene.

When you're ready, take a deeper breath, wiggle your fingers and open your eyes. If this practice brought up anything difficult, you can make the place simpler or choose another. Your word can bring you back here, even for a few seconds, whenever you need it.
""",
                ),
                (
                    "Un lugar seguro en la mente",
                    """
Hoy vas a crear en tu imaginación un lugar tranquilo al que puedas ir cuando todo parezca demasiado. Puede ser real o inventado: una playa, un jardín, tu sillón favorito, una cocina cálida.

Cierra los ojos o baja la mirada. Haz unas respiraciones lentas. Empieza a construir tu lugar, un sentido cada vez. ¿Qué ves? Fíjate en la luz y en los colores. ¿Qué oyes: olas, pájaros, silencio? ¿Qué sientes: sol cálido, una manta suave, hierba fresca? ¿Hay algún olor? Deja que te acomodes en ese lugar como si estuvieras allí de verdad.

Si quieres, invita a una presencia amable: una persona, una mascota, o simplemente la sensación de ser aceptado. Elige una palabra que te recuerde este lugar, como «jardín» o «puerto». Repítela en silencio varias veces mientras disfrutas de la escena.

Cuando estés listo, haz una respiración más profunda, mueve los dedos y abre los ojos. Si esta práctica despertó algo difícil, puedes simplificar el lugar o elegir otro. Tu palabra puede traerte de vuelta aquí, aunque sea unos segundos, siempre que lo necesites.
""",
                ),
            ),
            _day(
                SessionType.MEDITATION,
                8,
                (
                    "Your own toolkit",
                    """
You now have four tools: grounding with the senses, a longer out-breath, naming the worry, and your safe place. Today you put them together in a way that suits you.

Sit comfortably and try each one briefly. First, name three things you can see and two you can feel. Then take five breaths with a longer out-breath. Then ask, "What's the worry?" and name it in a few words. Finally, say your safe-place word and spend a few breaths there.

Now reflect: which tool felt most helpful? Which would work at work, at home, or in the middle of the night? Write a short plan in your journal, for example: "When I notice my chest getting tight, I will do five long out-breaths, then name the worry." Also write down one person you could talk to when things feel heavy.

Be gentle with yourself: tools help, but they don't make anxiety disappear forever, and that's not a failure. If anxiety is often overwhelming, reaching out to a doctor or therapist is a strong and sensible step. You've done good work this week.
""",
                ),
                (
                    "Tu propia caja de herramientas",
                    """
Ya tienes cuatro herramientas: anclarte con los sentidos, la exhalación más larga, nombrar la preocupación y tu lugar seguro. Hoy las vas a combinar de la forma que mejor te funcione.

Siéntate con comodidad y prueba cada una brevemente. Primero, nombra tres cosas que puedas ver y dos que puedas sentir. Después haz cinco respiraciones con la exhalación más larga. Luego pregúntate: «¿Cuál es la preocupación?» y nómbrala en pocas palabras. Por último, di la palabra de tu lugar seguro y pasa allí unas respiraciones.

Reflexiona ahora: ¿qué herramienta te ayudó más? ¿Cuál funcionaría en el trabajo, en casa o en mitad de la noche? Escribe un plan breve en tu diario, por ejemplo: «Cuando note que se me cierra el pecho, haré cinco exhalaciones largas y luego nombraré la preocupación». Anota también una persona con la que podrías hablar cuando las cosas pesen.

Sé amable contigo: las herramientas ayudan, pero no hacen que la ansiedad desaparezca para siempre, y eso no es un fracaso. Si la ansiedad te desborda a menudo, acudir a un médico o a un terapeuta es un paso valiente y sensato. Has hecho un buen trabajo esta semana.
""",
                ),
            ),
        ],
    },
    {
        "slug": "focus-reset",
        "title": "Focus Reset",
        "summary": "Five days to steady a scattered mind and work with more ease.",
        "description": "Practices for a mind pulled in many directions: starting "
        "with one breath, meeting distraction kindly, single-tasking, resting on "
        "purpose and closing the workday." + NOT_CARE_EN,
        "category": WellnessProgram.Category.FOCUS,
        "difficulty": WellnessProgram.Difficulty.INTERMEDIATE,
        "is_premium": False,
        "es": {
            "title": "Recuperar el foco",
            "summary": "Cinco días para serenar una mente dispersa y trabajar con "
            "más calma.",
            "description": "Prácticas para una mente que tira en muchas "
            "direcciones: empezar con una respiración, recibir las distracciones "
            "con amabilidad, hacer una sola cosa a la vez, descansar a propósito "
            "y cerrar la jornada." + NOT_CARE_ES,
        },
        "days": [
            _day(
                SessionType.FOCUS,
                5,
                (
                    "One breath, one task",
                    """
Before you start your next piece of work, pause. Put your hands on the desk or in your lap and take one slow breath, noticing the air coming in and going out. Just one breath is enough to mark a beginning.

Now choose one task, only one, for the next twenty minutes. Write it down in a few words on a piece of paper and put it where you can see it. Close the tabs and apps you don't need for this task. If your phone is nearby, turn it face down or put it in another room.

Begin the task. Each time you notice you've drifted to something else, take one breath, look at your note, and return. You don't need to scold yourself; noticing is the skill we are building.

When the twenty minutes are up, stop and take another breath. Notice how much you did and how it felt. That's the whole practice: one breath, one task, and a kind return whenever you wander.
""",
                ),
                (
                    "Una respiración, una tarea",
                    """
Antes de empezar tu siguiente tarea, haz una pausa. Apoya las manos en la mesa o en el regazo y haz una respiración lenta, notando cómo entra y sale el aire. Basta con una respiración para marcar un comienzo.

Elige ahora una tarea, solo una, para los próximos veinte minutos. Escríbela en pocas palabras en un papel y déjalo donde puedas verlo. Cierra las pestañas y aplicaciones que no necesites para esta tarea. Si tienes el móvil cerca, ponlo boca abajo o llévalo a otra habitación.

Empieza la tarea. Cada vez que notes que te has ido a otra cosa, haz una respiración, mira tu nota y vuelve. No hace falta regañarte; darte cuenta es justo la habilidad que estamos entrenando.

Cuando pasen los veinte minutos, para y haz otra respiración. Observa cuánto has hecho y cómo te has sentido. Esa es toda la práctica: una respiración, una tarea y volver con amabilidad cada vez que te distraigas.
""",
                ),
            ),
            _day(
                SessionType.FOCUS,
                10,
                (
                    "Noticing distraction kindly",
                    """
Sit comfortably and set a timer for ten minutes. Rest your attention on the breath at the nostrils or the belly. Today's aim is not to stay focused the whole time, which nobody can do, but to notice distraction sooner and return more gently.

Each time you realise your mind has wandered, silently note where it went: "planning", "email", "hungry", "memory". Then say "back" and return to the breath. Some people like to keep a tally with their fingers. A high number is not bad news; each count is a moment of waking up.

Notice the tone of your inner voice when you catch yourself drifting. Is it harsh or impatient? See if you can make it sound like a friendly coach instead: "Ah, there you went. Back we come."

When the timer sounds, take a moment to reflect: what kinds of things pulled you away? Knowing your usual distractions makes it easier to prepare for them at work, for example by writing a quick note to deal with later rather than acting on them at once.
""",
                ),
                (
                    "Notar la distracción con amabilidad",
                    """
Siéntate con comodidad y pon un temporizador de diez minutos. Deja la atención en la respiración, en la nariz o en el vientre. El objetivo de hoy no es mantenerte concentrado todo el tiempo, cosa que nadie puede hacer, sino notar antes la distracción y volver con más suavidad.

Cada vez que te des cuenta de que la mente se ha ido, anota en silencio adónde fue: «planear», «correo», «hambre», «recuerdo». Después di «vuelvo» y regresa a la respiración. A algunas personas les gusta llevar la cuenta con los dedos. Un número alto no es una mala noticia; cada cuenta es un momento de despertar.

Fíjate en el tono de tu voz interior cuando te pillas distraído. ¿Es dura o impaciente? Mira si puedes hacer que suene como un entrenador amable: «Ah, ahí te fuiste. Volvemos».

Cuando suene el temporizador, tómate un momento para reflexionar: ¿qué tipo de cosas te alejaron? Conocer tus distracciones habituales hace más fácil prepararte para ellas en el trabajo, por ejemplo anotándolas rápidamente para ocuparte después en lugar de atenderlas al momento.
""",
                ),
            ),
            _day(
                SessionType.FOCUS,
                10,
                (
                    "The single-tasking hour",
                    """
Today you'll try a longer stretch of single-tasking, with breaks built in. Pick an hour when interruptions are least likely. Tell others, if you can, that you'll be unavailable for a little while.

Start with three slow breaths and write your one task on a note. Work for twenty-five minutes. When the time is up, stand, stretch, look out of a window or at something far away, and take a few breaths for five minutes. Don't check messages in this break if you can avoid it; let your mind rest instead. Then do a second round of twenty-five minutes.

During the work, keep a 'later' list beside you. When an unrelated idea or task pops up, jot it down in a few words and return to your main task. This lets your mind trust that nothing will be lost.

At the end of the hour, look at your later list and decide what to do with each item. Notice how the hour felt compared with your usual way of working. If an hour is too long today, one round is plenty.
""",
                ),
                (
                    "La hora de una sola tarea",
                    """
Hoy vas a probar un periodo más largo haciendo una sola cosa a la vez, con descansos incluidos. Elige una hora en la que sea menos probable que te interrumpan. Si puedes, avisa a los demás de que no estarás disponible durante un rato.

Empieza con tres respiraciones lentas y escribe tu tarea en una nota. Trabaja veinticinco minutos. Cuando termine el tiempo, levántate, estírate, mira por una ventana o algo lejano y respira durante cinco minutos. Si puedes evitarlo, no mires los mensajes en este descanso; deja que la mente descanse. Después haz una segunda ronda de veinticinco minutos.

Mientras trabajas, ten al lado una lista de «para luego». Cuando surja una idea o tarea que no tenga que ver, anótala en pocas palabras y vuelve a tu tarea principal. Así la mente puede confiar en que nada se perderá.

Al final de la hora, mira tu lista y decide qué hacer con cada cosa. Observa cómo te has sentido esta hora en comparación con tu forma habitual de trabajar. Si hoy una hora es demasiado, con una ronda basta.
""",
                ),
            ),
            _day(
                SessionType.BREATHING,
                8,
                (
                    "Rest as part of focus",
                    """
Attention is like a muscle: it works best with rest. Today's practice is a short, deliberate rest you can take in the middle of a busy day.

Step away from your screen if you can. Sit or stand, and let your eyes rest on something far away, or close them. Take a few natural breaths. Then breathe in gently through your nose, and breathe out slowly through your mouth as if sighing. Repeat this easy, slow breathing for a couple of minutes, keeping it comfortable; if you feel dizzy, breathe normally.

Next, roll your shoulders slowly a few times, loosen your jaw and let your hands rest open. Notice any places that have been working hard, such as the eyes, the neck or the wrists, and give them a moment of kind attention.

Before going back to work, ask yourself: "What is the one thing that matters most for the next hour?" Return to it with a fresh start. Try to take a rest like this every couple of hours; it is part of focused work, not a break from it.
""",
                ),
                (
                    "Descansar también es concentrarse",
                    """
La atención es como un músculo: funciona mejor con descanso. La práctica de hoy es un descanso breve y deliberado que puedes tomar en mitad de un día ajetreado.

Aléjate de la pantalla si puedes. Siéntate o quédate de pie y deja que los ojos descansen en algo lejano, o ciérralos. Haz unas respiraciones naturales. Luego inhala suavemente por la nariz y exhala despacio por la boca, como en un suspiro. Repite esta respiración lenta y fácil un par de minutos, siempre cómoda; si notas mareo, respira con normalidad.

Después, gira los hombros despacio unas cuantas veces, afloja la mandíbula y deja las manos abiertas y en reposo. Fíjate en las zonas que han estado trabajando mucho, como los ojos, el cuello o las muñecas, y dales un momento de atención amable.

Antes de volver al trabajo, pregúntate: «¿Qué es lo más importante para la próxima hora?». Vuelve a ello empezando de nuevo. Intenta tomar un descanso así cada par de horas; forma parte del trabajo concentrado, no es una pausa de él.
""",
                ),
            ),
            _day(
                SessionType.FOCUS,
                8,
                (
                    "Ending the workday",
                    """
Many of us carry work into the evening because the day never really ends. Today you'll practise a short ritual to close it.

Ten minutes before you stop, look back over the day. Write down three things you did, however small. Then write down what is unfinished and the first step for each, so your mind knows it won't be forgotten. Choose the most important task for tomorrow and note it at the top.

Now tidy one small thing: close the tabs, clear the desk, or put your notes away. Take three slow breaths. As you breathe out, you can say, silently or aloud, "The workday is over." Then do something that marks the change: a short walk, changing clothes, making a drink, or stepping outside.

If work thoughts return in the evening, remind yourself kindly that they're written down and waiting for tomorrow. Over this week you've practised starting, returning, resting and stopping. Keep the ones that helped.
""",
                ),
                (
                    "Cerrar la jornada",
                    """
Muchos nos llevamos el trabajo a la noche porque el día nunca termina del todo. Hoy vas a practicar un pequeño ritual para cerrarlo.

Diez minutos antes de parar, repasa el día. Escribe tres cosas que hayas hecho, por pequeñas que sean. Después anota lo que queda pendiente y el primer paso de cada cosa, para que la mente sepa que no se olvidará. Elige la tarea más importante de mañana y ponla arriba del todo.

Ahora ordena algo pequeño: cierra las pestañas, despeja la mesa o guarda las notas. Haz tres respiraciones lentas. Al exhalar, puedes decir en silencio o en voz alta: «La jornada ha terminado». Luego haz algo que marque el cambio: un paseo corto, cambiarte de ropa, prepararte una bebida o salir un momento.

Si por la noche vuelven los pensamientos del trabajo, recuérdate con amabilidad que están escritos y esperando a mañana. Esta semana has practicado empezar, volver, descansar y parar. Quédate con lo que te haya ayudado.
""",
                ),
            ),
        ],
    },
    {
        "slug": "kind-to-yourself",
        "title": "Kind to Yourself",
        "summary": "Five days of self-compassion for when you are hard on yourself.",
        "description": "Self-compassion means treating yourself the way you "
        "would treat a good friend who is struggling. Five gentle practices: a "
        "hand on the heart, a kinder inner voice, remembering you are not alone, "
        "kind wishes and a letter to yourself. Difficult feelings may come up; "
        "go slowly and stop whenever you need to." + NOT_CARE_EN,
        "category": WellnessProgram.Category.SELF_COMPASSION,
        "difficulty": WellnessProgram.Difficulty.BEGINNER,
        "is_premium": False,
        "es": {
            "title": "Amabilidad contigo",
            "summary": "Cinco días de autocompasión para cuando eres duro contigo.",
            "description": "La autocompasión consiste en tratarte como tratarías "
            "a un buen amigo que lo está pasando mal. Cinco prácticas suaves: una "
            "mano en el corazón, una voz interior más amable, recordar que no "
            "estás solo, deseos amables y una carta para ti. Pueden surgir "
            "emociones difíciles; ve despacio y para cuando lo necesites."
            + NOT_CARE_ES,
        },
        "days": [
            _day(
                SessionType.MEDITATION,
                6,
                (
                    "Hand on heart",
                    """
Find a comfortable position and take a few natural breaths. Today's practice uses a simple gesture: touch. Our bodies respond to warm, gentle touch with a sense of safety, even when it comes from our own hand.

Place one hand, or both, on the centre of your chest. If that doesn't feel right, try one hand on your cheek, on your arm, or one hand holding the other. Feel the warmth and the gentle pressure. Notice the rise and fall of your breath under your hand.

Now bring to mind something that is a little hard for you at the moment; not the hardest thing, just something mildly difficult. Keep your hand where it is and breathe. You might say silently, "This is hard right now. May I be kind to myself."

Let the difficulty be there alongside the warmth of your hand. After a few minutes, let the image go and simply rest with your hand and the breath. You can use this gesture anywhere, whenever you're going through a tough moment.
""",
                ),
                (
                    "Una mano en el corazón",
                    """
Busca una postura cómoda y haz unas respiraciones naturales. La práctica de hoy usa un gesto sencillo: el contacto. El cuerpo responde al contacto cálido y suave con una sensación de seguridad, aunque venga de nuestra propia mano.

Pon una mano, o las dos, en el centro del pecho. Si eso no te resulta bien, prueba con una mano en la mejilla, en el brazo o una mano sujetando la otra. Siente el calor y la presión suave. Nota cómo sube y baja la respiración bajo la mano.

Trae ahora a la mente algo que te resulte un poco difícil en este momento; no lo más difícil, solo algo ligeramente complicado. Deja la mano donde está y respira. Puedes decirte en silencio: «Ahora mismo esto es difícil. Que pueda ser amable conmigo».

Deja que la dificultad esté ahí junto al calor de tu mano. Al cabo de unos minutos, suelta la imagen y descansa con la mano y la respiración. Puedes usar este gesto en cualquier lugar, siempre que pases por un momento duro.
""",
                ),
            ),
            _day(
                SessionType.MEDITATION,
                8,
                (
                    "Talking to yourself like a friend",
                    """
Think of a time recently when a friend was struggling, or imagine one. What did you say to them? What was your tone? Most of us are warm and patient with friends, and much harsher with ourselves.

Sit comfortably and take a few breaths. Now recall a recent moment when you criticised yourself, perhaps for a mistake or for not doing enough. Notice the words your inner critic used and its tone. You don't need to argue with it; just notice.

Now imagine that your friend had made that same mistake and came to you feeling bad. What would you say to them? Perhaps, "Anyone could have done that," or "You were doing your best with what you had." Try saying those same words to yourself, slowly, in a warm voice. If it feels strange or false, that's normal at first.

Finish with a hand on your heart and a few breaths. Throughout the day, when you notice the critic, you can ask, "What would I say to a friend?" Changing an old habit takes time, so be patient with yourself here too.
""",
                ),
                (
                    "Hablarte como a un amigo",
                    """
Piensa en alguna vez reciente en que un amigo lo estaba pasando mal, o imagínalo. ¿Qué le dijiste? ¿Con qué tono? La mayoría somos cálidos y pacientes con los amigos, y mucho más duros con nosotros mismos.

Siéntate con comodidad y haz unas respiraciones. Recuerda ahora un momento reciente en que te criticaste, quizá por un error o por no hacer lo suficiente. Fíjate en las palabras que usó tu crítico interior y en su tono. No hace falta discutir con él; solo obsérvalo.

Imagina ahora que tu amigo hubiera cometido ese mismo error y acudiera a ti sintiéndose mal. ¿Qué le dirías? Quizá: «Le podría haber pasado a cualquiera» o «Hiciste lo que pudiste con lo que tenías». Prueba a decirte esas mismas palabras, despacio y con voz cálida. Si te resulta raro o falso, es normal al principio.

Termina con una mano en el corazón y unas respiraciones. Durante el día, cuando notes al crítico, puedes preguntarte: «¿Qué le diría a un amigo?». Cambiar un hábito antiguo lleva tiempo, así que ten paciencia contigo también en esto.
""",
                ),
            ),
            _day(
                SessionType.MEDITATION,
                8,
                (
                    "You are not alone",
                    """
When we struggle, it's easy to feel that we're the only one, that everyone else is coping. Today's practice gently reminds us that difficulty is part of being human.

Sit comfortably and take a few slow breaths. Bring to mind something you find hard at the moment. Notice where you feel it in the body. Then say silently, "This is a moment of struggle." Next, "Struggle is part of life. Other people feel this too." Finally, with a hand on your heart, "May I be kind to myself."

Now widen your view. Picture the many people who, right now, are also feeling something like this: worried, tired, grieving, disappointed. People in your town, in other countries, of all ages. Breathe in, acknowledging your own difficulty. Breathe out, sending a little warmth to all of them.

Let the breath flow naturally for a few more minutes. You might notice that the feeling is still there, but a little less lonely. If you'd like some company, the community and support groups in the app are places where people share these moments too.
""",
                ),
                (
                    "No estás solo",
                    """
Cuando lo pasamos mal, es fácil sentir que somos los únicos, que todos los demás lo llevan bien. La práctica de hoy nos recuerda con suavidad que la dificultad forma parte de ser humanos.

Siéntate con comodidad y haz unas respiraciones lentas. Trae a la mente algo que ahora te resulte difícil. Nota dónde lo sientes en el cuerpo. Después dite en silencio: «Este es un momento de sufrimiento». A continuación: «El sufrimiento forma parte de la vida. Otras personas también lo sienten». Por último, con una mano en el corazón: «Que pueda ser amable conmigo».

Amplía ahora la mirada. Imagina a las muchas personas que, en este momento, también sienten algo parecido: preocupadas, cansadas, en duelo, decepcionadas. Personas de tu ciudad, de otros países, de todas las edades. Al inhalar, reconoce tu propia dificultad. Al exhalar, envía un poco de calidez a todas ellas.

Deja que la respiración fluya con naturalidad unos minutos más. Quizá notes que la sensación sigue ahí, pero un poco menos solitaria. Si te apetece compañía, la comunidad y los grupos de apoyo de la aplicación son lugares donde la gente también comparte estos momentos.
""",
                ),
            ),
            _day(
                SessionType.MEDITATION,
                10,
                (
                    "Kind wishes",
                    """
This practice, sometimes called loving-kindness, uses simple phrases to grow a feeling of goodwill. The feeling may or may not come; the intention is what counts.

Sit comfortably and breathe naturally. First, bring to mind someone it is easy to feel warmly toward: a friend, a grandparent, a pet. Picture them and silently offer these wishes: "May you be safe. May you be healthy. May you be at ease. May you be happy." Repeat them slowly a few times.

Now turn the wishes toward yourself. You can picture yourself as you are now, or as a child. "May I be safe. May I be healthy. May I be at ease. May I be happy." If this feels difficult, you can return to the easy person for a while and then try again. Some people find it easier to say "we" instead.

Finally, if you wish, extend the phrases to someone neutral, like a neighbour or a shop assistant, and then to everyone everywhere. End by resting quietly. Notice, without judging, whatever you feel now.
""",
                ),
                (
                    "Deseos amables",
                    """
Esta práctica, a veces llamada bondad amorosa, usa frases sencillas para cultivar un sentimiento de buena voluntad. El sentimiento puede llegar o no; lo que cuenta es la intención.

Siéntate con comodidad y respira con naturalidad. Primero, trae a la mente a alguien hacia quien te resulte fácil sentir cariño: un amigo, una abuela, una mascota. Imagínalo y ofrécele en silencio estos deseos: «Que estés a salvo. Que tengas salud. Que estés en calma. Que seas feliz». Repítelos despacio varias veces.

Dirige ahora los deseos hacia ti. Puedes imaginarte tal como eres ahora, o de niño. «Que esté a salvo. Que tenga salud. Que esté en calma. Que sea feliz». Si te resulta difícil, puedes volver un rato a la persona fácil y luego intentarlo otra vez. A algunas personas les resulta más fácil decir «que estemos».

Por último, si quieres, extiende las frases a alguien neutral, como un vecino o un dependiente, y después a todos los seres, en todas partes. Termina descansando en silencio. Observa, sin juzgar, lo que sientas ahora.
""",
                ),
            ),
            _day(
                SessionType.GRATITUDE,
                12,
                (
                    "A letter to yourself",
                    """
Today you'll write a short letter to yourself from the point of view of a kind, wise friend: someone who knows all your struggles and accepts you as you are. You'll need paper or your journal.

Take a few breaths with a hand on your heart. Think of something about yourself you often feel bad about, or a difficulty you are going through. Now imagine this friend, who sees you clearly and cares about you. What would they say about this? How would they remind you of your strengths and of what you've been through?

Write the letter in their voice, beginning with "Dear ..." and your name. Keep it simple and honest. You might include something you're grateful for in yourself: your persistence, your humour, the way you care for others. If the writing brings up strong feelings, pause, breathe, and continue only if you want to.

When you've finished, put the letter aside for a while and then read it slowly, letting the words sink in. Keep it somewhere you can find it on a hard day. Well done for completing these five days of kindness.
""",
                ),
                (
                    "Una carta para ti",
                    """
Hoy vas a escribirte una carta breve desde el punto de vista de un amigo amable y sabio: alguien que conoce todas tus dificultades y te acepta tal como eres. Necesitarás papel o tu diario.

Haz unas respiraciones con una mano en el corazón. Piensa en algo de ti por lo que a menudo te sientes mal, o en una dificultad por la que estás pasando. Imagina ahora a ese amigo, que te ve con claridad y te quiere. ¿Qué te diría sobre esto? ¿Cómo te recordaría tus fortalezas y todo lo que has atravesado?

Escribe la carta con su voz, empezando por «Querido...» o «Querida...» y tu nombre. Que sea sencilla y sincera. Puedes incluir algo que agradezcas de ti: tu constancia, tu sentido del humor, cómo cuidas de los demás. Si al escribir surgen emociones fuertes, para, respira y sigue solo si quieres.

Cuando termines, deja la carta a un lado un rato y luego léela despacio, dejando que las palabras calen. Guárdala donde puedas encontrarla un día difícil. Bien hecho por completar estos cinco días de amabilidad.
""",
                ),
            ),
        ],
    },
    {
        "slug": "gentle-movement",
        "title": "Gentle Movement",
        "summary": "Five short sessions of easy, mindful movement for stiff days.",
        "description": "Slow, simple movements you can do in ordinary clothes, "
        "paying attention to how the body feels. Move only within a comfortable "
        "range and skip anything that hurts. If you have an injury, a heart or "
        "lung condition, are pregnant or unsure, check with a doctor or "
        "physiotherapist first." + NOT_CARE_EN,
        "category": WellnessProgram.Category.MOVEMENT,
        "difficulty": WellnessProgram.Difficulty.BEGINNER,
        "is_premium": False,
        "es": {
            "title": "Movimiento suave",
            "summary": "Cinco sesiones cortas de movimiento consciente y sencillo "
            "para los días de rigidez.",
            "description": "Movimientos lentos y sencillos que puedes hacer con "
            "ropa normal, prestando atención a cómo se siente el cuerpo. Muévete "
            "solo dentro de un rango cómodo y sáltate lo que duela. Si tienes una "
            "lesión, una afección cardíaca o pulmonar, estás embarazada o tienes "
            "dudas, consulta antes con un médico o fisioterapeuta." + NOT_CARE_ES,
        },
        "days": [
            _day(
                SessionType.MOVEMENT,
                8,
                (
                    "Waking up the body",
                    """
Stand with your feet hip-width apart, or sit on a sturdy chair if standing is difficult. Let your arms hang loosely. Take three easy breaths and notice how your body feels this morning, without needing to change anything.

Start with small movements. Gently shake out your hands, then your arms. Roll your shoulders forward five times and backward five times. Slowly turn your head to look over one shoulder, back to the centre, then over the other shoulder, moving only as far as is comfortable.

Next, with soft knees, circle your hips slowly a few times in each direction. Lift one heel and then the other, as if walking on the spot. If you're sitting, march your feet gently instead. Then reach both arms up as you breathe in, and let them float down as you breathe out. Repeat this five times.

Finish by standing or sitting still for a moment and noticing any warmth, tingling or ease. Remember the rule for the whole program: move within comfort, never into pain. A little movement, done kindly, is enough.
""",
                ),
                (
                    "Despertar el cuerpo",
                    """
Ponte de pie con los pies separados al ancho de las caderas, o siéntate en una silla firme si te cuesta estar de pie. Deja los brazos sueltos. Haz tres respiraciones tranquilas y observa cómo se siente tu cuerpo esta mañana, sin necesidad de cambiar nada.

Empieza con movimientos pequeños. Sacude suavemente las manos y luego los brazos. Gira los hombros hacia delante cinco veces y hacia atrás otras cinco. Gira despacio la cabeza para mirar por encima de un hombro, vuelve al centro y luego hacia el otro hombro, solo hasta donde te resulte cómodo.

Después, con las rodillas un poco flexionadas, dibuja círculos lentos con las caderas unas cuantas veces en cada sentido. Levanta un talón y luego el otro, como si caminaras sin moverte del sitio. Si estás sentado, marcha suavemente con los pies. Luego sube los dos brazos al inhalar y déjalos bajar flotando al exhalar. Repítelo cinco veces.

Termina quieto un momento, de pie o sentado, notando cualquier calor, cosquilleo o alivio. Recuerda la regla de todo el programa: muévete dentro de lo cómodo, nunca hacia el dolor. Un poco de movimiento, hecho con amabilidad, es suficiente.
""",
                ),
            ),
            _day(
                SessionType.YOGA,
                8,
                (
                    "Shoulders and neck",
                    """
Sit tall on a chair with your feet flat on the floor, or stand if you prefer. Many of us hold stress in our shoulders and neck, especially after time at a screen. Move slowly and stop if anything feels sharp or painful.

Breathe in and lift your shoulders up toward your ears. Breathe out and let them drop. Repeat five times, letting the out-breath be a small sigh. Then gently tilt your right ear toward your right shoulder, only as far as is comfortable, and stay for three breaths. Come back to the centre and repeat on the left.

Next, bring your chin slightly down toward your chest and feel the back of the neck lengthen. Stay for three breaths, then lift your head back to neutral. Interlace your fingers and stretch your arms forward, rounding your upper back, then open your arms wide and gently lift your chest. Repeat this a few times with the breath.

Finish by placing your hands on your shoulders and making slow circles with your elbows. Then rest your hands in your lap and notice the space around your neck and shoulders. You can repeat any of these moves during the day.
""",
                ),
                (
                    "Hombros y cuello",
                    """
Siéntate erguido en una silla con los pies apoyados en el suelo, o quédate de pie si lo prefieres. Muchos acumulamos el estrés en los hombros y el cuello, sobre todo después de estar frente a una pantalla. Muévete despacio y para si algo te produce un dolor agudo.

Inhala y sube los hombros hacia las orejas. Exhala y déjalos caer. Repite cinco veces, dejando que la exhalación sea un pequeño suspiro. Después inclina suavemente la oreja derecha hacia el hombro derecho, solo hasta donde te resulte cómodo, y quédate tres respiraciones. Vuelve al centro y repite hacia la izquierda.

A continuación, baja un poco la barbilla hacia el pecho y siente cómo se alarga la nuca. Quédate tres respiraciones y vuelve a levantar la cabeza a una posición neutra. Entrelaza los dedos y estira los brazos hacia delante, redondeando la parte alta de la espalda; luego abre bien los brazos y eleva suavemente el pecho. Repítelo varias veces siguiendo la respiración.

Termina poniendo las manos sobre los hombros y haciendo círculos lentos con los codos. Después deja las manos en el regazo y nota el espacio alrededor del cuello y los hombros. Puedes repetir cualquiera de estos movimientos durante el día.
""",
                ),
            ),
            _day(
                SessionType.MOVEMENT,
                12,
                (
                    "Mindful walking",
                    """
You can do this practice outdoors or indoors, in a hallway or a room. Choose a place where you feel safe and can walk slowly without needing to pay attention to traffic. Walk at whatever pace and distance suits your body today.

Stand still for a moment and feel your feet on the ground. Then begin to walk a little more slowly than usual. Notice the sensations in your feet: the heel touching down, the weight rolling forward, the toes pushing off. You might silently say "lifting, moving, placing" with each step.

After a few minutes, widen your attention. Notice the movement of your arms, the air on your skin, the sounds around you. If you're outside, look at the colours of the sky, the trees, the buildings. When your mind wanders into thinking, bring it back to the feeling of your feet.

For the last minute, slow down even more, then stand still and notice your body as a whole. Walking like this can turn an ordinary walk to the shop or the bus stop into a few minutes of rest for the mind.
""",
                ),
                (
                    "Caminar con atención",
                    """
Puedes hacer esta práctica al aire libre o en casa, en un pasillo o una habitación. Elige un lugar donde te sientas seguro y puedas caminar despacio sin estar pendiente del tráfico. Camina al ritmo y la distancia que le vengan bien hoy a tu cuerpo.

Quédate quieto un momento y siente los pies en el suelo. Después empieza a caminar algo más despacio de lo habitual. Nota las sensaciones en los pies: el talón que se apoya, el peso que rueda hacia delante, los dedos que empujan. Puedes decir en silencio «levanto, muevo, apoyo» en cada paso.

Al cabo de unos minutos, amplía la atención. Nota el movimiento de los brazos, el aire en la piel, los sonidos a tu alrededor. Si estás fuera, mira los colores del cielo, los árboles, los edificios. Cuando la mente se vaya a pensar, tráela de vuelta a la sensación de los pies.

Durante el último minuto, ve aún más despacio; luego detente y siente el cuerpo entero. Caminar así puede convertir un paseo corriente a la tienda o a la parada del autobús en unos minutos de descanso para la mente.
""",
                ),
            ),
            _day(
                SessionType.MOVEMENT,
                6,
                (
                    "Gentle stretch at the desk",
                    """
This short routine is designed for a chair, so you can do it at work or at home between tasks. Sit near the front of the seat with your feet flat on the floor. Keep every stretch gentle and breathe normally throughout.

Start by sitting tall, then slowly arch your back a little as you breathe in, lifting your chest, and round it as you breathe out, letting your head bow. Repeat five times. Then sit tall and turn your upper body gently to the right, resting your left hand on your right knee, for three breaths. Return to the centre and repeat on the other side.

Stretch your hands: open and close your fists a few times, then circle your wrists in both directions. Straighten one leg in front of you, flex and point the foot a few times, and lower it. Do the same with the other leg.

To finish, rest your hands on your thighs, close your eyes for a moment if you like, and take three slow breaths. Notice how your back, wrists and legs feel. A couple of minutes like this every hour or two can make long days at a desk kinder to your body.
""",
                ),
                (
                    "Estiramientos suaves en la mesa",
                    """
Esta rutina breve está pensada para hacerla en una silla, así que puedes practicarla en el trabajo o en casa entre tareas. Siéntate hacia la parte delantera del asiento con los pies apoyados en el suelo. Que todos los estiramientos sean suaves y respira con normalidad en todo momento.

Empieza sentándote erguido; después arquea un poco la espalda al inhalar, elevando el pecho, y redondéala al exhalar, dejando caer la cabeza. Repite cinco veces. Luego siéntate erguido y gira con suavidad la parte superior del cuerpo hacia la derecha, con la mano izquierda en la rodilla derecha, durante tres respiraciones. Vuelve al centro y repite hacia el otro lado.

Estira las manos: abre y cierra los puños varias veces y luego gira las muñecas en ambos sentidos. Estira una pierna hacia delante, flexiona y estira el pie unas cuantas veces y bájala. Haz lo mismo con la otra pierna.

Para terminar, apoya las manos en los muslos, cierra los ojos un momento si quieres y haz tres respiraciones lentas. Observa cómo se sienten la espalda, las muñecas y las piernas. Un par de minutos así cada una o dos horas pueden hacer que los días largos en la mesa sean más amables con tu cuerpo.
""",
                ),
            ),
            _day(
                SessionType.YOGA,
                12,
                (
                    "Moving with the breath",
                    """
Today we link simple movements with the breath. Stand with your feet hip-width apart, or sit on a chair; every movement works both ways. Move slowly and keep everything within a comfortable range.

Breathe in and raise your arms out to the sides and up. Breathe out and lower them. Repeat five times, letting the breath set the pace. Next, place your hands on your hips. Breathe in and lengthen your spine; breathe out and lean gently to one side. Breathe in back to the centre, and out to the other side. Repeat three times each way.

Now, with soft knees, breathe in and lift your chest slightly; breathe out and let your upper body fold forward a little, hands resting on your thighs. Only go as far as feels good. Breathe in to come back up, slowly. Repeat three times. Then shift your weight gently from one foot to the other, like a slow sway, for a minute.

Finish by standing or sitting still, with your hands on your belly, for a few breaths. Notice how you feel after these five days. Keep the movements you enjoyed; a few minutes of gentle movement on most days is a kind gift to your body.
""",
                ),
                (
                    "Moverse con la respiración",
                    """
Hoy unimos movimientos sencillos con la respiración. Ponte de pie con los pies separados al ancho de las caderas, o siéntate en una silla; todos los movimientos funcionan de las dos formas. Muévete despacio y mantén todo dentro de un rango cómodo.

Inhala y sube los brazos por los lados hacia arriba. Exhala y bájalos. Repite cinco veces, dejando que la respiración marque el ritmo. Después pon las manos en las caderas. Inhala y alarga la columna; exhala e inclínate suavemente hacia un lado. Inhala para volver al centro y exhala hacia el otro lado. Repite tres veces por cada lado.

Ahora, con las rodillas un poco flexionadas, inhala y eleva ligeramente el pecho; exhala y deja que la parte superior del cuerpo se incline un poco hacia delante, con las manos apoyadas en los muslos. Ve solo hasta donde te siente bien. Inhala para subir despacio. Repite tres veces. Luego pasa el peso con suavidad de un pie al otro, como un balanceo lento, durante un minuto.

Termina quieto, de pie o sentado, con las manos en el vientre, durante unas respiraciones. Observa cómo te sientes después de estos cinco días. Quédate con los movimientos que hayas disfrutado; unos minutos de movimiento suave casi todos los días son un regalo amable para tu cuerpo.
""",
                ),
            ),
        ],
    },
]


def _old_placeholder(day: ProgramDay) -> bool:
    # What seed_demo wrote before the days had scripts ("Day 1: Arriving.").
    return day.content == f"Day {day.day_number}: {day.title}." and not (
        day.translations
    )


def _upgrade(run: SeedRun, program: WellnessProgram, spec: dict[str, Any]) -> None:
    """Replace the placeholders an earlier seed_demo left, and nothing else."""
    if program.description == program.summary and not program.translations:
        program.description = spec["description"]
        program.translations = {"es": spec["es"]}
        program.save(update_fields=["description", "translations", "updated_at"])
        run.count("programs upgraded")
    for day in ProgramDay.objects.filter(program=program):
        written = (
            spec["days"][day.day_number - 1]
            if day.day_number <= len(spec["days"])
            else None
        )
        if written is not None and _old_placeholder(day):
            day.content = written["content"]
            day.translations = written["translations"]
            day.save(update_fields=["content", "translations"])
            run.count("program days upgraded")


def seed(run: SeedRun) -> list[WellnessProgram]:
    """The six programs and their days; only missing rows are created (and
    the placeholder text of an earlier seed_demo is replaced)."""
    programs = []
    for order, spec in enumerate(PROGRAMS):
        program = run.ensure(
            "programs",
            WellnessProgram,
            {"slug": spec["slug"]},
            {
                "title": spec["title"],
                "summary": spec["summary"],
                "description": spec["description"],
                "category": spec["category"],
                "difficulty": spec["difficulty"],
                "is_premium": spec["is_premium"],
                "is_published": True,
                "ordering": order * 10,
                "translations": {"es": spec["es"]},
            },
        )
        for number, day in enumerate(spec["days"], 1):
            run.ensure(
                "program days",
                ProgramDay,
                {"program": program, "day_number": number},
                day,
            )
        _upgrade(run, program, spec)
        programs.append(program)
    # Counts days and drops the cached catalogue (a no-op when nothing changed).
    program_catalog_changed(program_ids=[p.pk for p in programs])
    return programs
