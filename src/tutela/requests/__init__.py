"""The request lifecycle: types and regimes, states, deadlines, identity and answers."""
