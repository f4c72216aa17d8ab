"""The CLI's console: the driver's warning about a retried transaction is one line with the
error's code, not the server's whole lock report."""

import logging

import cli.main  # noqa: F401 - installs the filter on the driver's session logger


class Deadlock(Exception):
    code = "Neo.TransientError.Transaction.DeadlockDetected"


def test_a_retried_transaction_is_one_line_with_its_code(caplog):
    report = "ForsetiClient[transactionId=173] can't acquire UpdateLock\n Wait list:\n..."
    with caplog.at_level(logging.WARNING, logger="neo4j.session"):
        logging.getLogger("neo4j.session").warning(
            "Transaction failed and will be retried in %ss (%s)", 0.0477, Deadlock(report))
        logging.getLogger("neo4j.session").warning("something else: %s", "kept whole")
    retried, other = (r.getMessage() for r in caplog.records)
    assert retried == ("Neo4j transaction retried in 0.05 s "
                       "(Neo.TransientError.Transaction.DeadlockDetected)")
    assert "\n" not in retried
    assert other == "something else: kept whole"
