from accounts import views
from kaya.routing import api_path

app_name = "accounts"

urlpatterns = [
    api_path("auth/register", views.RegisterView, "register"),
    api_path("auth/login", views.LoginView, "login"),
    api_path("auth/refresh", views.RefreshView, "refresh"),
    api_path("auth/logout", views.LogoutView, "logout"),
    api_path("auth/logout-all", views.LogoutAllView, "logout-all"),
    # The token in the body keeps it out of every URL (access logs, proxies,
    # browser history); the path forms are the links' original shape.
    api_path("auth/verify-email", views.VerifyEmailTokenView, "verify-email-token"),
    api_path("auth/verify-email/<str:token>", views.VerifyEmailView, "verify-email"),
    api_path(
        "auth/resend-verification",
        views.ResendVerificationView,
        "resend-verification",
    ),
    api_path(
        "auth/request-password-reset",
        views.PasswordResetRequestView,
        "request-password-reset",
    ),
    api_path(
        "auth/reset-password", views.PasswordResetTokenView, "reset-password-token"
    ),
    api_path(
        "auth/reset-password/<str:token>", views.PasswordResetView, "reset-password"
    ),
    api_path("auth/change-password", views.PasswordChangeView, "change-password"),
    api_path("users/me", views.MeView, "me"),
    api_path("users/me/delete", views.MeDeleteView, "me-delete"),
    api_path("users/me/stats", views.MeStatsView, "me-stats"),
    api_path("users/me/export", views.MeExportView, "me-export"),
]
