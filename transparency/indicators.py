"""What each red-flag indicator means, in the words an auditor reads on the flag's page and in
the API. Cardinal's codes follow docs/red-flags.md and Cardinal's own pages; the platform's
indicators follow transparency/flags/native.py."""

from django.utils.translation import gettext_lazy as _

CARDINAL_PAGE = "https://cardinal.readthedocs.io/en/latest/cli/indicators/R/{number}.html"

INDICATORS = {
    # Cardinal's indicators, over the compiled OCDS releases.
    "R003": _(
        "Short submission period: bidders had fewer days to prepare than the threshold, "
        "which favours a supplier who knew in advance."
    ),
    "R018": _(
        "Single bid received in a competitive procedure: nobody competed with the only bidder."
    ),
    "R024": _(
        "Price close to the winning bid: the runner-up bid only slightly above the winner, "
        "much closer than usual, which can be a sign of cover bidding."
    ),
    "R025": _(
        "Excessive unsuccessful bids: a tenderer bids often but rarely wins, as a cover "
        "bidder in a bid-rigging scheme would."
    ),
    "R028": _(
        "Identical bid prices: different tenderers offered exactly the same price, a sign "
        "that the bids were prepared together."
    ),
    "R030": _("Late bid won: the winning bid is dated after the submission deadline."),
    "R035": _(
        "All except the winning bid disqualified: every competitor of the winner was disqualified."
    ),
    "R036": _(
        "Lowest bid disqualified: the cheapest bid was disqualified and a dearer one awarded."
    ),
    "R038": _(
        "Excessive disqualified bids: this buyer, procuring entity or tenderer has a share of "
        "disqualified bids far above the others'."
    ),
    "R048": _(
        "Heterogeneous supplier: the supplier wins contracts in unusually many different "
        "classes of goods and services, as a front company might."
    ),
    "R058": _(
        "Heavily discounted bid: the winner bid far below the runner-up, much further than "
        "usual, which can hide a price to be raised later."
    ),
    # The platform's own indicators, over what only the platform holds.
    "same_key": _(
        "Competing bids of one tender were signed with the same key: one hand may have "
        "prepared both."
    ),
    "same_document": _("Competing bids of one tender carry a document with the same SHA-256."),
    "same_contact": _(
        "Competing bidders of one tender share an e-mail address, a phone number or an address."
    ),
    "bids_seconds_apart": _(
        "Related suppliers (sharing contact details or a signing key) submitted their bids "
        "within seconds of each other."
    ),
    "price_raised": _(
        "Amendments raised the contract's price beyond the threshold over the signed price."
    ),
    "split_purchase": _(
        "One agency published, in one month, several purchases of one class each under a "
        "procedure's ceiling and together over it: the purchase looks split to stay under it."
    ),
}


def meaning(code: str) -> str:
    return str(INDICATORS.get(code, _("No description of this indicator yet.")))


def reference_url(code: str) -> str:
    """Cardinal's page on one of its indicators; empty for the platform's own."""
    if len(code) == 4 and code.startswith("R") and code[1:].isdigit():
        return CARDINAL_PAGE.format(number=code[1:])
    return ""
