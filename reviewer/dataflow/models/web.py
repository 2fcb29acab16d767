"""Web frameworks: request objects and what in them the client controls, route parameters, handler classes,
HTML responses, redirects, and the session (a trust boundary)."""

from __future__ import annotations

from codeward.reviewer.dataflow.models import Library, ObjectModel, Sanitizer, Sink, Source

# Methods of a router object that register a route (`@app.route("/x")`, `@router.get("/x")`).
_VERBS = ("route", "get", "post", "put", "delete", "patch", "head", "options", "api_route", "websocket", "view")
# Decorators imported from a framework by name (`from bottle import route`, `from litestar import get`).
_BOTTLE_FUNCTIONS = tuple(f"bottle.{verb}" for verb in ("route", "get", "post", "put", "delete", "patch"))
_LITESTAR_FUNCTIONS = tuple(
    f"litestar.{verb}" for verb in ("route", "get", "post", "put", "delete", "patch", "head", "websocket")
)

# Attributes and methods of request objects that carry what the client sent, by framework.
_FLASK_ATTRS = frozenset(
    ["args", "form", "values", "json", "data", "files", "cookies", "headers", "stream", "environ", "view_args",
     "query_string", "path", "full_path", "url", "base_url", "url_root", "authorization", "user_agent", "referrer",
     "input_stream", "access_route", "remote_user", "script_root", "host_url", "host"]
)  # fmt: skip
_FLASK_METHODS = frozenset({"get_json", "get_data"})
_DJANGO_ATTRS = frozenset(
    ["GET", "POST", "COOKIES", "META", "FILES", "body", "headers", "path", "path_info", "data", "query_params",
     "content_params", "resolver_match"]
)  # fmt: skip
_DJANGO_METHODS = frozenset(
    {"get_full_path", "get_full_path_info", "build_absolute_uri", "read", "readline", "readlines"}
)
_STARLETTE_ATTRS = frozenset({"query_params", "path_params", "headers", "cookies", "url", "base_url"})
_STARLETTE_METHODS = frozenset({"body", "json", "form", "stream"})
_AIOHTTP_ATTRS = frozenset(
    {"match_info", "query", "rel_url", "url", "path", "raw_path", "query_string", "headers", "cookies", "content",
     "path_qs", "raw_headers"}
)  # fmt: skip
_AIOHTTP_METHODS = frozenset({"json", "text", "post", "read", "multipart"})
_TORNADO_ATTRS = frozenset(
    {"body", "arguments", "query_arguments", "body_arguments", "headers", "uri", "path", "query", "files", "cookies"}
)
_BOTTLE_ATTRS = frozenset(
    {"query", "forms", "params", "json", "body", "files", "cookies", "headers", "GET", "POST", "url", "path",
     "query_string", "fullpath"}
)  # fmt: skip
_FALCON_ATTRS = frozenset(
    {"params", "media", "stream", "bounded_stream", "headers", "cookies", "path", "query_string", "relative_uri",
     "uri", "url"}
)  # fmt: skip
_FALCON_METHODS = frozenset(
    {"get_param", "get_param_as_list", "get_header", "get_media", "get_cookie_values", "get_param_as_json"}
)
_PYRAMID_ATTRS = frozenset({"params", "matchdict", "json_body", "GET", "POST", "body", "cookies", "headers", "path"})

# The query string as the client sent it, still percent-encoded (Werkzeug, Bottle, Falcon and ASGI apps keep it
# raw; aiohttp decodes its `query_string`, so its model has no such attribute).
_RAW_QUERY = frozenset({"query_string"})

# A parameter called `request` of unknown type: whatever any framework's request carries.
_ANY_ATTRS = (
    _FLASK_ATTRS
    | _DJANGO_ATTRS
    | _STARLETTE_ATTRS
    | _AIOHTTP_ATTRS
    | _TORNADO_ATTRS
    | _BOTTLE_ATTRS
    | _FALCON_ATTRS
    | _PYRAMID_ATTRS
) - {"host", "url_root", "host_url", "script_root", "remote_user", "resolver_match"}
_ANY_METHODS = _FLASK_METHODS | _DJANGO_METHODS | _STARLETTE_METHODS | _AIOHTTP_METHODS | _FALCON_METHODS

