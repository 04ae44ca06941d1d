"""One msgid, one meaning, across every catalogue of the project (issue 15, finding 12).

Django merges the catalogues of all installed apps into one table per language: for a msgid found in
several apps, the first app in INSTALLED_APPS wins everywhere. So the task status "Open" of 一件事 was
shown with 倾溧助's payment status "待发放", and its corrections column "Asked" as "申请金额". A word
that means different things in two places needs a context (pgettext); a word that means the same
thing must be translated the same way. This test reads every .po file and fails on a (msgctxt, msgid)
pair carrying two translations.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import polib  # type: ignore[import-untyped]

import longcheng

PKG = Path(longcheng.__file__).resolve().parent


def catalogues() -> list[Path]:
    # The project catalogue (longcheng/locale) and one per kernel app and module, as scripts/i18n.py finds them.
    return sorted(PKG.rglob("locale/*/LC_MESSAGES/django.po"))


def conflicts(paths: list[Path], root: Path = PKG.parent) -> list[str]:
    seen: dict[tuple[str, str | None, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in paths:
        language = path.parent.parent.name
        where = str(path.parents[3].relative_to(root))
        for entry in polib.pofile(str(path)):
            if entry.obsolete or not entry.translated():
                continue
            text = entry.msgstr if not entry.msgid_plural else " | ".join(
                entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural))
            seen[(language, entry.msgctxt, entry.msgid)][text].append(where)
    found = []
    for (language, context, msgid), texts in sorted(seen.items(), key=lambda kv: str(kv[0])):
        if len(texts) > 1:
            shown = "; ".join(f"{text!r} in {', '.join(apps)}" for text, apps in texts.items())
            found.append(f"[{language}] {msgid!r} (context {context!r}): {shown}")
    return found


def test_the_catalogues_are_found() -> None:
    apps = {str(p.parents[3].relative_to(PKG)) for p in catalogues()}
    # The project catalogue, the kernel apps and both modules of the issue at least.
    assert {".", "kernel/audit", "kernel/web", "modules/onestop", "modules/youthaid"} <= apps


def test_one_msgid_has_one_translation_across_catalogues() -> None:
    problems = conflicts(catalogues())
    assert problems == [], "msgids translated differently in different catalogues (add a pgettext " \
        "context where the meaning differs, else use one translation):\n" + "\n".join(problems)


def test_the_check_sees_a_conflict(tmp_path: Path) -> None:
    # The check itself can fail: two catalogues disagreeing on "Open", and agreeing once contexts part them.
    def write(name: str, entries: list[polib.POEntry]) -> Path:
        po = polib.POFile()
        for e in entries:
            po.append(e)
        path = tmp_path / name / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
        path.parent.mkdir(parents=True)
        po.save(str(path))
        return path

    a = write("a", [polib.POEntry(msgid="Open", msgstr="办理中")])
    b = write("b", [polib.POEntry(msgid="Open", msgstr="待发放")])
    assert len(conflicts([a, b], tmp_path)) == 1
    c = write("c", [polib.POEntry(msgid="Open", msgctxt="payment status", msgstr="待发放")])
    assert conflicts([a, c], tmp_path) == []


def test_the_words_of_the_issue_read_right_at_run_time() -> None:
    # What the merged catalogue gives: each status in its own words, whatever app comes first.
    from django.utils import translation

    with translation.override("zh-hans"):
        assert translation.pgettext("case status", "Open") == "办理中"
        assert translation.pgettext("payment status", "Open") == "待发放"
        assert translation.pgettext("correction asked at", "Asked") == "提出时间"
        assert translation.pgettext("amount asked", "Asked") == "申请金额"
        assert translation.pgettext("person", "name") == "姓名"
