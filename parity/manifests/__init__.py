"""What production already declares (Kubernetes manifests, compose files) read into profile keys:
each mapped key with the field it came from, each item that cannot be mapped with its reason."""
