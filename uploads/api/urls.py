from rest_framework.routers import SimpleRouter

from uploads.api.views import UploadViewSet

router = SimpleRouter()
router.register("uploads", UploadViewSet, basename="api-upload")

urlpatterns = router.urls
