app_name = "sittings"

urlpatterns = []
