from django.urls import URLPattern

app_name = "pathways"
urlpatterns: list[URLPattern] = []
