"""The privacy programme: models, YAML loader with located errors, importers."""
