"""What every job stands on, apart from the jobs themselves: the context a job gets, posting and
editing alerts, publishing reports, the plan (cron → trigger), the runner and the scheduler."""
