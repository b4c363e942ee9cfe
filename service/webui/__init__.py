"""The functions the web UI (`ui/`) is handed: each calls the same owner the API calls. The UI
never imports the pipeline; only this package knows both."""
