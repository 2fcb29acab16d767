# codeward-corpus: vulnerable CWR202
# ruff: noqa
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "billing",
        "USER": "billing_app",
        "PASSWORD": "Tr0ub4dor&3-billing",
        "HOST": "db.internal",
    }
}
