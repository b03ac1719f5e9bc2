#!/usr/bin/python3
"""Tests for check.py, extract.py and merge.py (stdlib unittest).

run: /usr/bin/python3 tools/questionnaire/test_tools.py
"""

import copy
import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import check  # noqa: E402
import extract  # noqa: E402
import merge  # noqa: E402
import qcommon  # noqa: E402

SOURCE = extract.DEFAULT_SOURCE


def load_source():
    return qcommon.load_json(SOURCE)


def find_q(doc, code):
    for s in doc["sections"]:
        for q in s["questions"]:
            if q["code"] == code:
                return q
    raise KeyError(code)


def run_check(doc, languages=("nl", "en"), policy=True):
    chk = check.Checker("t.json", list(languages) if languages else None, policy=policy)
    chk.run(doc)
    return chk.errors


class CheckerTest(unittest.TestCase):
    def setUp(self):
        self.doc = load_source()

    def assertError(self, doc, fragment, path=None, **kw):
        errors = run_check(doc, **kw)
        hits = [e for e in errors if fragment in e and (path is None or (": %s: " % path) in e)]
        self.assertTrue(hits, "expected an error containing %r at %r, got:\n%s"
                        % (fragment, path, "\n".join(errors) or "(none)"))

    def test_source_is_clean(self):
        self.assertEqual(run_check(self.doc), [])

    def test_full_language_check_wants_every_declared_language(self):
        errors = run_check(self.doc, languages=None)
        self.assertTrue(any('text lacks language "ar"' in e for e in errors))

    def test_forward_reference(self):
        find_q(self.doc, "first_name")["visible_if"] = {"question": "worked_before",
                                                        "equals": True}
        self.assertError(self.doc, "comes later in the questionnaire",
                         "$.sections[0].questions[0].visible_if.question")

    def test_self_reference_is_a_cycle(self):
        find_q(self.doc, "phone")["visible_if"] = {"question": "phone", "answered": True}
        self.assertError(self.doc, "a cycle")

    def test_unknown_question_reference(self):
        self.doc["sections"][1]["visible_if"] = {"question": "nope", "answered": True}
        self.assertError(self.doc, "no question has that code", "$.sections[1].visible_if.question")

    def test_section_condition_cannot_look_inside_its_own_section(self):
        self.doc["sections"][1]["visible_if"] = {"question": "dutch_speaking", "equals": "well"}
        self.assertError(self.doc, "comes later")

    def test_unknown_key(self):
        find_q(self.doc, "phone")["hint"] = {"nl": "x", "en": "x"}
        self.assertError(self.doc, 'unknown key "hint"')

    def test_type_specific_key_on_wrong_type(self):
        find_q(self.doc, "worked_before")["options"] = []
        self.assertError(self.doc, 'unknown key "options" in a yes_no question')

    def test_duplicate_question_code(self):
        find_q(self.doc, "email")["code"] = "phone"
        self.assertError(self.doc, "used twice")

    def test_bad_code_syntax(self):
        find_q(self.doc, "email")["code"] = "E-mail"
        self.assertError(self.doc, "[a-z][a-z0-9_]{0,47}")

    def test_text_missing_language_and_undeclared_language(self):
        find_q(self.doc, "email")["text"] = {"nl": "x", "xx": "y"}
        errors = run_check(self.doc)
        self.assertTrue(any('lacks language "en"' in e for e in errors))
        self.assertTrue(any('"xx" is not declared' in e for e in errors))

    def test_empty_text(self):
        find_q(self.doc, "email")["text"]["en"] = ""
        self.assertError(self.doc, "must not be empty", "$.sections[0].questions[5].text.en")

    def test_too_few_options(self):
        q = find_q(self.doc, "housing")
        q["options"] = q["options"][:1]
        self.assertError(self.doc, "at least 2 options")

    def test_null_options_and_rungs(self):
        find_q(self.doc, "housing")["options"] = None
        self.assertError(self.doc, "must be an array of options")
        find_q(self.doc, "ladder_aim")["rungs"] = None
        self.assertError(self.doc, "exactly 6 texts")

    def test_duplicate_option_code(self):
        q = find_q(self.doc, "housing")
        q["options"][1]["code"] = q["options"][0]["code"]
        self.assertError(self.doc, "already used in this question")

    def test_exclusive_not_allowed_in_single_choice(self):
        find_q(self.doc, "housing")["options"][0]["exclusive"] = True
        self.assertError(self.doc, 'unknown key "exclusive"')

    def test_max_selected_too_large(self):
        find_q(self.doc, "support_wanted")["max_selected"] = 99
        self.assertError(self.doc, "only 12 options")

    def test_scale_steps(self):
        q = find_q(self.doc, "work_importance")
        q["min"], q["max"] = 0, 11
        self.assertError(self.doc, "at most 11 steps")

    def test_scale_min_not_below_max(self):
        q = find_q(self.doc, "energy")
        q["min"] = 5
        self.assertError(self.doc, "must be less than max")

    def test_short_text_max_length(self):
        find_q(self.doc, "anything_else")["max_length"] = 501
        self.assertError(self.doc, "between 1 and 500")

    def test_text_kind(self):
        find_q(self.doc, "phone")["text_kind"] = "bsn"
        self.assertError(self.doc, "text_kind")

    def test_none_option_is_a_text(self):
        find_q(self.doc, "first_name")["none_option"] = "Geen"
        self.assertError(self.doc, "must be an object", "$.sections[0].questions[0].none_option")

    def test_none_option_only_on_short_text(self):
        find_q(self.doc, "birth_date")["none_option"] = {"nl": "Geen", "en": "None"}
        self.assertError(self.doc, 'unknown key "none_option" in a date question')

    def test_allow_unknown_is_boolean(self):
        find_q(self.doc, "birth_date")["allow_unknown"] = "yes"
        self.assertError(self.doc, "must be true or false", "$.sections[0].questions[2].allow_unknown")

    def test_introduction_points_one_per_line(self):
        self.doc["introduction"]["nl"] = "Eerste punt.\nTweede punt."
        self.assertEqual([e for e in run_check(self.doc) if "$.introduction" in e], [])
        self.doc["introduction"]["nl"] = "Eerste punt.\n\nTweede punt."
        self.assertError(self.doc, "each line", "$.introduction.nl")
        find_q(self.doc, "phone")["text"]["nl"] = "Telefoon\nnummer?"
        self.assertError(self.doc, "line breaks are not allowed)")

    def test_number_range(self):
        q = find_q(self.doc, "hours_wanted")
        q["min"], q["max"] = 41, 40
        self.assertError(self.doc, "must not be greater than max")

    def test_date_expression(self):
        find_q(self.doc, "birth_date")["min"] = "today-100years"
        self.assertError(self.doc, "date expression")

    def test_date_min_after_max(self):
        q = find_q(self.doc, "birth_date")
        q["min"], q["max"] = "today-15y", "today-100y"
        self.assertError(self.doc, "is after max")

    def test_ladder_needs_six_rungs(self):
        find_q(self.doc, "ladder_now")["rungs"].pop()
        self.assertError(self.doc, "exactly 6 texts")

    def test_ladder_tag_only_on_ladder(self):
        find_q(self.doc, "work_importance")["tags"]["ladder"] = "aim"
        self.assertError(self.doc, "only allowed on ladder questions")

    def test_tag_values(self):
        find_q(self.doc, "skill_on_time")["tags"]["esco"] = "T7"
        self.assertError(self.doc, '"T7" is not a esco value')
        find_q(self.doc, "skill_on_time")["tags"] = {"zrm": ["housing"]}
        self.assertError(self.doc, "not a zrm value")

    def test_condition_value_types(self):
        find_q(self.doc, "past_sectors")["visible_if"] = {"question": "worked_before",
                                                          "equals": "yes"}
        self.assertError(self.doc, "compare with true or false")

    def test_condition_unknown_option(self):
        find_q(self.doc, "debt_help")["visible_if"] = {"question": "money_worries",
                                                       "one_of": ["yes", "sometimes"]}
        self.assertError(self.doc, 'has no option "sometimes"')

    def test_condition_range(self):
        find_q(self.doc, "work_importance")["visible_if"] = {"question": "ladder_now", "at_least": 7}
        self.assertError(self.doc, "outside the range 1..6")

    def test_condition_at_least_on_choice(self):
        find_q(self.doc, "debt_help")["visible_if"] = {"question": "money_worries", "at_least": 1}
        self.assertError(self.doc, "only works on number, scale and ladder")

    def test_condition_equals_on_short_text(self):
        find_q(self.doc, "phone")["visible_if"] = {"question": "first_name", "equals": "Ali"}
        self.assertError(self.doc, "cannot be used on \"first_name\"")

    def test_condition_two_forms(self):
        find_q(self.doc, "phone")["visible_if"] = {"question": "first_name", "answered": True,
                                                   "not": {"question": "last_name",
                                                           "answered": True}}
        self.assertError(self.doc, "exactly one form")

    def test_condition_empty_all(self):
        find_q(self.doc, "phone")["visible_if"] = {"all": []}
        self.assertError(self.doc, "at least one condition")

    def test_non_integer_number(self):
        find_q(self.doc, "hours_wanted")["max"] = 40.0
        self.assertError(self.doc, "non-integer")

    def test_top_level(self):
        self.doc["format"] = 2
        self.doc["languages"]["nl"]["status"] = "draft"
        self.doc["id"] = "SZMH"
        errors = "\n".join(run_check(self.doc))
        self.assertIn("$.format", errors)
        self.assertIn('the source language must be "reviewed"', errors)
        self.assertIn("$.id", errors)

    def test_bool_is_not_an_integer(self):
        self.doc["format"] = True
        self.assertError(self.doc, "must be the integer 1")

    def test_policy_sensitive_needs_rather_not_say(self):
        q = find_q(self.doc, "money_worries")
        q["rather_not_say"] = False
        self.assertError(self.doc, "policy: question \"money_worries\" is tagged")
        self.assertNotIn("money_worries", "\n".join(run_check(self.doc, policy=False)))

    def test_policy_no_bsn_code(self):
        find_q(self.doc, "client_number")["code"] = "bsn_number"
        self.assertError(self.doc, "policy: code \"bsn_number\"")

    def test_cli_duplicate_key_and_exit_status(self):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "dup.json")
            with open(p, "w") as f:
                f.write('{"format": 1, "format": 1}')
            r = subprocess.run([sys.executable, os.path.join(HERE, "check.py"), p],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 1)
            self.assertIn("%s: $: duplicate key \"format\"" % p, r.stderr)

    def test_cli_error_format(self):
        doc = copy.deepcopy(self.doc)
        find_q(doc, "phone")["max_length"] = 0
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "bad.json")
            with open(p, "w") as f:
                json.dump(doc, f)
            r = subprocess.run([sys.executable, os.path.join(HERE, "check.py"), "--languages",
                                "nl,en", p], capture_output=True, text=True)
            self.assertEqual(r.returncode, 1)
            self.assertIn("%s: $.sections[0].questions[4].max_length: must be between 1 and 500"
                          % p, r.stderr)


