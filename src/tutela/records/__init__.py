"""The records of processing activities (GDPR Art. 30) and their exports."""
