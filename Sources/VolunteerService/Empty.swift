// placeholder for dependency build
