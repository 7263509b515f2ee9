"""The privacy statement: built from the programme, rendered as Markdown or HTML, versioned."""
