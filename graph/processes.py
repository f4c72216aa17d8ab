"""Processes of this machine, by pid: the local stack's services (infra/stack.py) and the
metric files of dead API and worker processes (graph/metrics.py) both ask this."""

import os


def alive(pid: int) -> bool:
    """Whether `pid` runs: it exists, and is not a zombie its parent has not reaped yet."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie left by a parent that has not reaped it is not running
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True
