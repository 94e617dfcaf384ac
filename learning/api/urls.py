from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from learning.api import views

router = SimpleRouter()
router.register("flashcards", views.FlashcardViewSet, basename="api-flashcard")
router.register("questions", views.QuestionViewSet, basename="api-question")
router.register("quizzes", views.QuizViewSet, basename="api-quiz")

urlpatterns = [
    path("study/due/", views.StudyDueView.as_view(), name="api-study-due"),
    path("stats/", views.StatsView.as_view(), name="api-stats"),
    re_path(
        r"^uploads/(?P<upload_id>\d+)/export\.(?P<fmt>apkg|csv)$", views.UploadExportView.as_view(), name="api-export"
    ),
    *router.urls,
]
