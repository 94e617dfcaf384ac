"""`make bench`: how fast and how lean the pipeline is, each figure next to the ceiling it is bounded by.

Runs against the real PostgreSQL (database `hackthestudy_bench`, created if missing and emptied),
Redis (database 14) and separate `rundramatiq` and gunicorn processes with DEBUG=False. Inputs are
`../shared/corpus/` and documents made here (bench/documents.py). Every figure is the median of
several runs; a ceiling is measured in the same rounds as its figure, alternating with it, since
absolute times on a shared 2-core machine drift while ratios hold.

Writes bench/results/latest.json (one key per figure: value, ceiling, ratio, target, met) and
bench/results/latest.md, and prints the table. `--only KEY ...` runs some figures; `--rounds N`
changes the number of runs (default 3).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import signal
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
CORPUS = BASE_DIR.parent / "shared" / "corpus"
RESULTS = BASE_DIR / "bench" / "results"
DATABASE = "hackthestudy_bench"
# The corpus documents that have text (the broken, encrypted and scanned ones fail by design).
CORPUS_DOCUMENTS = [
    "de_compilerbau_kontextfreie_grammatiken_folien.pdf",
    "de_r_workshop_caa_skript.docx",
    "de_warteschlangentheorie_skript.pdf",
    "en_general_physics_vector_bootcamp_handout.pdf",
    "en_guided_tour_image_processing_deep_learning.docx",
    "en_py4e_python_lists_slides.pptx",
    "en_stat479_decision_trees_lecture_notes.pdf",
    "en_think_python_glossary_by_chapter.docx",
]
median = statistics.median


@dataclass
class Figure:
    title: str
    value: float
    unit: str
    target: str
    met: bool | None
    ceiling: float | None = None
    ceiling_title: str = ""
    ratio: float | None = None
    runs: list[float] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


# --- setting up -------------------------------------------------------------------------------


def bench_environment(workdir: Path) -> dict[str, str]:
    """Production settings (DEBUG=False) on the bench database, Redis db 14 and a media folder of its own."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "False",
        "SECRET_KEY": "bench-only-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "False",
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DATABASE}"),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        "MEDIA_ROOT": str(workdir / "media"),
        "TEMP_DIR": str(workdir / "tmp"),
        "MAX_UPLOADS_PER_USER": "100000",
        "THROTTLE_UPLOADS": "100000/hour",
        "LOG_LEVEL": "WARNING",
        "OPENAI_API_KEY": "",
        "OPENAI_BASE_URL": "",
        "PYTHONUNBUFFERED": "1",
    }


