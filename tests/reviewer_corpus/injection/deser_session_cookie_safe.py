# codeward-corpus: safe CWR105
# ruff: noqa
import base64
import json

from django.http import JsonResponse


def profile(request):
    session = json.loads(base64.b64decode(request.COOKIES.get("prefs", "")))
    return JsonResponse({"theme": session.get("theme", "light")})
