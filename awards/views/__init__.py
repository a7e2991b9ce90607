"""The award stage's web pages, one module per subject."""
