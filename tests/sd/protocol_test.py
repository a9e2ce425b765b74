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


TESTS = [test_handshake_and_voices, test_speak_with_marks, test_rate_pitch_volume, test_stop_middle,
         test_pause, test_char_key, test_malformed, test_normalizer, test_language_english, test_config_and_icons,
         test_user_lexicon_error_is_not_fatal]

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
