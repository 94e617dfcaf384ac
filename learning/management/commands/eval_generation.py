"""Runs the generator over a folder of documents and prints (and stores) the quality table."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from learning.evaluation import markdown_table, score_document
from learning.generation import get_provider

DEFAULT_CORPUS = Path(settings.BASE_DIR).parent / "shared" / "corpus"


class Command(BaseCommand):
    help = "Measure generated study material on real documents (make eval)."

    def add_arguments(self, parser):
        parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
        parser.add_argument("--label", default="", help="Stored as bench/results/eval-<provider>[-<label>].json")
        parser.add_argument("--no-store", action="store_true")
        parser.add_argument(
            "--fake-openai",
            action="store_true",
            help="The OpenAI provider against the test suite's local fake server (no key, no cost).",
        )

    def handle(self, *args, corpus: Path, label: str, no_store: bool, fake_openai: bool, **options):
        if fake_openai:
            from tests.fake_openai import API_KEY, FakeOpenAI

            server = FakeOpenAI().start()
            settings.OPENAI_API_KEY, settings.OPENAI_BASE_URL = API_KEY, server.base_url
            label = label or "fake"
        try:
            self._evaluate(corpus, label, no_store)
        finally:
            if fake_openai:
                server.stop()

    def _evaluate(self, corpus: Path, label: str, no_store: bool) -> None:
        files = sorted(p for p in corpus.glob("*") if p.is_file() and p.name != "SOURCES.md")
        if not files:
            raise CommandError(f"No documents in {corpus}")
        provider = get_provider(scope="eval")
        scores = []
        for path in files:
            self.stderr.write(f"{path.name} …")
            scores.append(score_document(path))
        self.stdout.write(f"Provider: {provider.name}\n")
        self.stdout.write(markdown_table(scores) + "\n")
        if not no_store:
            name = f"eval-{provider.name}{'-' + label if label else ''}.json"
            target = Path(settings.BASE_DIR) / "bench" / "results" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps([asdict(s) for s in scores], indent=2) + "\n")
            self.stdout.write(f"Stored in {target.relative_to(settings.BASE_DIR)}\n")
