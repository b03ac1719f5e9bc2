#!/usr/bin/python3
# test-kiosk-atspi.py: a whole intake in every language, through the accessibility tree only
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# What a screen reader user (or an auditor's script) has: the AT-SPI tree of
# the running intake-kiosk program. This test starts the real program with
# GTK's AT-SPI bridge on a private session bus and accessibility bus, and for
# each of the eight languages:
#
#   - finds the language on the welcome screen by its own name (autonym);
#   - answers every question it is asked with AT-SPI alone: the "click"
#     action of buttons, radio buttons and check boxes (checking their
#     CHECKED state), EditableText for text, number and date fields; it
#     never synthesises a key press, and it never uses the actions the
#     window itself exposes on the frame (kiosk.next, ...);
#   - provokes a wrong date and hears the message as an announcement: an
#     AT-SPI focus event on an object of role "alert" named with the message;
#     then gives the birth date as many refugees' IDs have it (00-00-1984)
#     with the "month is not known" check box, and types the last name on
#     the kiosk's own on-screen keys (push buttons clicked through AT-SPI);
#   - declines one question ("I would rather not say") and skips one;
#   - checks on every screen that the tree holds that screen only (one
#     stack page, no staff PIN field), that questions and sections are
#     headings, that the review's "Change" buttons have names of their own,
#     and that the frame offers no "window.close";
#   - sends the answers, reads the reference code from the tree, and opens
#     the newest envelope of the kiosk's outbox with the office secret
#     (intake-admin envelope open): it must hold exactly the answers given,
#     declined and skipped questions included, and the code must be the one
#     the outbox recorded.
#
# Run by meson (tests/meson.build) as
#   test-kiosk-atspi.py QUESTIONNAIRE PO_BUILD_DIR
# with INTAKE_KIOSK and INTAKE_ADMIN pointing at the programs (the test
# environment sets them); set INTAKE_KIOSK to another build of the program to
# test that one. It starts its own dbus-run-session (and xvfb-run when there
# is no display), and needs /usr/bin/python3 with Debian's pyatspi
# (python3-pyatspi, gir1.2-atspi-2.0, at-spi2-core). TAP output, one test per
# language, all eight in every run: four kiosk programs at once, two
# languages each, about 50 s per intake (GTK's "click" on a button takes
# effect after its 250 ms pressed state), under two minutes in all.

import gettext
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback

LANGUAGES = ["nl", "en", "ar", "tr", "fa", "ti", "uk", "pl"]
PASSPHRASE = "a throwaway office passphrase for the AT-SPI test\n"


def reexec_on_private_buses():
    """The test owns its buses: a session bus of its own (dbus-run-session),
    the accessibility bus on it, and a display if there is none. What the
    session bus and the services it starts say goes to a log file; the
    test's own errors reach the caller through fd 3, its TAP through fd 4."""
    if os.environ.get("INTAKE_ATSPI_CHILD") == "1":
        for saved, target in ((3, 2), (4, 1)):
            try:
                os.dup2(saved, target)
                os.close(saved)
            except OSError:
                pass
        return
    log_path = os.path.join(os.environ.get("G_TEST_BUILDDIR", tempfile.gettempdir()),
                            "test-kiosk-atspi-buses.log")
    os.dup2(2, 3)
    os.set_inheritable(3, True)
    # The services the bus starts write to its stdout too (gnome-keyring
    # prints GNOME_KEYRING_CONTROL=... when the portal wakes it): fd 4 keeps
    # the TAP stream for the test alone.
    sys.stdout.flush()
    os.dup2(1, 4)
    os.set_inheritable(4, True)
    log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(log_fd, 2)
    os.dup2(log_fd, 1)
    os.close(log_fd)
    env = dict(os.environ, INTAKE_ATSPI_CHILD="1")
    for var in ("NO_AT_BRIDGE", "GTK_A11Y", "AT_SPI_BUS_ADDRESS"):
        env.pop(var, None)
    # G_DEBUG=fatal-warnings (the test environment) is for the kiosk only:
    # the bus daemons and pyatspi would die of their own warnings.
    if "G_DEBUG" in env:
        env["INTAKE_ATSPI_KIOSK_G_DEBUG"] = env.pop("G_DEBUG")
    argv = ["dbus-run-session", "--"]
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        argv += ["xvfb-run", "-a", "-s", "-screen 0 1280x1024x24"]
    argv += ["/usr/bin/python3", os.path.abspath(__file__)] + sys.argv[1:]
    # The session bus talks about the services it starts; that is not ours.
    os.execvpe(argv[0], argv, env)


