"""What a view does with a service's answer to an action: the action's message when it is done,
the service's own French reasons when it refuses, and where the user goes in either case."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse


def act[T](
    request: HttpRequest,
    action: Callable[[], T],
    *,
    done: str | Callable[[T], str],
    then: HttpResponse | Callable[[T], HttpResponse],
    refused: HttpResponse,
) -> HttpResponse:
    try:
        result = action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return refused
    messages.success(request, done(result) if callable(done) else done)
    return then(result) if callable(then) else then
