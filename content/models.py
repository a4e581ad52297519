# Topics, briefs, creators, scripts, video versions and postings arrive with the workflow issue.
