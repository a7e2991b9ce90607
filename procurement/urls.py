from django.urls import path

from procurement.views import budget

app_name = "procurement"

urlpatterns = [
    path("<str:bin>/", budget.budget, name="budget"),
    path("<str:bin>/lines/", budget.create_line, name="budgetline-create"),
    path("<str:bin>/items/", budget.create_item, name="planitem-create"),
    path("<str:bin>/items/<int:item_id>/approve/", budget.approve_item, name="planitem-approve"),
    path("<str:bin>/items/<int:item_id>/cancel/", budget.cancel_item, name="planitem-cancel"),
]
