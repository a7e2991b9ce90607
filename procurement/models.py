"""Plans, budget, tenders, bids, awards and contracts arrive here with the lifecycle issues."""
