# codeward-corpus: safe CWR117
# ruff: noqa
from django.contrib.auth import login
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def login_view(request, user):
    login(request, user)
    target = request.GET.get("next", "/dashboard/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/dashboard/"
    return redirect(target)
