"""protocol_test.py MODULE [DATA-ARGS...] - sd_kazspeak over stdin/stdout, no server, no sound card.

Replays speech-dispatcher 0.11.4's side of the module protocol (as in a real
transcript) and checks replies, event order and the audio decoded from the 705
blocks.  Prints measured SPEAK-to-first-audio and STOP-to-703 times.
"""
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sdproto import Module, ModuleError, rms, samples, voiced_seconds  # noqa: E402

MODULE = sys.argv[1]
failures = []
figures = {}
modules = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def start(extra_env=None):
    env = dict(os.environ)
    env.update(extra_env or {})
    m = Module([MODULE] + sys.argv[2:], env)
    modules.append(m)
    i = m.mark()
    m.send("INIT")
    j = m.wait_line(lambda s: s.startswith("299 ") or s.startswith("399 "), i, 60)
    lines = m.lines(i, j + 1)
    if not lines[-1].startswith("299 OK LOADED SUCCESSFULLY"):
        raise ModuleError("INIT failed: %r\n%s" % (lines, m.stderr()))
    check(lines[0].startswith("299-"), "INIT: 299- message line first")
    # the server's usual start-up
    i = m.mark()
    m.send("AUDIO", "audio_output_method=server", ".")
    m.wait_line("203 OK AUDIO INITIALIZED", i)
    check(m.lines(i) == ["207 OK RECEIVING AUDIO SETTINGS", "203 OK AUDIO INITIALIZED"], "AUDIO replies")
    i = m.mark()
    m.send("LOGLEVEL", "log_level=4", ".")
    m.wait_line("203 OK LOGLEVEL SET", i)
    check(m.lines(i) == ["207 OK RECEIVING LOGLEVEL SETTINGS", "203 OK LOGLEVEL SET"], "LOGLEVEL replies")
    return m


def debug_on(m):
    """Turn the module's debug log on into a new temporary file; returns it (closed)."""
    log = tempfile.NamedTemporaryFile(prefix="sd_kazspeak_", suffix=".log", delete=False)
    log.close()
    i = m.mark()
    m.send("DEBUG ON %s" % log.name)
    m.wait_line("200 OK DEBUGGING ON", i)
    return log


def set_params(m, **kw):
    i = m.mark()
    m.send("SET", *["%s=%s" % kv for kv in kw.items()], ".")
    j = m.wait_line(lambda s: s.startswith("203 OK SETTINGS") or s.startswith("30"), i + 1)
    return m.lines(i, j + 1)


def secs(m, pcm):
    return len(pcm) / 2 / m.rate


