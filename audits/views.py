"""The audits pages: uploading an evaluation set in two steps (the file, then its column
mapping offered from the file's own header) and starting an audit. The version page and an
audit's live page are in reports.views, which draws the charts."""

import uuid
from pathlib import Path

from django.contrib import messages
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from audits import intake, services
from audits.battery import BatteryInputError
from audits.battery import io as battery_io
from audits.errors import UploadRejected
from audits.forms import AuditRequestForm, EvaluationSetFileForm, MappingForm
from audits.uploads import CappedUploadHandler, upload_refusal
from governance.errors import ServiceError
from governance.views import (
    AuthedRequest,
    posted,
    reader_required,
    refuse,
    to_version,
    uploaded,
    version_of,
)

STAGED = "staged_evaluation_sets"  # session key: token -> the staged upload awaiting its mapping


@csrf_exempt
def evaluation_set_new(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    # The upload cap must be in place before the body is read, which CSRF checking would do.
    request.upload_handlers.insert(0, CappedUploadHandler(request))
    return _evaluation_set_new(request, slug, version)


@csrf_protect
@reader_required
def _evaluation_set_new(request: AuthedRequest, slug: str, version: str) -> HttpResponse:
    """Step one: keep the file aside and read its header, then ask for the mapping."""
    target = version_of(slug, version)
    form = EvaluationSetFileForm(posted(request), uploaded(request))
    refused = upload_refusal(request) if request.method == "POST" else ""
    if refused:
        form.is_valid()
        form.errors["file"] = form.error_class([refused])  # not also "this field is required"
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        filename = Path(upload.name or "upload").name
        token = uuid.uuid4().hex
        stored = ""
        try:
            intake.upload_format(filename)
            stored = default_storage.save(f"staging/{token}/{filename}", upload)
            columns = battery_io.open_source(default_storage.path(stored)).columns
            if not columns:
                raise BatteryInputError(f"{filename} has no columns")
            intake.header_check(columns, services.intake_limits())
        except BatteryInputError as error:
            if stored:
                default_storage.delete(stored)
            form.add_error("file", str(error))
        else:
            staged = request.session.get(STAGED, {})
            staged[token] = {
                "version": target.pk,
                "stored": stored,
                "filename": filename,
                "role": form.cleaned_data["role"],
                "name": form.cleaned_data["name"],
                "columns": columns,
            }
            request.session[STAGED] = staged
            return redirect("evaluation-set-map", slug=slug, version=version, token=token)
    return render(request, "audits/evaluation_set_new.html", {"form": form, "version": target})


@reader_required
def evaluation_set_map(request: AuthedRequest, slug: str, version: str, token: str) -> HttpResponse:
    """Step two: map the file's columns; the set is validated and stored only now."""
    target = version_of(slug, version)
    staged = request.session.get(STAGED, {}).get(token)
    if not staged or staged["version"] != target.pk:
        messages.error(request, "That upload has expired or is not yours: upload the file again.")
        return redirect("evaluation-set-new", slug=slug, version=version)
    form = MappingForm(posted(request), columns=staged["columns"], role=staged["role"])
    if request.method == "POST" and form.is_valid():
        try:
            with default_storage.open(staged["stored"], "rb") as handle:
                created = services.evaluation_set_upload(
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
            default_storage.delete(staged["stored"])
            sets = request.session[STAGED]
            sets.pop(token, None)
            request.session[STAGED] = sets
            messages.success(
                request, f"Evaluation set “{created.name}” is in: {created.rows} rows."
            )
            return to_version(target)
    context = {"form": form, "version": target, "staged": staged}
    return render(request, "audits/evaluation_set_map.html", context)


@reader_required
def audit_new(request: AuthedRequest, slug: str, version: str) -> HttpResponse:
    """Queue an audit of the version on one of its evaluation sets, then watch it run."""
    target = version_of(slug, version)
    form = AuditRequestForm(posted(request), version=target)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.audit_run_request(
                actor=request.user,
                version=target,
                evaluation_set=form.cleaned_data["evaluation_set"],
                reference_set=form.cleaned_data["reference_set"],
                training_set=form.cleaned_data["training_set"],
                with_model=form.cleaned_data["with_model"],
            )
        except UploadRejected as error:
            for problem in error.problems:
                form.add_error("with_model", str(problem))
        except ServiceError as error:
            refuse(form, error)
        else:
            return redirect("audit-page", pk=run.pk)
    return render(request, "audits/audit_new.html", {"form": form, "version": target})
