from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.requests import AuthenticatedHttpRequest
from learning.selectors import upload_flashcards, upload_questions, upload_topics
from uploads import services
from uploads.forms import UploadForm
from uploads.models import GeneratorRequest, Upload
from uploads.selectors import upload_get_for_user


@login_required
def upload_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    uploads = Upload.objects.for_user(request.user)
    return render(request, "uploads/list.html", {"uploads": uploads})


@login_required
def upload_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            upload, created = services.upload_create(
                owner=request.user,
                file=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                generator=form.cleaned_data["generator"] or "auto",
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("file", message)
        else:
            if not created:
                messages.info(request, _("You had already uploaded this document; here it is."))
            return redirect("uploads:detail", upload_id=upload.pk)
    return render(request, "uploads/new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def upload_detail(request: AuthenticatedHttpRequest, upload_id: int) -> HttpResponse:
    upload = upload_get_for_user(user=request.user, upload_id=upload_id)
    context: dict[str, object] = {"upload": upload}
    if upload.status == Upload.Status.READY:
        context |= {
            "topics": upload_topics(upload.pk),
            "flashcards": upload_flashcards(upload.pk),
            "questions": upload_questions(upload.pk),
        }
    return render(request, "uploads/detail.html", context)


@login_required
def upload_status(request: AuthenticatedHttpRequest, upload_id: int) -> HttpResponse:
    """The htmx fragment polled while processing; when done it makes the page reload once."""
    upload = upload_get_for_user(user=request.user, upload_id=upload_id)
    response = render(request, "uploads/_status.html", {"upload": upload})
    if not upload.is_processing and request.GET.get("was") == "processing":
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def upload_reprocess(request: AuthenticatedHttpRequest, upload_id: int) -> HttpResponse:
    upload = upload_get_for_user(user=request.user, upload_id=upload_id)
    try:
        generator = request.POST.get("generator", "")
        offered = generator in (GeneratorRequest.AUTO, GeneratorRequest.OFFLINE)  # the page offers no "ai"
        services.upload_reprocess(upload=upload, generator=generator if offered else "")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("We are processing the document again."))
    return redirect("uploads:detail", upload_id=upload.pk)


@login_required
def upload_delete(request: AuthenticatedHttpRequest, upload_id: int) -> HttpResponse:
    upload = upload_get_for_user(user=request.user, upload_id=upload_id)
    if request.method == "POST":
        services.upload_delete(upload=upload)
        messages.success(request, _("“%(title)s” was deleted.") % {"title": upload.title})
        return redirect("uploads:list")
    return render(request, "uploads/delete.html", {"upload": upload})
