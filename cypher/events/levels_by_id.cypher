// Level changes already stored among $ids (a change's id is its content digest), in one row.
UNWIND $ids AS id
MATCH (c:LevelChange {id: id})
RETURN collect({id: c.id}) AS rows