def database_create(url: str) -> None:
    import psycopg2

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    connection = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, password=parts.password, dbname="postgres"
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    database_create(env["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    from core.redis import get_redis

    call_command("migrate", interactive=False, verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    get_redis().flushdb()
    Path(env["TEMP_DIR"]).mkdir(parents=True, exist_ok=True)


# --- helpers ----------------------------------------------------------------------------------

_users = 0


def new_user():
    from django.contrib.auth import get_user_model

    global _users
    _users += 1
    return get_user_model().objects.create_user(email=f"bench{_users}-{time.time_ns()}@example.com", password=None)


def upload_file(user, path: Path, generator: str = "offline"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from uploads.services import upload_create

    upload, created = upload_create(
        owner=user, file=SimpleUploadedFile(path.name, path.read_bytes()), generator=generator
    )
    assert created, path
    return upload


def wait_done(upload_id: int, timeout: float = 600) -> dict:
    from bench.processes import wait_until
    from uploads.models import Upload

    def done() -> dict | None:
        row = Upload.objects.filter(pk=upload_id).values().first()
        return row if row and row["status"] in ("ready", "failed") else None

    row = wait_until(done, timeout, f"upload {upload_id}", interval=0.02)
    if row["status"] != "ready":
        raise RuntimeError(f"upload {upload_id} failed: {row['error_code']} {row['error_detail']}")
    return row


def seconds(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds()


def say(text: str) -> None:
    print(text, flush=True)


# --- 1. extraction ----------------------------------------------------------------------------


def figure_extraction(files: list[Path], rounds: int) -> Figure:
    """Pages per second through the pipeline's guarded extraction (in a child kept as the worker
    keeps it, limits, result sent back through a pipe) against PyMuPDF's `page.get_text()` on the
    same files in this process."""
    import pymupdf
    from django.conf import settings

    from core.worker.guard import helpers_stop, run_guarded
    from core.worker.runtime import worker_process_prepare
    from uploads.extraction import extract

    worker_process_prepare()  # as the worker at boot: warmed extractors, children kept between jobs
    pages = 0
    for path in files:
        with pymupdf.open(path) as document:
            pages += document.page_count

    def pipeline() -> None:
        for path in files:
            run_guarded(
                extract,
                str(path),
                "pdf",
                settings.MAX_PAGES,
                timeout=settings.EXTRACTION_TIMEOUT_SECONDS,
                memory_mb=settings.EXTRACTION_MEMORY_MB,
            )

    def raw() -> None:
        for path in files:
            with pymupdf.open(path) as document:
                for page in document:
                    page.get_text()

    # A round is under a second: many of them. The ratio is the median of each round's own ratio
    # (the pipeline against the raw run beside it), which the machine's drift moves far less than
    # the ratio of two medians taken apart.
    ours, ceiling = alternate(pipeline, raw, 6 * rounds)
    helpers_stop()
    value, top = pages / median(ours), pages / median(ceiling)
    ratios = [raw_s / ours_s for ours_s, raw_s in zip(ours, ceiling, strict=True)]
    ratio = median(ratios)
    return Figure(
        "extraction, pages/s (child process included)",
        round(value),
        "pages/s",
        "≥ 0.7× raw PyMuPDF",
        ratio >= 0.7,
        round(top),
        "raw PyMuPDF get_text(), one process",
        round(ratio, 2),
        [round(pages / t) for t in ours],
        {
            "pages": pages,
            "files": [path.name for path in files],
            "ceiling_runs": [round(pages / t) for t in ceiling],
            "ratio_runs": [round(r, 2) for r in ratios],
            "ratio_spread": spread(ratios, 2),
        },
    )


def alternate(first: Callable[[], Any], second: Callable[[], Any], rounds: int) -> tuple[list[float], list[float]]:
    """Seconds of each function over `rounds` rounds, taking turns which one goes first."""
    a, b = [], []
    for round_ in range(rounds):
        for func, times in ((first, a), (second, b))[:: 1 if round_ % 2 == 0 else -1]:
            started = time.perf_counter()
            func()
            times.append(time.perf_counter() - started)
    return a, b


# --- 2. upload to ready -----------------------------------------------------------------------


def compute_seconds(path: Path, kind: str) -> dict[str, float]:
    """The pipeline's work done in this process without queues, child process or database:
    extraction, language, and the three offline generation stages one after another (the worker
    makes the topic outline side by side with the cards: its total can be below this)."""
    from django.conf import settings

    from core.language import detect_language
    from learning.generation.drafts import SourceSection
    from learning.generation.offline import OfflineProvider
    from learning.generation.text import key_terms_remembered
    from learning.quality import flashcards_build, questions_build
    from uploads.extraction import extract

    started = time.perf_counter()
    document = extract(str(path), kind, settings.MAX_PAGES)
    language = detect_language("\n".join(section.text for section in document.sections))
    extracted = time.perf_counter()
    sections = [
        SourceSection(order, s.text, s.page, s.heading_path[:500], s.heading_level)
        for order, s in enumerate(document.sections)
    ]
    provider = OfflineProvider()
    with key_terms_remembered():  # as the worker: the document's key terms are analysed once
        flashcards_build(provider, sections, language, settings.MAX_FLASHCARDS_PER_DOCUMENT, [])
        questions_build(provider, sections, language, settings.MAX_QUESTIONS_PER_DOCUMENT, [])
        provider.extract_topics(sections, language)
    generated = time.perf_counter()
    return {"extraction": extracted - started, "generation": generated - extracted}


WORK_STEPS = ("extract", "store", "flashcards_total", "questions_total", "topics_total")


def one_run(path: Path, kind: str) -> dict[str, float]:
    from uploads.timings import timings_get

    upload = upload_file(new_user(), path)
    row = wait_done(upload.pk)
    steps = {name: ms / 1000 for name, ms in timings_get(upload.pk).items()}
    from learning.generation import nlp

    # Right after, while the worker is idle; the analyses this process remembers from earlier rounds
    # are forgotten first: a worker process meets each document fresh (two of them share the rounds).
    nlp.caches_clear()
    compute = compute_seconds(path, kind)
    total = seconds(row["created_at"], row["ready_at"])
    # The run's own work, step by step as the worker timed it: extraction (its child included), the
    # sections' store, and the three stages one after another in the generation message (each with
    # its write). They are disjoint parts of created → ready, so what is left, the overhead (queue
    # waits, claims, hand-offs, the finish), cannot go negative.
    work = sum(steps.get(name, 0.0) for name in WORK_STEPS)
    return {
        "total": total,
        "queue_wait": seconds(row["created_at"], row["extracting_at"]),
        "extraction": steps.get("extract", 0.0),
        "generation": seconds(row["generating_at"], row["ready_at"]),
        "db_writes": sum(ms for name, ms in steps.items() if name == "store" or name.endswith("_write")),
        "work": work,
        "compute": compute["extraction"] + compute["generation"],
        "compute_extraction": compute["extraction"],
        "compute_generation": compute["generation"],
        "overhead": total - work,
        "flashcards": row["flashcard_count"],
    }


def figure_ready(env: dict[str, str], workdir: Path, documents: list[tuple[str, Path, str]], rounds: int) -> Figure:
    from bench.processes import Worker

    """With the worker as the Procfile starts it (2 processes × 4 threads: the three generation
    stages can run side by side), and once more with one process as `make run` starts it."""
    per_document: dict[str, list[dict[str, float]]] = {name: [] for name, _p, _k in documents}
    with Worker(env, workdir / "worker-ready.log", processes=2, threads=4):
        one_run(documents[0][1], documents[0][2])  # warm: the worker's first upload imports lazily
        for _round in range(rounds):
            for name, path, kind in documents:
                per_document[name].append(one_run(path, kind))
    single: list[float] = []
    with Worker(env, workdir / "worker-ready-1.log", processes=1, threads=4):
        one_run(documents[0][1], documents[0][2])
        for _name, path, kind in documents:
            single.append(one_run(path, kind)["overhead"] * 1000)
    table = {}
    for name, runs in per_document.items():
        table[name] = {key: round(median(run[key] for run in runs) * 1000) for key in runs[0] if key != "flashcards"}
        table[name]["flashcards"] = runs[0]["flashcards"]
    overheads = [row["overhead"] for row in table.values()]
    totals = [row["total"] for row in table.values()]
    computes = [row["compute"] for row in table.values()]
    worst = max(overheads)
    worst_name = max(table, key=lambda name: table[name]["overhead"])
    return Figure(
        "upload → ready, offline: total − the run's own steps (ms, the worst document's median)",
        worst,
        "ms",
        "overhead < 100 ms median per document",
        worst < 100,
        median(computes),
        "in-process compute (extraction + generation), ms, median over documents",
        round(median(totals) / median(computes), 2),
        [round(run["overhead"] * 1000) for run in per_document[worst_name]],
        {
            "worst_document": worst_name,
            "overheads_per_document_ms": overheads,
            "per_document_ms": table,
            "median_overhead_ms": median(overheads),
            "median_total_ms": median(totals),
            "worker": "2 processes × 4 threads (Procfile)",
            "one_process_overhead_ms": [round(value) for value in single],
            "one_process_median_overhead_ms": round(median(single)),
        },
    )


# --- 2b. offline generation per page ------------------------------------------------------------

# Before issue 16 (YAKE key terms, regex sentences), the 300-page PDF's in-process generation took
# 6,946 ms (bench/results/latest.json of 2026-11-30): 23.2 ms a page. The NLP generator must stay
# within twice that.
GENERATION_MS_PER_PAGE_BEFORE = 6946 / 300


def figure_generation(documents: list[tuple[Path, str]], rounds: int) -> Figure:
    """The offline generator's time per page in this process, models loaded as the worker loads
    them at boot, every remembered analysis forgotten before each run (a new document)."""
    import pymupdf

    from learning.generation import nlp

    nlp.preload()
    per_document: dict[str, float] = {}
    main_runs: list[float] = []
    for index, (path, kind) in enumerate(documents):
        pages = pymupdf.open(path).page_count if kind == "pdf" else None
        times = []
        for _round in range(rounds if index == 0 else 1):
            nlp.caches_clear()
            times.append(compute_seconds(path, kind)["generation"] * 1000)
        per_document[path.name] = round(median(times) / (pages or 1), 1) if pages else round(median(times))
        if index == 0:
            main_runs = [round(t / pages, 1) for t in times]
    value = median(main_runs)
    ceiling = 2 * GENERATION_MS_PER_PAGE_BEFORE
    return Figure(
        "offline generation, 300-page PDF, ms per page (in process, models preloaded)",
        value,
        "ms/page",
        "≤ 2× the generator before issue 16",
        value <= ceiling,
        round(GENERATION_MS_PER_PAGE_BEFORE, 1),
        "the generator before issue 16, ms per page",
        round(value / GENERATION_MS_PER_PAGE_BEFORE, 2),
        main_runs,
        {"ms_per_page_or_ms_per_document": per_document},
    )


# --- 3. queue hop -----------------------------------------------------------------------------


def figure_queue_hop(env: dict[str, str], workdir: Path, probes: int) -> Figure:
    from bench.processes import Worker, wait_until
    from core.redis import get_redis
    from core.tasks import queue_probe

    variants = {  # ours, then Dramatiq's own polling broker at our interval and at its default
        "waking": ("core.worker.broker.WakingRedisBroker", 100),
        "polling_100ms": ("dramatiq.brokers.redis.RedisBroker", 100),
        "polling_1000ms": ("dramatiq.brokers.redis.RedisBroker", 1000),
    }
    found: dict[str, list[float]] = {}
    for name, (broker, poll_ms) in variants.items():
        key = f"bench:hop:{name}"
        extra = {"WORKER_POLL_MS": str(poll_ms), "DRAMATIQ_BROKER_CLASS": broker}
        with Worker(env, workdir / "worker-hop.log", processes=1, threads=4, **extra):
            rng = random.Random(poll_ms)
            time.sleep(2)
            for _ in range(probes):
                time.sleep(rng.uniform(0.3, 1.5))  # the worker is idle in between, as a student finds it
                queue_probe.send(time.time(), key)
            wait_until(lambda key=key: get_redis().llen(key) >= probes, 30, "the probes")
        found[name] = [float(hop) * 1000 for hop in get_redis().lrange(key, 0, -1)]
    ours = found["waking"]
    details: dict[str, Any] = {"p50_ms": round(median(ours), 1), "max_ms": round(max(ours), 1)}
    for name in ("polling_100ms", "polling_1000ms"):
        details[f"dramatiq_{name}_p50_ms"] = round(median(found[name]), 1)
        details[f"dramatiq_{name}_max_ms"] = round(max(found[name]), 1)
    return Figure(
        "queue hop send → actor start, idle worker, p50 (ms)",
        round(median(ours), 1),
        "ms",
        "p50 ≤ 100 ms",
        median(ours) <= 100,
        details={**details, "probes": probes},
        runs=[round(hop, 1) for hop in ours],
    )


# --- 4. throughput ----------------------------------------------------------------------------


def figure_throughput(env: dict[str, str], workdir: Path, count: int, rounds: int) -> Figure:
    from bench import documents
    from bench.processes import Worker

    seed = iter(range(10_000, 100_000))
    rates: dict[int, list[float]] = {1: [], 2: []}
    for round_ in range(rounds):
        for processes in (1, 2) if round_ % 2 == 0 else (2, 1):  # interleaved: drift falls on both
            paths = []
            for _ in range(count):
                number = next(seed)
                path = workdir / f"lecture-{number}.pdf"
                path.write_bytes(documents.lecture_pdf(number, 12))
                paths.append(path)
            with Worker(env, workdir / f"worker-throughput-{processes}.log", processes=processes, threads=4):
                user = new_user()
                started = time.time()
                uploads = [upload_file(user, path) for path in paths]
                rows = [wait_done(upload.pk) for upload in uploads]
                last = max(row["ready_at"] for row in rows).timestamp()
            rates[processes].append(count / (last - started) * 60)
    one, two = median(rates[1]), median(rates[2])
    ratios = [b / a for a, b in zip(rates[1], rates[2], strict=True)]  # each round's pair, side by side
    ratio = median(ratios)
    return Figure(
        f"documents per minute, {count} uploads, 2 worker processes vs 1",
        round(two, 1),
        "docs/min",
        "≥ 1.6× one process",
        ratio >= 1.6,
        round(one, 1),
        "the same with 1 worker process (a baseline, not a ceiling)",
        round(ratio, 2),
        [round(rate, 1) for rate in rates[2]],
        {
            "one_process_runs": [round(rate, 1) for rate in rates[1]],
            "ratio_runs": [round(r, 2) for r in ratios],
            "pages_per_document": 12,
        },
    )


# --- 5. worker memory -------------------------------------------------------------------------


def figure_worker_memory(env: dict[str, str], workdir: Path, inputs: dict[str, Path], rounds: int) -> Figure:
    from bench.processes import TreePeak, Worker, peak_reset, status_kb

    growth: dict[str, list[float]] = {name: [] for name in inputs}
    tree: dict[str, list[float]] = {name: [] for name in inputs}
    with Worker(env, workdir / "worker-memory.log", processes=1, threads=4) as worker:
        pid = worker.pids()[0]
        warm = workdir / "warm.pdf"
        from bench import documents

        warm.write_bytes(documents.lecture_pdf(1, 5))
        wait_done(upload_file(new_user(), warm).pk)
        time.sleep(1)
        idle_kb = status_kb(pid, "VmRSS")
        with TreePeak(pid) as idle_tree:
            time.sleep(0.3)
        for _round in range(rounds):
            for name, path in inputs.items():
                peak_reset(pid)
                with TreePeak(pid) as sampled:
                    wait_done(upload_file(new_user(), path).pk)
                growth[name].append((status_kb(pid, "VmHWM") - idle_kb) / 1024)
                tree[name].append((sampled.peak_kb - idle_tree.peak_kb) / 1024)
        after_kb = status_kb(pid, "VmRSS")
        time.sleep(1)
        with TreePeak(pid) as after_tree:  # the worker and the children it keeps, at rest again
            time.sleep(0.3)
    worst = max(median(runs) for runs in growth.values())
    return Figure(
        "worker peak RSS growth over idle (MB, worst of the two documents)",
        round(worst, 1),
        "MB",
        "< 150 MB each",
        worst < 150,
        round(idle_kb / 1024, 1),
        "idle worker RSS, MB",
        None,
        [round(value, 1) for runs in growth.values() for value in runs],
        {
            "growth_mb": {name: round(median(runs), 1) for name, runs in growth.items()},
            "with_extraction_child_pss_mb": {name: round(median(runs), 1) for name, runs in tree.items()},
            "idle_rss_mb": round(idle_kb / 1024, 1),
            "rss_after_mb": round(after_kb / 1024, 1),
            "tree_pss_idle_mb": round(idle_tree.peak_kb / 1024, 1),
            "tree_pss_after_mb": round(after_tree.peak_kb / 1024, 1),
        },
    )


# --- 6. web memory ----------------------------------------------------------------------------


def access_token(user) -> str:
    from rest_framework_simplejwt.tokens import AccessToken

    return str(AccessToken.for_user(user))


def _upload_growth(env: dict[str, str], log: Path, files: list[Path], warm: Path, headers: dict) -> tuple[list, float]:
    """RSS growth (MB) of one gunicorn process per upload of each file, and its idle RSS (MB)."""
    import httpx2

    from bench.processes import Web, peak_reset, status_kb

    growth = []
    with Web(env, log, workers=1, threads=4) as web:
        pid = web.pids()[0]
        with httpx2.Client(base_url=web.base, headers=headers, timeout=120) as client:
            for _ in range(3):
                client.get("/api/v1/uploads/")
            with warm.open("rb") as handle:
                assert client.post("/api/v1/uploads/", files={"file": (warm.name, handle)}).status_code == 201
            time.sleep(0.5)
            idle_kb = status_kb(pid, "VmRSS")
            for path in files:
                peak_reset(pid)
                before = status_kb(pid, "VmRSS")
                with path.open("rb") as handle:
                    response = client.post("/api/v1/uploads/", files={"file": (path.name, handle, "application/pdf")})
                assert response.status_code == 201, response.text
                growth.append((status_kb(pid, "VmHWM") - before) / 1024)
    return growth, idle_kb / 1024


def _s3_server(workdir: Path):
    """moto's S3 server in a process of its own, with a bucket: what Spaces is in production."""
    import subprocess

    import boto3

    from bench.processes import STARTED, free_port, wait_until

    port = free_port()
    log = (workdir / "moto.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    STARTED.append(process)
    endpoint = f"http://127.0.0.1:{port}"
    keys = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench-secret"}
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=keys["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"],
    )

    def ready() -> bool:
        try:
            client.create_bucket(Bucket="bench")
            return True
        except Exception:  # noqa: BLE001 - not up yet
            return False

    wait_until(ready, 30, "the S3 server to answer", interval=0.2)
    env = {"AWS_STORAGE_BUCKET_NAME": "bench", "AWS_S3_ENDPOINT_URL": endpoint, "AWS_S3_REGION_NAME": "us-east-1"}
    return process, {**env, **keys}


def figure_web_memory(env: dict[str, str], workdir: Path, sizes_mb: float, rounds: int) -> Figure:
    from bench import documents

    user = new_user()
    headers = {"Authorization": f"Bearer {access_token(user)}"}
    files = []
    for index in range(rounds):
        path = workdir / f"big-{index}.pdf"
        path.write_bytes(documents.pdf_of_size(sizes_mb, seed=index))
        files.append(path)
    warm = workdir / "web-warm.pdf"
    warm.write_bytes(documents.lecture_pdf(7, 3))
    growth, idle_mb = _upload_growth(env, workdir / "web-memory.log", files, warm, headers)
    # The same uploads streamed to an S3 bucket (production's storage), by another user (no duplicates).
    moto, s3_env = _s3_server(workdir)
    try:
        headers_s3 = {"Authorization": f"Bearer {access_token(new_user())}"}
        growth_s3, _idle = _upload_growth({**env, **s3_env}, workdir / "web-memory-s3.log", files, warm, headers_s3)
    finally:
        moto.terminate()
        moto.wait(timeout=10)
    value = median(growth)
    return Figure(
        f"web process RSS growth during a {files[0].stat().st_size / 1e6:.0f} MB upload (MB)",
        round(value, 1),
        "MB",
        "< 20 MB (streamed), to local files and to an S3 bucket alike",
        value < 20 and median(growth_s3) < 20,
        round(idle_mb, 1),
        "idle web process RSS, MB",
        None,
        [round(g, 1) for g in growth],
        {"file_bytes": files[0].stat().st_size, "s3_runs_mb": [round(g, 1) for g in growth_s3]},
    )


# --- 7. list requests per second --------------------------------------------------------------


def _client(host: str, port: int, request: bytes, deadline: float, results) -> None:
    """A keep-alive HTTP/1.1 client as small as possible, so the server gets the CPU."""
    done = errors = 0
    sock = None
    buffer = b""
    while time.time() < deadline:
        try:
            if sock is None:
                sock = socket.create_connection((host, port))
                buffer = b""
            sock.sendall(request)
            while b"\r\n\r\n" not in buffer:
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError
                buffer += chunk
            head, buffer = buffer.split(b"\r\n\r\n", 1)
            length = int(next(h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length:")).split()[1])
            while len(buffer) < length:
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError
                buffer += chunk
            buffer = buffer[length:]
            if head.startswith(b"HTTP/1.1 200"):
                done += 1
            else:
                errors += 1
            if b"connection: close" in head.lower():
                sock.close()
                sock = None
        except (OSError, ConnectionError, StopIteration):
            errors += 1
            if sock is not None:
                sock.close()
            sock = None
    results.put((done, errors))


def load(base: str, path: str, headers: dict[str, str], duration: float, clients: int) -> tuple[float, int]:
    parts = urlparse(base)
    lines = [f"GET {path} HTTP/1.1", f"Host: {parts.hostname}:{parts.port}", *(f"{k}: {v}" for k, v in headers.items())]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    deadline = time.time() + duration
    workers = [
        context.Process(target=_client, args=(parts.hostname, parts.port, request, deadline, results))
        for _ in range(clients)
    ]
    for worker in workers:
        worker.start()
    counts = [results.get(timeout=duration + 30) for _ in workers]
    for worker in workers:
        worker.join()
    return sum(done for done, _e in counts) / duration, sum(errors for _d, errors in counts)


def list_queries(user, upload_id: int, other_id: int) -> tuple[int, int]:
    """Queries of the API list for a full page and for a short one (constant: not one per card)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Bearer {access_token(user)}", HTTP_HOST="127.0.0.1")
    counts = []
    for pk in (upload_id, other_id):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/uploads/{pk}/flashcards/").status_code == 200
        counts.append(len(queries))
    return counts[0], counts[1]


def figure_list(env: dict[str, str], workdir: Path, big: Path, duration: float, rounds: int, clients: int) -> Figure:
    from django.db import connection

    from bench import documents
    from bench.processes import Web, Worker
    from learning.models import Flashcard
    from learning.services.reviews import review_record

    user = new_user()
    small = workdir / "list-small.pdf"
    small.write_bytes(documents.lecture_pdf(43, 2))
    with Worker(env, workdir / "worker-list.log", processes=1, threads=4):
        upload = upload_file(user, big)
        other = upload_file(user, small)
        wait_done(upload.pk), wait_done(other.pk)
    cards = list(Flashcard.objects.filter(upload=upload).order_by("id").values_list("id", flat=True))
    assert len(cards) >= 50, f"only {len(cards)} cards"
    for card in cards[:20]:  # a student who has started: the list also carries review states
        review_record(user=user, flashcard_id=card, rating=3)
    with connection.cursor() as cursor:  # fresh tables: the planner's statistics, as autovacuum gathers them
        cursor.execute("ANALYZE")
    queries = list_queries(user, upload.pk, other.pk)
    headers = {"Authorization": f"Bearer {access_token(user)}"}
    api_path = f"/api/v1/uploads/{upload.pk}/flashcards/"
    plain_path = f"/bench/plain/{upload.pk}/flashcards/?user={user.pk}"
    cards_only_path = f"/bench/plain-cards/{upload.pk}/flashcards/"
    api, plain, cards_only, errors = [], [], [], 0
    with Web(env, workdir / "web-list.log", workers=2, threads=4) as web:
        for path, hdrs in ((api_path, headers), (plain_path, {}), (cards_only_path, {})):
            load(web.base, path, hdrs, 1, clients)
        for round_ in range(rounds):
            order = [(api_path, headers, api), (plain_path, {}, plain), (cards_only_path, {}, cards_only)]
            for path, hdrs, out in order[round_ % 3 :] + order[: round_ % 3]:
                rate, failed = load(web.base, path, hdrs, duration, clients)
                out.append(rate)
                errors += failed
    value, top = median(api), median(plain)
    return Figure(
        "GET /api/v1/uploads/{id}/flashcards/ (50 per page, JWT), requests/s",
        round(value),
        "req/s",
        "≥ 0.6× plain view; queries constant",
        value / top >= 0.6 and queries[0] == queries[1],
        round(top),
        "plain view: the same query (page, review states, count), .values() into JsonResponse, no auth",
        round(value / top, 2),
        [round(rate) for rate in api],
        {
            "ceiling_runs": [round(rate) for rate in plain],
            "cards_only_plain_view": round(median(cards_only)),
            "ratio_to_cards_only": round(value / median(cards_only), 2),
            "cards_only_runs": [round(rate) for rate in cards_only],
            "queries_full_page": queries[0],
            "queries_short_page": queries[1],
            "cards": len(cards),
            "clients": clients,
            "gunicorn": "2 processes × 4 threads",
            "failed_requests": errors,
        },
    )


# --- 8. AI generation against a slow fake ------------------------------------------------------


def figure_ai(env: dict[str, str], workdir: Path, pdf: Path, sample: int) -> Figure:
    import openai
    from django.test import override_settings

    from bench.processes import Worker
    from tests.fake_openai import API_KEY, FakeOpenAI

    fake = FakeOpenAI(delay=0.3).start()
    ai_env = {**env, "OPENAI_API_KEY": API_KEY, "OPENAI_BASE_URL": fake.base_url}
    try:
        with (
            override_settings(OPENAI_API_KEY=API_KEY, OPENAI_BASE_URL=fake.base_url),
            Worker(ai_env, workdir / "worker-ai.log", processes=1, threads=4),
        ):
            first = wait_done(upload_file(new_user(), pdf, generator="ai").pk)
            calls = len(fake.requests)
            repeat = wait_done(upload_file(new_user(), pdf, generator="ai").pk)
            repeat_calls = len(fake.requests) - calls
        # The ceiling: the same requests one after another, timed on an even sample of them.
        client = openai.OpenAI(api_key=API_KEY, base_url=fake.base_url, max_retries=0)
        bodies = [request.body for request in fake.requests[:calls]]
        picked = bodies[:: max(1, len(bodies) // sample)][:sample]
        started = time.perf_counter()
        for body in picked:
            client.chat.completions.create(**body)
        per_call = (time.perf_counter() - started) / len(picked)
    finally:
        fake.stop()
    generation = seconds(first["generating_at"], first["ready_at"])
    sequential = per_call * calls
    return Figure(
        "AI generation, 300-page PDF, fake OpenAI answering after 300 ms: speed-up over sequential calls",
        round(sequential / generation, 1),
        "×",
        "≥ 3× sequential; 0 calls on a repeat",
        sequential / generation >= 3 and repeat_calls == 0,
        round(sequential, 1),
        "the same calls one after another, s",
        None,
        [],
        {
            "calls": calls,
            "tokens_in": first["ai_tokens_in"],
            "tokens_out": first["ai_tokens_out"],
            "upload_to_ready_s": round(seconds(first["created_at"], first["ready_at"]), 2),
            "generation_s": round(generation, 2),
            "sequential_per_call_s": round(per_call, 3),
            "repeat_calls": repeat_calls,
            "repeat_cached_answers": repeat["ai_cached_answers"],
            "repeat_upload_to_ready_s": round(seconds(repeat["created_at"], repeat["ready_at"]), 2),
            "flashcards": first["flashcard_count"],
            "questions": first["question_count"],
        },
    )


# --- report -----------------------------------------------------------------------------------


def figure_docx_bomb(workdir: Path, rounds: int) -> Figure:
    """The probe's low-ratio DOCX bomb (26 MB, 262 MB of XML, ratio ~10): refused at upload, before
    any child parses it (it took an extraction child to 966 MB and 120 s before)."""
    from django.conf import settings

    from bench import documents
    from uploads.errors import UploadRejected

    path = workdir / "low-ratio-bomb.docx"
    path.write_bytes(documents.docx_low_ratio_bomb())
    runs, codes = [], set()
    for _ in range(rounds):
        started = time.monotonic()
        try:
            upload_file(new_user(), path)
            codes.add("stored")
        except UploadRejected as exc:
            codes.add(exc.rejection_code)
        runs.append(round((time.monotonic() - started) * 1000, 1))
    value = median(runs)
    return Figure(
        "low-ratio DOCX bomb (26 MB, 262 MB of XML): refused at upload, ms",
        value,
        "ms",
        f"refused (document_too_big) before any parsing; ZIP_MAX_XML_MB {settings.ZIP_MAX_XML_MB}",
        codes == {"document_too_big"} and value < 5000,
        runs=runs,
        details={"file_mb": round(path.stat().st_size / 1024 / 1024, 1), "outcomes": sorted(codes)},
    )


def machine() -> dict[str, str]:
    import pymupdf
    from django.db import connection

    from core.redis import get_redis

    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "")
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    memory = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "memory": f"{memory / 1024 / 1024:.0f} GiB",
        "python": platform.python_version(),
        "postgresql": postgres.split()[0],
        "redis": get_redis().info()["redis_version"],
        "pymupdf": pymupdf.__version__,
        "os": platform.platform(),
    }


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "–"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"
    return f"{text} {unit}".strip()


def table(figures: dict[str, Figure]) -> str:
    rows = [
        "| figure | value | runs (min–max, n) | ceiling / baseline | ratio | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for figure in figures.values():
        ceiling = f"{fmt(figure.ceiling)} ({figure.ceiling_title})" if figure.ceiling is not None else "–"
        met = "yes" if figure.met else "no" if figure.met is not None else "–"
        runs = f"{fmt(min(figure.runs))}–{fmt(max(figure.runs))}, {len(figure.runs)}" if figure.runs else "–"
        rows.append(
            f"| {figure.title} | {fmt(figure.value, figure.unit)} | {runs} | {ceiling} | {fmt(figure.ratio)} "
            f"| {figure.target} | {met} |"
        )
    return "\n".join(rows)


def details_markdown(figures: dict[str, Figure]) -> str:
    out = []
    if "upload_to_ready" in figures:
        rows = figures["upload_to_ready"].details["per_document_ms"]
        out += [
            "### Upload → ready per document (ms, median of the runs)",
            "",
            "| document | total | queue wait | extraction | generation | db writes | work (steps) | overhead "
            "| in-process compute | cards |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for name, row in rows.items():
            out.append(
                f"| {name} | {row['total']} | {row['queue_wait']} | {row['extraction']} | {row['generation']} "
                f"| {row['db_writes']} | {row['work']} | {row['overhead']} | {row['compute']} | {row['flashcards']} |"
            )
        out.append("")
    for key, figure in figures.items():
        if key == "upload_to_ready":
            continue
        shown = {name: value for name, value in figure.details.items()}
        out.append(f"- **{key}**: runs {figure.runs}; " + "; ".join(f"{k} {v}" for k, v in shown.items()))
    return "\n".join(out)


def write(figures: dict[str, Figure], info: dict[str, str], elapsed: float) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {
        "machine": info,
        "elapsed_seconds": round(elapsed),
        "figures": {k: asdict(f) for k, f in figures.items()},
    }
    (RESULTS / "latest.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")
    lines = [
        "# Benchmark results (`make bench`)",
        "",
        f"{info['date']} on {info['cpu']}, {info['memory']}; Python {info['python']}, PostgreSQL "
        f"{info['postgresql']}, Redis {info['redis']}, PyMuPDF {info['pymupdf']}; {round(elapsed)} s in all.",
        "",
        table(figures),
        "",
        details_markdown(figures),
        "",
    ]
    (RESULTS / "latest.md").write_text("\n".join(lines))
    readme = BASE_DIR / "README.md"
    text = readme.read_text()
    start, end = "<!-- bench-table -->", "<!-- /bench-table -->"
    if start in text and end in text:
        block = "\n".join([start, "", lines[2], "", table(figures), "", end])
        readme.write_text(text[: text.index(start)] + block + text[text.index(end) + len(end) :])


FIGURES = [
    "docx_bomb",
    "extraction",
    "generation",
    "upload_to_ready",
    "queue_hop",
    "throughput",
    "worker_memory",
    "web_memory",
    "list",
    "ai",
]


def spread(values: list[float], digits: int = 0) -> str:
    return f"{round(min(values), digits)}–{round(max(values), digits)}" if values else "–"


def _stopped(signum: int, _frame: object) -> None:
    """SIGTERM (a timeout, an operator): out through the `finally` that stops every process started."""
    raise SystemExit(128 + signum)


def main() -> None:
    from bench.processes import stop_all

    signal.signal(signal.SIGTERM, _stopped)
    try:
        _main()
    finally:
        stop_all()


def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", choices=FIGURES, default=FIGURES)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="hts-bench-"))
    env = bench_environment(workdir)
    setup(env)
    from bench import documents

    say(f"Making the inputs in {workdir} ...")
    pdf300 = workdir / "script-300-pages.pdf"
    pdf300.write_bytes(documents.pdf_300_pages())
    docx = workdir / "script-800k.docx"
    docx.write_bytes(documents.docx_800k())
    corpus = [CORPUS / name for name in CORPUS_DOCUMENTS if (CORPUS / name).exists()]
    if not corpus:
        say(f"No corpus at {CORPUS}: the figures use the generated documents only.")
    kinds = {".pdf": "pdf", ".docx": "docx", ".pptx": "pptx"}
    rounds = args.rounds
    runs: dict[str, Callable[[], Figure]] = {
        "extraction": lambda: figure_extraction([pdf300, *(p for p in corpus if p.suffix == ".pdf")], rounds),
        # Two more rounds: a small document's overhead is tens of ms beside a compute that varies
        # by ±40 ms from run to run on this machine.
        "upload_to_ready": lambda: figure_ready(
            env, workdir, [(p.name, p, kinds[p.suffix]) for p in [*corpus, pdf300]], rounds + 2
        ),
        "generation": lambda: figure_generation([(pdf300, "pdf"), *((p, kinds[p.suffix]) for p in corpus)], rounds),
        "queue_hop": lambda: figure_queue_hop(env, workdir, probes=20),
        "throughput": lambda: figure_throughput(env, workdir, count=40, rounds=rounds),
        "worker_memory": lambda: figure_worker_memory(
            env, workdir, {"300-page PDF": pdf300, "800k-character DOCX": docx}, max(1, rounds - 1)
        ),
        "web_memory": lambda: figure_web_memory(env, workdir, 49.0, rounds),
        "list": lambda: figure_list(env, workdir, pdf300, duration=3, rounds=rounds, clients=4),
        "ai": lambda: figure_ai(env, workdir, pdf300, sample=20),
        "docx_bomb": lambda: figure_docx_bomb(workdir, rounds),
    }
    figures: dict[str, Figure] = {}
    for key in args.only:
        say(f"- {key} ...")
        began = time.monotonic()
        figures[key] = runs[key]()
        figure = figures[key]
        say(
            f"  {fmt(figure.value, figure.unit)} (ceiling {fmt(figure.ceiling)}, ratio {fmt(figure.ratio)}) "
            f"met={figure.met} in {time.monotonic() - began:.0f} s"
        )
    elapsed = time.monotonic() - started
    info = machine()
    say("")
    say(table(figures))
    say("")
    say(details_markdown(figures))
    say(f"\n{round(elapsed)} s. Written to bench/results/latest.json and latest.md.")
    if args.only == FIGURES:
        write(figures, info, elapsed)
    else:
        say("(--only: the results files are left as they were)")


if __name__ == "__main__":
    main()
