from django.apps import AppConfig


class ContractsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "contracts"
    verbose_name = "Contracts and payments"

    def ready(self):
        from audit import crosschecks
        from contracts.integrity import check_budget_entries, check_payments

        # The ledger's checker lives here: its moves are caused by events of procurement,
        # awards and contracts, and only contracts may import all three.
        crosschecks.register("procurement_budgetentry", check_budget_entries)
        crosschecks.register("contracts_payment", check_payments)
