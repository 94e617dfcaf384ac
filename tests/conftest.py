from tests.e2e import media_root, worker

__all__ = ["media_root", "worker"]
