"""The project's settings plus one route for the benchmark's baseline view (bench/urls.py)."""

from hackthestudy.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
