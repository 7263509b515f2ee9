"""The statement's sections, one module per group of Art. 13/14 items."""
