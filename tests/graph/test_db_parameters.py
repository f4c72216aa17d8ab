"""Query parameters as graph.db hands them to the driver (pure: no database).

Every batch write and read of the suite sends its rows as a `Batch`, so the real-Neo4j tests
show that the driver packs one as the list it is; these pin down what the driver's debug
line (which formats the parameters of every RUN) gets to see.
"""

from graph.db import Batch, parameters


def test_list_parameters_print_as_their_length_only() -> None:
    rows = [{"user_id": "u1", "phone_enc": "sealed-secret"}, {"user_id": "u2", "phone_enc": None}]
    sent = parameters({"rows": rows, "token": "t-1", "limit": 5})
    assert repr(sent) == "{'rows': <2 rows>, 'token': 't-1', 'limit': 5}"
    assert "sealed-secret" not in " ".join(map(repr, ("QUERY", sent, {})))


def test_a_batch_is_the_same_list_of_the_same_rows() -> None:
    rows = [{"id": "a"}, {"id": "b"}]
    sent = parameters({"rows": rows})["rows"]
    assert isinstance(sent, Batch) and isinstance(sent, list)
    assert sent == rows and sent is not rows
    assert all(mine is theirs for mine, theirs in zip(sent, rows, strict=True))


def test_other_values_pass_unchanged() -> None:
    ids = ("a", "b")
    options = {"nested": [1, 2, 3]}
    sent = parameters({"ids": ids, "options": options, "none": None})
    assert sent["ids"] is ids and sent["options"] is options and sent["none"] is None
    assert repr(parameters({"empty": []})) == "{'empty': <0 rows>}"
