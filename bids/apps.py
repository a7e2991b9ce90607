from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BidsConfig(AppConfig):
    name = "bids"
    verbose_name = _("Bids")

    def ready(self):
        from audit import crosschecks
        from audit.actions import Action
        from audit.withholding import register
        from bids.integrity import check_bids
        from bids.visibility import sealed_bid_entries

        register(Action.BID_SUBMITTED, sealed_bid_entries)
        register(Action.BID_WITHDRAWN, sealed_bid_entries)
        crosschecks.register("bids_bid", check_bids)