class FuzzTest(unittest.TestCase):
    """The checker reports problems; it must never crash on any JSON value."""

    VALUES = [None, True, False, 0, 1, -1, 7, 1.5, "", "x", "today", "nl", "T1", [], [1], ["x"],
              {}, {"a": 1}, {"nl": "x"}, {"question": "phone", "answered": True}]

    def nodes(self, value, out):
        if isinstance(value, dict):
            for k in list(value):
                out.append((value, k))
                self.nodes(value[k], out)
        elif isinstance(value, list):
            for i in range(len(value)):
                out.append((value, i))
                self.nodes(value[i], out)
        return out

    def test_random_mutations_never_crash(self):
        import random
        rnd = random.Random(20261122)
        base = load_source()
        for _ in range(1200):
            doc = copy.deepcopy(base)
            for _ in range(rnd.randint(1, 3)):
                nodes = self.nodes(doc, [])
                container, key = rnd.choice(nodes)
                action = rnd.random()
                if action < 0.8:
                    container[key] = copy.deepcopy(rnd.choice(self.VALUES))
                elif isinstance(container, dict):
                    del container[key]
                else:
                    container.pop(key)
            for langs in (("nl", "en"), None):
                try:
                    errors = run_check(doc, languages=langs)
                except Exception as e:  # noqa: BLE001
                    self.fail("checker crashed (%r) on a mutated document" % e)
                for e in errors:
                    self.assertRegex(e, r"^t\.json: \$[^ ]*: ")


