from django.urls import path, re_path

from learning import views

app_name = "learning"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("session/", views.session, name="session"),
    path("cards/new/", views.card_form, name="card_new"),
    path("cards/<int:card_id>/edit/", views.card_form, name="card_edit"),
    path("cards/<int:card_id>/delete/", views.card_delete, name="card_delete"),
    path("cards/<int:card_id>/suspend/", views.card_suspend, name="card_suspend"),
    path("cards/<int:card_id>/review/", views.review, name="review"),
    path("cards/<int:card_id>/check/", views.check, name="check"),
    path("questions/new/", views.question_form, name="question_new"),
    path("questions/<int:question_id>/edit/", views.question_form, name="question_edit"),
    path("questions/<int:question_id>/delete/", views.question_delete, name="question_delete"),
    path("quizzes/new/", views.quiz_new, name="quiz_new"),
    path("quizzes/<int:quiz_id>/", views.quiz_detail, name="quiz"),
    path("quizzes/<int:quiz_id>/answer/", views.quiz_answer, name="quiz_answer"),
    path("topics/<int:topic_id>/", views.topic_detail, name="topic"),
    re_path(r"^documents/(?P<upload_id>\d+)/export\.(?P<fmt>apkg|csv)$", views.upload_export, name="export"),
]
