"""Maintenance windows: the notifier's own aggregate for planned and emergency work on the
platform and for relevant changes made to it (`kind: change`), and the notices it owes the
affected customers' contacts (the contract's "Notification of Potential Maintenance or
Changes").

- `window`: the `MaintenanceWindow` aggregate; `rules`: what its commands check (24 hours'
  notice, emergency, ...) and how a refusal says why;
- `notices`: the `Notification`s each of its events owes, and to whom (the customer directory);
- `rows`, `tables`, `tables_memory`: the listing and the due instants, written with the events;
- `schedule`: the use cases (`MaintenanceSchedule`); `timer`: what falls due on the clock;
- `publication`: its events on `hotline.maintenance.v1`; `http`, `cli`: its edges.
"""
