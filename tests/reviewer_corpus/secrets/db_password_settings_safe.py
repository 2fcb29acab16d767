# codeward-corpus: safe CWR202
# ruff: noqa
import os

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "billing",
        "USER": "billing_app",
        "PASSWORD": os.environ["BILLING_DB_PASSWORD"],
        "HOST": "db.internal",
    }
}
