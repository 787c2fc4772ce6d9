"""CDK app of Outreach: one construct per concern (storage, messaging, events, workflow, monitoring)."""
