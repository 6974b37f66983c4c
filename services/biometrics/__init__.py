"""Biometrics: the desks. Locations, capacity and appointments (biometrics, endorsement sticker,
document pickup), and what the desks report back."""
