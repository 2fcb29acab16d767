# codeward-corpus: safe CWR118
# ruff: noqa
import re

from django.http import HttpResponse


def export_csv(request):
    response = HttpResponse("id,amount\n1,10\n", content_type="text/csv")
    name = request.GET["name"]
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", name):
        name = "export"
    response["Content-Disposition"] = "attachment; filename=" + name
    return response
