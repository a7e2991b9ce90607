"""A results protocol's content (awards/results.py) arranged for a page: each lot's ranking
with the bidders' names, the bids left out and every disqualification with its reasons. The
same arrangement serves the chair's draft and the published, signed protocols."""

from decimal import Decimal

from django.utils.translation import gettext as _

from awards.choices import ReviewStatus

ABOVE_AMOUNT = "above the lot's amount"  # the protocol's own words, signed in English


def _excluded_reason(reason: str) -> str:
    return _("Priced above the lot's amount") if reason == ABOVE_AMOUNT else reason


def protocol_view(content: dict) -> dict:
    names = {b["bid"]: b["bidder_name"] for b in content["bids"]}
    lots = []
    for lot in content["lots"]:
        winner = (lot.get("winner") or {}).get("bid")
        lots.append(
            {
                "lot": lot["lot"],
                "title": lot["title"],
                "amount": Decimal(str(lot["amount"])),
                "ranking": [
                    {
                        **row,
                        "name": names.get(row["bid"], ""),
                        "price": Decimal(str(row["price"])),
                        "compared_price": Decimal(str(row["compared_price"])),
                        "winner": row["bid"] == winner,
                    }
                    for row in lot["ranking"]
                ],
                "excluded": [
                    {
                        **row,
                        "name": names.get(row["bid"], ""),
                        "price": Decimal(str(row["price"])),
                        "reason": _excluded_reason(row["reason"]),
                    }
                    for row in lot["excluded"]
                ],
            }
        )
    bids = [{**b, "status_label": ReviewStatus(b["status"]).label} for b in content["bids"]]
    return {
        "revision": content["revision"],
        "criterion": content["award_criterion"],
        "weighted": content["award_criterion"] == "weighted_scoring",
        "discount": Decimal(str(content["domestic_discount"] or 0)),
        "criteria": content["criteria"],
        "lots": lots,
        "bids": bids,
        "disqualified": [b for b in bids if b["status"] == ReviewStatus.DISQUALIFIED],
    }
