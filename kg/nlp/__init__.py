"""spaCy pipeline of paperkg: rule components with their word lists and patterns in data/."""