reexec_on_private_buses()

try:
    import gi
    gi.require_version("Atspi", "2.0")
    import pyatspi
    from gi.repository import GLib
except Exception as e:  # never skip: say what to install
    print("1..1")
    print("not ok 1 /kiosk/atspi # pyatspi is missing (%s): install python3-pyatspi "
          "gir1.2-atspi-2.0 at-spi2-core (scripts/install-deps does)" % e)
    sys.exit(1)


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def log(message):
    print("# " + message, flush=True)


# ---- The bus and the program ----------------------------------------------

def start_accessibility_bus():
    launcher = "/usr/libexec/at-spi-bus-launcher"
    check(os.path.exists(launcher), "%s is missing: install at-spi2-core" % launcher)
    process = subprocess.Popen([launcher, "--launch-immediately"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    return process


def find_application(pid, timeout=90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        desktop = pyatspi.Registry.getDesktop(0)
        for app in desktop:
            try:
                if app is not None and app.get_process_id() == pid:
                    for i in range(app.childCount):
                        if app.getChildAtIndex(i).getRoleName() == "frame":
                            return app
            except Exception:
                pass
        time.sleep(0.2)
    raise Failure("the kiosk (pid %d) did not appear on the accessibility bus" % pid)


# ---- Events ------------------------------------------------------------------

class Events:
    """Focus events, as a screen reader hears them."""

    def __init__(self):
        self.focused = []
        pyatspi.Registry.registerEventListener(self._on_focus, "object:state-changed:focused")
        self.context = GLib.MainContext.default()

    def _on_focus(self, event):
        if event.detail1 != 1:
            return
        try:
            self.focused.append((event.source.getRoleName(), event.source.name))
        except Exception:
            pass

    def pump(self):
        while self.context.iteration(False):
            pass

    def clear(self):
        self.pump()
        self.focused.clear()


# ---- The tree ---------------------------------------------------------------

def children(node):
    for i in range(node.childCount):
        child = node.getChildAtIndex(i)
        if child is not None:
            yield child


def walk(node):
    yield node
    for child in children(node):
        yield from walk(child)


def states(node):
    return node.getState()


def action_names(node):
    try:
        action = node.queryAction()
    except NotImplementedError:
        return []
    return [action.getName(i) for i in range(action.nActions)]


def do_action(node, name):
    action = node.queryAction()
    for i in range(action.nActions):
        if action.getName(i) == name:
            check(action.doAction(i), "the %s action of %s '%s' failed" % (name, node.getRoleName(), node.name))
            return
    raise Failure("%s '%s' has no '%s' action (it has %s)"
                  % (node.getRoleName(), node.name, name, action_names(node)))


def wait_for(predicate, what, timeout=10.0, events=None):
    deadline = time.time() + timeout
    while True:
        if events is not None:
            events.pump()
        try:
            result = predicate()
        except GLib.Error:
            # An object went while the tree was read (the screen changed).
            result = None
        if result:
            return result
        if time.time() > deadline:
            raise Failure("timed out waiting for " + what)
        time.sleep(0.02)


class Kiosk:
    def __init__(self, app, catalogs, questionnaire, submissions):
        self.app = app
        self.frame = [c for c in children(app) if c.getRoleName() == "frame"][0]
        self.catalogs = catalogs
        self.questionnaire = questionnaire
        self.language = None
        self.stack = None
        self.submissions = submissions  # the outbox's envelopes before this intake
        self.notes = []

    def tr(self, msgid, language=None):
        return self.catalogs[language or self.language].gettext(msgid)

    def screen(self):
        """The one page of the window's stack in the tree (asserted)."""
        if self.stack is None:
            for node in walk(self.frame):
                pages = [c for c in children(node) if c.name == "GtkStackPage"]
                if pages:
                    self.stack = node
                    break
        pages = list(children(self.stack))
        check(len(pages) == 1,
              "the tree holds %d screens at once; only the one on view belongs there" % len(pages))
        return pages[0]

    def find(self, root, role, name=None, required=True):
        for node in walk(root):
            if node.getRoleName() == role and (name is None or node.name == name):
                return node
        if required:
            raise Failure("no %s named '%s' on this screen" % (role, name))
        return None

    def button(self, msgid, root=None):
        return self.find(root or self.frame, "push button", self.tr(msgid))

    def click(self, msgid, root=None):
        do_action(self.button(msgid, root), "click")

    def headings(self, root):
        return [n.name for n in walk(root) if n.getRoleName() == "heading"]

    def check_frame(self):
        check("window.close" not in action_names(self.frame),
              "an accessibility client can close the kiosk (window.close is offered)")


# ---- One intake --------------------------------------------------------------

def is_question(questionnaire, language, text):
    return any(q["text"][language] == text for s in questionnaire["sections"] for q in s["questions"])


def question_by_text(questionnaire, language, text):
    for section in questionnaire["sections"]:
        for question in section["questions"]:
            if question["text"][language] == text:
                return section, question
    raise Failure("'%s' is not a question of the questionnaire in %s" % (text, language))


TEXT_ANSWERS = {
    "nl": "Sam de Vries", "en": "Sam Smith", "ar": "أمل حداد", "tr": "Ayşe Yılmaz",
    "fa": "مریم احمدی", "ti": "ሰላም ተስፋይ", "uk": "Олена Коваль", "pl": "Zofia Wójcik",
}


def typed_text(question, language):
    kind = question.get("text_kind", "text")
    if kind == "email":
        return "resident@example.org"
    if kind == "phone":
        return "0612345678"
    if kind == "digits":
        return "4711"
    return TEXT_ANSWERS[language][: question["max_length"]]


def text_of(node):
    # GTK 4.8 answers GetText (0, -1) with "": ask for the characters it has.
    text = node.queryText()
    return text.getText(0, text.characterCount)


def set_text(node, text):
    editable = node.queryEditableText()
    check(editable.setTextContents(text), "EditableText refused the text of '%s'" % node.name)
    got = text_of(node)
    check(got == text, "field '%s' holds '%s' after setting '%s'" % (node.name, got, text))


def click_toggle(kiosk, group, name):
    toggle = None
    for node in walk(group):
        if node.getRoleName() in ("radio button", "check box") and node.name == name:
            toggle = node
    check(toggle is not None, "no radio button or check box '%s' among the answers" % name)
    do_action(toggle, "click")
    wait_for(lambda: states(toggle).contains(pyatspi.STATE_CHECKED), "'%s' to be checked" % name)
    return toggle


def answer_question(kiosk, view, section, question, index, plan, events):
    """Answers @question through the tree; returns (kind, value) of what was given."""
    language = kiosk.language
    qtype = question["type"]
    group = kiosk.find(view, "panel", question["text"][language])

    if question["code"] == plan["decline"]:
        click_toggle(kiosk, view, kiosk.tr("I would rather not say"))
        return ("declined", None)
    if question["code"] == plan["skip"]:
        return ("skip", None)

    if qtype == "single_choice":
        option = question["options"][index % len(question["options"])]
        click_toggle(kiosk, group, option["label"][language])
        return ("answer", option["code"])
    if qtype == "multiple_choice":
        chosen = [o for o in question["options"] if not o.get("exclusive")][: min(2, question.get("max_selected", 2))]
        for option in chosen:
            click_toggle(kiosk, group, option["label"][language])
        return ("answer", sorted(o["code"] for o in chosen))
    if qtype == "yes_no":
        value = index % 2 == 0
        click_toggle(kiosk, group, kiosk.tr("Yes") if value else kiosk.tr("No"))
        return ("answer", value)
    if qtype == "scale":
        value = min(question["max"], question["min"] + 1 + index % 3)
        name = str(value)
        if value == question["min"]:
            name = "%d – %s" % (value, question["min_label"][language])
        elif value == question["max"]:
            name = "%d – %s" % (value, question["max_label"][language])
        click_toggle(kiosk, group, name)
        return ("answer", value)
    if qtype == "ladder":
        value = 2 + index % 3
        click_toggle(kiosk, group, "%d – %s" % (value, question["rungs"][value - 1][language]))
        return ("answer", value)
    if qtype == "short_text" and question["code"] == "last_name":
        # On the kiosk's own keys (touch-only machines): push buttons with
        # a "click" action each, named by their letter; each word starts
        # with a capital.
        field = kiosk.find(group, "text")
        for letter in "SAM":
            do_action(kiosk.find(view, "push button", letter), "click")
        wait_for(lambda: text_of(field) == "Sam", "the keys to type 'Sam' (the field holds '%s')" % text_of(field))
        kiosk.notes.append("%s: typed a name on the on-screen keyboard" % language)
        return ("answer", "Sam")
    if qtype == "short_text":
        text = typed_text(question, language)
        set_text(kiosk.find(group, "text"), text)
        return ("answer", text)
    if qtype == "number":
        value = min(question["max"], question["min"] + 12)
        set_text(kiosk.find(group, "text"), str(value))
        return ("answer", value)
    if qtype == "date":
        fields = [kiosk.find(group, "text", kiosk.tr(w)) for w in ("Day", "Month", "Year")]
        # First a date that does not exist: the message must be announced.
        for field, text in zip(fields, ("31", "2", "1990")):
            set_text(field, text)
        events.clear()
        kiosk.click("Next")
        message = kiosk.tr("Please check the date.")
        wait_for(lambda: ("alert", message) in events.focused,
                 "the message '%s' to be announced (focus on an alert)" % message, events=events)
        kiosk.find(view, "alert", message)
        kiosk.notes.append("%s: heard the alert '%s'" % (language, message))
        for field, text in zip(fields, ("14", "3", "1984")):
            set_text(field, text)
        if question.get("allow_unknown"):
            # As on many refugees' IDs: 00-00-1984, by the "not known" check box.
            box = click_toggle(kiosk, group, kiosk.tr("The month is not known (00)"))
            check(states(box).contains(pyatspi.STATE_CHECKED), "the month's check box is not checked")
            wait_for(lambda: text_of(fields[0]) == "00" and text_of(fields[1]) == "00",
                     "day and month to read 00")
            kiosk.notes.append("%s: gave a birth date with an unknown day and month" % language)
            return ("answer", "1984-00-00")
        return ("answer", "1984-03-14")
    raise Failure("unknown question type " + qtype)


def run_intake(kiosk, events, language, office, passphrase_file, state_dir, admin):
    questionnaire = kiosk.questionnaire
    kiosk.language = None
    kiosk.check_frame()

    # Welcome: the language by its own name.
    welcome = kiosk.screen()
    autonym = questionnaire["languages"][language]["name"]
    button = kiosk.find(welcome, "push button", autonym)
    kiosk.language = language
    do_action(button, "click")

    explanation = wait_for(lambda: kiosk.find(kiosk.screen(), "push button", kiosk.tr("Start"), required=False),
                           "the explanation screen in " + language)
    check(questionnaire["title"][language] in kiosk.headings(kiosk.screen()),
          "the questionnaire title is not a heading")
    do_action(explanation, "click")

    # The questions. Decline the first question that offers it and skip the
    # first other optional one.
    plan = {"decline": None, "skip": None}
    for section in questionnaire["sections"]:
        for question in section["questions"]:
            if plan["decline"] is None and question.get("rather_not_say"):
                plan["decline"] = question["code"]
            elif plan["skip"] is None and not question.get("required") and "visible_if" not in question \
                    and question["type"] == "short_text":
                plan["skip"] = question["code"]

    expected = {"answers": {}, "declined": [], "skipped": []}
    heading_nodes = None
    previous = None
    index = 0
    review_heading = kiosk.tr("Check your answers")
    while True:
        def next_screen():
            screen = kiosk.screen()
            names = kiosk.headings(screen)
            # A click takes effect some 250 ms later, maybe halfway through
            # reading the screen: only a screen read twice the same counts.
            if kiosk.headings(screen) != names:
                return None
            if review_heading in names:
                return ("review", screen, names)
            if len(names) >= 2 and names[1] != previous and is_question(questionnaire, language, names[1]):
                return ("question", screen, names)
            return None
        kind, screen, names = wait_for(next_screen, "the next question after '%s'" % previous, timeout=15)
        if kind == "review":
            break
        section_title, text = names[0], names[1]
        section, question = question_by_text(questionnaire, language, text)
        check(section["title"][language] == section_title,
              "the first heading is '%s', not the section '%s'" % (section_title, section["title"][language]))
        view = kiosk.find(screen, "panel", text).parent  # the question view holds the answer group
        given, value = answer_question(kiosk, view, section, question, index, plan, events)
        code = question["code"]
        if given == "declined":
            expected["declined"].append(code)
            kiosk.click("Next")
        elif given == "skip":
            expected["skipped"].append(code)
            kiosk.click("Skip this question")
        else:
            expected["answers"][code] = value
            kiosk.click("Next")
        previous = text
        index += 1

    # The review: one name per "Change", and the send button.
    change = kiosk.tr("Change")
    names = [n.name for n in walk(screen) if n.getRoleName() == "push button" and n.name.startswith(change)]
    check(len(names) == index, "the review has %d Change buttons for %d questions" % (len(names), index))
    check(len(set(names)) == len(names), "two Change buttons have the same name")
    for name in names:
        check(name.startswith(change + ": ") and len(name) > len(change) + 2,
              "a Change button is only called '%s'" % name)
    kiosk.check_frame()
    kiosk.click("Send my answers")

    # The thank-you screen: the reference code, read from the tree.
    def code_label():
        return kiosk.find(kiosk.screen(), "label", kiosk.tr("Reference code"), required=False)
    label = wait_for(code_label, "the reference code")
    reference = "".join(text_of(label).split())
    check(len(reference) >= 8, "the reference code reads '%s'" % reference)

    # The envelope: exactly the answers given.
    database = sqlite3.connect(os.path.join(state_dir, "outbox.db"))
    rows = database.execute("SELECT submission_id, reference, envelope FROM envelopes").fetchall()
    database.close()
    new = [r for r in rows if r[0] not in kiosk.submissions]
    check(len(new) == 1, "the outbox got %d envelopes from one intake" % len(new))
    kiosk.submissions.add(new[0][0])
    row = new[0][1:]
    check(row[0].replace("-", "") == reference,
          "the screen says %s, the outbox recorded %s" % (reference, row[0]))
    with tempfile.NamedTemporaryFile(suffix=".envelope") as envelope:
        envelope.write(row[1])
        envelope.flush()
        opened = subprocess.run([admin, "envelope", "open", "--office", office,
                                 "--passphrase-file", passphrase_file, "--in", envelope.name],
                                capture_output=True, text=True)
    check(opened.returncode == 0, "intake-admin envelope open failed: " + opened.stderr.strip())
    session = json.loads(opened.stdout)
    check(session["language"] == language, "the envelope's language is " + session["language"])
    for key in ("answers", "declined", "skipped"):
        want = expected[key] if key == "answers" else sorted(expected[key])
        check(session[key] == want, "the envelope's %s differ from what was given:\n  given   %s\n  sealed  %s"
              % (key, json.dumps(want, ensure_ascii=False, sort_keys=True),
                 json.dumps(session[key], ensure_ascii=False, sort_keys=True)))

    kiosk.click("Done")
    wait_for(lambda: kiosk.find(kiosk.screen(), "push button", autonym, required=False),
             "the welcome screen after Done")
    return index


def load_catalogs(po_dir):
    catalogs = {}
    for language in LANGUAGES:
        with open(os.path.join(po_dir, language + ".mo"), "rb") as mo:
            catalogs[language] = gettext.GNUTranslations(mo)
    return catalogs


def start_kiosk(program, state_dir, office, log_file):
    env = dict(os.environ, GTK_A11Y="atspi", GSETTINGS_BACKEND="memory", ADW_DISABLE_PORTAL="1",
               GSK_RENDERER="cairo", GDK_DEBUG="gl-disable")
    if "INTAKE_ATSPI_KIOSK_G_DEBUG" in env:
        env["G_DEBUG"] = env["INTAKE_ATSPI_KIOSK_G_DEBUG"]
    return subprocess.Popen([program, "--windowed", "--state-dir", state_dir,
                             "--office-public", os.path.join(office, "office.pub")],
                            env=env, stdout=log_file, stderr=log_file)


def stop_kiosk(process):
    # The kiosk refuses to be closed; a signal ends it.
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def worker(languages, questionnaire, catalogs, tmp):
    """Runs the intakes of @languages on a kiosk of its own; prints one
    "ok LANG ..." or "not ok LANG" line each, with "# " lines after."""
    office = os.path.join(tmp, "office")
    passphrase_file = os.path.join(tmp, "passphrase")
    state_dir = os.path.join(tmp, "state-" + "-".join(languages))
    program = os.environ["INTAKE_KIOSK"]
    admin = os.environ["INTAKE_ADMIN"]
    log_file = open(state_dir + ".log", "w")
    submissions = set()
    process = start_kiosk(program, state_dir, office, log_file)
    try:
        kiosk = Kiosk(find_application(process.pid), catalogs, questionnaire, submissions)
        events = Events()
        for language in languages:
            started = time.time()
            kiosk.notes = []
            try:
                n = run_intake(kiosk, events, language, office, passphrase_file, state_dir, admin)
                print("ok %s # %d questions in %.0f s" % (language, n, time.time() - started), flush=True)
            except Exception as e:
                print("not ok %s" % language, flush=True)
                for line in (traceback.format_exc() if not isinstance(e, Failure) else str(e)).splitlines():
                    log(line)
            for note in kiosk.notes:
                log(note)
                # The next language starts on a new kiosk, at its welcome screen.
                stop_kiosk(process)
                process = start_kiosk(program, state_dir, office, log_file)
                kiosk = Kiosk(find_application(process.pid), catalogs, questionnaire, submissions)
    finally:
        stop_kiosk(process)
        log_file.close()


# Languages run on this many kiosks at once: most of an intake's time is
# GTK's 250 ms between a button's "click" and its effect, not work.
N_WORKERS = 4


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "--worker":
        languages, tmp, questionnaire_path, po_dir = sys.argv[2].split(","), sys.argv[3], sys.argv[4], sys.argv[5]
        questionnaire = json.load(open(questionnaire_path, encoding="utf-8"))
        worker(languages, questionnaire, load_catalogs(po_dir), tmp)
        return 0
    if len(sys.argv) != 3:
        print("usage: test-kiosk-atspi.py QUESTIONNAIRE PO_BUILD_DIR", file=sys.stderr)
        return 2
    load_catalogs(sys.argv[2])  # fail early on a missing catalog
    admin = os.environ["INTAKE_ADMIN"]
    os.environ["INTAKE_KIOSK"]  # noqa: B018 (fail early when it is not set)

    print("1..%d" % len(LANGUAGES), flush=True)
    started = time.time()
    tmp = tempfile.mkdtemp(prefix="intake-atspi-")
    passphrase_file = os.path.join(tmp, "passphrase")
    with open(passphrase_file, "w") as f:
        f.write(PASSPHRASE)
    subprocess.run([admin, "office", "init", os.path.join(tmp, "office"), "--passphrase-file", passphrase_file],
                   check=True, stdout=subprocess.DEVNULL)

    bus = start_accessibility_bus()
    results = {}
    try:
        shares = [LANGUAGES[i::N_WORKERS] for i in range(N_WORKERS)]
        # pyatspi warns on stderr that GTK has no AT-SPI cache; a worker's
        # stderr is shown only when it failed.
        worker_env = dict(os.environ)
        workers = [subprocess.Popen(["/usr/bin/python3", os.path.abspath(__file__), "--worker",
                                     ",".join(share), tmp, sys.argv[1], sys.argv[2]],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=worker_env)
                   for share in shares]
        for process, share in zip(workers, shares):
            output, errors = process.communicate(timeout=840)
            if process.returncode != 0:
                for language in share:
                    if ("ok %s" % language) not in output:
                        output += "\nnot ok %s" % language
                output += "".join("\n# " + line for line in errors.splitlines())
            current = None
            for line in output.splitlines():
                words = line.split(" ")
                if line.startswith("ok ") or line.startswith("not ok "):
                    current = words[1] if words[0] == "ok" else words[2]
                    results[current] = [line]
                elif current is not None:
                    results[current].append(line)
    finally:
        bus.terminate()
        subprocess.run(["rm", "-rf", tmp])

    failed = 0
    for number, language in enumerate(LANGUAGES, 1):
        lines = results.get(language, ["not ok %s" % language, "# the worker reported nothing"])
        ok = lines[0].startswith("ok ")
        failed += not ok
        rest = lines[0].split(" # ", 1)
        print("%s %d /kiosk/atspi/intake/%s%s" % ("ok" if ok else "not ok", number, language,
                                                  " # " + rest[1] if ok and len(rest) > 1 else ""))
        for line in lines[1:]:
            print(line)
    print("# %d languages in %.0f s on %d kiosks at once" % (len(LANGUAGES), time.time() - started, N_WORKERS))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
