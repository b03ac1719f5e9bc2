#!/usr/bin/python3
"""Merge intake.source.json and i18n/<lang>.json into intake.json.

usage: merge.py [--source FILE] [--i18n-dir DIR] [--output FILE] [--only L1,L2] [--verbose]

Every declared language other than the source language needs a complete
i18n/<lang>.json (see extract.py). The merge fails, writing nothing, when a
file is missing, a string id is missing or its "text" is empty, the Dutch or
English context no longer matches the source (the source changed after
extraction: re-run extract.py and review), a string id is obsolete, or a
translation of a language the source already holds (English) differs from it.
Each language keeps its "status" from the source.

--only L1,L2  build a preview that declares only these languages (must include
              the source language); needs --output so a partial file is never
              written over intake.json.

Output: keys in the project's stable order, 2-space indent, UTF-8 (not
escaped), trailing newline; the result is checked with check.py before it is
written.
"""

import argparse
import copy
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import qcommon  # noqa: E402
import check  # noqa: E402
import extract  # noqa: E402

DEFAULT_OUTPUT = os.path.join(extract.ROOT, "resources", "questionnaires", "intake.json")
SHOW_PER_LANGUAGE = 20


def display(path):
    """Path relative to the current directory when inside it, else absolute."""
    rel = os.path.relpath(path)
    return os.path.abspath(path) if rel.startswith("..") else rel


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", default=extract.DEFAULT_SOURCE)
    ap.add_argument("--i18n-dir", default=extract.DEFAULT_I18N)
    ap.add_argument("--output")
    ap.add_argument("--only", help="comma-separated languages for a preview build")
    ap.add_argument("--verbose", action="store_true", help="list every problem, not only the "
                    "first %d per language" % SHOW_PER_LANGUAGE)
    args = ap.parse_args(argv)

    doc, held = extract.load_source(args.source, "merge")
    src = doc["source_language"]
    declared = list(doc["languages"])
    if args.only:
        langs = [x.strip() for x in args.only.split(",") if x.strip()]
        bad = [x for x in langs if x not in declared]
        if bad:
            ap.error("--only names undeclared language(s): %s" % ", ".join(bad))
        if src not in langs:
            ap.error("--only must include the source language %s" % src)
        if not args.output:
            ap.error("--only builds a partial preview; give --output (not intake.json)")
        langs = [x for x in declared if x in langs]
    else:
        langs = declared
    output = args.output or DEFAULT_OUTPUT
    ctx = extract.context_languages(doc)
    strings = list(qcommon.iter_texts(doc))
    ids = {sid for sid, _p, _c, _k in strings}

    problems = {}      # lang -> [message]
    missing_files = set()
    translations = {}  # lang -> {sid: text}
    recordings = {}    # lang -> {sid: bundle path}
    for lang in langs:
        if lang == src:
            continue
        msgs = problems.setdefault(lang, [])
        path = os.path.join(args.i18n_dir, lang + ".json")
        rel = display(path)
        if not os.path.exists(path):
            missing_files.add(lang)
            msgs.append("%s: %s is missing: run tools/questionnaire/extract.py %s and have it "
                        "translated (0 of %d strings)" % (lang, rel, lang, len(strings)))
            continue
        try:
            data = qcommon.load_json(path)
        except (OSError, ValueError) as e:
            msgs.append("%s: %s: %s" % (lang, rel, getattr(e, "strerror", None) or e))
            continue
        if not isinstance(data, dict):
            msgs.append("%s: %s: must be a JSON object of string id -> entry" % (lang, rel))
            continue
        got = {}
        for sid, _jpath, container, key in strings:
            text = container[key]
            entry = data.get(sid)
            if entry is None:
                msgs.append("%s: %s: missing from %s (run extract.py %s)" % (lang, sid, rel, lang))
                continue
            if not isinstance(entry, dict):
                msgs.append("%s: %s: entry must be an object with \"text\"" % (lang, sid))
                continue
            unknown = [k for k in entry if k not in extract.ENTRY_KEYS]
            if unknown:
                msgs.append("%s: %s: unknown key(s) %s; allowed: %s"
                            % (lang, sid, ", ".join(unknown), ", ".join(extract.ENTRY_KEYS)))
            stale = [c for c in ctx if entry.get(c) != text[c]]
            if stale:
                msgs.append("%s: %s: outdated: the %s source text changed since extraction; run "
                            "extract.py %s and review this translation"
                            % (lang, sid, "/".join(stale), lang))
                continue
            t = entry.get("text")
            if not isinstance(t, str) or not t.strip():
                msgs.append("%s: %s: translation is missing or empty" % (lang, sid))
                continue
            if t != t.strip():
                msgs.append("%s: %s: translation has leading or trailing whitespace" % (lang, sid))
                continue
            if lang in held and t != text[lang]:
                msgs.append("%s: %s: differs from the %s text in %s; change it there and re-run "
                            "extract.py" % (lang, sid, lang, display(args.source)))
                continue
            got[sid] = t
            audio = entry.get("audio")
            if audio is not None:
                if not isinstance(audio, str) or not audio:
                    msgs.append("%s: %s: \"audio\" must be the path of a recording, such as "
                                "\"audio/%s/%s.wav\"" % (lang, sid, lang, sid))
                    continue
                recordings.setdefault(lang, {})[sid] = audio
        for sid in data:
            if sid not in ids:
                msgs.append("%s: %s: not in the source (obsolete or misspelt); run extract.py %s"
                            % (lang, sid, lang))
        translations[lang] = got

    failed = False
    for lang in (x for x in langs if x != src):
        msgs = problems.get(lang, [])
        if not msgs:
            continue
        failed = True
        shown = msgs if args.verbose else msgs[:SHOW_PER_LANGUAGE]
        for m in shown:
            print("merge: " + m, file=sys.stderr)
        if len(shown) < len(msgs):
            print("merge: %s: ... and %d more (use --verbose to list all)"
                  % (lang, len(msgs) - len(shown)), file=sys.stderr)
        if lang in missing_files:
            continue
        done = len(translations.get(lang, {}))
        print("merge: %s: %d of %d strings usable" % (lang, done, len(strings)), file=sys.stderr)
    if failed:
        bad = [x for x in langs if x != src and problems.get(x)]
        print("merge: FAILED: incomplete or outdated translations for %s; %s not written"
              % (", ".join(bad), display(output)), file=sys.stderr)
        return 1

    out = copy.deepcopy(doc)
    out["languages"] = {lang: out["languages"][lang] for lang in langs}
    if isinstance(out.get("interface_audio"), dict):
        out["interface_audio"] = {lang: v for lang, v in out["interface_audio"].items() if lang in langs}
    for sid, _jpath, container, key in qcommon.iter_texts(out):
        source_audio = container[key].get("audio", {})
        text = {lang: container[key][lang] for lang in langs if lang in container[key]}
        audio = {lang: source_audio[lang] for lang in langs
                 if isinstance(source_audio, dict) and lang in source_audio}
        for lang in langs:
            if lang != src:
                text[lang] = translations[lang][sid]
                if sid in recordings.get(lang, {}):
                    audio[lang] = recordings[lang][sid]
        if audio:
            text["audio"] = audio
        container[key] = text
    out = qcommon.ordered(out)

    chk = check.Checker(display(output), None, policy=True)
    chk.run(out)
    if chk.errors:
        for e in chk.errors:
            print(e, file=sys.stderr)
        print("merge: FAILED: the merged questionnaire does not pass check.py; not written",
              file=sys.stderr)
        return 1
    qcommon.write_atomic(output, qcommon.dump_json(out))
    print("merge: wrote %s: %d strings x %d languages (%s), hash %s"
          % (display(output), len(strings), len(langs), ",".join(langs),
             qcommon.questionnaire_hash(out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