_TORNADO_HANDLER_METHODS = frozenset(
    {"get_argument", "get_arguments", "get_query_argument", "get_query_arguments", "get_body_argument",
     "get_body_arguments", "get_cookie", "decode_argument"}
)  # fmt: skip

FLASK = Library(
    "flask",
    sources=(
        Source("flask.request", "request", how="object", type="flask.Request"),
        Source("quart.request", "request", how="object", type="flask.Request"),
        Source("werkzeug.local.request", "request", how="object", type="flask.Request"),
        Source("sanic.request", "request", how="object", type="web.Request"),
    ),
    objects=(ObjectModel("flask.Request", "request", "web", _FLASK_ATTRS, _FLASK_METHODS, encoded=_RAW_QUERY),),
    sinks=(
        Sink("flask.make_response", "xss", ((0, "response"),), when="text"),
        Sink("flask.Response", "xss", ((0, "response"),), when="text"),
        Sink("werkzeug.wrappers.Response", "xss", ((0, "response"),), when="text"),
        Sink("markupsafe.Markup", "xss", ((0, "base"),)),
        Sink("flask.Markup", "xss", ((0, "base"),)),
        Sink("flask.redirect", "redirect", ((0, "location"),), when="host"),
        Sink("werkzeug.utils.redirect", "redirect", ((0, "location"),), when="host"),
        Sink("flask.send_file", "path", ((0, "path_or_file"),)),
        Sink("flask.send_from_directory", "path", ((0, "directory"),)),
        Sink("flask.render_template_string", "template", ((0, "source"),)),
    ),
    sanitizers=(
        Sanitizer("markupsafe.escape", frozenset({"xss"})),
        Sanitizer("markupsafe.Markup.escape", frozenset({"xss"})),
        Sanitizer("flask.Markup.escape", frozenset({"xss"})),
        Sanitizer("flask.escape", frozenset({"xss"})),
        Sanitizer("jinja2.escape", frozenset({"xss"})),
        Sanitizer("werkzeug.utils.secure_filename", frozenset({"path", "command"})),
        Sanitizer("werkzeug.secure_filename", frozenset({"path", "command"})),
        Sanitizer("werkzeug.utils.safe_join", frozenset({"path"})),
        Sanitizer("werkzeug.security.safe_join", frozenset({"path"})),
        Sanitizer("flask.safe_join", frozenset({"path"})),
        Sanitizer("flask.helpers.safe_join", frozenset({"path"})),
        Sanitizer("flask.url_for", frozenset({"redirect", "ssrf", "xss", "header"})),
    ),
    noreturn=("flask.abort", "werkzeug.exceptions.abort", "quart.abort", "sanic.exceptions.abort", "bottle.abort"),
    route_decorators=_VERBS,
    # Flask, Quart, Sanic, Chalice, APIFlask, flask-restx/flask-restful (`Api`, `Namespace`), flask-smorest.
    route_objects=("Flask", "Blueprint", "Quart", "Sanic", "Chalice", "APIFlask", "APIBlueprint", "Api", "Namespace"),
    handler_bases=("MethodView", "View", "Resource"),
)

