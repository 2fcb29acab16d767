# codeward-corpus: vulnerable CWR110
# ruff: noqa
from django.http import HttpResponse


def greet(request):
    name = request.GET.get("name", "guest")
    return HttpResponse(f"<h1>Welcome back, {name}!</h1>")
