"""OCDS 1.1 (core + bid extension 1.1.5): releases built from the platform's rows."""
