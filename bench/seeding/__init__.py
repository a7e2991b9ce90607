"""Bulk seeding of a production-shaped platform for `bench/seed.py` and `make bench`.

Rows are written with COPY, not through the services (200,000 bids through `submit_bid` would
take hours), but they are the rows the services would write: real BINs, real certificates
from a bench CA registered in pki, real opening keys split among real commission keys, real
signed and sealed bids, a budget ledger that balances, and one audit event per change built
with the recorder's own payload format, chained and hashed, so `verify_audit_log` passes.
"""
