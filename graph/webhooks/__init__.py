"""Webhooks: telling the mall when money changes (SPEC 10.3).

- `endpoints`: the endpoints an admin registers (URL, events, a secret kept sealed).
- `outbox`: a delivery per event and subscribed endpoint, written in the transaction that
  makes the change, so a committed change is always told (at least once).
- `delivery`: the worker's drain: signed POSTs, every attempt logged, retried with
  exponential backoff for 24 hours, then failed.
- `urls`: which URLs may be called (http(s) into public address ranges only, checked at
  registration and again before each attempt).
"""