DJANGO = Library(
    "django",
    sources=(),
    objects=(
        ObjectModel("django.HttpRequest", "request", "web", _DJANGO_ATTRS, _DJANGO_METHODS),
        ObjectModel("web.Request", "request", "web", _ANY_ATTRS, _ANY_METHODS, encoded=_RAW_QUERY),
    ),
    sinks=(
        Sink("django.http.HttpResponse", "xss", ((0, "content"),), when="text"),
        Sink("django.http.HttpResponseBadRequest", "xss", ((0, "content"),), when="text"),
        Sink("django.http.HttpResponseNotFound", "xss", ((0, "content"),), when="text"),
        Sink("django.http.HttpResponseForbidden", "xss", ((0, "content"),), when="text"),
        Sink("django.http.HttpResponseServerError", "xss", ((0, "content"),), when="text"),
        Sink("django.http.HttpResponseGone", "xss", ((0, "content"),), when="text"),
        Sink("django.utils.safestring.mark_safe", "xss", ((0, "s"),)),
        Sink("django.utils.html.mark_safe", "xss", ((0, "s"),)),
        Sink("django.utils.safestring.SafeString", "xss", ((0, ""),)),
        Sink("django.shortcuts.redirect", "redirect", ((0, "to"),), when="host"),
        Sink("django.http.HttpResponseRedirect", "redirect", ((0, "redirect_to"),), when="host"),
        Sink("django.http.HttpResponsePermanentRedirect", "redirect", ((0, "redirect_to"),), when="host"),
        Sink("django.http.FileResponse", "path", ((0, "streaming_content"),)),
        Sink("django.template.Template", "template", ((0, "template_string"),)),
        Sink("django.template.engines.from_string", "template", ((0, "template_code"),)),
    ),
    sanitizers=(
        Sanitizer("django.utils.html.escape", frozenset({"xss"})),
        Sanitizer("django.utils.html.conditional_escape", frozenset({"xss"})),
        Sanitizer("django.utils.html.format_html", frozenset({"xss"})),
        Sanitizer("django.utils.html.strip_tags", frozenset({"xss"})),
        Sanitizer("django.utils.text.get_valid_filename", frozenset({"path", "command"})),
        Sanitizer("django.urls.reverse", frozenset({"redirect", "ssrf", "xss", "header"})),
        Sanitizer("django.shortcuts.resolve_url", frozenset({"redirect"})),
        Sanitizer("django.utils.encoding.iri_to_uri", frozenset({"header"})),
    ),
    handler_bases=(
        "View",
        "TemplateView",
        "FormView",
        "DetailView",
        "ListView",
        "CreateView",
        "UpdateView",
        "DeleteView",
        "RedirectView",
        "APIView",
        "GenericAPIView",
        "ViewSet",
        "ModelViewSet",
        "GenericViewSet",
        "ReadOnlyModelViewSet",
        "ListAPIView",
        "RetrieveAPIView",
        "CreateAPIView",
    ),
    route_decorators=("api_view", "action"),
    route_objects=("NinjaAPI", "Router"),  # django-ninja
    route_functions=(
        "rest_framework.decorators.api_view",
        "rest_framework.decorators.action",
        *_LITESTAR_FUNCTIONS,
    ),
)

STARLETTE = Library(
    "starlette/fastapi",
    objects=(ObjectModel("starlette.Request", "request", "web", _STARLETTE_ATTRS, _STARLETTE_METHODS),),
    sinks=(
        Sink("starlette.responses.HTMLResponse", "xss", ((0, "content"),)),
        Sink("fastapi.responses.HTMLResponse", "xss", ((0, "content"),)),
        Sink("starlette.responses.Response", "xss", ((0, "content"),), when="text"),
        Sink("fastapi.Response", "xss", ((0, "content"),), when="text"),
        Sink("starlette.responses.RedirectResponse", "redirect", ((0, "url"),), when="host"),
        Sink("fastapi.responses.RedirectResponse", "redirect", ((0, "url"),), when="host"),
        Sink("starlette.responses.FileResponse", "path", ((0, "path"),)),
        Sink("fastapi.responses.FileResponse", "path", ((0, "path"),)),
    ),
    route_decorators=_VERBS,
    route_objects=("FastAPI", "APIRouter", "Starlette", "Router"),
    handler_bases=("HTTPEndpoint",),
)

AIOHTTP = Library(
    "aiohttp",
    objects=(ObjectModel("aiohttp.Request", "request", "web", _AIOHTTP_ATTRS, _AIOHTTP_METHODS),),
    sinks=(
        Sink("aiohttp.web.Response", "xss", ((-2, "text"), (-2, "body")), when="text"),
        Sink("aiohttp.web.HTTPFound", "redirect", ((0, "location"),), when="host"),
        Sink("aiohttp.web.HTTPSeeOther", "redirect", ((0, "location"),), when="host"),
        Sink("aiohttp.web.FileResponse", "path", ((0, "path"),)),
    ),
    route_decorators=_VERBS,
    route_objects=("RouteTableDef",),
    handler_bases=("web.View",),
)

TORNADO = Library(
    "tornado",
    objects=(
        ObjectModel("tornado.HTTPServerRequest", "self.request", "web", _TORNADO_ATTRS),
        ObjectModel(
            "web.Handler",
            "self",
            "web",
            methods=_TORNADO_HANDLER_METHODS,
            typed_attrs=(("request", "web.Request"),),
        ),
    ),
    sinks=(
        Sink("web.Handler.redirect", "redirect", ((0, "url"),), when="host"),
        Sink("web.Handler.write", "xss", ((0, "chunk"),), when="text"),
        Sink("web.Handler.finish", "xss", ((0, "chunk"),), when="text"),
    ),
    sanitizers=(
        Sanitizer("tornado.escape.xhtml_escape", frozenset({"xss"})),
        Sanitizer("tornado.escape.url_escape", frozenset({"xss", "header"})),
    ),
    handler_bases=("RequestHandler", "tornado.web.RequestHandler"),
)

