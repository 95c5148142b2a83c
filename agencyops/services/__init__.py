"""Every write of the platform layer: agencies, people, invitations, clients and contacts."""
