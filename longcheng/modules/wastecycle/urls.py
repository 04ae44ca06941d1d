app_name = "wastecycle"
urlpatterns: list = []
