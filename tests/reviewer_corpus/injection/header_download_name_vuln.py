# codeward-corpus: vulnerable CWR118
# ruff: noqa
from django.http import HttpResponse


def export_csv(request):
    response = HttpResponse("id,amount\n1,10\n", content_type="text/csv")
    response["Content-Disposition"] = "attachment; filename=" + request.GET["name"]
    return response