BOTTLE = Library(
    "bottle",
    sources=(Source("bottle.request", "request", how="object", type="bottle.Request"),),
    objects=(
        ObjectModel(
            "bottle.Request",
            "request",
            "web",
            _BOTTLE_ATTRS,
            frozenset({"get_header", "get_cookie"}),
            encoded=_RAW_QUERY,
        ),
    ),
    sinks=(
        Sink("bottle.redirect", "redirect", ((0, "url"),), when="host"),
        Sink("bottle.static_file", "path", ((0, "filename"),)),
        Sink("bottle.template", "template", ((0, "tpl"),)),
        # A body sent as bottle's default type, `text/html`, unless the headers declare another. (Not
        # `HTTPError`: the default error page escapes its body.)
        Sink("bottle.HTTPResponse", "xss", ((0, "body"),), when="text"),
        Sink("bottle.Response", "xss", ((0, "body"),), when="text"),
    ),
    route_decorators=_VERBS,
    route_objects=("Bottle",),
    route_functions=_BOTTLE_FUNCTIONS,
)

# webapp2 (Google App Engine): `self.request` is a WebOb request whose `get()` reads a query or form field; the
# response's body defaults to `text/html`. Chosen by the handler class's base (`webapp2.RequestHandler`), since
# Tornado's handlers share the base class's name (module.ModuleInfo.handler_model).
_WEBAPP2_ATTRS = frozenset(
    {"GET", "POST", "params", "body", "body_file", "headers", "cookies", "path", "path_info", "path_qs", "url",
     "query_string", "uri", "path_url", "route_kwargs", "route_args"}
)  # fmt: skip
WEBAPP2 = Library(
    "webapp2",
    objects=(
        ObjectModel(
            "webapp2.Request", "self.request", "web", _WEBAPP2_ATTRS, frozenset({"get", "get_all", "arguments"})
        ),
        ObjectModel(
            "webapp2.Handler",
            "self",
            "web",
            typed_attrs=(("request", "webapp2.Request"), ("response", "webapp2.Response()")),
        ),
        ObjectModel("webapp2.Response()", "self.response", "web", typed_attrs=(("out", "webapp2.Response()"),)),
    ),
    sinks=(Sink("webapp2.Response().write", "xss", ((0, "text"),), when="text"),),
)

FALCON = Library(
    "falcon",
    objects=(ObjectModel("falcon.Request", "req", "web", _FALCON_ATTRS, _FALCON_METHODS, encoded=_RAW_QUERY),),
)

PYRAMID = Library(
    "pyramid",
    objects=(ObjectModel("pyramid.Request", "request", "web", _PYRAMID_ATTRS),),
    sinks=(
        Sink("pyramid.httpexceptions.HTTPFound", "redirect", ((0, "location"),), when="host"),
        # WebOb's response: `text/html` unless `content_type=` (or `json_body=`) says otherwise.
        Sink("pyramid.response.Response", "xss", ((0, "body"),), when="text"),
        Sink("webob.Response", "xss", ((0, "body"),), when="text"),
        Sink("webob.response.Response", "xss", ((0, "body"),), when="text"),
    ),
)

# Sinks for predictable values from `random`: where an attacker who can guess them gains something.
SESSION = Library(
    "sessions and cookies",
    sinks=(
        Sink(".set_cookie", "secret", ((1, "value"),)),
        Sink(".set_signed_cookie", "secret", ((1, "value"),)),
        Sink(".set_password", "secret", ((0, "raw_password"),)),
        Sink("django.contrib.auth.hashers.make_password", "secret", ((0, "password"),)),
        Sink("flask.jsonify", "secret", ((0, ""), (1, ""), (2, ""))),
        Sink("django.http.JsonResponse", "secret", ((0, "data"),)),
    ),
)

LIBRARIES = (FLASK, DJANGO, STARLETTE, AIOHTTP, TORNADO, WEBAPP2, BOTTLE, FALCON, PYRAMID, SESSION)
