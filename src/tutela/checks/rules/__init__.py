"""The built-in check rules, one module per area of the law."""
