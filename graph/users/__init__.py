"""Users: invites and uplines, sealed phone numbers, API keys."""
