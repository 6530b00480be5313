"""Middleware of the whole site."""

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """No response of the application is kept by the browser or a shared cache.

    Almost every page shows personal data (the household file, the allocataire's portal, the API's
    answers), and a page that does not today may tomorrow: the rule is for every response the
    application writes, so that none can be forgotten. Static files are served apart.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
