"""Uploading an evaluation set in two steps: the file (staged, its header read), then its
column mapping offered from that header; the set is validated and recorded only then."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from audits.errors import UploadRejected
from audits.forms import EvaluationSetFileForm, MappingForm
from audits.services import evaluation_sets, staging
from audits.uploads import CappedUploadHandler, upload_refusal
from governance.api.throttles import upload_wait
from governance.errors import ServiceError, StorageFull
from governance.page_plumbing import (
    AuthedRequest,
    posted,
    reader_required,
    refuse,
    to_version,
    uploaded,
    version_of,
)
from governance.permissions import can_upload

STAGED = "staged_evaluation_sets"  # session key: token -> the staged upload awaiting its mapping


@csrf_exempt
def evaluation_set_new(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    """Step one's door: who may upload, and the uploads throttle, are checked before the body
    is read (CSRF checking would read it), and the upload cap is in place when it is."""
    if request.user.is_authenticated:
        if not can_upload(request.user, version_of(slug, version)):  # type: ignore[arg-type]
            raise PermissionDenied("only the model's team or a risk officer may upload sets")
        wait = upload_wait(request) if request.method == "POST" else None
        if wait is not None:
            messages.error(request, f"Too many uploads: try again in {int(wait) + 1} seconds.")
            return redirect("evaluation-set-new", slug=slug, version=version)
    request.upload_handlers.insert(0, CappedUploadHandler(request))
    return _evaluation_set_new(request, slug, version)


@csrf_protect
@reader_required
def _evaluation_set_new(request: AuthedRequest, slug: str, version: str) -> HttpResponse:
    """Step one: stage the file and read its header, then ask for the mapping."""
    target = version_of(slug, version)
    form = EvaluationSetFileForm(posted(request), uploaded(request))
    refused = upload_refusal(request) if request.method == "POST" else ""
    status = 200
    if refused:
        form.is_valid()
        form.errors["file"] = form.error_class([refused])  # not also "this field is required"
    elif request.method == "POST" and form.is_valid():
        try:
            staged = staging.staging_store(
                actor=request.user, version=target, file=form.cleaned_data["file"]
            )
        except ServiceError as error:
            refuse(form, error)
            status = error.status_code if isinstance(error, StorageFull) else 200
        else:
            sessions = request.session.get(STAGED, {})
            sessions[staged.token] = {
                "version": target.pk,
                "stored": staged.stored,
                "filename": staged.filename,
                "role": form.cleaned_data["role"],
                "name": form.cleaned_data["name"],
                "columns": staged.columns,
            }
            request.session[STAGED] = sessions
            return redirect("evaluation-set-map", slug=slug, version=version, token=staged.token)
    context = {"form": form, "version": target}
    return render(request, "audits/evaluation_set_new.html", context, status=status)


@reader_required
def evaluation_set_map(request: AuthedRequest, slug: str, version: str, token: str) -> HttpResponse:
    """Step two: map the file's columns; the set is validated and stored only now."""
    target = version_of(slug, version)
    staged = request.session.get(STAGED, {}).get(token)
    if not staged or staged["version"] != target.pk:
        messages.error(request, "That upload has expired or is not yours: upload the file again.")
        return redirect("evaluation-set-new", slug=slug, version=version)
    form = MappingForm(posted(request), columns=staged["columns"])
    if request.method == "POST" and form.is_valid():
        try:
            with default_storage.open(staged["stored"], "rb") as handle:
                created = evaluation_sets.evaluation_set_upload(
                    actor=request.user,
                    version=target,
                    file=UploadedFile(handle, name=staged["filename"]),
                    mapping=form.mapping(),
                    role=staged["role"],
                    name=staged["name"],
                )
        except UploadRejected as error:
            for problem in error.problems:
                form.add_error(form.field_for(problem.column), str(problem))
        except ServiceError as error:
            refuse(form, error)
        else:
            staging.staging_discard(token)
            sets = request.session[STAGED]
            sets.pop(token, None)
            request.session[STAGED] = sets
            messages.success(
                request, f"Evaluation set “{created.name}” is in: {created.rows} rows."
            )
            return to_version(target)
    context = {"form": form, "version": target, "staged": staged}
    return render(request, "audits/evaluation_set_map.html", context)
