#!/usr/bin/python3
"""Check a questionnaire file against docs/questionnaire.md (format 1).

Stand-in for the strict loader (app/intake-questionnaire.c) until it exists,
and the project's content policy on top of it.

usage: check.py [--languages nl,en] [--format-only] [--quiet] FILE...

Every violation is printed as "FILE: $.json.path: message" on stderr and the
exit status is 1. On success one summary line per file goes to stdout.

--languages L1,L2  every text must hold exactly these (declared) languages;
                   used for intake.source.json, which holds nl+en while the
                   other declared languages are still being translated.
                   Without it every text must hold every declared language.
--format-only      skip the project policy checks (prefixed "policy:").
"""

import argparse
import datetime
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qcommon  # noqa: E402

ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
OPTION_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_]{0,47}$")
LANG_RE = re.compile(r"^[a-z]{2}$")
DATE_ABS_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
DATE_REL_RE = re.compile(r"^today(?:([+-])(\d{1,4})([dmy]))?$")

TOP_KEYS = {"format", "id", "version", "source_language", "languages", "title",
            "introduction", "sections", "interface_audio"}
TOP_REQUIRED = ["format", "id", "version", "source_language", "languages", "title", "sections"]
LANGUAGE_KEYS = {"name", "direction", "status", "audio"}
AUDIO_PATH_RE = re.compile(r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*\.wav$")
AUDIO_MAX_SIZE = 8 * 1024 * 1024
AUDIO_HINT = "convert it, for example with: sox IN.wav -b 16 -c 1 -r 22050 OUT.wav"


def wav_problem(data):
    """What is wrong with a recording (docs/questionnaire.md, "Recorded audio"), or None."""
    if len(data) > AUDIO_MAX_SIZE:
        return "the recording is %d bytes, more than the %d allowed" % (len(data), AUDIO_MAX_SIZE)
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return "the file is not a WAV file (no RIFF/WAVE header); " + AUDIO_HINT
    offset, have_format = 12, False
    while offset + 8 <= len(data):
        kind, length = data[offset:offset + 4], int.from_bytes(data[offset + 4:offset + 8], "little")
        if length > len(data) - offset - 8:
            break
        body = data[offset + 8:offset + 8 + length]
        if kind == b"fmt ":
            if length < 16:
                break
            fmt, channels = int.from_bytes(body[0:2], "little"), int.from_bytes(body[2:4], "little")
            rate, bits = int.from_bytes(body[4:8], "little"), int.from_bytes(body[14:16], "little")
            if fmt != 1 or bits != 16:
                return "the recording is not 16-bit PCM (format %d, %d bits); %s" % (fmt, bits, AUDIO_HINT)
            if channels != 1:
                return "the recording has %d channels, the kiosk plays mono only; %s" % (channels, AUDIO_HINT)
            if not 8000 <= rate <= 48000:
                return "the sample rate is %d Hz, outside 8000 to 48000 Hz; %s" % (rate, AUDIO_HINT)
            have_format = True
        elif kind == b"data":
            if not have_format:
                break
            if length < 2:
                return "the recording holds no sound; record the text again"
            return None
        offset += 8 + length + (length & 1)
    return ("the WAV file is cut short or its chunks are out of order (a \"fmt \" chunk, then "
            "\"data\"); " + AUDIO_HINT)
SECTION_KEYS = {"code", "title", "visible_if", "questions"}
COMMON_KEYS = {"code", "type", "text", "help", "required", "rather_not_say", "visible_if", "tags"}
TYPE_KEYS = {
    "single_choice": {"options"},
    "multiple_choice": {"options", "min_selected", "max_selected"},
    "scale": {"min", "max", "min_label", "max_label"},
    "yes_no": set(),
    "short_text": {"max_length", "text_kind", "none_option"},
    "number": {"min", "max", "unit"},
    "date": {"min", "max", "allow_unknown"},
    "ladder": {"rungs"},
}
TYPE_REQUIRED = {
    "single_choice": ["options"],
    "multiple_choice": ["options"],
    "scale": ["min", "max", "min_label", "max_label"],
    "yes_no": [],
    "short_text": ["max_length"],
    "number": ["min", "max"],
    "date": ["min", "max"],
    "ladder": ["rungs"],
}
TAG_VALUES = {
    "zrm": {"finances", "work_education", "daily_activities", "housing", "domestic_relations",
            "mental_health", "physical_health", "substance_use", "basic_adl", "instrumental_adl",
            "social_network", "social_participation", "justice"},
    "pg": {"bodily_functions", "mental_wellbeing", "meaning", "quality_of_life", "participation",
           "daily_functioning"},
    "esco": {"T1", "T2", "T3", "T4", "T5", "T6"},
    "ladder": {"current", "aim"},
}
TEXT_KINDS = {"text", "email", "phone", "digits"}
LEAF_FORMS = ("equals", "one_of", "at_least", "at_most", "answered")
CHOICE_TYPES = ("single_choice", "multiple_choice")
ORDERED_TYPES = ("number", "scale", "ladder")

# project policy: answers in these domains reveal sensitive things
SENSITIVE_ZRM = {"finances", "housing", "domestic_relations", "mental_health", "physical_health",
                 "substance_use", "justice"}
SENSITIVE_PG = {"bodily_functions", "mental_wellbeing"}
FORBIDDEN_CODE_WORDS = ("bsn", "burgerservice", "ethnic", "etnic", "nationality", "religion",
                        "diagnos")


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def type_name(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, int):
        return "an integer"
    if isinstance(v, float):
        return "a non-integer number"
    if isinstance(v, str):
        return "a string"
    if isinstance(v, list):
        return "an array"
    return "an object"


def json_quote(s):
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


def q(s):
    return '"%s"' % s


def add_months(d, months):
    y, m = divmod(d.month - 1 + months, 12)
    y += d.year
    m += 1
    last = [31, 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28, 31, 30, 31, 30,
            31, 31, 30, 31, 30, 31][m - 1]
    return datetime.date(y, m, min(d.day, last))


def eval_date(expr, today):
    """Return a date, or None when expr is not a valid date expression."""
    if not isinstance(expr, str):
        return None
    m = DATE_ABS_RE.match(expr)
    if m:
        try:
            return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    m = DATE_REL_RE.match(expr)
    if not m:
        return None
    if m.group(1) is None:
        return today
    n = int(m.group(2)) * (1 if m.group(1) == "+" else -1)
    try:
        if m.group(3) == "d":
            return today + datetime.timedelta(days=n)
        if m.group(3) == "m":
            return add_months(today, n)
        return add_months(today, 12 * n)
    except (ValueError, OverflowError):
        return None


class Checker:
    def __init__(self, filename, languages=None, policy=True, bundle=None):
        self.filename = filename
        # Recordings are looked up beside the file (its folder is the bundle).
        self.bundle = bundle if bundle is not None else os.path.dirname(os.path.abspath(filename))
        self.n_audio = {}
        self.only_languages = languages
        self.policy = policy
        self.errors = []
        self.declared = []
        self.text_langs = []
        self.questions = {}        # code -> question dict (seen so far, document order)
        self.all_question_codes = set()
        self.n_questions = 0
        self.n_texts = 0

    def err(self, path, msg):
        self.errors.append("%s: %s: %s" % (self.filename, path, msg))

    def perr(self, path, msg):
        if self.policy:
            self.err(path, "policy: " + msg)

    def unknown_keys(self, obj, allowed, path, what):
        for k in obj:
            if k not in allowed:
                self.err("%s.%s" % (path, k) if re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", k)
                         else "%s[%s]" % (path, q(k)),
                         "unknown key %s in %s; allowed keys are: %s"
                         % (q(k), what, ", ".join(sorted(allowed))))

    # ------------------------------------------------------------ scalars
    def want_int(self, obj, key, path, default=None, required=True):
        if key not in obj:
            if required:
                self.err(path, "missing required key %s" % q(key))
            return default
        v = obj[key]
        if not is_int(v):
            self.err("%s.%s" % (path, key), "must be an integer, not %s" % type_name(v))
            return default
        return v

    def want_bool(self, obj, key, path):
        if key in obj and not isinstance(obj[key], bool):
            self.err("%s.%s" % (path, key), "must be true or false, not %s" % type_name(obj[key]))
            return False
        return obj.get(key, False)

    def check_audio(self, value, path):
        """One recording reference: a path inside the bundle to a WAV file of
        the one format (the C loader's AUDIO_PATH, AUDIO_MISSING, AUDIO_FORMAT)."""
        if not isinstance(value, str):
            self.err(path, "must be a string (a path such as \"audio/ti/first_name.wav\"), not %s"
                     % type_name(value))
            return False
        if (len(value) > 255 or not AUDIO_PATH_RE.match(value)
                or any(part in (".", "..") for part in value.split("/"))):
            self.err(path, "%s is not a path inside the questionnaire's folder; write a relative "
                     "path with '/' between folders, no \"..\", made of letters, digits, '.', '_' "
                     "and '-', ending in \".wav\" (for example \"audio/ti/first_name.wav\")" % q(value))
            return False
        full = os.path.join(self.bundle, value)
        if not os.path.lexists(full):
            self.err(path, "the recording %s is not in the questionnaire's folder; add the file or "
                     "remove the reference" % q(value))
            return False
        real_bundle = os.path.realpath(self.bundle)
        if not os.path.realpath(full).startswith(real_bundle + os.sep):
            self.err(path, "%s leads out of the questionnaire's folder (a symbolic link?); put the "
                     "recording itself in the folder" % q(value))
            return False
        try:
            with open(full, "rb") as f:
                problem = wav_problem(f.read(AUDIO_MAX_SIZE + 1))
        except OSError as e:
            self.err(path, "the recording %s cannot be read (%s)" % (q(value), e.strerror))
            return False
        if problem:
            self.err(path, "%s: %s" % (q(value), problem))
            return False
        return True

    def check_text_audio(self, audio, path):
        if not isinstance(audio, dict):
            self.err(path, "must be an object mapping language codes to recordings, not %s"
                     % type_name(audio))
            return
        if not audio:
            self.err(path, 'names no recording; remove "audio" or add {"LANG": "audio/LANG/FILE.wav"}')
        for lang, value in audio.items():
            lp = "%s.%s" % (path, lang) if LANG_RE.match(lang) else "%s[%s]" % (path, q(lang))
            if lang not in self.declared:
                self.err(lp, "language %s is not declared in $.languages" % q(lang))
            elif self.check_audio(value, lp):
                self.n_audio[lang] = self.n_audio.get(lang, 0) + 1

    def check_interface_audio(self, doc):
        ia = doc.get("interface_audio")
        if ia is None:
            return
        if not isinstance(ia, dict):
            self.err("$.interface_audio", "must be an object: language -> {English UI text -> recording}")
            return
        for lang, strings in ia.items():
            lp = "$.interface_audio.%s" % lang if LANG_RE.match(lang) else "$.interface_audio[%s]" % q(lang)
            if lang not in self.declared:
                self.err(lp, "language %s is not declared in $.languages" % q(lang))
                continue
            if not isinstance(strings, dict):
                self.err(lp, "must be an object: English UI text (the msgid in po/) -> recording")
                continue
            for msgid, value in strings.items():
                mp = "%s[%s]" % (lp, json_quote(msgid))
                if msgid == "":
                    self.err(mp, "an empty key; use the kiosk string's English text (its msgid in po/)")
                    continue
                self.check_audio(value, mp)

    def check_text(self, v, path, required=True, lines=False):
        if v is None:
            if required:
                self.err(path, "missing text")
            return
        self.n_texts += 1
        if not isinstance(v, dict):
            self.err(path, "a text must be an object mapping language codes to strings, not %s"
                     % type_name(v))
            return
        for lang in v:
            if lang == "audio":
                self.check_text_audio(v["audio"], path + ".audio")
                continue
            if lang not in self.declared:
                self.err("%s.%s" % (path, lang) if LANG_RE.match(lang) else path,
                         "language %s is not declared in $.languages" % q(lang))
            elif lang not in self.text_langs:
                self.err("%s.%s" % (path, lang),
                         "language %s must not be filled in here (checking with --languages %s)"
                         % (q(lang), ",".join(self.text_langs)))
        for lang in self.text_langs:
            if lang not in v:
                self.err(path, "text lacks language %s" % q(lang))
                continue
            s = v[lang]
            lp = "%s.%s" % (path, lang)
            if not isinstance(s, str):
                self.err(lp, "must be a string, not %s" % type_name(s))
            elif s == "":
                self.err(lp, "must not be empty")
            else:
                if s.strip() == "":
                    self.perr(lp, "text is only whitespace")
                elif s != s.strip():
                    self.perr(lp, "text has leading or trailing whitespace")
                if lines and ("\n\n" in s or any(p != p.strip() or not p for p in s.split("\n"))):
                    self.perr(lp, "each line (one point of the explanation) must have text and no "
                              "leading or trailing whitespace")
                if any((ord(c) < 0x20 and not (lines and c == "\n")) or ord(c) == 0x7f for c in s):
                    self.perr(lp, "text contains a control character (line breaks are not allowed"
                              + (" except between the points of the introduction)" if lines else ")"))
                if "TODO" in s:
                    self.perr(lp, "text contains a TODO placeholder")

    # ------------------------------------------------------------ top level
    def run(self, doc):
        if not isinstance(doc, dict):
            self.err("$", "the questionnaire must be a JSON object, not %s" % type_name(doc))
            return
        self.unknown_keys(doc, TOP_KEYS, "$", "the questionnaire")
        for k in TOP_REQUIRED:
            if k not in doc:
                self.err("$", "missing required key %s" % q(k))
        if "format" in doc and (not is_int(doc["format"]) or doc["format"] != 1):
            self.err("$.format", "must be the integer 1 (this checker knows format 1 only)")
        if "id" in doc and (not isinstance(doc["id"], str) or not ID_RE.match(doc["id"])):
            self.err("$.id", "must be a string matching [a-z0-9][a-z0-9._-]{0,63}")
        if "version" in doc and (not is_int(doc["version"]) or doc["version"] < 1):
            self.err("$.version", "must be an integer >= 1")
        self.check_languages(doc)
        self.check_interface_audio(doc)
        if "title" in doc:
            self.check_text(doc["title"], "$.title")
        if "introduction" in doc:
            self.check_text(doc["introduction"], "$.introduction", lines=True)
        sections = doc.get("sections")
        if "sections" in doc:
            if not isinstance(sections, list):
                self.err("$.sections", "must be an array of sections")
            elif not sections:
                self.err("$.sections", "needs at least one section")
            else:
                # collect all question codes first so a forward reference can be told
                # apart from an unknown code
                for s in sections:
                    if isinstance(s, dict) and isinstance(s.get("questions"), list):
                        for qq in s["questions"]:
                            if isinstance(qq, dict) and isinstance(qq.get("code"), str):
                                self.all_question_codes.add(qq["code"])
                seen_sections = {}
                for i, s in enumerate(sections):
                    self.check_section(s, "$.sections[%d]" % i, seen_sections)
        self.check_non_integer_numbers(doc, "$")

    def check_non_integer_numbers(self, v, path):
        if isinstance(v, float):
            self.err(path, "non-integer numbers are not allowed in a questionnaire")
        elif isinstance(v, dict):
            for k, x in v.items():
                self.check_non_integer_numbers(x, "%s.%s" % (path, k))
        elif isinstance(v, list):
            for i, x in enumerate(v):
                self.check_non_integer_numbers(x, "%s[%d]" % (path, i))

    def check_languages(self, doc):
        langs = doc.get("languages")
        if "languages" not in doc:
            return
        if not isinstance(langs, dict):
            self.err("$.languages", "must be an object mapping language codes to languages")
            return
        if not langs:
            self.err("$.languages", "declare at least one language")
        for code, lang in langs.items():
            path = "$.languages.%s" % code if LANG_RE.match(code) else "$.languages[%s]" % q(code)
            if not LANG_RE.match(code):
                self.err(path, "language code %s must be two lowercase letters (ISO 639-1)" % q(code))
                continue
            self.declared.append(code)
            if not isinstance(lang, dict):
                self.err(path, "must be an object with name, direction and status")
                continue
            self.unknown_keys(lang, LANGUAGE_KEYS, path, "a language")
            for k in ("name", "direction", "status"):
                if k not in lang:
                    self.err(path, "missing required key %s" % q(k))
            if "name" in lang and (not isinstance(lang["name"], str) or not lang["name"].strip()):
                self.err(path + ".name", "must be a non-empty string (the language's own name)")
            if "direction" in lang and lang["direction"] not in ("ltr", "rtl"):
                self.err(path + ".direction", 'must be "ltr" or "rtl"')
            if "status" in lang and lang["status"] not in ("reviewed", "draft"):
                self.err(path + ".status", 'must be "reviewed" or "draft"')
            if "audio" in lang:
                self.check_audio(lang["audio"], path + ".audio")
        src = doc.get("source_language")
        if "source_language" in doc:
            if not isinstance(src, str) or src not in self.declared:
                self.err("$.source_language", "%s must be a language declared in $.languages"
                         % (q(src) if isinstance(src, str) else "the value"))
            elif isinstance(langs.get(src), dict) and langs[src].get("status") != "reviewed":
                self.err("$.languages.%s.status" % src, 'the source language must be "reviewed"')
        if self.only_languages is None:
            self.text_langs = list(self.declared)
        else:
            self.text_langs = []
            for lang in self.only_languages:
                if lang not in self.declared:
                    self.err("$.languages", "--languages names %s, which is not declared" % q(lang))
                else:
                    self.text_langs.append(lang)
            if isinstance(src, str) and src in self.declared and src not in self.text_langs:
                self.err("$.source_language", "--languages must include the source language %s"
                         % q(src))

    # ------------------------------------------------------------ sections
    def check_section(self, s, path, seen):
        if not isinstance(s, dict):
            self.err(path, "a section must be an object")
            return
        self.unknown_keys(s, SECTION_KEYS, path, "a section")
        code = s.get("code")
        if "code" not in s:
            self.err(path, "missing required key \"code\"")
        elif not isinstance(code, str) or not CODE_RE.match(code):
            self.err(path + ".code", "must be a string matching [a-z][a-z0-9_]{0,47}")
        elif code in seen:
            self.err(path + ".code", "section code %s is already used by %s"
                     % (q(code), seen[code]))
        else:
            seen[code] = path
        self.check_text(s.get("title"), path + ".title")
        if "visible_if" in s:
            self.check_condition(s["visible_if"], path + ".visible_if", None)
        qs = s.get("questions")
        if "questions" not in s:
            self.err(path, "missing required key \"questions\"")
        elif not isinstance(qs, list):
            self.err(path + ".questions", "must be an array of questions")
        elif not qs:
            self.err(path + ".questions", "a section needs at least one question")
        else:
            for i, qq in enumerate(qs):
                self.check_question(qq, "%s.questions[%d]" % (path, i))

    # ------------------------------------------------------------ questions
    def check_question(self, qq, path):
        if not isinstance(qq, dict):
            self.err(path, "a question must be an object")
            return
        self.n_questions += 1
        code = qq.get("code")
        qtype = qq.get("type") if isinstance(qq.get("type"), str) else None
        code_ok = False
        if "code" not in qq:
            self.err(path, "missing required key \"code\"")
        elif not isinstance(code, str) or not CODE_RE.match(code):
            self.err(path + ".code", "must be a string matching [a-z][a-z0-9_]{0,47}")
        elif code in self.questions:
            self.err(path + ".code", "question code %s is used twice; codes must be unique across "
                     "the whole questionnaire" % q(code))
        else:
            code_ok = True
            low = code.lower()
            for w in FORBIDDEN_CODE_WORDS:
                if w in low:
                    self.perr(path + ".code", "code %s suggests a question the kiosk must never "
                              "ask (%s)" % (q(code), w))
        if "type" not in qq:
            self.err(path, "missing required key \"type\"")
            allowed = COMMON_KEYS
        elif qtype not in TYPE_KEYS:
            self.err(path + ".type", "unknown question type %s; use one of: %s"
                     % (q(qtype) if qtype is not None else type_name(qq["type"]),
                        ", ".join(sorted(TYPE_KEYS))))
            allowed = None
        else:
            allowed = COMMON_KEYS | TYPE_KEYS[qtype]
            for k in TYPE_REQUIRED[qtype]:
                if k not in qq:
                    self.err(path, "a %s question needs %s" % (qtype, q(k)))
        if allowed is not None:
            self.unknown_keys(qq, allowed, path, "a %s question" % qtype if qtype in TYPE_KEYS
                              else "a question")
        self.check_text(qq.get("text"), path + ".text")
        if "help" in qq:
            self.check_text(qq["help"], path + ".help")
        required = self.want_bool(qq, "required", path)
        rns = self.want_bool(qq, "rather_not_say", path)
        # the condition is checked before this question is registered: a reference
        # to itself is then reported as a cycle
        if "visible_if" in qq:
            self.check_condition(qq["visible_if"], path + ".visible_if", code if code_ok else None)
        tags = qq.get("tags")
        if "tags" in qq:
            self.check_tags(tags, path + ".tags", qtype)
        if qtype in TYPE_KEYS:
            getattr(self, "check_" + qtype)(qq, path)
        if self.policy and isinstance(tags, dict):
            zrm, pg = tags.get("zrm"), tags.get("pg")
            sensitive = ((isinstance(zrm, str) and zrm in SENSITIVE_ZRM)
                         or (isinstance(pg, str) and pg in SENSITIVE_PG))
            if sensitive and (not rns or required):
                self.perr(path, "question %s is tagged %s; a sensitive question must have "
                          "\"rather_not_say\": true and must not be required"
                          % (q(code), ", ".join("%s %s" % kv for kv in sorted(tags.items()))))
        if code_ok:
            self.questions[code] = qq

    def check_tags(self, tags, path, qtype):
        if not isinstance(tags, dict):
            self.err(path, "tags must be an object")
            return
        for k, v in tags.items():
            if k not in TAG_VALUES:
                self.err(path, "unknown tag %s; allowed tags are: %s"
                         % (q(k), ", ".join(sorted(TAG_VALUES))))
                continue
            if not isinstance(v, str) or v not in TAG_VALUES[k]:
                self.err("%s.%s" % (path, k), "%s is not a %s value; allowed: %s"
                         % (q(v) if isinstance(v, str) else type_name(v), k,
                            ", ".join(sorted(TAG_VALUES[k]))))
        if "ladder" in tags and qtype != "ladder":
            self.err(path + ".ladder", "the ladder tag is only allowed on ladder questions")

    def check_options(self, qq, path, allow_exclusive):
        if "options" not in qq:
            return []
        opts = qq["options"]
        if not isinstance(opts, list):
            self.err(path + ".options", "must be an array of options")
            return []
        if len(opts) < 2:
            self.err(path + ".options", "needs at least 2 options, has %d" % len(opts))
        seen = {}
        for i, o in enumerate(opts):
            op = "%s.options[%d]" % (path, i)
            if not isinstance(o, dict):
                self.err(op, "an option must be an object with code and label")
                continue
            keys = {"code", "label"} | ({"exclusive"} if allow_exclusive else set())
            self.unknown_keys(o, keys, op, "an option" + ("" if allow_exclusive else
                                                          " of a single_choice question"))
            c = o.get("code")
            if "code" not in o:
                self.err(op, "missing required key \"code\"")
            elif not isinstance(c, str) or not OPTION_CODE_RE.match(c):
                self.err(op + ".code", "must be a string matching [a-z0-9][a-z0-9_]{0,47}")
            elif c in seen:
                self.err(op + ".code", "option code %s is already used in this question" % q(c))
            else:
                seen[c] = o
            self.check_text(o.get("label"), op + ".label")
            if "exclusive" in o and not isinstance(o["exclusive"], bool):
                self.err(op + ".exclusive", "must be true or false")
        return list(seen)

    def check_single_choice(self, qq, path):
        self.check_options(qq, path, False)

    def check_multiple_choice(self, qq, path):
        codes = self.check_options(qq, path, True)
        opts = qq.get("options") if isinstance(qq.get("options"), list) else []
        n = len(opts)
        mn = self.want_int(qq, "min_selected", path, default=1, required=False)
        mx = self.want_int(qq, "max_selected", path, default=n, required=False)
        if mn is not None and mn < 1:
            self.err(path + ".min_selected", "must be at least 1 (leaving the question unanswered "
                     "is \"skip\")")
        if mx is not None and n and mx > n:
            self.err(path + ".max_selected", "is %d but the question has only %d options" % (mx, n))
        if mn is not None and mx is not None and mn > mx:
            self.err(path + ".min_selected", "min_selected (%d) is greater than max_selected (%d)"
                     % (mn, mx))
        excl = [o for o in opts if isinstance(o, dict) and o.get("exclusive") is True]
        if excl and mn is not None and mn > 1:
            self.err(path + ".min_selected", "an exclusive option can only be chosen alone, so "
                     "min_selected must be 1")
        if excl and len(excl) == n:
            self.err(path + ".options", "not every option can be exclusive")
        del codes

    def check_scale(self, qq, path):
        mn = self.want_int(qq, "min", path, required=False)
        mx = self.want_int(qq, "max", path, required=False)
        if mn is not None and mx is not None:
            if mn >= mx:
                self.err(path + ".min", "min (%d) must be less than max (%d)" % (mn, mx))
            elif mx - mn + 1 > 11:
                self.err(path + ".max", "a scale has at most 11 steps; %d..%d has %d"
                         % (mn, mx, mx - mn + 1))
        for k in ("min_label", "max_label"):
            if k in qq:
                self.check_text(qq[k], "%s.%s" % (path, k))

    def check_yes_no(self, qq, path):
        pass

    def check_short_text(self, qq, path):
        ml = self.want_int(qq, "max_length", path, required=False)
        if ml is not None and not 1 <= ml <= 500:
            self.err(path + ".max_length", "must be between 1 and 500, is %d" % ml)
        if "text_kind" in qq and (not isinstance(qq["text_kind"], str)
                                  or qq["text_kind"] not in TEXT_KINDS):
            self.err(path + ".text_kind", "must be one of: %s" % ", ".join(sorted(TEXT_KINDS)))
        if "none_option" in qq:
            self.check_text(qq["none_option"], path + ".none_option")

    def check_number(self, qq, path):
        mn = self.want_int(qq, "min", path, required=False)
        mx = self.want_int(qq, "max", path, required=False)
        if mn is not None and mx is not None and mn > mx:
            self.err(path + ".min", "min (%d) must not be greater than max (%d)" % (mn, mx))
        if "unit" in qq:
            self.check_text(qq["unit"], path + ".unit")

    def check_date(self, qq, path):
        today = datetime.date.today()
        vals = {}
        for k in ("min", "max"):
            if k in qq:
                d = eval_date(qq[k], today)
                if d is None:
                    self.err("%s.%s" % (path, k), 'must be a date expression: "YYYY-MM-DD", '
                             '"today", or "today-N<d|m|y>" / "today+N<d|m|y>"')
                vals[k] = d
        if "allow_unknown" in qq and not isinstance(qq["allow_unknown"], bool):
            self.err(path + ".allow_unknown", "must be true or false")
        if vals.get("min") and vals.get("max") and vals["min"] > vals["max"]:
            self.err(path + ".min", "min (%s = %s) is after max (%s = %s)"
                     % (qq["min"], vals["min"], qq["max"], vals["max"]))

    def check_ladder(self, qq, path):
        if "rungs" not in qq:
            return
        rungs = qq["rungs"]
        if not isinstance(rungs, list) or len(rungs) != 6:
            self.err(path + ".rungs", "must be an array of exactly 6 texts (rung 1 ... rung 6)")
            if not isinstance(rungs, list):
                return
        for i, r in enumerate(rungs):
            self.check_text(r, "%s.rungs[%d]" % (path, i))

    # ------------------------------------------------------------ conditions
    def check_condition(self, c, path, self_code):
        if not isinstance(c, dict):
            self.err(path, "a condition must be an object")
            return
        if "not" in c or "all" in c or "any" in c:
            forms = [k for k in ("not", "all", "any") if k in c]
            extra = [k for k in c if k not in forms]
            if len(forms) > 1 or extra:
                self.err(path, "a condition has exactly one form; found keys: %s"
                         % ", ".join(sorted(c)))
                return
            form = forms[0]
            if form == "not":
                self.check_condition(c["not"], path + ".not", self_code)
            else:
                items = c[form]
                if not isinstance(items, list) or not items:
                    self.err("%s.%s" % (path, form), "must be an array of at least one condition")
                    return
                for i, sub in enumerate(items):
                    self.check_condition(sub, "%s.%s[%d]" % (path, form, i), self_code)
            return
        if "question" not in c:
            self.err(path, "a condition needs \"question\" (with one of %s) or one of "
                     "\"not\", \"all\", \"any\"" % ", ".join(LEAF_FORMS))
            return
        forms = [k for k in LEAF_FORMS if k in c]
        extra = [k for k in c if k != "question" and k not in LEAF_FORMS]
        if extra:
            self.err(path, "unknown key(s) in a condition: %s" % ", ".join(sorted(extra)))
        if len(forms) != 1:
            self.err(path, "a condition on a question needs exactly one of: %s"
                     % ", ".join(LEAF_FORMS))
            return
        form = forms[0]
        ref = c["question"]
        rpath = path + ".question"
        if not isinstance(ref, str):
            self.err(rpath, "must be a question code (string)")
            return
        if self_code is not None and ref == self_code:
            self.err(rpath, "condition refers to %s, the question itself (a cycle); a condition "
                     "may only look at earlier questions" % q(ref))
            return
        if ref not in self.questions:
            if ref in self.all_question_codes:
                self.err(rpath, "condition refers to %s, which comes later in the questionnaire; "
                         "a condition may only look at earlier questions" % q(ref))
            else:
                self.err(rpath, "condition refers to %s, but no question has that code" % q(ref))
            return
        target = self.questions[ref]
        ttype = target.get("type")
        vpath = "%s.%s" % (path, form)
        value = c[form]
        if form == "answered":
            if not isinstance(value, bool):
                self.err(vpath, "must be true or false")
            return
        if ttype in ("short_text", "date"):
            self.err(vpath, "%s cannot be used on %s, a %s question; use \"answered\""
                     % (q(form), q(ref), ttype))
            return
        if form in ("at_least", "at_most"):
            if ttype not in ORDERED_TYPES:
                self.err(vpath, "%s only works on number, scale and ladder questions; %s is %s"
                         % (q(form), q(ref), ttype))
                return
            self.check_value(value, vpath, target, ref)
            return
        if form == "equals":
            self.check_value(value, vpath, target, ref)
            return
        # one_of
        if not isinstance(value, list) or not value:
            self.err(vpath, "must be a non-empty array of values")
            return
        seen = []
        for i, v in enumerate(value):
            if v in seen and type(v) is type(seen[seen.index(v)]):
                self.err("%s[%d]" % (vpath, i), "value is listed twice")
            seen.append(v)
            self.check_value(v, "%s[%d]" % (vpath, i), target, ref)

    def check_value(self, v, path, target, ref):
        ttype = target.get("type")
        if ttype in CHOICE_TYPES:
            opts = target.get("options") if isinstance(target.get("options"), list) else []
            codes = [o.get("code") for o in opts if isinstance(o, dict)]
            if not isinstance(v, str):
                self.err(path, "%s is a %s question: compare with an option code (string), not %s"
                         % (q(ref), ttype, type_name(v)))
            elif v not in codes:
                self.err(path, "%s has no option %s; its options are: %s"
                         % (q(ref), q(v), ", ".join(str(x) for x in codes)))
        elif ttype == "yes_no":
            if not isinstance(v, bool):
                self.err(path, "%s is a yes_no question: compare with true or false, not %s"
                         % (q(ref), type_name(v)))
        elif ttype in ORDERED_TYPES:
            if ttype == "ladder":
                lo, hi = 1, 6
            else:
                lo, hi = target.get("min"), target.get("max")
            if not is_int(v):
                self.err(path, "%s is a %s question: compare with an integer, not %s"
                         % (q(ref), ttype, type_name(v)))
            elif is_int(lo) and is_int(hi) and not lo <= v <= hi:
                self.err(path, "%d is outside the range %d..%d of %s" % (v, lo, hi, q(ref)))


def summary(filename, doc, chk):
    langs = ",".join(chk.text_langs)
    audio = ""
    if chk.n_audio:
        audio = ", recordings: " + " ".join("%s %d" % (lang, chk.n_audio[lang])
                                             for lang in chk.declared if lang in chk.n_audio)
    return ("%s: ok: %s version %s, %d sections, %d questions, %d texts x %d languages (%s)%s, "
            "hash %s" % (filename, doc.get("id"), doc.get("version"), len(doc.get("sections", [])),
                         chk.n_questions, chk.n_texts, len(chk.text_langs), langs, audio,
                         qcommon.questionnaire_hash(doc)))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+", metavar="FILE")
    ap.add_argument("--languages", help="comma-separated languages every text must hold "
                    "(default: all declared languages)")
    ap.add_argument("--format-only", action="store_true", help="skip project policy checks")
    ap.add_argument("--quiet", action="store_true", help="print nothing on success")
    args = ap.parse_args(argv)
    only = None
    if args.languages is not None:
        only = [x.strip() for x in args.languages.split(",") if x.strip()]
        if not only or len(set(only)) != len(only):
            ap.error("--languages needs a comma-separated list of distinct language codes")
    failed = False
    for fn in args.files:
        try:
            doc = qcommon.load_json(fn)
        except OSError as e:
            print("%s: $: cannot read file: %s" % (fn, e.strerror), file=sys.stderr)
            failed = True
            continue
        except ValueError as e:
            print("%s: $: %s" % (fn, e), file=sys.stderr)
            failed = True
            continue
        chk = Checker(fn, only, policy=not args.format_only)
        chk.run(doc)
        if chk.errors:
            failed = True
            for e in chk.errors:
                print(e, file=sys.stderr)
            print("%s: %d problem(s)" % (fn, len(chk.errors)), file=sys.stderr)
        elif not args.quiet:
            print(summary(fn, doc, chk))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
