"""sd_lang_test.py MODULE REF_RU.wav REF_RUN.wav - sd_kazspeak reads language=ru with the
Russian voice (as long as espeak-ng -v ru on the same text), language=en with the English
voice, Russian spans inside language=kk messages switch as the program does, and LIST
VOICES lists the Kazakh profiles plus a Russian and an English voice."""
import os
import sys
import tempfile
import wave

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sd"))
from sdproto import Module  # noqa: E402

MODULE, REF_RU, REF_RUN = sys.argv[1:4]
RU = "Государственные органы рассматривают обращения граждан."
RUN = "В 2020 году государственные органы рассмотрели обращения граждан."
KK = "Мемлекеттік органдар азаматтардың өтініштерін қарайды."
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def frames(path):
    with wave.open(path) as w:
        return w.getnframes()


def near(a, b, pct):
    return abs(a - b) <= b * pct / 100.0


def set_params(m, **kw):
    i = m.mark()
    m.send("SET", *["%s=%s" % kv for kv in kw.items()], ".")
    m.wait_line(lambda s: s.startswith("203 OK SETTINGS") or s.startswith("30"), i + 1)


def said(m, text):
    s, e = m.speak("<speak>%s</speak>" % text)
    check(m.lines(s, e + 1)[-1] == "702 END", "spoken: " + text)
    return len(m.pcm(s, e + 1)) // 2


m = Module([MODULE], dict(os.environ))
i = m.mark()
m.send("INIT")
m.wait_line(lambda s: s.startswith("299 ") or s.startswith("399 "), i, 60)
i = m.mark()
m.send("AUDIO", "audio_output_method=server", ".")
m.wait_line("203 OK AUDIO INITIALIZED", i)
log = tempfile.NamedTemporaryFile(prefix="sd_lang_", suffix=".log", delete=False)
log.close()
i = m.mark()
m.send("DEBUG ON %s" % log.name)
m.wait_line("200 OK DEBUGGING ON", i)

# LIST VOICES
i = m.mark()
m.send("LIST VOICES")
j = m.wait_line(lambda s: not s.startswith("200-"), i)
voices = [l[4:].split("\t") for l in m.lines(i, j)]
check(["default", "kk", "none"] in voices, "LIST VOICES has default/kk: %r" % voices)
check(["russian", "ru", "none"] in voices, "LIST VOICES has russian/ru: %r" % voices)
check(["english", "en", "none"] in voices, "LIST VOICES has english/en: %r" % voices)
check(all(len(v) == 3 for v in voices), "voice lines are name TAB language TAB variant")

ref_ru, ref_run = frames(REF_RU), frames(REF_RUN)
set_params(m, rate=0, pitch=0, volume=100, language="kk", synthesis_voice="NULL")
kk_read = said(m, RU)  # auto: a Russian sentence in a language=kk message is Russian
set_params(m, language="ru")
ru_read = said(m, RU)
ru_num = said(m, RUN)
print("samples: language=kk %d, language=ru %d, espeak-ng -v ru %d; numbers %d vs %d"
      % (kk_read, ru_read, ref_ru, ru_num, ref_run))
check(near(ru_read, ref_ru, 3), "language=ru is not the Russian voice (%d vs %d)" % (ru_read, ref_ru))
check(near(ru_num, ref_run, 3), "language=ru numbers not read in Russian (%d vs %d)" % (ru_num, ref_run))
check(near(kk_read, ref_ru, 3), "Russian sentence in a language=kk message not read in Russian (%d vs %d)"
      % (kk_read, ref_ru))
set_params(m, language="NULL", synthesis_voice="russian")
check(near(said(m, RU), ref_ru, 3), "synthesis_voice=russian")
set_params(m, synthesis_voice="NULL", language="kk")
# Kazakh is Kazakh, and a mixed message keeps its marks in order
check(said(m, KK) > 0, "Kazakh text spoken")
s, e = m.speak('<speak>Мемлекет басшысы «Закон и порядок»<mark name="__spd_0"/> деп атап өтті.'
               '<mark name="__spd_1"/></speak>')
kinds = m.kinds(s, e + 1)
check(kinds[-1] == "702 END", "mixed message spoken")
marks = [k for k in kinds if k.startswith("700-")]
check(marks == ["700-__spd_0", "700-__spd_1"], "marks in order: %r" % kinds)
set_params(m, language="en")
en_read = said(m, "It costs 25 dollars.")
check(en_read > 0, "English spoken")
m.send("DEBUG OFF")
m.quit()
text = open(log.name, encoding="utf-8").read()
os.unlink(log.name)
check("двадцатом году" in text, "the Russian normalizer read the year: " + text[-600:])
check("It costs 25 dollars" in text, "English text is not normalized")
check("[ru]" in text and "[kk]" in text, "the mixed message was cut into Kazakh and Russian parts")
if failures:
    print("%d failure(s)" % len(failures))
    sys.exit(1)
print("PASS")
