from tests.e2e import worker, worker_env

__all__ = ["worker", "worker_env"]
