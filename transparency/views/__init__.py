"""The Ministry of Finance's pages: the workspace of figures with its exports, and the
red-flag queue with each flag's page and its review."""
