// Test support: every node the event writes create (by label), with its properties, to compare
// a bulk first load with a normal import.
MATCH (n)
WHERE n:User OR n:Session OR n:Order OR n:Refund OR n:Device OR n:IP OR n:PaymentAccount
   OR n:Address
RETURN labels(n) AS labels, properties(n) AS props
