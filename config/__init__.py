"""Project configuration: settings, root URLconf, WSGI entry point."""
