# codeward-corpus: vulnerable CWR101
# ruff: noqa
from django.http import JsonResponse

from .models import Invoice


def invoices_for_customer(request):
    customer = request.GET["customer"]
    invoices = Invoice.objects.raw("SELECT * FROM billing_invoice WHERE customer_ref = '%s'" % customer)
    return JsonResponse({"ids": [invoice.pk for invoice in invoices]})
