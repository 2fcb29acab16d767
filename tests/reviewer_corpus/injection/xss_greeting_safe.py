# codeward-corpus: safe CWR110
# ruff: noqa
from django.http import HttpResponse
from django.utils.html import escape


def greet(request):
    name = request.GET.get("name", "guest")
    return HttpResponse(f"<h1>Welcome back, {escape(name)}!</h1>")
