"""Every write of the project layer: plans from templates, briefs, tasks, dependencies, deadline moves.

Dates come from projects.scheduling (pure); these modules load rows, ask it, and store the answer
with its history. Deadline moves lock the project row so concurrent edits queue instead of losing
a history row.

Callers use the names below from ``projects.services``; each lives in one module:

- ``templates``: the built-in and agency templates (``BUILTIN_PREFIX``, ``template_resolve``, saving, editing).
- ``planning``: the preview of a new project's plan and creating the project from a template.
- ``retainers``: a retainer's rhythm and the deliverables of its coming periods.
- ``projects``: the brief (``brief_missing``, ``brief_update``), planning settings and project status.
- ``tasks``: task status, decisions, assignee, and tasks added after the plan.
- ``launch``: moving the committed launch, an explicit act with its history.
- ``conversation``: a task's description, comments with @mentions and attachments, its checklist.
- ``rescheduling``: the plan as scheduling values (``ProjectPlan``) and due-date moves with their history.
- ``bulk``: several tasks of a project at once (status, assignee, shifting dates), one transaction.
- ``dependencies``: links between tasks.
- ``inputs``: required inputs, expected and received.
- ``closures``: days the whole agency is closed.
- ``calendar_feeds``: members' private calendar links.
- ``_shared`` and ``_materialise``: helpers the modules above share (permissions, phase deadlines,
  the risk rescan, writing a scheduled plan's rows).
"""

from projects.services._shared import _rescan_soon
from projects.services.bulk import (
    MAX_SHIFT_BUSINESS_DAYS,
    BulkShiftImpact,
    tasks_assign,
    tasks_set_status,
    tasks_shift,
    tasks_shift_preview,
)
from projects.services.calendar_feeds import (
    calendar_feed_create,
    calendar_feed_revoke,
    calendar_feed_token_hash,
)
from projects.services.closures import closure_add, closure_remove
from projects.services.conversation import (
    checklist_item_add,
    checklist_item_remove,
    checklist_item_set_done,
    task_comment_add,
    task_describe,
    team_handles,
)
from projects.services.dependencies import dependency_add, dependency_remove
from projects.services.inputs import required_input_create, required_input_receive
from projects.services.launch import LaunchMove, project_move_launch
from projects.services.planning import PlanPreview, project_create_from_template, project_preview
from projects.services.projects import (
    BRIEF_FIELDS,
    PROJECT_TRANSITIONS,
    brief_missing,
    brief_update,
    project_set_status,
    project_update_settings,
)
from projects.services.rescheduling import (
    ProjectPlan,
    RescheduleImpact,
    ShiftedTask,
    project_dates_span,
    project_plan_load,
    task_reschedule,
    task_reschedule_preview,
)
from projects.services.retainers import project_set_recurrence, retainer_generate
from projects.services.tasks import (
    task_assign,
    task_clear_decision,
    task_create,
    task_flag_decision,
    task_successors_tell_ready,
    task_update_status,
)
from projects.services.templates import (
    BUILTIN_PREFIX,
    TemplateChoice,
    template_resolve,
    template_save_from_project,
    template_update,
)

__all__ = [
    "BRIEF_FIELDS",
    "MAX_SHIFT_BUSINESS_DAYS",
    "BulkShiftImpact",
    "tasks_assign",
    "tasks_set_status",
    "tasks_shift",
    "tasks_shift_preview",
    "BUILTIN_PREFIX",
    "PROJECT_TRANSITIONS",
    "LaunchMove",
    "PlanPreview",
    "ProjectPlan",
    "RescheduleImpact",
    "ShiftedTask",
    "TemplateChoice",
    # Other apps (approvals) ask for a risk rescan after their own changes.
    "_rescan_soon",
    "brief_missing",
    "brief_update",
    "calendar_feed_create",
    "checklist_item_add",
    "checklist_item_remove",
    "checklist_item_set_done",
    "calendar_feed_revoke",
    "calendar_feed_token_hash",
    "closure_add",
    "closure_remove",
    "dependency_add",
    "dependency_remove",
    "project_create_from_template",
    "project_dates_span",
    "project_move_launch",
    "project_plan_load",
    "project_preview",
    "project_set_recurrence",
    "project_set_status",
    "project_update_settings",
    "required_input_create",
    "required_input_receive",
    "retainer_generate",
    "task_assign",
    "task_clear_decision",
    "task_comment_add",
    "task_create",
    "task_describe",
    "task_flag_decision",
    "task_reschedule",
    "task_reschedule_preview",
    "task_successors_tell_ready",
    "task_update_status",
    "template_resolve",
    "template_save_from_project",
    "team_handles",
    "template_update",
]
