// Stores a verified tier report $report {id, generated_at, covers_until, digest, compliant,
// trigger} with its whole document $document (canonical JSON, digest included).
CREATE (r:TierReport {id: $report.id})
SET r.generated_at = datetime($report.generated_at),
    r.covers_until = datetime($report.covers_until), r.digest = $report.digest,
    r.compliant = $report.compliant, r.trigger = $report.trigger, r.status = 'complete',
    r.document = $document
RETURN r.id AS id
