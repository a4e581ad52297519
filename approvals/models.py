# Approval chains, runs, decisions and the audit trail arrive with the workflow issue.
