"""The smoke suite talks to the site over HTTP (APP_URL) and to its database with the site's
own models, on this machine: Django is set up from the same settings the site runs with."""

import os
import sys
from pathlib import Path

import pytest
import requests

SITE = Path(__file__).resolve().parents[1] / "mysite"


@pytest.fixture(scope="session")
def app_url() -> str:
    return os.environ["APP_URL"].rstrip("/")


@pytest.fixture(scope="session")
def django_site():
    """Django configured as the site is (DJANGO_SETTINGS_MODULE, PG* and SECRET_KEY from the
    environment), so tests can prepare data with the site's models."""
    sys.path.insert(0, str(SITE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings.production")
    import django

    django.setup()
    return django


@pytest.fixture
def http() -> requests.Session:
    with requests.Session() as session:
        yield session
