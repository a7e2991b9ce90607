from django.urls import path

from suppliers.views import members, registers, registration

app_name = "suppliers"

urlpatterns = [
    path("suppliers/", registers.supplier_register, name="supplier-list"),
    path("suppliers/register/", registration.register_supplier_view, name="supplier-register"),
    path("agencies/", registers.agency_register, name="agency-list"),
    path("blacklist/", registers.blacklist_register, name="blacklist"),
    path("organisations/<str:bin>/", registers.organisation_detail, name="organisation-detail"),
    path("organisations/<str:bin>/members/", members.members, name="members"),
    path(
        "organisations/<str:bin>/members/<int:membership_id>/deactivate/",
        members.deactivate,
        name="membership-deactivate",
    ),
    path(
        "organisations/<str:bin>/invitations/<int:invitation_id>/withdraw/",
        members.withdraw_invitation,
        name="invitation-withdraw",
    ),
    path("invitations/<str:token>/", registration.accept_invitation_view, name="invitation-accept"),
]