def make_recording(path, rate=16000, channels=1):
    """A short tone as a studio hands it over, made by sox (scripts/install-deps)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    subprocess.run(["sox", "-n", "-r", str(rate), "-b", "16", "-c", str(channels), path,
                    "synth", "0.2", "sine", "440"], check=True)


class AudioTest(unittest.TestCase):
    """Recorded audio (docs/questionnaire.md, "Recorded audio"): the same three
    errors as the C loader, each with its JSON path."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.doc = load_source()
        make_recording(os.path.join(self.tmp, "audio", "nl", "first_name.wav"))

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def errors(self):
        chk = check.Checker(os.path.join(self.tmp, "intake.json"), ["nl", "en"], policy=True)
        chk.run(self.doc)
        return chk

    def with_audio(self, path):
        find_q(self.doc, "first_name")["text"]["audio"] = {"nl": path}
        return self.errors().errors

    def assertAudioError(self, path, fragment):
        errors = self.with_audio(path)
        jpath = ": $.sections[0].questions[0].text.audio.nl: "
        self.assertTrue(any(jpath in e and fragment in e for e in errors),
                        "expected %r at %s, got:\n%s" % (fragment, jpath, "\n".join(errors) or "(none)"))

    def test_recording_is_accepted_and_counted(self):
        self.assertEqual(self.with_audio("audio/nl/first_name.wav"), [])
        self.doc["languages"]["nl"]["audio"] = "audio/nl/first_name.wav"
        self.doc["interface_audio"] = {"nl": {"Next": "audio/nl/first_name.wav"}}
        chk = self.errors()
        self.assertEqual(chk.errors, [])
        self.assertIn("recordings: nl 1", check.summary("intake.json", self.doc, chk))

    def test_path_outside_the_bundle(self):
        for path in ("../first_name.wav", "/tmp/first_name.wav", "audio/nl/first name.wav",
                     "audio/./nl/first_name.wav", "audio/nl/first_name.mp3"):
            self.assertAudioError(path, "is not a path inside the questionnaire's folder")
        outside = os.path.join(tempfile.mkdtemp(), "outside.wav")
        make_recording(outside)
        os.symlink(outside, os.path.join(self.tmp, "audio", "nl", "link.wav"))
        self.assertAudioError("audio/nl/link.wav", "leads out of the questionnaire's folder")
        shutil.rmtree(os.path.dirname(outside))

    def test_missing_file(self):
        self.assertAudioError("audio/nl/last_name.wav", "is not in the questionnaire's folder")

    def test_wrong_format(self):
        make_recording(os.path.join(self.tmp, "audio", "nl", "stereo.wav"), channels=2)
        self.assertAudioError("audio/nl/stereo.wav", "the kiosk plays mono only")
        with open(os.path.join(self.tmp, "audio", "nl", "text.wav"), "w") as f:
            f.write("not a recording")
        self.assertAudioError("audio/nl/text.wav", "not a WAV file")

    def test_undeclared_language(self):
        find_q(self.doc, "first_name")["text"]["audio"] = {"xx": "audio/nl/first_name.wav"}
        self.assertTrue(any('"xx" is not declared' in e for e in self.errors().errors))


class ExtractMergeTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.src = os.path.join(self.tmp, "intake.source.json")
        shutil.copy(SOURCE, self.src)
        self.i18n = os.path.join(self.tmp, "i18n")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def quiet(self, fn, argv):
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            try:
                rc = fn(argv)
            except SystemExit as e:
                rc = e.code
        return rc, err.getvalue()

    def extract(self, *langs):
        return self.quiet(extract.main, ["--source", self.src, "--i18n-dir", self.i18n]
                          + list(langs))

    def merge(self, *extra):
        return self.quiet(merge.main, ["--source", self.src, "--i18n-dir", self.i18n] + list(extra))

    def fill(self, lang):
        p = os.path.join(self.i18n, lang + ".json")
        data = qcommon.load_json(p)
        for sid, e in data.items():
            e["text"] = "[%s] %s" % (lang, e["en"])
        with open(p, "w") as f:
            json.dump(data, f, ensure_ascii=False)
        return data

    def test_round_trip_nl_en(self):
        self.assertEqual(self.extract("en")[0], 0)
        out = os.path.join(self.tmp, "preview.json")
        rc, err = self.merge("--only", "nl,en", "--output", out)
        self.assertEqual(rc, 0, err)
        merged = qcommon.load_json(out)
        expected = qcommon.load_json(self.src)
        expected["languages"] = {k: v for k, v in expected["languages"].items()
                                 if k in ("nl", "en")}
        self.assertEqual(qcommon.canonical(merged), qcommon.canonical(expected))
        self.assertEqual(run_check(merged, languages=None), [])

    def test_missing_languages_fail_and_nothing_is_written(self):
        self.extract("en")
        out = os.path.join(self.tmp, "intake.json")
        rc, err = self.merge("--output", out)
        self.assertEqual(rc, 1)
        for lang in ("ar", "tr", "fa", "ti", "uk", "pl"):
            self.assertIn("merge: %s: " % lang, err)
        self.assertFalse(os.path.exists(out))

    def test_full_merge_keeps_status_and_passes_check(self):
        self.extract()
        for lang in ("ar", "tr", "fa", "ti", "uk", "pl"):
            self.fill(lang)
        out = os.path.join(self.tmp, "intake.json")
        rc, err = self.merge("--output", out)
        self.assertEqual(rc, 0, err)
        merged = qcommon.load_json(out)
        self.assertEqual(merged["languages"], qcommon.load_json(self.src)["languages"])
        self.assertEqual(run_check(merged, languages=None), [])
        self.assertEqual(find_q(merged, "first_name")["text"]["ar"],
                         "[ar] What is your first name?")
        self.assertEqual(list(merged["title"]), ["nl", "en", "ar", "tr", "fa", "ti", "uk", "pl"])
        with open(out, encoding="utf-8") as f:
            first = f.read()
        self.assertTrue(first.endswith("}\n") and "العربية" in first)
        self.merge("--output", out)
        with open(out, encoding="utf-8") as f:
            self.assertEqual(f.read(), first)   # deterministic

    def test_empty_translation_names_id_and_language(self):
        self.extract()
        for lang in ("ar", "tr", "fa", "ti", "uk", "pl"):
            data = self.fill(lang)
        p = os.path.join(self.i18n, "pl.json")
        data = qcommon.load_json(p)
        data["question.sector_wish.option.logistics.label"]["text"] = ""
        with open(p, "w") as f:
            json.dump(data, f)
        rc, err = self.merge("--output", os.path.join(self.tmp, "x.json"))
        self.assertEqual(rc, 1)
        self.assertIn("merge: pl: question.sector_wish.option.logistics.label: translation is "
                      "missing or empty", err)

    def test_source_change_marks_translation_outdated_and_extract_keeps_previous(self):
        self.extract("ar")
        self.fill("ar")
        doc = qcommon.load_json(self.src)
        find_q(doc, "phone")["text"]["nl"] = "Wat is uw telefoonnummer?"
        with open(self.src, "w") as f:
            json.dump(doc, f, ensure_ascii=False)
        rc, err = self.merge("--only", "nl,ar", "--output", os.path.join(self.tmp, "x.json"))
        self.assertEqual(rc, 1)
        self.assertIn("merge: ar: question.phone.text: outdated", err)
        self.extract("ar")
        data = qcommon.load_json(os.path.join(self.i18n, "ar.json"))
        self.assertEqual(data["question.phone.text"]["text"], "")
        self.assertTrue(data["question.phone.text"]["previous"].startswith("[ar]"))
        self.assertTrue(data["question.email.text"]["text"].startswith("[ar]"))

    def test_obsolete_id(self):
        self.extract("en")
        p = os.path.join(self.i18n, "en.json")
        data = qcommon.load_json(p)
        data["question.bogus.text"] = {"nl": "x", "en": "x", "text": "x"}
        with open(p, "w") as f:
            json.dump(data, f)
        rc, err = self.merge("--only", "nl,en", "--output", os.path.join(self.tmp, "x.json"))
        self.assertEqual(rc, 1)
        self.assertIn("en: question.bogus.text: not in the source", err)

    def test_english_must_match_source(self):
        self.extract("en")
        p = os.path.join(self.i18n, "en.json")
        data = qcommon.load_json(p)
        data["title"]["text"] = "Something else"
        with open(p, "w") as f:
            json.dump(data, f)
        rc, err = self.merge("--only", "nl,en", "--output", os.path.join(self.tmp, "x.json"))
        self.assertEqual(rc, 1)
        self.assertIn("en: title: differs from the en text", err)

    def test_recordings_travel_from_i18n_into_the_result(self):
        self.extract()
        for lang in ("ar", "tr", "fa", "ti", "uk", "pl"):
            self.fill(lang)
        # A Tigrinya recording of one question, and a Dutch one in the source.
        make_recording(os.path.join(self.tmp, "audio", "ti", "first_name.wav"))
        make_recording(os.path.join(self.tmp, "audio", "nl", "first_name.wav"))
        p = os.path.join(self.i18n, "ti.json")
        data = qcommon.load_json(p)
        data["question.first_name.text"]["audio"] = "audio/ti/first_name.wav"
        with open(p, "w") as f:
            json.dump(data, f, ensure_ascii=False)
        doc = qcommon.load_json(self.src)
        find_q(doc, "first_name")["text"]["audio"] = {"nl": "audio/nl/first_name.wav"}
        with open(self.src, "w") as f:
            json.dump(doc, f, ensure_ascii=False)
        out = os.path.join(self.tmp, "intake.json")
        rc, err = self.merge("--output", out)
        self.assertEqual(rc, 0, err)
        merged = qcommon.load_json(out)
        self.assertEqual(find_q(merged, "first_name")["text"]["audio"],
                         {"nl": "audio/nl/first_name.wav", "ti": "audio/ti/first_name.wav"})
        self.assertEqual(list(find_q(merged, "first_name")["text"])[-1], "audio")
        chk = check.Checker(out, None, policy=True)
        chk.run(merged)
        self.assertEqual(chk.errors, [])

        # A changed source text takes the recording away with the translation.
        self.extract("ti")
        self.assertEqual(qcommon.load_json(p)["question.first_name.text"]["audio"],
                         "audio/ti/first_name.wav")
        doc["sections"][0]["questions"][0]["text"]["nl"] = "Hoe heet u?"
        with open(self.src, "w") as f:
            json.dump(doc, f, ensure_ascii=False)
        self.extract("ti")
        self.assertNotIn("audio", qcommon.load_json(p)["question.first_name.text"])

        # The recording named must be there.
        data = qcommon.load_json(p)
        data["question.first_name.text"].update(text="ሽምኩም", audio="audio/ti/missing.wav")
        data["question.first_name.text"]["nl"] = "Hoe heet u?"
        with open(p, "w") as f:
            json.dump(data, f, ensure_ascii=False)
        rc, err = self.merge("--only", "nl,ti", "--output", out)
        self.assertEqual(rc, 1)
        self.assertIn("text.audio.ti: the recording \"audio/ti/missing.wav\" is not in", err)

    def test_only_needs_output(self):
        rc, err = self.merge("--only", "nl,en")
        self.assertNotEqual(rc, 0)
        self.assertIn("--output", err)

    def test_string_ids_are_unique(self):
        ids = [sid for sid, _p, _c, _k in qcommon.iter_texts(qcommon.load_json(self.src))]
        self.assertEqual(len(ids), len(set(ids)))


