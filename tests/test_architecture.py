"""Who owns what, read from the source: the arrows between apps and the one writer of the Upload's status."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = ("core", "accounts", "uploads", "learning", "hackthestudy")

# Function-level imports of project code, each kept for a reason that is not an import cycle.
DEFERRED_IMPORTS = {
    # AppConfig.ready declares the app's actors in every process, so others can send them by name.
    ("uploads/apps.py", "uploads"),
    ("learning/apps.py", "learning"),
    # In the guarded child only: the web process never loads PyMuPDF, python-pptx or lxml.
    ("uploads/inspection.py", "uploads.extraction.pdf"),
    ("uploads/extraction/__init__.py", "uploads.extraction"),
    # The generators (spaCy-sized language data, the OpenAI SDK) stay out of the web process.
    ("learning/generation/__init__.py", "learning.generation.offline"),
    ("learning/generation/__init__.py", "learning.generation.openai"),
    ("learning/quality.py", "learning.generation.offline"),
    ("learning/services/generation.py", "learning.generation.offline"),
    # The eval's --fake-openai uses the test suite's fake server, absent from a production image.
    ("learning/management/commands/eval_generation.py", "tests.fake_openai"),
}


def app_modules() -> list[Path]:
    return sorted(
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "tests" not in path.relative_to(ROOT).parts and "migrations" not in path.parts
    )


def imports(tree: ast.AST) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.module, node.lineno)] + [(f"{node.module}.{a.name}", node.lineno) for a in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
    return found


def test_uploads_never_imports_learnings_services_or_tasks():
    offending = [
        f"{path.relative_to(ROOT)}:{line} {name}"
        for path in app_modules()
        if path.relative_to(ROOT).parts[0] == "uploads"
        for name, line in imports(ast.parse(path.read_text()))
        if re.match(r"learning\.(services|tasks)\b", name)
    ]
    assert offending == []


def test_no_function_level_import_of_project_code_without_a_reason():
    deferred = set()
    for path in app_modules():
        for function in ast.walk(ast.parse(path.read_text())):
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                for node in ast.walk(function):
                    if (
                        isinstance(node, ast.ImportFrom)
                        and node.module
                        and node.module.split(".")[0] in (*APPS, "tests")
                    ):
                        deferred.add((str(path.relative_to(ROOT)), node.module))
    assert deferred == DEFERRED_IMPORTS


def test_the_walk_sees_a_function_level_import():
    """The check above can fail: a deferred import in a function is found."""
    tree = ast.parse("def f():\n    from learning.services import generation_finish\n")
    function = tree.body[0]
    assert [n.module for n in ast.walk(function) if isinstance(n, ast.ImportFrom)] == ["learning.services"]


WRITING_CALLS = {"update", "create", "get_or_create", "update_or_create", "bulk_update", "Upload"}


def status_writes(tree: ast.AST) -> list[int]:
    """Lines that set a status: `.update(status=...)`, `Upload(status=...)`, `obj.status = ...`."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in WRITING_CALLS and any(k.arg == "status" for k in node.keywords):
                lines.append(node.lineno)
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Attribute) and t.attr == "status" for t in targets):
                lines.append(node.lineno)
    return lines


def test_the_upload_status_is_assigned_in_one_module():
    writers = {str(path.relative_to(ROOT)) for path in app_modules() if status_writes(ast.parse(path.read_text()))}
    assert writers == {"uploads/services/processing.py"}


def test_the_status_check_sees_each_kind_of_write():
    writes = "a.filter(pk=1).update(status=S.READY)\nUpload(status=S.QUEUED)\nupload.status = 'failed'\n"
    assert sorted(status_writes(ast.parse(writes + "x.filter(status=1)\n"))) == [1, 2, 3]
