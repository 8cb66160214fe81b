from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processor: the error may come from one of them.
    return HttpResponseServerError(loader.get_template("500.html").render({"request": request}))


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
