"""Every state change of the portal, one module per topic. Views and tasks call these."""
