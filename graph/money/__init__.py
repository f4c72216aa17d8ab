"""Money: rebates, their settlement, the double-entry ledger, withdrawals and the gateway."""
