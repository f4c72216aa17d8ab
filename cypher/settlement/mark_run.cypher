// Records that a settlement run credited everything payable as of $as_of (the latest such
// time is kept): a rebate released from a risk hold later catches up to it.
MERGE (m:SettlementMark {id: 'last'})
SET m.as_of = CASE WHEN m.as_of IS NULL OR m.as_of < datetime($as_of) THEN datetime($as_of)
                   ELSE m.as_of END
RETURN m.as_of AS as_of
