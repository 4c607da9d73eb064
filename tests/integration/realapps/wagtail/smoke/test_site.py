"""A new Wagtail site, as deployed: pages, the admin, sessions and search."""

import re
import uuid

EDITOR_PASSWORD = "smoke-Editor-pw-41"


def make_editor(role):
    """A new Wagtail admin (a fresh name each run: the suite may run again on a kept database)."""
    from django.contrib.auth import get_user_model

    username = f"{role}-{uuid.uuid4().hex[:8]}"
    return get_user_model().objects.create_superuser(username, f"{username}@example.com", EDITOR_PASSWORD)


def test_the_home_page_made_by_the_migrations_is_served(app_url, http):
    response = http.get(f"{app_url}/", timeout=30)
    assert response.status_code == 200, response.text[:500]
    assert "Welcome to your new Wagtail site!" in response.text


def test_an_editor_signs_in_through_the_admin_form(app_url, http, django_site):
    editor = make_editor("editor")
    form = http.get(f"{app_url}/admin/login/", timeout=30)
    assert form.status_code == 200, form.text[:500]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    signed_in = http.post(
        f"{app_url}/admin/login/",
        data={"csrfmiddlewaretoken": token, "username": editor.username, "password": EDITOR_PASSWORD, "next": "/admin/"},
        timeout=30,
    )
    assert signed_in.status_code == 200, signed_in.text[:500]
    assert signed_in.url.endswith("/admin/"), signed_in.url
    assert "Sign out" in signed_in.text or "Log out" in signed_in.text


def test_a_session_signed_here_with_the_sites_secret_is_accepted(app_url, http, django_site):
    # The session's auth hash is an HMAC keyed by SECRET_KEY: the site accepts it only if
    # this machine was given the same secret as the site.
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    editor = make_editor("session")
    session = SessionStore()
    session[SESSION_KEY] = str(editor.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = editor.get_session_auth_hash()
    session.create()
    http.cookies.set("sessionid", session.session_key)
    dashboard = http.get(f"{app_url}/admin/", allow_redirects=False, timeout=30)
    assert dashboard.status_code == 200, f"{dashboard.status_code} {dashboard.headers.get('Location')}"


def test_a_page_published_here_is_served_and_found_by_search(app_url, http, django_site):
    from home.models import HomePage
    from wagtail.models import Site

    word = f"parity{uuid.uuid4().hex[:8]}"
    home = Site.objects.get(is_default_site=True).root_page.specific
    page = HomePage(title=f"Smoke {word}", slug=word)
    home.add_child(instance=page)
    page.save_revision().publish()

    served = http.get(f"{app_url}/{word}/", timeout=30)
    assert served.status_code == 200, served.text[:500]
    assert f"Smoke {word}" in served.text
    found = http.get(f"{app_url}/search/", params={"query": word}, timeout=30)
    assert found.status_code == 200, found.text[:500]
    assert f"Smoke {word}" in found.text
