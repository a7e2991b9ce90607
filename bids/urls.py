from django.urls import path

from bids import views

app_name = "bids"

urlpatterns = [
    path("bids/", views.my_bids, name="my-bids"),
    path("bids/<str:public_id>/receipt.json", views.bid_receipt_json, name="bid-receipt"),
    path("opening-key/", views.opening_key, name="opening-key"),
    path(
        "tenders/<str:number>/opening-protocol.json",
        views.opening_protocol,
        name="opening-protocol",
    ),
]
