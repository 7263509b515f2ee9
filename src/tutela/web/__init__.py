"""Pages for data subjects (the privacy centre) and staff (the console), issue 19."""
