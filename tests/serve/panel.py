#!/usr/bin/python3
"""The operator panel of `kazspeak serve` in headless Chromium (selenium).

usage: panel.py drive KAZSPEAK WORKDIR
       panel.py audit KAZSPEAK WORKDIR AXE_JS

drive: the server plays through a JACK server with the dummy driver (paced,
no sound card) into jack_rec. The page is used by keyboard alone: paste a text,
Tab to "Load text", Enter, then P, Right, +, K, K. Each step must move the
highlighted sentence and be announced once in the live region; a second page
shows the same state; the recording must hold what the panel said was playing
(the cut first sentence, then sentences 2 and 3 whole, in that order).

audit: axe-core (from the npm registry) runs in the same Chromium on the page
with a text loaded and a sentence highlighted; no violation may be reported.
Exit 0 pass, 1 fail, 77 skip.
"""
import array
import os
import shutil
import subprocess
import sys
import time
import wave

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from servelib import Server  # noqa: E402

try:
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException, WebDriverException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    print("SKIP: python3-selenium is not installed")
    sys.exit(77)

RATE = 22050
QUIET = 32
SENTENCES = ["Бүгін Астанада үлкен жиналыс өтті, оған көп адам қатысты.",
             "Содан кейін министр сөз сөйледі және жаңа жоспарды таныстырды.",
             "Соңында барлығы алғыс айтты."]
TEXT = " ".join(SENTENCES)
FAILED = []


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        FAILED.append(what)
    return cond


def browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        print("SKIP: chromium or chromedriver is not installed (Debian packages chromium, chromium-driver)")
        sys.exit(77)
    o = webdriver.ChromeOptions()
    o.binary_location = chromium
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1200,900",
              "--no-first-run", "--disable-extensions"):
        o.add_argument(a)
    try:
        return webdriver.Chrome(service=Service(driver), options=o)
    except WebDriverException as e:
        print("SKIP: chromium does not start here: %s" % str(e).splitlines()[0])
        sys.exit(77)


def status(d):
    return d.find_element(By.ID, "status").text


def current(d):
    items = d.find_elements(By.CSS_SELECTOR, "#sentences li")
    cur = [i for i, li in enumerate(items) if "current" in li.get_attribute("class").split()]
    return cur[0] if len(cur) == 1 else None


def wait_status(d, text, timeout=20):
    try:
        WebDriverWait(d, timeout, 0.02).until(lambda x: status(x) == text)
        return True
    except TimeoutException:
        print("  (status is %r, waited for %r)" % (status(d), text))
        return False


WATCH = """
window.__said = [];
new MutationObserver(function () { window.__said.push(document.getElementById('status').textContent); })
  .observe(document.getElementById('status'), {childList: true, characterData: true, subtree: true});
"""


