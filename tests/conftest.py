from tests.e2e import worker

__all__ = ["worker"]
