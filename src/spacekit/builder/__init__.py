"""Model building: blueprints, training architectures, archives and numpy inference."""
