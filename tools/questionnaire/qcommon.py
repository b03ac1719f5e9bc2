"""Shared helpers for the questionnaire tools (stdlib only).

- load_json(): parse a JSON file, rejecting duplicate object keys and
  non-finite numbers.
- ordered(): the stable key order used for every file these tools write.
- dump_json(): 2-space indent, ensure_ascii=False, trailing newline.
- iter_texts(): every resident-visible text of a questionnaire with its
  stable string id (used by extract.py / merge.py) and its JSON path.
- canonical() / questionnaire_hash(): the canonical form of
  docs/questionnaire.md ("Identity").
"""

import hashlib
import json
import os
import tempfile


class DuplicateKeyError(ValueError):
    pass


def _pairs_hook(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise DuplicateKeyError("duplicate key %s in one object" % json.dumps(key, ensure_ascii=False))
        obj[key] = value
    return obj


def _reject_constant(name):
    raise ValueError("%s is not valid JSON" % name)


def load_json(path):
    """Load JSON; raises ValueError (incl. DuplicateKeyError) on bad input."""
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError("not valid UTF-8 (%s)" % e)
    if text.startswith("\ufeff"):
        raise ValueError("file starts with a byte order mark; save it as UTF-8 without BOM")
    try:
        return json.loads(text, object_pairs_hook=_pairs_hook, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        raise ValueError("invalid JSON at line %d column %d: %s" % (e.lineno, e.colno, e.msg))


# ---------------------------------------------------------------- key order

TOP_ORDER = ["format", "id", "version", "source_language", "languages", "interface_audio",
             "title", "introduction", "sections"]
LANGUAGE_ORDER = ["name", "direction", "status", "audio"]
SECTION_ORDER = ["code", "title", "visible_if", "questions"]
QUESTION_ORDER = ["code", "type", "text", "help", "required", "rather_not_say", "visible_if",
                  "tags", "options", "min_selected", "max_selected", "min", "max", "min_label",
                  "max_label", "unit", "max_length", "text_kind", "none_option", "allow_unknown", "rungs"]
OPTION_ORDER = ["code", "label", "exclusive"]
TAG_ORDER = ["zrm", "pg", "esco", "ladder"]
CONDITION_ORDER = ["question", "equals", "one_of", "at_least", "at_most", "answered",
                   "not", "all", "any"]
TEXT_KEYS = {"title", "introduction", "text", "help", "label", "min_label", "max_label", "unit",
             "none_option"}


def _order(obj, order):
    out = {}
    for k in order:
        if k in obj:
            out[k] = obj[k]
    for k in sorted(obj):
        if k not in out:
            out[k] = obj[k]
    return out


def _ordered_text(text, lang_order):
    """Languages in declared order, then the recordings ("audio") in the same order."""
    if not isinstance(text, dict):
        return text
    out = _order(text, lang_order + ["audio"])
    if isinstance(out.get("audio"), dict):
        out["audio"] = _order(out["audio"], lang_order)
    return out


def _ordered_condition(cond):
    if not isinstance(cond, dict):
        return cond
    out = _order(cond, CONDITION_ORDER)
    if isinstance(out.get("not"), dict):
        out["not"] = _ordered_condition(out["not"])
    for k in ("all", "any"):
        if isinstance(out.get(k), list):
            out[k] = [_ordered_condition(c) for c in out[k]]
    return out


def ordered(doc):
    """Return a copy of a questionnaire with keys in the project's stable order."""
    if not isinstance(doc, dict):
        return doc
    langs = doc.get("languages")
    lang_order = list(langs) if isinstance(langs, dict) else []
    out = _order(doc, TOP_ORDER)
    if isinstance(langs, dict):
        out["languages"] = {code: (_order(v, LANGUAGE_ORDER) if isinstance(v, dict) else v)
                            for code, v in langs.items()}
    for k in ("title", "introduction"):
        if k in out:
            out[k] = _ordered_text(out[k], lang_order)
    if isinstance(out.get("sections"), list):
        sections = []
        for s in out["sections"]:
            if not isinstance(s, dict):
                sections.append(s)
                continue
            s = _order(s, SECTION_ORDER)
            if "title" in s:
                s["title"] = _ordered_text(s["title"], lang_order)
            if "visible_if" in s:
                s["visible_if"] = _ordered_condition(s["visible_if"])
            if isinstance(s.get("questions"), list):
                qs = []
                for q in s["questions"]:
                    if not isinstance(q, dict):
                        qs.append(q)
                        continue
                    q = _order(q, QUESTION_ORDER)
                    for k in ("text", "help", "min_label", "max_label", "unit", "none_option"):
                        if k in q:
                            q[k] = _ordered_text(q[k], lang_order)
                    if "visible_if" in q:
                        q["visible_if"] = _ordered_condition(q["visible_if"])
                    if isinstance(q.get("tags"), dict):
                        q["tags"] = _order(q["tags"], TAG_ORDER)
                    if isinstance(q.get("options"), list):
                        opts = []
                        for o in q["options"]:
                            if isinstance(o, dict):
                                o = _order(o, OPTION_ORDER)
                                if "label" in o:
                                    o["label"] = _ordered_text(o["label"], lang_order)
                            opts.append(o)
                        q["options"] = opts
                    if isinstance(q.get("rungs"), list):
                        q["rungs"] = [_ordered_text(r, lang_order) for r in q["rungs"]]
                    qs.append(q)
                s["questions"] = qs
            sections.append(s)
        out["sections"] = sections
    return out


def dump_json(obj):
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


def write_atomic(path, content):
    """Write text to path via a temporary file + rename (never half-written)."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(content)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# ---------------------------------------------------------------- string ids

def iter_texts(doc):
    """Yield (string_id, json_path, container, key) for every text of a questionnaire.

    container[key] is the text object ({lang: string}). String ids are derived
    from codes only, so they stay stable when texts or order change:
      title, introduction, section.<code>.title, question.<code>.text,
      question.<code>.help, question.<code>.unit, question.<code>.min_label,
      question.<code>.max_label, question.<code>.none_option, question.<code>.rung.<1..6>,
      question.<code>.option.<option code>.label
    Assumes a structurally valid questionnaire (run check.py first).
    """
    for k in ("title", "introduction"):
        if k in doc:
            yield k, "$." + k, doc, k
    for si, s in enumerate(doc.get("sections", [])):
        spath = "$.sections[%d]" % si
        yield "section.%s.title" % s["code"], spath + ".title", s, "title"
        for qi, q in enumerate(s.get("questions", [])):
            qpath = "%s.questions[%d]" % (spath, qi)
            qid = "question.%s" % q["code"]
            for k in ("text", "help"):
                if k in q:
                    yield "%s.%s" % (qid, k), "%s.%s" % (qpath, k), q, k
            for oi, o in enumerate(q.get("options", []) or []):
                yield ("%s.option.%s.label" % (qid, o["code"]),
                       "%s.options[%d].label" % (qpath, oi), o, "label")
            for k in ("min_label", "max_label", "unit", "none_option"):
                if k in q:
                    yield "%s.%s" % (qid, k), "%s.%s" % (qpath, k), q, k
            for ri, _ in enumerate(q.get("rungs", []) or []):
                yield "%s.rung.%d" % (qid, ri + 1), "%s.rungs[%d]" % (qpath, ri), q["rungs"], ri


# ---------------------------------------------------------------- identity

def _canon_str(s):
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\b":
            out.append("\\b")
        elif ch == "\f":
            out.append("\\f")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif o < 0x20:
            out.append("\\u%04x" % o)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def canonical(value):
    """Canonical JSON of docs/questionnaire.md (returns str; encode as UTF-8)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        raise ValueError("non-integer number in canonical form")
    if isinstance(value, str):
        return _canon_str(value)
    if isinstance(value, list):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: k.encode("utf-8"))
        return "{" + ",".join(_canon_str(k) + ":" + canonical(value[k]) for k in keys) + "}"
    raise ValueError("unsupported value %r" % (value,))


def questionnaire_hash(doc):
    return hashlib.sha256(canonical(doc).encode("utf-8")).hexdigest()
