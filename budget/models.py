# Budget periods, per-post plans and cost lines arrive with the budget issue.
