"""`longcheng startmodule CODE`: a new module (public service) from the kernel's skeleton.

The skeleton (longcheng/kernel/module_template/) has every piece of furniture the contract names
(kernel/contract.py, docs/adding-a-module.md): a scoped model and its migration, an action with its
audit row, fetch-and-authorise, a pure rule, the module's error codes, an API router, pages, urls, a
demo step, tests with its route-matrix entries, and its Chinese catalogue. It passes every check as
generated; the module is listed in settings' default LONGCHENG_MODULES.
"""

from __future__ import annotations

import keyword
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser

import longcheng
from longcheng.kernel.contract import problems

TEMPLATE = Path(__file__).resolve().parents[3] / "module_template"
SUFFIX = "-tpl"
CODE = re.compile(r"^[a-z][a-z0-9_]{1,30}$")
MODULES_LIST = re.compile(r'(env_list\("LONGCHENG_MODULES", \[)(?P<items>[^\]]*)(\]\))')


def render(text: str, code: str, label: str, label_zh: str) -> str:
    camel = "".join(part.capitalize() for part in code.split("_"))
    return (text.replace("__Code__", camel).replace("__code__", code).replace("__label_zh__", label_zh)
            .replace("__label__", label))


def add_to_settings(settings_path: Path, code: str) -> bool:
    """List the module in the default of LONGCHENG_MODULES; False when it already is."""
    text = settings_path.read_text(encoding="utf-8")
    match = MODULES_LIST.search(text)
    if match is None:
        raise CommandError(f"{settings_path}: no env_list(\"LONGCHENG_MODULES\", [...]) to add the module to")
    app = f'"longcheng.modules.{code}"'
    if app in match["items"]:
        return False
    items = match["items"].rstrip()
    column = match.start("items") - (text.rfind("\n", 0, match.start("items")) + 1)  # where the first item starts
    new_items = f"{items},\n{' ' * column}{app}"
    settings_path.write_text(text[:match.start("items")] + new_items + text[match.end("items"):], encoding="utf-8")
    return True


class Command(BaseCommand):
    help = "Make a new module from the kernel's skeleton and list it in settings (docs/adding-a-module.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="the module's code: lower case letters, digits and _, e.g. streetlights")
        parser.add_argument("--label", help="its name in English (default: the code)")
        parser.add_argument("--label-zh", help="its name in Chinese (default: the English name)")

    def handle(self, *args: Any, **options: Any) -> None:
        code: str = options["code"]
        if not CODE.match(code) or keyword.iskeyword(code):
            raise CommandError(f"{code!r}: a module code is 2 to 31 lower case letters, digits or _, "
                               "starting with a letter")
        if any(config.label == code for config in apps.get_app_configs()):
            raise CommandError(f"{code!r} is already the label of an installed app")
        package = Path(longcheng.__file__).resolve().parent
        target = package / "modules" / code
        if target.exists():
            raise CommandError(f"{target} exists already")
        label = options["label"] or code
        label_zh = options["label_zh"] or label
        try:
            import polib  # type: ignore[import-untyped]  # optional: only for the zh-hans catalogue
        except ImportError:
            raise CommandError("startmodule compiles the module's catalogue with polib: "
                               "pip install -e '.[dev]'") from None

        for source in sorted(TEMPLATE.rglob(f"*{SUFFIX}")):
            relative = render(str(source.relative_to(TEMPLATE)), code, label, label_zh)[:-len(SUFFIX)]
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_text(render(source.read_text(encoding="utf-8"), code, label, label_zh), encoding="utf-8")
        po = target / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
        polib.pofile(str(po)).save_as_mofile(str(po.with_suffix(".mo")))
        listed = add_to_settings(package / "settings.py", code)

        # The initial migration, made by Django in a process whose settings include the new module.
        env = dict(os.environ)
        if "LONGCHENG_MODULES" in env:
            env["LONGCHENG_MODULES"] = ",".join([*env["LONGCHENG_MODULES"].split(","), f"longcheng.modules.{code}"])
        result = subprocess.run([sys.executable, "-m", "longcheng", "makemigrations", code, "-v", "0"], env=env,
                                capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise CommandError(f"makemigrations {code} failed:\n{result.stderr}")

        missing = problems(target, code)
        if missing:  # the skeleton itself is wrong: a bug in the kernel's template
            raise CommandError("the new module breaks the contract:\n" + "\n".join(missing))
        self.stdout.write(f"Made {target.relative_to(package.parent)}"
                          + (" and listed it in longcheng/settings.py (LONGCHENG_MODULES)." if listed else "."))
        self.stdout.write("Next: docs/adding-a-module.md, then make test (the route matrix now walks its routes).")
