from django.urls import path

from reperes.referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("jeune/<int:youth_id>/nouvelle/", views.referral_create, name="create"),
    path("service/<int:service_id>/", views.service_refer, name="from_service"),
    path("<int:referral_id>/", views.referral_detail, name="detail"),
    path("<int:referral_id>/reponse/", views.referral_answer, name="answer"),
    path("<int:referral_id>/retrait/", views.referral_withdraw, name="withdraw"),
]
