"""A client library for accessing Kling text-to-video (anyapi gateway)"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
