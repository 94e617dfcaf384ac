"""Runs the generator over a folder of documents and prints (and stores) the quality table."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from learning.evaluation import defects_table, markdown_table, score_generated
from learning.generation import get_provider
from learning.graded_sample import latest_grades, rates_table, sample_items

DEFAULT_CORPUS = Path(settings.BASE_DIR).parent / "shared" / "corpus"


class Command(BaseCommand):
    help = "Measure generated study material on real documents (make eval)."

    def add_arguments(self, parser):
        parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
        parser.add_argument("--label", default="", help="Stored as bench/results/eval-<provider>[-<label>].json")
        parser.add_argument("--no-store", action="store_true")
        parser.add_argument(
            "--sample",
            metavar="LABEL",
            default="",
            help="Also draw a seeded random sample of each document's items for grading: "
            "bench/results/sample-<provider>-<LABEL>.json",
        )
        parser.add_argument("--seed", type=int, default=16, help="The sample's seed.")
        parser.add_argument(
            "--fake-openai",
            action="store_true",
            help="The OpenAI provider against the test suite's local fake server (no key, no cost).",
        )

    def handle(self, *args, corpus: Path, label: str, no_store: bool, fake_openai: bool, **options):
        self.sample_label, self.seed = options["sample"], options["seed"]
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
        scores, sample = [], []
        for path in files:
            self.stderr.write(f"{path.name} …")
            score, generated = score_generated(path)
            scores.append(score)
            if generated is not None:
                sample += sample_items(
                    path.name,
                    generated.language,
                    generated.sections,
                    generated.cards,
                    generated.questions,
                    self.seed,
                )
        self.stdout.write(f"Provider: {provider.name}\n")
        self.stdout.write(markdown_table(scores) + "\n")
        self.stdout.write("\nDefects (proxies of the rubric, measured apart from the gates):\n")
        self.stdout.write(defects_table(scores) + "\n")
        results = Path(settings.BASE_DIR) / "bench" / "results"
        grades = latest_grades(results, provider.name)
        if grades is not None:
            self.stdout.write(f"\n{rates_table(json.loads(grades.read_text()))}\n({grades.name})\n")
        else:
            self.stdout.write(f"\nNo graded sample yet for {provider.name} (bench/results/grades-*.json).\n")
        if self.sample_label:
            target = results / f"sample-{provider.name}-{self.sample_label}.json"
            method = f"random.Random('{self.seed}:<document>').sample, up to 15 cards and 10 questions per document"
            payload = {"provider": provider.name, "seed": self.seed, "method": method, "items": sample}
            target.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n")
            self.stdout.write(f"Sample of {len(sample)} items in {target.relative_to(settings.BASE_DIR)}\n")
        if not no_store:
            name = f"eval-{provider.name}{'-' + label if label else ''}.json"
            target = Path(settings.BASE_DIR) / "bench" / "results" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps([asdict(s) for s in scores], indent=2) + "\n")
            self.stdout.write(f"Stored in {target.relative_to(settings.BASE_DIR)}\n")
