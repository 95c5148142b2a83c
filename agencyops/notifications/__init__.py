"""Notifications, a platform service: every app tells people about events through ``notify``.

- ``kinds``: the kinds of event, the channels, the defaults per role (pure).
- ``services``: ``notify`` (routing by the person's preferences), read marks, preferences, digests.
- ``selectors``: the notification centre's page and the preferences page.
- ``unsubscribe``: the signed one-click unsubscribe link of digest mails.
- ``tasks``: the notification mail, the daily digest (one task per agency).
"""
