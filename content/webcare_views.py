"""Webcare pages: team social's tasks under posted videos (with the organisation's reply templates and questions
put to the press office or another role), and the answering role's view of the question put to it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import access
from accounts.decorators import capability_required
from accounts.roles import Capability, Role
from audit.trail import Origin
from core.pagination import paginate

from . import services
from .forms import AnswerForm, EscalationForm, ReplyTemplateForm, WebcareForm
from .models import ReplyTemplate, WebcareEscalation, WebcareTask

SHOW = {
    "open": Q(done_at__isnull=True),
    "done": Q(done_at__isnull=False),
}


@capability_required(Capability.CHECK_BRIEFS)
def webcare_list(request):
    now = timezone.now()
    show = request.GET.get("show", "")
    tasks = WebcareTask.objects.visible_to(request.membership)
    if show == "overdue":
        tasks = tasks.filter(done_at__isnull=True, ends_at__lt=now)
    elif show in SHOW:
        tasks = tasks.filter(SHOW[show])
    tasks = (
        tasks.select_related("posting__brief", "assignee", "done_by")
        .annotate(
            questions=Count("escalations"),
            waiting=Count("escalations", filter=Q(escalations__answered_at__isnull=True)),
        )
        # Open tasks first (the database's own NULL order differs: PostgreSQL puts them last), soonest end first.
        .order_by(F("done_at").asc(nulls_first=True), "ends_at", "pk")
    )
    return render(
        request,
        "content/webcare_list.html",
        {
            "tasks": paginate(request, tasks),
            "now": now,
            "show": show if show in {*SHOW, "overdue"} else "",
            "shows": [("", _("All")), ("open", _("Open")), ("overdue", _("Overdue")), ("done", _("Done"))],
        },
    )


def _task(request, pk):
    return get_object_or_404(
        WebcareTask.objects.visible_to(request.membership).select_related("posting__brief__topic", "assignee"),
        pk=pk,
    )


def _page(request, task, *, form=None, escalation_form=None, answer_forms=None, status=200):
    """The task page: for team social the task's form, the reply templates and its questions to others; for a role
    a question was put to, the questions to it with a form to answer each open one."""
    membership = request.membership
    runs_webcare = access.has_capability(membership, Capability.CHECK_BRIEFS)
    escalations = list(task.escalations.select_related("asked_by", "answered_by"))
    if runs_webcare:
        form = form or WebcareForm(
            instance=task, assignees=access.people_with_role(request.organisation, Role.TEAM_SOCIAL)
        )
        escalation_form = escalation_form or EscalationForm()
    else:
        escalations = [escalation for escalation in escalations if escalation.role == membership.role]
    answer_forms = answer_forms or {}
    for escalation in escalations:
        may_answer = escalation.answered_at is None and escalation.role == membership.role
        escalation.answer_form = (answer_forms.get(escalation.pk) or AnswerForm()) if may_answer else None
    context = {
        "task": task,
        "brief": task.posting.brief,
        "runs_webcare": runs_webcare,
        "form": form,
        "escalation_form": escalation_form,
        "escalations": escalations,
        "templates": ReplyTemplate.objects.visible_to(membership) if runs_webcare else [],
        "overdue": task.is_overdue(timezone.now()),
    }
    return render(request, "content/webcare_form.html", context, status=status)


@capability_required(Capability.VIEW_BRIEFS)
def webcare_edit(request, pk):
    task = _task(request, pk)
    if request.method != "POST":
        return _page(request, task)
    if not access.has_capability(request.membership, Capability.CHECK_BRIEFS):
        raise PermissionDenied
    form = WebcareForm(
        request.POST, instance=task, assignees=access.people_with_role(request.organisation, Role.TEAM_SOCIAL)
    )
    if form.is_valid():
        try:
            services.webcare_update(
                actor=request.user,
                task=task,
                assignee=form.cleaned_data["assignee"],
                notes=form.cleaned_data["notes"],
                done=form.cleaned_data["done"],
                ends_at=form.cleaned_data["ends_at"],
                now=timezone.now(),
                origin=Origin.from_request(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The webcare task has been saved."))
            return redirect("webcare_list")
    return _page(request, task, form=form, status=400)


@capability_required(Capability.CHECK_BRIEFS)
def webcare_escalate(request, pk):
    task = _task(request, pk)
    if request.method != "POST":  # a reload or a language switch after an error: the task page holds the form
        return redirect(reverse("webcare_edit", args=[task.pk]) + "#ask")
    form = EscalationForm(request.POST)
    if form.is_valid():
        try:
            escalation = services.webcare_escalate(
                actor=request.user,
                task=task,
                now=timezone.now(),
                origin=Origin.from_request(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Your question has gone to: %(role)s. Their answer will show here, and you get a mail.")
                % {"role": escalation.get_role_display()},
            )
            return redirect("webcare_edit", task.pk)
    return _page(request, task, escalation_form=form, status=400)


@capability_required(Capability.VIEW_BRIEFS)
def webcare_answer(request, pk):
    escalation = get_object_or_404(
        WebcareEscalation.objects.filter(task__in=WebcareTask.objects.visible_to(request.membership)), pk=pk
    )
    if request.method != "POST":  # a reload after an error: the task page holds the form
        return redirect(reverse("webcare_edit", args=[escalation.task_id]) + f"#answer-{escalation.pk}")
    if escalation.role != request.membership.role:
        raise PermissionDenied  # put to another role: theirs to answer
    task = _task(request, escalation.task_id)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.webcare_answer(
                actor=request.user,
                escalation=escalation,
                answer=form.cleaned_data["answer"],
                now=timezone.now(),
                origin=Origin.from_request(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you: team social has your answer."))
            return redirect("webcare_edit", task.pk)
    return _page(request, task, answer_forms={escalation.pk: form}, status=400)


@capability_required(Capability.CHECK_BRIEFS)
def reply_templates(request, pk=None):
    """The organisation's reply templates, with a form to add one (or, with ``pk``, to change that one)."""
    organisation = request.organisation
    templates = ReplyTemplate.objects.visible_to(request.membership)
    template = get_object_or_404(templates, pk=pk) if pk else None
    form = ReplyTemplateForm(request.POST or None, instance=template, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.reply_template_save(
                actor=request.user,
                organisation=organisation,
                template=template,
                origin=Origin.from_request(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The reply “%(title)s” has been saved.") % {"title": saved.title})
            return redirect("reply_templates")
    return render(
        request,
        "content/reply_templates.html",
        {"templates": templates, "form": form, "template": template},
        status=400 if form.errors else 200,
    )


@require_POST
@capability_required(Capability.CHECK_BRIEFS)
def reply_template_remove(request, pk):
    template = get_object_or_404(ReplyTemplate.objects.visible_to(request.membership), pk=pk)
    services.reply_template_remove(actor=request.user, template=template, origin=Origin.from_request(request))
    messages.success(request, _("The reply “%(title)s” has been removed.") % {"title": template.title})
    return redirect("reply_templates")
