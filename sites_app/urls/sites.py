"""URLs of sites, vhosts, operations and TXT verification."""

urlpatterns: list = []