def pitch_hz(pcm, rate):
    """Median pitch of voiced 40 ms frames by autocorrelation (60-400 Hz)."""
    a = samples(pcm)
    n = int(rate * 0.04)
    lo, hi = int(rate / 400), int(rate / 60)
    est = []
    for start in range(0, len(a) - n - hi, n):
        w = a[start:start + n + hi]
        e0 = sum(x * x for x in w[:n])
        if e0 < n * 1000 ** 2:
            continue
        best, best_lag = 0.0, 0
        for lag in range(lo, hi, 2):
            c = sum(w[i] * w[i + lag] for i in range(0, n, 2))
            if c > best:
                best, best_lag = c, lag
        if best_lag and best > 0.3 * e0 / 2:
            est.append(rate / best_lag)
    est.sort()
    return est[len(est) // 2] if est else 0.0


SENT = "Сәлем, әлем! Бұл сынақ."
LONG = " ".join(["Қазақстан Республикасы – Орталық Азиядағы мемлекет. Астанасы – Астана қаласы."] * 60)


def test_handshake_and_voices():
    m = start()
    i = m.mark()
    m.send("LIST VOICES")
    j = m.wait_line(lambda s: not s.startswith("200-"), i)
    lines = m.lines(i, j + 1)
    check(lines[-1] == "200 OK VOICE LIST SENT", "LIST VOICES ends with 200 OK: %r" % lines[-1:])
    voices = [l[4:].split("\t") for l in lines[:-1]]
    check(["default", "kk", "none"] in voices, "LIST VOICES has default/kk: %r" % voices)
    check(all(len(v) == 3 and (v[1] == "kk" or v[0] in ("russian", "english")) for v in voices),
          "voice lines are name TAB kk TAB variant (plus the russian and english voices)")
    reply = set_params(m, pitch=0, pitch_range=0, rate=20, volume=100, punctuation_mode="none",
                       spelling_mode="off", cap_let_recogn="none", voice="male1", language="kk",
                       synthesis_voice="NULL")
    check(reply == ["203 OK RECEIVING SETTINGS", "203 OK SETTINGS RECEIVED"], "SET replies %r" % reply)
    i = m.mark()
    m.send("DEBUG OFF")
    m.wait_line("200 OK DEBUGGING OFF", i)
    check(m.quit() == 0, "QUIT exits 0")
    check(m.lines()[-1] == "210 OK QUIT", "QUIT answered 210 OK QUIT")
    check(not m.errors, "stream errors: %r" % m.errors)


def test_speak_with_marks():
    m = start()
    set_params(m, rate=0, synthesis_voice="NULL")
    ssml = '<speak>%s<mark name="__spd_0"/> Бұл екінші сөйлем.<mark name="__spd_1"/></speak>' % SENT
    i = m.mark()
    t0 = m.send("SPEAK", ssml, ".")
    a = m.wait_audio(i)
    figures["speak_to_first_audio_ms"] = (m.events[a][0] - t0) * 1000
    j = m.wait_line(lambda s: s in ("702 END", "703 STOP", "704 PAUSE"), i)
    k = m.kinds(i, j + 1)
    want = ["202 OK RECEIVING MESSAGE", "200 OK SPEAKING", "701 BEGIN", "AUDIO", "700-__spd_0", "700 INDEX MARK",
            "AUDIO", "700-__spd_1", "700 INDEX MARK"]
    check(k[:len(want)] == want, "event order %r" % k)
    check(k[-1] == "702 END", "ends with 702 END: %r" % k[-3:])
    # where the marks fall in the audio
    mk0 = m.wait_line("700-__spd_0", i)
    mk1 = m.wait_line("700-__spd_1", i)
    before0 = m.pcm(i, mk0)
    before1 = m.pcm(i, mk1)
    total = m.pcm(i, j)
    d = secs(m, total)
    print("speak: %.2f s of audio, mark 0 at %.2f s, mark 1 at %.2f s, rms %.0f" %
          (d, secs(m, before0), secs(m, before1), rms(total)))
    check(1.5 < d < 12, "plausible duration for two sentences: %.2f s" % d)
    check(rms(total) > 300, "audio is not silent (rms %.0f)" % rms(total))
    first = next((n for n, x in enumerate(samples(total)) if abs(x) >= 200), -1)
    figures["first_sound_in_audio_ms"] = first * 1000.0 / m.rate
    check(0 <= first <= m.rate // 100, "speech starts within 10 ms of the audio (at sample %d)" % first)
    check(voiced_seconds(total, m.rate) > 0.8, "at least 0.8 s of voiced audio")
    check(0.2 < len(before0) / len(total) < 0.75, "mark 0 inside the audio (%.2f)" % (len(before0) / len(total)))
    check(voiced_seconds(before0, m.rate) > 0.5, "speech before mark 0")
    check(voiced_seconds(m.pcm(mk0, mk1), m.rate) > 0.5, "speech between the marks")
    check(secs(m, m.pcm(mk1, j)) < 0.6, "little audio after the last mark")
    # the same message again: the engine stays loaded, similar length
    s2, e2 = m.speak(ssml)
    d2 = secs(m, m.pcm(s2, e2))
    check(abs(d2 - d) < 0.1 * d, "repeat gives similar audio (%.2f vs %.2f s)" % (d2, d))
    m.quit()
    check(not m.errors, "stream errors: %r" % m.errors)


def test_rate_pitch_volume():
    m = start()
    durs = {}
    for r in (-100, 0, 50, 100):
        set_params(m, rate=r)
        s, e = m.speak("<speak>%s Бұл сынақ тағы да.</speak>" % SENT)
        durs[r] = secs(m, m.pcm(s, e))
    print("rate -> seconds:", {k: round(v, 2) for k, v in durs.items()})
    check(durs[-100] > 1.6 * durs[0], "rate -100 much slower than 0")
    check(durs[0] > durs[50] > durs[100], "faster with higher rate: %r" % durs)
    check(durs[0] > 2.5 * durs[100], "rate +100 reaches the fast range (>= 2.5x)")
    set_params(m, rate=0, volume=-50)
    s, e = m.speak("<speak>%s</speak>" % SENT)
    quiet = rms(m.pcm(s, e))
    set_params(m, volume=100)
    s, e = m.speak("<speak>%s</speak>" % SENT)
    loud = rms(m.pcm(s, e))
    check(loud > 2 * quiet > 0, "volume: rms %.0f at +100 vs %.0f at -50" % (loud, quiet))
    # pitch and voice type change the voice: compare the mean fundamental period
    f0 = {}
    for label, kw in (("low", dict(volume=0, pitch=-100)), ("high", dict(pitch=100)),
                      ("male1", dict(pitch=0, voice="male1")), ("female1", dict(voice="female1"))):
        set_params(m, **kw)
        s, e = m.speak("<speak>%s</speak>" % SENT)
        f0[label] = pitch_hz(m.pcm(s, e), m.rate)
    set_params(m, voice="male1")
    print("pitch estimates (Hz):", {k: round(v) for k, v in f0.items()})
    check(f0["high"] > 1.3 * f0["low"], "pitch +100 is higher than -100")
    check(f0["female1"] > 1.3 * f0["male1"], "voice female1 is higher than male1")
    r = set_params(m, rate=101)
    check(r[-1] == "303 ERROR INVALID PARAMETER OR VALUE", "rate=101 rejected: %r" % r)
    m.quit()
    check(not m.errors, "stream errors: %r" % m.errors)


def test_stop_middle():
    m = start()
    log = debug_on(m)
    # full length of the long text, for comparison
    s, e = m.speak("<speak>%s</speak>" % LONG, timeout=120)
    full = secs(m, m.pcm(s, e))
    check(m.lines(s, e + 1)[-1] == "702 END", "long text ends")
    # now stop it in the middle, while the "server" is not taking audio
    i = m.mark()
    m.send("SPEAK", "<speak>%s</speak>" % LONG, ".")
    m.wait_audio(i)
    m.pause_reading()
    time.sleep(0.3)          # the module fills the pipe and must block on it
    t_stop = m.send("STOP")
    time.sleep(0.05)
    m.resume_reading()
    j = m.wait_line(lambda s: s in ("702 END", "703 STOP"), i)
    t_end = m.events[j][0]
    got = secs(m, m.pcm(i, j))
    figures["stop_to_703_ms_blocked"] = (t_end - t_stop) * 1000 - 50
    print("stop: full text %.1f s of audio; %.2f s arrived before 703" % (full, got))
    check(m.lines(i, j + 1)[-1] == "703 STOP", "STOP gives 703 STOP")
    check(got < 0.1 * full, "stopped in the middle (%.1f of %.1f s)" % (got, full))
    # stop while the server keeps reading: audio after STOP is at most what was in flight
    i = m.mark()
    m.send("SPEAK", "<speak>%s</speak>" % LONG, ".")
    m.wait_audio(i)
    t_stop = m.send("STOP")
    j = m.wait_line(lambda s: s in ("702 END", "703 STOP"), i)
    figures["stop_to_703_ms"] = (m.events[j][0] - t_stop) * 1000
    check(m.lines(i, j + 1)[-1] == "703 STOP", "second STOP gives 703 STOP")
    # STOP and the next message in one write (a screen reader interrupting itself):
    # 703 for the old message comes before any reply to the new one
    i = m.mark()
    m.send("SPEAK", "<speak>%s</speak>" % LONG, ".")
    m.wait_audio(i)
    m.send("STOP", "SET", "rate=0", ".", "SPEAK", "<speak>Бір.</speak>", ".")
    j = m.wait_line("702 END", i)
    k = m.kinds(i, j + 1)
    stop_at = k.index("703 STOP") if "703 STOP" in k else -1
    check(stop_at > 0 and k[stop_at + 1:] == ["203 OK RECEIVING SETTINGS", "203 OK SETTINGS RECEIVED",
                                                "202 OK RECEIVING MESSAGE", "200 OK SPEAKING", "701 BEGIN",
                                                "AUDIO", "702 END"], "STOP then SPEAK: %r" % k[-10:])
    # the server is not reading audio and writes a big message: the module must
    # keep taking input (or both sides would block on full pipes)
    i = m.mark()
    m.send("SPEAK", "<speak>%s</speak>" % LONG, ".")
    m.wait_audio(i)
    m.pause_reading()
    time.sleep(0.2)
    big = "<speak>%s</speak>" % (" ".join(["Бір екі үш."] * 30000))
    import threading
    writer = threading.Thread(target=m.send, args=("STOP", "SPEAK", big, "."), daemon=True)
    writer.start()
    writer.join(20)
    done = not writer.is_alive()
    m.resume_reading()
    check(done, "a %d KB message was taken while the module's output was blocked" % (len(big.encode()) // 1024))
    j = m.wait_line("703 STOP", i)
    m.send("STOP")
    k = m.wait_line(lambda s: s in ("702 END", "703 STOP"), j + 1, 120)
    check(m.lines(j + 1, k + 1)[:2] == ["202 OK RECEIVING MESSAGE", "200 OK SPEAKING"], "big message accepted")
    # STOP when idle: no reply, the module stays up
    m.send("STOP")
    s, e = m.speak("<speak>Бір.</speak>")
    check(m.lines(s, e + 1)[-1] == "702 END", "speaks after STOP")
    check(m.kinds(s, e + 1)[0] == "202 OK RECEIVING MESSAGE", "no reply to an idle STOP")
    m.send("DEBUG OFF")
    m.quit()
    inner = [float(l.split(" ms after")[0].split()[-1]) for l in open(log.name, encoding="utf-8")
             if "stopped: 703" in l]
    os.unlink(log.name)
    check(len(inner) == 5, "module logged five stops: %r" % inner)
    if inner:
        figures["stop_read_to_703_in_module_ms_max"] = max(inner)
    check(not m.errors, "stream errors: %r" % m.errors)


def test_pause():
    m = start()
    parts = []
    for n in range(40):
        parts.append("Бұл %s сөйлем." % ["бірінші", "екінші", "үшінші", "келесі"][min(n, 3)])
        parts.append('<mark name="__spd_%d"/>' % n)
    i = m.mark()
    m.send("SPEAK", "<speak>%s</speak>" % "".join(parts), ".")
    m.wait_audio(i)
    m.pause_reading()
    time.sleep(0.3)
    m.send("PAUSE")
    time.sleep(0.05)
    m.resume_reading()
    j = m.wait_line(lambda s: s in ("702 END", "703 STOP", "704 PAUSE"), i)
    lines = m.lines(i, j + 1)
    marks = [l[4:] for l in lines if l.startswith("700-")]
    print("pause: marks before 704: %r" % marks)
    check(lines[-1] == "704 PAUSE", "PAUSE gives 704 PAUSE: %r" % lines[-3:])
    check(0 < len(marks) < 40, "paused at a mark in the middle (%d marks)" % len(marks))
    last = max(idx for idx in range(i, j) if m.events[idx][1] == "line" and m.events[idx][2] == "700 INDEX MARK")
    check(len(m.pcm(last, j)) == 0, "no audio after the pause mark")
    # speech-dispatcher resumes by sending the rest from that mark
    s, e = m.speak("<speak>Бұл соңғы сөйлем.</speak>")
    check(m.lines(s, e + 1)[-1] == "702 END", "speaks after PAUSE")
    m.quit()
    check(not m.errors, "stream errors: %r" % m.errors)


def test_char_key():
    m = start()
    log = debug_on(m)
    d = {}
    for kind, arg in (("CHAR", "Ж"), ("CHAR", "space"), ("CHAR", "ң"), ("KEY", "a"),
                      ("KEY", "control_alt_delete"), ("KEY", "kp-5")):
        i = m.mark()
        m.send(kind, arg, ".")
        j = m.wait_line(lambda s: s in ("702 END", "703 STOP") or s.startswith("30"), i)
        k = m.kinds(i, j + 1)
        check(k == ["202 OK RECEIVING MESSAGE", "200 OK SPEAKING", "701 BEGIN", "AUDIO", "702 END"],
              "%s %s events %r" % (kind, arg, k))
        d[(kind, arg)] = secs(m, m.pcm(i, j))
    print("char/key seconds:", {"%s %s" % k: round(v, 2) for k, v in d.items()})
    check(d[("KEY", "control_alt_delete")] > 2 * d[("KEY", "a")], "a key combination is longer than one key")
    # capital letter with cap_let_recogn=spell says "бас әріп"
    set_params(m, cap_let_recogn="spell")
    i = m.mark()
    m.send("CHAR", "Ж", ".")
    j = m.wait_line("702 END", i)
    check(secs(m, m.pcm(i, j)) > d[("CHAR", "Ж")] + 0.3, "capital announced with cap_let_recogn=spell")
    # cap_let_recogn=icon: a 40 ms click before the capital's name
    set_params(m, cap_let_recogn="icon")
    i = m.mark()
    m.send("CHAR", "Ж", ".")
    j = m.wait_line("702 END", i)
    import math
    n = m.rate * 40 // 1000
    tone = [int(6000.0 * (n - k) / n * math.sin(2 * math.pi * 1500.0 * k / m.rate)) for k in range(n)]
    head = list(samples(m.pcm(i, j))[:n])
    check(len(head) == n and all(abs(a - b) <= 1 for a, b in zip(head, tone)),
          "40 ms click at the start of a capital with cap_let_recogn=icon")
    set_params(m, cap_let_recogn="none")
    i = m.mark()
    m.send("CHAR", "Ж", ".")
    j = m.wait_line("702 END", i)
    head = list(samples(m.pcm(i, j))[:n])
    check(sum(abs(a - b) for a, b in zip(head, tone)) > 100 * n, "no click without cap_let_recogn")
    # punctuation names and spelling are visible in the debug log
    set_params(m, cap_let_recogn="none", punctuation_mode="some")
    m.speak("<speak>info@mail.kz</speak>")
    set_params(m, punctuation_mode="none", spelling_mode="on")
    m.speak("<speak>Ақ</speak>")
    set_params(m, spelling_mode="off")
    # multi-line CHAR is an error
    i = m.mark()
    m.send("KEY", "a", "b", ".")
    j = m.wait_line(lambda s: s[0] in "37", i + 1)
    check(m.lines(i, j + 1)[-1] == "305 DATA MORE THAN ONE LINE", "two-line KEY rejected")
    m.send("DEBUG OFF")
    m.quit()
    text = open(log.name, encoding="utf-8").read()
    os.unlink(log.name)
    for want in ("жы", "бос орын", "ңы", "эй", "контрол альт делит", "сандық тақта бес", "бас әріп жы",
                 "айқұлақ", "а, қы"):
        check(want in text, "spoken text contains %r" % want)
    check(not m.errors, "stream errors: %r" % m.errors)


def test_malformed():
    m = start()
    cases = [
        (["FOO"], "300 ERR UNKNOWN COMMAND"),
        (["speak"], "300 ERR UNKNOWN COMMAND"),
        ([""], "300 ERR UNKNOWN COMMAND"),
        (["SET", "rate=abc", "."], "303 ERROR INVALID PARAMETER OR VALUE"),
        (["SET", "nonsense", "."], "302 ERROR BAD SYNTAX"),
        (["SET", "voice=MALE1", "."], "303 ERROR INVALID PARAMETER OR VALUE"),
        (["SPEAK", "."], "301 ERROR CANT SPEAK"),
        (["DEBUG ON"], "302 ERROR BAD SYNTAX"),
        (["AUDIO", "audio_output_method=alsa", "."], "303 ERROR INVALID PARAMETER OR VALUE"),
    ]
    for lines, want in cases:
        i = m.mark()
        m.send(*lines)
        j = m.wait_line(lambda s: s[:1] in "23" and not s.startswith("20") or s == want, i)
        got = m.lines(i, j + 1)[-1]
        check(got == want, "%r -> %r, want %r" % (lines, got, want))
    # invalid UTF-8, broken SSML, a NUL byte, CR LF: spoken or refused, module stays up
    i = m.mark()
    m.send_raw(b"SPEAK\n<speak>\xff\xfe \xd0 \xd2\x9b\xd0\xb0\xd0\xb7\xd0\xb0\xd2\x9b</speak>\n.\n")
    j = m.wait_line(lambda s: s in ("702 END", "703 STOP") or s.startswith("301"), i)
    check(m.lines(i, j + 1)[-1] == "702 END", "invalid UTF-8 still spoken")
    for bad in ("<speak>Сәлем <mark name=", "<speak><<<>>> &amp &#99999999; &#x; Сәлем</speak>",
                "</speak>Сәлем<speak>", "<speak><mark name=\"a\nb\"/>Сәлем</speak>"):
        s, e = m.speak(bad)
        check(m.lines(s, e + 1)[-1] == "702 END", "broken SSML %r spoken" % bad)
    i = m.mark()
    m.send_raw(b"SPEAK\n<speak>A\x00B</speak>\n.\n")
    m.wait_line(lambda s: s in ("702 END", "703 STOP") or s.startswith("301"), i)
    i = m.mark()
    m.send_raw(b"SET\r\nrate=10\r\n.\r\n")
    m.wait_line(lambda s: s.startswith("203 OK SETTINGS") or s.startswith("30"), i + 1)
    check(m.lines(i)[-1] == "203 OK SETTINGS RECEIVED", "CR LF accepted")
    s, e = m.speak("<speak>%s</speak>" % SENT)
    check(m.lines(s, e + 1)[-1] == "702 END" and rms(m.pcm(s, e)) > 300, "speaks after malformed input")
    m.quit()
    check(not m.errors, "stream errors: %r" % m.errors)


def test_user_lexicon_error_is_not_fatal():
    tmp = tempfile.mkdtemp(prefix="sd_kazspeak_")
    os.mkdir(os.path.join(tmp, "kazspeak"))
    path = os.path.join(tmp, "kazspeak", "lexicon.tsv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("no header\tline\n")
    try:
        m = start({"XDG_CONFIG_HOME": tmp})
        s, e = m.speak("<speak>%s</speak>" % SENT)
        check(m.lines(s, e + 1)[-1] == "702 END", "speaks with a broken user lexicon")
        m.quit()
        m.err_thread.join(5)
        check("user lexicon ignored" in m.stderr() and "lexicon.tsv:1" in m.stderr(),
              "the broken user lexicon is reported: %r" % m.stderr()[-300:])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # libpulse may add a pulse/ folder


def test_normalizer():
    m = start()
    log = debug_on(m)
    s, e = m.speak('<speak>2020 жылғы 3 маусым<mark name="__spd_0"/> &lt;ҚР&gt;</speak>')
    check(m.lines(s, e + 1)[-1] == "702 END", "date spoken")
    m.send("DEBUG OFF")
    m.quit()
    text = open(log.name, encoding="utf-8").read()
    os.unlink(log.name)
    check("екі мың жиырмасыншы жылғы үшінші маусым" in text, "the date went through the Kazakh normalizer")
    check('<mark name="__spd_0"/>' in text, "the mark is kept")
    check("&lt;" in text, "text is escaped again for eSpeak's SSML")


def test_language_english():
    # language=en: English voice, no Kazakh normalizer; back to kk afterwards.
    m = start()
    log = debug_on(m)
    set_params(m, language="en")
    s, e = m.speak('<speak>It costs 25 dollars.</speak>')
    check(m.lines(s, e + 1)[-1] == "702 END", "English spoken")
    set_params(m, language="kk")
    s, e = m.speak('<speak>Бағасы 25 доллар.</speak>')
    check(m.lines(s, e + 1)[-1] == "702 END", "Kazakh spoken again")
    m.send("DEBUG OFF")
    m.quit()
    text = open(log.name, encoding="utf-8").read()
    os.unlink(log.name)
    check("It costs 25 dollars" in text, "English text is not normalized: " + text[-400:])
    check("жиырма бес доллар" in text, "Kazakh text is normalized after switching back")


def test_config_and_icons():
    tmp = tempfile.mkdtemp(prefix="sd_kazspeak_")
    icons = os.path.join(tmp, "icons")
    os.mkdir(icons)
    open(os.path.join(icons, "bell.wav"), "wb").close()
    conf = os.path.join(tmp, "kazspeak.conf")
    with open(conf, "w", encoding="utf-8") as f:
        f.write('# test\nKazspeakVoice "fast"\nKazspeakSoundIconFolder "%s"\nKazspeakUserLexicon 0\n' % icons)
    m = start()
    s, e = m.speak("<speak>%s</speak>" % SENT)
    normal = secs(m, m.pcm(s, e))
    m.quit()
    argv = sys.argv[2:]
    sys.argv[2:] = [conf]
    try:
        m = start()
        s, e = m.speak("<speak>%s</speak>" % SENT)
        fast = secs(m, m.pcm(s, e))
        check(fast < 0.7 * normal, "KazspeakVoice fast is faster (%.2f vs %.2f s)" % (fast, normal))
        i = m.mark()
        m.send("SOUND_ICON", "bell.wav", ".")
        j = m.wait_line("702 END", i)
        k = m.kinds(i, j + 1)
        check(k == ["202 OK RECEIVING MESSAGE", "200 OK SPEAKING", "701 BEGIN",
                    "706-" + os.path.join(icons, "bell.wav"), "706 ICON", "702 END"], "SOUND_ICON events %r" % k)
        i = m.mark()
        m.send("SOUND_ICON", "missing", ".")
        j = m.wait_line("702 END", i)
        k = m.kinds(i, j + 1)
        check(k == ["202 OK RECEIVING MESSAGE", "200 OK SPEAKING", "701 BEGIN", "702 END"],
              "missing icon: no 706, no audio: %r" % k)
        # synthesis_voice from LIST VOICES switches profile; NULL goes back to the configured one
        set_params(m, synthesis_voice="news")
        s, e = m.speak("<speak>%s</speak>" % SENT)
        news = secs(m, m.pcm(s, e))
        set_params(m, synthesis_voice="NULL")
        s, e = m.speak("<speak>%s</speak>" % SENT)
        back = secs(m, m.pcm(s, e))
        check(news > 1.3 * fast and abs(back - fast) < 0.1 * fast,
              "synthesis_voice news %.2f s, back to fast %.2f s (fast %.2f s)" % (news, back, fast))
        set_params(m, synthesis_voice="no-such-voice")
        s, e = m.speak("<speak>%s</speak>" % SENT)
        check(m.lines(s, e + 1)[-1] == "702 END", "unknown synthesis voice still speaks")
        m.quit()
        # a config with an unknown key is refused (speech-dispatcher then reports the module as failed)
        with open(conf, "a", encoding="utf-8") as f:
            f.write("NoSuchKey 1\n")
        import subprocess
        r = subprocess.run([MODULE, conf], input=b"INIT\n", capture_output=True, timeout=30)
        check(r.returncode != 0 and b"NoSuchKey" in r.stderr, "unknown config key refused: %r" % r.stderr)
    finally:
        sys.argv[2:] = argv
        shutil.rmtree(tmp, ignore_errors=True)


ENDS = ("702 END", "703 STOP", "704 PAUSE")
BIG_UNIT = "2020 жылғы 3 маусымда сағат 12:30-да ҚР Үкіметі 25% жеңілдік берді, т.б. 1 500 000 теңге. "


def big_ssml(kib):
    return "<speak>" + BIG_UNIT * (kib * 1024 // len(BIG_UNIT.encode())) + "</speak>"


def ends_after(m, i):
    """The end events (702/703/704) and 210 from event i on."""
    return [l for l in m.lines(i) if l in ENDS or l == "701 BEGIN" or l.startswith("210")]


def test_queued_speak_stop_quit():
    # the reproduction: a ~500 KB SPEAK, a second SPEAK queued behind it, STOP, QUIT
    m = start()
    log = debug_on(m)
    i = m.mark()
    m.send("SPEAK", big_ssml(500), ".")
    m.wait_audio(i)
    m.send("SPEAK", "<speak>Бір.</speak>", ".")
    m.send("KEY", "control_alt_delete", ".")
    q = m.wait_line("200 OK SPEAKING", m.wait_line("200 OK SPEAKING", m.wait_line("200 OK SPEAKING", i) + 1) + 1)
    check(m.lines(i, q + 1).count("202 OK RECEIVING MESSAGE") == 3, "both queued messages answered at once")
    time.sleep(0.2)
    t_stop = m.send("STOP")
    j = m.wait_line("703 STOP", i, 5)
    figures["queued_stop_to_703_ms"] = (m.events[j][0] - t_stop) * 1000
    # the two dropped messages: 701 BEGIN, 703 STOP each, no audio
    k = m.wait_line("703 STOP", m.wait_line("703 STOP", j + 1, 5) + 1, 5)
    check(m.kinds(j, k + 1) == ["703 STOP", "701 BEGIN", "703 STOP", "701 BEGIN", "703 STOP"],
          "STOP drops the queued messages: %r" % m.kinds(j, k + 1))
    check((m.events[k][0] - t_stop) < 1.0, "703s within 1 s of STOP (%.1f ms)" % ((m.events[k][0] - t_stop) * 1000))
    check(ends_after(m, i).count("701 BEGIN") == 3, "one 701 per message: %r" % ends_after(m, i))
    # the module goes on: a new message is spoken
    s, e = m.speak("<speak>Бұл соңғы сөйлем.</speak>")
    check(m.kinds(s, e + 1) == ["202 OK RECEIVING MESSAGE", "200 OK SPEAKING", "701 BEGIN", "AUDIO", "702 END"],
          "speaks after STOP dropped the queue: %r" % m.kinds(s, e + 1))
    # QUIT while speaking with one queued: 703, the dropped one's 701/703, then 210, then exit
    i = m.mark()
    m.send("SPEAK", big_ssml(500), ".")
    m.wait_audio(i)
    m.send("SPEAK", "<speak>Екі.</speak>", ".")
    m.wait_line("200 OK SPEAKING", m.wait_line("200 OK SPEAKING", i) + 1)
    t_quit = m.send("QUIT")
    j = m.wait_line("210 OK QUIT", i, 5)
    figures["queued_quit_to_210_ms"] = (m.events[j][0] - t_quit) * 1000
    check(figures["queued_quit_to_210_ms"] < 1000, "210 within 1 s of QUIT")
    check(ends_after(m, i) == ["701 BEGIN", "703 STOP", "701 BEGIN", "703 STOP", "210 OK QUIT"],
          "QUIT: 703 before 210: %r" % ends_after(m, i))
    try:
        rc = m.proc.wait(5)
    except Exception:
        rc = None
    check(rc == 0, "module exits after QUIT (%r)" % rc)
    text = open(log.name, encoding="utf-8").read()
    os.unlink(log.name)
    check("2 queued message(s) dropped" in text, "the log says what STOP dropped")
    print("queued: STOP -> 703 %.1f ms, QUIT -> 210 %.1f ms" %
          (figures["queued_stop_to_703_ms"], figures["queued_quit_to_210_ms"]))
    check(not m.errors, "stream errors: %r" % m.errors)


def test_queue_order_and_cap():
    m = start()
    # queued messages are spoken in order, each with the settings it came with
    i = m.mark()
    m.send("SPEAK", "<speak>%s</speak>" % SENT, ".", "SET", "rate=100", ".", "SPEAK", "<speak>%s</speak>" % SENT,
           ".", "SET", "rate=0", ".", "CHAR", "ж", ".")
    e1 = m.wait_line("702 END", i)
    e2 = m.wait_line("702 END", e1 + 1)
    e3 = m.wait_line("702 END", e2 + 1)
    d1, d2 = secs(m, m.pcm(i, e1)), secs(m, m.pcm(e1, e2))
    check(d2 < 0.6 * d1, "the second message keeps its own rate=100 (%.2f vs %.2f s)" % (d2, d1))
    check(0 < secs(m, m.pcm(e2, e3)) < 1.5, "then the CHAR")
    check(ends_after(m, i) == ["701 BEGIN", "702 END"] * 3, "three messages in order: %r" % ends_after(m, i))
    # over the cap: 301 with the reason in the log
    i = m.mark()
    m.send("SPEAK", "<speak>%s</speak>" % LONG, ".")
    m.wait_audio(i)
    for n in range(40):
        m.send("SPEAK", "<speak>Сөйлем %d.</speak>" % n, ".")
    j = m.wait_line("301 ERROR CANT SPEAK", i, 10)
    time.sleep(0.2)
    replies = [l for l in m.lines(i) if l.startswith("200 OK") or l.startswith("301")]
    print("queue cap: %d accepted, %d refused" % (replies.count("200 OK SPEAKING") - 1,
                                                  replies.count("301 ERROR CANT SPEAK")))
    check(replies.count("200 OK SPEAKING") == 33 and replies.count("301 ERROR CANT SPEAK") == 8,
          "32 messages wait, the rest are refused: %r" % replies[-3:])
    m.send("STOP")
    k = m.wait_line("703 STOP", i, 5)
    m.wait_line(lambda s: s == "703 STOP" and len([x for x in m.lines(k) if x == "703 STOP"]) == 33, k, 5)
    s, e = m.speak("<speak>Бір.</speak>")
    check(m.lines(s, e + 1)[-1] == "702 END", "speaks after the flood")
    m.quit()
    m.err_thread.join(5)
    check("301 ERROR CANT SPEAK: 32 messages are already waiting" in m.stderr(),
          "the refusal is logged with its reason: %r" % m.stderr()[-300:])
    check(not m.errors, "stream errors: %r" % m.errors)


def test_pause_drops_queue():
    m = start()
    parts = "".join('Бұл сөйлем %d.<mark name="__spd_%d"/>' % (n, n) for n in range(30))
    i = m.mark()
    m.send("SPEAK", "<speak>%s</speak>" % parts, ".", "SPEAK", "<speak>Кезекте.</speak>", ".")
    m.wait_audio(i)
    m.wait_line("200 OK SPEAKING", m.wait_line("200 OK SPEAKING", i) + 1)
    t = m.send("PAUSE")
    j = m.wait_line("704 PAUSE", i, 10)
    k = m.wait_line("703 STOP", j, 5)
    check(m.kinds(j, k + 1) == ["704 PAUSE", "701 BEGIN", "703 STOP"], "PAUSE: 704, the queued one dropped: %r" %
          m.kinds(j, k + 1))
    print("pause with a queued message: 704 %.0f ms after PAUSE" % ((m.events[j][0] - t) * 1000))
    s, e = m.speak("<speak>Бұл соңғы сөйлем.</speak>")
    check(m.lines(s, e + 1)[-1] == "702 END", "speaks after PAUSE")
    m.quit()
    check(not m.errors, "stream errors: %r" % m.errors)


def test_key_flood_bounded():
    m = start()
    i = m.mark()
    # a long key name, then another KEY: refused, and the next one is spoken at once
    m.send("KEY", "a_" * 100000, ".", "KEY", "a", ".")
    j = m.wait_line("702 END", i, 10)
    k = m.kinds(i, j + 1)
    check(k == ["202 OK RECEIVING MESSAGE", "301 ERROR CANT SPEAK", "202 OK RECEIVING MESSAGE", "200 OK SPEAKING",
                "701 BEGIN", "AUDIO", "702 END"], "long KEY refused, next KEY spoken: %r" % k)
    # a name within 256 bytes but of many parts: at most 8 parts are spoken
    i = m.mark()
    m.send("KEY", "_".join(["control"] * 30), ".")
    j = m.wait_line("702 END", i, 10)
    d = secs(m, m.pcm(i, j))
    print("KEY of 30 parts: %.2f s of audio" % d)
    check(d < 8, "a KEY of 30 parts is bounded (%.2f s)" % d)
    i = m.mark()
    m.send("CHAR", "ж" * 200, ".")
    j = m.wait_line(lambda s: s.startswith("301"), i, 10)
    m.quit()
    m.err_thread.join(5)
    check("data longer than 256 bytes" in m.stderr(), "the reason is logged: %r" % m.stderr()[-300:])
    check(not m.errors, "stream errors: %r" % m.errors)


def test_long_line_skipped():
    m = start()
    log = debug_on(m)
    n = 4 * 1024 * 1024 + 4096
    i = m.mark()
    m.send_raw(("SPEAK\n<speak>" + "ә" * (n // 2) + " ҚҰЙРЫҚСӨЗ</speak>\n.\n").encode("utf-8"))
    j = m.wait_line(lambda s: s.startswith("301") or s in ENDS, i, 30)
    check(m.lines(i, j + 1) == ["202 OK RECEIVING MESSAGE", "301 ERROR CANT SPEAK"],
          "a message with an over-long line is refused: %r" % m.lines(i, j + 1))
    # the line's tail is not read as a command either
    i = m.mark()
    m.send_raw(("X" * n + " QUIT\nLIST VOICES\n").encode())
    j = m.wait_line("200 OK VOICE LIST SENT", i, 30)
    check(m.lines(i)[0] == "300 ERR UNKNOWN COMMAND", "an over-long command line: 300: %r" % m.lines(i)[:2])
    s, e = m.speak("<speak>%s</speak>" % SENT)
    check(m.lines(s, e + 1)[-1] == "702 END", "speaks after the skipped lines")
    m.send("DEBUG OFF")
    m.quit()
    text = open(log.name, encoding="utf-8", errors="replace").read()
    os.unlink(log.name)
    check("ҚҰЙРЫҚСӨЗ" not in text and "құйрық" not in text, "the tail of the over-long line is not spoken")
    check("input line longer than" in text and "lines was too long" in text, "the log says why")
    check(not m.errors, "stream errors: %r" % m.errors)


def test_long_mark_names():
    m = start()
    ok, too_long = "m" * 150, "n" * 201
    s, e = m.speak('<speak>Бір екі.<mark name="%s"/> Үш.<mark name="%s"/> Төрт.<mark name="__spd_1"/></speak>'
                   % (ok, too_long))
    marks = [l[4:] for l in m.lines(s, e) if l.startswith("700-")]
    check(marks == [ok, "__spd_1"], "a mark name over 200 bytes is left out: %r" % [x[:10] for x in marks])
    m.quit()
    m.err_thread.join(5)
    check("mark(s) left out" in m.stderr(), "the log says a mark was left out")
    check(not m.errors, "stream errors: %r" % m.errors)


def test_big_message_first_audio():
    m = start()
    log = debug_on(m)
    big = big_ssml(740)
    i = m.mark()
    t0 = m.send("SPEAK", big, ".")
    a = m.wait_audio(i, 30)
    figures["first_audio_740k_ms"] = (m.events[a][0] - t0) * 1000
    print("740 KB message: first audio %.1f ms after SPEAK was sent" % figures["first_audio_740k_ms"])
    check(figures["first_audio_740k_ms"] < 100, "first audio of a 740 KB message within 100 ms")
    time.sleep(0.3)
    t = m.send("STOP")
    j = m.wait_line("703 STOP", i, 5)
    check((m.events[j][0] - t) < 1.0, "STOP in a long message")
    # marks in order across pieces, text across pieces intact
    marks = "".join("Сөйлем %d бар. Тағы %d.<mark name=\"__spd_%d\"/> " % (n, n, n) for n in range(40))
    s, e = m.speak('<speak><prosody rate="fast">%s</prosody></speak>' % marks)
    got = [l[4:] for l in m.lines(s, e) if l.startswith("700-")]
    check(got == ["__spd_%d" % n for n in range(40)], "marks in order across pieces: %r" % got[:5])
    m.send("DEBUG OFF")
    m.quit()
    text = open(log.name, encoding="utf-8", errors="replace").read()
    os.unlink(log.name)
    pieces = [l for l in text.splitlines() if "speak [piece" in l]
    check(len(pieces) > 2, "a long message is spoken in pieces (%d)" % len(pieces))
    check(all("<prosody rate=\"fast\">" in l and l.rstrip().endswith("</prosody></speak>") for l in pieces[-3:]),
          "each piece reopens and closes the open elements: %r" % pieces[-1][-80:])
    check(not m.errors, "stream errors: %r" % m.errors)


TESTS = [test_handshake_and_voices, test_speak_with_marks, test_rate_pitch_volume, test_stop_middle,
         test_pause, test_char_key, test_malformed, test_normalizer, test_language_english, test_config_and_icons,
         test_user_lexicon_error_is_not_fatal, test_queued_speak_stop_quit, test_queue_order_and_cap,
         test_pause_drops_queue, test_key_flood_bounded, test_long_line_skipped, test_long_mark_names,
         test_big_message_first_audio]

if __name__ == "__main__":
    only = os.environ.get("SD_TEST_ONLY")
    for t in TESTS:
        if only and only not in t.__name__:
            continue
        print("--", t.__name__)
        try:
            t()
        except ModuleError as e:
            failures.append("%s: %s" % (t.__name__, e))
            print("FAIL:", t.__name__, e)
        for m in modules:
            rc = m.proc.poll()
            if rc is None:
                m.proc.kill()
                m.proc.wait()
            else:
                check(rc == 0, "%s: module exit status %r" % (t.__name__, rc))
            m.err_thread.join(5)
            err = m.stderr()
            check("Sanitizer" not in err and "runtime error" not in err,
                  "%s: sanitizer report:\n%s" % (t.__name__, err[-3000:]))
        modules.clear()
    for k, v in figures.items():
        print("figure %s = %.2f" % (k, v))
    print("%d failed" % len(failures))
    sys.exit(1 if failures else 0)
