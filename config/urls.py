"""Root URLconf: search at the site root, the corpus and annotation pages, the
JSON API, sign-in, and the admin at /admin/.

Every page needs a signed-in user (LoginRequiredMiddleware); the sign-in page,
static files, the OpenAPI description and the API (which answers 401 itself)
are the exceptions.
"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from config import api


@login_not_required
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico on every site, signed in or not. (The
    static name is resolved per request: the manifest exists after
    collectstatic, not when the URLconf is imported.)"""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


urlpatterns = [
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),
    path("api/", api.urls()),
    path("", include("search.urls")),
    path("", include("annotations.urls")),
    path("", include("analysis.urls")),
    path("", include("corpus.urls")),
    # Last: any other /api/ address is a JSON 404, not an HTML page.
    path("api/<path:rest>", api.not_found, name="api_not_found"),
]
