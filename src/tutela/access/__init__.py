"""Who may do what: staff API keys with roles and scopes, and the subject's own tokens."""
