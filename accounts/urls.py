from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("auth/register", views.RegisterView.as_view(), name="register"),
    path("auth/login", views.LoginView.as_view(), name="login"),
    path("auth/refresh", views.RefreshView.as_view(), name="refresh"),
    path("auth/logout", views.LogoutView.as_view(), name="logout"),
    path("auth/logout-all", views.LogoutAllView.as_view(), name="logout-all"),
    path(
        "auth/verify-email/<str:token>",
        views.VerifyEmailView.as_view(),
        name="verify-email",
    ),
    path(
        "auth/resend-verification",
        views.ResendVerificationView.as_view(),
        name="resend-verification",
    ),
    path(
        "auth/request-password-reset",
        views.PasswordResetRequestView.as_view(),
        name="request-password-reset",
    ),
    path(
        "auth/reset-password/<str:token>",
        views.PasswordResetView.as_view(),
        name="reset-password",
    ),
    path(
        "auth/change-password",
        views.PasswordChangeView.as_view(),
        name="change-password",
    ),
    path("users/me", views.MeView.as_view(), name="me"),
    path("users/me/stats", views.MeStatsView.as_view(), name="me-stats"),
    path("users/me/export", views.MeExportView.as_view(), name="me-export"),
]
