// The latest as_of a settlement run credited up to (no row before the first run).
MATCH (m:SettlementMark {id: 'last'})
RETURN m.as_of AS as_of
