#!/usr/bin/python3
"""Write the translation files i18n/<lang>.json from intake.source.json.

usage: extract.py [--source FILE] [--i18n-dir DIR] [LANG ...]

Without LANG, every declared language except the source language is written.
Each file is a flat JSON object, in questionnaire order:

  {"question.first_name.text": {"nl": "Wat is uw voornaam?",
                                "en": "What is your first name?",
                                "text": "<translation, empty until translated>"}}

"nl" and "en" are context for the translator; only "text" is read back by
merge.py. Re-running is safe:
- a translation whose Dutch and English are unchanged is kept;
- when the Dutch or English changed, "text" is emptied and the old translation
  is kept under "previous" so the translator can revise it;
- strings that no longer exist are dropped (and listed);
- a language the source already holds (English) gets "text" = that text.
"""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import qcommon  # noqa: E402
import check  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT_SOURCE = os.path.join(ROOT, "resources", "questionnaires", "intake.source.json")
DEFAULT_I18N = os.path.join(ROOT, "resources", "questionnaires", "i18n")
# "audio": the bundle path of a recording of "text" (docs/questionnaire.md,
# "Recorded audio"); dropped with the translation when the source changed.
ENTRY_KEYS = ("nl", "en", "text", "previous", "audio")


def fail(msg):
    print("extract: " + msg, file=sys.stderr)
    sys.exit(1)


def source_languages(doc):
    """Languages the source texts hold (those of the title)."""
    title = doc.get("title")
    return [lang for lang in doc.get("languages", {}) if isinstance(title, dict) and lang in title]


def load_source(path, tool):
    try:
        doc = qcommon.load_json(path)
    except (OSError, ValueError) as e:
        print("%s: %s: $: %s" % (tool, path, getattr(e, "strerror", None) or e), file=sys.stderr)
        sys.exit(1)
    langs = source_languages(doc) if isinstance(doc, dict) else []
    chk = check.Checker(path, langs or None, policy=True)
    chk.run(doc)
    if chk.errors:
        for e in chk.errors:
            print(e, file=sys.stderr)
        print("%s: fix the source first (tools/questionnaire/check.py --languages %s %s)"
              % (tool, ",".join(langs), path), file=sys.stderr)
        sys.exit(1)
    return doc, langs


def context_languages(doc):
    src = doc["source_language"]
    ctx = [src]
    if "en" != src and "en" in source_languages(doc):
        ctx.append("en")
    return ctx


def load_i18n(path, tool):
    try:
        data = qcommon.load_json(path)
    except OSError as e:
        print("%s: %s: $: cannot read: %s" % (tool, path, e.strerror), file=sys.stderr)
        sys.exit(1)
    except ValueError as e:
        print("%s: %s: $: %s" % (tool, path, e), file=sys.stderr)
        sys.exit(1)
    if not isinstance(data, dict):
        print("%s: %s: $: must be a JSON object of string id -> entry" % (tool, path),
              file=sys.stderr)
        sys.exit(1)
    return data


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("languages", nargs="*", metavar="LANG")
    ap.add_argument("--source", default=DEFAULT_SOURCE)
    ap.add_argument("--i18n-dir", default=DEFAULT_I18N)
    args = ap.parse_args(argv)

    doc, held = load_source(args.source, "extract")
    src = doc["source_language"]
    declared = list(doc["languages"])
    targets = args.languages or [lang for lang in declared if lang != src]
    for lang in targets:
        if lang not in declared:
            fail("%s is not declared in $.languages of %s" % (lang, args.source))
        if lang == src:
            fail("%s is the source language; edit %s directly" % (lang, args.source))
    ctx = context_languages(doc)
    strings = list(qcommon.iter_texts(doc))
    os.makedirs(args.i18n_dir, exist_ok=True)

    for lang in targets:
        path = os.path.join(args.i18n_dir, lang + ".json")
        old = load_i18n(path, "extract") if os.path.exists(path) else {}
        out = {}
        kept = changed = empty = 0
        for sid, _jpath, container, key in strings:
            text = container[key]
            entry = {c: text[c] for c in ctx}
            prev = old.get(sid) if isinstance(old.get(sid), dict) else None
            if lang in held:
                entry["text"] = text[lang]
            elif prev is not None and all(prev.get(c) == text[c] for c in ctx):
                entry["text"] = prev.get("text") if isinstance(prev.get("text"), str) else ""
                if not entry["text"].strip() and isinstance(prev.get("previous"), str):
                    entry["previous"] = prev["previous"]
                # The recording says the kept translation: it stays too.
                if entry["text"].strip() and isinstance(prev.get("audio"), str):
                    entry["audio"] = prev["audio"]
            elif prev is not None and isinstance(prev.get("text"), str) and prev["text"].strip():
                entry["text"] = ""
                entry["previous"] = prev["text"]
                changed += 1
            else:
                entry["text"] = ""
                if prev is not None and isinstance(prev.get("previous"), str):
                    entry["previous"] = prev["previous"]
            if entry["text"].strip():
                kept += 1
            else:
                empty += 1
            out[sid] = entry
        dropped = [sid for sid in old if sid not in out]
        qcommon.write_atomic(path, qcommon.dump_json(out))
        print("extract: %s: %d strings, %d translated, %d to translate%s%s"
              % (os.path.relpath(path), len(out), kept, empty,
                 " (%d changed in the source since the last translation)" % changed
                 if changed else "",
                 "; dropped %d obsolete: %s" % (len(dropped), ", ".join(dropped))
                 if dropped else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
