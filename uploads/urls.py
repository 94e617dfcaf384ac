from django.urls import path

from uploads import views

app_name = "uploads"

urlpatterns = [
    path("", views.upload_list, name="list"),
    path("new/", views.upload_new, name="new"),
    path("<int:upload_id>/", views.upload_detail, name="detail"),
    path("<int:upload_id>/status/", views.upload_status, name="status"),
    path("<int:upload_id>/reprocess/", views.upload_reprocess, name="reprocess"),
    path("<int:upload_id>/delete/", views.upload_delete, name="delete"),
]
