"""What every command shares: the consoles, the settings as a command sees them, the actor."""

import getpass
import logging

import typer
from rich.console import Console

from graph.settings import Settings, get_settings

console = Console()
err = Console(stderr=True)


def load_settings() -> Settings:
    """The settings; a refused setting is said plainly and ends the command (exit 2)."""
    try:
        return get_settings()
    except Exception as error:  # whatever refused them, said plainly
        err.print(f"[red]settings refused:[/red] {error}")
        raise typer.Exit(2) from None


def shell_actor() -> str:
    """The audit actor for commands typed at the shell."""
    return f"cli:{getpass.getuser()}"


def say(message: str) -> None:
    """One step of a long command, as a bullet line."""
    console.print(f"[cyan]•[/cyan] {message}")


class OneLineRetries(logging.Filter):
    """The driver warns of each transaction it retries with the server's whole message (a
    dozen lines of lock owners for a deadlock), which reads like a failure at the console.
    A retry is the driver doing its job: say it in one line with the error's code. The
    services' log files keep the full message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("Transaction failed and will be retried") and record.args:
            delay, error = tuple(record.args)[:2]
            code = getattr(error, "code", None) or type(error).__name__
            record.msg = "Neo4j transaction retried in %.2f s (%s)"
            record.args = (float(delay), code)
        return True
