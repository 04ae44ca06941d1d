"""Translation catalogues: extract, compile, check.

Each app under longcheng/kernel/ and longcheng/modules/ keeps its own catalogue in <app>/locale; the
project catalogue in longcheng/locale covers what lies outside the apps (settings, registry, errors).

    python scripts/i18n.py extract   # makemessages for every catalogue (needs GNU gettext)
    python scripts/i18n.py compile   # compile every .po to .mo (pure Python, polib)
    python scripts/i18n.py check     # every msgid translated, none fuzzy, .mo current, nothing unextracted
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "longcheng"
LANG = "zh_Hans"


def app_dirs(base: Path = PKG) -> list[Path]:
    dirs = []
    for group in ("kernel", "modules"):
        for d in sorted((base / group).glob("*/")):
            if (d / "apps.py").exists():
                dirs.append(d)
    return dirs


def catalogue_dirs(base: Path = PKG) -> list[tuple[Path, list[str]]]:
    """(directory to run makemessages in, --ignore patterns)."""
    apps = app_dirs(base)
    ignores = [str(d.relative_to(base)) + "/*" for d in apps]
    return [(base, ignores)] + [(d, []) for d in apps]


def _django_admin() -> str:
    return str(Path(sys.executable).parent / "django-admin")


def extract(base: Path = PKG) -> None:
    if shutil.which("xgettext") is None:
        sys.exit("xgettext not found: install GNU gettext (apt-get install gettext)")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "longcheng.settings"}
    for directory, ignores in catalogue_dirs(base):
        (directory / "locale").mkdir(exist_ok=True)
        args = [_django_admin(), "makemessages", "-l", LANG, "--no-obsolete", "--no-location"]
        for pattern in ignores:
            args += ["--ignore", pattern]
        subprocess.run(args, cwd=directory, env=env, check=True, stdout=subprocess.DEVNULL)


def po_files(base: Path = PKG) -> list[Path]:
    return sorted(base.rglob(f"locale/{LANG}/LC_MESSAGES/django.po"))


def compile_all() -> None:
    for po_path in po_files():
        polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
        print(f"compiled {po_path.relative_to(ROOT)}")


def check() -> int:
    problems: list[str] = []
    for po_path in po_files():
        rel = po_path.relative_to(ROOT)
        po = polib.pofile(str(po_path))
        for entry in po:
            if entry.obsolete:
                continue
            if "fuzzy" in entry.flags:
                problems.append(f"{rel}: fuzzy: {entry.msgid!r}")
            elif not entry.translated():
                problems.append(f"{rel}: untranslated: {entry.msgid!r}")
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists():
            problems.append(f"{rel}: no compiled .mo (run: python scripts/i18n.py compile)")
        else:
            mo = {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in polib.mofile(str(mo_path))}
            want = {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
                    for e in po.translated_entries()}
            if mo != want:
                problems.append(f"{rel}: .mo is out of date (run: python scripts/i18n.py compile)")
    if shutil.which("xgettext"):
        # Extract into a scratch copy and compare: a string wrapped in gettext but never added to the
        # catalogue would show in English on a Chinese page.
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "longcheng"
            shutil.copytree(PKG, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
            extract(copy)
            for po_path in po_files(copy):
                rel = po_path.relative_to(copy)
                current = PKG / rel
                have = {(e.msgctxt, e.msgid) for e in polib.pofile(str(current))} if current.exists() else set()
                for entry in polib.pofile(str(po_path)):
                    if (entry.msgctxt, entry.msgid) not in have:
                        problems.append(f"longcheng/{rel}: not in the catalogue: {entry.msgid!r}")
    else:
        print("translations: extraction check skipped: xgettext (GNU gettext) not installed")
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} translation problem(s); run scripts/i18n.py extract, translate, then compile")
        return 1
    print(f"translations: {len(po_files())} catalogues complete")
    return 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "extract":
        extract()
    elif command == "compile":
        compile_all()
    elif command == "check":
        sys.exit(check())
    else:
        sys.exit(__doc__)
