// Test only: decided rings $rings [{id, status, score, features}] as stored before rule scores
// were kept apart (no rule_score: `score` is the rule score), no members.
UNWIND $rings AS r
CREATE (:Ring {id: r.id, status: r.status, score: r.score, features: r.features, size: 0,
               reasons: [], detected_at: datetime()})