class Jack:
    def __init__(self, work):
        for tool in ("jackd", "jack_rec", "jack_lsp"):
            if not shutil.which(tool):
                print("SKIP: %s missing (Debian package jackd2)" % tool)
                sys.exit(77)
        self.name = "kspanel%d" % os.getpid()
        self.env = dict(os.environ, JACK_DEFAULT_SERVER=self.name, JACK_NO_START_SERVER="1")
        self.server = subprocess.Popen(["jackd", "-n", self.name, "-d", "dummy", "-r", str(RATE), "-p", "256"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=self.env)
        self.rec = None
        self.wav = os.path.join(work, "rec.wav")
        if not self.wait_for(None):
            self.close()
            print("SKIP: jackd (dummy driver) did not start")
            sys.exit(77)

    def wait_for(self, port):
        for _ in range(100):
            r = subprocess.run(["jack_lsp"], env=self.env, capture_output=True, text=True)
            if r.returncode == 0 and (port is None or port in r.stdout):
                return True
            time.sleep(0.05)
        return False

    def record(self, seconds):
        self.rec = subprocess.Popen(["jack_rec", "-f", self.wav, "-d", str(seconds), "-b", "16", "system:capture_1"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=self.env)
        if not self.wait_for("jackrec:"):
            sys.exit("FAIL: jack_rec did not appear")

    def recording(self):
        self.rec.wait(timeout=60)
        with wave.open(self.wav, "rb") as w:
            a = array.array("h")
            a.frombytes(w.readframes(w.getnframes()))
        return a

    def close(self):
        for p in (self.rec, self.server):
            if p and p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    p.kill()


def wav_samples(path):
    with wave.open(path, "rb") as w:
        a = array.array("h")
        a.frombytes(w.readframes(w.getnframes()))
    return a


FRAME = 220  # 10 ms


def envelope(a):
    return [sum(abs(v) for v in a[i:i + FRAME]) / FRAME for i in range(0, len(a) - FRAME + 1, FRAME)]


def lead(e):
    return next(i for i, v in enumerate(e) if v > 2 * QUIET)


def best_match(e, probe, lo, hi):
    """Frame offset in e[lo:hi] where probe correlates best (normalized), and the correlation."""
    n = len(probe)
    pm = sum(probe) / n
    pd = [x - pm for x in probe]
    pn = sum(x * x for x in pd) ** 0.5
    best, best_c = lo, -1.0
    for off in range(max(0, lo), min(hi, len(e) - n) + 1):
        w = e[off:off + n]
        wm = sum(w) / n
        num = sum(pd[i] * (w[i] - wm) for i in range(n))
        wn = sum((x - wm) ** 2 for x in w) ** 0.5
        c = num / (pn * wn) if wn > 0 else 0.0
        if c > best_c:
            best, best_c = off, c
    return best, best_c


def longest_quiet(e, lo, hi):
    run = longest = 0
    for v in e[lo:hi]:
        run = run + 1 if v < QUIET / 2 else 0
        longest = max(longest, run)
    return longest


def loud(a):
    return sum(1 for v in a if abs(v) > QUIET)


def find(ref, probe, lo=0, hi=None):
    """Best offset of probe in ref[lo:hi] by the sum of absolute differences (coarse, then fine)."""
    hi = len(ref) - len(probe) if hi is None else min(hi, len(ref) - len(probe))
    best, best_err = None, None
    for step, a, b in ((16, lo, hi), (1, None, None)):
        if a is None:
            a, b = max(lo, best - 32), min(hi, best + 32)
        for off in range(max(0, a), b, step):
            err = 0
            for i in range(0, len(probe), 8):
                err += abs(ref[off + i] - probe[i])
                if best_err is not None and err >= best_err:
                    break
            if best_err is None or err < best_err:
                best, best_err = off, err
    return best, best_err


def load_by_keyboard(d):
    ta = d.find_element(By.ID, "text")
    ta.click()
    ta.send_keys(TEXT)
    key(d, Keys.TAB)  # the file chooser
    key(d, Keys.TAB)  # "Load text"
    focused = d.switch_to.active_element.get_attribute("id")
    check(focused == "load", "Tab reaches the Load text button (focus on #%s)" % focused)
    key(d, Keys.ENTER)


def key(d, k):
    """A real key press on whatever has the focus."""
    ActionChains(d).send_keys(k).perform()


def drive(prog, work):
    jack = Jack(work)
    try:
        drive_jack(prog, work, jack)
    finally:
        jack.close()


def drive_jack(prog, work, jack):
    refs = []
    env = dict(jack.env, KAZSPEAK_DATA="", ESPEAK_DATA_PATH="")
    for i, s in enumerate(SENTENCES):
        path = os.path.join(work, "s%d.wav" % (i + 1))
        speed = ["-s", "195"] if i == 2 else []  # the panel's "+" makes sentence 3 faster
        subprocess.run([prog, "-w", path] + speed + [s], env=env, check=True)
        refs.append(wav_samples(path))
    srv = None
    d = None
    try:
        jack.record(16)
        srv = Server(prog, ["-j", "1", "--device", "jackrec"], env=env, tmpdir=work)
        d = browser()
        url = "http://127.0.0.1:%d/" % srv.port
        d.get(url)
        check(wait_status(d, "Ready: paste or load a text."), "the page connects and shows the state")
        d.execute_script(WATCH)
        live = d.find_element(By.ID, "status")
        check(live.get_attribute("role") == "status" and live.get_attribute("aria-live") == "polite",
              "the status is an ARIA live region (role=status, aria-live=polite)")
        load_by_keyboard(d)
        check(wait_status(d, "Text loaded: 3 sentences. Press P to play."), "load by keyboard: 3 sentences")
        items = d.find_elements(By.CSS_SELECTOR, "#sentences li")
        check([li.text for li in items] == SENTENCES, "the sentence list shows the text")
        key(d, "p")
        check(wait_status(d, "Sentence 1 of 3.") and current(d) == 0, "P plays: sentence 1 highlighted")
        time.sleep(0.7)
        key(d, Keys.ARROW_RIGHT)
        t_jump = time.time()
        check(wait_status(d, "Sentence 2 of 3.") and current(d) == 1, "Right: the highlight moves to sentence 2")
        li = d.find_elements(By.CSS_SELECTOR, "#sentences li")[1]
        check(li.get_attribute("aria-current") == "true", "the current sentence has aria-current")
        # a second page shows the same state
        first = d.current_window_handle
        d.switch_to.new_window("tab")
        d.get(url)
        same = wait_status(d, "Sentence 2 of 3.") and current(d) == 1
        check(same, "a second page shows the same sentence and status")
        d.close()
        d.switch_to.window(first)
        d.execute_script("document.getElementById('b-play').focus();")
        key(d, "+")  # keys work with the focus on any button
        check(wait_status(d, "Speed 195 from the next sentence."), "+ : faster, announced")
        check(wait_status(d, "Sentence 3 of 3.", 20) and current(d) == 2, "sentence 3 follows by itself")
        time.sleep(0.5)
        key(d, "k")
        check(wait_status(d, "Paused at sentence 3 of 3."), "K pauses")
        time.sleep(1.0)
        key(d, "k")
        check(wait_status(d, "Playing sentence 3 of 3."), "K resumes")
        check(wait_status(d, "End of text: 3 sentences read.", 20), "the end is announced")
        said = d.execute_script("return window.__said;")
        dup = [said[i] for i in range(1, len(said)) if said[i] == said[i - 1]]
        check(not dup and len(said) >= 8, "each change announced once (%d announcements, no repeats)" % len(said))
        size0 = d.execute_script("return parseFloat(getComputedStyle(document.documentElement).fontSize);")
        d.find_element(By.ID, "larger").click()
        d.find_element(By.ID, "larger").click()
        size1 = d.execute_script("return parseFloat(getComputedStyle(document.documentElement).fontSize);")
        check(size1 == size0 + 4, "text size adjustable (%.0f px -> %.0f px)" % (size0, size1))
        log = srv.log()
    finally:
        if d:
            d.quit()
        rc = srv.stop() if srv else 1
    check(rc == 0, "the server stops cleanly")
    rec = jack.recording()
    jack.close()
    # what the panel said was playing: sentence 1 cut after ~0.7 s, sentence 2 whole,
    # sentence 3 at the new speed with the pause in it. eSpeak NG's samples depend a
    # little on what it spoke before, so the sound is compared by its loudness
    # envelope (10 ms frames), not sample by sample.
    first = next((i for i, v in enumerate(rec) if abs(v) > QUIET), None)
    if not check(first is not None, "the sound card got audio (%.2f s of sound)" % (loud(rec) / RATE)):
        return
    e_rec, e2, e3 = envelope(rec), envelope(refs[1]), envelope(refs[2])
    e2 = e2[lead(e2):]
    e3 = e3[lead(e3):]
    f0 = first // FRAME
    o2, c2 = best_match(e_rec, e2, f0 + 20, f0 + 400)
    tail = e3[-60:]
    o3, c3 = best_match(e_rec, tail, o2 + len(e2), len(e_rec))
    print("  sentence 2 at %.2f s (correlation %.3f), the end of sentence 3 at %.2f s (%.3f)"
          % (o2 * FRAME / RATE, c2, o3 * FRAME / RATE, c3))
    check(c2 > 0.9, "the recording holds sentence 2 whole after the jump")
    check(c3 > 0.9, "then the end of sentence 3")
    s1_heard = (o2 - f0) * FRAME / RATE
    s1_full = len(envelope(refs[0])) * FRAME / RATE
    check(0.4 < s1_heard < s1_full - 1.0, "sentence 1 was cut at the jump (%.2f s of %.2f s heard)"
          % (s1_heard, s1_full))
    gap = longest_quiet(e_rec, o2 + len(e2), o3)
    s3_len = (o3 + len(tail) - (o2 + len(e2))) * FRAME / RATE
    check(0.7 < gap * FRAME / RATE < 1.6, "the pause in sentence 3 is silence (%.2f s for a 1.0 s pause)"
          % (gap * FRAME / RATE))
    check(abs(s3_len - gap * FRAME / RATE - len(e3) * FRAME / RATE) < 0.6,
          "sentence 3 played at speed 195: %.2f s of it plus the pause" % (s3_len - gap * FRAME / RATE))
    check("POST /panel/command" in log and TEXT[:20] not in log, "panel requests logged, without the text")


def audit(prog, work, axe_js):
    with open(axe_js, encoding="utf-8") as f:
        axe = f.read()
    cfg = os.path.join(work, "alsa.conf")
    with open(cfg, "w") as f:
        f.write('pcm.!default { type file; slave.pcm { type null }; file "%s"; format "raw" }\n'
                % os.path.join(work, "capture.raw"))
    env = dict(os.environ, ALSA_CONFIG_PATH=cfg)
    srv = Server(prog, ["-j", "1"], env=env, tmpdir=work)
    d = browser()
    try:
        d.get("http://127.0.0.1:%d/" % srv.port)
        wait_status(d, "Ready: paste or load a text.")
        load_by_keyboard(d)
        wait_status(d, "Text loaded: 3 sentences. Press P to play.")
        key(d, Keys.ARROW_RIGHT)
        check(wait_status(d, "Sentence 2 of 3.") and current(d) == 1, "a sentence is highlighted for the audit")
        d.execute_script(axe)
        d.set_script_timeout(60)
        res = d.execute_async_script(
            "var done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']}).then(function (r) {"
            "  done({version: axe.version, passes: r.passes.length, violations: r.violations.map(function (v) {"
            "    return v.id + ' (' + v.impact + '): ' + v.help + ' ' + v.nodes.map(function (n) {"
            "      return n.target.join(' '); }).join(', '); })}); },"
            "  function (e) { done({error: String(e)}); });")
        if "error" in res:
            check(False, "axe-core ran: " + res["error"])
        else:
            for v in res["violations"]:
                print("  violation: " + v)
            check(not res["violations"], "axe-core %s: %d violations (%d rules passed)"
                  % (res["version"], len(res["violations"]), res["passes"]))
    finally:
        d.quit()
        srv.stop()


def main():
    mode, prog, work = sys.argv[1:4]
    if mode == "drive":
        drive(prog, work)
    else:
        audit(prog, work, sys.argv[4])
    if FAILED:
        print("FAIL: %d checks failed" % len(FAILED))
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
