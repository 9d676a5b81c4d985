"""Readers and writers of outside formats: YAML manifests, transcripts and result files."""
