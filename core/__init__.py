"""What every app uses: the project's error base, the API's plumbing, sending jobs by name, small shared helpers."""
