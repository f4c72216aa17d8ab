"""Celery workers: the slow work of tiergraph (rebate computation, sweeps)."""
