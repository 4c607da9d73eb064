"""Django settings for migrating django-ltree: the database from libpq's variables (database.env)."""

import os

SECRET_KEY = "migrations-only"  # nothing is signed: only `migrate` runs with these settings
INSTALLED_APPS = ["django.contrib.postgres", "django_ltree"]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": os.environ["PGHOST"],
        "PORT": os.environ["PGPORT"],
        "USER": os.environ["PGUSER"],
        "PASSWORD": os.environ["PGPASSWORD"],
        "NAME": os.environ["PGDATABASE"],
    }
}
USE_TZ = True
