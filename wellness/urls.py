app_name = "wellness"

urlpatterns: list = []
