"""HTTP routes the app serves beside Reflex's own (mounted through ``rx.App(api_transformer=...)``)."""
