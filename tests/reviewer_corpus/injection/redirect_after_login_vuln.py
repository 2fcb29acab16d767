# codeward-corpus: vulnerable CWR117
# ruff: noqa
from django.contrib.auth import login
from django.shortcuts import redirect


def login_view(request, user):
    login(request, user)
    return redirect(request.GET.get("next", "/dashboard/"))