class ContentTest(unittest.TestCase):
    """Content rules from the brief that the format alone does not enforce."""

    def setUp(self):
        self.doc = load_source()
        self.qs = [q for s in self.doc["sections"] for q in s["questions"]]

    def test_identity(self):
        self.assertEqual((self.doc["id"], self.doc["version"], self.doc["format"],
                          self.doc["source_language"]), ("szmh-intake", 2, 1, "nl"))
        self.assertEqual(list(self.doc["languages"]), ["nl", "en", "ar", "tr", "fa", "ti", "uk",
                                                       "pl"])
        rtl = [k for k, v in self.doc["languages"].items() if v["direction"] == "rtl"]
        self.assertEqual(rtl, ["ar", "fa"])

    def test_section_order(self):
        self.assertEqual([s["code"] for s in self.doc["sections"]],
                         ["contact", "language", "motivation", "work_education",
                          "skills", "health", "life_domains", "work_wishes", "support"])

    def test_only_identification_is_required(self):
        self.assertEqual(sorted(q["code"] for q in self.qs if q.get("required")),
                         ["birth_date", "first_name", "last_name"])

    def test_health_and_life_domains_are_skippable_with_rather_not_say(self):
        for s in self.doc["sections"]:
            if s["code"] in ("health", "life_domains"):
                for q in s["questions"]:
                    self.assertTrue(q.get("rather_not_say"), q["code"])
                    self.assertFalse(q.get("required", False), q["code"])

    def test_question_count(self):
        # Version 2: at most 50 questions, at most 40 shown to everyone
        # (resources/questionnaires/NOTES.md, "Version 2").
        self.assertTrue(40 <= len(self.qs) <= 50, len(self.qs))
        self.assertTrue(len([q for q in self.qs if "visible_if" not in q]) <= 40)

    def test_instrument_tags_kept(self):
        tags = {(k, v) for q in self.qs for k, v in q.get("tags", {}).items()}
        self.assertTrue({("ladder", "current"), ("ladder", "aim")} <= tags)
        self.assertEqual({v for k, v in tags if k == "esco"}, {"T1", "T2", "T3", "T4", "T5", "T6"})
        for dimension in ("meaning", "participation", "daily_functioning", "bodily_functions",
                          "mental_wellbeing"):
            self.assertIn(("pg", dimension), tags)

    def test_as_on_the_id(self):
        self.assertTrue(find_q(self.doc, "birth_date").get("allow_unknown"))
        self.assertIn("none_option", find_q(self.doc, "first_name"))


if __name__ == "__main__":
    unittest.main()
