# codeward-corpus: vulnerable CWR105
# ruff: noqa
import base64
import pickle

from django.http import JsonResponse


def profile(request):
    session = pickle.loads(base64.b64decode(request.COOKIES.get("prefs", "")))
    return JsonResponse({"theme": session.get("theme", "light")})
